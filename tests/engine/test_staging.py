"""Evaluation in stages: components grouped by type (one vmapped evaluation per group), the
solver on their arrays, and the compiled program's cost linear in the number of components.

The speed regression this guards (issue 8) showed in the compiled program, not in op counts:
XLA:CPU's default fusion emitter emitted a fused cascade as nested functions called once per use,
so a k-line cascade made ~4^k calls per point. `test_fused_calls_grow_linearly` reads that number
from the LLVM IR XLA dumps (no timing): it must grow linearly with the number of lines.
"""

from __future__ import annotations

import collections
import functools
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pmrf_cli as prf
from pmrf_cli.circuit import Circuit
from pmrf_cli.circuit.cost import LADDER_INLINE_COST
from pmrf_cli.circuit.stages import evaluate_components
from pmrf_cli.engine.compiled import CPU_COMPILER_OPTIONS, SMALL_PROGRAM_OPTIONS, compile_lowered, compiler_options
from pmrf_cli.vecmath import reduced_log, takes_reduced_log
from pmrf_cli.workload import LARGE_PROGRAM_POINTS, SMALL_PROGRAM_POINTS, evaluation_points
from pmrf_cli.models import Capacitor, TransmissionLine
from pmrf_cli.models.lines import Microstrip

FREQ = prf.Frequency(0.1, 6, 7, "GHz")


def _microstrip(w, length):
    return Microstrip(w=w, h=0.8e-3, er=4.4, length=length, t=35e-6, tand=0.02)


def _stepped(widths):
    """A stepped-impedance microstrip ladder, sections in series."""
    parts = [(f"TL{i}", _microstrip(w, 4e-3 + 1e-3 * i), (f"n{i}", f"n{i + 1}")) for i, w in enumerate(widths)]
    return Circuit(parts, ports=("n0", f"n{len(widths)}"))


def test_grouped_results_equal_one_by_one():
    models = [_microstrip(w, 5e-3) for w in (0.3e-3, 1.5e-3, 5.5e-3)] + [Capacitor(1e-12), Capacitor(2e-12)]
    calls = [("chain", m) for m in models[:3]] + [("shunt_chain", m) for m in models[3:]]
    grouped = evaluate_components(calls, FREQ)
    for (method, m), got in zip(calls, grouped):
        want = getattr(m, method)(FREQ)
        for a, b in zip(jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want)):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-12, atol=1e-15)


def test_exact_zeros_survive_grouping():
    # lossless lines: A, D real and B, C imaginary; grouping must keep the None parts
    lines = [TransmissionLine(50.0 + 10 * i, 0.01) for i in range(3)]
    parts = evaluate_components([("chain", m) for m in lines], FREQ)
    for p in parts:
        assert p.a.im is None and p.b.re is None and p.c.re is None and p.d.im is None


def test_stepped_ladder_matches_the_cascade_of_its_sections():
    widths = (5.5e-3, 0.3e-3, 5.5e-3, 0.3e-3, 5.5e-3)
    circuit = _stepped(widths)
    sections = [circuit.component(f"TL{i}") for i in range(len(widths))]
    chain = sections[0]
    for m in sections[1:]:
        chain = chain ** m
    np.testing.assert_allclose(np.asarray(circuit.s(FREQ)), np.asarray(chain.s(FREQ)), rtol=1e-12, atol=1e-15)
    nodal = Circuit(list(zip(circuit.names, circuit.components, circuit.nodes)), ports=circuit.ports, solver="mna")
    np.testing.assert_allclose(np.asarray(nodal.s(FREQ)), np.asarray(circuit.s(FREQ)), rtol=1e-10, atol=1e-12)


def _program_ops(circuit_of_widths, k: int) -> int:
    fn = jax.vmap(lambda w: circuit_of_widths(w).s(FREQ))
    text = jax.jit(fn).lower(jnp.full((2, k), 1e-3)).as_text()
    return len(re.findall(r"stablehlo\.(power|exponential|log|cosine|sine)", text))


@pytest.mark.parametrize("solver", ["auto", "mna"])
def test_physics_is_traced_once_per_type(solver):
    """A 2- and an 8-section line hold the microstrip physics once: the transcendental ops in the
    program do not grow with the number of sections (the solver's few do, linearly)."""

    def build(k):
        def circuit(w):
            parts = [(f"TL{i}", _microstrip(w[i], 5e-3), (f"n{i}", f"n{i + 1}")) for i in range(k)]
            parts.append(("C", Capacitor(1e-12), ("n1", "gnd")))
            return Circuit(parts, ports=("n0", f"n{k}"), solver=solver)

        return circuit

    small, large = _program_ops(build(2), 2), _program_ops(build(8), 8)
    assert large <= small + 4, (small, large)


