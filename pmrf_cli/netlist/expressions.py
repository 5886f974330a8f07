"""Arithmetic expressions over parameter names: our own tokenizer and recursive-descent parser.

User text is never passed to `eval` or the `ast` module. The tree is immutable and can be
evaluated with any array namespace (numpy, jax.numpy), so it runs under jit, vmap and grad.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Union

from .errors import Loc, NetlistError
from .units import NUMBER_PATTERN, PARAMETER, SUFFIX_PATTERN, FieldKind, UnitError, scaled

#: Functions of one argument, by name, to the array-namespace attribute that computes them.
FUNCTIONS: Mapping[str, str] = {
    "sqrt": "sqrt",
    "exp": "exp",
    "log": "log",
    "log10": "log10",
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "atan": "arctan",
    "abs": "abs",
}
CONSTANTS: Mapping[str, float] = {"pi": math.pi}
#: Names a parameter may not take.
RESERVED: frozenset[str] = frozenset(FUNCTIONS) | frozenset(CONSTANTS)

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(NUMBER_PATTERN.removeprefix("[+-]?"))
_SUFFIX = re.compile(SUFFIX_PATTERN)


@dataclass(frozen=True)
class Num:
    """A numeric literal, already scaled to SI base units."""

    value: float


@dataclass(frozen=True)
class Name:
    """A reference to a parameter (by name, or by path after flattening)."""

    name: str
    loc: Loc | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Unary:
    """Unary minus (`op` is '-')."""

    op: str
    operand: "Expr"


@dataclass(frozen=True)
class Binary:
    """One of `+ - * / **`."""

    op: str
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True)
class Call:
    """A call of one of FUNCTIONS."""

    func: str
    args: tuple["Expr", ...]
    loc: Loc | None = field(default=None, compare=False)


Expr = Union[Num, Name, Unary, Binary, Call]


@dataclass(frozen=True)
class _Token:
    kind: str  # "num", "name", "op", "end"
    text: str
    offset: int
    value: float = 0.0


def _tokenize(text: str, loc: Loc, kind: FieldKind) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch.isdigit() or (ch == "." and i + 1 < len(text) and text[i + 1].isdigit()):
            m = _NUMBER.match(text, i)
            assert m is not None
            end = m.end()
            s = _SUFFIX.match(text, end)
            suffix = s.group(0) if s is not None else ""
            try:
                value = scaled(m.group(0), suffix, kind)
            except UnitError as exc:
                raise NetlistError(loc.shifted(end), exc.message) from None
            end += len(suffix)
            tokens.append(_Token("num", text[i:end], i, value))
            i = end
            continue
        m = IDENTIFIER.match(text, i)
        if m is not None:
            tokens.append(_Token("name", m.group(0), i))
            i = m.end()
            continue
        if text.startswith("**", i):
            tokens.append(_Token("op", "**", i))
            i += 2
            continue
        if ch in "+-*/(),":
            tokens.append(_Token("op", ch, i))
            i += 1
            continue
        raise NetlistError(loc.shifted(i), f"unexpected character '{ch}' in expression")
    tokens.append(_Token("end", "", len(text)))
    return tokens


#: The tokenizer, for languages built on this one (spec measures): tokens have `kind`
#: ("num", "name", "op", "end"), `text`, `offset` and, for numbers, the SI `value`.
tokenize = _tokenize


class _Parser:
    """expr := term (('+'|'-') term)*; term := unary (('*'|'/') unary)*;
    unary := ('-'|'+') unary | power; power := atom ['**' unary];
    atom := NUMBER | NAME | FUNC '(' expr ')' | '(' expr ')'."""

    def __init__(self, text: str, loc: Loc, kind: FieldKind) -> None:
        self.text = text
        self.loc = loc
        self.tokens = _tokenize(text, loc, kind)
        self.pos = 0

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def error(self, token: _Token, message: str) -> NetlistError:
        return NetlistError(self.loc.shifted(token.offset), message)

    def expect(self, op: str) -> None:
        token = self.take()
        if token.kind != "op" or token.text != op:
            raise self.error(token, f"expected '{op}' {self.describe(token)}")

    @staticmethod
    def describe(token: _Token) -> str:
        return "at the end of the expression" if token.kind == "end" else f"before '{token.text}'"

    def parse(self) -> Expr:
        if self.peek().kind == "end":
            raise self.error(self.peek(), "empty expression")
        expr = self.expr()
        token = self.peek()
        if token.kind != "end":
            hint = " (a word after a space is a name: write a unit without a space, e.g. 2*1.5nH)" if token.kind == "name" else ""
            raise self.error(token, f"unexpected '{token.text}' in expression{hint}")
        return expr

    def expr(self) -> Expr:
        left = self.term()
        while self.peek().kind == "op" and self.peek().text in "+-":
            op = self.take().text
            left = Binary(op, left, self.term())
        return left

    def term(self) -> Expr:
        left = self.unary()
        while self.peek().kind == "op" and self.peek().text in ("*", "/"):
            op = self.take().text
            left = Binary(op, left, self.unary())
        return left

    def unary(self) -> Expr:
        token = self.peek()
        if token.kind == "op" and token.text in "+-":
            self.take()
            operand = self.unary()
            if token.text == "+":
                return operand
            if isinstance(operand, Num):
                return Num(-operand.value)
            return Unary("-", operand)
        return self.power()

    def power(self) -> Expr:
        base = self.atom()
        if self.peek().kind == "op" and self.peek().text == "**":
            self.take()
            return Binary("**", base, self.unary())
        return base

    def atom(self) -> Expr:
        token = self.take()
        if token.kind == "num":
            return Num(token.value)
        if token.kind == "name":
            at = self.loc.shifted(token.offset)
            is_call = self.peek().kind == "op" and self.peek().text == "("
            if is_call:
                if token.text not in FUNCTIONS:
                    raise self.error(token, f"unknown function '{token.text}' (known: {', '.join(FUNCTIONS)})")
                self.take()
                arg = self.expr()
                if self.peek().kind == "op" and self.peek().text == ",":
                    raise self.error(self.peek(), f"'{token.text}' takes one argument")
                self.expect(")")
                return Call(token.text, (arg,), at)
            if token.text in FUNCTIONS:
                raise self.error(token, f"function '{token.text}' needs an argument in parentheses")
            if token.text in CONSTANTS:
                return Num(CONSTANTS[token.text])
            return Name(token.text, at)
        if token.kind == "op" and token.text == "(":
            inner = self.expr()
            self.expect(")")
            return inner
        if token.kind == "end":
            raise self.error(token, "expression ends too early")
        raise self.error(token, f"unexpected '{token.text}' in expression")


def parse_expression(text: str, loc: Loc, kind: FieldKind = PARAMETER) -> Expr:
    """Parse `text` (which starts at `loc`); literals take prefixes/units checked against `kind`."""
    return _Parser(text, loc, kind).parse()


def free_names(expr: Expr) -> set[str]:
    """The names an expression refers to."""
    if isinstance(expr, Name):
        return {expr.name}
    if isinstance(expr, Unary):
        return free_names(expr.operand)
    if isinstance(expr, Binary):
        return free_names(expr.left) | free_names(expr.right)
    if isinstance(expr, Call):
        return set().union(*(free_names(a) for a in expr.args))
    return set()


def name_nodes(expr: Expr) -> list[Name]:
    """Every Name node, left to right (with positions, for error messages)."""
    if isinstance(expr, Name):
        return [expr]
    if isinstance(expr, Unary):
        return name_nodes(expr.operand)
    if isinstance(expr, Binary):
        return name_nodes(expr.left) + name_nodes(expr.right)
    if isinstance(expr, Call):
        return [n for a in expr.args for n in name_nodes(a)]
    return []


def rename(expr: Expr, mapping: Mapping[str, str] | Callable[[Name], str]) -> Expr:
    """A copy with names replaced (by a mapping, or a function of the Name node)."""
    if isinstance(expr, Name):
        new = mapping(expr) if callable(mapping) else mapping.get(expr.name, expr.name)
        return Name(new, expr.loc)
    if isinstance(expr, Unary):
        return Unary(expr.op, rename(expr.operand, mapping))
    if isinstance(expr, Binary):
        return Binary(expr.op, rename(expr.left, mapping), rename(expr.right, mapping))
    if isinstance(expr, Call):
        return Call(expr.func, tuple(rename(a, mapping) for a in expr.args), expr.loc)
    return expr


def is_constant(expr: Expr) -> bool:
    """Whether the expression names no parameter."""
    return not free_names(expr)


def _default_xp() -> Any:
    import jax.numpy as jnp

    return jnp


def evaluate(expr: Expr, env: Mapping[str, Any], xp: Any = None) -> Any:
    """Evaluate with values from `env`; `xp` (default jax.numpy) supplies the functions.

    Works on Python floats, numpy arrays and jax arrays or tracers alike.
    """
    if xp is None:
        xp = _default_xp()
    return _eval(expr, env, xp)


def _eval(expr: Expr, env: Mapping[str, Any], xp: Any) -> Any:
    if isinstance(expr, Num):
        return expr.value
    if isinstance(expr, Name):
        try:
            return env[expr.name]
        except KeyError:
            if expr.loc is not None:
                raise NetlistError(expr.loc, f"unknown name '{expr.name}'") from None
            raise
    if isinstance(expr, Unary):
        return xp.negative(_eval(expr.operand, env, xp))
    if isinstance(expr, Binary):
        a = _eval(expr.left, env, xp)
        b = _eval(expr.right, env, xp)
        if expr.op == "+":
            return xp.add(a, b)
        if expr.op == "-":
            return xp.subtract(a, b)
        if expr.op == "*":
            return xp.multiply(a, b)
        if expr.op == "/":
            return xp.divide(a, b)
        if expr.op == "**":
            return xp.power(a, b)
        raise ValueError(f"unknown operator {expr.op!r}")  # pragma: no cover
    if isinstance(expr, Call):
        func = getattr(xp, FUNCTIONS[expr.func])
        return func(*(_eval(a, env, xp) for a in expr.args))
    raise TypeError(f"not an expression: {expr!r}")  # pragma: no cover


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "**": 4}


def to_text(expr: Expr) -> str:
    """Readable text for an expression (numbers in SI base units)."""
    return _text(expr, 0)


def _text(expr: Expr, outer: int) -> str:
    if isinstance(expr, Num):
        out = repr(float(expr.value))
        return f"({out})" if expr.value < 0 and outer > 0 else out
    if isinstance(expr, Name):
        return expr.name
    if isinstance(expr, Call):
        return f"{expr.func}({', '.join(_text(a, 0) for a in expr.args)})"
    if isinstance(expr, Unary):
        out = "-" + _text(expr.operand, 3)
        return f"({out})" if outer >= 3 else out
    prec = _PRECEDENCE[expr.op]
    if expr.op == "**":
        out = f"{_text(expr.left, prec + 1)} ** {_text(expr.right, 3)}"
    else:
        out = f"{_text(expr.left, prec)} {expr.op} {_text(expr.right, prec + 1)}"
    return f"({out})" if prec < outer or (prec == outer and outer == 4) else out
