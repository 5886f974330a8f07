"""GPU and all-cores benchmark: run by hand on a machine with a CUDA GPU,
`python benchmarks/gpu.py [--quick] [--cases A,B]`.

For each case, `pmrf sweep` end to end in fresh processes (start to file closed, the phases from
PMRF_TIMINGS), each after a run that fills the compilation and program caches for its shape:

* `--device gpu`, cold (empty caches) and warm;
* `--device cpu` on every core this process may use (`pmrf sweep`'s default), warm, and pinned
  to one core (cold: the speed-up on many cores compares the runs' compute+write phases);

then the files are compared: every dataset of the all-cores and the one-core run must be the same
bits (issue 8's promise), and the GPU's S-parameters (or spec margins, with `--store specs`)
against the CPU's, as max |difference| (a GPU's libm and fused multiply-adds differ in the last
bits, so this is a tolerance, not bit identity). A Markdown table is printed at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: name -> (netlist, samples, extra `pmrf sweep` options)
CASES: dict[str, tuple[Path, int, tuple[str, ...]]] = {
    "ladder5": (HERE / "netlists" / "ladder5.yaml", 10000, ()),
    "ms_lpf7": (HERE / "netlists" / "ms_lpf7.yaml", 1000, ()),
    "ms_lpf7_20k": (HERE / "netlists" / "ms_lpf7.yaml", 20000, ("--freq", "10MHz:6GHz:201")),
    "wilkinson_len": (HERE / "netlists" / "wilkinson_len.yaml", 1000, ()),
    "bpf_cross": (HERE / "netlists" / "bpf_cross.yaml", 1000, ()),
    "lpf_specs_250k": (ROOT / "examples" / "lpf.yaml", 250_000, ("--store", "specs")),
}


def sweep(netlist: Path, n: int, out: Path, cache: str, extra: tuple[str, ...], timeout: float,
          one_core: bool = False) -> dict:
    """One `pmrf sweep` in a fresh process: wall seconds, PMRF_TIMINGS phases and the compute
    (+write) seconds."""
    cmd = [sys.executable, "-c", "from pmrf_cli.cli.app import main; main()", "sweep", str(netlist),
           "--batch", str(n), "--seed", "1", "-o", str(out), "--overwrite", "-q", *extra]
    env = dict(os.environ, PMRF_TIMINGS="1", PMRF_CACHE_DIR=cache)
    if one_core:  # pinned: XLA's threads and the writer share the one core too
        cmd = ["taskset", "-c", str(min(os.sched_getaffinity(0))), *cmd]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[3:])} failed ({proc.returncode}): {proc.stderr.strip()[-800:]}")
    phases = dict(re.findall(r"(\w[\w+]*)=([0-9.]+)s", proc.stderr))
    return {"wall": wall, "phases": phases, "compute": float(phases.get("compute+write", "nan"))}


def datasets(path: Path) -> dict[str, np.ndarray]:
    """Every numeric dataset of a results file, by path."""
    import h5py

    found: dict[str, np.ndarray] = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and obj.dtype.kind in "biufc":
                found[name] = obj[()]
        f.visititems(visit)
    return found


def identical(a: Path, b: Path) -> bool:
    """Whether two results files hold the same bits in every numeric dataset but the statistics'
    resume checkpoints (`statistics/state*`: the older slot holds the state after the previous
    chunk, and chunks depend on the number of cores)."""
    da, db = ({k: v for k, v in datasets(p).items() if not k.startswith("statistics/state")} for p in (a, b))
    return da.keys() == db.keys() and all(
        da[k].shape == db[k].shape and np.array_equal(da[k], db[k], equal_nan=True) for k in da)


def max_difference(a: Path, b: Path) -> tuple[str, float]:
    """max |a - b| over /s, or over the spec margins when a file has no /s."""
    da, db = datasets(a), datasets(b)
    keys = ["s"] if "s" in da else [k for k in da if k.startswith("specs/")]
    worst = max(float(np.nanmax(np.abs(da[k] - db[k]))) for k in keys)
    return ("S" if keys == ["s"] else "margins"), worst


def run_case(name: str, quick: bool, timeout: float, accelerator: str = "gpu") -> dict:
    """Every measurement of one case."""
    netlist, n, extra = CASES[name]
    n = max(n // 10, 64) if quick else n
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as tmp:
        t = Path(tmp)
        gpu_cache, cpu_cache, one_cache = (str(t / c) for c in ("gpu", "cpu", "one"))
        row: dict = {"case": name, "n": n}
        row["gpu_cold"] = sweep(netlist, n, t / "g.h5", gpu_cache, (*extra, "--device", accelerator), timeout)
        row["gpu_warm"] = sweep(netlist, n, t / "g.h5", gpu_cache, (*extra, "--device", accelerator), timeout)
        sweep(netlist, n, t / "c.h5", cpu_cache, extra, timeout)
        row["cpu_all"] = sweep(netlist, n, t / "c.h5", cpu_cache, extra, timeout)
        # one core, cold: its compute phase is what the speed-up compares
        row["cpu_one"] = sweep(netlist, n, t / "c1.h5", one_cache, extra, timeout, one_core=True)
        row["bits"] = identical(t / "c.h5", t / "c1.h5")
        row["what"], row["diff"] = max_difference(t / "g.h5", t / "c.h5")
    return row


COLUMNS = ("gpu_cold", "gpu_warm", "cpu_all", "cpu_one")


def line(row: dict) -> str:
    """One printed line of results: wall (compute+write) seconds per run."""
    runs = " ".join(f"{row[k]['wall']:6.2f} ({row[k]['compute']:6.2f})" for k in COLUMNS)
    phases = " ".join(f"{k}={v}" for k, v in row["gpu_warm"]["phases"].items())
    return (f"{row['case']:>14} {row['n']:>8} {runs} {str(row['bits']):>5} {row['what']} {row['diff']:.1e}"
            f"  gpu warm: {phases}")


def markdown(rows: list[dict], cores: int, device: str) -> str:
    """The table for a closing note."""
    head = ["case", "N", "GPU cold", "GPU warm", f"CPU {cores} cores, warm", "CPU 1 core",
            f"compute on {cores} cores vs 1", "compute on GPU vs all cores", "end to end GPU vs all cores",
            f"{cores} cores vs 1: same bits", "max abs GPU - CPU"]
    out = [f"{device}; seconds end to end in a fresh process (compute+write phase)", "",
           "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        runs = " | ".join(f"{r[k]['wall']:.2f} ({r[k]['compute']:.2f})" for k in COLUMNS)
        out.append(f"| {r['case']} | {r['n']} | {runs} | {r['cpu_one']['compute'] / r['cpu_all']['compute']:.2f}x | "
                   f"{r['cpu_all']['compute'] / r['gpu_warm']['compute']:.2f}x | "
                   f"{r['cpu_all']['wall'] / r['gpu_warm']['wall']:.2f}x | "
                   f"{'yes' if r['bits'] else 'NO'} | {r['diff']:.1e} ({r['what']}) |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10x fewer samples")
    ap.add_argument("--cases", default=None, help=f"comma-separated subset of: {','.join(CASES)}")
    ap.add_argument("--timeout", type=float, default=240.0, help="seconds allowed to one pmrf run")
    ap.add_argument("--accelerator", default="gpu", help="the device of the 'GPU' columns (cpu: a dry run)")
    args = ap.parse_args()
    import jax

    from pmrf_cli.engine.runtime import usable_cores

    try:
        gpu = jax.devices(args.accelerator)[0]
    except RuntimeError:
        sys.exit("no GPU is visible to JAX: this benchmark needs one (see benchmarks/sweep.py for the CPU)")
    cores = usable_cores()
    device = f"jax {jax.__version__}, {gpu.device_kind}, {cores} CPU cores"
    print(device)
    print(f"{'case':>14} {'N':>8} " + " ".join(f"{k:>15}" for k in COLUMNS) + " bits max|gpu-cpu|")
    rows = []
    for name in (args.cases.split(",") if args.cases else CASES):
        try:
            rows.append(run_case(name, args.quick, args.timeout, args.accelerator))
            print(line(rows[-1]), flush=True)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            print(f"{name:>14} FAILED: {exc}", flush=True)
    print()
    print(markdown(rows, cores, device))


if __name__ == "__main__":
    main()
