"""Strict JSON documents that remember where every value stands.

Values come from the C decoder (fast); positions are found only when a caller asks where something
is, so clean files pay nothing for it. A lookup walks down its pointer's path and indexes each object
or array on the way once (the C decoder skips sibling values), so many lookups stay linear overall.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from seslint.errors import InputError

MAX_BYTES = 20 * 1024 * 1024
LINE_INDEX_AFTER = 8  # lookups that count newlines directly; later ones build a line index once

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SCALAR = re.compile(r"-?[0-9][0-9.eE+-]*|true|false|null")
_SPACE = re.compile(r"[ \t\r\n]*")
_CONSTANT_OR_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)', re.S)
_DECODER = json.JSONDecoder()  # only to skip values the position lookup walks past
_NAME = re.compile(r'("(?:[^"\\]|\\.)*")[ \t\r\n]*:[ \t\r\n]*', re.S)  # a member name, to its value
_NEXT = re.compile(r"[ \t\r\n]*,?[ \t\r\n]*")   # after a value: to the next one, or to the closing bracket


def escape(token: str | int) -> str:
    """Escape one JSON pointer token (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def join(pointer: str, *tokens: str | int) -> str:
    for token in tokens:
        token = str(token)
        pointer += "/" + (escape(token) if "~" in token or "/" in token else token)
    return pointer


@dataclass
class Document:
    """A parsed JSON text: `value`, plus line/column lookup by JSON pointer."""

    source: str
    text: str
    value: Any   # Any, not object: mypyc (the compiled build) mishandles `object` in dataclass fields
    has_duplicates: bool = False
    _values: dict[str, int] | None = field(default=None, repr=False)   # pointer -> offset (full scan)
    _keys: dict[str, int] = field(default_factory=dict, repr=False)
    _duplicates: list[str] = field(default_factory=list, repr=False)
    _children: dict[int, dict[str, int]] = field(default_factory=dict, repr=False)  # container -> members
    _lookups: int = field(default=0, repr=False)
    _newlines: list[int] | None = field(default=None, repr=False)

    def position(self, pointer: str) -> tuple[int, int]:
        """Line and column (1-based) of the value at `pointer`, or of its nearest ancestor."""
        offset = self._offset(pointer)
        self._lookups += 1
        return _where(self.text, offset) if self._lookups <= LINE_INDEX_AFTER else self._line_column(offset)

    def _offset(self, pointer: str) -> int:
        text = self.text
        i = _skip(text, 0)
        for token in pointer.split("/")[1:]:
            children = self._children.get(i)
            if children is None:
                children = self._children[i] = _members(text, i)
            token = token.replace("~1", "/").replace("~0", "~")
            if token not in children:
                break
            i = children[token]
        return i

    def key_position(self, pointer: str) -> tuple[int, int]:
        """Line and column of the member name at `pointer` (falls back to its value)."""
        self._scan()
        offset = self._keys.get(pointer)
        return self._line_column(offset) if offset is not None else self.position(pointer)

    @property
    def duplicates(self) -> list[str]:
        """Pointers of members whose name repeats an earlier one in the same object."""
        if not self.has_duplicates:
            return []
        self._scan()
        return self._duplicates

    def _scan(self) -> dict[str, int]:
        if self._values is None:
            self._values = {}
            _Scanner(self.text, self._values, self._keys, self._duplicates).value(_skip(self.text, 0), "")
        return self._values

    def _line_column(self, offset: int) -> tuple[int, int]:
        from bisect import bisect_left

        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        line = bisect_left(self._newlines, offset)
        start = self._newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1


def _skip(text: str, i: int) -> int:
    """The offset after the whitespace at `i`."""
    if i < len(text) and text[i] not in " \t\r\n":   # no whitespace, as after most tokens
        return i
    return token(_SPACE, text, i).end()


def token(pattern: re.Pattern[str], text: str, i: int) -> re.Match[str]:
    """The match of `pattern` at `i` in text already parsed as JSON, where it must match."""
    m = pattern.match(text, i)
    if m is None:
        raise ValueError(f"no JSON token at offset {i}")
    return m


def _where(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _members(text: str, i: int) -> dict[str, int]:
    """Offsets of the member values of the object (or items of the array) at `i` in valid JSON; a
    repeated name keeps its last value, as the decoder does. The C decoder skips over each value."""
    out: dict[str, int] = {}
    if text[i] == "{":
        j = _skip(text, i + 1)
        while text[j] != "}":
            m = token(_NAME, text, j)
            name = m.group(1)
            name = json.loads(name) if "\\" in name else name[1:-1]
            j = out[name] = m.end()
            j = token(_NEXT, text, _DECODER.raw_decode(text, j)[1]).end()
    elif text[i] == "[":
        j, index = _skip(text, i + 1), 0
        while text[j] != "]":
            out[str(index)] = j
            j = token(_NEXT, text, _DECODER.raw_decode(text, j)[1]).end()
            index += 1
    return out


class _Scanner:
    """Walks JSON text already known to be valid, recording the offset of every value by pointer."""

    def __init__(self, text, values, keys, duplicates):
        self.text = text
        self.values, self.keys, self.duplicates = values, keys, duplicates

    def value(self, i: int, pointer: str) -> int:
        self.values[pointer] = i
        c = self.text[i]
        if c == "{":
            return self.members(i + 1, pointer)
        if c == "[":
            return self.items(i + 1, pointer)
        m = token(_STRING if c == '"' else _SCALAR, self.text, i)
        return m.end()

    def skip(self, i: int) -> int:
        return _skip(self.text, i)

    def members(self, i: int, pointer: str) -> int:
        seen: set[str] = set()
        i = self.skip(i)
        while self.text[i] != "}":
            m = token(_STRING, self.text, i)
            name = m.group()
            name = json.loads(name) if "\\" in name else name[1:-1]
            child = join(pointer, name)
            if name in seen:
                self.duplicates.append(child)
            seen.add(name)
            self.keys[child] = i  # the last occurrence wins, as in the value
            i = self.skip(self.value(self.skip(self.skip(m.end()) + 1), child))
            if self.text[i] == ",":
                i = self.skip(i + 1)
        return i + 1

    def items(self, i: int, pointer: str) -> int:
        index = 0
        i = self.skip(i)
        while self.text[i] != "]":
            i = self.skip(self.value(i, join(pointer, index)))
            index += 1
            if self.text[i] == ",":
                i = self.skip(i + 1)
        return i + 1


class _Constant(ValueError):
    """NaN, Infinity or -Infinity met by the decoder (which does not say where)."""



def _constant_offset(text: str) -> int:
    """Offset of the first NaN/Infinity outside a string: the one the decoder stopped at, as
    everything before it parsed."""
    for m in _CONSTANT_OR_STRING.finditer(text):
        if m.group(1):
            return m.start()
    return 0


def _trailing_comma(text: str, pos: int) -> tuple[int, str] | None:
    """(offset, bracket) of a trailing comma where the decoder stopped: Python before 3.13 stops at the
    bracket after the comma, later ones at the comma."""
    if text[pos:pos + 1] == ",":
        after = _skip(text, pos + 1)
        return (pos, text[after]) if text[after:after + 1] in ("]", "}") else None
    if text[pos:pos + 1] not in ("]", "}"):
        return None
    before = text[:pos].rstrip(" \t\r\n")
    return (len(before) - 1, text[pos]) if before.endswith(",") else None


def loads(text: str, source: str = "<input>") -> Document:
    """Parse strict JSON (no trailing commas, no NaN); duplicate keys are recorded, last wins."""
    if len(text) > MAX_BYTES:
        raise InputError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB", source=source)
    duplicated = False

    def pairs(items):
        nonlocal duplicated
        obj = dict(items)
        if len(obj) != len(items):
            duplicated = True
        return obj

    def reject(constant):
        raise _Constant(constant)

    try:
        value = json.loads(text, object_pairs_hook=pairs, parse_constant=reject)
    except json.JSONDecodeError as exc:
        comma = _trailing_comma(text, exc.pos)
        if comma is not None:  # placed at the comma on every Python version
            line, column = _where(text, comma[0])
            raise InputError(f"invalid JSON: trailing comma before '{comma[1]}'", source=source, line=line,
                             column=column) from None
        raise InputError(f"invalid JSON: {exc.msg.lower()}", source=source, line=exc.lineno, column=exc.colno) from None
    except _Constant as exc:
        line, column = _where(text, _constant_offset(text))
        raise InputError(f"invalid JSON: {exc} is not valid JSON", source=source, line=line, column=column) from None
    except RecursionError:
        raise InputError("invalid JSON: nesting is too deep", source=source) from None
    return Document(source, text, value, duplicated)


BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode(data: bytes, source: str) -> str:
    """Text of a file: UTF-8, or UTF-16/32 with a byte order mark (PowerShell's `>` writes UTF-16)."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            data, chosen = data[len(bom):], encoding
            break
    else:
        chosen = "utf-8"
    try:
        if chosen == "utf-8" and b"\x00" in data[:64]:
            raise UnicodeDecodeError(chosen, data, 0, 1, "NUL byte")
        return data.decode(chosen)
    except UnicodeDecodeError:
        hint = "it looks like UTF-16 without a byte order mark" if b"\x00" in data[:64] else "it is not UTF-8 text"
        raise InputError(f"cannot read file: {hint}", source=source,
                         help="save it as UTF-8 (PowerShell: `... | Out-File -Encoding utf8 FILE`)") from None


def read_path(path: str) -> tuple[str, str]:
    """(text, source name) of a file; `-` reads standard input."""
    import sys

    try:
        if path == "-":
            return decode(sys.stdin.buffer.read(MAX_BYTES + 1), "<stdin>"), "<stdin>"
        with open(path, "rb") as f:
            return decode(f.read(MAX_BYTES + 1), path), path
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", source=path) from None


def load_path(path: str) -> Document:
    """Read and parse a file; `-` reads standard input."""
    return loads(*read_path(path))
