"""Touchstone reader/writer tests, cross-checked against scikit-rf."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pytest
import skrf
from skrf.network import y2s as skrf_y2s
from skrf.network import z2s as skrf_z2s

from pmrf_cli.io.touchstone import (
    TouchstoneData,
    TouchstoneError,
    parse_touchstone,
    read_touchstone,
    s_from_y,
    s_from_z,
    touchstone_extension,
    touchstone_text,
    write_touchstone,
)


def rand_s(rng: np.random.Generator, nfreq: int, nports: int, scale: float = 0.4) -> np.ndarray:
    shape = (nfreq, nports, nports)
    return scale * (rng.standard_normal(shape) + 1j * rng.standard_normal(shape))


def skrf_network(rng, nports, nfreq=7, unit="GHz", z0=50.0, scale=0.4) -> skrf.Network:
    freq = skrf.Frequency(1.0, 3.5, nfreq, unit=unit)
    return skrf.Network(frequency=freq, s=rand_s(rng, nfreq, nports, scale), z0=z0, name="net")


def skrf_read(path: Path) -> skrf.Network:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return skrf.Network(str(path))


def assert_close(a: np.ndarray, b: np.ndarray, rtol: float = 1e-12) -> None:
    scale = np.maximum(np.abs(b), 1e-300)
    assert np.all(np.abs(a - b) <= rtol * np.maximum(scale, np.max(np.abs(b)) * 1e-3))


def pairs(values) -> str:
    """RI text of complex values with round-trip precision."""
    return " ".join(f"{float(v.real)!r} {float(v.imag)!r}" for v in values)


def bit_identical(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


# ---------------------------------------------------------------- skrf -> ours


@pytest.mark.parametrize("nports", [1, 2, 3, 4, 10])
@pytest.mark.parametrize(("form", "unit"), [("ri", "GHz"), ("ma", "MHz"), ("db", "kHz")])
def test_read_skrf_v1(tmp_path, nports, form, unit):
    rng = np.random.default_rng(nports)
    net = skrf_network(rng, nports, unit=unit)
    net.write_touchstone(filename=str(tmp_path / "net"), form=form)
    path = tmp_path / f"net.s{nports}p"
    ref = skrf_read(path)
    got = read_touchstone(path)
    assert isinstance(got, TouchstoneData)
    assert got.nports == nports
    assert got.s.shape == (7, nports, nports) and got.s.dtype == np.complex128
    assert got.frequency.dtype == np.float64 and got.z0.dtype == np.float64
    np.testing.assert_allclose(got.frequency, ref.f, rtol=1e-15)
    np.testing.assert_array_equal(got.z0, np.full(nports, 50.0))
    if form == "ri":
        assert np.array_equal(got.s, ref.s)
    else:
        assert_close(got.s, ref.s)
    assert_close(got.s, net.s, rtol=1e-12)
    assert any("skrf" in c for c in got.comments)


@pytest.mark.parametrize("nports", [2, 3])
def test_read_skrf_v2_reference(tmp_path, nports):
    rng = np.random.default_rng(10 + nports)
    z0 = [50.0, 75.0, 33.5][:nports]
    net = skrf_network(rng, nports, z0=z0)
    text = net.write_touchstone(return_string=True, version="2.0")
    assert "[Reference]" in text
    path = tmp_path / "net.ts"
    path.write_text(text)
    got = read_touchstone(path)
    np.testing.assert_array_equal(got.z0, z0)
    assert np.array_equal(got.s, skrf_read(path).s)
    assert_close(got.s, net.s)


@pytest.mark.parametrize("param", ["Z", "Y"])
@pytest.mark.parametrize("version", ["1.0", "2.0"])
@pytest.mark.parametrize("nports", [1, 2, 3])
def test_read_skrf_yz(tmp_path, param, version, nports):
    rng = np.random.default_rng(hash((param, version, nports)) % 1000)
    net = skrf_network(rng, nports, z0=25.0, scale=0.25)
    text = net.write_touchstone(return_string=True, version=version, parameter=param)
    path = tmp_path / ("net.ts" if version == "2.0" else f"net.s{nports}p")
    path.write_text(text)
    got = read_touchstone(path)
    # skrf's 2.0 writer emits Y/Z with "R 50" and no [Reference]: actual values, 50-ohm ref
    ref_z0 = 25.0 if version == "1.0" else 50.0
    expected = net.copy()
    expected.renormalize(ref_z0)
    np.testing.assert_array_equal(got.z0, np.full(nports, ref_z0))
    assert_close(got.s, expected.s, rtol=1e-10)
    if not (param == "Y" and version == "1.0"):
        # skrf 2.2's reader mis-scales normalised 1.x Y data (its writer is right)
        assert_close(got.s, skrf_read(path).s, rtol=1e-10)


# ---------------------------------------------------------------- ours -> skrf / ours


@pytest.mark.parametrize("nports", [1, 2, 3, 4, 5, 10])
@pytest.mark.parametrize("unequal", [False, True])
def test_write_roundtrip(tmp_path, nports, unequal):
    rng = np.random.default_rng(100 + nports)
    freq = np.sort(rng.uniform(1e6, 2e10, 9))
    s = rand_s(rng, 9, nports)
    s[0, 0, 0] = complex(-0.0, 1e-310)  # awkward floats survive too
    z0 = 50.0 + 7.0 * np.arange(nports) if unequal else np.full(nports, 42.125)
    comments = ["made by pmrf", "line two"]
    text = touchstone_text(freq, s, z0, comments)
    is_v2 = unequal and nports > 1
    assert ("[Version] 2.0" in text) == is_v2
    name = "out.ts" if is_v2 else "out" + touchstone_extension(nports)
    path = tmp_path / name
    path.write_text(text)

    got = read_touchstone(path)
    assert bit_identical(got.frequency, freq)
    assert bit_identical(got.s, s)
    assert bit_identical(got.z0, z0)
    assert got.comments[:2] == tuple(comments)
    # the same text parses without the extension hint
    assert bit_identical(parse_touchstone(text).s, s)

    ref = skrf_read(path)
    np.testing.assert_array_equal(ref.f, freq)
    np.testing.assert_array_equal(ref.s, s)
    np.testing.assert_array_equal(ref.z0, np.broadcast_to(z0, (9, nports)))


def test_write_layout_v1():
    s = np.arange(1, 1 + 2 * 2 * 2).reshape(2, 2, 2) * (1 + 1j)
    text = touchstone_text([1.0, 2.0], s, 50.0, ["hello"])
    lines = text.splitlines()
    assert lines[0] == "! hello"
    assert lines[1] == "# Hz S RI R 50.0"
    # 1.1 two-port order: S11 S21 S12 S22
    assert lines[2].split() == ["1.0", "1.0", "1.0", "3.0", "3.0", "2.0", "2.0", "4.0", "4.0"]
    # 5 ports: each matrix row starts a new line, at most 4 pairs per line
    s5 = np.ones((1, 5, 5), complex)
    lines = touchstone_text([1.0], s5, 50.0).splitlines()[1:]
    assert [len(ln.split()) for ln in lines] == [9, 2] + [8, 2] * 4


def test_write_layout_v2():
    s = np.arange(1, 9).reshape(2, 2, 2) + 0j
    text = touchstone_text([1.0, 2.0], s, [50.0, 75.0])
    lines = text.splitlines()
    assert lines[:7] == [
        "[Version] 2.0",
        "# Hz S RI R 50",
        "[Number of Ports] 2",
        "[Two-Port Data Order] 12_21",
        "[Number of Frequencies] 2",
        "[Reference] 50.0 75.0",
        "[Network Data]",
    ]
    assert lines[7].split()[1::2] == ["1.0", "2.0", "3.0", "4.0"]  # 12_21 = row-major
    assert lines[-1] == "[End]"


def test_write_stream_and_validation():
    buf = io.StringIO()
    write_touchstone(buf, np.array([1.0]), np.zeros((1, 1, 1)), 50)
    assert buf.getvalue() == "# Hz S RI R 50.0\n1.0 0.0 0.0\n"
    with pytest.raises(ValueError):
        touchstone_text([2.0, 1.0], np.zeros((2, 1, 1)), 50)
    with pytest.raises(ValueError):
        touchstone_text([1.0], np.zeros((1, 2, 1)), 50)
    with pytest.raises(ValueError):
        touchstone_text([1.0], np.zeros((1, 1, 1)), -5)
    assert touchstone_extension(3) == ".s3p"
    assert touchstone_extension(12) == ".s12p"


# ---------------------------------------------------------------- hand-written 1.1


def test_v1_ma_ghz_comments_quirk():
    text = """! a comment
    ! another
