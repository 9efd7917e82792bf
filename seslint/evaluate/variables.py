"""Policy variables and IAM wildcard templates ("IAM policy elements: Variables and tags").

A template is a tuple of parts: a literal string, ANY (`*`), ONE (`?`) or a Var. Variables
resolve only under Version 2012-10-17; elsewhere `${...}` is literal text. `${*}`, `${?}`
and `${$}` stand for the literal characters. A variable whose key is absent from the request
(and has no default) cannot be resolved: IAM then treats the whole statement as invalid, so
the statement neither allows nor denies ("If AWS cannot resolve a variable this might cause the
entire statement to be invalid").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from seslint.core.patterns import ANY, ONE

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_KEY = re.compile(r"\s*([A-Za-z0-9_.:/@+=,-]+?)\s*(?:,\s*'((?:[^']|'')*)'\s*)?")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True)
class Var:
    key: str          # lower-cased context key
    default: str | None
    text: str         # as written, for explanations


class Unresolved(Exception):
    """A policy variable whose key is absent (or multivalued) and that has no default."""

    def __init__(self, var: Var):
        super().__init__(var.text)
        self.var = var


@lru_cache(maxsize=8192)
def parse_template(text: str, variables: bool, wildcards: bool) -> tuple:
    """Split `text` into literal, wildcard and variable parts."""
    parts: list = []
    pos = 0
    if variables:
        for m in _VARIABLE.finditer(text):
            _literal(text[pos:m.start()], wildcards, parts)
            inner = m.group(1)
            if inner.strip() in _ESCAPES:
                parts.append(_ESCAPES[inner.strip()])
            else:
                km = _KEY.fullmatch(inner)
                if km and ":" in km.group(1):
                    default = km.group(2).replace("''", "'") if km.group(2) is not None else None
                    parts.append(Var(km.group(1).lower(), default, m.group(0)))
                else:
                    parts.append(m.group(0))
            pos = m.end()
    _literal(text[pos:], wildcards, parts)
    return tuple(_merge(parts))


def _literal(text: str, wildcards: bool, parts: list) -> None:
    if not wildcards:
        if text:
            parts.append(text)
        return
    for piece in re.split(r"([*?])", text):
        if piece == "*":
            parts.append(ANY)
        elif piece == "?":
            parts.append(ONE)
        elif piece:
            parts.append(piece)


def _merge(parts: list) -> list:
    out: list = []
    for p in parts:
        if out and isinstance(p, str) and p not in (ANY, ONE) and isinstance(out[-1], str) and out[-1] not in (ANY, ONE):
            out[-1] += p
        else:
            out.append(p)
    return out


def has_variables(parts: tuple) -> bool:
    return any(isinstance(p, Var) for p in parts)


def resolve(parts: tuple, context: dict) -> tuple:
    """Replace each Var with its single string value from `context` (lower-cased keys)."""
    out = []
    for p in parts:
        if isinstance(p, Var):
            value = context.get(p.key)
            if value is None or isinstance(value, list):
                if p.default is None:
                    raise Unresolved(p)
                value = p.default
            out.append(scalar_text(value))
        else:
            out.append(p)
    return tuple(_merge(out))


def scalar_text(value) -> str:
    """A context or policy scalar as IAM sees it: a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def text(parts: tuple) -> str:
    """A resolved template without wildcards as the plain string it stands for."""
    return "".join("*" if p == ANY else "?" if p == ONE else p for p in parts)
