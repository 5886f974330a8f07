"""Compile-time benchmark (issue 8): run by hand, `python benchmarks/compile.py [--sizes 5,10,20]`.

For netlists a user would write, at k = 5, 10 and 20 components, prints the cold compile time of
the sweep kernel as `pmrf sweep --batch 1000` builds it (trace + lower, then XLA with pmrf's
options for its size; no persistent cache), its growth against k = 5, the same for the
one-sample kernel of `pmrf simulate` (a small program: compiled without LLVM's optimisations,
`engine.compiled`), and the wall time of `pmrf simulate` in a fresh
process with a cold and with a warm compilation cache, beside `python -c "import jax"` (the
reference: what any JAX program pays before its first line of work).

Families: `lc` (an LC low-pass ladder), `ms` (a stepped-impedance microstrip low-pass: sections
alternate two widths, so they share two media), `nodal` (a chain of lossy-line tees with shunt
resistors to ground and a resistor across each tee: the nodal solver, three ports).

A sweep's kernel is compiled for its size, so its compile time is not the whole story: from about
20 parts, the nodal family's N=1000 kernel takes the unrolled elimination (`circuit.unrolled_pays`:
~5 s more compile, ~6 s less run time at 301 points), where a smaller sweep or `pmrf simulate`
keeps the dense LU.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = "frequency: {start: 10 MHz, stop: 3 GHz, points: 301}\n"


def lc(k: int) -> str:
    """An LC low-pass ladder of k parts (series L, shunt C alternating), every value toleranced."""
    lines = [HEADER, "parameters:\n  L: {value: 8 nH, tolerance: 5%}\n  C: {value: 3 pF, tolerance: 5%}\n",
             "components:\n"]
    node = 0
    for i in range(k):
        if i % 2 == 0:
            lines.append(f"  L{i}: {{type: inductor, nodes: [n{node}, n{node + 1}], L: L}}\n")
            node += 1
        else:
            lines.append(f"  C{i}: {{type: capacitor, nodes: [n{node}, gnd], C: C}}\n")
    lines.append(f"ports: [n0, n{node}]\n")
    return "".join(lines)


def ms(k: int) -> str:
    """A stepped-impedance microstrip low-pass of k sections on FR-4 (er, h toleranced)."""
    lines = [HEADER, "parameters:\n  er: {value: 4.4, tolerance: 5%}\n  h: {value: 0.8 mm, tolerance: 5%}\n",
             "components:\n"]
    for i in range(k):
        w = "5.5 mm" if i % 2 == 0 else "0.3 mm"
        length = f"{4 + (i % 3)} mm"
        lines.append(f"  T{i}: {{type: microstrip, nodes: [n{i}, n{i + 1}], w: {w}, h: h, er: er, t: 35 um, "
                     f"tand: 0.02, length: {length}}}\n")
    lines.append(f"ports: [n0, n{k}]\n")
    return "".join(lines)


def nodal(k: int) -> str:
    """About k components: lossy lines from a spine of nodes to ground resistors and across."""
    lines = [HEADER, "parameters:\n  Z: {value: 50 ohm, tolerance: 5%}\n  R: {value: 100 ohm, tolerance: 5%}\n",
             "components:\n"]
    n = 0
    i = 0
    while n < k:
        lines.append(f"  T{i}: {{type: tline, nodes: [a{i}, a{i + 1}], z0: Z, length: 20 mm, er: 2, loss: 1}}\n")
        lines.append(f"  S{i}: {{type: tline, nodes: [a{i + 1}, b{i}], z0: Z, length: 10 mm, er: 2, loss: 1}}\n")
        lines.append(f"  R{i}: {{type: resistor, nodes: [b{i}, gnd], R: R}}\n")
        n += 3
        i += 1
    lines.append(f"  X: {{type: resistor, nodes: [a0, a{i}], R: R}}\n")
    lines.append(f"ports: [a0, a{i}, b0]\n")
    return "".join(lines)


FAMILIES = {"lc": lc, "ms": ms, "nodal": nodal}


def kernel_compile(path: Path, samples: int) -> tuple[float, float, int]:
    """(trace + lower seconds, XLA compile seconds, components) of the kernel of a sweep of
    `samples` samples (1: `pmrf simulate`'s), compiled for its size as the CLI does, no cache."""
    from pmrf_cli.engine.kernel import CPU_TILE_POINTS, SweepPlan, make_kernel, padded_indices, sweep_points
    from pmrf_cli.engine.compiled import compile_lowered
    from pmrf_cli.netlist import flatten, load_netlist

    flat = flatten(load_netlist(str(path)))
    plan = SweepPlan(flat, flat.frequency_hz, seed=1 if samples > 1 else None, per_point=samples)
    chunk = min(samples, 512)
    t0 = time.perf_counter()
    kernel = make_kernel(plan, tile_points=CPU_TILE_POINTS if samples > 1 else None, checks=samples > 1)
    lowered = kernel.lower(padded_indices(0, chunk, chunk))
    t1 = time.perf_counter()
    compile_lowered(lowered, "cpu", sweep_points(plan))
    return t1 - t0, time.perf_counter() - t1, len(flat.components)


def wall(cmd: list[str], env: dict) -> float:
    """Wall seconds of a command in a fresh process (best of 3)."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="5,10,20", help="component counts, comma-separated")
    ap.add_argument("--families", default=",".join(FAMILIES), help="lc, ms, nodal")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]

    import jax

    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_enable_compilation_cache", False)
    env = dict(os.environ)
    t_import = wall([sys.executable, "-c", "import jax"], env)
    pmrf = [sys.executable, "-c", "from pmrf_cli.cli.app import main; main()"]
    print(f"jax {jax.__version__}, {os.cpu_count()} cores; `python -c 'import jax'`: {t_import:.2f} s\n")
    print("| family | components | sweep N=1000: trace+lower | XLA compile | total | growth vs first | "
          "simulate's kernel: trace+lower | XLA compile | simulate cold | simulate warm | warm - import jax |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for family in args.families.split(","):
            base = None
            for k in sizes:
                path = Path(tmp) / f"{family}{k}.yaml"
                path.write_text(FAMILIES[family](k))
                t_lower, t_xla, ncomp = kernel_compile(path, 1000)
                s_lower, s_xla, _ = kernel_compile(path, 1)
                total = t_lower + t_xla
                base = base or total
                cold = wall([*pmrf, "simulate", str(path)], dict(env, PMRF_NO_CACHE="1"))
                cache = Path(tmp) / f"cache-{family}{k}"
                warm_env = dict(env, PMRF_CACHE_DIR=str(cache))
                subprocess.run([*pmrf, "simulate", str(path)], env=warm_env, check=True, capture_output=True)
                warm = wall([*pmrf, "simulate", str(path)], warm_env)
                print(f"| {family} | {ncomp} | {t_lower:.2f} s | {t_xla:.2f} s | {total:.2f} s | "
                      f"{total / base:.2f} | {s_lower:.2f} s | {s_xla:.2f} s | {cold:.2f} s | {warm:.2f} s | "
                      f"{warm - t_import:+.2f} s |", flush=True)


if __name__ == "__main__":
    main()
