"""Reading a results file's S statistics back, and percentiles from its stored S."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from pmrf_cli.io.statistics import RESULTS, SAccumulator, db

#: Bytes of /s read at once when percentiles are computed.
READ_BYTES = 256 * 1024 * 1024


def read_statistics(f) -> dict[str, np.ndarray]:
    """{s_mean, s_std, db_mean, db_std, db_min, db_max} (F, P, P) over the samples done: as
    stored once the sweep is complete, else from its running state; a simulation's S itself."""
    done = int(f.attrs["samples_done"])
    if "seed" not in f.attrs:
        acc = SAccumulator.empty(f["s"].shape)
        acc.add(np.asarray(f["s"][()])[None])
        return acc.results()
    if "statistics" not in f:
        acc = SAccumulator.empty(f["s"].shape[1:])
        step = max(1, READ_BYTES // max(1, int(np.prod(f["s"].shape[1:])) * 16))
        for start in range(0, done, step):
            acc.add(np.asarray(f["s"][start:min(done, start + step)]))
        return acc.results()
    st = f["statistics"]
    if done == int(f.attrs["samples"]):
        return {k: st[k][()] for k in RESULTS}
    from pmrf_cli.io.scored import slot_count, unpack

    for slot in ("state0", "state1"):
        if slot_count(st[slot]) == done:
            groups = int(np.size(f["yield"])) if "yield" in f and np.ndim(f["yield"]) else 0
            return unpack(st[slot], groups, len(f["specs"]) if "specs" in f else 0)[0].results()
    raise ValueError("the statistics do not match samples_done")


def percentiles(f, q: Sequence[float]) -> np.ndarray:
    """(len(q), F, P, P) percentiles of dB|S| over the samples done, from the stored /s."""
    ds = f["s"]
    done = int(f.attrs["samples_done"])
    _, nf, p, _ = ds.shape
    per_freq = max(1, done * p * p * 16)
    step = max(1, READ_BYTES // per_freq)
    out = np.empty((len(q), nf, p, p))
    for k in range(0, nf, step):
        block = db(np.asarray(ds[:done, k:k + step]))
        out[:, k:k + step] = np.percentile(block, q, axis=0)
    return out


def term_names(ports: int) -> list[list[str]]:
    """S-parameter names by (to, from): S21, or S(12,3) beyond 9 ports."""
    return [[f"S{i + 1}{j + 1}" if ports < 10 else f"S({i + 1},{j + 1})" for j in range(ports)] for i in range(ports)]


__all__ = ["read_statistics", "percentiles", "term_names"]
