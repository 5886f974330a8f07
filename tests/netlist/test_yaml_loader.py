"""YAML loading with positions, duplicate-key and malformed-input errors."""

import pytest

from pmrf_cli.netlist.errors import Loc, NetlistError
from pmrf_cli.netlist.yaml_loader import YMap, YScalar, YSeq, load_yaml, to_python


def err(text):
    with pytest.raises(NetlistError) as info:
        load_yaml(text, "t.yaml")
    return info.value


def test_positions_of_keys_and_values():
    root = load_yaml("a: 1\nb:\n  c: [x, 2]\n", "t.yaml")
    assert isinstance(root, YMap)
    assert root.key_node("b").loc == Loc("t.yaml", 2, 1)
    inner = root.get("b")
    assert isinstance(inner, YMap)
    seq = inner.get("c")
    assert isinstance(seq, YSeq)
    assert seq.items[0].loc == Loc("t.yaml", 3, 7)
    assert seq.items[1] == YScalar(2, "2", Loc("t.yaml", 3, 10))
    assert to_python(root) == {"a": 1, "b": {"c": ["x", 2]}}


def test_quoted_scalars_know_where_their_text_starts():
    root = load_yaml('a: "2 * x"\n', "t.yaml")
    value = root.get("a")
    assert value.quoted and value.content_loc == Loc("t.yaml", 1, 5)


def test_numbers_yaml_does_not_read_stay_strings():
    root = load_yaml("a: 5e8\nb: 6.37e-12\nc: 0\n", "t.yaml")
    assert root.get("a").value == "5e8"
    assert root.get("b").value == 6.37e-12
    assert root.get("c").text == "0"


def test_duplicate_key_top_level():
    e = err("name: a\ncomponents: {}\nname: b\n")
    assert e.loc == Loc("t.yaml", 3, 1)
    assert "duplicate key 'name'" in e.message and "line 1" in e.message


def test_duplicate_key_nested():
    e = err("components:\n  R1: {type: resistor, R: 1, R: 2}\n")
    assert e.loc == Loc("t.yaml", 2, 30)
    assert "duplicate key 'R'" in e.message and "line 2" in e.message
    e = err("a:\n  b:\n    c: 1\n    d: 2\n    c: 3\n")
    assert e.loc == Loc("t.yaml", 5, 5) and "first given at line 3" in e.message


def test_malformed_yaml_reports_yaml_position():
    e = err("a: [1, 2\nb: 3\n")
    assert str(e).startswith("t.yaml:") and "malformed YAML" in e.message
    e = err("a: 1\n  b: 2\n")
    assert e.loc.line == 2 and "malformed YAML" in e.message
    e = err("a: 'unterminated\n")
    assert "malformed YAML" in e.message


def test_empty_file():
    for text in ["", "\n\n", "# only a comment\n"]:
        e = err(text)
        assert e.loc == Loc("t.yaml", 1, 1) and "empty" in e.message


def test_python_tags_are_refused():
    e = err("a: !!python/object/apply:os.system ['echo hi']\n")
    assert "a mapping key" not in e.message
    e2 = err("a: !!python/name:os.system x\n")
    assert e2.loc == Loc("t.yaml", 1, 4)


def test_aliases_allowed_merge_keys_refused():
    root = load_yaml("a: &v 5 pF\nb: *v\n", "t.yaml")
    assert to_python(root) == {"a": "5 pF", "b": "5 pF"}
    e = err("base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n")
    assert "merge keys" in e.message and e.loc == Loc("t.yaml", 3, 3)


def test_multiple_documents_refused():
    assert "malformed YAML" in err("a: 1\n---\nb: 2\n").message


def test_complex_keys_refused():
    assert "mapping key" in err("? [a, b]\n: 1\n").message
