"""Values with SI prefixes and units (NETLIST.md "Values")."""

import pytest

from pmrf_cli.netlist import units
from pmrf_cli.netlist.units import UnitError, parse_percent, parse_value


@pytest.mark.parametrize(
    "text, kind, expected",
    [
        ("6.37 pF", units.CAPACITANCE, 6.37e-12),
        ("6.37pF", units.CAPACITANCE, 6.37e-12),
        ("6.37 p", units.CAPACITANCE, 6.37e-12),
        ("6.37p", units.PLAIN, 6.37e-12),
        ("1 meg", units.PLAIN, 1e6),
        ("1meg", units.RESISTANCE, 1e6),
        ("1 megohm", units.RESISTANCE, 1e6),
        ("5e8", units.FREQUENCY, 5e8),
        ("1e-3", units.PLAIN, 1e-3),
        ("10 mm", units.LENGTH, 0.01),
        ("3 GHz", units.FREQUENCY, 3e9),
        ("10 MHz", units.FREQUENCY, 1e7),
        ("50 ohm", units.RESISTANCE, 50.0),
        ("50 Ohm", units.RESISTANCE, 50.0),
        ("50 \u03a9", units.RESISTANCE, 50.0),
        ("50\u2126", units.RESISTANCE, 50.0),
        ("2 k\u03a9", units.RESISTANCE, 2e3),
        ("3 \u00b5H", units.INDUCTANCE, 3e-6),
        ("3 \u03bcH", units.INDUCTANCE, 3e-6),
        ("3 uH", units.INDUCTANCE, 3e-6),
        ("7.96 nH", units.INDUCTANCE, 7.96e-9),
        ("1 F", units.CAPACITANCE, 1.0),
        ("4 fF", units.CAPACITANCE, 4e-15),
        ("2 mS", units.CONDUCTANCE, 2e-3),
        ("2 S", units.CONDUCTANCE, 2.0),
        ("90 deg", units.ANGLE, 90.0),
        ("90", units.ANGLE, 90.0),
        ("0.5 dB/m", units.LOSS, 0.5),
        ("3 dB", units.ATTENUATION, 3.0),
        ("2 T", units.PLAIN, 2e12),
        ("-.5 k", units.PLAIN, -500.0),
        ("  42  ", units.PLAIN, 42.0),
    ],
)
def test_values(text, kind, expected):
    assert parse_value(text, kind) == pytest.approx(expected, rel=1e-15)


def test_prefix_rounding_is_exact():
    assert parse_value("1.5 nH", units.INDUCTANCE) == 1.5e-9
    assert parse_value("6.37 pF", units.CAPACITANCE) == 6.37e-12


def test_lone_m_rule():
    # a suffix that is exactly the field's unit has no prefix
    assert parse_value("1 m", units.LENGTH) == 1.0
    assert parse_value("1m", units.LENGTH) == 1.0
    # in any other field it is milli
    assert parse_value("1m", units.PLAIN) == 1e-3
    assert parse_value("1 m", units.CAPACITANCE) == 1e-3
    assert parse_value("1 m", units.RESISTANCE) == 1e-3
    # in a parameter's own value it is ambiguous
    with pytest.raises(UnitError, match="ambiguous"):
        parse_value("5 m", units.PARAMETER)
    with pytest.raises(UnitError, match="ambiguous"):
        parse_value("5m", units.PARAMETER)
    assert parse_value("5 mm", units.PARAMETER) == 5e-3


def test_parameter_values_take_any_unit():
    assert parse_value("7.96 nH", units.PARAMETER) == 7.96e-9
    assert parse_value("50 ohm", units.PARAMETER) == 50.0
    assert parse_value("3 GHz", units.PARAMETER) == 3e9
    assert parse_value("2 mS", units.PARAMETER) == 2e-3


@pytest.mark.parametrize(
    "text, kind, expected_unit",
    [
        ("5 nH", units.CAPACITANCE, "F (capacitance)"),
        ("5 pF", units.INDUCTANCE, "H (inductance)"),
        ("5 mm", units.CAPACITANCE, "F (capacitance)"),
        ("3 GHz", units.LENGTH, "m (length)"),
        ("50 ohm", units.FREQUENCY, "Hz (frequency)"),
        ("1 F", units.PLAIN, "a plain number"),
        ("1 dB", units.LOSS, "dB/m (loss)"),
        ("1 S", units.RESISTANCE, "ohm (resistance)"),
    ],
)
def test_unit_mismatch_names_expected_unit(text, kind, expected_unit):
    with pytest.raises(UnitError) as info:
        parse_value(text, kind)
    assert "unit mismatch" in info.value.message
    assert expected_unit in info.value.message


def test_unknown_suffix_and_offset():
    with pytest.raises(UnitError, match="unknown unit or prefix 'xyz'") as info:
        parse_value("12 xyz", units.PLAIN)
    assert info.value.offset == 3


def test_prefixes_are_case_sensitive():
    assert parse_value("1 M", units.PLAIN) == 1e6
    assert parse_value("1 m", units.PLAIN) == 1e-3
    with pytest.raises(UnitError):
        parse_value("1 MEG", units.PLAIN)
    with pytest.raises(UnitError):
        parse_value("1 K", units.PLAIN)


def test_percent():
    assert parse_percent("5%") == 0.05
    assert parse_percent("2.5 %") == 0.025
    assert parse_percent("5 pF") is None
    with pytest.raises(UnitError, match="percentage"):
        parse_value("5%", units.CAPACITANCE)


def test_not_a_number():
    with pytest.raises(UnitError, match="not a number"):
        parse_value("abc", units.PLAIN)


def test_new_kinds_can_be_defined():
    charge = units.define_kind("charge_test", ("C",))
    assert parse_value("3 nC", charge) == 3e-9
    assert units.TIME.unit == "s" and parse_value("2 ns", units.TIME) == 2e-9
    assert parse_value("5.8e7 S/m", units.CONDUCTIVITY) == 5.8e7
