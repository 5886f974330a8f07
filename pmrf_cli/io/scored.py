"""The parts of a sweep file that summarise samples: spec margins, pass/fail, yield, statistics.

Layout (SPECS.md and RESULTS.md, additions): `/specs/<name>` float64 (N,) margins with the
spec's attributes, `/pass` bool (N,), `/yield` float64 (G,) or (), root attributes `yield`,
`yield_low`, `yield_high`, `yield_confidence`; `/statistics/<what>` (F, P, P) (s_mean, s_std,
db_mean, db_std, db_min, db_max) and the running state they come from.

Like the rest of a sweep file, everything is allocated when the file is created and later only
overwritten in place. The running state (statistics sums, pass counts) is kept in two slots,
written alternately, each with the sample count it covers: after a crash, the slot whose count
equals `samples_done` is the one that matches the file, so a resumed sweep continues exactly.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from pmrf_cli.io.statistics import RESULTS, SAccumulator
from pmrf_cli.specs.yields import wilson_interval

_SLOTS = ("state0", "state1")


def _dataset(group: Any, name: str, shape, dtype, fill=None) -> Any:
    from pmrf_cli.io.results import _early_dcpl

    ds = group.create_dataset(name, shape=shape, dtype=dtype, dcpl=_early_dcpl(), fill_time="never")
    if fill is not None:  # a whole array: h5py broadcasts a scalar by many small selections (slow)
        ds[...] = np.broadcast_to(np.asarray(fill, dtype=dtype), shape)
    return ds


def create(f: Any, meta, n: int) -> None:
    """Allocate the summary datasets of a new sweep file of `n` samples."""
    specs = meta.specs
    if specs:
        g = f.create_group("specs", track_order=True)
        for name, attrs in specs:
            ds = _dataset(g, name, (n,), np.float64)
            for k, v in attrs.items():
                ds.attrs[k] = v
        _dataset(f, "pass", (n,), bool)
        _dataset(f, "yield", (meta.yield_groups,) if meta.yield_groups else (), np.float64, np.nan)
        for k in ("yield", "yield_low", "yield_high"):
            f.attrs[k] = np.float64(np.nan)
        f.attrs["yield_confidence"] = np.float64(meta.confidence)
    shape = (meta.n_freq, meta.n_ports, meta.n_ports)
    st = f.create_group("statistics", track_order=True)
    for name in RESULTS:
        _dataset(st, name, shape, np.complex128 if name == "s_mean" else np.float64, np.nan)
    sums, counts = pack(SAccumulator.empty(shape), np.zeros(max(meta.yield_groups, 1), np.int64),
                        np.zeros(len(specs), np.int64), np.array([0, -1]))
    for slot in _SLOTS:
        sg = st.create_group(slot, track_order=True)
        _dataset(sg, "sums", sums.shape, np.float64, sums)
        _dataset(sg, "counts", counts.shape, np.int64, counts)
    f.attrs["nonfinite_samples"] = np.int64(0)


def pack(acc: SAccumulator, passed: np.ndarray, spec_passed: np.ndarray, nonfinite: np.ndarray):
    """A slot's running state as two arrays (two writes per update): `sums` (7, F, P, P) float64
    (mean of S, real and imaginary, its sum of squared deviations, mean and sum of squared
    deviations of dB|S|, min and max of dB|S|) and `counts` int64 (samples, samples whose S is
    not finite, the first of them, passes per grid point, passes per spec)."""
    sums = np.stack([acc.mean_s.real, acc.mean_s.imag, acc.m2_s, acc.mean_db, acc.m2_db, acc.min_db, acc.max_db])
    counts = np.concatenate([[acc.count], nonfinite, passed, spec_passed]).astype(np.int64)
    return sums, counts


def unpack(group: Any, groups: int, specs: int):
    """(SAccumulator, passed, spec_passed, nonfinite) from a slot written by `pack`."""
    sums, counts = group["sums"][()], group["counts"][()]
    acc = SAccumulator(int(counts[0]), sums[0] + 1j * sums[1], sums[2], sums[3], sums[4], sums[5], sums[6])
    g = max(groups, 1)
    return acc, counts[3:3 + g].copy(), counts[3 + g:3 + g + specs].copy(), counts[1:3].copy()


def slot_count(group: Any) -> int:
    """How many samples a slot's state covers."""
    return int(group["counts"][0])


