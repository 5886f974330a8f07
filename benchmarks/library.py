"""Component-library benchmark: run by hand,
`python benchmarks/library.py [--quick] [--cases REGEX] [--batch N] [--points F] [--subset K]
[--sweep-points P]`.

Every component type of the library (`docs/COMPONENTS.md`) in three circuits, built with the
library API (`pmrf_cli.Circuit` and `pmrf_cli.models`):

* `ladder5`, `ladder10`: 5 and 10 sections, each a series part of the type followed by a shunt
  part to ground at its far node (an LC low-pass for `inductor`, a high-pass for `capacitor`,
  a resistive pad for `resistor`, shunt capacitors after 2-port blocks); line types have no
  shunt part: a stepped-impedance cascade of sections of alternating width or impedance. A
  coupled pair is a parallel-coupled band-pass (each section between diagonal ends, the other
  two ends open), a ladder once the open ends are folded into each section (`circuit.terminate`).
* `tee3`: a 3-port nodal circuit: three parts of the type meeting at a centre node (with the
  ladder's shunt part there), and a 100 ohm resistor between ports 2 and 3 (Wilkinson-like);
  for the circulator, the circulator with a series inductor and shunt capacitor on each port.

Each case draws `--batch` variants (+-5 % uniform on every listed parameter, from
`jax.random.key(0)` folded with the parameter's name; default: two parts per core) and
evaluates them as `pmrf sweep` does on a CPU: a kernel of sample indices builds each variant's
circuit from its values and takes `circuit.s(freq)`, vmapped over a tile of about
`engine.kernel.CPU_TILE_POINTS` (sample, frequency) points, `lax.map` over the tiles of a part
of two tiles; the part's program is compiled once with pmrf's XLA options
(`pmrf_cli.engine.compiled.compile_threadsafe`, as a sweep's), and the batch's parts run on every core, each
part on one thread (`pmrf_cli.engine.parallel.ChunkRunner`). `--points` points from 10 MHz to
3 GHz, complex128. Columns of the printed Markdown table:

* solver: `ladder` (ABCD-cascade fast path, `Circuit.is_ladder()`) or `nodal`;
* compile: seconds to lower and compile the part's program. It is traced as a part of a sweep of
  `--sweep-points` (sample, frequency) points (`pmrf_cli.workload.evaluation_points`; default
  10^7, a sweep of 10^4 samples at 1001 points, whose kernel is the one that sets a sweep's
  throughput): a large sweep's program takes choices that compile longer and run faster
  (`circuit.unrolled_pays`, `vecmath`, `engine.compiled`), a small one's the fast-compiling ones
  (`--sweep-points 312312` for the batch's own size), and `--sweep-points 0` traces it as a
  library program of unknown size;
* kernel: steady-state run time per sample on all cores, best of 3 after a warm-up run, time / batch;
* Mpt/s: million (sample x frequency) points per second;
* t10/t5: kernel time of `ladder10` over `ladder5` (goal <= 2.2);
* skrf: the same circuit built per sample from scikit-rf media and cascaded
  (`skrf.network.cascade_list`), timed on `--subset` of the same samples, per sample;
* x skrf: skrf / kernel, per sample (goal >= 50 for every model in `ladder10`);
* max|dS|: max |S_pmrf - S_skrf| over those samples (a correctness check where the models are
  the same; the notes under the table say where they are not).

After the table, `microstrip/ladder10` is also compiled as a plain jitted vmap with
`.lower(...).compile()` (XLA's default options) and with pmrf's, on a batch of 2. XLA:CPU's
default fusion emitter re-evaluates shared subexpressions once per use (`pmrf_cli/engine/compiled.py`);
since the stages store each component group's results, that no longer grows exponentially with the
sections, and the comparison shows what remains: pmrf's options compile such a small program
faster (no LLVM optimisation below 5e4 points) and run it slower per point, which so few points
do not notice (measured: 1.65 s against 2.76 s to compile, 3.2 against 2.3 ms/sample).
Progress and failures (an exception or a non-finite S) go to stderr; failures are listed after
the table too.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import traceback
import warnings
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import skrf  # noqa: E402

from pmrf_cli.circuit import Circuit  # noqa: E402
from pmrf_cli.engine.compiled import compile_kernel, compile_threadsafe  # noqa: E402
from pmrf_cli.engine.kernel import CPU_TILE_POINTS, padded_indices  # noqa: E402
from pmrf_cli.engine.parallel import ChunkRunner  # noqa: E402
from pmrf_cli.engine.runtime import usable_cores  # noqa: E402
from pmrf_cli.frequency import Frequency  # noqa: E402
from pmrf_cli.workload import evaluation_points  # noqa: E402
from pmrf_cli.io.touchstone import read_touchstone  # noqa: E402
from pmrf_cli.models import (  # noqa: E402
    CPW,
    VCCS,
    Attenuator,
    Capacitor,
    CapacitorQ,
    Circulator,
    Coax,
    CoupledLine,
    Inductor,
    InductorQ,
    Isolator,
    Microstrip,
    Model,
    Resistor,
    RLGCLine,
    SParameterBlock,
    Stripline,
    Transformer,
    TransmissionLine,
)
from pmrf_cli.models.tline import C0, NEPER_PER_DB  # noqa: E402

AMP_S2P = Path(__file__).resolve().parent.parent / "examples" / "data" / "amp.s2p"
F_START, F_STOP = 10e6, 3e9
SIGMA_CU = 5.8e7
TOLERANCE = 0.05
PLAIN_BATCH = 2

Values = Mapping[str, Any]  # parameter name -> value (a traced scalar in the kernel, a float for skrf)


def alt(i: int, even: float, odd: float) -> float:
    """`even` for even sections, `odd` for odd ones (stepped impedances, alternating ratios)."""
    return even if i % 2 == 0 else odd


@dataclass(frozen=True)
class Part:
    """One component type: its parameters per section and how to build a section from them.

    `nominal(i)` gives section i's parameters (names with the section number; shared ones, such as
    a substrate's, without); `series(v, i)` is section i's part of this type, `shunt(v, i)` the
    part from its far node to ground; `skrf(v, i, freq)` section i as scikit-rf networks, and
    `note` how that model relates to pmrf's; `tee` replaces the generic 3-port circuit.
    """

    name: str
    nominal: Callable[[int], dict[str, float]]
    series: Callable[[Values, int], Model] | None
    shunt: Callable[[Values, int], Model] | None = None
    skrf: Callable[[Values, int, skrf.Frequency], list[skrf.Network]] | None = None
    note: str = ""
    tee: Callable[[Values], Circuit] | None = None


@dataclass(frozen=True)
class Case:
    """A circuit of one part type: `kind` is "ladder5", "ladder10" or "tee3"."""

    part: Part
    kind: str

    @property
    def name(self) -> str:
        return f"{self.part.name}/{self.kind}"

    @property
    def sections(self) -> int:
        return int(self.kind.removeprefix("ladder")) if self.kind.startswith("ladder") else 3

    def nominal(self) -> dict[str, float]:
        values: dict[str, float] = {}
        for i in range(self.sections):
            values.update(self.part.nominal(i))
        if self.kind == "tee3" and self.part.tee is None:
            values["Rt"] = 100.0
        return values

    def build(self, v: Values) -> Circuit:
        if self.kind == "tee3":
            return self.part.tee(v) if self.part.tee is not None else tee(self.part, v)
        return ladder(self.part, self.sections, v)


@dataclass
class Result:
    """What one case measured; the scikit-rf fields stay None where there is no reference."""

    case: Case
    solver: str
    batch: int
    compile_s: float
    kernel_s: float  # per sample
    points: int
    skrf_s: float | None = None  # per sample
    max_err: float | None = None
    problems: list[str] = field(default_factory=list)


# --- circuits ---------------------------------------------------------------------------------


def placed(name: str, model: Model, a: str, b: str) -> tuple[str, Model, tuple[str, ...]]:
    """`model` as a series part from node a to node b; a 4-port coupled pair between diagonal
    ends (line a's near end to line b's far end), its other two ends open."""
    if model.nports == 4:
        return name, model, (a, f"{name}.a2", f"{name}.b1", b)
    return name, model, (a, b)


def ladder(part: Part, n: int, v: Values) -> Circuit:
    """n sections: series part i from node i to node i + 1, shunt part i at node i + 1."""
    nodes = ["in", *(f"n{i}" for i in range(1, n)), "out"]
    comps = []
    for i in range(n):
        comps.append(placed(f"X{i}", part.series(v, i), nodes[i], nodes[i + 1]))
        if part.shunt is not None:
            comps.append((f"P{i}", part.shunt(v, i), (nodes[i + 1], "gnd")))
    return Circuit(comps, ports=["in", "out"])


def tee(part: Part, v: Values) -> Circuit:
    """Parts 0, 1, 2 from port 1 to a centre node and from there to ports 2 and 3, the shunt part
    at the centre, and a resistor `Rt` between ports 2 and 3."""
    comps = [placed("X0", part.series(v, 0), "p1", "c"), placed("X1", part.series(v, 1), "c", "p2"),
             placed("X2", part.series(v, 2), "c", "p3"), ("Rt", Resistor(v["Rt"]), ("p2", "p3"))]
    if part.shunt is not None:
        comps.append(("P0", part.shunt(v, 0), ("c", "gnd")))
    return Circuit(comps, ports=["p1", "p2", "p3"])


def circulator_tee(v: Values) -> Circuit:
    """A circulator with a series inductor and a shunt capacitor on each port."""
    comps = [("X", Circulator(loss=v["loss"], isolation=v["iso"]), ("a0", "a1", "a2"))]
    for k in range(3):
        comps += [(f"L{k}", Inductor(v[f"L{k}"]), (f"p{k}", f"a{k}")),
                  (f"C{k}", Capacitor(v[f"C{k}"]), (f"a{k}", "gnd"))]
    return Circuit(comps, ports=["p0", "p1", "p2"])


# --- the component types ----------------------------------------------------------------------


@lru_cache(maxsize=None)
def amp_data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(f, s, z0) of the example amplifier block."""
    data = read_touchstone(AMP_S2P)
    return data.frequency, data.s, data.z0


