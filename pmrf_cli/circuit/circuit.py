"""`Circuit`: components connected at named nodes, itself a `Model` (so circuits nest).

`Circuit.s` picks the solver from the topology, statically, at trace time:

* a 2-port ladder (series parts along a chain from port 1 to port 2, two-terminal shunt parts
  to ground) is evaluated as a cascade of homogeneous ABCD matrices (`circuit.ladder`): a few
  element-wise products per part;
* ports that end inside their component (open or shorted stubs, a coupled pair's open ends, an
  unused port of an S-block; `circuit.terminate`) are folded into it first, for either solver;
* anything else goes to the modified nodal solver (`circuit.assemble`), eliminated by the
  unrolled sparse solver (`circuit.sparse_solve`) or, for systems too large to unroll, by a
  batched dense LU (`circuit.dense_solve`); a port whose node starts a ladder (a coupler's feed
  line, a multiplexer's filter arm) is first moved to the arm's far end and the arm connected to
  the solution afterwards (`circuit.feeds`).

0 Hz points of a grid known at trace time, where the circuit's equations may be singular (a node
floating at DC, a loop of ideal conductors), are solved again by the minimum-norm nodal solution,
which gives the unique port quantities, the limit f -> 0 (`circuit.dc`).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jax import Array

from pmrf_cli.circuit import ladder
from pmrf_cli.circuit.assemble import assemble
from pmrf_cli.circuit.dc import dc_points, may_be_singular_at_dc, solve_ports_min_norm
from pmrf_cli.circuit.cost import LADDER_INLINE_COST
from pmrf_cli.circuit.dense_solve import solve_ports_dense
from pmrf_cli.circuit.feeds import connect, find_feeds, interior
from pmrf_cli.circuit.sparse_solve import make_plan, solve_ports
from pmrf_cli.circuit.topology import Topology, build_topology
from pmrf_cli.circuit.stages import evaluate_components
from pmrf_cli.circuit.reduce import reduce_elements
from pmrf_cli.circuit.terminate import terminate
from pmrf_cli.cplx import Cx, stack_cx
from pmrf_cli.models.base import Model, as_array, freq_array
from pmrf_cli.models.lumped import TwoTerminal
from pmrf_cli.workload import points_evaluated

# Above these sizes the unrolled elimination's program compiled and ran superlinearly while its
# entries were all fused (measured on CPU, batch 100 x 1001 points: a 5-resonator cross-coupled
# filter, 624 ops, ran 25x faster unrolled than dense; at 1368 ops dense won; an 8-port S-block
# with shunt resistors, 4518 ops, took > 200 s to compile unrolled against ~1 s dense). Stored
# rows made it linear; what remains is its compile time, which a small program cannot repay.
MAX_UNROLLED_OPS = 1200
# Stamps given as dense arrays (S-derived: S-parameter blocks, nested circuits) have full complex
# entries; from 4 ports on, their unrolled elimination is 15-100x slower than the dense LU (a
# 4-port block with shunt capacitors, 630 ops: 4.2 s against 0.25 s), so they go dense, unless
# the program states enough points for the cost model below (an 8-port block with series
# inductors and loads, n = 16, 2568 ops: 20.4 against 5.0 us per point, +7 s to compile).
MAX_UNROLLED_ARRAY_PORTS = 3
# A stamp that ties every port to every other (`PortStamp.coupled`: a circulator's admittance)
# makes the unrolled elimination slow to compile from 3 ports on: a circulator with a series
# inductor and a shunt capacitor on each port (64 samples x 201 points) compiled in ~13 s
# unrolled against ~1.3 s dense, for a run time of 0.03-0.09 s against 0.06 s; so it goes dense,
# unless the cost model below finds enough points (the same circuit in a sweep of 10^7 points:
# 700 against 2908 us per sample of 1001 points, for 2.8 s of compile against 0.7 s).
MAX_UNROLLED_COUPLED_PORTS = 2
# A program of unknown size takes the dense LU above this many unknowns. One that states its size
# lets the operations decide (below): a 62-unknown nodal chain (3330 ops) ran 258 us per point
# on the dense LU against 6.6 unrolled, which 10 s more compile time repays from ~4e4 points.
MAX_UNROLLED_UNKNOWNS = 48
# With its rotated rows stored (`sparse_solve.STORED_ABOVE_OPS`) the unrolled elimination grows
# linearly and runs 2-17x faster than the dense LU, whose LAPACK calls also hold one core (a
# 1-to-4 Wilkinson, 3186 ops: 3.0-4.3 against 8.3 ms per sample of 1001 points; 13- and 22-part
# nodal circuits, 1458 and 1944 ops: 0.29 against 3.0 and 0.36 against 6.1 ms), but compiles
# longer, in proportion to its size (9.4-16.6 s against 1.0 s; 4.4 and 5.4 s against 1.1 and
# 1.3 s). So a program that evaluates at least POINTS_PER_OP (sample, frequency) points per
# operation (a sweep says how many: `evaluation_points`) takes it up to MAX_UNROLLED_OPS_LARGE:
# there the run time saved (~3 us per point) repays the compile time.
MAX_UNROLLED_OPS_LARGE = 4000
POINTS_PER_OP = 1000
# The same holds from a few hundred operations on, for a program that states its size: compiled
# cold, the unrolled form took 0.7-3 s longer than the dense LU (a Wilkinson, 456 ops: 1.6 against
# 0.9 s; a microstrip branch-line coupler and a rat-race, 912 ops: 5.5 and 5.4 against 2.5 and
# 2.3 s; the 7-part nodal family, 1134 ops: 4.4 against 1.6 s) to save 1-4 us per point, so
# `pmrf simulate` and small sweeps of such circuits go dense. Below ALWAYS_UNROLLED_OPS the two
# compile alike (a cross-coupled band-pass, 288 ops: 1.8 s both) and the unrolled form runs
# ~20x faster. A program of unknown size (the library's) keeps the MAX_UNROLLED_OPS rule.
ALWAYS_UNROLLED_OPS = 300
# POINTS_PER_OP holds for small systems; the dense LU's run time per point grows with the number
# of unknowns n, as n^1.77 while LAPACK's calls per matrix dominate, then as n^3 (on one core:
# 1.4, 6.0, 11.0, 21.7 us per point for nodal circuits of n = 6, 13, 19, 28 at 1001 points; 258 us
# for n = 62 and 8.5 ms for n = 302 at 301 points; 0.8-6.6 us unrolled), so a large system's
# unrolled form pays much sooner: where the run time it saves over the sweep's points
# (DENSE_S_PER_POINT n^DENSE_EXPONENT + DENSE_S_PER_CUBE n^3 - UNROLLED_S_PER_OP ops, per
# point) exceeds the compile time it costs (UNROLLED_COMPILE_S_PER_OP ops; 2.3-3.4 ms per
# operation measured). A 22-part nodal circuit (n = 28, 1944 ops) then goes unrolled from
# 2.1e5 points, not 1.9e6 (N = 1000 at 301 points: 7.9 s cold instead of 9.3, 0.5 s of run
# time instead of 6.5); a 60-part one (n = 62, 3330 ops) from 6e4.
DENSE_S_PER_POINT = 0.06e-6
DENSE_EXPONENT = 1.77
DENSE_S_PER_CUBE = 3e-10
UNROLLED_S_PER_OP = 2e-9
UNROLLED_COMPILE_S_PER_OP = 3e-3
# By that weighing a large system is unrolled up to this many operations (a 300-part nodal
# chain, n = 302, 16290 ops: 46 s to compile, linear still; 0.3 against 8.5 ms per point).
MAX_UNROLLED_OPS_COSTED = 20000


def dense_seconds_per_point(unknowns: int) -> float:
    """The dense LU's estimated run time per (sample, frequency) point, one core."""
    return DENSE_S_PER_POINT * unknowns ** DENSE_EXPONENT + DENSE_S_PER_CUBE * unknowns ** 3


