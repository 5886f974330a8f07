"""Every example netlist: simulated from the command line, checked against scikit-rf and an
independent numpy nodal analysis (both test-only oracles), its Touchstone output read back by
scikit-rf, and the netlist itself valid for the JSON Schema and for the loader.

The component values below are copied from the example files by hand, on purpose: the oracles
do not go through pmrf's parser.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import skrf
from skrf.circuit import Circuit as SkCircuit
import yaml

EXAMPLE_NAMES = ["lpf", "wilkinson", "wilkinson_yield", "bpf_coupled", "transformer_match", "mixed_impedance", "touchstone_block"]
ATOL = 1e-9


# --- oracles, one per example --------------------------------------------------------------------
def lpf(o):
    f = o.grid(10e6, 3e9, 1001)
    lnom, c2 = 7.96e-9, 6.37e-12
    m = o.sk_media(o.sk_frequency(f))
    sk = m.inductor(lnom) ** m.shunt_capacitor(c2) ** m.inductor(2 * lnom) ** m.shunt_capacitor(c2) ** m.inductor(lnom)
    w = 2 * np.pi * f
    nod = o.nodal(
        f,
        [
            ("z", ("in", "n1"), 1j * w * lnom),
            ("y", ("n1", "gnd"), 1j * w * c2),
            ("z", ("n1", "n2"), 1j * w * 2 * lnom),
            ("y", ("n2", "gnd"), 1j * w * c2),
            ("z", ("n2", "out"), 1j * w * lnom),
        ],
        ["in", "out"],
    )
    return f, [50.0, 50.0], {"scikit-rf": sk.s, "nodal": nod}


def wilkinson(o, f=None):
    f = o.grid(500e6, 1.5e9, 201) if f is None else f
    zq, r, quarter = 70.71, 100.0, o.C0 / 1e9 / 4  # theta = 90 deg at f0 = 1 GHz
    fsk = o.sk_frequency(f)
    ml = o.sk_media(fsk, zc=zq, z0_port=50.0)
    t2, t3 = ml.line(quarter, "m", name="TL2"), ml.line(quarter, "m", name="TL3")
    res = o.sk_media(fsk).resistor(r, name="R23")
    p1, p2, p3 = (SkCircuit.Port(fsk, f"P{k}", z0=50.0) for k in (1, 2, 3))
    cnx = [[(p1, 0), (t2, 0), (t3, 0)], [(t2, 1), (res, 0), (p2, 0)], [(t3, 1), (res, 1), (p3, 0)]]
    sk = SkCircuit(cnx).network
    gl = o.tem_gl(f, quarter)
    nod = o.nodal(
        f,
        [("line", ("in", "out2"), (zq, gl)), ("line", ("in", "out3"), (zq, gl)), ("y", ("out2", "out3"), 1 / r)],
        ["in", "out2", "out3"],
    )
    return f, [50.0] * 3, {"scikit-rf": sk.s, "nodal": nod}


def bpf_coupled(o):
    f = o.grid(500e6, 1.5e9, 401)
    lres, cend, cmid, cin, ck = 2e-9, 9.95e-12, 10.34e-12, 2.52e-12, 1.164e-12
    m = o.sk_media(o.sk_frequency(f))

    def res(c):
        return m.shunt_inductor(lres) ** m.shunt_capacitor(c)

    sk = m.capacitor(cin) ** res(cend) ** m.capacitor(ck) ** res(cmid) ** m.capacitor(ck) ** res(cend) ** m.capacitor(cin)
    jw = 2j * np.pi * f
    els = [("y", ("in", "n1"), jw * cin), ("y", ("n1", "n2"), jw * ck), ("y", ("n2", "n3"), jw * ck)]
    els += [("y", ("n3", "out"), jw * cin)]
    for node, c in (("n1", cend), ("n2", cmid), ("n3", cend)):
        els += [("z", (node, "gnd"), jw * lres), ("y", (node, "gnd"), jw * c)]
    return f, [50.0, 50.0], {"scikit-rf": sk.s, "nodal": o.nodal(f, els, ["in", "out"])}


def transformer_match(o):
    f = o.grid(10e6, 3e9, 300)
    n, lser = 2.0, 0.5e-9
    z = 2j * np.pi * f * lser
    # the 1:2 transformer between 50 and 200 ohm ports is a matched thru, so the circuit is a
    # series impedance z between two 50 ohm references
    closed = np.empty((f.size, 2, 2), complex)
    closed[:, 0, 0] = closed[:, 1, 1] = z / (z + 100)
    closed[:, 0, 1] = closed[:, 1, 0] = 100 / (z + 100)
    nod = o.nodal(f, [("z", ("in", "p"), z), ("xfmr", ("p", "gnd", "out", "gnd"), n)], ["in", "out"], [50.0, 200.0])
    return f, [50.0, 200.0], {"closed form": closed, "nodal": nod}


def mixed_impedance(o):
    f = o.grid(10e6, 3e9, 300)
    eeff, zq = 2.2, np.sqrt(50 * 75)
    lq = o.C0 / (4 * 1e9 * np.sqrt(eeff))
    line = o.sk_media(o.sk_frequency(f), zc=zq, z0_port=50.0, er=eeff, loss_db_per_m=0.5).line(lq, "m")
    line.renormalize([50.0, 75.0])
    nod = o.nodal(f, [("line", ("in", "out"), (zq, o.tem_gl(f, lq, eeff, 0.5)))], ["in", "out"], [50.0, 75.0])
    return f, [50.0, 75.0], {"scikit-rf": line.s, "nodal": nod}


def touchstone_block(o):
    f = o.grid(50e6, 3e9, 296)
    cblock, lchoke = 100e-12, 100e-9
    fsk = o.sk_frequency(f)
    amp = skrf.Network(str(o.examples / "data" / "amp.s2p")).interpolate(fsk)
    assert np.allclose(amp.z0, 50.0)
    m = o.sk_media(fsk)
    sk = m.capacitor(cblock) ** amp ** m.shunt_inductor(lchoke)
    jw = 2j * np.pi * f
    nod = o.nodal(
        f,
        [("z", ("in", "a"), 1 / (jw * cblock)), ("s", ("a", "out"), (amp.s, 50.0)), ("z", ("out", "gnd"), jw * lchoke)],
        ["in", "out"],
    )
    return f, [50.0, 50.0], {"scikit-rf": sk.s, "nodal": nod}


def wilkinson_yield(o):
    """The Wilkinson of the yield example at its nominal values, on its own grid."""
    return wilkinson(o, o.grid(800e6, 1.2e9, 81))


ORACLES = {fn.__name__: fn for fn in (lpf, wilkinson, wilkinson_yield, bpf_coupled, transformer_match, mixed_impedance, touchstone_block)}


@pytest.fixture(scope="module")
def examples_oracle(oracle, paths):
    from types import SimpleNamespace

    return SimpleNamespace(**vars(oracle), examples=paths.examples)


LIBRARY_EXAMPLES = ["microstrip_lpf", "coupled_bpf", "lossy_parts"]  # covered by test_library_examples.py


def test_every_example_is_covered(paths):
    assert sorted(p.stem for p in paths.examples.glob("*.yaml")) == sorted(EXAMPLE_NAMES + LIBRARY_EXAMPLES)
    assert set(ORACLES) == set(EXAMPLE_NAMES)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_matches_oracles(name, paths, simulate_h5, examples_oracle, check):
    r = simulate_h5(paths.examples / f"{name}.yaml")
    f, z0, refs = ORACLES[name](examples_oracle)
    check.close(r.f, f, atol=0, rtol=1e-15, what=f"{name}: frequency grid")
    check.close(r.attrs["port_z0"], z0, atol=1e-12, what=f"{name}: port_z0")
    assert r.s.dtype == np.complex128
    for label, ref in refs.items():
        check.close(r.s, ref, atol=ATOL, what=f"{name} vs {label}")


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_touchstone_reads_back_in_scikit_rf(name, paths, cli, tmp_path, check):
    netlist = paths.examples / f"{name}.yaml"
    h5 = tmp_path / "x.h5"
    assert cli("simulate", netlist, "-o", h5).exit_code == 0
    import h5py

    with h5py.File(h5) as h:
        f, s, z0 = h["frequency"][()], h["s"][()], h.attrs["port_z0"]
    nports = s.shape[-1]
    ts = tmp_path / f"x.s{nports}p"
    res = cli("simulate", netlist, "-o", ts)
    assert res.exit_code == 0, res.stderr
    text = ts.read_text()
    mixed = len(set(z0.tolist())) > 1
    # Touchstone 1.1 where every port has the same reference impedance, 2.0 where they differ
    assert ("[Version] 2.0" in text) == mixed
    assert ("[Reference]" in text) == mixed
    ntw = skrf.Network(str(ts))
    check.close(ntw.f, f, atol=0, rtol=1e-12, what=f"{name}: frequency")
    check.close(ntw.s, s, atol=1e-15, rtol=1e-12, what=f"{name}: S read back by scikit-rf")
    check.close(ntw.z0, np.broadcast_to(z0, ntw.z0.shape), atol=1e-12, what=f"{name}: z0 per port")


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_validates(name, paths, cli):
    import jsonschema

    from pmrf_cli.netlist import flatten, load_netlist

    path = paths.examples / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    schema = json.loads(paths.schema.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)
    flat = flatten(load_netlist(path))
    assert not flat.warnings
    res = cli("validate", path)
    assert res.exit_code == 0, res.stderr
    assert res.stderr == ""
    assert f"{path}: ok" in res.stdout