def test_compile_options_reach_the_compiler():
    seen = {}

    class Lowered:
        def compile(self, options=None):
            seen["options"] = options
            return "compiled"

    assert compile_lowered(Lowered(), "cpu") == "compiled"
    assert seen["options"] == CPU_COMPILER_OPTIONS
    assert compiler_options("gpu") == {}
    # a large program with vectorised complex powers takes XLA's fusion emitters (whose vector
    # loops survive in-place buffers)
    assert compiler_options("cpu", LARGE_PROGRAM_POINTS - 1, True) == CPU_COMPILER_OPTIONS
    assert compiler_options("cpu", LARGE_PROGRAM_POINTS, False) == CPU_COMPILER_OPTIONS
    assert compiler_options("cpu", LARGE_PROGRAM_POINTS, True) == {}
    # a small one is compiled without LLVM's optimisations; one of unknown size with them
    assert compiler_options("cpu", SMALL_PROGRAM_POINTS) == {**CPU_COMPILER_OPTIONS, **SMALL_PROGRAM_OPTIONS}
    assert compiler_options("cpu", SMALL_PROGRAM_POINTS + 1) == CPU_COMPILER_OPTIONS
    assert compiler_options("cpu", None) == CPU_COMPILER_OPTIONS
    assert compiler_options("gpu", 1) == {}


def test_large_programs_with_complex_powers_take_the_fusion_emitters():
    seen = {}

    class Lowered:
        def __init__(self, fn):
            self.text = jax.jit(fn).lower(jnp.linspace(1.0, 2.0, 4)).as_text()

        def as_text(self):
            return self.text

        def compile(self, options=None):
            seen["options"] = options

    powers = Lowered(lambda x: reduced_log(x) * 2)
    plain = Lowered(lambda x: jnp.log(x) * 2)
    assert takes_reduced_log(powers.as_text()) and not takes_reduced_log(plain.as_text())
    compile_lowered(powers, "cpu", LARGE_PROGRAM_POINTS)
    assert not seen["options"]  # XLA's defaults
    compile_lowered(powers, "cpu", LARGE_PROGRAM_POINTS - 1)
    assert seen["options"] == CPU_COMPILER_OPTIONS
    compile_lowered(plain, "cpu", LARGE_PROGRAM_POINTS)
    assert seen["options"] == CPU_COMPILER_OPTIONS
    with evaluation_points(LARGE_PROGRAM_POINTS):  # the size stated where it is compiled
        compile_lowered(powers, "cpu")
    assert not seen["options"]  # XLA's defaults


_IR_PROBE = textwrap.dedent(
    """
    import glob, os, sys
    import jax, jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)
    import pmrf_cli as prf
    from pmrf_cli.engine.compiled import compile_lowered
    from pmrf_cli.models.lines import Microstrip
    k = int(sys.argv[1])
    freq = prf.Frequency(0.1, 10, 8, "GHz")
    def build(w):
        c = Microstrip(w=w[0], h=0.8e-3, er=4.3, length=5e-3, t=35e-6, tand=0.02)
        for i in range(1, k):
            c = c ** Microstrip(w=w[i], h=0.8e-3, er=4.3, length=5e-3, t=35e-6, tand=0.02)
        return c
    fn = jax.jit(jax.vmap(lambda w: build(w).s(freq), in_axes=1))
    compile_lowered(fn.lower(jnp.full((k, 4), 1e-3)), "cpu")
    """
)


def _calls_per_point(ir_text: str) -> int:
    """Function calls one evaluation of each kernel makes, nested calls expanded, summed."""
    calls: dict[str, collections.Counter] = {}
    current = None
    for line in ir_text.splitlines():
        m = re.match(r"define .*? @([\w.$]+)\(", line)
        if m:
            current = calls.setdefault(m.group(1), collections.Counter())
            continue
        if current is not None:
            for callee in re.findall(r"call [^@]*@([\w.$]+)\(", line):
                current[callee] += 1

    @functools.lru_cache(None)
    def dynamic(fn: str) -> int:
        return 1 + sum(n * dynamic(g) for g, n in calls[fn].items() if g in calls)

    called = {g for c in calls.values() for g in c}
    return sum(dynamic(f) for f in calls if f not in called)


def _probe(k: int, tmp_path: Path) -> int:
    dump = tmp_path / f"dump{k}"
    env = dict(os.environ, XLA_FLAGS=f"--xla_dump_to={dump} --xla_dump_hlo_pass_re=NONE", JAX_PLATFORMS="cpu")
    subprocess.run([sys.executable, "-c", _IR_PROBE, str(k)], check=True, env=env, timeout=300)
    files = [p for p in dump.glob("*jit__lambda*ir-no-opt.ll")]
    assert files, "XLA wrote no IR"
    return sum(_calls_per_point(p.read_text()) for p in files)


