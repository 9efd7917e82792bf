"""CloudFormation YAML: the short-form intrinsic tags, and the position of every node by JSON pointer.

Imported only when a YAML file is read (PyYAML costs start-up time).
"""

from __future__ import annotations

import yaml

from seslint.errors import InputError
from seslint.jsondoc import join

# short tag -> long form; `!GetAtt a.b` is the one that also changes shape
TAGS = ("Ref", "Condition", "GetAtt", "Sub", "Join", "Select", "Split", "If", "Equals", "And", "Or", "Not",
        "FindInMap", "Base64", "Cidr", "GetAZs", "ImportValue", "Transform", "Length", "ToJsonString")


class _Loader(yaml.SafeLoader):
    """SafeLoader that only composes nodes; values are built by `_build` with positions."""


def load(text: str, source: str):
    """Return (value, positions {pointer: (line, column)}, duplicate-key pointers)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"invalid YAML: {problem}", source=source,
                         line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None) from None
    finally:
        loader.dispose()
    positions: dict[str, tuple[int, int]] = {}
    duplicates: list[str] = []
    if node is None:
        return None, positions, duplicates
    value = _build(loader, node, "", positions, duplicates, source)
    return value, positions, duplicates


def _build(loader, node, pointer, positions, duplicates, source):
    positions[pointer] = (node.start_mark.line + 1, node.start_mark.column + 1)
    tag = node.tag
    if tag.startswith("!") and not tag.startswith("!!"):
        name = tag[1:]
        if name not in TAGS:
            raise InputError(f"unknown YAML tag '{tag}'", source=source, line=node.start_mark.line + 1,
                             column=node.start_mark.column + 1)
        long = name if name in ("Ref", "Condition") else f"Fn::{name}"
        inner_pointer = join(pointer, long)
        if isinstance(node, yaml.ScalarNode):
            inner = node.value
            positions[inner_pointer] = positions[pointer]
            if name == "GetAtt":
                inner = inner.split(".", 1)
        else:
            inner = _build(loader, _untagged(node), inner_pointer, positions, duplicates, source)
        return {long: inner}
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            key = key if isinstance(key, str) else str(key)
            child = join(pointer, key)
            if key in out:
                duplicates.append(child)
            out[key] = _build(loader, value_node, child, positions, duplicates, source)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, n, join(pointer, i), positions, duplicates, source) for i, n in enumerate(node.value)]
    value = loader.construct_object(node)
    if not isinstance(value, (str, int, float, bool)) and value is not None:
        value = node.value  # timestamps, binary: keep the text
    return value


def _untagged(node):
    """The same collection node with its default tag, so `_build` treats it as plain data."""
    if isinstance(node, yaml.MappingNode):
        return yaml.MappingNode("tag:yaml.org,2002:map", node.value, node.start_mark, node.end_mark)
    return yaml.SequenceNode("tag:yaml.org,2002:seq", node.value, node.start_mark, node.end_mark)