@lru_cache(maxsize=None)
def skrf_amp(npoints: int) -> skrf.Network:
    """The amplifier block interpolated once onto the benchmark grid (as a Monte Carlo user would)."""
    return skrf.Network(str(AMP_S2P)).interpolate(skrf.Frequency(F_START, F_STOP, npoints, "Hz"))


def lumped(freq: skrf.Frequency) -> skrf.media.DefinedGammaZ0:
    """scikit-rf's medium for lumped parts between 50 ohm ports."""
    return skrf.media.DefinedGammaZ0(freq)


def tline_gamma(v: Values, freq: skrf.Frequency, lossy: bool) -> np.ndarray:
    """pmrf's TransmissionLine propagation constant, for DefinedGammaZ0."""
    alpha = v["loss"] * NEPER_PER_DB if lossy else 0.0
    return alpha + 1j * 2 * np.pi * freq.f * np.sqrt(v["er"]) / C0


def tline_part(lossy: bool) -> Part:
    def nominal(i: int) -> dict[str, float]:
        shared = {"er": 2.2, "loss": 3.0} if lossy else {"er": 2.2}
        return {f"Z{i}": alt(i, 20.0, 100.0), f"len{i}": alt(i, 9e-3, 11e-3), **shared}

    def series(v: Values, i: int) -> Model:
        return TransmissionLine(v[f"Z{i}"], v[f"len{i}"], v["er"], loss=v["loss"] if lossy else None)

    def ref(v: Values, i: int, freq: skrf.Frequency) -> list[skrf.Network]:
        med = skrf.media.DefinedGammaZ0(freq, z0_port=50, z0=v[f"Z{i}"], gamma=tline_gamma(v, freq, lossy))
        return [med.line(v[f"len{i}"], "m")]

    return Part("tline_lossy" if lossy else "tline", nominal, series, skrf=ref,
                note="DefinedGammaZ0 line with pmrf's gamma: the same model")


