"""Every core busy: a chunk evaluated as concurrent calls of one compiled kernel.

A compiled XLA:CPU program runs a call on the thread that waits for it, and parallelises only
large loops inside it; the nodal kernels' tiles (`lax.map`) and small chunks then keep one core
busy. A chunk is therefore split into parts of one size (`engine.kernel.part_samples`: whole
tiles), each evaluated by the same compiled executable on one of `workers` threads (JAX releases
the GIL while XLA runs). The part size does not depend on the number of cores, so neither does
the executable, nor any sample's bits: a 16-core sweep whose parts were one tile, against a
1-core one whose parts were sixteen, differed in the last bits on a 16-core server (XLA inlines
a loop that runs once and fuses across it).

The alternative, one XLA host device per core and `shard_map` over them, compiles a different
(SPMD-partitioned) program whose fusions round differently (ulp-level differences from a
one-device run), and it must be configured before JAX starts.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np

from pmrf_cli.engine.kernel import padded_to


class ChunkRunner:
    """Evaluates chunks of sample indices with `compiled` (a kernel compiled for `part` indices)
    on `workers` threads; `submit` returns at once, `result` gathers the chunk on the host.

    A chunk is split into parts of `part` indices, the last one padded
    (`engine.kernel.padded_to`), and every part is one call of the one executable: a sample's
    bits depend on that executable alone, never on the chunk or the number of cores."""

    def __init__(self, compiled: Callable, part: int, workers: int = 1) -> None:
        self.compiled = compiled
        self.part = int(part)
        self.workers = max(1, int(workers))
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="pmrf-kernel") if self.workers > 1 else None

    def _run(self, indices: np.ndarray):
        import jax

        return jax.tree_util.tree_map(np.asarray, self.compiled(indices))

    def parts(self, indices: np.ndarray) -> list[np.ndarray]:
        """The chunk's parts of `part` indices each, without those of padding alone."""
        out = []
        for k in range(0, len(indices), self.part):
            piece = indices[k:k + self.part]
            if piece[0] < 0:
                break
            out.append(padded_to(piece, self.part))
        return out

    def submit(self, indices: np.ndarray) -> list:
        """Start evaluating one chunk."""
        if self._pool is None:
            return [self.compiled(p) for p in self.parts(indices)]  # JAX dispatches asynchronously
        return [self._pool.submit(self._run, p) for p in self.parts(indices)]

    def result(self, handle: list) -> list:
        """The chunk's outputs as host arrays, one entry per part, in sample order (parts are
        not joined: that copy of the whole chunk cost as much as the kernel for cheap ladders)."""
        import jax

        if self._pool is None:
            return [jax.tree_util.tree_map(np.asarray, h) for h in handle]
        return [f.result() for f in handle]

    def close(self) -> None:
        """Stop the threads (after the calls in flight)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
