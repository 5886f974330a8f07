"""Shared fixtures for the engine tests: reference circuits, a numpy nodal oracle, skrf helpers.

Helpers are handed out through session fixtures (`build`, `oracle`) rather than imported, since
the test directories are not packages.

* `oracle.nodal(f, elements, ports, z0)` is an independent, hand-written modified nodal analysis
  in numpy (dense `np.linalg.solve` per frequency). Each port k is driven by a matched source of
  incident wave a_k = 1 (Norton: 2/sqrt(z0_k) in parallel with 1/z0_k, all other ports terminated
  in their z0), so b_j = V_j / sqrt(z0_j) - delta_jk gives S column k.
* `oracle.media(...)` is a scikit-rf `DefinedGammaZ0` with the TEM propagation constant made
  explicit (its default gamma is the constant 1j, not w/c).
* `build.*` make the reference circuits of the engine issue with the package.
"""

from __future__ import annotations

from types import SimpleNamespace

import jax
import numpy as np
import pytest
import skrf as rf
from skrf.circuit import Circuit as SkCircuit

import pmrf_cli as prf
from pmrf_cli.circuit import Circuit
from pmrf_cli.models import Capacitor, Inductor, Resistor, TransmissionLine

C0 = 299_792_458.0
NP_PER_DB = np.log(10.0) / 20.0

# --- reference component values ---------------------------------------------------------------
LADDER5 = dict(L1=7.96e-9, C2=6.37e-12, L3=15.92e-9, C4=6.37e-12, L5=7.96e-9)
WILK_F0 = 1e9
# 3-resonator coupled-resonator band-pass near 1 GHz: shunt L || C resonators, series coupling C
BPF = dict(Lr=5.0e-9, Cr=4.0e-12, Cin=1.3e-12, Ck=0.4e-12, Cx=0.05e-12)


