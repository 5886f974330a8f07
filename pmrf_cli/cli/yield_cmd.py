"""`pmrf yield`: yield and per-spec margins of a results file, stored or with other specs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from pmrf_cli.cli.common import UserError, run_command


def yield_(
    file: Path = typer.Argument(..., help="A pmrf results file (.h5) of a sweep or simulation."),
    specs: Optional[Path] = typer.Option(None, "--specs", help="YAML file with a `specs:` mapping: recompute margins with these specs instead of the stored ones."),
    confidence: float = typer.Option(0.95, "--confidence", help="Confidence level of the Wilson interval."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout (SPECS.md)."),
) -> None:
    """Yield with its Wilson interval, and per spec the passing samples and worst/mean margins."""

    def body():
        import numpy as np

        from pmrf_cli.io.results import open_results

        if not 0.0 < confidence < 1.0:
            raise UserError("--confidence must be between 0 and 1 (e.g. 0.95)")
        with open_results(file) as f:
            done = int(f.attrs["samples_done"])
            sweep = "seed" in f.attrs
            if specs is None:
                if "specs" not in f:
                    raise UserError(f"{file}: holds no spec margins; give --specs SPECS.yaml to score its samples")
                sl = slice(0, done) if sweep else ()
                margins = {name: np.atleast_1d(f["specs"][name][sl]) for name in f["specs"]}
                units = {name: str(f["specs"][name].attrs.get("unit", "")) for name in f["specs"]}
            else:
                margins, units = _recompute(f, file, specs, done)
            groups = int(np.size(f["yield"])) if "yield" in f and np.ndim(f["yield"]) else 0
            samples = int(f.attrs["samples"])
        from pmrf_cli.specs.summary import per_point_yield, summarize

        out = summarize(margins, confidence)
        if as_json:
            print(json.dumps(out))
            return 0
        print(_text(out, units, done, samples, groups, margins, per_point_yield))
        return 0

    run_command(body)


def _recompute(f, file: Path, specs_path: Path, done: int):
    from pmrf_cli.engine import runtime
    from pmrf_cli.specs.bind import bind_specs
    from pmrf_cli.specs.rescore import load_specs_file, recompute_margins, stored_netlist, sweep_margins

    flat = stored_netlist(f, file)
    defs = load_specs_file(str(specs_path), flat)
    import numpy as np

    bound = bind_specs(flat, np.asarray(f["frequency"][()]), defs)
    single = ("s" in f and f["s"].dtype == np.complex64) or str(f.attrs.get("precision", "")) == "single"
    runtime.configure("single" if single else "double")  # the arithmetic the sweep ran in
    m = sweep_margins(f, flat, bound, done)
    if m is None:
        m = recompute_margins(f, flat, bound, done)
    return {b.name: m[:, j] for j, b in enumerate(bound)}, {b.name: b.unit for b in bound}


def _text(out: dict, units: dict, done: int, samples: int, groups: int, margins, per_point_yield) -> str:
    from pmrf_cli.specs.report import format_value

    lines = [
        f"yield {out['yield']:.2%} ({out['passed']} of {out['samples']} samples), "
        f"{out['confidence']:.0%} interval [{out['low']:.2%}, {out['high']:.2%}]"
    ]
    if done < samples:
        lines.append(f"(the file is incomplete: {done} of {samples} samples done)")
    width = max(len("spec"), *(len(k) for k in out["specs"]))
    lines.append(f"  {'spec':<{width}}  {'passed':>8}  {'worst margin':>14}  {'mean margin':>14}")
    for name, st in out["specs"].items():
        worst = "nan" if st["worst_margin"] is None else format_value(st["worst_margin"], units.get(name, ""))
        mean = "nan" if st["mean_margin"] is None else format_value(st["mean_margin"], units.get(name, ""))
        lines.append(f"  {name:<{width}}  {st['passed']:>8}  {worst:>14}  {mean:>14}")
    if groups and done == samples:
        import numpy as np

        ok = np.ones(done, bool)
        for m in margins.values():
            with np.errstate(invalid="ignore"):
                ok &= np.asarray(m) >= 0
        y = per_point_yield(ok, groups)
        lines.append("yield per grid point: " + " ".join(f"{v:.1%}" for v in y[:50]) + (" ..." if groups > 50 else ""))
    return "\n".join(lines)
