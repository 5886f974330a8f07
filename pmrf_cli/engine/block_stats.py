"""Statistics of S over fixed blocks of samples, computed in the sweep's kernel (jax).

Samples are grouped in blocks of `block` consecutive sample indices, aligned to index 0, and
each block is reduced in a fixed order (a pairwise tree over its samples). A chunk (and each
core's part of it) always starts on a block boundary, so a block's numbers depend only on its
samples, never on how the sweep was chunked, split over cores or machines, or resumed; the host
then merges blocks in index order (`io.statistics`). Padding samples of a last, partial chunk
(marked by negative indices) are masked out.

Per block and per (frequency, port pair): the count, the block's first sample (the shift that
keeps sums of squares accurate), and sums of the shifted S, |shifted S|^2, shifted dB|S| and its
square (each a fixed pairwise tree over the block), and the min and max of dB|S|.
"""

from __future__ import annotations

import jax.numpy as jnp

#: Samples per statistics block; chunks and parts are multiples of it.
STATS_BLOCK = 64


def valid_samples(indices):
    """True for real samples, False for padding (`engine.kernel.padded_indices`: negative)."""
    return indices >= 0


def _tree(x, op=jnp.add):
    """Reduce axis 1 (a power of two long) by a fixed pairwise tree: halves combined elementwise
    by `op` until one is left. The order is the tree's, whatever the other axes' sizes; for min
    and max, element-wise halving also took a fifth of the time of XLA's reduction in a CPU
    profile (the same values: min and max do not depend on order)."""
    while x.shape[1] > 1:
        half = x.shape[1] // 2
        x = op(x[:, :half], x[:, half:])
    return x[:, 0]


def block_stats(s, valid, block: int = STATS_BLOCK) -> dict:
    """Block sums of `s` (n, F, P, P) complex, n a multiple of `block` (a power of two);
    `valid` (n,) bool."""
    n = s.shape[0]
    if n % block or block & (block - 1):
        raise ValueError(f"{n} samples are not a whole number of statistics blocks of {block}")
    rest = s.shape[1:]
    x = s.reshape((n // block, block) + rest)
    v = valid.reshape((n // block, block) + (1,) * len(rest))
    re, im = jnp.real(x), jnp.imag(x)
    db = 10.0 * jnp.log10(re * re + im * im)
    ref_re, ref_im, ref_db0 = re[:, :1], im[:, :1], db[:, :1]
    ref_db = jnp.where(jnp.isfinite(ref_db0), ref_db0, 0.0)
    dre = jnp.where(v, re - ref_re, 0.0)
    dim = jnp.where(v, im - ref_im, 0.0)
    e = jnp.where(v, db - ref_db, 0.0)
    return {
        "count": valid.reshape(n // block, block).sum(axis=1),
        "ref_s": (ref_re + 1j * ref_im)[:, 0], "ref_db": ref_db[:, 0],
        "sum_s": _tree(dre) + 1j * _tree(dim), "sum_abs2": _tree(dre * dre + dim * dim),
        "sum_db": _tree(e), "sum_db2": _tree(e * e),
        "min_db": _tree(jnp.where(v, db, jnp.inf), jnp.minimum), "max_db": _tree(jnp.where(v, db, -jnp.inf), jnp.maximum),
    }
