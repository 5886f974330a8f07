"""The JSON Schema of the netlist format, and the example netlists against it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pmrf_cli.netlist import load_netlist, schema_text, validate_against_schema

ROOT = Path(__file__).parents[2]

pytest.importorskip("jsonschema")


def test_schema_is_valid_draft_2020_12():
    import jsonschema

    schema = json.loads(schema_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_repo_root_schema_is_a_link_to_the_packaged_file():
    link = ROOT / "schemas" / "netlist.schema.json"
    assert link.is_symlink()
    assert link.resolve() == (ROOT / "pmrf_cli" / "schemas" / "netlist.schema.json").resolve()
    assert link.read_text(encoding="utf-8") == schema_text()


def test_jsonschema_not_imported_at_module_import():
    code = "import sys, pmrf_cli.netlist.schema; print('jsonschema' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.name)
def test_examples_validate_and_load(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert validate_against_schema(data) == []
    load_netlist(path)


DOC_SUBCIRCUIT = """\
frequency: {values: [1 GHz]}
parameters:
  R0: 50 ohm
  C3: {value: 6.37 pF, distribution: uniform, min: 6 pF, max: 6.7 pF}
  C5: {value: 6.37 pF, distribution: normal, std: 2%, min: 6 pF, max: 6.7 pF}
  C6: {value: 6.37 pF, distribution: lognormal, std: 2%}
  C7: {value: 6.8 pF, distribution: choice, values: [5.6 pF, 6.8 pF, 8.2 pF]}
subcircuits:
  resonator:
    ports: [a]
    parameters: {L: 2 nH, C: {value: 12.7 pF, tolerance: 5%}}
    components:
      Lr: {type: inductor,  nodes: [a, gnd], L: L}
      Cr: {type: capacitor, nodes: [a, gnd], C: C}
components:
  X1: {type: resonator, nodes: [n1]}
  X2: {type: resonator, nodes: [n2], C: 10 pF}
  T1: {type: tline, nodes: [n1, n2], z0: R0, theta: 90, f0: 1 GHz}
  T2: {type: transformer, nodes: [n1, 0, n3, gnd], n: 2}
ports: [{node: n1, z0: 50}, {node: n2, z0: 75 ohm}, n3]
"""


def test_documented_forms_validate():
    assert validate_against_schema(yaml.safe_load(DOC_SUBCIRCUIT)) == []


@pytest.mark.parametrize(
    "change, fragment",
    [
        (("components:", "component: {}\ncomponents:"), "'component' was unexpected"),
        (("L: L}", "L: L, C: 1}"), "'C' was unexpected"),
        (("theta: 90, f0: 1 GHz", "theta: 90, f0: 1 GHz, length: 1 m"), "T1"),
        (("std: 2%}", "}"), "C6"),
        (("frequency: {values: [1 GHz]}", "frequency: {values: [1 GHz], start: 1}"), "frequency"),
        (("nodes: [n1, n2], z0", "nodes: [n1, n2, n3], z0"), "T1"),
        (("n: 2}", "}"), "T2"),
        (("ports: [{node", "ports: [{nod"), "ports"),
        (("distribution: choice", "distribution: gauss"), "C7"),
    ],
)
def test_schema_rejects(change, fragment):
    text = DOC_SUBCIRCUIT.replace(*change)
    assert text != DOC_SUBCIRCUIT
    problems = validate_against_schema(yaml.safe_load(text))
    assert problems, text
    assert any(fragment in p for p in problems), problems
