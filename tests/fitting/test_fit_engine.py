"""The fitting engine: which parameters move in log, weights, reference impedances, results."""

from __future__ import annotations

import numpy as np
import pytest

from pmrf_cli.fitting.least_squares import FitResult, fit
from pmrf_cli.fitting.parametrize import FitError, parametrize, positive_paths, s_function, select_params
from pmrf_cli.fitting.weights import parse_term, parse_weights
from pmrf_cli.netlist import NetlistError, flatten, parse_netlist

NETLIST = """\
frequency: {start: 0.5 GHz, stop: 3 GHz, points: 41}
parameters:
  R: 30 ohm
  L: 5 nH
  C: 2 pF
  off: -0.5           # feeds a field without a physical domain
  theta: 40 + off
  Lx: 2 * L
  Zp: 50 ohm
components:
  R1: {type: resistor, nodes: [in, a], R: R}
  L1: {type: inductor, nodes: [a, out], L: Lx}
  C1: {type: capacitor, nodes: [out, gnd], C: C}
  T1: {type: tline, nodes: [out, out2], z0: 50, theta: theta, f0: 1 GHz}
  R2: {type: resistor, nodes: [out2, gnd], R: 200}
ports: [{node: in, z0: Zp}, {node: out2, z0: Zp}]
"""


def _flat(text=NETLIST):
    return flatten(parse_netlist(text, "t.yaml"))


def test_log_for_positive_domains_only():
    flat = _flat()
    assert positive_paths(flat) >= {"R", "L", "C", "Lx", "Zp"}
    assert not positive_paths(flat) & {"off", "theta"}
    par = parametrize(flat, ["L", "off", "C"])
    assert [(p.path, p.log) for p in par.params] == [("L", True), ("off", False), ("C", True)]
    np.testing.assert_array_equal(par.y0(), [0.0, -1.0, 0.0])
    y = np.array([0.1, -0.5, -0.2])
    values = par.values(y, np)
    assert values["L"] == pytest.approx(5e-9 * np.exp(0.1)) and values["off"] == -0.25
    np.testing.assert_allclose(par.to_y(values), y)


def test_select_params_errors():
    flat = _flat()
    assert select_params(flat, ["C", "L"]) == ("C", "L")
    with pytest.raises(FitError, match=r"no such parameter .*R, L, C, off, Zp"):
        select_params(flat, ["Q"])
    with pytest.raises(NetlistError, match="expression") as info:
        select_params(flat, ["Lx"])
    assert (info.value.loc.line, info.value.loc.col) == (8, 3)


def test_weights():
    ports = ("in", "out")
    assert parse_term("S21", ports) == (1, 0) and parse_term("S(out, in)", ports) == (1, 0)
    assert parse_term("S(1,2)", ports) == (0, 1)
    np.testing.assert_array_equal(parse_weights(["S21=10", "S(1,1)=0"], ports), [[0, 1], [10, 1]])
    for bad in (["S21"], ["S21=x"], ["S21=1", "S(out,in)=2"], ["S(a,in)=1"], ["S11=0", "S12=0", "S21=0", "S22=0"]):
        with pytest.raises(FitError):
            parse_weights(bad, ports)


def test_fit_through_another_reference_impedance_with_weights():
    """The measured file is referred to 75 ohm, the netlist's ports to 50 ohm: S is
    renormalised to the file's impedances before comparing; weights do not move an exact fit."""
    truth = {"R": 27.0, "L": 5.6e-9, "C": 1.7e-12, "off": -2.0}
    measured_flat = _flat(NETLIST.replace("Zp: 50 ohm", "Zp: 75 ohm"))
    f = measured_flat.frequency_hz
    measured = np.asarray(s_function(measured_flat, f, list(truth))(truth))
    flat = _flat()
    paths = select_params(flat, list(truth))
    s_of = s_function(flat, f, paths, reference_z0=np.array([75.0, 75.0]))
    weights = parse_weights(["S21=10", "S11=0.5"], flat.port_names)
    result = fit(s_of, parametrize(flat, paths), measured, weights)
    assert result.converged
    for path, value in truth.items():
        assert result.parameters[path] == pytest.approx(value, rel=1e-6)
    assert result.rms_error < 1e-10 < result.start_rms_error
    assert result.start == {"R": 30.0, "L": 5e-9, "C": 2e-12, "off": -0.5}
    assert list(result.to_json()) == ["parameters", "start", "rms_error", "iterations", "converged"]


def test_to_json():
    r = FitResult({"L": 1.0}, {"L": 2.0}, 0.5, 1.0, 3, False)
    assert r.to_json() == {"parameters": {"L": 1.0}, "start": {"L": 2.0}, "rms_error": 0.5, "iterations": 3,
                           "converged": False}
