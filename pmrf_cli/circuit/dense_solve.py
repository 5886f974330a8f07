"""Dense fallback for large systems: scatter the blocks into (F, n, n) and call an LU solve.

Used when the unrolled elimination would be too large a program (e.g. a 64-port S-parameter
block, whose descriptor is a dense 64 x 64 coupling): one scatter-add of all the blocks and one
batched `jnp.linalg.solve` (LU with partial pivoting) keep compile time flat in the port count.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from pmrf_cli.circuit.assemble import System


def dense_system(system: System, nfreq: int, dtype=jnp.complex128):
    """The system as arrays: matrix (F, n, n) and right-hand sides (F, n, P), one per port."""
    n, pn = system.n, np.asarray(system.port_nodes)
    # one scatter-add for all contributions (duplicates accumulate): a scatter per block costs
    # compile time and, at run time, a pass over the whole (F, n, n) matrix each (a 64-port block
    # with 64 shunt resistors: ~260 blocks, 10x slower to run than the single scatter)
    rows = np.concatenate([blk.rows for blk in system.blocks])
    cols = np.concatenate([blk.cols for blk in system.blocks])
    vals = jnp.concatenate([blk.array(nfreq).astype(dtype) for blk in system.blocks], axis=-1)
    a = jnp.zeros((nfreq, n, n), dtype=dtype).at[:, rows, cols].add(vals)
    rhs = np.zeros((n, pn.size))
    rhs[pn, np.arange(pn.size)] = system.port_rhs
    return a, jnp.broadcast_to(jnp.asarray(rhs, dtype), (nfreq, n, pn.size))


def solve_ports_dense(system: System, nfreq: int, dtype=jnp.complex128):
    """Port-node voltages under unit port currents, as an array (F, P, P)."""
    a, rhs = dense_system(system, nfreq, dtype)
    x = jnp.linalg.solve(a, rhs)
    return x[:, np.asarray(system.port_nodes), :]
