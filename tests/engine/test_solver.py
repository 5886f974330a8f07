"""Solver paths agree with each other; physics (reciprocity, passivity, losslessness); model API
(with_params, immutability); circuits nested in circuits.

Each circuit is evaluated once per solver (module-scoped cache), eagerly, on one shared grid.
"""

import contextlib
import dataclasses

import equinox as eqx
import jax
import numpy as np
import pytest

import pmrf_cli as prf
from pmrf_cli.circuit import Circuit
from pmrf_cli.models import Capacitor, Inductor, Resistor, SParameterBlock, Transformer, TransmissionLine
from pmrf_cli.models.lines.coupled import CoupledLine

SOLVERS = ("auto", "mna", "sparse", "dense")
FREQ = prf.Frequency(10, 3000, 101, "MHz")


def _xfmr_nodal(solver):
    return Circuit(
        [
            ("C1", Capacitor(2e-12), ("in", "a")),
            ("T", Transformer(1.7), ("a", "gnd", "b", "m")),
            ("R", Resistor(30.0), ("m", "gnd")),
            ("L", Inductor(4e-9), ("b", "out")),
            ("C2", Capacitor(1e-12), ("b", "m")),
            ("R2", Resistor(120.0), ("in", "out")),
        ],
        ports=["in", "out"],
        z0=[50.0, 75.0],
        solver=solver,
    )


def _block3(solver):
    rng = np.random.default_rng(11)
    s = np.empty((FREQ.npoints, 3, 3), complex)
    for k in range(FREQ.npoints):
        q, _ = np.linalg.qr(rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3)))
        s[k] = q @ np.diag(rng.uniform(0.1, 0.9, 3)) @ q.T
    return Circuit(
        [
            ("B", SParameterBlock(FREQ.f, s, z0=50.0), ("a", "b", "c")),
            ("L", Inductor(3e-9), ("c", "gnd")),
            ("C", Capacitor(1e-12), ("a", "b")),
            ("R", Resistor(80.0), ("b", "d")),
        ],
        ports=["a", "d"],
        solver=solver,
    )


def _stub(solver):
    return Circuit(
        [
            ("R0", Resistor(0.0), ("p1", "p2")),
            ("STUB", TransmissionLine.electrical_length(60.0, 180.0, 1e9), ("p1", "end")),
            ("T", TransmissionLine.electrical_length(35.0, 65.0, 1e9), ("p2", "p3")),
        ],
        ports=["p1", "p3"],
        solver=solver,
    )


def _lossy(solver):
    return Circuit(
        [
            ("T1", TransmissionLine(40.0, 0.05, er=3.0, loss=5.0), ("in", "a")),
            ("STUB", TransmissionLine(70.0, 0.03, er=3.0, loss=5.0), ("a", "open")),
            ("R", Resistor(25.0), ("a", "out")),
        ],
        ports=["in", "out"],
        z0=[50.0, 75.0],
        solver=solver,
    )


def _coupled_bpf(solver):
    """Parallel-coupled band-pass: sections between diagonal ends, the other ends open (the last
    section's with fringing capacitances): folded to 2-ports, a ladder."""
    nodes = ["in", "n1", "n2", "out"]
    comps = []
    for i, (ze, zo, to) in enumerate(((70.6, 39.2, 91.0), (56.6, 44.8, 90.0), (70.6, 39.2, 89.0))):
        comps.append((f"K{i}", CoupledLine(ze, zo, 90.0, to, 1.5e9), (nodes[i], f"a{i}", f"b{i}", nodes[i + 1])))
    comps += [("Ca", Capacitor(0.05e-12), ("a2", "gnd")), ("Cb", Capacitor(0.04e-12), ("gnd", "b2"))]
    return Circuit(comps, ports=["in", "out"], solver=solver)


def _shorted_stub(solver):
    return Circuit(
        [
            ("T1", TransmissionLine.electrical_length(50.0, 70.0, 1e9), ("in", "a")),
            ("STUB", TransmissionLine.electrical_length(35.0, 45.0, 1e9), ("a", "gnd")),
            ("T2", TransmissionLine.electrical_length(60.0, 30.0, 1e9), ("a", "out")),
        ],
        ports=["in", "out"],
        solver=solver,
    )


