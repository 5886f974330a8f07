"""Dense fallback for large systems: scatter the blocks into (F, n, n) and call an LU solve.

Used when the unrolled elimination would be too large a program (e.g. a 64-port S-parameter
block, whose descriptor is a dense 64 x 64 coupling): one scatter-add of all the blocks and one
batched `jnp.linalg.solve` (LU with partial pivoting) keep compile time flat in the port count.

A dense system holds n^2 complex entries per point, times the samples evaluated at once (a
sweep's tile of ~40000 points: 112 GB for a 300-unknown circuit), so where the matrices of the
whole grid would pass `DENSE_BLOCK_BYTES` the grid is solved in blocks of frequencies, one after
another (`lax.map`), each assembled from its slice of the contributions.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from pmrf_cli.circuit.assemble import System
from pmrf_cli.workload import samples_at_once

#: The most memory the dense matrices of one block of frequencies may take, with their LU
#: factors and temporaries (~4 copies), for all samples evaluated at once.
DENSE_BLOCK_BYTES = 256 << 20


def _contributions(system: System, nfreq: int, dtype):
    """(rows, cols, values (F, k)) of every contribution to the matrix."""
    rows = np.concatenate([blk.rows for blk in system.blocks])
    cols = np.concatenate([blk.cols for blk in system.blocks])
    vals = jnp.concatenate([blk.array(nfreq).astype(dtype) for blk in system.blocks], axis=-1)
    return rows, cols, vals


def _matrix(system: System, rows, cols, vals, dtype):
    """The matrices (F, n, n) of contributions `vals` (F, k): one scatter-add for all of them
    (duplicates accumulate): a scatter per block costs compile time and, at run time, a pass
    over the whole matrix each (a 64-port block with 64 shunt resistors: ~260 blocks, 10x slower
    to run than the single scatter)."""
    return jnp.zeros((vals.shape[0], system.n, system.n), dtype=dtype).at[:, rows, cols].add(vals)


def _port_rhs(system: System, count: int, dtype):
    """The right-hand sides (count, n, P): a unit current into each port."""
    pn = np.asarray(system.port_nodes)
    rhs = np.zeros((system.n, pn.size))
    rhs[pn, np.arange(pn.size)] = system.port_rhs
    return jnp.broadcast_to(jnp.asarray(rhs, dtype), (count, system.n, pn.size))


def dense_system(system: System, nfreq: int, dtype=jnp.complex128):
    """The system as arrays: matrix (F, n, n) and right-hand sides (F, n, P), one per port."""
    rows, cols, vals = _contributions(system, nfreq, dtype)
    return _matrix(system, rows, cols, vals, dtype), _port_rhs(system, nfreq, dtype)


def frequencies_per_block(n: int, nfreq: int, itemsize: int = 16) -> int:
    """Frequencies solved together: all of them, or as many as keep the matrices of the samples
    evaluated at once (`workload.samples_at_once`) within `DENSE_BLOCK_BYTES` (at least one)."""
    per_frequency = samples_at_once() * n * n * itemsize * 4
    return int(min(nfreq, max(1, DENSE_BLOCK_BYTES // per_frequency)))


def solve_ports_dense(system: System, nfreq: int, dtype=jnp.complex128):
    """Port-node voltages under unit port currents, as an array (F, P, P)."""
    ports = np.asarray(system.port_nodes)
    block = frequencies_per_block(system.n, nfreq, jnp.dtype(dtype).itemsize)
    rows, cols, vals = _contributions(system, nfreq, dtype)
    rhs = _port_rhs(system, block, dtype)

    def solve(v):
        return jnp.linalg.solve(_matrix(system, rows, cols, v, dtype), rhs)[:, ports, :]

    if block >= nfreq:
        return solve(vals)
    count = -(-nfreq // block)
    # the last block is filled up with the last frequency again (a solvable system), then dropped
    vals = jnp.concatenate([vals, jnp.repeat(vals[-1:], count * block - nfreq, axis=0)])
    x = jax.lax.map(solve, vals.reshape((count, block) + vals.shape[1:]))
    return x.reshape((count * block,) + x.shape[2:])[:nfreq]