class Scoring:
    """The running summary of an open sweep file: margins and pass written per chunk, sums and
    counts folded in index order, yield and statistics written when the last sample is."""

    def __init__(self, f: Any, meta, done: int) -> None:
        self.f = f
        self.meta = meta
        self.names = [name for name, _ in meta.specs]
        st = f["statistics"]
        slot = next((s for s in _SLOTS if slot_count(st[s]) == done), None)
        if slot is None:
            from pmrf_cli.io.results import ResultsError

            raise ResultsError(f"{f.filename}: its statistics do not match samples_done={done}; the file is damaged")
        self.acc, self.passed, self.spec_passed, self.nonfinite = unpack(st[slot], meta.yield_groups, len(self.names))
        self.next_slot = _SLOTS[1 - _SLOTS.index(slot)]

    def write(self, start: int, n: int, margins: np.ndarray | None, blocks: dict, finite: np.ndarray) -> None:
        """Samples [start, start + n): their margins (n, specs), the statistics blocks that
        cover them (`engine.block_stats`, in index order) and whether each S is finite."""
        bad = ~np.asarray(finite, bool)[:n]
        if bad.any():
            self.nonfinite[0] += int(bad.sum())
            if self.nonfinite[1] < 0:
                self.nonfinite[1] = start + int(np.argmax(bad))
        if self.names:
            margins = np.asarray(margins, dtype=np.float64).reshape(n, len(self.names))
            with np.errstate(invalid="ignore"):
                ok = margins >= 0.0  # NaN fails
            passed = ok.all(axis=1)
            for j, name in enumerate(self.names):
                self.f["specs"][name][start:start + n] = margins[:, j]
            self.f["pass"][start:start + n] = passed
            self.spec_passed += ok.sum(axis=0)
            groups = self.meta.yield_groups
            if groups:
                point = np.arange(start, start + n) // (self.meta.samples // groups)
                np.add.at(self.passed, point, passed)
            else:
                self.passed[0] += int(passed.sum())
        self.acc.merge(blocks)
        g = self.f["statistics"][self.next_slot]
        sums, counts = pack(self.acc, self.passed, self.spec_passed, self.nonfinite)
        g["sums"][...] = sums
        g["counts"][...] = counts
        self.next_slot = _SLOTS[1 - _SLOTS.index(self.next_slot)]

    def finish(self) -> None:
        """Write yield and statistics (every sample is in)."""
        st = self.f["statistics"]
        for name, value in self.acc.results().items():
            st[name][...] = value
        self.f.attrs.modify("nonfinite_samples", np.int64(self.nonfinite[0]))
        if not self.names:
            return
        n = self.meta.samples
        groups = self.meta.yield_groups
        if groups:
            self.f["yield"][...] = self.passed / (n // groups)
        total = int(self.passed.sum())
        low, high = wilson_interval(total, n, self.meta.confidence)
        if not groups:
            self.f["yield"][()] = total / n
        a = self.f.attrs
        a.modify("yield", np.float64(total / n))
        a.modify("yield_low", np.float64(low))
        a.modify("yield_high", np.float64(high))

    def summary(self) -> dict:
        """Pass counts so far: {"passed", "samples", "spec_passed": {name: k}, "per_point": [...]}."""
        return {
            "passed": int(self.passed.sum()), "samples": self.acc.count,
            "spec_passed": dict(zip(self.names, (int(k) for k in self.spec_passed))),
            "per_point": self.passed.tolist() if self.meta.yield_groups else None,
            "nonfinite": int(self.nonfinite[0]), "first_nonfinite": int(self.nonfinite[1]),
        }


def spec_attrs(bound_specs) -> tuple[tuple[str, Mapping], ...]:
    """(name, attributes) of each bound spec, for ResultsMeta.specs."""
    return tuple((b.name, b.attrs()) for b in bound_specs)
