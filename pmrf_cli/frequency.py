"""The frequency grid on which models are evaluated."""

from __future__ import annotations

import equinox as eqx
import numpy as np

_UNITS = {"hz": 1.0, "khz": 1e3, "mhz": 1e6, "ghz": 1e9, "thz": 1e12}


def unit_multiplier(unit: str) -> float:
    """Return the factor that converts `unit` (Hz, kHz, MHz, GHz, THz; any case) to Hz."""
    try:
        return _UNITS[unit.lower()]
    except KeyError:
        raise ValueError(f"unknown frequency unit {unit!r} (use Hz, kHz, MHz, GHz or THz)") from None


class Frequency(eqx.Module):
    """An immutable frequency grid, held in Hz as a float64 numpy array.

    `Frequency(100, 1000, 100, 'MHz')` is 100 points from 100 MHz to 1 GHz, both ends included;
    `scale='log'` spaces them logarithmically. `Frequency.from_values(f_hz)` takes any grid.
    The grid is static data: closing over it in a jitted function bakes it in as a constant.
    """

    f: np.ndarray = eqx.field(static=False, converter=lambda x: np.asarray(x, dtype=np.float64))

    def __init__(self, start: float, stop: float, npoints: int, unit: str = "Hz", scale: str = "linear"):
        k = unit_multiplier(unit)
        npoints = int(npoints)
        if npoints < 1:
            raise ValueError("a frequency grid needs at least one point")
        if stop < start:
            raise ValueError(f"frequency stop ({stop}) is below start ({start})")
        if scale == "linear":
            f = np.linspace(start * k, stop * k, npoints)
        elif scale == "log":
            if start <= 0:
                raise ValueError("a log frequency grid needs start > 0")
            f = np.geomspace(start * k, stop * k, npoints)
        else:
            raise ValueError(f"unknown frequency scale {scale!r} (use 'linear' or 'log')")
        if npoints > 1:  # exact ends, whatever rounding the spacing introduced
            f[0], f[-1] = start * k, stop * k
        self.f = f

    @classmethod
    def from_values(cls, values, unit: str = "Hz") -> "Frequency":
        """Build a grid from explicit values (non-decreasing, in `unit`)."""
        f = np.asarray(values, dtype=np.float64).reshape(-1) * unit_multiplier(unit)
        if f.size == 0:
            raise ValueError("a frequency grid needs at least one point")
        if np.any(np.diff(f) < 0):
            raise ValueError("frequency values must be non-decreasing")
        obj = object.__new__(cls)
        object.__setattr__(obj, "f", f)
        return obj

    @classmethod
    def traced(cls, f) -> "Frequency":
        """A grid holding `f` (Hz) as given, a jax array or tracer: for derivatives with respect
        to frequency (`jax.jvp(lambda f: model.s(Frequency.traced(f)), ...)`). No checks."""
        obj = object.__new__(cls)
        object.__setattr__(obj, "f", f)
        return obj

    @property
    def npoints(self) -> int:
        """Number of grid points."""
        return int(self.f.shape[-1])

    @property
    def w(self) -> np.ndarray:
        """Angular frequency, rad/s."""
        return 2 * np.pi * self.f

    def __len__(self) -> int:
        return self.npoints

    def __repr__(self) -> str:
        f = np.asarray(self.f)
        return f"Frequency({f[0]:.6g} Hz .. {f[-1]:.6g} Hz, {f.size} points)"
