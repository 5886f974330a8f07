"""Reference circuits against scikit-rf, a numpy nodal oracle and closed forms.

Everything is evaluated eagerly (no jit) on small grids; every nodal circuit is also checked with
the nodal solver forced (`solver="mna"`), and every ladder with its fast path.
"""

import numpy as np
import pytest
import skrf as rf

import pmrf_cli as prf
from pmrf_cli.circuit import Circuit
from pmrf_cli.circuit.ladder import find_ladder
from pmrf_cli.models import (
    Capacitor,
    Inductor,
    Resistor,
    SParameterBlock,
    Transformer,
    TransmissionLine,
)

SQ2 = np.sqrt(2.0)


def is_ladder(c):
    return find_ladder(c.topology(), c.components) is not None


# --- LC ladder -----------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["auto", "mna"])
def test_ladder5_lowpass(solver, build, oracle, check, band, band_sk):
    c = build.ladder5(solver=solver)
    s = np.asarray(c.s(band))
    check.close(s, oracle.sk_ladder5(band_sk).s, atol=1e-12, what="ladder5 vs skrf")
    w = band.w
    v = build.LADDER5
    mats = [
        oracle.series_abcd(1j * w * v["L1"]),
        oracle.shunt_abcd(1j * w * v["C2"]),
        oracle.series_abcd(1j * w * v["L3"]),
        oracle.shunt_abcd(1j * w * v["C4"]),
        oracle.series_abcd(1j * w * v["L5"]),
    ]
    check.close(s[:, 1, 0], oracle.abcd_s21(mats), atol=1e-13, what="ladder5 vs closed form")
    check.reciprocal(s)
    check.lossless(s)
    # it is a low-pass: ~0 dB at 10 MHz, well down at 3 GHz
    assert abs(s[0, 1, 0]) > 0.9999 and abs(s[-1, 1, 0]) < 0.1


def test_ladder5_recognised_as_ladder(build):
    assert is_ladder(build.ladder5())
    assert build.ladder5().is_ladder()
    assert not build.ladder5(solver="mna").is_ladder()


# --- Wilkinson ---------------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["auto", "mna"])
def test_wilkinson_against_skrf_and_nodal(solver, build, oracle, check, band, band_sk):
    c = build.wilkinson(solver=solver)
    assert not is_ladder(c)
    s = np.asarray(c.s(band))
    check.close(s, oracle.sk_wilkinson(band_sk).s, atol=1e-12, what="wilkinson vs skrf")
    check.close(s, oracle.np_wilkinson(band.f), atol=1e-12, what="wilkinson vs numpy nodal")
    check.reciprocal(s)
    check.passive(s)


def test_wilkinson_closed_form_at_f0(build, check, grid0):
    assert grid0.f[50] == build.WILK_F0
    for solver in ("auto", "mna", "dense"):
        s = np.asarray(build.wilkinson(solver=solver).s(grid0))[50]
        t = -1j / SQ2
        ref = np.array([[0, t, t], [t, 0, 0], [t, 0, 0]])
        check.close(s, ref, atol=1e-12, what=f"wilkinson at f0 ({solver})")


# --- coupled-resonator band-pass -----------------------------------------------------------------
@pytest.mark.parametrize("cross", [False, True])
def test_coupled_resonator_bandpass(cross, build, oracle, check, band, band_sk):
    c = build.bpf(cross=cross)
    assert is_ladder(c) is (not cross)
    s = np.asarray(c.s(band))
    check.close(s, oracle.np_bpf(band.f, cross=cross), atol=1e-12, what="bpf vs numpy nodal")
    check.close(s, oracle.sk_bpf(band_sk, cross=cross).s, atol=1e-12, what="bpf vs skrf")
    check.close(build.bpf(cross=cross, solver="mna").s(band), s, atol=1e-12, what="bpf mna vs auto")
    check.reciprocal(s)
    check.lossless(s)
    # a band-pass: reflective at both band edges, transmitting somewhere inside
    assert abs(s[0, 1, 0]) < 0.01 and abs(s[-1, 1, 0]) < 0.1
    assert np.max(np.abs(s[:, 1, 0])) > 0.99


def test_cross_coupling_changes_the_response(build, band):
    a = np.asarray(build.bpf().s(band))
    b = np.asarray(build.bpf(cross=True).s(band))
    assert np.max(np.abs(a - b)) > 1e-3


