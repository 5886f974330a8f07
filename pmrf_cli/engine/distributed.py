"""`pmrf sweep --scheduler/--workers`: a sweep's chunks evaluated on a Dask cluster.

The client (the `pmrf` process) keeps the results file. A chunk is split into `part`-sized index
vectors, as a one-process sweep splits it over its cores; each is one Dask task, `recipe.evaluate`
on a worker, which compiles the kernel once per recipe and keeps it. `DaskRunner` has
`ChunkRunner`'s interface, so the sweep gathers and writes chunks in index order exactly as
before: the file, `samples_done` and `--resume` do not change, and neither do the bits (a
sample's arithmetic does not depend on how many samples a call evaluates). Dask reruns the tasks
of a worker lost mid-run. Importing this module imports Dask; a one-process sweep never does.
"""

from __future__ import annotations

import logging
import re
import signal
import sys
import uuid
from concurrent.futures import CancelledError
from pathlib import Path
from typing import Any, Callable

import numpy as np
from distributed import Client, KilledWorker, LocalCluster, WorkerPlugin

from pmrf_cli.engine import recipe as recipes
from pmrf_cli.engine.kernel import padded_indices
from pmrf_cli.engine.runtime import DeviceError

#: Seconds to wait for a scheduler to answer.
CONNECT_TIMEOUT = 30
#: Seconds without a worker before the client says it is waiting for one.
WORKER_NOTICE = 10


class ClusterError(DeviceError):
    """The Dask cluster could not be reached or could not finish the work."""


class IgnoreInterrupts(WorkerPlugin):
    """Local workers share the terminal: Ctrl-C is the client's to handle (it stops the sweep
    after the chunks in flight), not a signal that kills its workers mid-task."""

    name = "pmrf-ignore-sigint"

    def setup(self, worker) -> None:
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        except ValueError:  # not the process's main thread
            pass


