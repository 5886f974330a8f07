"""Unrolled sparse Gaussian elimination with partial pivoting, on whole arrays.

The nodal systems of RF circuits are small (tens of unknowns) and sparse, and there are millions
of them (batch x frequency). A batched `jnp.linalg.solve` pays ~1 us per tiny system on CPU;
instead each matrix entry here is one array over every (sample, frequency) point, and the
elimination is written out at trace time as element-wise array arithmetic that XLA fuses. The
symbolic structure (which entries can be non-zero) is known statically, so structural zeros cost
nothing; the column order is chosen greedily to keep fill-in small (Markowitz-style).

Stability without branches: in each column the candidates are the rows with a structural non-zero
there (static). Where there are several, they are combined by complex Givens rotations,
[p; e] = [conj(a), conj(b); -b, a] / sqrt(|a|^2 + |b|^2) [row_a; row_b], which zeroes the column
in `e` and leaves `p` with pivot sqrt(|a|^2 + |b|^2) > 0 at every point where either entry is
non-zero. Rotations are orthogonal, so this is as stable as QR and needs no pivot choice: ideal
parts (a 0-ohm branch, an ideal transformer, a half-wave line, a lossless resonator) never meet
a vanishing pivot. Measured on this CPU, it runs ~4x faster than partial pivoting by element-wise
row swaps (`jnp.where`), which defeats XLA's fusion, and ~2.4x slower than no pivoting at all.
Single-candidate columns are eliminated directly: their pivot is the only non-zero left, so a
zero there means the circuit itself is singular.

Only the port-node voltages are needed: port columns are eliminated last, so back substitution
runs over the P port unknowns alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax

from pmrf_cli.circuit.assemble import System
from pmrf_cli.cplx import Cx, is_array, stored
from pmrf_cli.workload import is_large, points_evaluated


# see `_rotate`: far above underflow (so the derivatives of rsqrt(s2 + floor) stay finite where
# s2 = 0) and far below any entry that matters (relative perturbation floor / s2)
_FLOOR = 1e-150


def _nudge(x: Cx, g) -> Cx:
    """x + g (g real) added to a part of x that is already non-zero, so x keeps its structure
    (a purely imaginary x stays purely imaginary: + j g)."""
    if x.re is not None:
        return Cx(x.re + g, x.im)
    if x.im is not None:
        return Cx(None, x.im + g)
    return Cx(g)


def _rotate(a: dict, b: dict, col: int) -> tuple[dict, dict]:
    """Givens-rotate rows a and b (dicts col -> Cx) so that b's entry in `col` becomes zero."""
    al, be = a[col], b[col]
    s2 = Cx(al.abs2()) + Cx(be.abs2())
    if s2.re is None or isinstance(s2.re, (int, float)):
        if not s2.re:  # both exactly zero: nothing to rotate
            return a, b
        inv = Cx(s2.re ** -0.5)
        c1, c2 = al.conj() * inv, be.conj() * inv
        d1, d2 = be * inv, al * inv
        s = c1 * al + c2 * be
    else:
        # where both entries vanish at a point (a structural non-zero that is numerically zero
        # there), the rotation must keep both rows: g = floor / (s2 + floor) is 1 there (and
        # negligible wherever |entries| >> 1e-75), so c1 and d2 become unit-modulus and the
        # rotation a diagonal scaling of the two rows. Branch-free arithmetic rather than
        # `jnp.where`, and added to a part that is already non-zero, so the real/imaginary
        # structure of the entries survives: `where` selects cost up to ~50x in run time on
        # nodal circuits (XLA fusion), and the lost structure several times more.
        r = jax.lax.rsqrt(s2.re + _FLOOR)
        g = _FLOOR * r * r
        inv = Cx(r)
        c1, c2 = _nudge(al.conj() * inv, g), be.conj() * inv
        d1, d2 = be * inv, _nudge(al * inv, -g)
        s = Cx(s2.re * r)
    na, nb = {col: s}, {}
    for k in set(a) | set(b):
        if k == col:
            continue
        va, vb = a.get(k), b.get(k)
        if va is None:
            na[k], nb[k] = c2 * vb, -(d2 * vb)
        elif vb is None:
            na[k], nb[k] = c1 * va, d1 * va
        else:
            na[k], nb[k] = c1 * va + c2 * vb, d1 * va - d2 * vb
    return na, nb


@dataclass(frozen=True)
class Plan:
    """A static elimination order and its cost (element-wise operations)."""

    order: tuple[int, ...]
    ops: int


def structure(system: System) -> list[set[int]]:
    """Column sets of every row, right-hand-side columns numbered n + p."""
    rows: list[set[int]] = [set() for _ in range(system.n)]
    for blk in system.blocks:
        for r, c in zip(blk.rows.tolist(), blk.cols.tolist()):
            rows[r].add(c)
    for p, node in enumerate(system.port_nodes):
        rows[node].add(system.n + p)
    return rows


