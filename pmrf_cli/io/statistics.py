"""Statistics of S over a sweep's samples, accumulated chunk by chunk (numpy only).

Per (frequency, port pair): the mean and standard deviation of S (complex; the std is
sqrt(mean |S - mean|^2)) and of dB|S|, and the min and max of dB|S|. Sums run over samples in
index order, as one sequential fold (`np.add.accumulate`), so the bits do not depend on how the
sweep was chunked, resumed or spread over machines. Values are shifted by the first sample's
before they are summed, which keeps the variance accurate when the spread is small.
Standard deviations are population ones (divide by N), as numpy's `std`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The running state, by name: dtype and whether it is per (F, P, P) element.
STATE = ("count", "ref_s", "ref_db", "sum_s", "sum_abs2", "sum_db", "sum_db2", "min_db", "max_db")
RESULTS = ("s_mean", "s_std", "db_mean", "db_std", "db_min", "db_max")


def db(s: np.ndarray) -> np.ndarray:
    """20 log10 |s| (-inf at 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return 20.0 * np.log10(np.abs(s))


@dataclass
class SAccumulator:
    """Running sums over samples 0 .. count-1 (shape (F, P, P) each)."""

    count: int
    ref_s: np.ndarray
    ref_db: np.ndarray
    sum_s: np.ndarray
    sum_abs2: np.ndarray
    sum_db: np.ndarray
    sum_db2: np.ndarray
    min_db: np.ndarray
    max_db: np.ndarray

    @classmethod
    def empty(cls, shape: tuple[int, ...]) -> "SAccumulator":
        """No samples yet."""
        z = np.zeros(shape)
        return cls(0, np.zeros(shape, complex), z.copy(), np.zeros(shape, complex), z.copy(), z.copy(), z.copy(),
                   np.full(shape, np.inf), np.full(shape, -np.inf))

    def add(self, s: np.ndarray) -> None:
        """Fold samples `s` (n, F, P, P), the next ones in index order."""
        if s.shape[0] == 0:
            return
        s = np.asarray(s, dtype=np.complex128)
        d = db(s)
        if self.count == 0:
            self.ref_s = s[0].copy()
            self.ref_db = np.where(np.isfinite(d[0]), d[0], 0.0)
        with np.errstate(invalid="ignore", over="ignore"):
            ds = s - self.ref_s
            ddb = d - self.ref_db
            self.sum_s = _fold(self.sum_s, ds)
            self.sum_abs2 = _fold(self.sum_abs2, ds.real**2 + ds.imag**2)
            self.sum_db = _fold(self.sum_db, ddb)
            self.sum_db2 = _fold(self.sum_db2, ddb * ddb)
        self.min_db = np.minimum(self.min_db, d.min(axis=0))
        self.max_db = np.maximum(self.max_db, d.max(axis=0))
        self.count += s.shape[0]

    def results(self) -> dict[str, np.ndarray]:
        """{s_mean, s_std, db_mean, db_std, db_min, db_max}, each (F, P, P); NaN without samples."""
        n = self.count
        if n == 0:
            nan = np.full(self.ref_db.shape, np.nan)
            return {"s_mean": nan.astype(complex), "s_std": nan, "db_mean": nan, "db_std": nan,
                    "db_min": nan, "db_max": nan}
        with np.errstate(invalid="ignore", over="ignore"):
            ms = self.sum_s / n
            mdb = self.sum_db / n
            var_s = self.sum_abs2 / n - (ms.real**2 + ms.imag**2)
            var_db = self.sum_db2 / n - mdb * mdb
            return {
                "s_mean": self.ref_s + ms, "s_std": np.sqrt(np.maximum(var_s, 0.0)),
                "db_mean": self.ref_db + mdb, "db_std": np.sqrt(np.maximum(var_db, 0.0)),
                "db_min": self.min_db.copy(), "db_max": self.max_db.copy(),
            }

    def state(self) -> dict[str, np.ndarray]:
        """The running state as arrays (to store in a results file)."""
        return {k: np.asarray(getattr(self, k)) for k in STATE}

    @classmethod
    def from_state(cls, state: dict) -> "SAccumulator":
        """Rebuild from `state()` (as stored)."""
        kw = {k: np.array(state[k]) for k in STATE}
        kw["count"] = int(kw["count"])
        return cls(**kw)


def _fold(acc: np.ndarray, x: np.ndarray) -> np.ndarray:
    """acc + x[0] + x[1] + ..., added one sample at a time in order (a sequential fold)."""
    buf = np.empty((x.shape[0] + 1,) + x.shape[1:], dtype=np.result_type(acc, x))
    buf[0] = acc
    buf[1:] = x
    np.add.accumulate(buf, axis=0, out=buf)
    return buf[-1].copy()