# --- numpy nodal oracle ----------------------------------------------------------------------
def nodal(f, elements, ports, z0=50.0):
    """S (F, P, P) of a circuit, by dense MNA in numpy.

    `elements` are tuples:
      ("y", (a, b), y)             two-terminal admittance y (F,) between nodes a and b
      ("z", (a, b), z)             two-terminal impedance z (F,) (current unknown; z may be 0)
      ("abcd", (a, b), (A,B,C,D))  2-port, both ports to ground, V1 = A V2 + B Iout2, I1 = C V2 + D Iout2
      ("xfmr", (p1p, p1m, p2p, p2m), n)  ideal transformer V2 = n V1, I1 = -n I2
      ("s", (n_1..n_P), S, zref)   P-port block (F, P, P) with each port to ground, reference zref
    Node "gnd" is ground. Returns complex128 numpy arrays.
    """
    f = np.asarray(f, float)
    nf = f.size
    names: list[str] = []

    def idx(n):
        if n == "gnd":
            return -1
        if n not in names:
            names.append(n)
        return names.index(n)

    for kind, nodes, *_ in elements:
        for n in nodes:
            idx(n)
    for p in ports:
        idx(p)
    nn = len(names)
    # count extra unknowns
    extra = 0
    for kind, nodes, *_ in elements:
        extra += {"y": 0, "z": 1, "abcd": 2, "xfmr": 2, "s": len(nodes)}[kind]
    n = nn + extra
    zp = np.broadcast_to(np.asarray(z0, float), (len(ports),))
    out = np.zeros((nf, len(ports), len(ports)), complex)
    for fi in range(nf):
        a = np.zeros((n, n), complex)

        def add(r, c, v):
            if r >= 0 and c >= 0:
                a[r, c] += v

        k = nn
        for el in elements:
            kind, nodes = el[0], el[1]
            ii = [idx(x) for x in nodes]
            if kind == "y":
                y = np.broadcast_to(el[2], (nf,))[fi]
                p, q = ii
                add(p, p, y), add(q, q, y), add(p, q, -y), add(q, p, -y)
            elif kind == "z":
                z = np.broadcast_to(el[2], (nf,))[fi]
                p, q = ii
                add(p, k, 1.0), add(q, k, -1.0)  # current k flows p -> q through the part
                add(k, p, 1.0), add(k, q, -1.0), add(k, k, -z)
                k += 1
            elif kind == "abcd":
                A, B, C, D = (np.broadcast_to(v, (nf,))[fi] for v in el[2])
                p, q = ii
                i1, i2 = k, k + 1  # currents into ports 1 and 2
                add(p, i1, 1.0), add(q, i2, 1.0)
                # V1 = A V2 - B I2 ; I1 = C V2 - D I2
                add(i1, p, 1.0), add(i1, q, -A), add(i1, i2, B)
                add(i2, i1, 1.0), add(i2, q, -C), add(i2, i2, D)
                k += 2
            elif kind == "xfmr":
                nt = el[2]
                p1p, p1m, p2p, p2m = ii
                i1, i2 = k, k + 1
                add(p1p, i1, 1.0), add(p1m, i1, -1.0), add(p2p, i2, 1.0), add(p2m, i2, -1.0)
                # n (V1p - V1m) - (V2p - V2m) = 0 ; I1 + n I2 = 0
                add(i1, p1p, nt), add(i1, p1m, -nt), add(i1, p2p, -1.0), add(i1, p2m, 1.0)
                add(i2, i1, 1.0), add(i2, i2, nt)
                k += 2
            elif kind == "s":
                s, zr = el[2][fi], np.broadcast_to(np.asarray(el[3], float), (len(ii),))
                P = len(ii)
                cur = list(range(k, k + P))
                # (I - Sv) V - (I + Sv) Zr I = 0 with Sv = D S D^-1, D = diag(sqrt zr)
                d = np.sqrt(zr)
                sv = d[:, None] * s / d[None, :]
                mm = np.eye(P) - sv
                nmat = -(np.eye(P) + sv) * zr[None, :]
                for r in range(P):
                    add(ii[r], cur[r], 1.0)
                    for c in range(P):
                        add(cur[r], ii[c], mm[r, c])
                        add(cur[r], cur[c], nmat[r, c])
                k += P
            else:
                raise ValueError(kind)
        pidx = [idx(p) for p in ports]
        for j, p in enumerate(pidx):
            a[p, p] += 1.0 / zp[j]
        rhs = np.zeros((n, len(ports)), complex)
        for j, p in enumerate(pidx):
            rhs[p, j] = 2.0 / np.sqrt(zp[j])
        v = np.linalg.solve(a, rhs)[pidx, :]
        out[fi] = v / np.sqrt(zp)[:, None] - np.eye(len(ports))
    return out


def line_abcd(zc, gl):
    ch, sh = np.cosh(gl), np.sinh(gl)
    return (ch, zc * sh, sh / zc, ch)


def tem_gl(f, length, er=1.0, loss_db=0.0):
    """gamma * length of a TEM line with frequency-independent loss in dB/m."""
    return (loss_db * NP_PER_DB + 1j * 2 * np.pi * np.asarray(f) * np.sqrt(er) / C0) * length


def random_passive(rng, nf, p, smax=0.9, reciprocal=True):
    """Random S (nf, p, p) with singular values in [0.1, smax] (strictly passive); symmetric
    (Takagi form Q diag(sigma) Q^T) when `reciprocal`."""
    out = np.empty((nf, p, p), complex)
    for k in range(nf):
        q, _ = np.linalg.qr(rng.normal(size=(p, p)) + 1j * rng.normal(size=(p, p)))
        sig = rng.uniform(0.1, smax, p)
        if reciprocal:
            out[k] = q @ np.diag(sig) @ q.T
        else:
            q2, _ = np.linalg.qr(rng.normal(size=(p, p)) + 1j * rng.normal(size=(p, p)))
            out[k] = q @ np.diag(sig) @ q2.conj().T
    return out