# --- ideal transformer ---------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["auto", "mna", "dense"])
def test_transformer_match(solver, check, grid0):
    freq = grid0  # DC included: an ideal transformer passes DC
    nf = freq.npoints
    ref = np.broadcast_to(np.array([[0, 1], [1, 0]], complex), (nf, 2, 2))
    # 50 ohm port to a 200 ohm port through n = 2: matched and lossless at every frequency
    for nodes in (("a", "b"), ("a", "gnd", "b", "gnd")):
        c = Circuit([("T", Transformer(2.0), nodes)], ports=["a", "b"], z0=[50.0, 200.0], solver=solver)
        s = np.asarray(c.s(freq))
        check.close(s, ref, atol=1e-12, what=f"transformer {nodes}")
        check.close(np.abs(s[:, 1, 0]), np.ones(nf), atol=1e-12)
    # secondary floating, its - terminal grounded through a 0-ohm resistor
    c = Circuit(
        [("T", Transformer(2.0), ("a", "gnd", "b", "m")), ("R0", Resistor(0.0), ("m", "gnd"))],
        ports=["a", "b"],
        z0=[50.0, 200.0],
        solver=solver,
    )
    check.close(c.s(freq), ref, atol=1e-12, what="transformer, floating secondary")
    # both ports at 50 ohm: the input sees 50 / n^2 = 12.5 ohm
    c = Circuit([("T", Transformer(2.0), ("a", "b"))], ports=["a", "b"], z0=50.0, solver=solver)
    s = np.asarray(c.s(freq))
    check.close(s[:, 0, 0], np.full(nf, (12.5 - 50) / (12.5 + 50)), atol=1e-12)
    check.reciprocal(s)
    check.lossless(s)


def test_transformer_in_nodal_circuit(oracle, check, band):
    """A transformer with a floating secondary inside a non-ladder circuit, vs the numpy oracle."""
    freq = band
    w = freq.w
    nf = freq.npoints
    c = Circuit(
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
    )
    ref = oracle.nodal(
        freq.f,
        [
            ("y", ("in", "a"), 1j * w * 2e-12),
            ("xfmr", ("a", "gnd", "b", "m"), 1.7),
            ("z", ("m", "gnd"), np.full(nf, 30.0 + 0j)),
            ("z", ("b", "out"), 1j * w * 4e-9),
            ("y", ("b", "m"), 1j * w * 1e-12),
            ("z", ("in", "out"), np.full(nf, 120.0 + 0j)),
        ],
        ["in", "out"],
        [50.0, 75.0],
    )
    for solver in ("auto", "sparse", "dense"):
        s = np.asarray(c.s(freq) if solver == "auto" else Circuit(list(zip(c.names, c.components, c.nodes)), ports=c.ports, z0=c.z0, solver=solver).s(freq))
        check.close(s, ref, atol=1e-12, what=f"transformer nodal ({solver})")
    check.passive(ref)


# --- S-parameter block inside a circuit ---------------------------------------------------------
@pytest.mark.parametrize("solver", ["auto", "mna"])
def test_sblock_in_circuit_vs_skrf_cascade(solver, oracle, check, band, band_sk):
    freq, fsk = band, band_sk
    rng = np.random.default_rng(3)
    s_blk = oracle.random_passive(rng, freq.npoints, 2, reciprocal=False)
    ntw = rf.Network(frequency=fsk, s=s_blk, z0=50.0)
    m = oracle.media(fsk)
    ref = m.shunt_capacitor(1.5e-12) ** ntw ** m.inductor(6e-9)
    c = Circuit(
        [
            ("C", Capacitor(1.5e-12), ("a", "gnd")),
            ("B", SParameterBlock(freq.f, s_blk, z0=50.0), ("a", "b")),
            ("L", Inductor(6e-9), ("b", "c")),
        ],
        ports=["a", "c"],
        solver=solver,
    )
    assert c.is_ladder() is (solver == "auto")
    s = np.asarray(c.s(freq))
    check.close(s, ref.s, atol=1e-12, what="block in circuit")
    check.passive(s)
    # the block's ports reversed (nodes b, a): its S is mirrored
    c_rev = Circuit(
        [
            ("C", Capacitor(1.5e-12), ("a", "gnd")),
            ("B", SParameterBlock(freq.f, s_blk[:, ::-1, ::-1], z0=50.0), ("b", "a")),
            ("L", Inductor(6e-9), ("b", "c")),
        ],
        ports=["a", "c"],
        solver=solver,
    )
    check.close(c_rev.s(freq), ref.s, atol=1e-12, what="reversed block in circuit")


