"""What a component's evaluation costs per frequency point, read from its traced program.

Stage 1 of a circuit (`circuit.stages`) puts a group's results in memory, by a loop, so that
XLA cannot copy the physics behind them into every fusion of the solver that reads them. That
pays when the physics is dear (a microstrip section: about 290 operations per point, 37 of them
transcendental) and costs when it is cheap: storing and re-reading a capacitor's j w C (one
multiply per point) made a 10-section LC ladder 5x slower than computing it again where it is
read. `per_point_cost` weighs the operations of one member's evaluation whose results are arrays
over the grid (per-sample work is not copied per point); a ladder's parts are looped above
`LADDER_INLINE_COST` only. The cost is read from the loop body's jaxpr, which the loop needs
anyway.

The nodal solver reads each stamp entry in many fusions of its elimination, not in the
cascade's eight: there its stages always loop (inlining cheap stamps made 3-port tees compile
30-40 % longer and run no faster).
"""

from __future__ import annotations

import jax.extend as jex
import jax.numpy as jnp
import numpy as np

#: Above this weighted per-point cost a ladder's group of parts is computed once, to memory
#: (stage 1); at or below it, where the cascade reads it. Measured on 10-section ladders
#: of every library part (benchmarks/library.py): faster inline up to a lossy line's chain form
#: (139) and an S-parameter block's (184); faster staged from a CPW's (288) and an RLGC line's
#: (311) up.
LADDER_INLINE_COST = 230.0

#: Weight of one per-point operation: a transcendental function costs about 20 additions on a
#: CPU, a division or square root about 4.
TRANSCENDENTAL = frozenset({
    "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "acosh",
    "atanh", "exp", "exp2", "expm1", "log", "log1p", "pow", "erf", "erfc", "erf_inv", "lgamma",
    "digamma", "igamma", "logistic", "bessel_i0e", "bessel_i1e", "cbrt",
})
WEIGHTS = {"div": 4.0, "sqrt": 4.0, "rsqrt": 4.0, "integer_pow": 2.0}
FREE = frozenset({"broadcast_in_dim", "reshape", "squeeze", "convert_element_type", "copy", "slice",
                  "concatenate", "real", "imag", "complex", "pjit", "closed_call", "custom_jvp_call",
                  "custom_vjp_call", "select_n", "expand_dims", "transpose", "stop_gradient"})


def per_point_cost(jaxpr, npoints: int) -> float:
    """Weighted count of the operations of `jaxpr` (one member's evaluation) whose results have
    at least `npoints` elements: the work XLA would repeat in every fusion that reads them."""
    total = 0.0
    for eqn in jaxpr.eqns:
        for sub in jex.core.jaxprs_in_params(eqn.params):
            total += per_point_cost(sub, npoints)
        name = eqn.primitive.name
        if name in FREE:
            continue
        if any(int(np.prod(getattr(v.aval, "shape", ()))) >= npoints for v in eqn.outvars):
            weight = 20.0 if name in TRANSCENDENTAL else WEIGHTS.get(name, 1.0)
            # complex arithmetic is about four real operations
            if any(jnp.issubdtype(getattr(v.aval, "dtype", np.float64), jnp.complexfloating) for v in eqn.outvars):
                weight *= 4.0
            total += weight
    return total