def unrolled_pays(ops: int, unknowns: int = 0) -> bool:
    """Whether the automatic choice takes an unrolled elimination of `ops` operations
    (`sparse_solve.Plan.ops`) over the dense LU of `unknowns` unknowns, for the program being
    traced: always up to ALWAYS_UNROLLED_OPS; beyond, up to MAX_UNROLLED_OPS_LARGE where the
    program evaluates at least POINTS_PER_OP points per operation (`workload.evaluation_points`),
    and up to MAX_UNROLLED_OPS_COSTED where it evaluates enough points for the run time saved to
    repay the compile time (a large system); where it does not say, up to MAX_UNROLLED_OPS."""
    points = points_evaluated()
    if ops <= ALWAYS_UNROLLED_OPS or (points is None and ops <= MAX_UNROLLED_OPS):
        return True
    if points is None:
        return False
    if ops <= MAX_UNROLLED_OPS_LARGE and points >= POINTS_PER_OP * ops:
        return True
    return repays_compile(ops, unknowns, points)


def repays_compile(ops: int, unknowns: int, points: int) -> bool:
    """Whether the run time an unrolled elimination of `ops` operations saves over the dense LU
    of `unknowns` unknowns, over `points` points, repays its extra compile time (the model above)."""
    saved = dense_seconds_per_point(unknowns) - UNROLLED_S_PER_OP * ops
    return ops <= MAX_UNROLLED_OPS_COSTED and points * saved >= UNROLLED_COMPILE_S_PER_OP * ops


