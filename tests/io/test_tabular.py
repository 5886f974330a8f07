"""CSV/JSON output tests: headers, layout, lossless round trips."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from pmrf_cli.io.tabular import csv_columns, read_csv, read_json, write_csv, write_json


def rand_s(rng: np.random.Generator, nfreq: int, nports: int) -> np.ndarray:
    shape = (nfreq, nports, nports)
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def bit_identical(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def test_csv_header_small_and_large():
    assert csv_columns(2) == [
        "frequency_hz",
        "S11_re", "S11_im", "S12_re", "S12_im",
        "S21_re", "S21_im", "S22_re", "S22_im",
    ]
    cols = csv_columns(10)
    assert cols[1:3] == ["S1_1_re", "S1_1_im"]
    assert "S1_10_re" in cols and "S10_1_im" in cols
    assert len(set(cols)) == len(cols) == 1 + 200


@pytest.mark.parametrize("nports", [1, 2, 3, 12])
def test_csv_roundtrip(nports):
    rng = np.random.default_rng(nports)
    freq = np.sort(rng.uniform(1e6, 1e10, 5))
    s = rand_s(rng, 5, nports)
    s[0, 0, 0] = complex(-0.0, 1e-310)
    buf = io.StringIO()
    write_csv(buf, freq, s, [f"p{i}" for i in range(nports)])
    text = buf.getvalue()
    lines = text.splitlines()
    assert len(lines) == 6
    assert lines[0] == ",".join(csv_columns(nports))
    f2, s2 = read_csv(io.StringIO(text))
    assert bit_identical(f2, freq)
    assert bit_identical(s2, s)


def test_csv_row_values():
    s = np.array([[[1 + 2j, 3 + 4j], [5 + 6j, 7 + 8j]]])
    buf = io.StringIO()
    write_csv(buf, [1e9], s, ["a", "b"])
    assert buf.getvalue().splitlines()[1] == "1000000000.0,1.0,2.0,3.0,4.0,5.0,6.0,7.0,8.0"


def test_csv_port_name_count_checked():
    with pytest.raises(ValueError):
        write_csv(io.StringIO(), [1.0], np.zeros((1, 2, 2)), ["a"])


@pytest.mark.parametrize("nports", [1, 3])
def test_json_roundtrip(nports):
    rng = np.random.default_rng(20 + nports)
    freq = np.linspace(1e9, 2e9, 4)
    s = rand_s(rng, 4, nports)
    names = [f"port{i + 1}" for i in range(nports)]
    z0 = np.linspace(25.0, 75.0, nports)
    buf = io.StringIO()
    write_json(buf, freq, s, names, z0, extra={"circuit": "lpf", "params": {"L": 1e-9}})
    obj = json.loads(buf.getvalue())
    assert list(obj)[:6] == ["format", "frequency_hz", "ports", "z0", "s_re", "s_im"]
    assert obj["format"] == "pmrf-sparams"
    assert obj["ports"] == names
    assert obj["circuit"] == "lpf" and obj["params"] == {"L": 1e-9}
    assert np.shape(obj["s_re"]) == (4, nports, nports)
    back = read_json(io.StringIO(buf.getvalue()))
    assert bit_identical(back["frequency_hz"], freq)
    assert bit_identical(back["z0"], z0)
    assert bit_identical(back["s"], s)


def test_json_scalar_z0_and_reserved_extra():
    buf = io.StringIO()
    write_json(buf, [1.0], np.zeros((1, 2, 2)), ["a", "b"], 50.0)
    assert json.loads(buf.getvalue())["z0"] == [50.0, 50.0]
    with pytest.raises(ValueError):
        write_json(io.StringIO(), [1.0], np.zeros((1, 1, 1)), ["a"], 50.0, extra={"z0": 1})
