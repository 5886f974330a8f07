"""Feed lines (`circuit.feeds`): a port reached through one TEM line is solved on the interior
and the line connected afterwards; S must equal the whole nodal solution (solver "mna", which
folds nothing), at DC too, whatever the line's orientation and the ports' references."""

import jax
import numpy as np
import pytest

from pmrf_cli.circuit import Circuit
from pmrf_cli.circuit.feeds import find_feeds
from pmrf_cli.models import Resistor, TransmissionLine
from pmrf_cli.models.lines import Microstrip

jax.config.update("jax_enable_x64", True)

F = np.concatenate([[0.0], np.linspace(0.5e9, 4e9, 15)])


def _ms(w, length):
    return Microstrip(w=w, h=0.508e-3, er=3.66, length=length, t=35e-6, tand=0.0037)


def _branch_line(solver, z0=50.0):
    """A microstrip branch-line coupler with a feed line on each port; feed 3 placed the other
    way round."""
    w50, w35 = 1.1e-3, 1.85e-3
    parts = [
        ("F1", _ms(w50, 5e-3), ("p1", "a")), ("F2", _ms(w50, 6e-3), ("p2", "b")),
        ("F3", _ms(w50, 7e-3), ("c", "p3")), ("F4", _ms(w50, 5e-3), ("p4", "d")),
        ("T1", _ms(w35, 22.9e-3), ("a", "b")), ("T2", _ms(w35, 22.9e-3), ("c", "d")),
        ("T3", _ms(w50, 23.5e-3), ("a", "d")), ("T4", _ms(w50, 23.5e-3), ("b", "c")),
    ]
    return Circuit(parts, ports=("p1", "p2", "p3", "p4"), z0=z0, solver=solver)


def _tee(solver):
    """Three lossless lines from three ports to one node: nothing is left inside."""
    parts = [(f"L{k}", TransmissionLine.electrical_length(z, 90.0, 1e9), (f"p{k}", "x"))
             for k, z in enumerate((50.0, 70.7, 35.0))]
    return Circuit(parts, ports=("p0", "p1", "p2"), solver=solver)


@pytest.mark.parametrize("make", [
    _branch_line,
    lambda solver: _branch_line(solver, z0=np.array([25.0, 50.0, 75.0, 100.0])),
    _tee,
], ids=["branch-line", "branch-line-mixed-z0", "tee"])
def test_feeds_match_the_whole_nodal_solution(make):
    folded, whole = make("auto"), make("mna")
    topo, components = folded._solved()
    assert len(find_feeds(topo, components)) == folded.nports
    got, want = np.asarray(folded.s(F)), np.asarray(whole.s(F))
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(got, np.swapaxes(got, -1, -2), atol=1e-13)  # reciprocal


def test_a_line_between_two_ports_or_beside_other_parts_is_no_feed():
    parts = [("L1", TransmissionLine(50.0, 0.01), ("p1", "p2")), ("L2", TransmissionLine(50.0, 0.02), ("p2", "x")),
             ("R", Resistor(50.0), ("x", "p3")), ("L3", TransmissionLine(50.0, 0.03), ("p3", "y")),
             ("R2", Resistor(20.0), ("y", "gnd")), ("R3", Resistor(30.0), ("p3", "gnd"))]
    c = Circuit(parts, ports=("p1", "p2", "p3"))
    topo, components = c._solved()
    assert find_feeds(topo, components) == ()