def microstrip_part() -> Part:
    t, tand = 35e-6, 0.02

    def nominal(i: int) -> dict[str, float]:
        return {f"w{i}": alt(i, 5.5e-3, 0.3e-3), f"len{i}": alt(i, 13.2e-3, 14.9e-3), "h": 0.8e-3, "er": 4.4}

    def series(v: Values, i: int) -> Model:
        return Microstrip(v[f"w{i}"], v["h"], v["er"], v[f"len{i}"], t=t, tand=tand, sigma=SIGMA_CU)

    def ref(v: Values, i: int, freq: skrf.Frequency) -> list[skrf.Network]:
        med = skrf.media.MLine(freq, z0_port=50, w=v[f"w{i}"], h=v["h"], t=t, ep_r=v["er"], tand=tand,
                               rho=1 / SIGMA_CU, rough=0.0, diel="frequencyinvariant")
        return [med.line(v[f"len{i}"], "m")]

    return Part("microstrip", nominal, series, skrf=ref,
                note="MLine(diel='frequencyinvariant', rough=0, rho=1/sigma; default hammerstadjensen, "
                     "kirschningjansen): the same model")


def stripline_part() -> Part:
    t, tand = 18e-6, 2e-3

    def nominal(i: int) -> dict[str, float]:
        return {f"w{i}": alt(i, 2.5e-3, 0.4e-3), f"len{i}": alt(i, 8e-3, 12e-3), "b": 1.6e-3, "er": 3.0}

    def series(v: Values, i: int) -> Model:
        return Stripline(v[f"w{i}"], v["b"], v["er"], v[f"len{i}"], t=t, tand=tand, sigma=SIGMA_CU)

    return Part("stripline", nominal, series, note="scikit-rf has no stripline medium")