def test_sblock_other_reference_in_circuit(oracle, check, band, band_sk):
    """A block referred to 75 / 30 ohm inside a 50 ohm circuit."""
    freq, fsk = band, band_sk
    s_blk = oracle.random_passive(np.random.default_rng(4), freq.npoints, 2)
    ntw = rf.Network(frequency=fsk, s=s_blk, z0=np.array([75.0, 30.0]))
    ntw.renormalize(50.0)
    m = oracle.media(fsk)
    ref = m.shunt_capacitor(1.5e-12) ** ntw ** m.inductor(6e-9)
    for solver in ("auto", "mna"):
        c = Circuit(
            [
                ("C", Capacitor(1.5e-12), ("a", "gnd")),
                ("B", SParameterBlock(freq.f, s_blk, z0=[75.0, 30.0]), ("a", "b")),
                ("L", Inductor(6e-9), ("b", "c")),
            ],
            ports=["a", "c"],
            solver=solver,
        )
        check.close(c.s(freq), ref.s, atol=1e-12, what=f"75/30 ohm block ({solver})")


def test_three_port_block_in_nodal_circuit(oracle, check, band):
    freq = band
    w = freq.w
    s_blk = oracle.random_passive(np.random.default_rng(5), freq.npoints, 3)
    c = Circuit(
        [
            ("B", SParameterBlock(freq.f, s_blk, z0=50.0), ("a", "b", "c")),
            ("L", Inductor(3e-9), ("c", "gnd")),
            ("C", Capacitor(1e-12), ("a", "b")),
            ("R", Resistor(80.0), ("b", "d")),
        ],
        ports=["a", "d"],
    )
    ref = oracle.nodal(
        freq.f,
        [
            ("s", ("a", "b", "c"), s_blk, 50.0),
            ("z", ("c", "gnd"), 1j * w * 3e-9),
            ("y", ("a", "b"), 1j * w * 1e-12),
            ("z", ("b", "d"), np.full(freq.npoints, 80.0 + 0j)),
        ],
        ["a", "d"],
    )
    s = np.asarray(c.s(freq))
    check.close(s, ref, atol=1e-12, what="3-port block nodal")
    check.reciprocal(s)
    check.passive(s)


# --- lines -------------------------------------------------------------------------------------
@pytest.mark.parametrize("zc,length,er,loss", [(50.0, 0.1, 1.0, 0.0), (35.0, 0.23, 4.3, 2.5), (120.0, 1.7, 2.2, 0.4)])
def test_lossy_line_vs_skrf(zc, length, er, loss, oracle, check, band, band_sk):
    line = TransmissionLine(zc, length, er=er, loss=loss)
    ref = oracle.media(band_sk, zc=zc, z0_port=50.0, er=er, loss_db=loss).line(length, "m")
    s = np.asarray(line.s(band))
    check.close(s, ref.s, atol=1e-12, what="line vs skrf")
    check.reciprocal(s)
    check.passive(s)
    if loss == 0.0:
        check.lossless(s)
    # the insertion loss of a matched line is loss * length dB
    if zc == 50.0:
        check.close(-20 * np.log10(np.abs(s[:, 1, 0])), np.full(band.npoints, loss * length), atol=1e-9)


def test_lossy_stub_in_nodal_circuit(oracle, check, band):
    """An open-ended lossy stub (dangling node) plus a lossy series line: not a ladder."""
    c = Circuit(
        [
            ("T1", TransmissionLine(40.0, 0.05, er=3.0, loss=5.0), ("in", "a")),
            ("STUB", TransmissionLine(70.0, 0.03, er=3.0, loss=5.0), ("a", "open")),
            ("R", Resistor(25.0), ("a", "out")),
        ],
        ports=["in", "out"],
        z0=[50.0, 75.0],
    )
    assert not is_ladder(c)
    gl = lambda length: oracle.tem_gl(band.f, length, 3.0, 5.0)  # noqa: E731
    ref = oracle.nodal(
        band.f,
        [
            ("abcd", ("in", "a"), oracle.line_abcd(40.0, gl(0.05))),
            ("abcd", ("a", "open"), oracle.line_abcd(70.0, gl(0.03))),
            ("z", ("a", "out"), np.full(band.npoints, 25.0 + 0j)),
        ],
        ["in", "out"],
        [50.0, 75.0],
    )
    s = np.asarray(c.s(band))
    check.close(s, ref, atol=1e-12, what="lossy stub")
    check.reciprocal(s)
    check.passive(s)