class Cluster:
    """A client of a Dask scheduler, with the local cluster it started, if any."""

    def __init__(self, client: Client, local: LocalCluster | None, device: str) -> None:
        self.client = client
        self.local = local
        info = client.scheduler_info()["workers"]
        self.workers = len(info)
        self.threads = sum(int(w.get("nthreads", 1)) for w in info.values())
        run = uuid.uuid4().hex[:8]
        found = client.gather([  # every worker starts JAX now, and must have the device
            client.submit(recipes.describe_device, device, key=f"pmrf-device-{run}-{i}", workers=[addr],
                          allow_other_workers=True, pure=False)
            for i, addr in enumerate(info)
        ])
        self.platform = found[0][0]
        self.device = ", ".join(sorted({d for _, d in found}))  # provenance: every kind the workers have

    @property
    def label(self) -> str:
        """'2 Dask workers' (with the thread count where it differs)."""
        text = f"{self.workers} Dask worker{'s' if self.workers != 1 else ''}"
        return text if self.threads == self.workers else f"{text} ({self.threads} threads)"

    def chunk(self, limit: int, budget: int, result_bytes: int) -> int:
        """Samples per chunk: `limit` (what one process evaluates at once within the memory
        budget) for every worker, while one chunk's results fit the budget on the client."""
        return max(int(limit), min(int(limit) * self.workers, budget // max(int(result_bytes), 1)))

    def close(self) -> None:
        """Disconnect; stop the local cluster, if this process started one."""
        try:
            self.client.close(timeout=10)
        finally:
            if self.local is not None:
                self.local.close(timeout=10)


def connect(scheduler: str | None, workers: int | None, device: str,
            say: Callable[[str], None] = lambda text: None) -> Cluster:
    """A `Cluster` on the scheduler at `scheduler` (an address such as tcp://host:8786, or a
    scheduler file), or on a new local cluster of `workers` processes of one thread each; waits
    for a first worker and asks it for its device (an error if it has none of kind `device`)."""
    local = None
    try:
        if scheduler is None:
            env = {"XLA_PYTHON_CLIENT_PREALLOCATE": "false"} if device.lower() == "gpu" else {}
            local = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                silence_logs=logging.ERROR, plugins={IgnoreInterrupts()}, env=env,
            )
            client = Client(local)
        elif "://" not in scheduler and not re.fullmatch(r"[\w.\-\[\]:]+:\d+", scheduler):
            if not Path(scheduler).is_file():
                raise ClusterError(f"{scheduler}: no such scheduler file (an address reads tcp://host:8786)")
            client = Client(scheduler_file=scheduler, timeout=CONNECT_TIMEOUT)
        else:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        if local is not None:
            local.close()
        where = f"the Dask scheduler at {scheduler}" if scheduler else "a local Dask cluster"
        raise ClusterError(f"cannot connect to {where}: {exc}") from None
    try:
        try:
            client.wait_for_workers(1, timeout=WORKER_NOTICE)
        except TimeoutError:
            say(f"pmrf: waiting for a Dask worker to join {scheduler}")
            client.wait_for_workers(1)
        return Cluster(client, local, device)
    except BaseException:
        client.close()
        if local is not None:
            local.close()
        raise


def _nbytes(tree: Any) -> int:
    if isinstance(tree, dict):
        return sum(_nbytes(v) for v in tree.values())
    if isinstance(tree, (list, tuple)):
        return sum(_nbytes(v) for v in tree)
    return int(getattr(tree, "nbytes", 0))


class DaskRunner:
    """`ChunkRunner`'s interface on a `Cluster`: `submit(indices)` sends a chunk's pieces of
    `piece` samples (whole parts of the recipe's kernel; default one part) as tasks, `result(handle)`
    gathers them in sample order. `select(out)` runs on the worker and
    picks what comes back. The runner owns the cluster: `close` cancels what is in flight and
    disconnects."""

    def __init__(self, cluster: Cluster, recipe: recipes.SweepRecipe, select: Callable | None = None,
                 piece: int | None = None) -> None:
        self.cluster = cluster
        self.client = cluster.client
        self.recipe = recipe
        self.select = select
        self.part = int(piece or recipe.part)  # samples per task: whole parts of the recipe's kernel
        self.workers = cluster.workers
        self.bytes_received = 0
        self._run = uuid.uuid4().hex[:8]
        self._tasks = 0
        self._live: set = set()
        try:
            self.compile_s = self._warm()
        except BaseException:
            cluster.close()
            raise

    def _key(self, what: str) -> str:
        self._tasks += 1
        return f"pmrf-{what}-{self._run}-{self._tasks}"

    def _warm(self) -> float:
        """Every worker builds the kernel now: compile errors stop the sweep before a file exists."""
        futures = [
            self.client.submit(recipes.warm, self.recipe, addr, key=self._key("compile"), workers=[addr],
                               allow_other_workers=True, pure=False)
            for addr in self.client.scheduler_info()["workers"]
        ]
        return max(self.client.gather(futures), default=0.0)

    def submit(self, indices: np.ndarray) -> list:
        """Start evaluating one chunk: one task per part (parts of padding only are skipped)."""
        futures = []
        for k in range(0, len(indices), self.part):
            piece = indices[k:k + self.part]
            if piece[0] < 0:  # padding only
                break
            start, count = int(piece[0]), int(np.count_nonzero(piece >= 0))
            where = (start, count) if np.array_equal(piece, padded_indices(start, count, self.part)) else piece
            futures.append(self.client.submit(recipes.evaluate, self.recipe, where, self.select,
                                              key=self._key("part"), pure=False))
        self._live.update(futures)
        return futures

    def result(self, handle: list) -> list:
        """The chunk's parts as host arrays, in sample order."""
        try:
            outs = self.client.gather(handle)
        except KilledWorker as exc:
            raise ClusterError(f"Dask gave up on a part of the sweep: {exc}") from None
        except CancelledError as exc:  # the scheduler went away, or someone cancelled our tasks
            raise ClusterError(f"the cluster dropped a part of the sweep: {exc}") from None
        self._live.difference_update(handle)
        for f in handle:
            f.release()
        self.bytes_received += _nbytes(outs)
        return outs

    def close(self) -> None:
        """Cancel the parts in flight and disconnect (stopping a local cluster)."""
        try:
            if self._live:
                self.client.cancel(list(self._live))
                self._live.clear()
        finally:
            self.cluster.close()


def stderr(text: str) -> None:
    """Print a notice for the user."""
    print(text, file=sys.stderr)
