"""Margins of a stored sweep against specs: read back, or recomputed with other specs.

Recomputing uses the file's own netlist and stored parameter values: S comes from `/s` where
the file keeps it (the circuit is not evaluated unless a spec needs the derivative of S in
frequency, for group delay), else from the circuit at each sample's stored values. The
arithmetic is the sweep kernel's, so the margins equal those a sweep with these specs writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

#: Samples per block when margins are recomputed.
BLOCK = 4096


def load_specs_file(path: str, flat) -> tuple:
    """SpecDefs from a YAML file holding a `specs:` mapping (as in a netlist), checked against
    the ports and parameters of `flat` (the sweep's netlist); errors name the file's lines."""
    from pmrf_cli.netlist.errors import Loc, NetlistError
    from pmrf_cli.netlist.parse import parse_specs_text

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise NetlistError(Loc(path, 1, 1), f"cannot read specs file: {e.strerror or e}") from None
    specs = parse_specs_text(text, path, list(flat.port_names), flat.spec.parameters)
    if not specs:
        raise NetlistError(Loc(path, 1, 1), "no specs in the file (expected a `specs:` mapping)")
    return specs


def stored_netlist(f: Any, path: Path):
    """The flat netlist a results file was made from (Touchstone paths relative to the file)."""
    from pmrf_cli.netlist import flatten, parse_netlist

    spec = parse_netlist(str(f.attrs["netlist"]), f"{path} (its netlist)", path.resolve().parent)
    return flatten(spec)


def recompute_margins(f: Any, flat, specs, done: int) -> np.ndarray:
    """(done, len(specs)) margins of the file's first `done` samples against bound `specs`."""
    import jax
    import jax.numpy as jnp

    from pmrf_cli.engine.compiled import compile_kernel
    from pmrf_cli.frequency import Frequency
    from pmrf_cli.netlist.build import circuit_builder
    from pmrf_cli.specs.score import sample_margins

    frequency = np.asarray(f["frequency"][()], dtype=np.float64)
    freq = Frequency.from_values(frequency)
    build = circuit_builder(flat)
    score = sample_margins(specs, frequency)
    has_s = "s" in f
    sweep = "seed" in f.attrs
    paths = [p for p in f["parameters"]]

    def one(values, s):
        model = build(values)
        return score(model, s if has_s else model.s(freq))

    batched = jax.vmap(one)
    out = np.empty((done, len(specs)))
    exe = None
    for start in range(0, done, BLOCK):
        stop = min(done, start + BLOCK)
        sl = slice(start, stop) if sweep else ()
        values = {p: np.atleast_1d(np.asarray(f["parameters"][p][sl], dtype=np.float64)) for p in paths}
        s = np.asarray(f["s"][sl], dtype=np.complex128).reshape(-1, *f["s"].shape[-3:]) if has_s else \
            np.zeros((stop - start, 1, 1, 1), complex)
        n = stop - start
        if n < BLOCK and done > BLOCK:  # pad the last block to the compiled shape
            values = {k: np.concatenate([v, np.repeat(v[-1:], BLOCK - n)]) for k, v in values.items()}
            s = np.concatenate([s, np.repeat(s[-1:], BLOCK - n, axis=0)])
        if exe is None:
            exe = compile_kernel(jax.jit(batched), {k: jnp.asarray(v) for k, v in values.items()}, jnp.asarray(s))
        out[start:stop] = np.asarray(exe({k: jnp.asarray(v) for k, v in values.items()}, jnp.asarray(s)))[:n]
    return out
