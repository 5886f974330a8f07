"""`pmrf info` and `pmrf export`: read a results file back."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Optional

import typer

from pmrf_cli.cli.common import UserError, atomic_output, run_command


def info(
    file: Path = typer.Argument(..., help="A pmrf results file (.h5)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """Print what a results file holds: netlist, ports, grid, samples, parameter statistics, yield."""

    def body():
        from pmrf_cli.io.results import format_info, read_info

        info = read_info(file)
        if as_json:
            print(json.dumps(_finite(info)))
        else:
            print(format_info(info))

    run_command(body)


def _finite(x):
    """JSON-safe: NaN and infinities become null."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite(v) for v in x]
    return x


def stats(
    file: Path = typer.Argument(..., help="A pmrf results file (.h5)."),
    percentiles: str = typer.Option("5,50,95", "--percentiles", help="Percentiles of dB|S| from a stored /s (comma-separated; '' for none)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """Per frequency and S-term: mean and std of S and of dB|S|, min/max (and percentiles) of dB|S|."""

    def body():
        import numpy as np

        from pmrf_cli.io.read_stats import percentiles as pct
        from pmrf_cli.io.read_stats import read_statistics, term_names
        from pmrf_cli.io.results import open_results

        try:
            q = [float(x) for x in percentiles.split(",") if x.strip()]
        except ValueError:
            raise UserError(f"--percentiles {percentiles!r}: expected numbers such as 5,50,95") from None
        if any(not 0 <= v <= 100 for v in q):
            raise UserError("--percentiles must lie in 0..100")
        with open_results(file) as f:
            freq = f["frequency"][()]
            st = read_statistics(f)
            done = int(f.attrs["samples_done"])
            p_values = pct(f, q) if q and "s" in f and "seed" in f.attrs and done else None
            ports = [str(x) for x in f.attrs["port_names"]]
        names = term_names(len(ports))
        terms = {}
        for i in range(len(ports)):
            for j in range(len(ports)):
                t = {
                    "s_mean_re": st["s_mean"][:, i, j].real, "s_mean_im": st["s_mean"][:, i, j].imag,
                    "s_std": st["s_std"][:, i, j], "db_mean": st["db_mean"][:, i, j], "db_std": st["db_std"][:, i, j],
                    "db_min": st["db_min"][:, i, j], "db_max": st["db_max"][:, i, j],
                }
                if p_values is not None:
                    for k, v in enumerate(q):
                        t[f"db_p{v:g}"] = p_values[k, :, i, j]
                terms[names[i][j]] = {k: np.asarray(v, dtype=np.float64).tolist() for k, v in t.items()}
        if as_json:
            print(json.dumps(_finite({"samples": done, "ports": ports, "frequency": freq.tolist(), "terms": terms})))
            return
        print(_stats_text(done, freq, terms))

    run_command(body)


def _stats_text(done: int, freq, terms: dict) -> str:
    import numpy as np

    rows = np.unique(np.linspace(0, len(freq) - 1, min(len(freq), 11)).round().astype(int))
    lines = [f"statistics over {done} samples (dB|S| mean, std, min, max, percentiles; {len(freq)} frequencies, {len(rows)} shown)"]
    for name, t in terms.items():
        cols = ["db_mean", "db_std", "db_min", "db_max"] + [k for k in t if k.startswith("db_p")]
        lines.append(f"{name}:")
        lines.append("  " + f"{'frequency':>14}" + "".join(f"{c.removeprefix('db_'):>10}" for c in cols))
        for r in rows:
            vals = "".join(f"{t[c][r]:>10.3f}" if t[c][r] is not None else f"{'nan':>10}" for c in cols)
            lines.append(f"  {freq[r] / 1e9:>10.6g} GHz{vals}")
    return "\n".join(lines)


def export(
    file: Path = typer.Argument(..., help="A pmrf results file (.h5)."),
    sample: int = typer.Option(0, "--sample", help="Index of the sample to export."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Touchstone file to write; stdout if omitted."),
) -> None:
    """Write one sample of a results file as Touchstone."""

    def body():
        from pmrf_cli.io.results import read_sample
        from pmrf_cli.io.touchstone import touchstone_extension, touchstone_text

        if sample < 0:
            raise UserError("--sample must be >= 0")
        frequency, s, z0, names = read_sample(file, sample)
        if output is not None and output.suffix.lower() != touchstone_extension(s.shape[-1]):
            raise UserError(f"{output}: a {s.shape[-1]}-port result belongs in a {touchstone_extension(s.shape[-1])} file")
        text = touchstone_text(frequency, s, z0, [f"pmrf export: {file} sample {sample}", f"ports: {' '.join(names)}"])
        if output is None:
            sys.stdout.write(text)
        else:
            with atomic_output(output) as fh:
                fh.write(text)

    run_command(body)
