"""Human summaries of the design commands (plain text tables)."""

from __future__ import annotations

from typing import Mapping, Sequence


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def columns(rows: Sequence[Sequence[str]]) -> str:
    """Rows of cells, left-aligned in columns two spaces apart."""
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows) + "\n"


def sensitivity_table(result: Mapping, specs, ranked_rows) -> str:
    """Each spec's nominal margin and worst frequency, then every (spec, parameter) pair ranked
    by |margin change per spread|: the tolerances to tighten come first."""
    units = {s.name: s.unit for s in specs}
    from pmrf_cli.specs.report import format_hz, format_value

    head = [("spec", "margin", "worst at")]
    head += [(n, format_value(r.margin, units[n]), format_hz(r.worst_frequency)) for n, r in result.items()]
    text = columns(head)
    if not ranked_rows:
        return text + "no random parameters: nothing to rank\n"
    rows = [("spec", "parameter", "margin per spread", "d margin / d p")]
    rows += [(n, p, ("+" if d >= 0 else "") + format_value(d, units[n]), f"{result[n].gradient[p]:+.4g}")
             for n, p, d in ranked_rows]
    return text + "\n" + columns(rows)


def optimize_table(result, written: Mapping[str, str]) -> str:
    """Parameters (start, optimised), margins (start, optimised), iterations."""
    from pmrf_cli.netlist.writeback import format_like

    rows = [("parameter", "start", "optimised")]
    for path, value in result.parameters.items():
        style = written.get(path, repr(result.start[path]))
        rows.append((path, format_like(result.start[path], style, 6), format_like(value, style, 6)))
    margins = [("spec", "start margin", "margin")]
    margins += [(n, _fmt(result.start_margins[n]), _fmt(m)) for n, m in result.margins.items()]
    state = "converged" if result.converged else "did not converge"
    return columns(rows) + "\n" + columns(margins) + f"iterations: {result.iterations} ({state})\n"



def centre_table(result, written: Mapping[str, str]) -> str:
    """Parameters (start, centred) and held-out yields (before, after) with their intervals."""
    from pmrf_cli.netlist.writeback import format_like

    rows = [("parameter", "start", "centred")]
    for path, value in result.parameters.items():
        style = written.get(path, repr(result.start[path]))
        rows.append((path, format_like(result.start[path], style, 6), format_like(value, style, 6)))
    ys = [("held-out yield", "passed", "yield", "interval")]
    for name, y in (("before", result.before), ("after", result.after)):
        conf = f"{y['confidence'] * 100:g} %"
        ys.append((name, f"{y['passed']}/{y['samples']}", f"{y['yield']:.4f}", f"[{y['low']:.4f}, {y['high']:.4f}] ({conf})"))
    state = "converged" if result.converged else "did not converge"
    return columns(rows) + "\n" + columns(ys) + f"iterations: {result.iterations} ({state})\n"


__all__ = ["centre_table", "columns", "optimize_table", "sensitivity_table"]
