"""Sweep benchmark (issue 4): run by hand, `python benchmarks/sweep.py [--quick] [--cases A,B] [--rss]`.

The cases (`CASES`: netlist in benchmarks/netlists/, N, and the issue's end-to-end target ratio):

* ladder5: 5th-order LC low-pass ladder, 1001 points, N=10000, >= 25x;
* wilkinson: 1 GHz Wilkinson divider (theta/f0 lines), 1001 points, N=1000;
* bpf: 3-resonator coupled band-pass (a ladder), 1001 points, N=1000;
* ms_lpf7: 7-section stepped-impedance microstrip low-pass on FR-4, er and h +-5 %, 501 points
  10 MHz-6 GHz, N=1000, >= 15x;
* wilkinson_len: the Wilkinson with toleranced physical line lengths, 1001 points, N=1000, >= 10x;
* bpf_cross: bpf with a 1-3 cross-coupling capacitor (nodal solver), 1001 points, N=1000, >= 20x;
* elliptic7: 7th-order elliptic low-pass with parallel LC tanks in its series arms (a ladder once
  the tanks are combined, `circuit.reduce`), 1001 points, N=10000; scikit-rf cascades the tanks
  as series impedances (`resistor` with the tank's Z), its fastest form.

For each case, complex128, every scikit-rf reference on the netlist's own frequency grid:

1. the in-process steady-state kernel time (the sweep kernel as `pmrf sweep` builds it, with its
   range checks, compiled by `engine.kernel.compile_for` with pmrf's XLA options, called once on
   the whole batch) and its ratio to a scikit-rf loop over the same samples, in this process;
   the samples' values come from the kernel, so both sides evaluate the same circuits, and
   max |S_pmrf - S_skrf| over the timed subset is printed;
2. `pmrf sweep` end to end in a fresh process (start to file closed), split into phases
   (PMRF_TIMINGS): cold (empty compilation cache) and warm (cache filled by the cold run) on all
   cores, and warm pinned to one core (after a run that fills the cache for its chunk shape), each
   with its ratio to the scikit-rf loop; PASS/MISS compares the warm all-cores ratio with the
   issue's target (with --quick, N is 10x smaller, so fixed start-up costs weigh 10x more and
   the verdicts understate the full-N ratios);
3. a Markdown table of all of it, to paste into a closing note;
4. with --rss: peak RSS of `pmrf sweep` on ladder5 at N = 10^6 (on a 101-point grid to keep the
   file at 6.5 GB; the memory bound does not depend on N).

The scikit-rf loop is timed on a subset of samples and scaled linearly (it is linear in N).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
C0 = 299792458.0
#: case -> (N, the issue's end-to-end target ratio vs scikit-rf, None where it sets none)
CASES: dict[str, tuple[int, float | None]] = {
    "ladder5": (10000, 25.0),
    "wilkinson": (1000, None),
    "bpf": (1000, None),
    "ms_lpf7": (1000, 15.0),
    "wilkinson_len": (1000, 10.0),
    "bpf_cross": (1000, 20.0),
    "elliptic7": (10000, None),
}


def _bpf(p: dict, freq, cross: bool):
    """The 3-resonator band-pass in nodal form (as scikit-rf users build coupled-resonator
    filters), with the 1-3 cross-coupling capacitor `Cx13` when `cross`."""
    import skrf

    med = skrf.media.DefinedGammaZ0(freq)
    C = skrf.circuit.Circuit
    ports = [C.Port(freq, "port1", z0=50), C.Port(freq, "port2", z0=50)]
    parts = {k: med.capacitor(p[k], name=k) for k in ("Cin", "Ck1", "Ck2", "Cout")}
    shunts = [(med.inductor(p[f"Lr{i}"], name=f"L{i}"), med.capacitor(p[f"Cr{i}"], name=f"C{i}")) for i in (1, 2, 3)]
    grounds = [C.Ground(freq, f"gnd{i}", z0=50) for i in range(6)]
    cnx = [[(ports[0], 0), (parts["Cin"], 0)]]
    nodes = [[(parts["Cin"], 1), (parts["Ck1"], 0)], [(parts["Ck1"], 1), (parts["Ck2"], 0)],
             [(parts["Ck2"], 1), (parts["Cout"], 0)]]
    if cross:
        cx = med.capacitor(p["Cx13"], name="Cx13")
        nodes[0].append((cx, 0))
        nodes[2].append((cx, 1))
    for i, (lr, cr) in enumerate(shunts):
        cnx.append([*nodes[i], (lr, 0), (cr, 0)])
        cnx.append([(lr, 1), (grounds[2 * i], 0)])
        cnx.append([(cr, 1), (grounds[2 * i + 1], 0)])
    cnx.append([(parts["Cout"], 1), (ports[1], 0)])
    return C(cnx).network


def _wilkinson(p: dict, freq, l2: float, l3: float):
    """The Wilkinson divider with air lines (er = 1) of lengths l2, l3 (m)."""
    import skrf

    gamma = 1j * 2 * np.pi * freq.f / C0  # DefinedGammaZ0's default gamma is a constant 1j
    tl2 = skrf.media.DefinedGammaZ0(freq, z0_port=50, z0=p["Z2"], gamma=gamma).line(l2, "m", name="tl2")
    tl3 = skrf.media.DefinedGammaZ0(freq, z0_port=50, z0=p["Z3"], gamma=gamma).line(l3, "m", name="tl3")
    r = skrf.media.DefinedGammaZ0(freq).resistor(p["R"], name="r")
    ports = [skrf.circuit.Circuit.Port(freq, f"port{i}", z0=50) for i in (1, 2, 3)]
    cnx = [[(ports[0], 0), (tl2, 0), (tl3, 0)], [(tl2, 1), (r, 0), (ports[1], 0)], [(tl3, 1), (r, 1), (ports[2], 0)]]
    return skrf.circuit.Circuit(cnx).network


def skrf_network(case: str, p: dict, freq):
    """The scikit-rf network of one sample (the reference implementation); `p` holds every
    parameter of the netlist (fixed ones too) at that sample."""
    import skrf

    if case == "ladder5":
        med = skrf.media.DefinedGammaZ0(freq)
        return (med.inductor(p["L1"]) ** med.shunt_capacitor(p["C2"]) ** med.inductor(p["L3"])
                ** med.shunt_capacitor(p["C4"]) ** med.inductor(p["L5"]))
    if case in ("bpf", "bpf_cross"):
        return _bpf(p, freq, cross=case == "bpf_cross")
    if case == "wilkinson":
        quarter = 0.25 * C0 / 1e9
        return _wilkinson(p, freq, quarter, quarter)
    if case == "wilkinson_len":
        return _wilkinson(p, freq, p["la"], p["lb"])
    if case == "elliptic7":
        med = skrf.media.DefinedGammaZ0(freq)
        w = 2 * np.pi * freq.f

        def tank(k):
            return med.resistor(1j * w * p[f"L{k}"] / (1 - w * w * p[f"L{k}"] * p[f"C{k}"]))

        return (med.shunt_capacitor(p["C1"]) ** tank(2) ** med.shunt_capacitor(p["C3"]) ** tank(4)
                ** med.shunt_capacitor(p["C5"]) ** tank(6) ** med.shunt_capacitor(p["C7"]))
    if case == "ms_lpf7":
        # pmrf's Microstrip reproduces MLine's defaults (hammerstadjensen, kirschningjansen) with a
        # frequency-invariant permittivity, conductivity sigma (rho = 1/sigma) and no roughness
        def medium(w):
            return skrf.media.MLine(freq, z0_port=50, w=w, h=p["h"], t=p["t"], ep_r=p["er"], tand=p["tand"],
                                    rho=1 / p["sigma"], rough=0.0, diel="frequencyinvariant")

        lo, hi = medium(p["Wlo"]), medium(p["Whi"])
        lengths = [p["len1"], p["len2"], p["len3"], p["len4"], p["len3"], p["len2"], p["len1"]]
        net = lo.line(lengths[0], "m")
        for k, ln in enumerate(lengths[1:], start=1):
            net = net ** (hi if k % 2 else lo).line(ln, "m")
        return net
    raise ValueError(case)


def skrf_loop_seconds(case: str, params: dict, n_total: int, subset: int, f_hz: np.ndarray) -> tuple[float, np.ndarray]:
    """Seconds for the scikit-rf loop over n_total samples (timed on `subset`), and its S."""
    import skrf

    freq = skrf.Frequency.from_f(f_hz, unit="Hz")
    k = min(subset, n_total)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-rf's skin-depth and similar warnings
        t0 = time.perf_counter()
        out = [skrf_network(case, {name: v[i] for name, v in params.items()}, freq).s for i in range(k)]
        dt = time.perf_counter() - t0
    return dt * n_total / k, np.asarray(out)


def kernel_seconds(case: str, n: int):
    """Steady-state in-process time of the sweep kernel over all n samples (best of 3), on one
    thread: the program `pmrf sweep` compiles (range checks and statistics blocks included,
    pmrf's compiler options, its part size), called on each part in turn."""
    import jax

    from pmrf_cli.engine.block_stats import STATS_BLOCK
    from pmrf_cli.engine.kernel import (
        CPU_TILE_POINTS,
        SweepPlan,
        compile_for,
        make_kernel,
        padded_indices,
        part_samples,
        sweep_points,
    )
    from pmrf_cli.netlist import flatten, load_netlist

    flat = flatten(load_netlist(str(HERE / "netlists" / f"{case}.yaml")))
    plan = SweepPlan(flat, flat.frequency_hz, seed=1, per_point=n)
    platform = jax.default_backend()
    tile_points = CPU_TILE_POINTS if platform == "cpu" else None
    kernel = make_kernel(plan, tile_points=tile_points, checks=True, stats_block=STATS_BLOCK)
    part = part_samples(plan, tile_points, STATS_BLOCK) or -(-n // STATS_BLOCK) * STATS_BLOCK
    parts = [padded_indices(k, min(part, n - k), part) for k in range(0, n, part)]
    t0 = time.perf_counter()
    compiled = compile_for(kernel, part, platform, sweep_points(plan))
    t_compile = time.perf_counter() - t0
    best = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        outs = [compiled(p) for p in parts]
        jax.block_until_ready(outs)
        best = min(best, time.perf_counter() - t0)
    values = {k: np.concatenate([np.asarray(o["values"][k]) for o in outs])[:n] for k in outs[0]["values"]}
    s = np.concatenate([np.asarray(o["s"]) for o in outs])[:n]
    ok = np.concatenate([np.asarray(o["ok"]) for o in outs])[:n]
    if not np.asarray(ok).all():
        raise RuntimeError(f"{case}: {int((~np.asarray(ok)).any(axis=1).sum())} samples fail pmrf's range checks")
    return t_compile, best, {k: np.asarray(v) for k, v in values.items()}, np.asarray(s), np.asarray(flat.frequency_hz)


def cli_run(case: str, n: int, cache_dir: str, extra=(), freq=None, one_core: bool = False) -> dict:
    """Run `pmrf sweep` in a fresh process; returns wall time, phase timings and peak RSS."""
    out = Path(tempfile.mkdtemp()) / "mc.h5"
    cmd = [sys.executable, "-c", "from pmrf_cli.cli.app import main; main()", "sweep",
           str(HERE / "netlists" / f"{case}.yaml"), "--batch", str(n), "--seed", "1", "-o", str(out), "-q", *extra]
    if freq:
        cmd += ["--freq", freq]
    env = dict(os.environ, PMRF_TIMINGS="1", PMRF_CACHE_DIR=cache_dir)
    t0 = time.perf_counter()
    if one_core:  # pinned to one core: a true one-core run, XLA's threads too
        cmd = ["taskset", "-c", str(min(os.sched_getaffinity(0))), *cmd]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # MiB (max over children so far)
    if proc.returncode != 0:
        raise RuntimeError(f"pmrf sweep {case} failed ({proc.returncode}):\n{proc.stderr}")
    phases = dict(re.findall(r"(\w[\w+]*)=([0-9.]+)s", proc.stderr))
    out.unlink()
    out.parent.rmdir()
    return {"wall": wall, "phases": phases, "rss_mib": rss}


def run_case(case: str, n: int, subset: int) -> dict:
    """Every measurement of one case."""
    t_compile, t_kernel, values, s, f_hz = kernel_seconds(case, n)
    t_skrf, s_ref = skrf_loop_seconds(case, values, n, subset, f_hz)
    err = float(np.abs(s[: len(s_ref)] - s_ref).max())
    with tempfile.TemporaryDirectory() as cache:
        cold = cli_run(case, n, cache)
        warm = cli_run(case, n, cache)
        cli_run(case, n, cache, one_core=True)  # fills the cache for the one-core chunk shape
        one = cli_run(case, n, cache, one_core=True)
    return dict(case=case, n=n, points=len(f_hz), skrf=t_skrf, compile=t_compile, kernel=t_kernel,
                cold=cold, warm=warm, one=one, err=err)


def markdown_table(rows: list[dict], cores: int, quick: bool) -> str:
    """The results as a Markdown table (times in seconds, ratios as scikit-rf loop / pmrf)."""
    head = ["case", "N", "points", "scikit-rf loop", "kernel compile", "kernel", "kernel x",
            "cold CLI", "cold x", "warm CLI", "warm x", f"warm on 1 core (speed-up on {cores} cores)",
            "target", "result", "max abs(S - skrf)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(head))) + "|"]
    for r in rows:
        target = CASES[r["case"]][1]
        ratio = r["skrf"] / r["warm"]["wall"]
        verdict = "-" if target is None else ("PASS" if ratio >= target else "MISS")
        cells = [
            r["case"], f"{r['n']}", f"{r['points']}", f"{r['skrf']:.2f} s", f"{r['compile']:.2f} s",
            f"{r['kernel']:.3f} s", f"{r['skrf'] / r['kernel']:.0f}x",
            f"{r['cold']['wall']:.2f} s", f"{r['skrf'] / r['cold']['wall']:.1f}x",
            f"{r['warm']['wall']:.2f} s", f"{ratio:.1f}x",
            f"{r['one']['wall']:.2f} s ({r['one']['wall'] / r['warm']['wall']:.2f}x)",
            "-" if target is None else f">= {target:.0f}x", verdict + (" (quick)" if quick and target else ""),
            f"{r['err']:.1e}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="10x fewer samples")
    ap.add_argument("--cases", default=None, help=f"comma-separated subset of: {','.join(CASES)} (default: all)")
    ap.add_argument("--rss", action="store_true", help="also measure peak RSS at N = 10^6 (slow)")
    ap.add_argument("--subset", type=int, default=200, help="samples timed in the scikit-rf loop")
    args = ap.parse_args()
    cases = list(CASES) if args.cases is None else [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        ap.error(f"--cases: unknown {', '.join(unknown)} (known: {', '.join(CASES)})")

    import jax

    from pmrf_cli.engine.runtime import usable_cores

    jax.config.update("jax_enable_x64", True)
    cores = usable_cores()
    print(f"jax {jax.__version__} on {jax.devices()[0].platform}, {os.cpu_count()} cores "
          f"({cores} usable: `pmrf sweep`'s default --cores)")
    print(f"{'case':13} {'N':>6} {'pts':>5} {'skrf loop':>10} {'compile':>8} {'kernel':>8} {'pts/s':>10} {'x skrf':>7} | "
          f"{'cold CLI':>8} {'x skrf':>7} {'warm CLI':>8} {'x skrf':>7} {'cores=1':>8}  warm phases")
    rows = []
    for case in cases:
        n = CASES[case][0] // (10 if args.quick else 1)
        r = run_case(case, n, args.subset)
        rows.append(r)
        phases = " ".join(f"{k}={float(v):.2f}" for k, v in r["warm"]["phases"].items() if k != "total")
        print(f"{case:13} {n:6d} {r['points']:5d} {r['skrf']:9.2f}s {r['compile']:7.2f}s {r['kernel']:7.3f}s "
              f"{n * r['points'] / r['kernel']:10.3g} {r['skrf'] / r['kernel']:6.0f}x | "
              f"{r['cold']['wall']:7.2f}s {r['skrf'] / r['cold']['wall']:6.1f}x {r['warm']['wall']:7.2f}s "
              f"{r['skrf'] / r['warm']['wall']:6.1f}x {r['one']['wall']:7.2f}s  {phases}  "
              f"(max |S - skrf| = {r['err']:.1e})", flush=True)
    print()
    print(markdown_table(rows, cores, args.quick))
    if args.rss:
        with tempfile.TemporaryDirectory() as cache:
            r = cli_run("ladder5", 1_000_000, cache, freq="10MHz:3GHz:101")
        print(f"ladder5 N=1e6 on 101 points: wall {r['wall']:.1f} s, peak RSS {r['rss_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