def abcd_s21(mats, z0=50.0):
    """S21 of a cascade of numpy ABCD matrices (each (F, 2, 2)), equal real references."""
    m = mats[0]
    for x in mats[1:]:
        m = m @ x
    a, b, c, d = m[:, 0, 0], m[:, 0, 1], m[:, 1, 0], m[:, 1, 1]
    return 2.0 / (a + b / z0 + c * z0 + d)


def series_abcd(z):
    z = np.asarray(z, complex)
    one, zero = np.ones_like(z), np.zeros_like(z)
    return np.stack([np.stack([one, z], -1), np.stack([zero, one], -1)], -2)


def shunt_abcd(y):
    y = np.asarray(y, complex)
    one, zero = np.ones_like(y), np.zeros_like(y)
    return np.stack([np.stack([one, zero], -1), np.stack([y, one], -1)], -2)


# --- scikit-rf helpers -----------------------------------------------------------------------
def skfreq(freq) -> rf.Frequency:
    return rf.Frequency.from_f(np.asarray(freq.f if hasattr(freq, "f") else freq), unit="Hz")


def media(fsk, zc=50.0, z0_port=50.0, er=1.0, loss_db=0.0):
    """DefinedGammaZ0 with an explicit TEM gamma (skrf's default gamma is the constant 1j)."""
    gamma = loss_db * NP_PER_DB + 1j * fsk.w * np.sqrt(er) / C0
    return rf.media.DefinedGammaZ0(fsk, z0_port=z0_port, z0=zc, gamma=gamma)


def sk_ladder5(fsk, v=LADDER5):
    m = media(fsk)
    return m.inductor(v["L1"]) ** m.shunt_capacitor(v["C2"]) ** m.inductor(v["L3"]) ** m.shunt_capacitor(
        v["C4"]
    ) ** m.inductor(v["L5"])


def sk_wilkinson(fsk, zc=50 * np.sqrt(2), r=100.0, f0=WILK_F0, z0=50.0):
    ml = media(fsk, zc=zc, z0_port=50.0)
    quarter = C0 / f0 / 4
    t1, t2 = ml.line(quarter, "m", name="T1"), ml.line(quarter, "m", name="T2")
    res = media(fsk).resistor(r, name="R")
    p1, p2, p3 = (SkCircuit.Port(fsk, f"P{k}", z0=50.0) for k in (1, 2, 3))
    cnx = [
        [(p1, 0), (t1, 0), (t2, 0)],
        [(t1, 1), (res, 0), (p2, 0)],
        [(t2, 1), (res, 1), (p3, 0)],
    ]
    ntw = SkCircuit(cnx).network
    if np.ndim(z0) or z0 != 50.0:
        ntw.renormalize(np.broadcast_to(np.asarray(z0, float), (3,)))
    return ntw


def sk_oneport(fsk, z=None, y=None, name="X", z0=50.0):
    """A one-port network of impedance z (or admittance y) to ground."""
    if y is None:
        y = 1.0 / z
    g = (1 - z0 * y) / (1 + z0 * y)
    return rf.Network(frequency=fsk, s=g.reshape(-1, 1, 1), z0=z0, name=name)


