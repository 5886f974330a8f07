"""Spec measures: expressions over S-parameter terms (`dB(S21) - dB(S31)`, `gd(S(out,in))`).

A measure is the netlist's expression language plus *terms* (`Sij`, `S(i,j)`, `S(out,in)`) and
the *measure functions* of a complex value (`dB`, `mag`, `phase`, `re`, `im`, `vswr`, `gd`).
Terms appear only inside measure functions, whose argument may be complex arithmetic of terms
(`mag(S21/S31)`); around them the real arithmetic and numeric functions of expressions apply,
with fixed parameters by name. The tree is immutable; `evaluate_measure` runs it on arrays
with jax.numpy (under jit and vmap), group delay from the exact derivative of S in frequency.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence, Union

from pmrf_cli.netlist.errors import Loc, NetlistError
from pmrf_cli.netlist.expressions import CONSTANTS, FUNCTIONS, Binary, Call, Name, Num, Unary, tokenize
from pmrf_cli.netlist.units import PARAMETER

#: Measure functions of a complex value: name -> unit of the result ("" for a plain ratio).
MEASURE_UNITS: Mapping[str, str] = {
    "dB": "dB", "mag": "", "phase": "deg", "re": "", "im": "", "vswr": "", "gd": "s",
}
_SHORT_TERM = re.compile(r"S([1-9])([1-9])")


@dataclass(frozen=True)
class Term:
    """S(to, from) with 0-based port indices."""

    to: int
    frm: int
    loc: Loc | None = field(default=None, compare=False)


@dataclass(frozen=True)
class MeasureCall:
    """A measure function applied to complex arithmetic of terms."""

    func: str
    arg: "MExpr"
    loc: Loc | None = field(default=None, compare=False)


MExpr = Union[Num, Name, Unary, Binary, Call, Term, MeasureCall]


class _Parser:
    """Recursive descent: the expression grammar, atoms extended with terms and measure calls."""

    def __init__(self, text: str, loc: Loc, ports: Sequence[str]) -> None:
        self.loc = loc
        self.ports = list(ports)
        self.tokens = tokenize(text, loc, PARAMETER)
        self.pos = 0
        self.inside = False  # parsing the argument of a measure function

    def peek(self, ahead: int = 0):
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def take(self):
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def at(self, token) -> Loc:
        return self.loc.shifted(token.offset)

    def fail(self, token, message: str) -> NetlistError:
        return NetlistError(self.at(token), message)

    def is_op(self, text: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token.kind == "op" and token.text == text

    def expect(self, op: str) -> None:
        token = self.take()
        if token.kind != "op" or token.text != op:
            where = "at the end of the measure" if token.kind == "end" else f"before '{token.text}'"
            raise self.fail(token, f"expected '{op}' {where}")

    def parse(self) -> MExpr:
        if self.peek().kind == "end":
            raise self.fail(self.peek(), "empty measure")
        expr = self.expr()
        if self.peek().kind != "end":
            raise self.fail(self.peek(), f"unexpected '{self.peek().text}' in the measure")
        return expr

    def expr(self) -> MExpr:
        left = self.term()
        while self.is_op("+") or self.is_op("-"):
            op = self.take().text
            left = Binary(op, left, self.term())
        return left

    def term(self) -> MExpr:
        left = self.unary()
        while self.is_op("*") or self.is_op("/"):
            op = self.take().text
            left = Binary(op, left, self.unary())
        return left

    def unary(self) -> MExpr:
        if self.is_op("-") or self.is_op("+"):
            sign = self.take().text
            operand = self.unary()
            if sign == "+":
                return operand
            return Num(-operand.value) if isinstance(operand, Num) else Unary("-", operand)
        base = self.atom()
        if self.is_op("**"):
            self.take()
            return Binary("**", base, self.unary())
        return base

    def port(self) -> int:
        token = self.take()
        if token.kind == "num" and float(token.value).is_integer() and token.text.isdigit():
            number = int(token.text)
            if not 1 <= number <= len(self.ports):
                raise self.fail(token, f"no port {number} (the netlist has {len(self.ports)} ports)")
            return number - 1
        if token.kind in ("name", "num") and token.text in self.ports:
            return self.ports.index(token.text)
        if token.kind in ("name", "num"):
            raise self.fail(token, f"no port '{token.text}' (ports: {', '.join(self.ports)})")
        raise self.fail(token, "expected a port number or a port's node name")

    def term_atom(self, token) -> Term:
        m = _SHORT_TERM.fullmatch(token.text)
        if m is not None:
            to, frm = int(m.group(1)), int(m.group(2))
            for number in (to, frm):
                if number > len(self.ports):
                    raise self.fail(token, f"no port {number} in {token.text} (the netlist has {len(self.ports)} ports)")
            return Term(to - 1, frm - 1, self.at(token))
        self.expect("(")
        to = self.port()
        self.expect(",")
        frm = self.port()
        self.expect(")")
        return Term(to, frm, self.at(token))

    def atom(self) -> MExpr:
        token = self.take()
        if token.kind == "num":
            return Num(token.value)
        if token.kind == "op" and token.text == "(":
            inner = self.expr()
            self.expect(")")
            return inner
        if token.kind == "end":
            raise self.fail(token, "the measure ends too early")
        if token.kind != "name":
            raise self.fail(token, f"unexpected '{token.text}' in the measure")
        text = token.text
        if _SHORT_TERM.fullmatch(text) or (text == "S" and self.is_op("(")):
            term = self.term_atom(token)
            if not self.inside:
                raise NetlistError(self.at(token), f"{text if text != 'S' else 'S(...)'} is complex: measure it with "
                                   f"one of {', '.join(MEASURE_UNITS)}, e.g. dB({text if text != 'S' else 'S21'})")
            return term
        if text in MEASURE_UNITS:
            if self.inside:
                raise self.fail(token, f"'{text}' cannot be nested inside another measure function")
            if not self.is_op("("):
                raise self.fail(token, f"'{text}' needs a term in parentheses, e.g. {text}(S21)")
            self.take()
            self.inside = True
            arg = self.expr()
            self.inside = False
            self.expect(")")
            if not _has_term(arg):
                raise self.fail(token, f"'{text}' needs an S-parameter term, e.g. {text}(S21)")
            return MeasureCall(text, arg, self.at(token))
        if self.is_op("("):
            if text not in FUNCTIONS:
                known = ", ".join([*MEASURE_UNITS, *FUNCTIONS])
                raise self.fail(token, f"unknown function '{text}' (known: {known})")
            if self.inside:
                raise self.fail(token, f"'{text}' applies to real values: use it around {', '.join(MEASURE_UNITS)}")
            self.take()
            arg = self.expr()
            self.expect(")")
            return Call(text, (arg,), self.at(token))
        if text in CONSTANTS:
            return Num(CONSTANTS[text])
        if text in FUNCTIONS:
            raise self.fail(token, f"function '{text}' needs an argument in parentheses")
        return Name(text, self.at(token))


def _has_term(expr: MExpr) -> bool:
    if isinstance(expr, Term):
        return True
    if isinstance(expr, Unary):
        return _has_term(expr.operand)
    if isinstance(expr, Binary):
        return _has_term(expr.left) or _has_term(expr.right)
    return False


def parse_measure(text: str, loc: Loc, ports: Sequence[str]) -> MExpr:
    """Parse a measure written at `loc` for a circuit with these port nodes (in order)."""
    return _Parser(text, loc, ports).parse()


def measure_names(expr: MExpr) -> list[Name]:
    """The parameter names a measure uses (with positions)."""
    if isinstance(expr, Name):
        return [expr]
    if isinstance(expr, Unary):
        return measure_names(expr.operand)
    if isinstance(expr, Binary):
        return measure_names(expr.left) + measure_names(expr.right)
    if isinstance(expr, Call):
        return [n for a in expr.args for n in measure_names(a)]
    if isinstance(expr, MeasureCall):
        return measure_names(expr.arg)
    return []


def uses_group_delay(expr: MExpr) -> bool:
    """Whether evaluating the measure needs dS/df."""
    if isinstance(expr, MeasureCall):
        return expr.func == "gd"
    if isinstance(expr, Unary):
        return uses_group_delay(expr.operand)
    if isinstance(expr, Binary):
        return uses_group_delay(expr.left) or uses_group_delay(expr.right)
    if isinstance(expr, Call):
        return any(uses_group_delay(a) for a in expr.args)
    return False


def measure_unit(expr: MExpr, loc: Loc) -> str | None:
    """The unit of a measure's value: 'dB', 'deg', 's', '' (a plain number), None (a bare
    number, which takes the unit of what it is combined with). Adding values of different
    units is an error."""
    if isinstance(expr, MeasureCall):
        return MEASURE_UNITS[expr.func]
    if isinstance(expr, (Num, Name)):
        return None
    if isinstance(expr, Unary):
        return measure_unit(expr.operand, loc)
    if isinstance(expr, Call):
        inner = measure_unit(expr.args[0], loc)
        return inner if expr.func == "abs" else ("" if inner is not None else None)
    if isinstance(expr, Binary):
        a, b = measure_unit(expr.left, loc), measure_unit(expr.right, loc)
        if a is None or b is None:
            return b if a is None else a if expr.op != "**" else ""
        if expr.op in "+-":
            if a != b:
                raise NetlistError(loc, f"the measure adds values in different units ({a or 'plain'} and {b or 'plain'})")
            return a
        return ""  # a product or quotient of two measures: a plain number
    raise TypeError(f"not a measure: {expr!r}")  # pragma: no cover


def evaluate_measure(expr: MExpr, s: Any, ds: Any, env: Mapping[str, float]) -> Any:
    """The measure's real values at K points: `s` (..., K, P, P) complex S-parameters, `ds`
    their derivative in frequency (Hz) at the same points (None when no `gd` is used), `env`
    the fixed parameters' values. jax.numpy throughout: traceable under jit, vmap and grad."""
    import jax.numpy as jnp

    def real(e: MExpr):
        if isinstance(e, Num):
            return e.value
        if isinstance(e, Name):
            return env[e.name]
        if isinstance(e, Unary):
            return -real(e.operand)
        if isinstance(e, Call):
            return getattr(jnp, FUNCTIONS[e.func])(real(e.args[0]))
        if isinstance(e, Binary):
            return _binary(e.op, real(e.left), real(e.right), jnp)
        if isinstance(e, MeasureCall):
            return _measure(e, s, ds, env, jnp)
        raise TypeError(f"not a real measure: {e!r}")  # pragma: no cover

    return real(expr)


