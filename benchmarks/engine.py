"""Engine benchmark (issue 2): run by hand, `python benchmarks/engine.py [--quick]`.

Batches built as the ParamRF seed does (a model constructor `eqx.filter_vmap`-ed over sampled
values, +-5 % uniform), evaluated by a jitted, vmapped `model.s(freq)`; 1001 points 10 MHz-3 GHz,
complex128. Prints compile time, steady-state time (best of 3), (sample x frequency)/s and the
ratio against a scikit-rf loop over the same samples in the same process (timed on a subset and
scaled linearly, which the loop is).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from sweep import skrf_network  # the scikit-rf reference circuits, same values


def circuits():
    """(name, N, nominal values, constructor values -> Circuit)."""
    from pmrf_cli.circuit import Circuit
    from pmrf_cli.models import Capacitor, Inductor, Resistor, TransmissionLine

    def ladder5(v):
        return Circuit([("L1", Inductor(v["L1"]), ("in", "n1")), ("C2", Capacitor(v["C2"]), ("n1", "gnd")),
                        ("L3", Inductor(v["L3"]), ("n1", "n2")), ("C4", Capacitor(v["C4"]), ("n2", "gnd")),
                        ("L5", Inductor(v["L5"]), ("n2", "out"))], ports=["in", "out"])

    def wilkinson(v):
        return Circuit([("T2", TransmissionLine.electrical_length(v["Z2"], 90.0, 1e9), ("in", "o2")),
                        ("T3", TransmissionLine.electrical_length(v["Z3"], 90.0, 1e9), ("in", "o3")),
                        ("R", Resistor(v["R"]), ("o2", "o3"))], ports=["in", "o2", "o3"])

    def bpf(v):
        parts = [("Cin", Capacitor(v["Cin"]), ("in", "n1")), ("Ck1", Capacitor(v["Ck1"]), ("n1", "n2")),
                 ("Ck2", Capacitor(v["Ck2"]), ("n2", "n3")), ("Cout", Capacitor(v["Cout"]), ("n3", "out"))]
        for i in (1, 2, 3):
            parts += [(f"L{i}", Inductor(v[f"Lr{i}"]), (f"n{i}", "gnd")), (f"C{i}", Capacitor(v[f"Cr{i}"]), (f"n{i}", "gnd"))]
        return Circuit(parts, ports=["in", "out"], solver="mna")  # the nodal solver, as the issue asks

    return [
        ("ladder5", 10000, dict(L1=7.96e-9, C2=6.37e-12, L3=15.92e-9, C4=6.37e-12, L5=7.96e-9), ladder5),
        ("wilkinson", 1000, dict(Z2=70.71, Z3=70.71, R=100.0), wilkinson),
        ("bpf", 1000, dict(Lr1=2e-9, Lr2=2e-9, Lr3=2e-9, Cr1=9.95e-12, Cr2=10.34e-12, Cr3=9.95e-12,
                           Cin=2.52e-12, Ck1=1.164e-12, Ck2=1.164e-12, Cout=2.52e-12), bpf),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="10x fewer samples")
    ap.add_argument("--subset", type=int, default=200, help="samples timed in the scikit-rf loop")
    args = ap.parse_args()

    import equinox as eqx
    import jax
    import skrf

    jax.config.update("jax_enable_x64", True)
    import pmrf_cli as prf

    freq = prf.Frequency(10, 3000, 1001, "MHz")
    fsk = skrf.Frequency(10, 3000, 1001, "MHz")
    rng = np.random.default_rng(0)
    print(f"{'case':10} {'N':>6} {'compile':>8} {'run':>8} {'pts/s':>10} {'skrf loop':>10} {'ratio':>7}  max|S-skrf|")
    for name, n, nominal, make in circuits():
        n = n // 10 if args.quick else n
        values = {k: v * rng.uniform(0.95, 1.05, n) for k, v in nominal.items()}
        batch = eqx.filter_vmap(make)({k: jax.numpy.asarray(v) for k, v in values.items()})
        jitted = eqx.filter_jit(eqx.filter_vmap(lambda m: m.s(freq)))
        t0 = time.perf_counter()
        run = prf.compile_kernel(jitted, batch)  # pmrf's XLA options, as README's library section says
        t_compile = time.perf_counter() - t0
        s = jax.block_until_ready(run(batch))
        best = np.inf
        for _ in range(3):
            t0 = time.perf_counter()
            s = jax.block_until_ready(run(batch))
            best = min(best, time.perf_counter() - t0)
        k = min(args.subset, n)
        t0 = time.perf_counter()
        ref = [skrf_network(name, {key: v[i] for key, v in values.items()}, fsk).s for i in range(k)]
        t_skrf = (time.perf_counter() - t0) * n / k
        err = np.abs(np.asarray(s)[:k] - np.asarray(ref)).max()
        print(f"{name:10} {n:6d} {t_compile:7.2f}s {best:7.3f}s {n * 1001 / best:10.3g} {t_skrf:9.2f}s "
              f"{t_skrf / best:6.0f}x  {err:.1e}")


if __name__ == "__main__":
    main()