def sk_bpf(fsk, v=BPF, cross=False):
    m = media(fsk)
    w = fsk.w
    yres = 1 / (1j * w * v["Lr"]) + 1j * w * v["Cr"]
    if not cross:
        res = m.shunt_inductor(v["Lr"]) ** m.shunt_capacitor(v["Cr"])
        return (
            m.capacitor(v["Cin"]) ** res ** m.capacitor(v["Ck"]) ** res ** m.capacitor(v["Ck"]) ** res
            ** m.capacitor(v["Cin"])
        )
    cin1, c12, c23, cout = (m.capacitor(c, name=nm) for c, nm in [(v["Cin"], "Cin"), (v["Ck"], "C12"), (v["Ck"], "C23"), (v["Cin"], "Cout")])
    c13 = m.capacitor(v["Cx"], name="C13")
    r1, r2, r3 = (sk_oneport(fsk, y=yres, name=f"R{k}") for k in (1, 2, 3))
    p1, p2 = SkCircuit.Port(fsk, "P1"), SkCircuit.Port(fsk, "P2")
    cnx = [
        [(p1, 0), (cin1, 0)],
        [(cin1, 1), (r1, 0), (c12, 0), (c13, 0)],
        [(c12, 1), (r2, 0), (c23, 0)],
        [(c23, 1), (r3, 0), (c13, 1), (cout, 0)],
        [(cout, 1), (p2, 0)],
    ]
    return SkCircuit(cnx).network


# --- package circuits ------------------------------------------------------------------------
def ladder5(v=LADDER5, z0=50.0, solver="auto"):
    return Circuit(
        [
            ("L1", Inductor(v["L1"]), ("in", "n1")),
            ("C2", Capacitor(v["C2"]), ("n1", "gnd")),
            ("L3", Inductor(v["L3"]), ("n1", "n2")),
            ("C4", Capacitor(v["C4"]), ("n2", "gnd")),
            ("L5", Inductor(v["L5"]), ("n2", "out")),
        ],
        ports=["in", "out"],
        z0=z0,
        solver=solver,
    )


def wilkinson(zc=50 * np.sqrt(2), r=100.0, f0=WILK_F0, z0=50.0, solver="auto"):
    return Circuit(
        [
            ("T1", TransmissionLine.electrical_length(zc, 90.0, f0), ("p1", "p2")),
            ("T2", TransmissionLine.electrical_length(zc, 90.0, f0), ("p1", "p3")),
            ("R", Resistor(r), ("p2", "p3")),
        ],
        ports=["p1", "p2", "p3"],
        z0=z0,
        solver=solver,
    )


def np_wilkinson(f, zc=50 * np.sqrt(2), r=100.0, f0=WILK_F0, z0=50.0):
    gl = tem_gl(f, C0 / f0 / 4)
    return nodal(
        f,
        [
            ("abcd", ("p1", "p2"), line_abcd(zc, gl)),
            ("abcd", ("p1", "p3"), line_abcd(zc, gl)),
            ("y", ("p2", "p3"), np.full(np.size(f), 1 / r, complex)),
        ],
        ["p1", "p2", "p3"],
        z0,
    )


def bpf(v=BPF, cross=False, solver="auto", z0=50.0):
    comps = [
        ("Cin", Capacitor(v["Cin"]), ("in", "r1")),
        ("L1", Inductor(v["Lr"]), ("r1", "gnd")),
        ("C1", Capacitor(v["Cr"]), ("r1", "gnd")),
        ("C12", Capacitor(v["Ck"]), ("r1", "r2")),
        ("L2", Inductor(v["Lr"]), ("r2", "gnd")),
        ("C2", Capacitor(v["Cr"]), ("r2", "gnd")),
        ("C23", Capacitor(v["Ck"]), ("r2", "r3")),
        ("L3", Inductor(v["Lr"]), ("r3", "gnd")),
        ("C3", Capacitor(v["Cr"]), ("r3", "gnd")),
        ("Cout", Capacitor(v["Cin"]), ("r3", "out")),
    ]
    if cross:
        comps.append(("C13", Capacitor(v["Cx"]), ("r1", "r3")))
    return Circuit(comps, ports=["in", "out"], z0=z0, solver=solver)