def _binary(op: str, a, b, jnp):
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a / b
    return jnp.power(a, b)


def _complex(e: MExpr, s, env):
    """Complex arithmetic of terms: the argument of a measure function."""
    import jax.numpy as jnp

    if isinstance(e, Term):
        return s[..., e.to, e.frm]
    if isinstance(e, Num):
        return e.value
    if isinstance(e, Name):
        return env[e.name]
    if isinstance(e, Unary):
        return -_complex(e.operand, s, env)
    if isinstance(e, Binary):
        return _binary(e.op, _complex(e.left, s, env), _complex(e.right, s, env), jnp)
    raise TypeError(f"not a complex measure argument: {e!r}")  # pragma: no cover


def _measure(e: MeasureCall, s, ds, env, jnp):
    x = _complex(e.arg, s, env)
    if e.func == "dB":
        return 20.0 * jnp.log10(jnp.abs(x))
    if e.func == "mag":
        return jnp.abs(x)
    if e.func == "phase":
        p = jnp.degrees(jnp.angle(x))
        return jnp.where(p <= -180.0, p + 360.0, p)  # (-180, 180]
    if e.func == "re":
        return jnp.real(x)
    if e.func == "im":
        return jnp.imag(x)
    if e.func == "vswr":
        m = jnp.abs(x)
        return (1.0 + m) / (1.0 - m)
    if e.func == "gd":
        import jax

        if ds is None:
            raise ValueError("gd needs the derivative of S in frequency")
        _, dx = jax.jvp(lambda t: _complex(e.arg, t, env), (s,), (ds,))
        # -d arg(x)/d omega = -Im(x'/x) / (2 pi), x' = dx/df
        return -jnp.imag(dx / x) / (2.0 * math.pi)
    raise ValueError(f"unknown measure function {e.func!r}")  # pragma: no cover
