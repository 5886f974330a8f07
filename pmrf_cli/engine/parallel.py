"""Every core busy: a chunk evaluated as concurrent calls of one compiled kernel.

A compiled XLA:CPU program runs a call on the thread that waits for it, and parallelises only
large loops inside it; the nodal kernels' tiles (`lax.map`) and small chunks then keep one core
busy. A chunk of `workers * part` samples is therefore split into `workers` parts, each evaluated
by the same compiled executable on its own thread (JAX releases the GIL while XLA runs). One
executable, one compilation: a sample's arithmetic is the same in every part and in a one-part
run, so the results are the same bits whatever the number of workers (a test checks this).

The alternative, one XLA host device per core and `shard_map` over them, compiles a different
(SPMD-partitioned) program whose fusions round differently (ulp-level differences from a
one-device run), and it must be configured before JAX starts.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

import numpy as np


class ChunkRunner:
    """Evaluates chunks of sample indices with `compiled` (a kernel compiled for `part` indices)
    on `workers` threads; `submit` returns at once, `result` gathers the chunk on the host."""

    def __init__(self, compiled: Callable, part: int, workers: int = 1) -> None:
        self.compiled = compiled
        self.part = int(part)
        self.workers = max(1, int(workers))
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="pmrf-kernel") if self.workers > 1 else None

    def _run(self, indices: np.ndarray):
        import jax

        return jax.tree_util.tree_map(np.asarray, self.compiled(indices))

    def submit(self, indices: np.ndarray) -> list[Future] | object:
        """Start evaluating one chunk (`workers * part` indices)."""
        if self._pool is None:
            return self.compiled(indices)  # JAX dispatches asynchronously
        return [self._pool.submit(self._run, indices[k * self.part:(k + 1) * self.part]) for k in range(self.workers)]

    def result(self, handle) -> list:
        """The chunk's outputs as host arrays, one entry per part, in sample order (parts are
        not joined: that copy of the whole chunk cost as much as the kernel for cheap ladders)."""
        import jax

        if self._pool is None:
            return [jax.tree_util.tree_map(np.asarray, handle)]
        return [f.result() for f in handle]

    def close(self) -> None:
        """Stop the threads (after the calls in flight)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
