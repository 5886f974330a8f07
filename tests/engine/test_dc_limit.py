"""0 Hz in circuits whose equations are singular at DC (a node between series capacitors, a loop
of inductors or lossless lines): S there is the unique port solution, equal to the limit f -> 0
(checked against closed forms and against S at 1 mHz), on every solver path; where it is not
unique (a DC-floating node drives a controlled source) S is NaN, never a finite wrong value."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pmrf_cli.circuit import Circuit
from pmrf_cli.circuit.dc import dc_points, may_be_singular_at_dc
from pmrf_cli.models import VCCS, Capacitor, Inductor, Resistor, TransmissionLine

F = np.array([0.0, 1e-3, 1e9])  # DC, the limit's neighbourhood, RF


def series_caps(solver="auto"):
    return Circuit([("C1", Capacitor(1e-12), ("a", "m")), ("C2", Capacitor(2e-12), ("m", "b"))], ("a", "b"),
                   solver=solver)


def tee_caps():
    parts = [("C1", Capacitor(1e-12), ("a", "m")), ("C3", Capacitor(1e-12), ("m", "gnd")),
             ("C2", Capacitor(2e-12), ("m", "b"))]
    return Circuit(parts, ("a", "b"))


def ring(n=4, zc=50.0):
    nodes = [f"p{k}" for k in range(n)]
    parts = [(f"T{k}", TransmissionLine(zc, 0.1), (nodes[k], nodes[(k + 1) % n])) for k in range(n)]
    return Circuit(parts, nodes)


def inductor_loop():
    return Circuit([("L1", Inductor(1e-9), ("a", "b")), ("L2", Inductor(2e-9), ("a", "b"))], ("a", "b"))


def stub_ladder():
    # shunt inductor, series line, shunt inductor: a loop of DC shorts through ground
    parts = [("L1", Inductor(1e-9), ("a", "gnd")), ("T", TransmissionLine(50.0, 0.05), ("a", "b")),
             ("L2", Inductor(2e-9), ("b", "gnd"))]
    return Circuit(parts, ("a", "b"))


OPEN = np.eye(2)
THROUGH = np.array([[0.0, 1.0], [1.0, 0.0]])
CASES = [
    ("series caps, ladder", series_caps(), OPEN),
    ("series caps, sparse", series_caps("sparse"), OPEN),
    ("series caps, dense", series_caps("dense"), OPEN),
    ("cap tee, ladder", tee_caps(), OPEN),
    ("ring of lossless lines", ring(), 0.5 * np.ones((4, 4)) - np.eye(4)),  # all ports joined: 50 || 50 || 50
    ("loop of inductors", inductor_loop(), THROUGH),
    ("shunt stubs to ground", stub_ladder(), -np.eye(2)),
]


@pytest.mark.parametrize("name, circuit, want", CASES, ids=[c[0] for c in CASES])
def test_dc_is_the_unique_port_solution_and_the_limit(name, circuit, want):
    topo = circuit.topology()
    assert may_be_singular_at_dc(topo, circuit.components)
    s = np.asarray(circuit.s(F))
    assert np.all(np.isfinite(s))
    assert np.max(np.abs(s[0] - want)) < 1e-12
    assert np.max(np.abs(s[0] - s[1])) < 1e-9  # S at 1 mHz: the limit is continuous


def test_circuits_regular_at_dc_keep_their_solver():
    # a series inductor and a shunt resistor: every node reaches ground, no loop of ideal conductors
    c = Circuit([("L", Inductor(1e-9), ("a", "b")), ("R", Resistor(50.0), ("b", "gnd"))], ("a", "b"))
    assert not may_be_singular_at_dc(c.topology(), c.components)
    # a resistor in a ring of lines breaks the loop of ideal conductors
    parts = [("T1", TransmissionLine(70.0, 0.1), ("p1", "p2")), ("T2", TransmissionLine(70.0, 0.1), ("p1", "p3")),
             ("R", Resistor(100.0), ("p2", "p3"))]
    assert not may_be_singular_at_dc(Circuit(parts, ("p1", "p2", "p3")).topology(), [m for _, m, _ in parts])


def test_a_floating_gate_has_no_dc_value():
    # the gate sits between two capacitors: at DC its voltage, and so the drain current, is free
    parts = [("C1", Capacitor(1e-12), ("in", "g")), ("C2", Capacitor(3e-12), ("g", "gnd")),
             ("G", VCCS(0.02), ("g", "o")), ("R", Resistor(50.0), ("o", "gnd"))]
    s = np.asarray(Circuit(parts, ("in", "o")).s(F))
    assert np.all(np.isnan(s[0])) and np.all(np.isfinite(s[1:]))
    # the limit exists: a unit incident wave puts 2 V on the open input, the divider 0.5 V on the
    # gate, and the drain current makes V_o = -gm 0.5 (R || 50) = -0.25 V; S at 1 mHz shows it
    assert abs(s[1, 1, 0] - (-0.25)) < 1e-9


def test_dc_values_jit_vmap_and_differentiate():
    def s11_dc(c1, r):
        parts = [("C1", Capacitor(c1), ("a", "m")), ("C2", Capacitor(2e-12), ("m", "b")),
                 ("L", Inductor(1e-9), ("a", "x")), ("R", Resistor(r), ("x", "gnd"))]
        return jnp.real(Circuit(parts, ("a", "b")).s(F)[0, 0, 0])

    vals, grads = jax.jit(jax.vmap(jax.value_and_grad(s11_dc, argnums=(0, 1))))(
        jnp.array([1e-12, 2e-12]), jnp.array([25.0, 100.0]))
    # at DC: port a sees R through the inductor, port b is open
    want = (np.array([25.0, 100.0]) - 50) / (np.array([25.0, 100.0]) + 50)
    assert np.max(np.abs(vals - want)) < 1e-12
    assert np.max(np.abs(grads[0])) < 1e-6  # C1 does not matter at DC
    assert np.max(np.abs(grads[1] - 100 / (np.array([25.0, 100.0]) + 50) ** 2)) < 1e-9  # d/dR of (R-50)/(R+50)


def test_dc_points_need_a_grid_known_at_trace_time():
    assert list(dc_points(np.array([0.0, 1.0, 0.0]))) == [0, 2]
    assert dc_points(np.array([1.0, 2.0])) is None

    def traced(f):
        assert dc_points(f) is None  # a traced grid: nothing to do at trace time
        return f

    jax.jit(traced)(jnp.zeros(2))


def _ring(length, solver):
    """A ring of four microstrip lines with a feed line from a port to each junction (a branch-line
    coupler): a loop of conductors at DC."""
    from pmrf_cli.models.lines import Microstrip

    def line(w, length):
        return Microstrip(w=w, h=0.508e-3, er=3.66, length=length, t=35e-6, tand=0.0037)

    parts = [(f"L{k}", line(1.1e-3 * (1 + 0.3 * k), length * (1 + 0.1 * k)), (f"n{k}", f"n{(k + 1) % 4}"))
             for k in range(4)]
    parts += [(f"F{k}", line(1.1e-3, 5e-3), (f"p{k}", f"n{k}")) for k in range(4)]
    return Circuit(parts, ports=("p0", "p1", "p2", "p3"), solver=solver)


@pytest.mark.parametrize("solver", ["auto", "mna", "dense"])
def test_derivatives_stay_finite_where_dc_is_solved_by_minimum_norm(solver):
    """The regular solution is not evaluated at the 0 Hz points it would leave singular, so
    derivatives through a grid that starts at 0 Hz are finite (0 x inf made them NaN), and equal
    the derivatives on the grid without that point."""
    grid = np.array([0.0, 1e9, 2e9])
    assert may_be_singular_at_dc(_ring(0.02, solver).topology(), _ring(0.02, solver).components)

    def loss(length, f):
        return jnp.sum(jnp.abs(_ring(length, solver).s(f)) ** 2 * jnp.arange(16.0).reshape(4, 4))

    with_dc, without = jax.grad(loss)(0.02, grid), jax.grad(loss)(0.02, grid[1:])
    assert np.isfinite(with_dc) and with_dc != 0
    np.testing.assert_allclose(with_dc, without, rtol=1e-12)
    assert jax.grad(loss)(0.02, grid[:1]) == 0