# ghz ma s r 75   ! trailing comment on options
1.5 0.5 90  0.25 -90  0.125 180 1 0 ! trailing
2.5 1 0 1 0 1 0 1 0
"""
    got = parse_touchstone(text, path="x.s2p")
    np.testing.assert_array_equal(got.frequency, [1.5e9, 2.5e9])
    np.testing.assert_array_equal(got.z0, [75.0, 75.0])
    s = got.s[0]
    assert_close(s[0, 0], 0.5j)
    assert_close(s[1, 0], -0.25j)  # second pair is S21
    assert_close(s[0, 1], -0.125)  # third pair is S12
    assert_close(s[1, 1], 1.0)
    assert got.comments == ("a comment", "another", "trailing comment on options", "trailing")


def test_v1_db_khz_defaults_and_1port():
    got = parse_touchstone("# KHz DB\n1 -20 45\n2 0 0\n", path="a.S1P")
    np.testing.assert_array_equal(got.frequency, [1e3, 2e3])
    assert_close(got.s[:, 0, 0], np.array([0.1 * np.exp(1j * np.pi / 4), 1.0]))
    # default options: GHz S MA R 50
    got = parse_touchstone("1 0.5 0\n", nports=1)
    assert got.frequency[0] == 1e9 and got.z0[0] == 50.0 and got.s[0, 0, 0] == 0.5


def test_v1_wrapped_any_layout():
    rng = np.random.default_rng(7)
    s = rand_s(rng, 3, 4)
    text = touchstone_text([1.0, 2.0, 3.0], s, 50.0)
    # re-flow all tokens: one per line, and all on one line
    body = [ln for ln in text.splitlines() if not ln.startswith("#")]
    tokens = " ".join(body).split()
    one_per_line = "# Hz S RI R 50\n" + "\n".join(tokens) + "\n"
    one_line = "# Hz S RI R 50\n" + " ".join(tokens) + "\n"
    for t in (one_per_line, one_line):
        assert bit_identical(parse_touchstone(t, path="f.s4p").s, s)
        assert bit_identical(parse_touchstone(t, nports=4).s, s)


def test_v1_port_inference():
    rng = np.random.default_rng(3)
    for p in (1, 2, 3, 4, 6):
        s = rand_s(rng, 11, p)
        text = touchstone_text(np.arange(1.0, 12.0), s, 50.0)
        assert parse_touchstone(text).nports == p
    # a 4-port file written one matrix row per line
    s = rand_s(rng, 2, 4)
    lines = ["# Hz S RI R 50"]
    for k in range(2):
        for i in range(4):
            row = pairs(s[k, i])
            lines.append((f"{k + 1}.0 " if i == 0 else "  ") + row)
    assert bit_identical(parse_touchstone("\n".join(lines)).s, s)


def test_v1_nports_argument_overrides_extension():
    text = "# Hz S RI\n1 1 2 3 4 5 6 7 8\n"
    got = parse_touchstone(text, nports=2, path="wrong.s1p")
    assert got.nports == 2
    assert got.s[0, 1, 0] == 3 + 4j


@pytest.mark.parametrize("param", ["Z", "Y"])
def test_v1_yz_normalised(param):
    rng = np.random.default_rng(11)
    mats = rand_s(rng, 3, 2, scale=0.5) + 1.5 * np.eye(2)  # normalised values
    r = 75.0
    lines = [f"# MHz {param} RI R {r}"]
    for k in range(3):
        vals = mats[k].T.ravel()  # 1.1 order
        lines.append(f"{k + 1} " + pairs(vals))
    got = parse_touchstone("\n".join(lines), path="yz.s2p")
    if param == "Z":
        expected = skrf_z2s(mats * r, r)
    else:
        expected = skrf_y2s(mats / r, r)
    assert_close(got.s, expected, rtol=1e-12)
    np.testing.assert_array_equal(got.z0, [r, r])


def test_v1_noise_block_ignored():
    text = """# GHz S MA R 50
