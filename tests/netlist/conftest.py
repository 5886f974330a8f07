"""Shared by the netlist tests: a small netlist from its components, loading it, its errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pmrf_cli.netlist import NetlistError, NetlistErrors, flatten, parse_netlist


def netlist(components: str, ports: str = "[a, b]", parameters: str = "") -> str:
    """A netlist text on a 3-point grid: `components` (YAML lines), `ports`, `parameters`."""
    body = textwrap.indent(textwrap.dedent(components).rstrip("\n") + "\n", "  ")
    params = f"parameters:\n{textwrap.indent(parameters, '  ')}\n" if parameters else ""
    return f"frequency: {{start: 1 GHz, stop: 2 GHz, points: 3}}\n{params}components:\n{body}ports: {ports}\n"


def load(text: str):
    """The flattened netlist of `text`."""
    return flatten(parse_netlist(text, "t.yaml", Path(".")))


def errors(text: str) -> list[str]:
    """The messages of the errors loading `text` raises."""
    with pytest.raises((NetlistError, NetlistErrors)) as info:
        load(text)
    return [str(e) for e in info.value.errors]
