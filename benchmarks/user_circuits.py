"""User circuits (issue 8: measure with circuits a user would write, not only the tuned cases):
run by hand, `python benchmarks/user_circuits.py [--batch N] [--cases A,B]`.

The netlists in benchmarks/netlists/user/ are written as an RF engineer would, with the
component library, and none was tuned for: `stub_lowpass` (microstrip line with six open stubs,
CPW and coax feeds: a ladder once the stubs are folded), `branchline` (microstrip branch-line
coupler with feed lines: nodal, 4 ports), `coupled_bpf5` (parallel-coupled-line band-pass),
`diplex` and `triplexer` (lumped finite-Q LP/HP and three-channel filters from a common port:
each channel an arm connected to the common node, `circuit.feeds`). For each, in fresh processes: `pmrf simulate` with an empty cache, `pmrf sweep
--batch N` with an empty cache (cold) and again (warm), with the warm run's phases
(PMRF_TIMINGS). For the branch-line coupler a scikit-rf loop (MLine sections joined by
`skrf.circuit.Circuit`) is timed in this process on 10 samples, and the warm sweep's ratio to
it, for N samples, is printed.
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

HERE = Path(__file__).resolve().parent / "netlists" / "user"
CASES = ("stub_lowpass", "branchline", "coupled_bpf5", "diplex", "triplexer")


def timed(args: list[str], cache: str) -> tuple[float, dict]:
    """Wall time of `pmrf ARGS` in a fresh process with cache folder `cache`, and its phases."""
    env = dict(os.environ, PMRF_TIMINGS="1", PMRF_CACHE_DIR=cache)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", "from pmrf_cli.cli.app import main; main()", *args],
                          env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"pmrf {' '.join(args)} failed:\n{proc.stderr}")
    return wall, dict(re.findall(r"(\w[\w+]*)=([0-9.]+)s", proc.stderr))


def skrf_branchline_seconds(samples: int = 10) -> float:
    """Seconds per sample of scikit-rf for branchline.yaml (its nominal values, er varied)."""
    import skrf
    from skrf.media import MLine

    f = skrf.Frequency(1, 3, 401, "GHz")

    def network(er):
        kw = dict(frequency=f, h=0.508e-3, t=35e-6, ep_r=er, tand=0.0037, rho=1 / 5.8e7, rough=0, z0_port=50)
        m50, m35 = MLine(w=1.1e-3, **kw), MLine(w=1.85e-3, **kw)
        feed = [m50.line(5e-3, "m", name=f"F{i}") for i in range(4)]
        t1, t2 = m35.line(22.9e-3, "m", name="T1"), m35.line(22.9e-3, "m", name="T2")
        t3, t4 = m50.line(23.5e-3, "m", name="T3"), m50.line(23.5e-3, "m", name="T4")
        ports = [skrf.circuit.Circuit.Port(f, f"p{i}", z0=50) for i in range(4)]
        cnx = [[(ports[i], 0), (feed[i], 0)] for i in range(4)]
        cnx += [[(feed[0], 1), (t1, 0), (t3, 0)], [(feed[1], 1), (t1, 1), (t4, 0)],
                [(feed[2], 1), (t2, 0), (t4, 1)], [(feed[3], 1), (t2, 1), (t3, 1)]]
        return skrf.circuit.Circuit(cnx).network

    network(3.66)
    t0 = time.perf_counter()
    for i in range(samples):
        network(3.66 * (1 + 0.001 * i))
    return (time.perf_counter() - t0) / samples


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batch", type=int, default=1000, help="samples per sweep (default 1000)")
    ap.add_argument("--cases", default=",".join(CASES), help="comma-separated case names")
    a = ap.parse_args()
    rows = []
    for case in a.cases.split(","):
        net = str(HERE / f"{case}.yaml")
        with tempfile.TemporaryDirectory() as tmp:
            sim, _ = timed(["simulate", net, "-o", f"{tmp}/sim/"], f"{tmp}/c1")
            out = ["sweep", net, "--batch", str(a.batch), "--seed", "1", "-q", "-o", f"{tmp}/mc.h5"]
            cold, _ = timed(out, f"{tmp}/c2")
            Path(f"{tmp}/mc.h5").unlink()
            warm, phases = timed(out, f"{tmp}/c2")
        rows.append((case, sim, cold, warm, phases))
        print(f"{case}: simulate {sim:.2f} s, sweep cold {cold:.2f} s, warm {warm:.2f} s", file=sys.stderr)
    print(f"| netlist | simulate, cold cache | sweep N={a.batch}, cold | warm | warm phases |")
    print("|---|---:|---:|---:|---|")
    for case, sim, cold, warm, phases in rows:
        print(f"| {case} | {sim:.2f} s | {cold:.2f} s | {warm:.2f} s | "
              + " ".join(f"{k}={float(v):.2f}" for k, v in phases.items()) + " |")
    if "branchline" in a.cases.split(","):
        per = skrf_branchline_seconds()
        warm = next(r[3] for r in rows if r[0] == "branchline")
        print(f"\nbranchline: scikit-rf {per * 1e3:.1f} ms per sample, {per * a.batch:.1f} s for N={a.batch}; "
              f"pmrf sweep warm {warm:.2f} s: {per * a.batch / warm:.1f}x")


if __name__ == "__main__":
    main()