1 0.1 0 0.2 0 0.3 0 0.4 0
2 0.1 0 0.2 0 0.3 0 0.4 0
3 0.1 0 0.2 0 0.3 0 0.4 0
! noise parameters
1 1.5 0.3 40 0.2
2 1.6 0.3 50 0.2
"""
    got = parse_touchstone(text, path="n.s2p")
    np.testing.assert_array_equal(got.frequency, [1e9, 2e9, 3e9])
    assert parse_touchstone(text).nports == 2


def test_conversions_match_skrf():
    rng = np.random.default_rng(5)
    z0 = np.array([20.0, 50.0, 90.0])
    z = rand_s(rng, 4, 3, 30.0) + 60 * np.eye(3)
    assert_close(s_from_z(z, z0), skrf_z2s(z, z0), rtol=1e-11)
    y = rand_s(rng, 4, 3, 0.01) + 0.03 * np.eye(3)
    assert_close(s_from_y(y, z0), skrf_y2s(y, z0), rtol=1e-11)


# ---------------------------------------------------------------- hand-written 2.0


V2_HEAD = """! header comment
[Version] 2.0
# MHz S RI R 50
"""


def test_v2_reference_continuation_and_orders():
    s12 = "1 1 0 2 0 3 0 4 0\n2 5 0 6 0 7 0 8 0\n"
    base = V2_HEAD + "[Number of Ports] 2\n[Number of Frequencies] 2\n"
    ref = "[Reference] 50\n 75 ! continued\n"
    a = parse_touchstone(
        base + "[Two-Port Data Order] 12_21\n" + ref + "[Network Data]\n" + s12 + "[End]\n"
    )
    b = parse_touchstone(
        base + "[two-port data order] 21_12\n" + ref + "[NETWORK DATA]\n" + s12 + "[end]\n"
    )
    np.testing.assert_array_equal(a.z0, [50.0, 75.0])
    np.testing.assert_array_equal(a.frequency, [1e6, 2e6])
    np.testing.assert_array_equal(a.s[0].real, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(b.s[0].real, [[1, 3], [2, 4]])
    assert "header comment" in a.comments


@pytest.mark.parametrize("fmt", ["Lower", "Upper"])
def test_v2_matrix_format(fmt):
    rng = np.random.default_rng(1)
    p = 3
    full = rand_s(rng, 2, p)
    full = full + full.transpose(0, 2, 1)
    rows, cols = np.tril_indices(p) if fmt == "Lower" else np.triu_indices(p)
    lines = [
        "[Version] 2.0",
        "# Hz S RI R 50",
        "[Number of Ports] 3",
        "[Number of Frequencies] 2",
        f"[Matrix Format] {fmt}",
        "[Network Data]",
    ]
    for k in range(2):
        vals = full[k][rows, cols]
        lines.append(f"{k + 1} " + pairs(vals))
    lines.append("[End]")
    got = parse_touchstone("\n".join(lines))
    assert bit_identical(got.s, full)


def test_v2_noise_information_and_unnormalised_z():
    z = np.array([[[60.0 + 5j, 10.0], [10.0, 40.0 - 3j]]])
    text = """[Version] 2.0
