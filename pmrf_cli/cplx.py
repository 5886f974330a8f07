"""Complex numbers as (real, imaginary) pairs whose parts may be exact zeros, folded at trace time.

RF stamps are full of structure: a reactance is purely imaginary, a resistance purely real, a
lossless ladder's A and D are real and its B and C imaginary. `Cx` carries each part as an array,
a Python float, or `None` (an exact zero), so arithmetic on structured values skips the zero
terms while tracing: a lossless ladder costs about a quarter of the flops of complex arithmetic,
and multiplying by 1 or 0 costs nothing. The result becomes a complex array only at the end.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from pmrf_cli.vecmath import sincos

Part = Any  # jax array, Python float, or None (exact zero)


def _is_num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _same(a, b) -> bool:
    """Both arrays of one shape and dtype: `lax` takes them directly. (`jnp`'s operators are
    small jitted functions, each costing ~0.2 ms to trace; a nodal solver traces thousands.)"""
    return (
        isinstance(a, (jax.Array, jax.core.Tracer))
        and isinstance(b, (jax.Array, jax.core.Tracer))
        and a.shape == b.shape
        and a.dtype == b.dtype
    )


def _add(a: Part, b: Part) -> Part:
    if a is None:
        return b
    if b is None:
        return a
    return jax.lax.add(a, b) if _same(a, b) else a + b


def _neg(a: Part) -> Part:
    if a is None:
        return None
    return jax.lax.neg(a) if isinstance(a, (jax.Array, jax.core.Tracer)) else -a


def _sub(a: Part, b: Part) -> Part:
    return _add(a, _neg(b))


def _mul(a: Part, b: Part) -> Part:
    if a is None or b is None:
        return None
    if _is_num(a):
        if a == 0:
            return None
        if a == 1:
            return b
        if a == -1:
            return -b
    if _is_num(b):
        if b == 0:
            return None
        if b == 1:
            return a
        if b == -1:
            return -a
    return jax.lax.mul(a, b) if _same(a, b) else a * b


class Cx:
    """An immutable complex value held as (re, im) parts; `None` parts are exact zeros."""

    __slots__ = ("re", "im")

    def __init__(self, re: Part = None, im: Part = None):
        object.__setattr__(self, "re", None if (_is_num(re) and re == 0) else re)
        object.__setattr__(self, "im", None if (_is_num(im) and im == 0) else im)

    def __setattr__(self, name, value):
        raise AttributeError("Cx is immutable")

    @staticmethod
    def of(x) -> "Cx":
        """From a Python number, a Cx, or a (possibly complex) array."""
        if isinstance(x, Cx):
            return x
        if isinstance(x, complex):
            return Cx(x.real, x.imag)
        if _is_num(x):
            return Cx(float(x))
        x = jnp.asarray(x)
        if jnp.iscomplexobj(x):
            return Cx(x.real, x.imag)
        return Cx(x)

    @property
    def is_zero(self) -> bool:
        """True when both parts are exact zeros."""
        return self.re is None and self.im is None

    def __add__(self, o) -> "Cx":
        o = Cx.of(o)
        return Cx(_add(self.re, o.re), _add(self.im, o.im))

    __radd__ = __add__

    def __sub__(self, o) -> "Cx":
        o = Cx.of(o)
        return Cx(_sub(self.re, o.re), _sub(self.im, o.im))

    def __rsub__(self, o) -> "Cx":
        return Cx.of(o) - self

    def __neg__(self) -> "Cx":
        return Cx(_neg(self.re), _neg(self.im))

    def __mul__(self, o) -> "Cx":
        o = Cx.of(o)
        re = _sub(_mul(self.re, o.re), _mul(self.im, o.im))
        im = _add(_mul(self.re, o.im), _mul(self.im, o.re))
        return Cx(re, im)

    __rmul__ = __mul__

    def conj(self) -> "Cx":
        """Complex conjugate."""
        return Cx(self.re, _neg(self.im))

    def abs2(self) -> Part:
        """|x|^2 as a real part."""
        return _add(_mul(self.re, self.re), _mul(self.im, self.im))

    def inv(self) -> "Cx":
        """1 / x."""
        if self.im is None:
            return Cx(1.0 / self.re)
        if self.re is None:
            return Cx(None, -1.0 / self.im)
        n = 1.0 / self.abs2()
        return Cx(self.re * n, -self.im * n)

    def __truediv__(self, o) -> "Cx":
        return self * Cx.of(o).inv()

    def to_complex(self, shape=()) -> jax.Array:
        """A complex array of `shape` (broadcast)."""
        dt = jnp.result_type(float)
        re = jnp.zeros(shape, dt) if self.re is None else jnp.broadcast_to(jnp.asarray(self.re, dt), shape)
        im = jnp.zeros(shape, dt) if self.im is None else jnp.broadcast_to(jnp.asarray(self.im, dt), shape)
        return jax.lax.complex(re, im)

    def shape(self) -> tuple[int, ...]:
        """Broadcast shape of the parts."""
        return jnp.broadcast_shapes(*(jnp.shape(p) for p in (self.re, self.im) if p is not None))


jax.tree_util.register_pytree_node(Cx, lambda x: ((x.re, x.im), None), lambda _, parts: Cx(*parts))


def stored(xs: tuple, finite) -> tuple:
    """The arrays `xs` divided by an exact 1 that XLA cannot fold, 1 + 0 * `finite` (an array
    finite wherever this is used, of which `xs` are functions): a division is never duplicated
    into the fusions that read it, so each value, and the expression behind it, is computed
    once, to memory, and read from there. XLA's fusion counts real `cos`, `sin`, `cosh` (and
    any cheap arithmetic) as free to copy into every consumer."""
    one = 1.0 + 0.0 * finite
    return tuple(x / one for x in xs)


def cis(theta) -> tuple[jax.Array, jax.Array]:
    """(cos theta, sin theta) of a real array, each computed once per element (`stored`).

    XLA's fusion counts real `cos` and `sin` as cheap and copies them into every fusion that
    reads them, directly or through products: a line's chain entries A, B, C, D and the parts of
    a complex power each recomputed the same sines and cosines (a microstrip section evaluated
    them ~40 times per point). `vecmath.sincos` vectorises them in large sweeps."""
    return stored(sincos(theta), theta)


def is_array(x) -> bool:
    """A JAX array, tracer or numpy array (not a Python number, not an exact zero)."""
    return isinstance(x, (jax.Array, jax.core.Tracer, np.ndarray))


def materialize(tree):
    """`tree` with every array inside it (in `Cx` values, chain forms, stamps, lists) behind one
    optimisation barrier: the boundary between a circuit's stages (component quantities, then
    the solver), so a backend that honours barriers computes each stage to memory rather than
    fusing the components' physics into every use in the solver. (XLA:CPU expands barriers
    before fusion; there `engine.compiled` chooses the emitter that keeps fused work linear.)
    Exact zeros (`None`) and Python numbers are left alone: trace-time folding still sees them.
    """
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    where = [i for i, x in enumerate(leaves) if is_array(x)]
    if not where:
        return tree
    staged = jax.lax.optimization_barrier([leaves[i] for i in where])
    for i, x in zip(where, staged):
        leaves[i] = x
    return jax.tree_util.tree_unflatten(treedef, leaves)


@jax.custom_jvp
def _computed_once(xs: tuple):
    # a loop XLA cannot see the trip count of (once, or never where the first value is NaN: the
    # outputs are the inputs either way), whose outputs are therefore buffers in memory
    probe = jnp.ravel(xs[0])[0]
    skip = probe != probe
    one = jnp.where(skip, 2.0, 1.0)

    def body(carry):
        i, o, values = carry
        return i + 1, o, tuple(v * o.astype(v.dtype) for v in values)

    return jax.lax.while_loop(lambda c: c[0] < 1, body, (jnp.where(skip, 1, 0), one, xs))[2]


@_computed_once.defjvp
def _computed_once_jvp(primals, tangents):
    return _computed_once(*primals), tangents[0]


def computed_once(tree):
    """`tree` with its floating arrays computed to memory once, where XLA:CPU would copy the
    expression behind them into every fusion that reads them (a cheap element-wise chain such
    as a ladder's cascade product, read by each entry of S, is duplicated whole; an
    `optimization_barrier` does not stop that on a CPU, a loop does). The identity, for values
    and derivatives. Exact zeros (`None`), Python numbers and integers are left alone."""
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    where = [i for i, x in enumerate(leaves) if is_array(x) and jnp.issubdtype(jnp.result_type(x), jnp.inexact)]
    if not where:
        return tree
    out = _computed_once(tuple(jnp.asarray(leaves[i]) for i in where))
    for i, x in zip(where, out):
        leaves[i] = x
    return jax.tree_util.tree_unflatten(treedef, leaves)


def stack_cx(rows, shape) -> jax.Array:
    """A P x P nested list of Cx -> complex array shape + (P, P).

    Parts are materialised first (an optimisation barrier): fused into the stack, XLA would
    recompute the expression behind every entry once per output element.
    """
    dt = jnp.result_type(float)
    flat = [e for row in rows for e in row]
    parts = []
    for e in flat:
        for part in (e.re, e.im):
            parts.append(jnp.zeros(shape, dt) if part is None else jnp.broadcast_to(jnp.asarray(part, dt), shape))
    parts = jax.lax.optimization_barrier(parts)
    p = len(rows)
    re = jnp.stack(parts[0::2], -1).reshape(tuple(shape) + (p, p))
    im = jnp.stack(parts[1::2], -1).reshape(tuple(shape) + (p, p))
    return jax.lax.complex(re, im)
