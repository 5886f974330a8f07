"""Load YAML into small wrapper nodes that remember where every key and value was written.

Only the safe loader's tags are accepted; duplicate keys, merge keys (`<<`) and an empty
document are errors. Anchors and aliases are allowed (they are plain data).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Iterator, Union

import yaml

from .errors import Loc, NetlistError

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class YScalar:
    """A scalar: `value` as YAML's safe loader reads it, `text` as written (quotes removed)."""

    value: Any
    text: str
    loc: Loc
    quoted: bool = False

    @property
    def content_loc(self) -> Loc:
        """Where the scalar's text starts (after an opening quote)."""
        return self.loc.shifted(1) if self.quoted else self.loc


@dataclass(frozen=True)
class YSeq:
    """A sequence of nodes."""

    items: tuple["YNode", ...]
    loc: Loc


@dataclass(frozen=True)
class YMap:
    """A mapping with string keys, in the order written; keys are unique."""

    entries: tuple[tuple[YScalar, "YNode"], ...]
    loc: Loc

    def keys(self) -> list[str]:
        """The keys, as written."""
        return [k.text for k, _ in self.entries]

    def items(self) -> Iterator[tuple[YScalar, "YNode"]]:
        """(key node, value node) pairs."""
        return iter(self.entries)

    def get(self, key: str) -> "YNode | None":
        """The value node for `key`, or None."""
        for k, v in self.entries:
            if k.text == key:
                return v
        return None

    def key_node(self, key: str) -> YScalar | None:
        """The key node for `key`, or None."""
        for k, _ in self.entries:
            if k.text == key:
                return k
        return None

    def __contains__(self, key: object) -> bool:
        return any(k.text == key for k, _ in self.entries)


YNode = Union[YScalar, YSeq, YMap]


def node_kind(node: YNode) -> str:
    """A short word for error messages: 'a mapping', 'a list' or 'a scalar'."""
    if isinstance(node, YMap):
        return "a mapping"
    if isinstance(node, YSeq):
        return "a list"
    return "a scalar"


class _Loader(yaml.SafeLoader):
    """The safe loader; used for composing and for constructing scalars only."""


def _loc(file: str, mark: Any) -> Loc:
    return Loc(file, mark.line + 1, mark.column + 1)


def load_yaml(text: str, file: str) -> YNode:
    """Parse `text` into wrapper nodes; raise NetlistError on malformed or empty input."""
    loader = _Loader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            loc = _loc(file, mark) if mark is not None else Loc(file, 1, 1)
            problem = exc.problem or exc.context or "malformed YAML"
            if exc.context and exc.problem:
                problem = f"{exc.context}, {exc.problem}"
            raise NetlistError(loc, f"malformed YAML: {problem}") from None
        except yaml.YAMLError as exc:
            raise NetlistError(Loc(file, 1, 1), f"malformed YAML: {exc}") from None
        if root is None:
            raise NetlistError(Loc(file, 1, 1), "empty netlist: nothing but comments or blank lines")
        return _convert(root, file, loader, set())
    finally:
        loader.dispose()


def _convert(node: yaml.Node, file: str, loader: _Loader, active: set[int]) -> YNode:
    loc = _loc(file, node.start_mark)
    if id(node) in active:
        raise NetlistError(loc, "recursive YAML alias")
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, file, loader)
    active = active | {id(node)}
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ_TAG:
            raise NetlistError(loc, f"unsupported YAML tag {node.tag!r}")
        return YSeq(tuple(_convert(item, file, loader, active) for item in node.value), loc)
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP_TAG:
            raise NetlistError(loc, f"unsupported YAML tag {node.tag!r}")
        entries: list[tuple[YScalar, YNode]] = []
        first: dict[str, YScalar] = {}
        for key_node, value_node in node.value:
            key_loc = _loc(file, key_node.start_mark)
            if key_node.tag == _MERGE_TAG:
                raise NetlistError(key_loc, "YAML merge keys ('<<') are not supported")
            if not isinstance(key_node, yaml.ScalarNode):
                raise NetlistError(key_loc, "a mapping key must be a plain name, not a list or mapping")
            key = _scalar(key_node, file, loader)
            if key.text in first:
                raise NetlistError(
                    key.loc, f"duplicate key '{key.text}' (first given at line {first[key.text].loc.line}, "
                    f"column {first[key.text].loc.col})"
                )
            first[key.text] = key
            entries.append((key, _convert(value_node, file, loader, active)))
        return YMap(tuple(entries), loc)
    raise NetlistError(loc, "unsupported YAML node")  # pragma: no cover


def _scalar(node: yaml.ScalarNode, file: str, loader: _Loader) -> YScalar:
    loc = _loc(file, node.start_mark)
    try:
        value = loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        raise NetlistError(loc, f"cannot read this YAML value: {problem}") from None
    return YScalar(value, str(node.value), loc, quoted=node.style in ("'", '"'))


def to_python(node: YNode) -> Any:
    """Plain Python data (dicts, lists, scalars) for a wrapper tree, e.g. for schema checks."""
    if isinstance(node, YMap):
        return {k.text: to_python(v) for k, v in node.entries}
    if isinstance(node, YSeq):
        return [to_python(item) for item in node.items]
    if isinstance(node.value, (datetime.date, datetime.datetime, bytes)):
        return node.text
    return node.value
