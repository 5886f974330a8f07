"""Grid sweeps: `--vary NAME=START:STOP:POINTS[:log]`, combined as a Cartesian product."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Axis:
    """One varied parameter: its path and its values (SI units)."""

    name: str
    values: np.ndarray
    spec: str


@dataclass(frozen=True)
class Grid:
    """The Cartesian product of axes; the first axis varies slowest."""

    axes: tuple[Axis, ...]

    @property
    def size(self) -> int:
        """Number of grid points."""
        return int(np.prod([a.values.size for a in self.axes])) if self.axes else 1

    def coordinates(self) -> dict[str, np.ndarray]:
        """Each axis's value at every grid point, flattened in C order: name -> (size,)."""
        if not self.axes:
            return {}
        mesh = np.meshgrid(*(a.values for a in self.axes), indexing="ij")
        return {a.name: m.reshape(-1) for a, m in zip(self.axes, mesh)}


def parse_axis(text: str, parse_number) -> Axis:
    """Parse `NAME=START:STOP:POINTS[:log]`; `parse_number(str) -> float` reads values with units."""
    if "=" not in text:
        raise ValueError(f"--vary {text!r}: expected NAME=START:STOP:POINTS[:log]")
    name, rng = text.split("=", 1)
    name = name.strip()
    parts = [p.strip() for p in rng.split(":")]
    if len(parts) not in (3, 4) or (len(parts) == 4 and parts[3] not in ("log", "lin", "linear")):
        raise ValueError(f"--vary {text!r}: expected NAME=START:STOP:POINTS[:log]")
    start, stop = parse_number(parts[0]), parse_number(parts[1])
    try:
        points = int(parts[2])
    except ValueError:
        raise ValueError(f"--vary {text!r}: POINTS must be an integer, not {parts[2]!r}") from None
    if points < 1:
        raise ValueError(f"--vary {text!r}: POINTS must be at least 1")
    if len(parts) == 4 and parts[3] == "log":
        if start <= 0 or stop <= 0:
            raise ValueError(f"--vary {text!r}: a log axis needs positive ends")
        values = np.geomspace(start, stop, points)
    else:
        values = np.linspace(start, stop, points)
    if points > 1:
        values[0], values[-1] = start, stop
    return Axis(name, values.astype(np.float64), text)
