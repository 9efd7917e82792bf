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


MERGE = "tag:yaml.org,2002:merge"
# Aliases may repeat a node many times over ("billion laughs"); past this many built nodes the
# file is refused rather than expanded.
MAX_NODES = 1_000_000


def load(text: str, source: str):
    """Return (value, positions {pointer: (line, column)}, duplicate-key pointers).

    Tolerant of ordinary YAML (merge keys, application tags such as `!!python/name:`), so that a
    file that is no CloudFormation template is classified and skipped, not a crash.
    """
    loader = None
    try:
        loader = _Loader(text)  # the reader rejects control characters here already
        node = loader.get_single_node()
    except RecursionError:
        raise InputError("invalid YAML: nesting is too deep", source=source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"invalid YAML: {problem}", source=source,
                         line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None) from None
    finally:
        if loader is not None:
            loader.dispose()
    positions: dict[str, tuple[int, int]] = {}
    duplicates: list[str] = []
    if node is None:
        return None, positions, duplicates
    builder = _Builder(loader, positions, duplicates, source)
    try:
        return builder.build(node, ""), positions, duplicates
    except RecursionError:
        raise InputError("invalid YAML: nesting is too deep", source=source) from None


class _Builder:
    """Plain values from composed nodes, recording positions; refuses cycles and alias bombs."""

    def __init__(self, loader, positions, duplicates, source):
        self.loader, self.positions, self.duplicates, self.source = loader, positions, duplicates, source
        self.open: set[int] = set()  # ids of the collection nodes being built (a cycle revisits one)
        self.count = 0

    def fail(self, message: str, node) -> InputError:
        return InputError(message, source=self.source, line=node.start_mark.line + 1,
                          column=node.start_mark.column + 1)

    def build(self, node, pointer: str):
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(f"YAML aliases expand to more than {MAX_NODES:,} nodes", node)
        self.positions.setdefault(pointer, (node.start_mark.line + 1, node.start_mark.column + 1))
        if id(node) in self.open:
            raise self.fail("recursive YAML alias (a node that contains itself)", node)
        tag = node.tag
        if tag.startswith("!") and not tag.startswith("!!") and tag[1:] in TAGS:
            name = tag[1:]
            long = name if name in ("Ref", "Condition") else f"Fn::{name}"
            inner_pointer = join(pointer, long)
            if isinstance(node, yaml.ScalarNode):
                inner = node.value
                self.positions.setdefault(inner_pointer, self.positions[pointer])
                if name == "GetAtt":
                    inner = inner.split(".", 1)
            else:
                inner = self.build(_untagged(node), inner_pointer)
            return {long: inner}
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, pointer)
            return [self.build(n, join(pointer, i)) for i, n in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def mapping(self, node, pointer: str) -> dict:
        out: dict = {}
        merged: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE:  # `<<: *base` or `<<: [*a, *b]`: the first mapping wins
                value = self.build(value_node, pointer)
                for part in value if isinstance(value, list) else [value]:
                    if isinstance(part, dict):
                        merged = {**part, **merged}
                continue
            key = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else key_node.start_mark.line
            key = key if isinstance(key, str) else str(key)
            child = join(pointer, key)
            if key in out or key in merged:  # this value wins: so do its positions
                self.forget(child)
            if isinstance(value_node, yaml.CollectionNode) and not value_node.flow_style:
                # a block collection starts on the line below its key: place the member at its key, as in JSON
                self.positions.setdefault(child, (key_node.start_mark.line + 1, key_node.start_mark.column + 1))
            if key in out:
                self.duplicates.append(child)
            out[key] = self.build(value_node, child)
        return {**merged, **out} if merged else out

    def forget(self, pointer: str) -> None:
        """Drop the positions recorded at and under `pointer` (a value that a later one replaces)."""
        for p in [p for p in self.positions if p == pointer or p.startswith(pointer + "/")]:
            del self.positions[p]

    def scalar(self, node):
        """A plain value; a tag this loader does not know keeps its text (e.g. `!!python/name:x`)."""
        if node.tag.startswith("!") or node.tag.startswith("tag:yaml.org,2002:python/"):
            return node.value
        try:
            value = self.loader.construct_object(node)
        except yaml.YAMLError:
            return node.value
        if not isinstance(value, (str, int, float, bool)) and value is not None:
            value = node.value  # timestamps, binary: keep the text
        return value


def _untagged(node):
    """The same collection node with its default tag, so it is built as plain data."""
    if isinstance(node, yaml.MappingNode):
        return yaml.MappingNode("tag:yaml.org,2002:map", node.value, node.start_mark, node.end_mark)
    return yaml.SequenceNode("tag:yaml.org,2002:seq", node.value, node.start_mark, node.end_mark)
