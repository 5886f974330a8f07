"""Programs that call LAPACK run one call at a time (`engine.compiled.OneAtATime`): two
concurrent executions of a batched `jnp.linalg.solve` deadlock XLA:CPU, and a sweep calls its
program from one thread per core."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np

from pmrf_cli.engine.compiled import OneAtATime, calls_lapack
from pmrf_cli.engine.kernel import compile_for

SCRIPT = textwrap.dedent(
    """
    import jax, jax.numpy as jnp, numpy as np
    from concurrent.futures import ThreadPoolExecutor
    jax.config.update("jax_enable_x64", True)
    from pmrf_cli.engine.compiled import OneAtATime
    from pmrf_cli.engine.kernel import compile_for

    def kernel(indices):  # 4000 complex 20 x 20 systems per call
        x = (indices.astype(float) % 7.0)[:, None, None]
        a = jnp.eye(20) * (2.0 + x) + 0.1j * x + 0.01 * jnp.ones((20, 20))
        return jnp.linalg.solve(a, jnp.ones((indices.shape[0], 20, 1), complex))

    exe = compile_for(jax.jit(kernel), 4000)
    assert isinstance(exe, OneAtATime)
    parts = [np.arange(k * 4000, (k + 1) * 4000) for k in range(6)]
    with ThreadPoolExecutor(2) as pool:
        outs = list(pool.map(lambda p: np.asarray(exe(p)), parts))
    assert all(np.isfinite(o).all() for o in outs)
    print("done")
    """
)


def test_lapack_program_is_safe_from_two_threads():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "done" in proc.stdout, proc.stderr[-2000:]


def test_only_lapack_programs_are_serialised():
    plain = compile_for(jax.jit(lambda i: jnp.sin(i.astype(float))), 8)
    assert not isinstance(plain, OneAtATime)
    np.testing.assert_allclose(np.asarray(plain(np.arange(8))), np.sin(np.arange(8.0)))
    assert calls_lapack('%0 = stablehlo.custom_call @lapack_zgetrf_ffi(%arg0)')
    assert not calls_lapack('loc("test_lapack_start_up")')  # a name, not a call