def coax_part() -> Part:
    tand = 2e-4

    def nominal(i: int) -> dict[str, float]:
        return {f"din{i}": alt(i, 2.2e-3, 0.4e-3), f"len{i}": alt(i, 20e-3, 30e-3), "dout": 2.95e-3, "er": 2.1}

    def series(v: Values, i: int) -> Model:
        return Coax(v[f"din{i}"], v["dout"], v[f"len{i}"], er=v["er"], tand=tand, sigma=SIGMA_CU)

    def ref(v: Values, i: int, freq: skrf.Frequency) -> list[skrf.Network]:
        med = skrf.media.Coaxial(freq, z0_port=50, Dint=v[f"din{i}"], Dout=v["dout"], epsilon_r=v["er"],
                                 tan_delta=tand, sigma=SIGMA_CU)
        return [med.line(v[f"len{i}"], "m")]

    return Part("coax", nominal, series, skrf=ref, note="Coaxial (default Schelkunoff conductors): the same model")


def cpw_part() -> Part:
    tand = 2.7e-3  # t = 0: a thin strip (no conductor loss), where scikit-rf's alpha_c differs

    def nominal(i: int) -> dict[str, float]:
        return {f"w{i}": alt(i, 1.0e-3, 0.2e-3), f"gap{i}": alt(i, 0.1e-3, 0.4e-3), f"len{i}": alt(i, 10e-3, 12e-3),
                "h": 0.5e-3, "er": 3.55}

    def series(v: Values, i: int) -> Model:
        return CPW(v[f"w{i}"], v[f"gap{i}"], v["h"], v["er"], v[f"len{i}"], tand=tand, sigma=SIGMA_CU)

    def ref(v: Values, i: int, freq: skrf.Frequency) -> list[skrf.Network]:
        med = skrf.media.CPW(freq, z0_port=50, w=v[f"w{i}"], s=v[f"gap{i}"], h=v["h"], ep_r=v["er"], t=0.0,
                             tand=tand, rho=1 / SIGMA_CU, diel="frequencyinvariant")
        return [med.line(v[f"len{i}"], "m")]

    return Part("cpw", nominal, series, skrf=ref,
                note="CPW(diel='frequencyinvariant'): NOT exact: stock scikit-rf approximates K(k)/K(k') (Hilberg, "
                     "~2 ppm) where pmrf's is exact, and with t > 0 their conductor losses differ (so t = 0 here)")