def _block_end_load(solver):
    """A 3-port block whose third port ends in R || C to ground: a 2-port of the ladder."""
    circuit = _block3(solver)
    block = circuit.component("B")
    return Circuit(
        [
            ("L1", Inductor(2e-9), ("in", "a")),
            ("B", block, ("a", "b", "c")),
            ("R", Resistor(30.0), ("c", "gnd")),
            ("C", Capacitor(2e-12), ("gnd", "c")),
        ],
        ports=["in", "b"],
        solver=solver,
    )


def _tee_stub(solver):
    """A 3-port tee with an open stub at its centre (the stub folds to a one-port; nodal)."""
    line = TransmissionLine.electrical_length
    return Circuit(
        [
            ("A", line(50.0, 90.0, 1e9), ("p1", "c")),
            ("B", line(70.7, 90.0, 1e9), ("c", "p2")),
            ("D", line(70.7, 80.0, 1e9), ("c", "p3")),
            ("STUB", TransmissionLine(40.0, 0.02, er=2.2, loss=3.0), ("c", "tip")),
            ("R", Resistor(100.0), ("p2", "p3")),
        ],
        ports=["p1", "p2", "p3"],
        solver=solver,
    )


def _ratrace(solver):
    """A rat-race hybrid of lossy lines: four ports on a ring, an unrolled elimination large
    enough that its rotated rows are stored (`sparse_solve.STORED_ABOVE_OPS`)."""
    def line(deg):
        return TransmissionLine(70.7, deg / 360.0 * 0.2, er=2.25, loss=2.0)

    return Circuit(
        [("A", line(90.0), ("p1", "p2")), ("B", line(90.0), ("p2", "p3")), ("C", line(90.0), ("p3", "p4")),
         ("D", line(270.0), ("p4", "p1"))],
        ports=["p1", "p2", "p3", "p4"],
        solver=solver,
    )


def _xfmr_ladder(solver):
    return Circuit(
        [
            ("L", Inductor(3e-9), ("in", "a")),
            ("T", Transformer(2.0), ("a", "b")),
            ("C", Capacitor(1e-12), ("b", "gnd")),
        ],
        ports=["in", "b"],
        z0=[50.0, 200.0],
        solver=solver,
    )


def _elliptic(solver):
    """A 5th-order elliptic low-pass: parallel LC tanks in its series arms (a ladder once the
    tanks are combined, `circuit.reduce`); the first tank resonates inside the band."""
    return Circuit(
        [
            ("C1", Capacitor(3.2e-12), ("in", "gnd")),
            ("L2", Inductor(9.8e-9), ("in", "a")),
            ("C2", Capacitor(0.45e-12), ("a", "in")),
            ("C3", Capacitor(4.6e-12), ("a", "gnd")),
            ("L4", Inductor(8.7e-9), ("a", "out")),
            ("C4", Capacitor(1.3e-12), ("a", "out")),
            ("C5", Capacitor(3.3e-12), ("out", "gnd")),
        ],
        ports=["in", "out"],
        solver=solver,
    )


def _bpf_traps(solver):
    """A band-pass with series LC arms, a parallel LC and a lossy series LC trap to ground at
    its middle node: series and parallel combinations nested two deep."""
    return Circuit(
        [
            ("L1", Inductor(40e-9), ("in", "a")),
            ("C1", Capacitor(0.63e-12), ("a", "b")),
            ("L2", Inductor(2.6e-9), ("b", "gnd")),
            ("C2", Capacitor(9.7e-12), ("gnd", "b")),
            ("Lt", Inductor(5e-9), ("b", "t")),
            ("Rt", Resistor(2.0), ("t", "u")),
            ("Ct", Capacitor(2.2e-12), ("u", "gnd")),
            ("C3", Capacitor(0.63e-12), ("b", "c")),
            ("L3", Inductor(40e-9), ("out", "c")),
        ],
        ports=["in", "out"],
        solver=solver,
    )


