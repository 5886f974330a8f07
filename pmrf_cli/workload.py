"""How many (sample, frequency) points the program being traced will evaluate.

Some choices trade compile time for run time: the unrolled elimination of a large circuit
(`circuit.unrolled_pays`), vectorised transcendental functions (`vecmath`) and XLA:CPU's fusion
emitters (`engine.compiled`) compile longer and repay it only over many points; a small
program is compiled without LLVM's optimisations, which few points do not repay. A sweep
kernel, and `pmrf simulate`'s (one sample), states its size while it traces
(`evaluation_points`) and is compiled for it; elsewhere (the library) the size is unknown, and
the choices that compile fastest, but with LLVM's optimisations, are taken. A tiled kernel also
states how many samples it evaluates at once (`samples_together`), which bounds the memory of
the dense LU (`circuit.dense_solve`).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

#: (sample, frequency) points from which a program is large: it takes the vectorised functions
#: (`vecmath`) and, where it takes complex powers, the fusion emitters (`engine.compiled`): up to
#: ~1 s more compile time for a microstrip circuit, which 5e6 points repay (a 10-section
#: microstrip ladder runs ~15-20 % faster per point on 2 cores)
LARGE_PROGRAM_POINTS = 5_000_000

#: (sample, frequency) points up to which a program is small: XLA:CPU compiles it without LLVM's
#: optimisations (`engine.compiled`), which halves its compile time (`pmrf simulate`'s kernel of
#: a 20-section microstrip low-pass 1.33 -> 0.72 s, of a 22-part nodal circuit 0.57 -> 0.27 s;
#: a sweep kernel of a 10-line microstrip or coax ladder 2.1 -> 1.0 s) and makes its code 2-6x
#: slower (64 ns to 4.3 us more per point on 2 cores, an LC ladder to a coax ladder): a loss
#: from ~1e5 points on (2.6e5 for the coax ladder, 9e4 for a nodal circuit on the dense LU), so
#: only `pmrf simulate` and sweeps of a few dozen samples are small
SMALL_PROGRAM_POINTS = 50_000

_POINTS: ContextVar[int | None] = ContextVar("pmrf_evaluation_points", default=None)
_TOGETHER: ContextVar[int] = ContextVar("pmrf_samples_together", default=1)


@contextmanager
def _stated(var: ContextVar, value) -> Iterator[None]:
    """`var` set to `value` inside the block."""
    token = var.set(value)
    try:
        yield
    finally:
        var.reset(token)


def evaluation_points(points: int):
    """While tracing inside this block, the program evaluates `points` (sample, frequency)
    points in all."""
    return _stated(_POINTS, int(points))


def points_evaluated() -> int | None:
    """The points stated by the innermost `evaluation_points` block (None outside any)."""
    return _POINTS.get()


def is_small(points: int | None) -> bool:
    """Whether a program of `points` (sample, frequency) points (None: unknown) is small."""
    return points is not None and points <= SMALL_PROGRAM_POINTS


def is_large(points: int | None) -> bool:
    """Whether a program of `points` (sample, frequency) points (None: unknown) is large."""
    return points is not None and points >= LARGE_PROGRAM_POINTS


def samples_together(samples: int):
    """While tracing inside this block, the per-sample evaluation being traced is vmapped over
    `samples` samples, which are then in memory at once (a sweep kernel's tile): what bounds
    the memory of a solver whose working set per point is large (`circuit.dense_solve`)."""
    return _stated(_TOGETHER, max(1, int(samples)))


def samples_at_once() -> int:
    """The samples stated by the innermost `samples_together` block (1 outside any)."""
    return _TOGETHER.get()