def rlgc_part() -> Part:
    def nominal(i: int) -> dict[str, float]:
        return {f"L{i}": alt(i, 150e-9, 600e-9), f"C{i}": alt(i, 240e-12, 60e-12), f"len{i}": alt(i, 10e-3, 12e-3),
                "R": 10.0, "G": 1e-3}

    def series(v: Values, i: int) -> Model:
        return RLGCLine(v["R"], v[f"L{i}"], v["G"], v[f"C{i}"], v[f"len{i}"])

    def ref(v: Values, i: int, freq: skrf.Frequency) -> list[skrf.Network]:
        med = skrf.media.DistributedCircuit(freq, z0_port=50, R=v["R"], L=v[f"L{i}"], G=v["G"], C=v[f"C{i}"])
        return [med.line(v[f"len{i}"], "m")]

    return Part("rlgc", nominal, series, skrf=ref, note="DistributedCircuit: the same model")


def coupled_part() -> Part:
    def nominal(i: int) -> dict[str, float]:
        return {f"ze{i}": alt(i, 70.61, 56.64), f"zo{i}": alt(i, 39.24, 44.77), f"te{i}": 90.0, f"to{i}": 90.0}

    def series(v: Values, i: int) -> Model:
        return CoupledLine(v[f"ze{i}"], v[f"zo{i}"], v[f"te{i}"], v[f"to{i}"], 2e9)

    return Part("coupled_tline", nominal, series, note="no scikit-rf coupled-line medium; open ends folded (circuit.terminate): a ladder")


def lumped_parts() -> list[Part]:
    """resistor, inductor, capacitor and their finite-Q forms, each with a shunt part."""

    def rc(i: int) -> dict[str, float]:
        return {f"Rs{i}": 10.0, f"Rp{i}": 250.0}

    def lc(i: int) -> dict[str, float]:
        return {f"L{i}": 5.3e-9, f"C{i}": 2.1e-12}

    def lcq(i: int) -> dict[str, float]:
        return {**lc(i), f"QL{i}": 40.0, f"QC{i}": 200.0}

    same = "DefinedGammaZ0 lumped elements: the same model"
    return [
        Part("resistor", rc, lambda v, i: Resistor(v[f"Rs{i}"]), lambda v, i: Resistor(v[f"Rp{i}"]),
             lambda v, i, f: [lumped(f).resistor(v[f"Rs{i}"]), lumped(f).shunt_resistor(v[f"Rp{i}"])], same),
        Part("inductor", lc, lambda v, i: Inductor(v[f"L{i}"]), lambda v, i: Capacitor(v[f"C{i}"]),
             lambda v, i, f: [lumped(f).inductor(v[f"L{i}"]), lumped(f).shunt_capacitor(v[f"C{i}"])], same),
        Part("capacitor", lc, lambda v, i: Capacitor(v[f"C{i}"]), lambda v, i: Inductor(v[f"L{i}"]),
             lambda v, i, f: [lumped(f).capacitor(v[f"C{i}"]), lumped(f).shunt_inductor(v[f"L{i}"])], same),
        Part("inductor_q", lcq, lambda v, i: InductorQ(v[f"L{i}"], v[f"QL{i}"], qmode="sqrt"),
             lambda v, i: CapacitorQ(v[f"C{i}"], v[f"QC{i}"]), note="scikit-rf's inductor_q is another model"),
        Part("capacitor_q", lcq, lambda v, i: CapacitorQ(v[f"C{i}"], v[f"QC{i}"]),
             lambda v, i: InductorQ(v[f"L{i}"], v[f"QL{i}"], qmode="sqrt"),
             note="scikit-rf's capacitor_q is another model"),
    ]


