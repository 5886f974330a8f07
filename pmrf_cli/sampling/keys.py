"""Explicit, order-free PRNG keys: the key of (seed, parameter path, sample index).

A key is derived by folding, never by splitting a key into N: `fold_in(fold_in(fold_in(key(seed),
h1), h0), i)`, with (h1, h0) the first 64 bits of BLAKE2b(path). So sample i's draw of a parameter
depends on (seed, path, i) alone: not on the batch or chunk size, on which other parameters exist,
or on the order they are drawn in, and a chunk computes its keys on the device from its indices.
"""

from __future__ import annotations

import hashlib

import jax
import jax.numpy as jnp


def path_words(path: str) -> tuple[int, int]:
    """Two 32-bit words identifying a parameter path (stable across runs and machines)."""
    digest = hashlib.blake2b(path.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest[:4], "little"), int.from_bytes(digest[4:], "little")


def base_key(seed: int):
    """The root key of a sweep."""
    return jax.random.key(int(seed))


def path_key(root, path: str):
    """The key of one parameter path (shared by all its samples)."""
    h1, h0 = path_words(path)
    return jax.random.fold_in(jax.random.fold_in(root, h1), h0)


def sample_key(pkey, index):
    """The key of one sample of one parameter; `index` may be traced (vmapped)."""
    return jax.random.fold_in(pkey, jnp.asarray(index, dtype=jnp.uint32))
