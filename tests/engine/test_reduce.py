"""Series-parallel reduction of elements (`circuit.reduce`, `models.combined.SeriesParallel`):
which elements combine and which do not, exact shorts, opens and resonances, 0 Hz, derivatives,
and a combined load folded into a stub (`circuit.terminate`). Whole filters against the other
solvers are in test_solver (elliptic, bpf_traps, reduced_nodal)."""

import jax
import jax.numpy as jnp
import numpy as np

import pmrf_cli as prf
from pmrf_cli.circuit import Circuit
from pmrf_cli.circuit.reduce import reduce_elements
from pmrf_cli.models import Capacitor, Inductor, Resistor, Transformer, TransmissionLine
from pmrf_cli.models.combined import SeriesParallel

FREQ = prf.Frequency(0, 4, 41, "GHz")  # with 0 Hz


def _reduced(components, ports):
    c = Circuit(components, ports=ports)
    out = reduce_elements(c.topology(), c.components)
    return c, out


def _describe(model):
    if isinstance(model, SeriesParallel):
        inner = ", ".join(_describe(p) for p in model.parts)
        return ("par(" if model.parallel else "ser(") + inner + ")"
    return type(model).__name__[0]


def test_parallel_and_series_elements_combine_down_to_the_ports():
    c, (topo, comps) = _reduced(
        [
            ("L1", Inductor(1e-9), ("in", "a")),
            ("C1", Capacitor(1e-12), ("a", "b")),  # a: between two elements -> series
            ("R1", Resistor(5.0), ("b", "in")),  # then parallel with that series pair
            ("C2", Capacitor(2e-12), ("b", "gnd")),
            ("L2", Inductor(3e-9), ("gnd", "b")),  # parallel to C2, written the other way round
        ],
        ["in", "b"],
    )
    assert topo.node_names == ("in", "b")
    assert sorted(_describe(m) for m in comps) == ["par(C, I)", "par(ser(I, C), R)"]


def test_ports_multiports_ground_and_loops_are_not_reduced():
    _, out = _reduced(
        [
            ("L1", Inductor(1e-9), ("in", "p")),
            ("L2", Inductor(1e-9), ("p", "out")),  # p is a port: stays
            ("T", Transformer(2.0), ("out", "x")),
            ("R", Resistor(5.0), ("x", "y")),  # x reaches the transformer: stays
            ("Ra", Resistor(1.0), ("y", "z")),
            ("Rb", Resistor(1.0), ("z", "y")),  # Ra || Rb: the only reduction
            ("C", Capacitor(1e-12), ("y", "gnd")),
        ],
        ["in", "p", "out"],
    )
    topo, comps = out
    assert "p" in topo.node_names and "x" in topo.node_names
    assert [_describe(m) for m in comps].count("par(R, R)") == 1 and len(comps) == 6
    # a loop hanging from one node (y - z - y) reduces to a parallel pair, never to a self-loop
    assert all(pl.plus[0] != pl.minus[0] for pl in topo.placements if pl.element)
    _, none = _reduced([("R", Resistor(5.0), ("a", "b")), ("C", Capacitor(1e-12), ("b", "gnd"))], ["a", "b"])
    assert none is None


def _pair(parallel: bool, a, b, solver: str = "auto"):
    """a and b in series (through node m) or in parallel, as a series arm between two ports."""
    nodes = [("in", "out"), ("in", "out")] if parallel else [("in", "m"), ("m", "out")]
    return Circuit([("A", a, nodes[0]), ("B", b, nodes[1])], ports=["in", "out"], solver=solver)


def test_shorts_opens_and_resonances_are_exact():
    f = np.asarray(FREQ.f)
    w0 = 2 * np.pi * f[10]
    L = 1e-9
    C = 1.0 / (w0 * w0 * L)
    cases = [
        (True, Inductor(L), Capacitor(C)),  # a tank: open at f[10] (up to rounding), short at 0 Hz
        (False, Inductor(L), Capacitor(C)),  # a series resonator: short at f[10], open at 0 Hz
        (False, Resistor(0.0), Capacitor(0.0)),  # 0 ohm in series with an open: open
        (True, Resistor(0.0), Capacitor(1e-12)),  # a short across anything: short
        (True, Capacitor(0.0), Resistor(50.0)),  # an open across R: R
    ]
    for parallel, a, b in cases:
        auto = np.asarray(_pair(parallel, a, b).s(FREQ))
        mna = np.asarray(_pair(parallel, a, b, "mna").s(FREQ))
        assert np.all(np.isfinite(auto))
        np.testing.assert_allclose(auto, mna, rtol=0, atol=1e-12)
    opened = np.asarray(_pair(False, Resistor(0.0), Capacitor(0.0)).s(FREQ))
    np.testing.assert_array_equal(opened[:, 1, 0], 0.0)
    shorted = np.asarray(_pair(True, Resistor(0.0), Capacitor(1e-12)).s(FREQ))
    np.testing.assert_array_equal(shorted[:, 0, 0], 0.0)


def test_gradients_through_combined_elements_match_the_nodal_solution():
    def s21(c_tank, solver):
        circuit = Circuit(
            [
                ("L", Inductor(9.8e-9), ("in", "out")),
                ("C", Capacitor(c_tank), ("out", "in")),
                ("Cs", Capacitor(3e-12), ("out", "gnd")),
            ],
            ports=["in", "out"],
            solver=solver,
        )
        return jnp.abs(circuit.s(FREQ)[1:, 1, 0]) ** 2

    for c in (0.45e-12, 2e-12):
        auto = jax.jacfwd(lambda x: s21(x, "auto"))(c)
        mna = jax.jacfwd(lambda x: s21(x, "mna"))(c)
        np.testing.assert_allclose(auto, mna, rtol=1e-9, atol=1e-12 * float(jnp.max(jnp.abs(mna))))


def test_a_combined_load_ends_a_stub():
    """An open stub loaded by R in series with C to ground: the pair combines, then folds into
    the stub (a ladder), with the nodal solution's S."""
    def circuit(solver):
        return Circuit(
            [
                ("A", TransmissionLine(50.0, 0.02, er=2.2, loss=1.0), ("in", "c")),
                ("STUB", TransmissionLine(40.0, 0.015, er=2.2, loss=1.0), ("c", "tip")),
                ("R", Resistor(30.0), ("tip", "x")),
                ("C", Capacitor(1e-12), ("x", "gnd")),
                ("B", TransmissionLine(50.0, 0.02, er=2.2, loss=1.0), ("c", "out")),
            ],
            ports=["in", "out"],
            solver=solver,
        )

    auto = circuit("auto")
    assert auto.is_ladder()
    np.testing.assert_allclose(np.asarray(auto.s(FREQ)), np.asarray(circuit("mna").s(FREQ)), rtol=0, atol=1e-12)