def block_parts() -> list[Part]:
    """2-port blocks (shunt capacitors between them) and the circulator."""

    def shunt_c(v: Values, i: int) -> Model:
        return Capacitor(v[f"C{i}"])

    def amp(v: Values, i: int) -> Model:
        f, s, z0 = amp_data()
        return SParameterBlock(f, s, z0=z0)

    def circulator(i: int) -> dict[str, float]:
        return {"loss": 1.0, "iso": 25.0, f"L{i}": 1e-9, f"C{i}": 0.4e-12}

    return [
        Part("transformer", lambda i: {f"n{i}": alt(i, 1.5, 1 / 1.5), f"C{i}": 1e-12},
             lambda v, i: Transformer(v[f"n{i}"]), shunt_c, note="scikit-rf has no transformer"),
        Part("touchstone", lambda i: {f"C{i}": 1e-12}, amp, shunt_c,
             lambda v, i, f: [skrf_amp(f.npoints), lumped(f).shunt_capacitor(v[f"C{i}"])],
             "amp.s2p, interpolated once by scikit-rf (linear re/im, as pmrf), outside the loop; "
             "|S21| of 10 blocks is ~1e8, so read max abs dS relative to that"),
        Part("attenuator", lambda i: {f"dB{i}": 1.0, f"C{i}": 0.5e-12}, lambda v, i: Attenuator(v[f"dB{i}"]), shunt_c,
             lambda v, i, f: [lumped(f).attenuator(-v[f"dB{i}"]), lumped(f).shunt_capacitor(v[f"C{i}"])],
             "DefinedGammaZ0.attenuator: the same model"),
        Part("isolator", lambda i: {f"loss{i}": 0.5, f"iso{i}": 25.0, f"C{i}": 0.5e-12},
             lambda v, i: Isolator(loss=v[f"loss{i}"], isolation=v[f"iso{i}"]), shunt_c,
             note="scikit-rf's isolator is lossless with infinite isolation"),
        Part("vccs", lambda i: {f"gm{i}": 20e-3, f"tau{i}": 5e-12, f"R{i}": 50.0},
             lambda v, i: VCCS(v[f"gm{i}"], v[f"tau{i}"]), lambda v, i: Resistor(v[f"R{i}"]),
             note="scikit-rf has no controlled source"),
        Part("circulator", circulator, None, note="3-port: nodal case only; scikit-rf has no circulator",
             tee=circulator_tee),
    ]


def all_parts() -> list[Part]:
    return [*lumped_parts(), tline_part(False), tline_part(True), microstrip_part(), stripline_part(), coax_part(),
            cpw_part(), rlgc_part(), coupled_part(), *block_parts()]


def all_cases() -> list[Case]:
    return [Case(p, kind) for p in all_parts() for kind in ("ladder5", "ladder10", "tee3")
            if p.series is not None or kind == "tee3"]


# --- measurement ------------------------------------------------------------------------------


def draw(nominal: Mapping[str, float], batch: int, key: jax.Array) -> dict[str, jax.Array]:
    """+-5 % uniform around each nominal value; a parameter's draws depend on its name only."""
    out = {}
    for name, value in nominal.items():
        k = jax.random.fold_in(key, zlib.crc32(name.encode()))
        out[name] = value * jax.random.uniform(k, (batch,), minval=1 - TOLERANCE, maxval=1 + TOLERANCE)
    return out


def kernel_fn(case: Case, freq: Frequency) -> Callable:
    """The plain jitted, vmapped kernel: sampled values -> S of every variant, (B, F, P, P)."""
    return jax.jit(jax.vmap(lambda v: case.build(v).s(freq)))


#: the sweep the kernels are traced for by default: 10^4 samples x 1001 points
SWEEP_POINTS = 10_000_000


