"""Regressions of the nodal solvers."""

from __future__ import annotations

import numpy as np

from pmrf_cli.circuit.circuit import Circuit
from pmrf_cli.frequency import Frequency
from pmrf_cli.models.lumped import Resistor
from pmrf_cli.models.tline import TransmissionLine


def test_rotation_of_two_numerically_zero_candidates_is_the_identity():
    """A differential line matched at its far end: some structural entries vanish numerically
    at some frequencies, which once made the Givens rotation divide 0 by 0."""
    freq = Frequency(1.5, 3, 16, "GHz")
    parts = [
        ("T", TransmissionLine(50.0, 0.1), ("a", "gnd", "y", "z")),
        ("R1", Resistor(50.0), ("y", "z")),
        ("R2", Resistor(50.0), ("z", "gnd")),
    ]
    for solver in ("sparse", "dense"):
        s = np.asarray(Circuit(parts, ports=["a"], solver=solver).s(freq))
        assert np.all(np.isfinite(s)), solver
        np.testing.assert_allclose(s, 0, atol=1e-12)
