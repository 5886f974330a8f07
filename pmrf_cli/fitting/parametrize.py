"""Which parameters a solver moves, how (log or linear), and S as a function of them.

A solver works on a vector `y`, one entry per chosen parameter, all of order one:

* a parameter whose nominal is > 0 and that feeds only fields with a non-negative physical
  domain (L, C, R, lengths, widths, port z0, ...) is moved as `y = log(value / start)`, so it
  stays positive whatever step is taken;
* any other as `y = value / scale`, `scale` = |start| (1 for a zero start).

`s_function(flat, frequency, paths)` gives `values -> S (F, P, P)`: the chosen parameters take
the given (possibly traced) values, every other parameter its nominal, and derived parameters
follow. It is pure and traceable (jit, jacfwd, grad).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

from pmrf_cli.netlist.errors import NetlistError
from pmrf_cli.netlist.expressions import free_names, is_constant, to_text
from pmrf_cli.netlist.flatten import FlatNetlist, nominal_values


class FitError(ValueError):
    """The request cannot be met (an unknown parameter, ...): one line for the user."""


@dataclass(frozen=True)
class FitParam:
    """One parameter the solver moves: its path, start value, and whether it moves in log."""

    path: str
    start: float
    log: bool

    @property
    def scale(self) -> float:
        """The linear map's unit: |start|, or 1 for a zero start."""
        return abs(self.start) or 1.0


@dataclass(frozen=True)
class Parametrization:
    """The map between a solver's `y` (one entry per parameter) and parameter values."""

    params: tuple[FitParam, ...]

    @property
    def paths(self) -> tuple[str, ...]:
        """The parameter paths, in `y`'s order."""
        return tuple(p.path for p in self.params)

    def y0(self) -> np.ndarray:
        """`y` at the start values (zeros for log parameters, +-1 for linear ones)."""
        return np.asarray([0.0 if p.log else p.start / p.scale for p in self.params], dtype=np.float64)

    def values(self, y, xp=None) -> dict[str, object]:
        """{path: value} for `y` (traceable with `xp=jax.numpy`, the default)."""
        if xp is None:
            import jax.numpy as xp
        return {
            p.path: p.start * xp.exp(y[i]) if p.log else p.scale * y[i]
            for i, p in enumerate(self.params)
        }

    def to_y(self, values: Mapping[str, float]) -> np.ndarray:
        """`y` for the given values (log parameters must be positive)."""
        return np.asarray(
            [np.log(values[p.path] / p.start) if p.log else values[p.path] / p.scale for p in self.params],
            dtype=np.float64,
        )


def fittable_paths(flat: FlatNetlist) -> list[str]:
    """The parameters a solver may move: those whose value is a constant (fixed or random),
    not an expression of other parameters."""
    return [p.path for p in flat.params if is_constant(p.nominal)]


def select_params(flat: FlatNetlist, names: Sequence[str]) -> tuple[str, ...]:
    """Check `--param` names: each a parameter path whose value is a constant, none twice.

    An unknown name is a FitError listing the valid ones; a parameter defined by an expression
    of others is a NetlistError at its definition."""
    if not names:
        raise FitError("give at least one --param NAME")
    valid = fittable_paths(flat)
    by_path = {p.path: p for p in flat.params}
    seen: list[str] = []
    for name in names:
        if name in seen:
            raise FitError(f"--param {name} is given twice")
        p = by_path.get(name)
        if p is None:
            raise FitError(f"--param {name}: no such parameter (parameters that can be fitted: {', '.join(valid) or 'none'})")
        if name not in valid:
            deps = ", ".join(sorted(free_names(p.nominal)))
            raise NetlistError(
                p.loc,
                f"--param {name}: '{name}' is defined by an expression of other parameters "
                f"({to_text(p.nominal)}), so it cannot be fitted; fit {deps} instead",
            )
        seen.append(name)
    return tuple(seen)


def positive_paths(flat: FlatNetlist) -> frozenset[str]:
    """Parameters whose physical domain is positive: every component field or port z0 they
    reach (directly or through derived parameters) has a lower bound >= 0, and they reach one."""
    from pmrf_cli.netlist.build import FACTORIES

    sinks: dict[str, list[bool]] = {p.path: [] for p in flat.params}
    for comp in flat.components:
        factory = FACTORIES.get(comp.type)
        domains = factory.domains if factory is not None else {}
        for field, expr in comp.fields.items():
            bounded = field in domains and domains[field][0] >= 0.0
            for name in free_names(expr):
                if name in sinks:
                    sinks[name].append(bounded)
    for _, z0 in flat.ports:
        for name in free_names(z0):
            if name in sinks:
                sinks[name].append(True)
    # params are in dependency order: a derived parameter's sinks are known before its inputs'
    for p in reversed(flat.params):
        for name in free_names(p.nominal):
            if name in sinks:
                sinks[name].extend(sinks[p.path])
    return frozenset(path for path, s in sinks.items() if s and all(s))


def parametrize(flat: FlatNetlist, paths: Sequence[str], start: Mapping[str, float] | None = None) -> Parametrization:
    """The map for `paths`, starting at `start` (default: the nominal values); log for positive
    parameters with a positive start."""
    start = dict(start) if start is not None else nominal_values(flat)
    positive = positive_paths(flat)
    return Parametrization(tuple(
        FitParam(path, float(start[path]), path in positive and float(start[path]) > 0.0) for path in paths
    ))


def port_z0_depends(flat: FlatNetlist, paths: Sequence[str]) -> bool:
    """Whether a port's reference impedance changes with any of `paths`."""
    reach = set(paths)
    for p in flat.params:
        if free_names(p.nominal) & reach:
            reach.add(p.path)
    return any(free_names(z) & reach for _, z in flat.ports)


def s_function(
    flat: FlatNetlist,
    frequency,
    paths: Sequence[str],
    reference_z0=None,
) -> Callable[[Mapping[str, object]], object]:
    """`values -> S (F, P, P)` on `frequency` (Hz), `values` mapping each of `paths` to a value.

    With `reference_z0` (P,), S is referred to those impedances (a measured file's) instead of
    the netlist's port z0; nothing is done where they are already equal.
    """
    import jax.numpy as jnp

    from pmrf_cli.conversions import renormalize_s
    from pmrf_cli.frequency import Frequency
    from pmrf_cli.netlist.build import circuit_builder
    from pmrf_cli.sampling.draws import parameter_function

    build = circuit_builder(flat)
    values_of = parameter_function(flat, seed=None)
    freq = Frequency.from_values(np.asarray(frequency, dtype=np.float64))
    renorm = None
    if reference_z0 is not None:
        ref = np.asarray(reference_z0, dtype=np.float64)
        nominal = nominal_values(flat)
        from pmrf_cli.netlist.expressions import evaluate

        z0 = np.asarray([float(evaluate(z, nominal, np)) for _, z in flat.ports])
        if port_z0_depends(flat, paths) or not np.array_equal(z0, np.broadcast_to(ref, z0.shape)):
            renorm = jnp.asarray(ref)
    chosen = tuple(paths)

    def s_of(values: Mapping[str, object]):
        env = values_of(0, {p: values[p] for p in chosen})
        circuit = build(env)
        s = circuit.s(freq)
        if renorm is not None:
            s = renormalize_s(s, circuit.port_z0(), renorm)
        return s

    return s_of


__all__ = [
    "FitError", "FitParam", "Parametrization", "fittable_paths", "parametrize", "port_z0_depends",
    "positive_paths", "s_function", "select_params",
]