def test_fused_calls_grow_linearly(tmp_path):
    c2, c4 = _probe(2, tmp_path), _probe(4, tmp_path)
    # linear growth doubles (at most) from 2 to 4 lines; the exponential case grew ~18x
    assert c4 <= 2.5 * c2, (c2, c4)


def _loop_lengths(fn) -> list[int]:
    return sorted(e.params["length"] for e in jax.make_jaxpr(fn)().jaxpr.eqns if e.primitive.name == "scan")


def test_lines_of_one_medium_share_its_evaluation():
    """Six sections of two widths: the media loop runs twice; each line's chain form (cosh and
    sinh of gamma l: cheap) is computed where a ladder reads it, with no loop, and by a loop of
    six for the nodal solver."""
    widths = (5.5e-3, 0.3e-3) * 3
    calls = [("chain", _microstrip(w, 4e-3 + 1e-3 * i)) for i, w in enumerate(widths)]
    assert _loop_lengths(lambda: evaluate_components(calls, FREQ, inline_below=LADDER_INLINE_COST)) == [2]
    assert _loop_lengths(lambda: evaluate_components(calls, FREQ)) == [2, 6]
    got = evaluate_components(calls, FREQ)
    for (_, m), g in zip(calls, got):
        for a, b in zip(jax.tree_util.tree_leaves(g), jax.tree_util.tree_leaves(m.chain(FREQ))):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-12, atol=1e-15)


def _stub_filter(solver: str, topology: str, short_end: str) -> Circuit:
    """A microstrip line with stubs of its own width and of another: open and shorted, placed
    either way round (the shorted stub's grounded end on its port 1 or its port 2); "nodal"
    adds a resistor across the line, so the circuit is no ladder."""
    w, ws = 1.5e-3, 3e-3
    parts = [
        ("M1", _microstrip(w, 6e-3), ("a", "b")),
        ("S1", _microstrip(w, 7e-3), ("b", "open1")),
        ("M2", _microstrip(w, 6e-3), ("b", "c")),
        ("S2", _microstrip(ws, 5e-3), ("gnd", "c") if short_end == "port1" else ("c", "gnd")),
        ("M3", _microstrip(w, 6e-3), ("c", "d")),
        ("S3", _microstrip(ws, 9e-3), ("open3", "d")),
    ]
    if topology == "nodal":
        parts.append(("R", prf.models.Resistor(300.0), ("a", "d")))
    return Circuit(parts, ports=("a", "d"), solver=solver)


def _transcendentals(fn) -> int:
    text = jax.jit(fn).lower().as_text()
    return len(re.findall(r"stablehlo\.(power|exponential|log|cosine|sine|tanh)", text))


@pytest.mark.parametrize("topology", ["ladder", "nodal"])
@pytest.mark.parametrize("short_end", ["port1", "port2"])
def test_stubs_share_media_with_lines(topology, short_end):
    """Open and shorted stubs, folded into one-ports (`circuit.terminate`), evaluate their
    medium with the lines of the same width: the program holds the microstrip physics as often
    as with the stubs left as lines (solver "mna": no folding; it held it once more per stub
    before), and S agrees with that unfolded circuit, also at DC and where the stubs resonate."""
    f = np.concatenate([[0.0], np.linspace(0.5e9, 12e9, 24)])
    folded = _stub_filter("auto", topology, short_end)
    lines = _stub_filter("mna", topology, short_end)
    assert _transcendentals(lambda: folded.s(f)) <= _transcendentals(lambda: lines.s(f)) + 20
    got = np.asarray(folded.s(f))
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, np.asarray(lines.s(f)), rtol=1e-12, atol=1e-13)


def test_netlist_lines_share_media_under_a_trace():
    """In a sweep's traced build, equal constants are distinct tracers: the builder hands lines
    of equal field expressions the same arrays, so examples/microstrip_lpf.yaml's five sections
    evaluate two media."""
    from pmrf_cli.engine.kernel import SweepPlan, _sample_values
    from pmrf_cli.netlist import flatten, load_netlist
    from pmrf_cli.netlist.build import circuit_builder

    flat = flatten(load_netlist(str(Path(__file__).parents[2] / "examples" / "microstrip_lpf.yaml")))
    values = _sample_values(SweepPlan(flat, flat.frequency_hz, seed=1, per_point=4))
    build = circuit_builder(flat)
    assert _loop_lengths(lambda: build(values(jnp.asarray(3))).s(FREQ)) == [2]


