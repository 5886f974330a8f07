"""What scoring costs: a sweep kernel with and without spec margins and S statistics.

Run by hand: `python benchmarks/specs.py [N]`. For the 5-element LC ladder of
`benchmarks/netlists/ladder5.yaml` on 101 points, it times (best of 3, same process) the
compiled sweep kernel without specs, with three dB specs, with those plus a group-delay spec
(forward mode in frequency), with the block statistics of S (`engine.block_stats`, as every
sweep computes them), and the host's merge of those blocks (`io.statistics`); it prints each as
a ratio to the kernel without specs. The issue's goal: margins cost <= 10 % of the kernel.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)

from pmrf_cli.engine.block_stats import STATS_BLOCK  # noqa: E402
from pmrf_cli.engine.kernel import CPU_TILE_POINTS, SweepPlan, compile_for, make_kernel, padded_indices, sweep_points  # noqa: E402
from pmrf_cli.io.statistics import SAccumulator  # noqa: E402
from pmrf_cli.netlist import flatten, parse_netlist  # noqa: E402
from pmrf_cli.specs.bind import bind_specs  # noqa: E402

HERE = Path(__file__).parent
SPECS = """
specs:
  passband_loss: {measure: dB(S21), band: [10 MHz, 700 MHz], min: -0.5}
  passband_match: {measure: dB(S11), band: [10 MHz, 700 MHz], max: -10}
  rejection: {measure: dB(S21), band: [2 GHz, 3 GHz], max: -35}
"""
GD = "  delay: {measure: gd(S21), band: [10 MHz, 500 MHz], max: 1.5 ns}\n"


def best(fn, repeat: int = 3) -> float:
    t = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        t = min(t, time.perf_counter() - t0)
    return t


def kernel_seconds(text: str, n: int, f=None, **options) -> tuple[float, dict]:
    flat = flatten(parse_netlist(text, "bench.yaml"))
    f = np.geomspace(10e6, 3e9, 101) if f is None else f
    plan = SweepPlan(flat, f, seed=1, per_point=n, specs=bind_specs(flat, f))
    compiled = compile_for(make_kernel(plan, tile_points=CPU_TILE_POINTS, checks=True, **options), n, points=sweep_points(plan))
    idx = padded_indices(0, n, n)
    out = jax.block_until_ready(compiled(idx))
    return best(lambda: jax.block_until_ready(compiled(idx))), out


def table(title: str, base: str, n: int, f=None) -> None:
    """One case's rows: the kernel without specs, with margins, with statistics; host merge."""
    t0, out = kernel_seconds(base, n, f)
    t3, _ = kernel_seconds(base + SPECS, n, f)
    t4, _ = kernel_seconds(base + SPECS + GD, n, f)
    t5, with_blocks = kernel_seconds(base + SPECS, n, f, stats_block=STATS_BLOCK)
    blocks = {k: np.asarray(v) for k, v in with_blocks["blocks"].items()}
    shape = np.asarray(out["s"]).shape[1:]
    t_stats = best(lambda: SAccumulator.empty(shape).merge(blocks))
    print(f"\n{title}, {n} samples, kernel without specs {t0 * 1e6 / n:.2f} us/sample")
    print("| what | time per sample | ratio to the kernel without specs |")
    print("|---|---|---|")
    for label, t in (("kernel, no specs", t0), ("kernel + 3 dB specs", t3), ("kernel + 3 dB specs + gd spec", t4),
                     ("kernel + 3 dB specs + block statistics", t5), ("host merge of the blocks", t_stats)):
        print(f"| {label} | {t * 1e6 / n:.2f} us | {t / t0:.3f} |")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_240
    ladder = (HERE / "netlists" / "ladder5.yaml").read_text()
    ladder = "\n".join(ln for ln in ladder.splitlines() if not ln.startswith("frequency"))
    table("5-element LC ladder, 101 points", ladder, n)
    microstrip = (HERE / "netlists" / "ms_lpf7.yaml").read_text()
    table("7-section microstrip low-pass, 501 points", microstrip, max(n // 10, STATS_BLOCK), np.linspace(10e6, 6e9, 501))


if __name__ == "__main__":
    main()