def make_plan(system: System, max_ops: int | None = None) -> Plan | None:
    """Choose the elimination order: internal unknowns greedily by least fill, ports last.
    Returns None as soon as the cost passes `max_ops` (the system is then better solved dense)."""
    rows = [set(r) for r in structure(system)]
    active = set(range(system.n))
    ports = list(dict.fromkeys(system.port_nodes))
    internal = [c for c in range(system.n) if c not in set(ports)]
    order: list[int] = []
    ops = 0

    def cost(col):
        cands = [r for r in active if col in rows[r]]
        if not cands:
            return None, cands, set()
        union = set().union(*(rows[r] for r in cands))
        return (len(cands) - 1) * len(union), cands, union

    remaining = list(internal)
    while remaining or ports:
        pool = remaining if remaining else ports
        best = None
        for col in pool:
            c, cands, union = cost(col)
            if c is None:
                raise ValueError(f"singular circuit: unknown {col} has no equation left")
            if best is None or c < best[0]:
                best = (c, col, cands, union)
            if c == 0:
                break
        c, col, cands, union = best
        ops += 6 * c
        if max_ops is not None and ops > max_ops:
            return None
        piv = cands[0]
        for r in cands:
            rows[r] = set(union)
        for r in cands[1:]:
            rows[r].discard(col)
        active.discard(piv)
        pool.remove(col)
        order.append(col)
    return Plan(tuple(order), ops)


def _numeric_rows(system: System) -> list[dict]:
    rows: list[dict] = [dict() for _ in range(system.n)]
    for blk in system.blocks:
        for k, (r, c) in enumerate(zip(blk.rows.tolist(), blk.cols.tolist())):
            v = blk.entry(k)
            rows[r][c] = rows[r][c] + v if c in rows[r] else v
    for p, node in enumerate(system.port_nodes):
        rows[node][system.n + p] = Cx(system.port_rhs)
    return rows


#: Above this cost (`Plan.ops`), every rotated row is computed to memory after its column (each
#: entry `cplx.stored`). Fused, each entry repeats the rotations behind it, and the program grows
#: much faster than the elimination: a microstrip rat-race (8 unknowns, 912 ops) compiled in
#: 8.6 s with 55k lines of optimised HLO, against 4.6-5.1 s and 30k stored, and ran 1.6-1.7 ms
#: against 1.2 ms per sample. Below it the fused form runs up to 10 % faster (a Wilkinson divider,
#: 456 ops: 27-30 against 30-33 ms per 128 samples).
STORED_ABOVE_OPS = 600
#: Above this cost, rows are stored too in a program that states it is not large (a sweep of
#: fewer than `workload.LARGE_PROGRAM_POINTS` points, `pmrf simulate`): there the fused form's
#: size costs more than its speed gives back. A Wilkinson divider with toleranced line lengths
#: (456 ops), fused against stored: 16.2k against 10.5k lines of optimised HLO, 2.0 against
#: 1.7 s to compile, 273 against 172 ms to load from the compilation cache in every warm run,
#: for 384 against 417-432 us per sample of 1001 points (N = 1000: 1e6 points, ~0.04 s more).
STORED_ABOVE_OPS_STATED = 300


def _stored_row(row: dict) -> dict:
    """`row` with each array part of its entries computed once, to memory (`cplx.stored`)."""
    def entry(v: Cx) -> Cx:
        ref = v.re if is_array(v.re) else v.im
        if not is_array(ref):
            return v
        return Cx(*(stored((p,), ref)[0] if is_array(p) else p for p in (v.re, v.im)))

    return {k: entry(v) for k, v in row.items()}


def _stated_not_large() -> bool:
    """Whether the program being traced states its size and is not large (`workload`)."""
    points = points_evaluated()
    return points is not None and not is_large(points)


def solve_ports(system: System, plan: Plan):
    """Solve for the port-node voltages under unit port currents: returns Zt as a P x P nested
    list of `Cx` entries."""
    n, nports = system.n, len(system.port_nodes)
    rows = _numeric_rows(system)
    active = set(range(n))
    pivots: list[tuple[int, dict]] = []
    port_cols = set(system.port_nodes)
    store = plan.ops > STORED_ABOVE_OPS or (plan.ops > STORED_ABOVE_OPS_STATED and _stated_not_large())
    for col in plan.order:
        cands = [r for r in sorted(active) if col in rows[r]]
        piv = cands[0]
        for r in cands[1:]:
            rows[piv], rows[r] = _rotate(rows[piv], rows[r], col)
        if store and len(cands) > 1:
            for r in cands:
                rows[r] = _stored_row(rows[r])
        prow = rows[piv]
        active.discard(piv)
        if col in port_cols:
            pivots.append((col, prow))
    # back substitution over port unknowns only
    x: dict[int, list] = {}
    for col, prow in reversed(pivots):
        inv = prow[col].inv()
        sol = []
        for p in range(nports):
            acc = prow.get(n + p, Cx())
            for k, v in prow.items():
                if k != col and k < n:
                    acc = acc - v * x[k][p]
            sol.append(acc * inv)
        x[col] = sol
    return [[x[node][p] for p in range(nports)] for node in system.port_nodes]