def tile_samples(points: int) -> int:
    """Samples per tile, as a sweep sizes them (`engine.kernel.tile_samples`, no statistics)."""
    return max(1, CPU_TILE_POINTS // points)


def part_kernel(case: Case, freq: Frequency, values: dict, tile: int) -> Callable:
    """The sweep-shaped kernel: a part of `2 * tile` sample indices -> their S, each tile's
    variants vmapped, `lax.map` over the part's two tiles (as `engine.kernel.make_kernel`)."""
    table = {name: jnp.asarray(v) for name, v in values.items()}

    def one(i):
        return case.build({name: v[i] for name, v in table.items()}).s(freq)

    def part(indices):
        out = jax.lax.map(jax.vmap(one), indices.reshape(-1, tile))
        return out.reshape((-1,) + out.shape[2:])

    return jax.jit(part)


def best_of(n: int, fn: Callable[[], Any]) -> float:
    """Shortest of n timed calls (the machine is shared: the minimum is the least disturbed)."""
    best = np.inf
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def time_compiled(compile_: Callable[[], Callable], values: dict) -> tuple[float, float, np.ndarray]:
    """(compile s, run s for the batch, S): compiled once, one warm-up run, best of 3."""
    t0 = time.perf_counter()
    compiled = compile_()
    t_compile = time.perf_counter() - t0
    s = np.asarray(jax.block_until_ready(compiled(values)))
    return t_compile, best_of(3, lambda: jax.block_until_ready(compiled(values))), s


def time_parts(case: Case, freq: Frequency, values: dict, batch: int,
               sweep_points: int | None) -> tuple[float, float, np.ndarray]:
    """(compile s, run s for the batch on all cores, S): the part's program traced as part of a
    sweep of `sweep_points` points (None: of unknown size) and compiled once, the batch's parts
    on `usable_cores()` threads, one warm-up run, best of 3."""
    tile = tile_samples(freq.npoints)
    size = 2 * tile
    t0 = time.perf_counter()
    kernel = part_kernel(case, freq, values, tile)
    if sweep_points is None:
        lowered = kernel.lower(padded_indices(0, size, size))
    else:
        with evaluation_points(sweep_points):
            lowered = kernel.lower(padded_indices(0, size, size))
    compiled = compile_threadsafe(lowered, jax.default_backend(), points=sweep_points)
    t_compile = time.perf_counter() - t0
    runner = ChunkRunner(compiled, size, usable_cores())
    indices = padded_indices(0, batch, -(-batch // size) * size)

    def run() -> list:
        return runner.result(runner.submit(indices))

    try:
        s = np.concatenate([out for out in run()])[:batch]
        return t_compile, best_of(3, run), s
    finally:
        runner.close()


def solver_of(case: Case, nominal: Mapping[str, float]) -> str:
    return "ladder" if case.build(nominal).is_ladder() else "nodal"


def skrf_compare(case: Case, values: dict, s: np.ndarray, subset: int, fsk: skrf.Frequency) -> tuple[float, float]:
    """(scikit-rf seconds per sample, max |S - S_skrf|) over the first `subset` samples."""
    k = min(subset, len(s))
    samples = [{name: float(v[j]) for name, v in values.items()} for j in range(k)]

    def network(p: Values) -> np.ndarray:
        return skrf.network.cascade_list([n for i in range(case.sections) for n in case.part.skrf(p, i, fsk)]).s

    network(samples[0])  # warm-up, untimed (it also fills the caches, such as the interpolated block)
    t0 = time.perf_counter()
    ref = [network(p) for p in samples]
    per_sample = (time.perf_counter() - t0) / k
    return per_sample, float(np.abs(s[:k] - np.asarray(ref)).max())


def run_case(case: Case, batch: int, points: int, subset: int, key: jax.Array,
             sweep_points: int | None = SWEEP_POINTS) -> Result:
    freq = Frequency(F_START, F_STOP, points, "Hz")
    nominal = case.nominal()
    values = draw(nominal, batch, key)
    t_compile, t_run, s = time_parts(case, freq, values, batch, sweep_points)
    result = Result(case, solver_of(case, nominal), batch, t_compile, t_run / batch, points)
    if not np.isfinite(s).all():
        bad = np.argwhere(~np.isfinite(s))
        result.problems.append(f"non-finite S in {len(bad)} entries, first at (sample, f, i, j) = {tuple(int(x) for x in bad[0])}")
    if case.part.skrf is not None and case.kind != "tee3":
        fsk = skrf.Frequency(F_START, F_STOP, points, "Hz")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scikit-rf's skin-depth warnings
            result.skrf_s, result.max_err = skrf_compare(case, values, s, subset, fsk)
    return result


def plain_compile(case: Case, points: int, key: jax.Array) -> tuple[float, float, float, float]:
    """(compile s, per sample s) with XLA's default options, then with pmrf's, on PLAIN_BATCH samples."""
    freq = Frequency(F_START, F_STOP, points, "Hz")
    values = draw(case.nominal(), PLAIN_BATCH, key)
    fn = kernel_fn(case, freq)
    c_plain, t_plain, _ = time_compiled(lambda: fn.lower(values).compile(), values)
    c_opt, t_opt, _ = time_compiled(lambda: compile_kernel(fn, values), values)
    return c_plain, t_plain / PLAIN_BATCH, c_opt, t_opt / PLAIN_BATCH


# --- report -----------------------------------------------------------------------------------


def fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def table(results: list[Result]) -> str:
    by_name = {r.case.name: r for r in results}
    head = ["case", "solver", "batch", "compile (s)", "kernel (us/sample)", "Mpt/s", "t10/t5",
            "skrf (us/sample)", "x skrf", "max abs dS"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        five = by_name.get(f"{r.case.part.name}/ladder5")
        growth = r.kernel_s / five.kernel_s if r.case.kind == "ladder10" and five else None
        ratio = r.skrf_s / r.kernel_s if r.skrf_s is not None else None
        row = [r.case.name + (" (!)" if r.problems else ""), r.solver, str(r.batch), f"{r.compile_s:.2f}",
               f"{r.kernel_s * 1e6:.1f}", f"{r.points / r.kernel_s / 1e6:.2f}", fmt(growth, ".2f"),
               fmt(None if r.skrf_s is None else r.skrf_s * 1e6, ".0f"), fmt(ratio, ".1f"), fmt(r.max_err, ".1e")]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="batch 20, 201 points, scikit-rf subset 3 (about 2 min)")
    ap.add_argument("--cases", default="", help="only cases whose name (type/kind) matches this regex")
    ap.add_argument("--batch", type=int, help="samples per case (default: two parts per core; --quick: one)")
    ap.add_argument("--points", type=int, help="frequency points, 10 MHz-3 GHz (default 1001; --quick 201)")
    ap.add_argument("--subset", type=int, help="samples timed in the scikit-rf loop (default 10; --quick 3)")
    ap.add_argument("--sweep-points", type=int, default=SWEEP_POINTS,
                    help="trace the kernels as parts of a sweep of this many (sample, frequency) points, "
                         "whose solver, math-function and compiler choices they then take (default 10^7; 0: unknown size)")
    args = ap.parse_args()
    points = args.points or (201 if args.quick else 1001)
    batch = args.batch or 2 * tile_samples(points) * usable_cores() * (1 if args.quick else 2)
    subset = args.subset or (3 if args.quick else 10)
    cases = [c for c in all_cases() if re.search(args.cases, c.name)]
    key = jax.random.key(0)

    results, failures = [], []
    for case in cases:
        print(f"{case.name} ...", file=sys.stderr, flush=True)
        try:
            r = run_case(case, batch, points, subset, key, args.sweep_points or None)
        except Exception as exc:  # noqa: BLE001 - a failing type is reported, the others still run
            failures.append(f"{case.name}: {type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-4)}")
            print(failures[-1], file=sys.stderr)
            continue
        results.append(r)
        failures += [f"{case.name}: {p}" for p in r.problems]

    print(f"jax {jax.__version__} on {jax.default_backend()}, {usable_cores()} cores (load average "
          f"{os.getloadavg()[0]:.1f}); scikit-rf {skrf.__version__}; {points} points 10 MHz-3 GHz, complex128, "
          f"+-5 % uniform draws; scikit-rf on {subset} samples; kernels traced for a sweep of "
          f"{args.sweep_points or 'an unknown number of'} points\n")
    print(table(results))
    print("\nscikit-rf references:")
    for part in dict.fromkeys(r.case.part for r in results):
        print(f"* {part.name}: {part.note}")
    plain = next((c for c in cases if c.name == "microstrip/ladder10"), None)
    if plain is not None:
        c_plain, t_plain, c_opt, t_opt = plain_compile(plain, points, key)
        print(f"\nmicrostrip/ladder10 on {PLAIN_BATCH} samples: XLA's default options compile in {c_plain:.2f} s and "
              f"run {t_plain * 1e6:.0f} us/sample; pmrf's options (compile_kernel) {c_opt:.2f} s and "
              f"{t_opt * 1e6:.0f} us/sample (compile {c_plain / c_opt:.2f}x, run {t_plain / t_opt:.2f}x "
              f"of the default's speed)")
    if failures:
        print("\nfailures:")
        for f in failures:
            print(f"* {f}")


if __name__ == "__main__":
    main()