def _reduced_nodal(solver):
    """A 3-port divider whose arms are series R-L and parallel R || C elements, with a line:
    nodal after the reduction, with fewer nodes."""
    return Circuit(
        [
            ("R1", Resistor(16.7), ("p1", "m1")),
            ("L1", Inductor(1e-9), ("m1", "c")),
            ("R2", Resistor(16.7), ("c", "p2")),
            ("C2", Capacitor(0.5e-12), ("p2", "c")),
            ("T", TransmissionLine(50.0, 0.03, er=2.2, loss=1.0), ("c", "m3")),
            ("R3", Resistor(16.7), ("m3", "p3")),
            ("Rg", Resistor(1e3), ("c", "g1")),
            ("Cg", Capacitor(1e-12), ("g1", "gnd")),
        ],
        ports=["p1", "p2", "p3"],
        solver=solver,
    )


# name -> (builder(solver), lossless, is a ladder)
CIRCUITS = {
    "ladder5": (lambda b, s: b.ladder5(solver=s), True, True),
    "bpf": (lambda b, s: b.bpf(solver=s), True, True),
    "bpf_cross": (lambda b, s: b.bpf(cross=True, solver=s), True, False),
    "wilkinson": (lambda b, s: b.wilkinson(solver=s), False, False),
    "wilkinson_mixed_z0": (lambda b, s: b.wilkinson(z0=[50.0, 75.0, 100.0], solver=s), False, False),
    "xfmr_nodal": (lambda b, s: _xfmr_nodal(s), False, False),
    "xfmr_ladder": (lambda b, s: _xfmr_ladder(s), True, True),
    "block3": (lambda b, s: _block3(s), False, False),
    "halfwave_stub": (lambda b, s: _stub(s), True, True),
    "lossy_stub": (lambda b, s: _lossy(s), False, True),
    "shorted_stub": (lambda b, s: _shorted_stub(s), True, True),
    "coupled_bpf": (lambda b, s: _coupled_bpf(s), True, True),
    "block_end_load": (lambda b, s: _block_end_load(s), False, True),
    "tee_stub": (lambda b, s: _tee_stub(s), False, False),
    "ratrace": (lambda b, s: _ratrace(s), False, False),
    "elliptic": (lambda b, s: _elliptic(s), True, True),
    "bpf_traps": (lambda b, s: _bpf_traps(s), False, True),
    "reduced_nodal": (lambda b, s: _reduced_nodal(s), False, False),
}


@pytest.fixture(scope="module")
def results(build):
    out = {}
    for name, (make, _, _) in CIRCUITS.items():
        for solver in SOLVERS:
            out[name, solver] = np.asarray(make(build, solver).s(FREQ))
    return out


@pytest.mark.parametrize("name", list(CIRCUITS))
def test_solver_paths_agree(name, results, build, check):
    ref = results[name, "mna"]
    assert np.all(np.isfinite(ref))
    for solver in SOLVERS:
        check.close(results[name, solver], ref, atol=1e-12, what=f"{name}: {solver} vs mna")
    assert CIRCUITS[name][0](build, "auto").is_ladder() is CIRCUITS[name][2]


def test_ratrace_takes_the_stored_elimination():
    from pmrf_cli.circuit.assemble import assemble
    from pmrf_cli.circuit.sparse_solve import STORED_ABOVE_OPS, make_plan

    c = _ratrace("auto")
    topo, components = c._solved()
    plan = make_plan(assemble(topo, c._stamps(FREQ, topo, components), c.port_z0()))
    assert STORED_ABOVE_OPS < plan.ops <= prf.circuit.circuit.MAX_UNROLLED_OPS


