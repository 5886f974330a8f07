"""The netlist JSON Schema shipped with the package, and an optional check against it."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def schema_text() -> str:
    """The JSON Schema of the netlist format, as text."""
    return resources.files("pmrf_cli").joinpath("schemas/netlist.schema.json").read_text(encoding="utf-8")


def schema() -> dict[str, Any]:
    """The JSON Schema of the netlist format, parsed."""
    return json.loads(schema_text())


def validate_against_schema(data: Any) -> list[str]:
    """Schema violations of plain netlist data (as `yaml.safe_load` gives), one message each.

    Needs the optional `jsonschema` package (a test dependency); raises ImportError without it.
    """
    import jsonschema  # imported here: optional

    validator = jsonschema.Draft202012Validator(schema())
    out = []
    for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(str(p) for p in err.absolute_path) or "(top)"
        out.append(f"{where}: {err.message}")
    return out