def _compiled_ops(fn, *args) -> collections.Counter:
    """Counts of sine, cosine and exponential in the optimised HLO XLA:CPU runs (after fusion,
    so an operation copied into several fusions counts once per copy)."""
    text = compile_lowered(jax.jit(fn).lower(*args), "cpu").as_text()
    return collections.Counter(re.findall(r"\b(sine|cosine|exponential)\(", text))


def test_line_sines_are_computed_once():
    """XLA's fusion counts real sin and cos as cheap and copies them into every fusion reading
    them: the chain entries A, B, C and D of a line each recomputed its cosh and sinh (and a
    microstrip's complex powers theirs), ~40 sines per section and point. `cplx.cis` makes each
    computed once: a stepped ladder of lossy lines and one of microstrip lines hold one sine and
    one cosine per distinct angle, not one per use."""
    lossy = lambda z: Circuit(  # noqa: E731
        [(f"T{i}", TransmissionLine(50.0, z[i], er=2.1, loss=3.0), (f"n{i}", f"n{i + 1}")) for i in range(3)],
        ports=("n0", "n3"),
    ).s(FREQ)
    ops = _compiled_ops(jax.vmap(lossy), jnp.full((4, 3), 0.01))
    assert ops["sine"] == ops["cosine"] == 3, ops  # three sections (computed inline: cheap), one angle each
    stepped = lambda w: _stepped([w[0], w[1], w[0]]).s(FREQ)  # noqa: E731
    ops = _compiled_ops(jax.vmap(stepped), jnp.full((4, 2), 1e-3))
    # a microstrip section has 6 angles per point (5 complex powers and its length), plus a few
    # per-sample ones; before cis, 51 sines
    assert ops["sine"] <= 30 and ops["sine"] == ops["cosine"], ops


def test_cheap_parts_are_computed_where_they_are_read():
    """A group is staged by a loop only when its per-point work is dear (`circuit.cost`): the
    capacitors' j w C is computed inline, the microstrip sections' physics in one loop."""
    from pmrf_cli.circuit.cost import per_point_cost

    def cost(model, method):
        leaves, treedef = jax.tree_util.tree_flatten(model)
        closed = jax.make_jaxpr(lambda *ls: getattr(jax.tree_util.tree_unflatten(treedef, ls), method)(FREQ))(*leaves)
        return per_point_cost(closed.jaxpr, FREQ.npoints)

    assert cost(Capacitor(1e-12), "shunt_chain") <= 4 < LADDER_INLINE_COST
    assert cost(_microstrip(1e-3, 5e-3), "chain") > 4 * LADDER_INLINE_COST

    def mixed(c):
        calls = [("shunt_chain", Capacitor(c[i])) for i in range(3)]
        calls += [("chain", _microstrip(1e-3 * (i + 1) * c[i] / c[i], 5e-3)) for i in range(3)]
        return evaluate_components(calls, FREQ, inline_below=LADDER_INLINE_COST)

    assert _loop_lengths(lambda: mixed(jnp.ones(3))) == [3]
    # the nodal solver's stages always loop
    assert _loop_lengths(lambda: evaluate_components([("shunt_chain", Capacitor(c)) for c in jnp.ones(3)], FREQ)) == [3]
    got = mixed(jnp.asarray([1e-12, 2e-12, 3e-12]))
    want = [Capacitor(c).shunt_chain(FREQ) for c in (1e-12, 2e-12, 3e-12)]
    want += [_microstrip(1e-3 * (i + 1), 5e-3).chain(FREQ) for i in range(3)]
    for g, w in zip(got, want):
        for a, b in zip(jax.tree_util.tree_leaves(g), jax.tree_util.tree_leaves(w)):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-12, atol=1e-15)


def test_per_sample_work_is_not_repeated_per_point():
    """A microstrip's per-sample factors (complex exponentials and powers of its normalised
    width and permittivity) are computed once per sample: no fusion that forms per-point values
    takes a sine, cosine, exponential or logarithm of per-sample values (XLA copied them there,
    where they ran once per frequency point)."""
    stepped = lambda w: _stepped([w[0], w[1], w[0]]).s(FREQ)  # noqa: E731
    batch = 4
    text = compile_lowered(jax.jit(jax.vmap(stepped)).lower(jnp.full((batch, 2), 1e-3)), "cpu").as_text()
    comps = {m.group(1): m.group(0) for m in re.finditer(r"(?ms)^%(\S+) .*?^}", text)}
    point_shape = f"[{batch},{FREQ.npoints}]"
    repeated = []
    for name, body in comps.items():
        root = re.search(r"ROOT %\S+ = \w+(\[[\d,]*\])", body)
        if not root or root.group(1) != point_shape:
            continue
        repeated += re.findall(rf"= \w+\[{batch}\]\S* (sine|cosine|exponential|log)\(", body)
    assert not repeated, repeated
