"""Structured stamps of the matched parts: the circulator's admittance (closed form for a circulant
S, checked against Y from S) and the attenuator's and isolator's descriptors, in circuits against
the S-derived dense stamp they replace; the circulator's circuit takes the dense solver."""

from __future__ import annotations

import numpy as np
import pytest

from pmrf_cli import conversions
from pmrf_cli.circuit import Circuit
from pmrf_cli.circuit.circuit import _coupled_ports
from pmrf_cli.models import Attenuator, Capacitor, Circulator, Inductor, Isolator, Model

F = np.linspace(0.5e9, 1.5e9, 5)


class _FromS:
    """The same part with the default stamp derived from its S (what the structured stamps replace)."""

    stamp = Model.stamp


class CirculatorFromS(_FromS, Circulator):
    pass


class IsolatorFromS(_FromS, Isolator):
    pass


class AttenuatorFromS(_FromS, Attenuator):
    pass


@pytest.mark.parametrize("loss, isolation", [(0.0, np.inf), (0.5, 20.0), (3.0, 3.0), (0.0, 6.0)])
def test_circulator_admittance_is_y_of_its_s(loss, isolation):
    z0 = np.array([50.0, 35.0, 75.0])
    part = Circulator(loss, isolation, z0=z0)
    st = part.stamp(F)
    y = np.array([[np.asarray(st.entry("y", i, j).to_complex(F.shape)) for j in range(3)] for i in range(3)])
    want = np.asarray(conversions.s2y(part.s(F), z0))
    assert np.max(np.abs(np.moveaxis(y, -1, 0) - want)) < 1e-15 and st.coupled


def _matched(part_of, nodes=("a0", "a1", "a2")):
    comps = [("X", part_of(), nodes)]
    for k, n in enumerate(nodes):
        comps += [(f"L{k}", Inductor(1e-9 * (1 + 0.1 * k)), (f"p{k}", n)),
                  (f"C{k}", Capacitor(0.4e-12 * (1 + 0.1 * k)), (n, "gnd"))]
    return Circuit(comps, ports=[f"p{k}" for k in range(len(nodes))])


@pytest.mark.parametrize("new, old", [
    (lambda: Circulator(1.0, 25.0), lambda: CirculatorFromS(1.0, 25.0)),
    (lambda: Circulator(), lambda: CirculatorFromS()),
])
def test_circulator_in_a_circuit_matches_the_s_derived_stamp(new, old):
    c = _matched(new)
    assert np.max(np.abs(c.s(F) - _matched(old).s(F))) < 1e-13
    stamps = c._stamps(F, c.topology())
    assert _coupled_ports(stamps) == 3  # solved dense: the unrolled elimination compiles ~10x slower


@pytest.mark.parametrize("new, old", [
    (lambda: Isolator(0.5, 20.0), lambda: IsolatorFromS(0.5, 20.0)),
    (lambda: Attenuator(0.0), lambda: AttenuatorFromS(0.0)),  # a 0 dB through: no admittance, a descriptor
    (lambda: Attenuator(6.0, z0=[25.0, 60.0]), lambda: AttenuatorFromS(6.0, z0=[25.0, 60.0])),
])
def test_two_port_descriptors_match_the_s_derived_stamp(new, old):
    a, b = _matched(new, ("a0", "a1")), _matched(old, ("a0", "a1"))
    assert np.max(np.abs(a.s(F) - b.s(F))) < 1e-13
    st = new().stamp(F)
    assert all(st.entry(w, i, j).im is None for w in "mn" for i in range(2) for j in range(2))  # real entries
