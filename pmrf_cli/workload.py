"""How many (sample, frequency) points the program being traced will evaluate.

Some choices trade compile time for run time: the unrolled elimination of a large circuit
(`circuit.unrolled_pays`) and vectorised cosines and sines (`trig.sincos`) compile longer and
repay it only over many points. A sweep kernel states its size while it traces
(`evaluation_points`); elsewhere (`simulate`, the library) the size is unknown, and the choices
that compile fastest are taken.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

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