def test_mid_size_eliminations_are_stored_unless_the_program_is_large(build):
    """A Wilkinson divider's elimination (between STORED_ABOVE_OPS_STATED and STORED_ABOVE_OPS
    operations) is fused in a large program or one of unknown size, and its rows are stored
    (each a division by an exact 1) in one that states fewer points: a smaller program, quicker
    to compile and to load from the cache. Both give the same S, to rounding."""
    from pmrf_cli.circuit.assemble import assemble
    from pmrf_cli.circuit.sparse_solve import STORED_ABOVE_OPS, STORED_ABOVE_OPS_STATED, make_plan
    from pmrf_cli.workload import LARGE_PROGRAM_POINTS, evaluation_points

    c = build.wilkinson(solver="auto")
    topo, components = c._solved()
    plan = make_plan(assemble(topo, c._stamps(FREQ, topo, components), c.port_z0()))
    assert STORED_ABOVE_OPS_STATED < plan.ops <= STORED_ABOVE_OPS

    def traced(points):
        with evaluation_points(points) if points else contextlib.nullcontext():
            lowered = jax.jit(lambda m: m.s(FREQ)).lower(c)
            return lowered.as_text().count("stablehlo.divide"), np.asarray(lowered.compile()(c))

    (fused, s_fused), (large, _), (small, s_small) = traced(None), traced(LARGE_PROGRAM_POINTS), traced(10**6)
    assert fused == large and small > fused + 50, (fused, large, small)
    np.testing.assert_allclose(s_small, s_fused, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", list(CIRCUITS))
def test_reciprocity_and_passivity(name, results, check):
    for solver in ("auto", "dense"):
        s = results[name, solver]
        check.reciprocal(s)
        check.passive(s)
        if CIRCUITS[name][1]:
            check.lossless(s)


def test_lossy_circuits_are_not_lossless(results):
    for name in ("wilkinson", "lossy_stub", "xfmr_nodal"):
        s = results[name, "auto"]
        loss = np.eye(s.shape[-1]) - np.conj(np.swapaxes(s, -1, -2)) @ s
        assert np.max(np.linalg.eigvalsh(loss)) > 1e-3


def test_unknown_solver_and_bad_nodes_rejected():
    with pytest.raises(ValueError):
        Circuit([("R", Resistor(1.0), ("a", "b"))], ports=["a", "b"], solver="lu")
    Circuit([("T", Transformer(2.0), ("a", "b", "c"))], ports=["a", "b"])  # P + 1 nodes: fine
    with pytest.raises(ValueError):
        Circuit([("T", Transformer(2.0), ("a", "b", "c", "d", "e"))], ports=["a", "b"])
    with pytest.raises(ValueError):
        Circuit([("R", Resistor(1.0), ("a", "b"))], ports=["a", "zz"])


# --- with_params and immutability --------------------------------------------------------------
def test_with_params_returns_new_model():
    c = Capacitor(1e-12)
    c2 = c.with_params(C=2e-12)
    assert c2 is not c and float(c.C) == 1e-12 and float(c2.C) == 2e-12
    assert type(c2) is Capacitor
    with pytest.raises(AttributeError):
        c.with_params(L=1e-9)
    with pytest.raises((AttributeError, dataclasses.FrozenInstanceError)):
        c.C = 3e-12
    line = TransmissionLine(50.0, 0.1)
    line2 = line.with_params(zc=60.0, length=0.2)
    assert (float(line.zc), float(line.length)) == (50.0, 0.1)
    assert (float(line2.zc), float(line2.length)) == (60.0, 0.2)


def test_circuit_with_params(build, check):
    c = build.ladder5()
    s0 = np.asarray(c.s(FREQ))
    c2 = c.with_params(**{"L1.L": 8e-9, "C4.C": 6e-12})
    assert float(c.component("L1").L) == 7.96e-9 and float(c2.component("L1").L) == 8e-9
    assert float(c2.component("C4").C) == 6e-12
    check.close(c.s(FREQ), s0, atol=0.0, what="original unchanged")
    v = dict(build.LADDER5, L1=8e-9, C4=6e-12)
    check.close(c2.s(FREQ), build.ladder5(v).s(FREQ), atol=1e-14, what="with_params vs rebuilt")
    c3 = c.with_params(L1={"L": 8e-9}, C4={"C": 6e-12})
    check.close(c3.s(FREQ), c2.s(FREQ), atol=0.0)
    with pytest.raises(AttributeError):
        c.with_params(**{"X9.L": 1e-9})
    with pytest.raises(AttributeError):
        c.with_params(L=1e-9)
    # static structure is unchanged: same treedef, so jitted code is reused
    assert jax.tree_util.tree_structure(c) == jax.tree_util.tree_structure(c2)


def test_models_are_immutable_pytrees_with_hashable_structure(build):
    """Equinox modules: frozen dataclasses whose parameters are pytree leaves. The static part
    (the treedef: topology, names, solver) is hashable and compares equal across parameter values,
    which is what jit caching relies on; the arrays themselves are leaves, not hashed."""
    c = build.wilkinson()
    c2 = c.with_params(**{"R.R": 90.0})
    t1, t2 = jax.tree_util.tree_structure(c), jax.tree_util.tree_structure(c2)
    assert hash(t1) == hash(t2) and t1 == t2
    assert jax.tree_util.tree_structure(build.wilkinson(solver="dense")) != t1  # solver is static
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.solver = "dense"
    leaves = jax.tree_util.tree_leaves(c)
    assert all(isinstance(x, jax.Array) for x in leaves)
    assert isinstance(c, eqx.Module)
    # a jitted evaluation compiles once for both parameter sets
    c, c2 = build.ladder5(), build.ladder5().with_params(**{"L3.L": 12e-9})
    calls = []

    @eqx.filter_jit
    def ev(m):
        calls.append(1)
        return m.s(FREQ)

    a, b = ev(c), ev(c2)
    assert len(calls) == 1
    assert not np.allclose(np.asarray(a), np.asarray(b))


# --- nested circuits -------------------------------------------------------------------------------------
def test_nested_ladder_matches_flat(build, check):
    v = build.LADDER5
    front = Circuit(
        [("L1", Inductor(v["L1"]), ("i", "n")), ("C2", Capacitor(v["C2"]), ("n", "gnd"))], ports=["i", "n"]
    )
    back = Circuit(
        [("C4", Capacitor(v["C4"]), ("i", "gnd")), ("L5", Inductor(v["L5"]), ("i", "o"))], ports=["i", "o"]
    )
    nested = Circuit(
        [("F", front, ("in", "n1")), ("L3", Inductor(v["L3"]), ("n1", "n2")), ("B", back, ("n2", "out"))],
        ports=["in", "out"],
    )
    flat = build.ladder5().s(FREQ)
    for solver in ("auto", "mna"):
        n = nested if solver == "auto" else Circuit(
            list(zip(nested.names, nested.components, nested.nodes)), ports=nested.ports, solver=solver
        )
        check.close(n.s(FREQ), flat, atol=1e-12, what=f"nested ladder ({solver})")
    # and the same through `**` cascades
    check.close((front ** Inductor(v["L3"]) ** back).s(FREQ), flat, atol=1e-12, what="cascade")


def test_nested_nodal_matches_flat(build, check):
    """The cross-coupled band-pass with each resonator a nested one-port circuit, and a
    Wilkinson (3-port circuit) used as a component with extra parts around it."""
    v = build.BPF
    res = Circuit(
        [("L", Inductor(v["Lr"]), ("t", "gnd")), ("C", Capacitor(v["Cr"]), ("t", "gnd"))], ports=["t"]
    )
    nested = Circuit(
        [
            ("Cin", Capacitor(v["Cin"]), ("in", "r1")),
            ("R1", res, ("r1",)),
            ("C12", Capacitor(v["Ck"]), ("r1", "r2")),
            ("R2", res, ("r2",)),
            ("C23", Capacitor(v["Ck"]), ("r2", "r3")),
            ("R3", res, ("r3",)),
            ("Cout", Capacitor(v["Cin"]), ("r3", "out")),
            ("C13", Capacitor(v["Cx"]), ("r1", "r3")),
        ],
        ports=["in", "out"],
    )
    check.close(nested.s(FREQ), build.bpf(cross=True).s(FREQ), atol=1e-12, what="nested resonators")

    wil = build.wilkinson()
    outer = Circuit(
        [
            ("W", wil, ("a", "b", "c")),
            ("Cb", Capacitor(0.5e-12), ("b", "gnd")),
            ("Lc", Inductor(2e-9), ("c", "d")),
            ("Rbd", Resistor(300.0), ("b", "d")),
        ],
        ports=["a", "d"],
    )
    flat = Circuit(
        [*zip(wil.names, wil.components, [("a", "b"), ("a", "c"), ("b", "c")])]
        + [
            ("Cb", Capacitor(0.5e-12), ("b", "gnd")),
            ("Lc", Inductor(2e-9), ("c", "d")),
            ("Rbd", Resistor(300.0), ("b", "d")),
        ],
        ports=["a", "d"],
    )
    s = np.asarray(outer.s(FREQ))
    check.close(s, flat.s(FREQ), atol=1e-12, what="nested wilkinson")
    check.reciprocal(s)
    check.passive(s)


def _nodal_chain(solver):
    """Lossy-line tees with ground resistors and a resistor across: 1290 ops unrolled (its
    third port at a node of the chain, not at a stub's end, which would start an arm: `feeds`)."""
    comps = []
    for i in range(5):
        line = TransmissionLine(50.0 + 5 * i, 0.02, er=2.0, loss=1.0)
        comps += [(f"T{i}", line, (f"a{i}", f"a{i + 1}")), (f"S{i}", line, (f"a{i + 1}", f"b{i}")),
                  (f"R{i}", Resistor(100.0 + 10 * i), (f"b{i}", "gnd"))]
    comps.append(("X", Resistor(100.0), ("a0", "a5")))
    return Circuit(comps, ports=["a0", "a5", "a3"], solver=solver)


def test_large_sweeps_take_the_unrolled_elimination_further(check):
    """Within `evaluation_points` of a sweep of at least POINTS_PER_OP points per operation, an
    elimination between MAX_UNROLLED_OPS and MAX_UNROLLED_OPS_LARGE is unrolled (stored) instead
    of the dense LU, with the same S; a smaller program goes dense from ALWAYS_UNROLLED_OPS on."""
    from unittest import mock

    from pmrf_cli.circuit import circuit as cm
    from pmrf_cli.circuit.assemble import assemble
    from pmrf_cli.circuit.sparse_solve import make_plan
    from pmrf_cli.workload import evaluation_points

    freq = prf.Frequency(0.5, 2.5, 5, "GHz")
    c = _nodal_chain("auto")
    topo, components = c._solved()
    ops = make_plan(assemble(topo, c._stamps(freq, topo, components), c.port_z0())).ops
    assert cm.MAX_UNROLLED_OPS < ops <= cm.MAX_UNROLLED_OPS_LARGE
    assert cm.unrolled_pays(cm.MAX_UNROLLED_OPS) and not cm.unrolled_pays(ops)
    with evaluation_points(cm.POINTS_PER_OP * ops - 1):
        assert not cm.unrolled_pays(ops)
    with mock.patch.object(cm, "solve_ports_dense", wraps=cm.solve_ports_dense) as dense:
        small = np.asarray(c.s(freq))
        assert dense.call_count == 1
        with evaluation_points(cm.POINTS_PER_OP * ops):
            assert cm.unrolled_pays(ops) and not cm.unrolled_pays(cm.MAX_UNROLLED_OPS_LARGE + 1)
            large = np.asarray(c.s(freq))
        assert dense.call_count == 1
    assert not cm.unrolled_pays(ops)
    check.close(large, small, atol=1e-12, what="unrolled vs dense")
    # a program that states a small size goes dense from ALWAYS_UNROLLED_OPS on
    small_ops, mid = cm.ALWAYS_UNROLLED_OPS + 1, cm.MAX_UNROLLED_OPS
    assert cm.unrolled_pays(mid)  # size unknown
    with evaluation_points(cm.POINTS_PER_OP * small_ops - 1):
        assert cm.unrolled_pays(cm.ALWAYS_UNROLLED_OPS) and not cm.unrolled_pays(small_ops)
        assert not cm.unrolled_pays(mid)
    with evaluation_points(cm.POINTS_PER_OP * mid):
        assert cm.unrolled_pays(small_ops) and cm.unrolled_pays(mid)
    check.close(large, np.asarray(_nodal_chain("mna").s(freq)), atol=1e-12, what="unrolled vs mna")


def test_large_systems_take_the_unrolled_elimination_sooner():
    """The dense LU's cost grows with the unknowns: a large system goes unrolled from fewer
    points than POINTS_PER_OP per operation, where the run time saved repays the compile time;
    a small one keeps the POINTS_PER_OP rule, and nothing beyond MAX_UNROLLED_OPS_LARGE is
    unrolled."""
    from pmrf_cli.circuit import circuit as cm
    from pmrf_cli.workload import evaluation_points

    ops = 1944  # a 22-part nodal circuit: 28 unknowns
    saved = cm.dense_seconds_per_point(28) - cm.UNROLLED_S_PER_OP * ops
    enough = int(np.ceil(cm.UNROLLED_COMPILE_S_PER_OP * ops / saved))
    assert enough < cm.POINTS_PER_OP * ops / 5
    with evaluation_points(enough):
        assert cm.unrolled_pays(ops, 28)
        assert not cm.unrolled_pays(ops, 6)  # small: its dense LU is cheap
        assert not cm.unrolled_pays(cm.MAX_UNROLLED_OPS_COSTED + 1, 2000)
    with evaluation_points(enough - 1):
        assert not cm.unrolled_pays(ops, 28)
    with evaluation_points(cm.POINTS_PER_OP * ops):
        assert cm.unrolled_pays(ops, 6)
    # a 300-part nodal chain (302 unknowns, 16290 ops) goes unrolled from a few thousand points
    with evaluation_points(6000):
        assert cm.unrolled_pays(16290, 302)
        # planned that far only where the dense LU's time could repay that much compile time
        assert cm.plan_limit(302) == cm.MAX_UNROLLED_OPS_COSTED and cm.plan_limit(28) == cm.MAX_UNROLLED_OPS_LARGE
    with evaluation_points(4000):
        assert not cm.unrolled_pays(16290, 302)
    assert cm.plan_limit(302) == cm.MAX_UNROLLED_OPS_LARGE  # size unknown


def test_dense_solve_in_blocks_of_frequencies_within_its_memory(check, monkeypatch):
    """Where the dense matrices of all the samples evaluated at once would pass
    DENSE_BLOCK_BYTES, the grid is solved in blocks of frequencies (the last one filled up and
    cut), with the same S; a 300-unknown circuit's tile had asked XLA for 112 GB."""
    from pmrf_cli.circuit import dense_solve
    from pmrf_cli.workload import samples_together

    freq = prf.Frequency(0.5, 2.5, 7, "GHz")
    c = _nodal_chain("dense")
    whole = np.asarray(c.s(freq))
    with samples_together(4):
        assert dense_solve.frequencies_per_block(20, 7) == 7
        monkeypatch.setattr(dense_solve, "DENSE_BLOCK_BYTES", 4 * 20 * 20 * 16 * 4 * 3)
        assert dense_solve.frequencies_per_block(20, 7) == 3
        assert dense_solve.frequencies_per_block(2000, 7) == 1
        monkeypatch.setattr(dense_solve, "DENSE_BLOCK_BYTES", 1)
        text = jax.jit(lambda: c.s(freq)).lower().as_text()
        blocked = np.asarray(c.s(freq))
    assert "stablehlo.while" in text  # one block after another
    check.close(blocked, whole, atol=1e-13, what="S solved in blocks of frequencies vs at once")


def test_s_blocks_of_four_ports_go_unrolled_only_where_the_cost_model_says(check):
    """A circuit with a 4-port S-block (dense complex entries: slow to compile unrolled) takes
    the dense LU where its size is unknown or small, however few its operations, and the
    unrolled elimination where the stated points repay its compile time; same S either way."""
    from unittest import mock

    from pmrf_cli.circuit import circuit as cm
    from pmrf_cli.workload import evaluation_points

    freq = prf.Frequency(0.5, 2.5, 5, "GHz")
    rng = np.random.default_rng(3)
    a = rng.normal(size=(4, 4)) * 0.15
    s = np.broadcast_to((a + a.T) / 2 + 0.1 * np.eye(4), (5, 4, 4)).astype(complex)
    block = SParameterBlock(np.linspace(0.5e9, 2.5e9, 5), s)
    comps = [("B", block, ("a1", "a2", "a3", "a4"))]
    comps += [(f"L{i}", Inductor(1e-9 * i), (f"p{i}", f"a{i}")) for i in (1, 2, 3, 4)]
    c = Circuit(comps, ports=["p1", "p2", "p3", "p4"])
    with mock.patch.object(cm, "solve_ports_dense", wraps=cm.solve_ports_dense) as dense:
        ref = np.asarray(c.s(freq))  # size unknown
        assert dense.call_count == 1
        with evaluation_points(10):
            c.s(freq)
        assert dense.call_count == 2
        with evaluation_points(10**9):
            big = np.asarray(c.s(freq))
        assert dense.call_count == 2  # unrolled
    check.close(big, ref, atol=1e-12, what="unrolled vs dense, 4-port S-block")