def np_bpf(f, v=BPF, cross=False, z0=50.0):
    w = 2 * np.pi * np.asarray(f)
    yc = lambda c: 1j * w * c  # noqa: E731
    els = [("y", ("in", "r1"), yc(v["Cin"])), ("y", ("r3", "out"), yc(v["Cin"]))]
    els += [("y", ("r1", "r2"), yc(v["Ck"])), ("y", ("r2", "r3"), yc(v["Ck"]))]
    for r in ("r1", "r2", "r3"):
        els += [("z", (r, "gnd"), 1j * w * v["Lr"]), ("y", (r, "gnd"), yc(v["Cr"]))]
    if cross:
        els.append(("y", ("r1", "r3"), yc(v["Cx"])))
    return nodal(f, els, ["in", "out"], z0)


# --- checks ----------------------------------------------------------------------------------
def assert_close(a, b, atol=1e-9, rtol=0.0, what=""):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (what, a.shape, b.shape)
    assert np.all(np.isfinite(a)), f"{what}: non-finite values"
    err = np.abs(a - b)
    bound = atol + rtol * np.abs(b)
    worst = np.max(err - bound) if err.size else 0.0
    assert worst <= 0, f"{what}: max |a-b| = {err.max():.3e} (atol {atol}, rtol {rtol})"


def assert_reciprocal(s, atol=1e-12):
    s = np.asarray(s)
    assert_close(s, np.swapaxes(s, -1, -2), atol=atol, what="reciprocity")


def assert_passive(s, tol=1e-12):
    s = np.asarray(s)
    q = np.eye(s.shape[-1]) - np.conj(np.swapaxes(s, -1, -2)) @ s
    ev = np.linalg.eigvalsh(q)
    assert ev.min() >= -tol, f"passivity: min eigenvalue of I - S^H S = {ev.min():.3e}"


def assert_lossless(s, atol=1e-12):
    s = np.asarray(s)
    q = np.conj(np.swapaxes(s, -1, -2)) @ s
    assert_close(q, np.broadcast_to(np.eye(s.shape[-1]), q.shape), atol=atol, what="losslessness")


# --- fixtures --------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def oracle():
    return SimpleNamespace(
        nodal=nodal,
        line_abcd=line_abcd,
        tem_gl=tem_gl,
        skfreq=skfreq,
        media=media,
        sk_ladder5=sk_ladder5,
        sk_wilkinson=sk_wilkinson,
        sk_bpf=sk_bpf,
        sk_oneport=sk_oneport,
        np_wilkinson=np_wilkinson,
        np_bpf=np_bpf,
        random_passive=random_passive,
        abcd_s21=abcd_s21,
        series_abcd=series_abcd,
        shunt_abcd=shunt_abcd,
        C0=C0,
    )


@pytest.fixture(scope="session")
def build():
    return SimpleNamespace(
        ladder5=ladder5, wilkinson=wilkinson, bpf=bpf, LADDER5=LADDER5, BPF=BPF, WILK_F0=WILK_F0
    )


@pytest.fixture(scope="session")
def check():
    return SimpleNamespace(
        close=assert_close, reciprocal=assert_reciprocal, passive=assert_passive, lossless=assert_lossless
    )


# Every grid has NPTS points: eager evaluation compiles each primitive once per shape, so one
# length across the tests keeps the suite fast.
NPTS = 101


@pytest.fixture(scope="session")
def band():
    """The issue's band: 10 MHz - 3 GHz."""
    return prf.Frequency(10, 3000, NPTS, "MHz")


@pytest.fixture(scope="session")
def grid0():
    """0 - 2 GHz in 20 MHz steps: hits DC, 1 GHz and 2 GHz exactly."""
    g = prf.Frequency(0, 2000, NPTS, "MHz")
    assert g.f[0] == 0.0 and g.f[50] == 1e9 and g.f[100] == 2e9
    return g


@pytest.fixture(scope="session")
def stopband():
    """30 - 300 GHz: deep in the ladder's stop-band."""
    return prf.Frequency(30, 300, NPTS, "GHz")


@pytest.fixture(scope="session")
def band_sk(band):
    return skfreq(band)


def pytest_configure(config):
    assert jax.config.jax_enable_x64, "engine tests need float64 (tests/conftest.py enables it)"


