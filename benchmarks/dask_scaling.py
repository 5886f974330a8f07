"""Dask scaling (issue 11): run by hand, `python benchmarks/dask_scaling.py [--batch N] [--repeat R]`.

1. `pmrf sweep --workers 1` and `--workers 2` (local clusters of one-thread workers) on a
   compute-heavy netlist (default benchmarks/netlists/ms_lpf7.yaml: 7 microstrip lines, 501
   points), best of R runs each, interleaved: the compute+write phase's samples/s (from
   PMRF_TIMINGS, i.e. after the cluster is up and every worker has compiled) and its ratio, and
   the end-to-end times; the one-process `--cores 1` and `--cores 2` runs for reference. Every
   file is compared bit for bit with the `--cores 1` run. The machine's ceiling is measured too:
   two `--cores 1` sweeps at once against one (on a shared or hyperthreaded machine two processes
   get less than twice the work of one done; the workers' ratio is also given as a share of it).
2. The bytes a worker sends back per sample: one part evaluated in this process and serialised
   as Dask sends it (`distributed.protocol.dumps`), with S (the default `--store all`) and
   without it (what `--store specs` keeps: parameters, range checks, the S statistics blocks, and
   8 bytes per spec margin; `--specs K` margins are assumed where the netlist has no specs).
3. The CPU seconds per sample of all processes of a run (client and workers), from runs of N
   and 3N samples: the overhead Dask adds, whatever the machine's other load.
4. A paper estimate for a 10^8-sample sweep on 100 workers with a 10 Gbit/s link into the
   client: compute time at the measured one-worker rate, transfer time of the results, and the
   scheduler's task rate.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import h5py
import numpy as np

HERE = Path(__file__).resolve().parent
TIMINGS = re.compile(r"(\S+?)=([0-9.]+)s")


def start_sweep(netlist: Path, out: Path, batch: int, chunk: int, *extra: str) -> subprocess.Popen:
    """Start one `pmrf sweep` in a fresh process."""
    env = dict(os.environ, PMRF_TIMINGS="1")
    cmd = [sys.executable, "-m", "pmrf_cli.cli.app", "sweep", str(netlist), "--batch", str(batch),
           "--chunk", str(chunk), "--seed", "1", "-o", str(out), "--overwrite", "-q", *extra]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> dict[str, float]:
    """A started sweep's phases (seconds) and total, and the CPU seconds of the processes this
    process has waited for since it started (exact when sweeps run one at a time)."""
    before = _children_cpu()
    _, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(proc.args)} failed:\n{err}")
    line = next(ln for ln in err.splitlines() if "timings:" in ln)
    return dict({k: float(v) for k, v in TIMINGS.findall(line)}, cpu=_children_cpu() - before)


def _children_cpu() -> float:
    """User + system CPU seconds of every waited-for descendant (local Dask workers included)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_sweep(netlist: Path, out: Path, batch: int, chunk: int, *extra: str) -> dict[str, float]:
    """One `pmrf sweep` in a fresh process: its phases (seconds) and total."""
    return finish(start_sweep(netlist, out, batch, chunk, *extra))


def same_bits(a: Path, b: Path) -> bool:
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        if not np.array_equal(fa["s"][...].view(np.uint8), fb["s"][...].view(np.uint8)):
            return False
        return all(np.array_equal(fa["parameters"][k][...], fb["parameters"][k][...]) for k in fa["parameters"])


def scaling(netlist: Path, batch: int, chunk: int, repeat: int, folder: Path) -> dict:
    configs = {"cores 1": ("--cores", "1"), "cores 2": ("--cores", "2"),
               "workers 1": ("--workers", "1"), "workers 2": ("--workers", "2")}
    best: dict[str, dict[str, float]] = {}
    run_sweep(netlist, folder / "warm.h5", batch, chunk, "--cores", "1")  # fill the compilation caches
    for r in range(repeat):
        for name, extra in configs.items():
            t = run_sweep(netlist, folder / f"{name.replace(' ', '')}.h5", batch, chunk, *extra)
            if name not in best or t["compute+write"] < best[name]["compute+write"]:
                best[name] = t
            print(f"  run {r + 1} {name:9s}: compute+write {t['compute+write']:6.2f} s, total {t['total']:6.2f} s",
                  flush=True)
        pair = [start_sweep(netlist, folder / f"pair{i}.h5", batch, chunk, "--cores", "1") for i in range(2)]
        t = max((finish(p) for p in pair), key=lambda x: x["compute+write"])
        if "pair" not in best or t["compute+write"] < best["pair"]["compute+write"]:
            best["pair"] = t
        print(f"  run {r + 1} two --cores 1 at once: compute+write {t['compute+write']:6.2f} s", flush=True)
    ref = folder / "cores1.h5"
    for name in configs:
        best[name]["identical"] = same_bits(ref, folder / f"{name.replace(' ', '')}.h5")
    return best


def marginal_cpu(netlist: Path, batch: int, chunk: int, folder: Path) -> dict[str, float]:
    """CPU seconds per sample of all processes of a sweep (client and workers), from runs of N
    and 3N samples (start-up cancels): unlike wall time, little changed by other users' load.
    Two workers on two idle cores can be at most 2 x (one-process CPU / Dask CPU) faster."""
    out = {}
    for name, extra in (("cores 1", ("--cores", "1")), ("workers 1", ("--workers", "1")),
                        ("workers 2", ("--workers", "2"))):
        small = run_sweep(netlist, folder / "m.h5", batch, chunk, *extra)["cpu"]
        large = run_sweep(netlist, folder / "m.h5", 3 * batch, chunk, *extra)["cpu"]
        out[name] = (large - small) / (2 * batch)
    return out


