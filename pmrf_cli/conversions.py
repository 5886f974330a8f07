"""Conversions between network parameter sets, as pure functions on arrays.

All functions take arrays of shape (..., P, P) (leading axes are frequency and batch) and real
reference impedances `z0`: a scalar or an array of shape (P,) (or broadcastable (..., P)).
S-parameters are power waves on real references, a = (V + z0 I) / (2 sqrt z0), b = (V - z0 I) / (2 sqrt z0),
with I flowing into the port. ABCD uses the output current flowing out of port 2.
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import Array


def _z0_vec(z0, p: int, dtype=None) -> Array:
    z = jnp.asarray(z0)
    return jnp.broadcast_to(z, z.shape[:-1] + (p,)) if z.ndim else jnp.full((p,), z)


def _eye(p: int, dtype) -> Array:
    return jnp.eye(p, dtype=dtype)


def s2z(s: Array, z0=50.0) -> Array:
    """S -> Z: Z = D (I + S)(I - S)^-1 D with D = diag(sqrt z0)."""
    p = s.shape[-1]
    d = jnp.sqrt(_z0_vec(z0, p))
    eye = _eye(p, s.dtype)
    # (I - S)^T X^T = (I + S)^T  solves X = (I + S)(I - S)^-1
    x = jnp.swapaxes(jnp.linalg.solve(jnp.swapaxes(eye - s, -1, -2), jnp.swapaxes(eye + s, -1, -2)), -1, -2)
    return d[..., :, None] * x * d[..., None, :]


def z2s(z: Array, z0=50.0) -> Array:
    """Z -> S: S = (Zn - I)(Zn + I)^-1 with Zn = D^-1 Z D^-1."""
    p = z.shape[-1]
    d = 1 / jnp.sqrt(_z0_vec(z0, p))
    zn = d[..., :, None] * z * d[..., None, :]
    eye = _eye(p, zn.dtype)
    return jnp.swapaxes(jnp.linalg.solve(jnp.swapaxes(zn + eye, -1, -2), jnp.swapaxes(zn - eye, -1, -2)), -1, -2)


def s2y(s: Array, z0=50.0) -> Array:
    """S -> Y: Y = D^-1 (I - S)(I + S)^-1 D^-1."""
    p = s.shape[-1]
    d = 1 / jnp.sqrt(_z0_vec(z0, p))
    eye = _eye(p, s.dtype)
    x = jnp.swapaxes(jnp.linalg.solve(jnp.swapaxes(eye + s, -1, -2), jnp.swapaxes(eye - s, -1, -2)), -1, -2)
    return d[..., :, None] * x * d[..., None, :]


def y2s(y: Array, z0=50.0) -> Array:
    """Y -> S: S = (I - Yn)(I + Yn)^-1 with Yn = D Y D."""
    p = y.shape[-1]
    d = jnp.sqrt(_z0_vec(z0, p))
    yn = d[..., :, None] * y * d[..., None, :]
    eye = _eye(p, yn.dtype)
    return jnp.swapaxes(jnp.linalg.solve(jnp.swapaxes(eye + yn, -1, -2), jnp.swapaxes(eye - yn, -1, -2)), -1, -2)


def abcd2s(abcd: Array, z0=50.0) -> Array:
    """ABCD (2-port) -> S, element-wise; z0 a scalar or (2,) (z01, z02)."""
    z = _z0_vec(z0, 2)
    z1, z2 = z[..., 0], z[..., 1]
    a, b, c, d = abcd[..., 0, 0], abcd[..., 0, 1], abcd[..., 1, 0], abcd[..., 1, 1]
    den = a * z2 + b + c * z1 * z2 + d * z1
    k = 2 * jnp.sqrt(z1 * z2)
    s11 = (a * z2 + b - c * z1 * z2 - d * z1) / den
    s12 = k * (a * d - b * c) / den
    s21 = k / den
    s22 = (-a * z2 + b - c * z1 * z2 + d * z1) / den
    return jnp.stack([jnp.stack([s11, s12], -1), jnp.stack([s21, s22], -1)], -2)


def s2abcd(s: Array, z0=50.0) -> Array:
    """S (2-port) -> ABCD, element-wise; z0 a scalar or (2,)."""
    z = _z0_vec(z0, 2)
    z1, z2 = z[..., 0], z[..., 1]
    s11, s12, s21, s22 = s[..., 0, 0], s[..., 0, 1], s[..., 1, 0], s[..., 1, 1]
    r = jnp.sqrt(z1 * z2)
    den = 2 * s21
    a = jnp.sqrt(z1 / z2) * ((1 + s11) * (1 - s22) + s12 * s21) / den
    b = r * ((1 + s11) * (1 + s22) - s12 * s21) / den
    c = ((1 - s11) * (1 - s22) - s12 * s21) / (r * den)
    d = jnp.sqrt(z2 / z1) * ((1 - s11) * (1 + s22) + s12 * s21) / den
    return jnp.stack([jnp.stack([a, b], -1), jnp.stack([c, d], -1)], -2)


def renormalize_s(s: Array, z_from, z_to) -> Array:
    """Re-reference S from real impedances `z_from` to `z_to` (scalars or (P,)).

    Works in the wave domain, S' = K (S - G)(I - G S)^-1 K^-1 with G = diag((z' - z)/(z' + z)) and
    K = diag((z + z') / (2 sqrt(z z'))), so it needs neither Z nor Y to exist.
    """
    p = s.shape[-1]
    zf, zt = _z0_vec(z_from, p), _z0_vec(z_to, p)
    g = (zt - zf) / (zt + zf)
    k = (zf + zt) / (2 * jnp.sqrt(zf * zt))
    eye = _eye(p, s.dtype)
    num = s - g[..., :, None] * eye
    den = eye - g[..., :, None] * s
    # X = num @ den^-1  <=>  den^T X^T = num^T
    x = jnp.swapaxes(jnp.linalg.solve(jnp.swapaxes(den, -1, -2), jnp.swapaxes(num, -1, -2)), -1, -2)
    return k[..., :, None] * x / k[..., None, :]