# --- mixed port impedances ------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["auto", "mna"])
def test_mixed_port_impedances_ladder(solver, build, oracle, check, band, band_sk):
    ref = oracle.sk_ladder5(band_sk)
    ref.renormalize(np.array([50.0, 75.0]))
    s = np.asarray(build.ladder5(z0=[50.0, 75.0], solver=solver).s(band))
    check.close(s, ref.s, atol=1e-12, what="ladder 50/75")
    check.reciprocal(s)
    check.lossless(s)


def test_mixed_port_impedances_three_port(build, oracle, check, band, band_sk):
    z0 = np.array([50.0, 75.0, 100.0])
    s = np.asarray(build.wilkinson(z0=z0).s(band))
    check.close(s, oracle.sk_wilkinson(band_sk, z0=z0).s, atol=1e-12, what="wilkinson 50/75/100 vs skrf")
    check.close(s, oracle.np_wilkinson(band.f, z0=z0), atol=1e-12, what="wilkinson 50/75/100 vs nodal")
    check.reciprocal(s)
    check.passive(s)


# --- half-wave line ---------------------------------------------------------------------------------
def _line_closed_form(zc, theta, z0=50.0):
    c, s = np.cos(theta), np.sin(theta)
    den = 2 * zc * z0 * c + 1j * (zc**2 + z0**2) * s
    s11 = 1j * (zc**2 - z0**2) * s / den
    s21 = 2 * zc * z0 / den
    return np.stack([np.stack([s11, s21], -1), np.stack([s21, s11], -1)], -2)


@pytest.mark.parametrize("solver", ["auto", "mna", "dense"])
def test_half_wave_line_exact_at_f0(solver, check, grid0):
    f0 = 1e9
    freq = grid0  # hits DC, f0 (180 deg) and 2 f0 (360 deg) exactly
    line = TransmissionLine.electrical_length(100.0, 180.0, f0)
    c = Circuit([("T", line, ("a", "b"))], ports=["a", "b"], solver=solver)
    s = np.asarray(c.s(freq))
    check.close(s, _line_closed_form(100.0, np.pi * freq.f / f0), atol=1e-12, what="half-wave line")
    check.close(s[50], [[0, -1], [-1, 0]], atol=1e-12, what="half-wave at f0")
    check.close(s[100], [[0, 1], [1, 0]], atol=1e-12, what="full-wave at 2 f0")
    check.close(s[25], _line_closed_form(100.0, np.pi / 2), atol=1e-12, what="quarter-wave")
    check.close(line.s(freq), s, atol=1e-12, what="standalone line")
    check.lossless(s)


@pytest.mark.parametrize("solver", ["auto", "sparse", "dense"])
def test_half_wave_open_stub_and_zero_ohm_jumper(solver, check, grid0):
    """Ports joined by a 0-ohm resistor, a half-wave open stub hanging off one of them: at f0 the
    stub is an open circuit and the circuit a perfect thru; at f0 / 2 (quarter wave) a short."""
    c = Circuit(
        [
            ("R0", Resistor(0.0), ("p1", "p2")),
            ("STUB", TransmissionLine.electrical_length(60.0, 180.0, 1e9), ("p1", "end")),
        ],
        ports=["p1", "p2"],
        solver=solver,
    )
    s = np.asarray(c.s(grid0))
    thru = np.array([[0, 1], [1, 0]])
    check.close(s[0], thru, atol=1e-12, what="DC")
    check.close(s[25], -np.eye(2), atol=1e-12, what="quarter-wave open stub = short")
    check.close(s[50], thru, atol=1e-12, what="half-wave open stub = open")
    check.close(s[100], thru, atol=1e-12, what="full-wave open stub = open")
    # everywhere: a shunt admittance j tan(theta) / 60 across the 0-ohm junction
    y = 1j * np.tan(np.pi * grid0.f / 1e9) / 60.0
    ok = np.abs(np.cos(np.pi * grid0.f / 1e9)) > 1e-3
    s21 = 2 / (2 + 50 * y[ok])
    check.close(s[ok, 1, 0], s21, atol=1e-12, what="stub closed form")
    check.lossless(s)


