"""How many (sample, frequency) points the program being traced will evaluate.

Some choices trade compile time for run time: the unrolled elimination of a large circuit
(`circuit.unrolled_pays`), vectorised transcendental functions (`vecmath`) and XLA:CPU's fusion
emitters (`engine.compiled`) compile longer and repay it only over many points. A sweep kernel
states its size while it traces (`evaluation_points`); elsewhere (`simulate`, the library) the
size is unknown, and the choices that compile fastest are taken.
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

_POINTS: ContextVar[int | None] = ContextVar("pmrf_evaluation_points", default=None)


@contextmanager
def evaluation_points(points: int) -> Iterator[None]:
    """While tracing inside this block, the program evaluates `points` (sample, frequency)
    points in all."""
    token = _POINTS.set(int(points))
    try:
        yield
    finally:
        _POINTS.reset(token)


def points_evaluated() -> int | None:
    """The points stated by the innermost `evaluation_points` block (None outside any)."""
    return _POINTS.get()


def is_large(points: int | None) -> bool:
    """Whether a program of `points` (sample, frequency) points (None: unknown) is large."""
    return points is not None and points >= LARGE_PROGRAM_POINTS