def repayable_ops(unknowns: int, points: int) -> float:
    """The most operations whose extra compile time the dense LU of `unknowns` unknowns, run
    over `points` points, could repay: no unrolled elimination of more can pay by the model
    above (its saving never exceeds the dense LU's whole run time)."""
    return points * dense_seconds_per_point(unknowns) / UNROLLED_COMPILE_S_PER_OP


def plan_limit(unknowns: int) -> int:
    """The most operations worth planning an unrolled elimination of a system of `unknowns`
    unknowns for: MAX_UNROLLED_OPS_COSTED where the program's points could repay more than
    MAX_UNROLLED_OPS_LARGE operations' compile time, else MAX_UNROLLED_OPS_LARGE."""
    points = points_evaluated()
    if points is not None and repayable_ops(unknowns, points) >= MAX_UNROLLED_OPS_LARGE:
        return MAX_UNROLLED_OPS_COSTED
    return MAX_UNROLLED_OPS_LARGE


class Circuit(Model):
    """A circuit of `components` (models) on named nodes, with `ports` at nodes (to ground).

    Build with `Circuit([(name, model, nodes), ...], ports=[...], z0=...)` or a mapping
    `{name: (model, nodes)}`. Ground is `"gnd"` or `"0"`. `z0` is the ports' reference impedance,
    a scalar or one per port. `solver` may force "sparse", "dense" or "mna" (no ladder path).
    """

    components: tuple[Model, ...]
    names: tuple[str, ...] = eqx.field(static=True)
    nodes: tuple[tuple[str, ...], ...] = eqx.field(static=True)
    ports: tuple[str, ...] = eqx.field(static=True)
    solver: str = eqx.field(static=True, default="auto")

    def __init__(
        self,
        components: Sequence[tuple[str, Model, Sequence]] | Mapping[str, tuple[Model, Sequence]],
        ports: Sequence,
        z0=50.0,
        solver: str = "auto",
    ):
        if isinstance(components, Mapping):
            items = [(k, m, n) for k, (m, n) in components.items()]
        else:
            items = [tuple(c) for c in components]
        self.names = tuple(str(k) for k, _, _ in items)
        self.components = tuple(m for _, m, _ in items)
        self.nodes = tuple(tuple(str(x) for x in n) for _, _, n in items)
        self.ports = tuple(str(p) for p in ports)
        self.z0 = as_array(z0)
        if solver not in ("auto", "sparse", "dense", "mna"):
            raise ValueError(f"unknown solver {solver!r}")
        self.solver = solver
        self.topology()  # validate now: bad node counts and dangling ports fail at construction

    @property
    def nports(self) -> int:
        return len(self.ports)

    def topology(self) -> Topology:
        """The static node numbering and placements."""
        return build_topology(
            self.nodes,
            tuple(m.nports for m in self.components),
            tuple(isinstance(m, TwoTerminal) for m in self.components),
            self.ports,
            self.names,
        )

    def is_ladder(self) -> bool:
        """True when `s` takes the ABCD-cascade fast path (a 2-port ladder, solver "auto")."""
        if self.solver != "auto":
            return False
        topo, components = self._solved()
        return ladder.find_ladder(topo, components) is not None

    def _solved(self) -> tuple[Topology, tuple]:
        """The topology and components the regular solvers see: with solver "auto", elements
        in series and in parallel combined (`circuit.reduce`), then ports that end inside their
        component folded into it (`circuit.terminate`)."""
        topo, components = self.topology(), self.components
        if self.solver == "auto":
            topo, components = reduce_elements(topo, components) or (topo, components)
            topo, components = terminate(topo, components) or (topo, components)
        return topo, components

    def component(self, name: str) -> Model:
        """The component called `name`."""
        return self.components[self.names.index(name)]

    def with_params(self, **values) -> "Circuit":
        """A copy with component parameters replaced: `with_params(**{"L1.L": 8e-9})` or
        `with_params(L1={"L": 8e-9})`."""
        new = self
        for key, val in values.items():
            if isinstance(val, Mapping):
                updates = {key: val}
            elif "." in key:
                comp, field = key.split(".", 1)
                updates = {comp: {field: val}}
            else:
                raise AttributeError(f"use 'component.field' to name a circuit parameter, not {key!r}")
            for comp, fields in updates.items():
                if comp not in new.names:
                    raise AttributeError(f"circuit has no component {comp!r}")
                i = new.names.index(comp)
                changed = new.components[i].with_params(**fields)
                new = eqx.tree_at(lambda c: c.components[i], new, changed)
        return new

    def s(self, freq) -> Array:
        f = freq_array(freq)
        topo = self.topology()
        z0 = self.port_z0()
        dc = dc_points(f)
        if dc is None or not may_be_singular_at_dc(topo, self.components):
            return self._s_regular(freq, z0)
        # the regular solution is not taken at the 0 Hz points at all: where its equations are
        # singular, its values there, even overwritten, would make the derivatives NaN (0 x inf)
        s_dc = self._s_dc(dc.size, topo, z0)
        rest = np.setdiff1d(np.arange(np.shape(f)[0]), dc)
        if rest.size == 0:
            return s_dc
        s_rest = self._s_regular(np.asarray(f)[rest], z0)
        s = jnp.zeros((np.shape(f)[0],) + s_rest.shape[1:], s_rest.dtype)
        return s.at[rest].set(s_rest).at[dc].set(s_dc.astype(s_rest.dtype))

    def _stamps(self, freq, topo: Topology, components=None, extra=()) -> tuple:
        """The components' port stamps on `topo`, evaluated in one stage with the `extra` calls
        ((method, model): an arm's chain forms, inlined where cheap as in a ladder), whose
        results follow them."""
        components = self.components if components is None else components
        return tuple(evaluate_components(
            [("element_stamp" if pl.element else "stamp", m) for m, pl in zip(components, topo.placements)]
            + list(extra),
            freq,
            inline_below=[None] * len(components) + [LADDER_INLINE_COST] * len(extra),
        ))

    def _s_dc(self, count: int, topo: Topology, z0) -> Array:
        """S at `count` 0 Hz points from the minimum-norm nodal solution (see `circuit.dc`)."""
        system = assemble(topo, self._stamps(np.zeros(count), topo), z0)
        zt = solve_ports_min_norm(system, count)
        g = jnp.sqrt(1.0 / z0)
        return 2 * g[:, None] * zt * g[None, :] - jnp.eye(self.nports, dtype=zt.dtype)

    def _s_regular(self, freq, z0) -> Array:
        f = freq_array(freq)
        topo, components = self._solved()
        feeds = ()
        if self.solver == "auto":
            chain = ladder.find_ladder(topo, components)
            if chain is not None:
                return ladder.evaluate(chain, components, freq, z0)
            feeds = find_feeds(topo)
        if feeds:  # the interior's stamps and the arms' chain forms in one stage (shared media)
            links = tuple(link for fd in feeds for link in fd.links)
            calls = ladder.link_calls(links, components)
            gone = {link.index for link in links}
            topo = interior(topo, feeds)
            components = [m for i, m in enumerate(components) if i not in gone]
            evaluated = self._stamps(freq, topo, components, calls)
            stamps, start = evaluated[:len(components)], len(components)
            arms = []
            for fd in feeds:
                parts = evaluated[start:start + len(fd.links)]
                start += len(fd.links)
                arms.append(ladder.links_to_s(fd.links, parts, z0[fd.port], z0[fd.port], freq))
            return connect(self._s_nodal(topo, stamps, f, z0), feeds, arms)
        return self._s_nodal(topo, self._stamps(freq, topo, components), f, z0)

    def _s_nodal(self, topo: Topology, stamps: tuple, f, z0) -> Array:
        """S from the modified nodal system of `topo` with the components' `stamps`: the
        unrolled elimination or the dense LU, as the cost model chooses."""
        system = assemble(topo, stamps, z0)
        # dense S-blocks and coupled stamps compile slowly unrolled: only the cost model takes them
        heavy = _array_ports(stamps) > MAX_UNROLLED_ARRAY_PORTS or _coupled_ports(stamps) > MAX_UNROLLED_COUPLED_PORTS
        points = points_evaluated()
        dense = self.solver == "dense" or (
            self.solver != "sparse" and (system.n > MAX_UNROLLED_UNKNOWNS or heavy)
            # not even planned where no elimination beyond the always-unrolled size could pay
            # (a 64-port S-block in `pmrf simulate`)
            and (points is None or repayable_ops(system.n, points) < ALWAYS_UNROLLED_OPS)
        )
        if not dense:
            plan = make_plan(system, None if self.solver == "sparse" else plan_limit(system.n))
            if plan is None:
                dense = True
            elif self.solver != "sparse":
                pays = repays_compile(plan.ops, system.n, points) if heavy else unrolled_pays(plan.ops, system.n)
                dense = not pays
        nf = int(np.shape(f)[0])
        if dense:
            zt = solve_ports_dense(system, nf)
        else:
            zt = solve_ports(system, plan)
            g = [Cx(jnp.sqrt(1.0 / z0[i])) for i in range(self.nports)]
            s = [
                [zt[i][j] * g[i] * g[j] * 2.0 - (1.0 if i == j else 0.0) for j in range(self.nports)]
                for i in range(self.nports)
            ]
            return stack_cx(s, (nf,))
        g = jnp.sqrt(1.0 / z0)
        return 2 * g[:, None] * zt * g[None, :] - jnp.eye(self.nports, dtype=zt.dtype)


def _coupled_ports(stamps) -> int:
    """The largest port count among stamps marked `coupled`."""
    return max((st.nports for st in stamps if st.coupled), default=0)


def _array_ports(stamps) -> int:
    """The largest port count among stamps whose relations are dense arrays (not `Cx` lists)."""
    return max(
        (st.nports for st in stamps if not isinstance(st.m if st.m is not None else st.y, (list, tuple))),
        default=0,
    )