# --- 0-ohm resistor -----------------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["auto", "mna", "dense"])
def test_zero_ohm_resistor_equals_merged_nodes(solver, build, check, band):
    """The Wilkinson with a 0-ohm jumper between line T1 and port 2 equals the plain one."""
    flat = build.wilkinson(solver=solver)
    comps = list(zip(flat.names, flat.components, flat.nodes))
    comps[0] = ("T1", comps[0][1], ("p1", "x"))
    comps.append(("J", Resistor(0.0), ("x", "p2")))
    jumpered = Circuit(comps, ports=flat.ports, solver=solver)
    check.close(jumpered.s(band), flat.s(band), atol=1e-12, what="0-ohm jumper")
    # and in a ladder: a series 0-ohm resistor is a thru
    lad = Circuit(
        [("L1", Inductor(5e-9), ("a", "b")), ("R0", Resistor(0.0), ("b", "c")), ("C", Capacitor(2e-12), ("c", "gnd"))],
        ports=["a", "c"],
        solver=solver,
    )
    ref = Circuit([("L1", Inductor(5e-9), ("a", "c")), ("C", Capacitor(2e-12), ("c", "gnd"))], ports=["a", "c"])
    check.close(lad.s(band), ref.s(band), atol=1e-12, what="series 0-ohm resistor")


# --- DC ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["auto", "mna", "sparse", "dense"])
def test_dc_series_capacitor_and_shunt_inductor(solver, build, check, band):
    # a grid from explicit values, starting at 0 Hz (same length as the other grids)
    freq = prf.Frequency.from_values(np.r_[0.0, np.geomspace(1e3, 3e9, band.npoints - 1)])
    assert freq.f[0] == 0.0
    open_ = np.eye(2)
    short = -np.eye(2)
    c = Circuit([("C", Capacitor(1e-12), ("a", "b"))], ports=["a", "b"], solver=solver)
    s = np.asarray(c.s(freq))
    check.close(s[0], open_, atol=0.0, what="series C at DC")
    check.close(s, np.asarray(Capacitor(1e-12).s(freq)), atol=1e-14, what="series C")
    c = Circuit([("L", Inductor(1e-9), ("a", "gnd")), ("R", Resistor(0.0), ("a", "b"))], ports=["a", "b"], solver=solver)
    s = np.asarray(c.s(freq))
    check.close(s[0], short, atol=0.0, what="shunt L at DC")
    c = Circuit([("L", Inductor(1e-9), ("a", "gnd"))], ports=["a"], solver=solver)
    check.close(np.asarray(c.s(freq))[0], [[-1.0]], atol=0.0, what="shunt L one-port at DC")
    # standalone parts
    check.close(np.asarray(Capacitor(1e-12).s(freq))[0], open_, atol=0.0, what="standalone C at DC")
    check.close(np.asarray(Inductor(1e-9).s(freq))[0], [[0, 1], [1, 0]], atol=0.0, what="standalone L at DC")
    # the band-pass at DC: blocked by its series capacitors, both ports see an open
    for cross in (False, True):
        s = np.asarray(build.bpf(cross=cross, solver=solver).s(freq))
        assert np.all(np.isfinite(s))
        check.close(s[0], open_, atol=1e-15, what=f"bpf at DC (cross={cross})")


# --- deep stop-band -------------------------------------------------------------------------------------
def test_ladder_deep_stopband_relative_precision(build, oracle, check, stopband):
    freq = stopband
    fsk = oracle.skfreq(freq)
    fast = np.asarray(build.ladder5().s(freq))[:, 1, 0]
    nodal = np.asarray(build.ladder5(solver="mna").s(freq))[:, 1, 0]
    dense = np.asarray(build.ladder5(solver="dense").s(freq))[:, 1, 0]
    sk = oracle.sk_ladder5(fsk).s[:, 1, 0]
    w = freq.w
    v = build.LADDER5
    exact = oracle.abcd_s21(
        [
            oracle.series_abcd(1j * w * v["L1"]),
            oracle.shunt_abcd(1j * w * v["C2"]),
            oracle.series_abcd(1j * w * v["L3"]),
            oracle.shunt_abcd(1j * w * v["C4"]),
            oracle.series_abcd(1j * w * v["L5"]),
        ]
    )
    assert np.abs(exact).min() < 1e-12 and np.abs(exact).max() < 1e-7  # really deep
    check.close(fast, nodal, atol=0.0, rtol=1e-9, what="ladder fast path vs nodal (relative)")
    check.close(dense, nodal, atol=0.0, rtol=1e-9, what="dense vs nodal (relative)")
    for name, x in (("fast", fast), ("nodal", nodal)):
        check.close(x, exact, atol=0.0, rtol=1e-9, what=f"{name} vs closed form (relative)")
        check.close(x, sk, atol=0.0, rtol=1e-9, what=f"{name} vs skrf (relative)")
