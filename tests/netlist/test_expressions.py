"""The expression parser and evaluator (NETLIST.md "Values": expressions)."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pmrf_cli.netlist import units
from pmrf_cli.netlist.errors import Loc, NetlistError
from pmrf_cli.netlist.expressions import (
    Binary,
    Call,
    Name,
    Num,
    Unary,
    evaluate,
    free_names,
    is_constant,
    parse_expression,
    rename,
    to_text,
)

LOC = Loc("t.yaml", 4, 10)


def ev(text, env=None, kind=units.PARAMETER):
    return float(evaluate(parse_expression(text, LOC, kind), env or {}, np))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("-2**2", -4.0),
        ("(-2)**2", 4.0),
        ("2**3**2", 512.0),
        ("2**-1", 0.5),
        ("-2**-2", -0.25),
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("10 / 2 / 5", 1.0),
        ("10 - 2 - 3", 5.0),
        ("2 - -3", 5.0),
        ("+3", 3.0),
        ("--3", 3.0),
        ("2 * 3 ** 2", 18.0),
        ("-3 * 2", -6.0),
        ("sqrt(16) + abs(-2)", 6.0),
        ("exp(0) + log(1) + log10(1000)", 4.0),
        ("sin(0) + cos(0) + tan(0) + atan(0)", 1.0),
        ("2 * pi", 2 * math.pi),
        ("1e-3", 1e-3),
        ("5meg", 5e6),
        ("2*1.5nH", 3e-9),
        ("1k + 1", 1001.0),
        ("1.5e3", 1500.0),
        (".5", 0.5),
    ],
)
def test_evaluate_constants(text, expected):
    assert ev(text) == pytest.approx(expected, rel=1e-14)


def test_names_and_prefixed_literals():
    assert ev("Cpad/2p", {"Cpad": 4e-12}) == pytest.approx(2.0)
    assert ev("2 * Lnom", {"Lnom": 7.96e-9}) == pytest.approx(15.92e-9)
    assert ev("a - b - c", {"a": 1, "b": 2, "c": 3}) == -4.0


def test_tree_shape():
    assert parse_expression("-2**2", LOC) == Unary("-", Binary("**", Num(2.0), Num(2.0)))
    assert parse_expression("2**3**2", LOC) == Binary("**", Num(2.0), Binary("**", Num(3.0), Num(2.0)))
    assert parse_expression("sqrt(x)", LOC) == Call("sqrt", (Name("x"),))
    assert parse_expression("-5", LOC) == Num(-5.0)


def test_name_positions():
    expr = parse_expression("2 * Lnom", LOC)
    assert isinstance(expr, Binary) and expr.right.loc == Loc("t.yaml", 4, 14)


def test_free_names_rename_is_constant():
    expr = parse_expression("a * sqrt(b) + a / 2p", LOC)
    assert free_names(expr) == {"a", "b"}
    assert free_names(rename(expr, {"a": "X1.a"})) == {"X1.a", "b"}
    assert not is_constant(expr)
    assert is_constant(parse_expression("2 * pi", LOC))


def test_to_text_round_trips():
    for text in ["-2**2", "(1 + a) * b", "a ** -b", "2 ** 3 ** 2", "(2 ** 3) ** 2", "a - (b - c)", "-(a + b)"]:
        expr = parse_expression(text, LOC)
        assert parse_expression(to_text(expr), LOC) == expr


@pytest.mark.parametrize(
    "text, col, message",
    [
        ("2 pF", 12, "unexpected 'pF'"),
        ("a b", 12, "a word after a space is a name"),
        ("foo(1)", 10, "unknown function 'foo'"),
        ("sqrt", 10, "needs an argument"),
        ("1 +", 13, "ends too early"),
        ("(1 + 2", 16, "expected ')'"),
        ("a $ b", 12, "unexpected character '$'"),
        ("sqrt(1, 2)", 16, "takes one argument"),
        ("", 10, "empty expression"),
        ("2 * 3)", 15, "unexpected ')'"),
        ("3 * 2xyz", 15, "unknown unit or prefix 'xyz'"),
    ],
)
def test_syntax_errors_have_columns(text, col, message):
    with pytest.raises(NetlistError) as info:
        parse_expression(text, LOC)
    assert info.value.loc == Loc("t.yaml", 4, col)
    assert message in info.value.message
    assert str(info.value).startswith(f"t.yaml:4:{col}: error: ")


def test_units_inside_expressions_are_checked_against_the_field():
    with pytest.raises(NetlistError, match="unit mismatch: expected F"):
        parse_expression("2*5nH", LOC, units.CAPACITANCE)
    with pytest.raises(NetlistError, match="ambiguous"):
        parse_expression("2*1m", LOC)
    assert ev("2*1m", kind=units.LENGTH) == 2.0
    assert ev("2*1m", kind=units.PLAIN) == 2e-3
    assert ev("2*1mm", kind=units.LENGTH) == 2e-3


def test_unknown_name_at_evaluation():
    with pytest.raises(NetlistError, match="unknown name 'q'") as info:
        evaluate(parse_expression("1 + q", LOC), {}, np)
    assert info.value.loc == Loc("t.yaml", 4, 14)


def test_never_uses_eval():
    with pytest.raises(NetlistError):
        parse_expression("__import__('os')", LOC)


def test_jit_and_grad():
    expr = parse_expression("sqrt(L * C) * 2 * pi + x**2 - abs(-x)", LOC)

    def f(x):
        return evaluate(expr, {"L": 1e-9, "C": 1e-12, "x": x}, jnp)

    x = jnp.asarray(3.0)
    expected = math.sqrt(1e-21) * 2 * math.pi + 9 - 3
    assert float(jax.jit(f)(x)) == pytest.approx(expected)
    assert float(jax.grad(f)(x)) == pytest.approx(2 * 3.0 - 1)
    batch = jax.vmap(f)(jnp.asarray([1.0, 2.0]))
    assert batch.shape == (2,)


def test_default_namespace_is_jax():
    out = evaluate(parse_expression("a * 2", LOC), {"a": jnp.ones(3)})
    assert isinstance(out, jax.Array) and out.shape == (3,)
