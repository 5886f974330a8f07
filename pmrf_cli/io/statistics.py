"""Statistics of S over a sweep's samples, merged block by block in index order (numpy only).

Per (frequency, port pair): the mean and standard deviation of S (complex; the std is
sqrt(mean |S - mean|^2)) and of dB|S|, and the min and max of dB|S|. The sweep's kernel reduces
fixed blocks of samples (`engine.block_stats`); here the blocks are merged one after another in
index order (Chan et al.'s pairwise update of count, mean and sum of squared deviations), so the
bits do not depend on how the sweep was chunked, resumed or spread over machines.
Standard deviations are population ones (divide by N), as numpy's `std`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RESULTS = ("s_mean", "s_std", "db_mean", "db_std", "db_min", "db_max")


def db(s: np.ndarray) -> np.ndarray:
    """20 log10 |s| (-inf at 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return 10.0 * np.log10(s.real**2 + s.imag**2)


def host_blocks(s: np.ndarray) -> dict[str, np.ndarray]:
    """All of `s` (n, F, P, P) as one block, in the kernel's block format (for a simulation,
    and for files written without statistics)."""
    s = np.asarray(s, dtype=np.complex128)
    d = db(s)
    ref_s = s[0]
    ref_db = np.where(np.isfinite(d[0]), d[0], 0.0)
    with np.errstate(invalid="ignore", over="ignore"):
        ds, e = s - ref_s, d - ref_db
        out = {"count": np.array([s.shape[0]]), "ref_s": ref_s, "ref_db": ref_db, "sum_s": ds.sum(axis=0),
               "sum_abs2": (ds.real**2 + ds.imag**2).sum(axis=0), "sum_db": e.sum(axis=0),
               "sum_db2": (e * e).sum(axis=0), "min_db": d.min(axis=0), "max_db": d.max(axis=0)}
    return {k: (v[None] if k != "count" else v) for k, v in out.items()}


@dataclass
class SAccumulator:
    """Count, means, sums of squared deviations and extremes over the samples merged so far."""

    count: int
    mean_s: np.ndarray
    m2_s: np.ndarray
    mean_db: np.ndarray
    m2_db: np.ndarray
    min_db: np.ndarray
    max_db: np.ndarray

    @classmethod
    def empty(cls, shape: tuple[int, ...]) -> "SAccumulator":
        """No samples yet."""
        z = np.zeros(shape)
        return cls(0, np.zeros(shape, complex), z.copy(), z.copy(), z.copy(), np.full(shape, np.inf), np.full(shape, -np.inf))

    def merge(self, blocks: dict[str, np.ndarray]) -> None:
        """Merge blocks (each key with a leading block axis, see `engine.block_stats`), in order."""
        counts = np.asarray(blocks["count"])
        with np.errstate(invalid="ignore", over="ignore"):
            for b in np.nonzero(counts)[0]:
                k = float(counts[b])
                mean_s = blocks["ref_s"][b] + blocks["sum_s"][b] / k
                m2_s = blocks["sum_abs2"][b] - np.abs(blocks["sum_s"][b]) ** 2 / k
                mean_db = blocks["ref_db"][b] + blocks["sum_db"][b] / k
                m2_db = blocks["sum_db2"][b] - blocks["sum_db"][b] ** 2 / k
                if self.count == 0:
                    self.mean_s, self.m2_s, self.mean_db, self.m2_db = mean_s, m2_s, mean_db, m2_db
                else:
                    n = self.count + k
                    delta_s, delta_db = mean_s - self.mean_s, mean_db - self.mean_db
                    self.mean_s = self.mean_s + delta_s * (k / n)
                    self.m2_s = self.m2_s + m2_s + (delta_s.real**2 + delta_s.imag**2) * (self.count * k / n)
                    self.mean_db = self.mean_db + delta_db * (k / n)
                    self.m2_db = self.m2_db + m2_db + delta_db**2 * (self.count * k / n)
                self.min_db = np.minimum(self.min_db, blocks["min_db"][b])
                self.max_db = np.maximum(self.max_db, blocks["max_db"][b])
                self.count += int(k)

    def add(self, s: np.ndarray) -> None:
        """Merge samples `s` (n, F, P, P) as one block, computed here."""
        if np.shape(s)[0]:
            self.merge(host_blocks(s))

    def results(self) -> dict[str, np.ndarray]:
        """{s_mean, s_std, db_mean, db_std, db_min, db_max}, each (F, P, P); NaN without samples."""
        n = self.count
        if n == 0:
            nan = np.full(self.mean_db.shape, np.nan)
            return {"s_mean": nan.astype(complex), "s_std": nan, "db_mean": nan, "db_std": nan,
                    "db_min": nan, "db_max": nan}
        with np.errstate(invalid="ignore"):
            return {"s_mean": self.mean_s.copy(), "s_std": np.sqrt(np.maximum(self.m2_s, 0.0) / n),
                    "db_mean": self.mean_db.copy(), "db_std": np.sqrt(np.maximum(self.m2_db, 0.0) / n),
                    "db_min": self.min_db.copy(), "db_max": self.max_db.copy()}
