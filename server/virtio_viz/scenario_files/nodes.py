"""Untrusted YAML in, a small tree of positioned values out, or a ScenarioFileError.

How this works: the text is first read as a stream of YAML events, which costs no
recursion and builds nothing, and refused when it is too big, nests too deep, holds more
than one document, or uses anchors, aliases or explicit tags (none of which a scenario
needs, and aliases are how "billion laughs" files grow). Only then is it composed into
PyYAML nodes, whose `start_mark` says where each value begins, and turned into `Node`s:
plain Python values (str, int, bool, None, dicts and lists of Nodes) with a line and a
column, so every later complaint can point at the exact value it is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from virtio_viz.scenario_files.errors import ScenarioFileError

MAX_DEPTH = 16
MAX_EVENTS = 200_000
MAX_NUMBER_DIGITS = 40
_INT_TAG = "tag:yaml.org,2002:int"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"
_FLOAT_TAG = "tag:yaml.org,2002:float"

Scalar = str | int | bool | None


@dataclass(frozen=True, slots=True)
class Node:
    """A value of the file and where it starts (1-based line and column)."""

    value: Any  # Scalar | dict[str, Node] | list[Node]
    line: int
    column: int
    keys: dict[str, Node] | None = None  # for a mapping: each key's own node

    def error(self, filename: str, message: str) -> ScenarioFileError:
        return ScenarioFileError(filename, self.line, self.column, message)


def parse(text: str, filename: str, max_bytes: int) -> Node:
    """The whole document as a Node tree (ScenarioFileError for anything refused)."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise ScenarioFileError(
            filename, 1, 1, f"a scenario file of at most {max_bytes} bytes (this one has {size})"
        )
    try:
        _screen(text, filename)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ScenarioFileError(filename, line, column, f"valid YAML ({error.problem})") from None
    except yaml.YAMLError as error:  # the reader: a character YAML does not allow
        line, column = _where(text, getattr(error, "position", 0))
        character = getattr(error, "character", None)
        if isinstance(character, str):
            character = ord(character[:1] or "\0")
        what = f"character {character:#x} is not allowed" if isinstance(character, int) else error
        raise ScenarioFileError(filename, line, column, f"valid YAML text ({what})") from None
    if root is None:
        raise ScenarioFileError(filename, 1, 1, "a mapping that starts with virtio-viz-scenario: 1")
    return _convert(root, filename)


def _where(text: str, position: int) -> tuple[int, int]:
    before = text[: max(0, position)]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def _screen(text: str, filename: str) -> None:
    """Refuse what a scenario never needs before anything is built."""
    depth, documents = 0, 0
    for count, event in enumerate(yaml.parse(text, Loader=yaml.SafeLoader)):
        mark = event.start_mark
        here = (filename, mark.line + 1, mark.column + 1) if mark else (filename, 1, 1)
        if count > MAX_EVENTS:
            raise ScenarioFileError(*here, f"at most {MAX_EVENTS} YAML values")
        if isinstance(event, yaml.AliasEvent):
            raise ScenarioFileError(*here, "a plain value (aliases like *name are not allowed)")
        if getattr(event, "anchor", None) is not None:
            raise ScenarioFileError(*here, "a plain value (anchors like &name are not allowed)")
        if _explicit_tag(event):
            raise ScenarioFileError(*here, "a plain value (tags like !!str are not allowed)")
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise ScenarioFileError(*here, "one YAML document (found a second one)")
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ScenarioFileError(*here, f"at most {MAX_DEPTH} levels of nesting")
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1


def _explicit_tag(event: yaml.Event) -> bool:
    tag = getattr(event, "tag", None)
    if tag is None:
        return False
    implicit = getattr(event, "implicit", True)
    if isinstance(implicit, tuple):
        return not any(implicit)
    return not implicit


def _convert(node: yaml.Node, filename: str) -> Node:
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    if isinstance(node, yaml.MappingNode):
        values: dict[str, Node] = {}
        keys: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, filename)
            if not isinstance(key.value, str):
                raise key.error(filename, "a text key")
            if key.value in values:
                raise key.error(filename, f"each key once ({key.value!r} is repeated)")
            keys[key.value] = key
            values[key.value] = _convert(value_node, filename)
        return Node(values, line, column, keys)
    if isinstance(node, yaml.SequenceNode):
        return Node([_convert(item, filename) for item in node.value], line, column)
    assert isinstance(node, yaml.ScalarNode)  # the composer makes nothing else
    return Node(_scalar(node, filename, line, column), line, column)


def _scalar(node: yaml.ScalarNode, filename: str, line: int, column: int) -> Scalar:
    text = str(node.value)
    if node.tag == _INT_TAG:
        digits = text.replace("_", "")
        if len(digits) > MAX_NUMBER_DIGITS:
            raise ScenarioFileError(filename, line, column, "a number of at most 40 digits")
        try:
            return int(yaml.constructor.SafeConstructor().construct_yaml_int(node))
        except ValueError:
            raise ScenarioFileError(filename, line, column, "a whole number") from None
    if node.tag == _BOOL_TAG:
        return text.lower() in {"yes", "true", "on", "y"}
    if node.tag == _NULL_TAG:
        return None
    if node.tag == _FLOAT_TAG:
        raise ScenarioFileError(filename, line, column, f"a whole number, not {text!r}")
    return text