def bytes_per_sample(netlist: Path, part: int, specs: int) -> dict[str, float]:
    """Serialised result bytes per sample, with and without S."""
    from distributed.protocol import dumps, to_serialize

    from pmrf_cli.cli.common import grid_of, load
    from pmrf_cli.engine import runtime

    runtime.configure("double")
    from pmrf_cli.engine.kernel import CPU_TILE_POINTS, SweepPlan
    from pmrf_cli.engine.recipe import evaluate, recipe_for

    from pmrf_cli.engine.block_stats import STATS_BLOCK

    _, flat = load(str(netlist))
    plan = SweepPlan(flat, grid_of(flat, None), seed=1, per_point=part)
    part = -(-part // STATS_BLOCK) * STATS_BLOCK

    def kernel_out(keep_s: bool):
        # what a sweep's kernel returns: S (unless --store specs), statistics blocks, checks
        recipe = recipe_for(plan, None, "double", True, CPU_TILE_POINTS, part, "cpu",
                            stats_block=STATS_BLOCK, keep_s=keep_s)
        return recipe, evaluate(recipe, (0, part))

    def size(obj) -> int:
        return sum(memoryview(f).nbytes for f in dumps({"op": "task-finished", "data": to_serialize(obj)}))

    recipe, out = kernel_out(True)
    with_s = size(out) / part
    _, without = kernel_out(False)
    have_specs = "margins" in out
    no_s = size(without) / part + (0 if have_specs else 8 * specs)
    import pickle

    return {"all": with_s, "specs": no_s, "margins_assumed": not have_specs, "task_up": len(pickle.dumps(recipe)),
            "s_raw": out["s"].nbytes / part}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--netlist", type=Path, default=HERE / "netlists" / "ms_lpf7.yaml")
    ap.add_argument("--batch", type=int, default=4000)
    ap.add_argument("--chunk", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--specs", type=int, default=3, help="spec margins per sample assumed for --store specs")
    ap.add_argument("--workers", type=int, default=100)
    ap.add_argument("--gbit", type=float, default=10.0)
    ap.add_argument("--samples", type=float, default=1e8)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        print(f"{args.netlist.name}: N={args.batch}, --chunk {args.chunk}, best of {args.repeat}")
        best = scaling(args.netlist, args.batch, args.chunk, args.repeat, Path(tmp))
        cpu = marginal_cpu(args.netlist, args.batch, args.chunk, Path(tmp))
    pair = best.pop("pair")
    rate = {k: args.batch / v["compute+write"] for k, v in best.items()}
    ceiling = 2 * best["cores 1"]["compute+write"] / pair["compute+write"]
    print("\n| run | compute+write s | samples/s | end to end s | same bits as --cores 1 |")
    print("|---|---|---|---|---|")
    for k, v in best.items():
        print(f"| {k} | {v['compute+write']:.2f} | {rate[k]:,.0f} | {v['total']:.2f} | {v['identical']} |")
    workers = rate["workers 2"] / rate["workers 1"]
    print(f"\nceiling: two one-core sweeps at once do {ceiling:.2f}x the work of one in the same time")
    print(f"ratio --workers 2 / --workers 1 (compute+write): {workers:.2f}x ({workers / ceiling:.0%} of the ceiling)")
    print(f"ratio --workers 2 / --workers 1 (end to end):    {best['workers 1']['total'] / best['workers 2']['total']:.2f}x")
    print(f"ratio --cores 2 / --cores 1 (compute+write):     {rate['cores 2'] / rate['cores 1']:.2f}x")
    print("CPU ms per sample, all processes (from N and 3N): " + ", ".join(f"{k} {v * 1e3:.3f}" for k, v in cpu.items())
          + f"; on two idle cores --workers 2 could do at most {2 * cpu['cores 1'] / cpu['workers 2']:.2f}x "
          f"a one-core run, {2 * cpu['workers 1'] / cpu['workers 2']:.2f}x --workers 1")

    b = bytes_per_sample(args.netlist, args.chunk, args.specs)
    print(f"\nbytes sent back per sample: {b['all']:,.0f} with S (S alone {b['s_raw']:,.0f}); "
          f"{b['specs']:,.0f} without S (--store specs{f', {args.specs} margins assumed' if b['margins_assumed'] else ''}); "
          f"a task's request: {b['task_up']:,} bytes")

    link = args.gbit * 1e9 / 8
    one = rate["workers 1"]
    t_compute = args.samples / (args.workers * one)
    tasks = args.samples / args.chunk
    print(f"\npaper estimate: {args.samples:.0e} samples on {args.workers} workers of {one:,.0f} samples/s each, "
          f"{args.gbit:g} Gbit/s into the client")
    print(f"  compute: {t_compute:,.0f} s ({t_compute / 3600:.2f} h); {tasks / t_compute:,.0f} tasks/s at "
          f"{args.chunk} samples per task")
    for name, per in (("--store all", b["all"]), ("--store specs", b["specs"])):
        t_net = args.samples * per / link
        total = max(t_compute, t_net)
        bound = "network" if t_net > t_compute else "compute"
        print(f"  {name:13s}: {args.samples * per / 1e12:8.3f} TB to the client, transfer {t_net:,.0f} s -> "
              f"about {total:,.0f} s ({total / 3600:.2f} h), {bound}-bound")


if __name__ == "__main__":
    main()