# Hz Z RI R 50
[Number of Ports] 2
[Two-Port Data Order] 21_12
[Begin Information]
anything goes here [Whatever]
[End Information]
[Number of Frequencies] 1
[Number of Noise Frequencies] 2
[Reference] 25 100
[Network Data]
1e9 60 5 10 0 10 0 40 -3
[Noise Data]
1e9 1.5 0.3 40 0.2
2e9 1.6 0.3 50 0.2
[End]
trailing text is ignored
"""
    got = parse_touchstone(text)
    np.testing.assert_array_equal(got.z0, [25.0, 100.0])
    assert_close(got.s, skrf_z2s(z, np.array([25.0, 100.0])), rtol=1e-12)


def test_v2_y_unnormalised():
    y = np.array([[[0.02 + 0.001j]]])
    text = (
        "[Version] 2.0\n# Hz Y RI R 50\n[Number of Ports] 1\n"
        "[Network Data]\n1 0.02 0.001\n[End]\n"
    )
    assert_close(parse_touchstone(text).s, skrf_y2s(y, 50.0), rtol=1e-12)


# ---------------------------------------------------------------- errors


def err(text: str, **kw) -> TouchstoneError:
    kw.setdefault("path", "t.s2p")
    with pytest.raises(TouchstoneError) as info:
        parse_touchstone(text, **kw)
    e = info.value
    assert isinstance(e, ValueError)
    assert str(e) == f"{e.path}:{e.line}:{e.col}: error: {e.message}"
    return e


def test_error_non_numeric():
    e = err("# Hz S RI\n1 0 0 0 0 0 0 0 0\n2 0 0 0 x1 0 0 0 0\n")
    assert (e.line, e.col) == (3, 9) and "x1" in e.message
    assert str(e).startswith("t.s2p:3:9: error:")


def test_error_incomplete_last_frequency():
    e = err("# Hz S RI\n1 0 0 0 0 0 0 0 0\n\n2 0 0 0 0 0 0 0\n")
    assert (e.line, e.col) == (4, 1) and "incomplete" in e.message


def test_error_non_increasing():
    e = err("# Hz S RI\n1 0 0\n3 0 0\n  2 0 0\n", path="t.s1p")
    assert (e.line, e.col) == (4, 3) and "increasing" in e.message
    # in 2-port files a decrease that doesn't look like a noise block is an error
    e = err("# Hz S RI\n1 0 0 0 0 0 0 0 0\n1 0 0 0 0 0 0 0 0\n")
    assert e.line == 3


def test_error_options():
    e = err("! c\n# GHz S RI FOO\n1 0 0\n", path="t.s1p")
    assert (e.line, e.col) == (2, 12) and "FOO" in e.message
    e = err("# GHz S RI R\n1 0 0\n", path="t.s1p")
    assert e.line == 1
    e = err("# GHz S RI R abc\n1 0 0\n", path="t.s1p")
    assert (e.line, e.col) == (1, 14)
    e = err("# GHz G RI\n1 0 0\n", path="t.s1p")
    assert e.line == 1 and "not supported" in e.message
    e = err("1 0 0\n# GHz S RI\n", path="t.s1p")
    assert e.line == 2


def test_error_missing_empty_nodata(tmp_path):
    missing = tmp_path / "nope.s2p"
    with pytest.raises(TouchstoneError) as info:
        read_touchstone(missing)
    assert "nope.s2p" in str(info.value) and info.value.line == 0
    e = err("")
    assert e.line == 1 and "empty" in e.message
    e = err("! only\n# GHz S RI\n")
    assert e.line == 2 and "no network data" in e.message


def test_error_ambiguous_ports():
    e = err("# Hz S RI\n1\n2\n3\n4\n5\n6\n7\n8\n9\n", path="<string>")
    assert e.line == 2 and "nports" in e.message


def test_error_keyword_in_v1():
    e = err("# Hz S RI\n[Number of Ports] 2\n")
    assert e.line == 2 and "[Version]" in e.message


def test_errors_v2():
    head = "[Version] 2.0\n# Hz S RI R 50\n"
    e = err(head + "[Number of Ports] 1\n[Mixed-Mode Order] D2,1 C2,1\n")
    assert e.line == 4 and "mixed-mode" in e.message
    e = err(head + "[Number of Ports] 1\n[Number of Frequencies] 2\n[Network Data]\n1 0 0\n[End]\n")
    assert e.line == 6 and "Number of Frequencies" in e.message
    e = err(head + "[Number of Ports] 2\n[Reference] 50\n[Network Data]\n")
    assert e.line == 4 and "Reference" in e.message
    e = err(head + "[Number of Ports] 2\n[Network Data]\n1 0 0 0 0 0 0 0 0\n")
    assert "Two-Port Data Order" in e.message
    e = err(head + "[Number of Ports] 1\n[Bogus] 1\n")
    assert e.line == 4 and "Bogus" in e.message
    e = err(head + "[Number of Ports] 1\n[Network Data]\n1 0 0\n2 0\n[End]\n")
    assert (e.line, e.col) == (6, 1) and "incomplete" in e.message
    e = err(head + "[Number of Ports] 1\n[Network Data]\n2 0 0\n1 0 0\n[End]\n")
    assert e.line == 6 and "increasing" in e.message
    e = err(head + "[Number of Ports] 1\n[Network Data]\n1 0 zz\n")
    assert (e.line, e.col) == (5, 5)
    e = err(head + "[Number of Ports] 3\n", nports=2)
    assert e.line == 3
    e = err(head + "[Number of Ports] 1\n1 0 0\n")
    assert e.line == 4
    e = err("[Version] 3.0\n")
    assert e.line == 1
