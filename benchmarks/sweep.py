"""Sweep benchmark (issue 4): run by hand, `python benchmarks/sweep.py [--quick] [--rss]`.

For ladder5 (N=10000), wilkinson (N=1000) and bpf (N=1000), 1001 points 10 MHz-3 GHz, complex128:

1. the in-process steady-state kernel time (the jitted, vmapped chunk kernel over the whole batch)
   and its ratio to a scikit-rf loop over the same samples, in this process;
2. `pmrf sweep` end to end in a fresh process (start to file closed), split into phases
   (PMRF_TIMINGS), cold (no compilation cache) and warm (cache filled by the cold run), and its
   ratio to the scikit-rf loop;
3. with --rss: peak RSS of `pmrf sweep` on ladder5 at N = 10^6 (on a 101-point grid to keep the
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
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CASES = {"ladder5": 10000, "wilkinson": 1000, "bpf": 1000}


def skrf_network(case: str, p: dict, freq):
    """The scikit-rf network of one sample (the reference implementation)."""
    import skrf

    med = skrf.media.DefinedGammaZ0(freq)
    if case == "ladder5":
        return (med.inductor(p["L1"]) ** med.shunt_capacitor(p["C2"]) ** med.inductor(p["L3"])
                ** med.shunt_capacitor(p["C4"]) ** med.inductor(p["L5"]))
    if case == "bpf":  # the nodal form, as scikit-rf users build coupled-resonator filters
        C = skrf.circuit.Circuit
        ports = [C.Port(freq, "port1", z0=50), C.Port(freq, "port2", z0=50)]
        parts = {k: med.capacitor(p[k], name=k) for k in ("Cin", "Ck1", "Ck2", "Cout")}
        shunts = [(med.inductor(p[f"Lr{i}"], name=f"L{i}"), med.capacitor(p[f"Cr{i}"], name=f"C{i}")) for i in (1, 2, 3)]
        grounds = [C.Ground(freq, f"gnd{i}", z0=50) for i in range(6)]
        cnx = [[(ports[0], 0), (parts["Cin"], 0)]]
        left = [(parts["Cin"], 1), (parts["Ck1"], 1), (parts["Ck2"], 1)]
        right = [(parts["Ck1"], 0), (parts["Ck2"], 0), (parts["Cout"], 0)]
        for i, (lr, cr) in enumerate(shunts):
            cnx.append([left[i], right[i], (lr, 0), (cr, 0)])
            cnx.append([(lr, 1), (grounds[2 * i], 0)])
            cnx.append([(cr, 1), (grounds[2 * i + 1], 0)])
        cnx.append([(parts["Cout"], 1), (ports[1], 0)])
        return C(cnx).network
    if case == "wilkinson":
        quarter = 0.25 * 299792458.0 / 1e9
        gamma = 1j * 2 * np.pi * freq.f / 299792458.0  # DefinedGammaZ0's default gamma is a constant 1j
        l2 = skrf.media.DefinedGammaZ0(freq, z0_port=50, z0=p["Z2"], gamma=gamma).line(quarter, "m", name="tl2")
        l3 = skrf.media.DefinedGammaZ0(freq, z0_port=50, z0=p["Z3"], gamma=gamma).line(quarter, "m", name="tl3")
        r = med.resistor(p["R"], name="r")
        ports = [skrf.circuit.Circuit.Port(freq, f"port{i}", z0=50) for i in (1, 2, 3)]
        cnx = [[(ports[0], 0), (l2, 0), (l3, 0)], [(l2, 1), (r, 0), (ports[1], 0)], [(l3, 1), (r, 1), (ports[2], 0)]]
        return skrf.circuit.Circuit(cnx).network
    raise ValueError(case)


def skrf_loop_seconds(case: str, params: dict, n_total: int, subset: int) -> tuple[float, np.ndarray]:
    """Seconds for the scikit-rf loop over n_total samples (timed on `subset`), and its S."""
    import skrf

    freq = skrf.Frequency(10, 3000, 1001, "MHz")
    k = min(subset, n_total)
    t0 = time.perf_counter()
    out = [skrf_network(case, {name: v[i] for name, v in params.items()}, freq).s for i in range(k)]
    dt = time.perf_counter() - t0
    return dt * n_total / k, np.asarray(out)


def kernel_seconds(case: str, n: int):
    """Steady-state in-process time of the sweep kernel over all n samples (best of 3)."""
    import jax

    from pmrf_cli.engine.kernel import SweepPlan, make_kernel
    from pmrf_cli.netlist import flatten, load_netlist

    flat = flatten(load_netlist(str(HERE / "netlists" / f"{case}.yaml")))
    plan = SweepPlan(flat, flat.frequency_hz, seed=1, per_point=n)
    kernel = make_kernel(plan)
    idx = np.arange(n)
    t0 = time.perf_counter()
    compiled = kernel.lower(idx).compile()
    t_compile = time.perf_counter() - t0
    best = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        values, s = jax.block_until_ready(compiled(idx))
        best = min(best, time.perf_counter() - t0)
    return t_compile, best, {k: np.asarray(v) for k, v in values.items()}, np.asarray(s)


def cli_run(case: str, n: int, cache_dir: str, extra=(), freq=None) -> dict:
    """Run `pmrf sweep` in a fresh process; returns wall time, phase timings and peak RSS."""
    out = Path(tempfile.mkdtemp()) / "mc.h5"
    cmd = [sys.executable, "-c", "from pmrf_cli.cli.app import main; main()", "sweep",
           str(HERE / "netlists" / f"{case}.yaml"), "--batch", str(n), "--seed", "1", "-o", str(out), "-q", *extra]
    if freq:
        cmd += ["--freq", freq]
    env = dict(os.environ, PMRF_TIMINGS="1", PMRF_CACHE_DIR=cache_dir)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # MiB (max over children so far)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    phases = dict(re.findall(r"(\w[\w+]*)=([0-9.]+)s", proc.stderr))
    out.unlink()
    return {"wall": wall, "phases": phases, "rss_mib": rss}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="10x fewer samples")
    ap.add_argument("--rss", action="store_true", help="also measure peak RSS at N = 10^6 (slow)")
    ap.add_argument("--subset", type=int, default=200, help="samples timed in the scikit-rf loop")
    args = ap.parse_args()

    import jax

    jax.config.update("jax_enable_x64", True)
    print(f"jax {jax.__version__} on {jax.devices()[0].platform}, {os.cpu_count()} cores")
    print(f"{'case':10} {'N':>6} {'skrf loop':>10} {'compile':>8} {'kernel':>8} {'pts/s':>10} {'x skrf':>7} | "
          f"{'cold CLI':>8} {'x skrf':>7} {'warm CLI':>8} {'x skrf':>7}  warm phases")
    for case, n in CASES.items():
        if args.quick:
            n //= 10
        t_compile, t_kernel, values, s = kernel_seconds(case, n)
        t_skrf, s_ref = skrf_loop_seconds(case, values, n, args.subset)
        err = np.abs(s[: len(s_ref)] - s_ref).max()
        with tempfile.TemporaryDirectory() as cache:
            cold = cli_run(case, n, cache)
            warm = cli_run(case, n, cache)
        pts = n * 1001 / t_kernel
        phases = " ".join(f"{k}={float(v):.2f}" for k, v in warm["phases"].items() if k != "total")
        print(f"{case:10} {n:6d} {t_skrf:9.2f}s {t_compile:7.2f}s {t_kernel:7.3f}s {pts:10.3g} {t_skrf / t_kernel:6.0f}x | "
              f"{cold['wall']:7.2f}s {t_skrf / cold['wall']:6.1f}x {warm['wall']:7.2f}s {t_skrf / warm['wall']:6.1f}x  "
              f"{phases}  (max |S - skrf| = {err:.1e})")
    if args.rss:
        with tempfile.TemporaryDirectory() as cache:
            r = cli_run("ladder5", 1_000_000, cache, freq="10MHz:3GHz:101")
        print(f"ladder5 N=1e6 on 101 points: wall {r['wall']:.1f} s, peak RSS {r['rss_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
