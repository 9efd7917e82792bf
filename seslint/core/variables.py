"""Policy variables and IAM wildcard templates ("IAM policy elements: Variables and tags").

A template is a tuple of parts: a literal string, ANY (`*`), ONE (`?`) or a Var. Variables
resolve only under Version 2012-10-17; elsewhere `${...}` is literal text. `${*}`, `${?}`
and `${$}` stand for the literal characters. In an ARN of the Resource element, variables are
substituted only in the resource part, after the fifth colon ("Where you can use policy
variables": "You can't use a variable to replace parts of the ARN before the fifth colon");
before it `${...}` is literal text.

A variable whose key is absent (and that has no default) has no value: "the value is effectively
null" ("Policy variables with no value"); `resolve` then returns NULL and the caller decides
what a null value matches. A multivalued key has no single value to substitute, and IAM does
not document the result: `resolve` returns MULTI and the caller treats the outcome as unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from seslint.core.patterns import ANY, ONE

__all__ = ["ANY", "MULTI", "NULL", "ONE", "Missing", "Var", "has_variables", "parse_template", "resolve",
           "scalar_text", "text"]

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_KEY = re.compile(r"\s*([A-Za-z0-9_.:/@+=,-]+?)\s*(?:,\s*'((?:[^']|'')*)'\s*)?")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True)
class Var:
    key: str          # lower-cased context key
    default: str | None
    text: str         # as written, for explanations


class Missing:
    """Why a template has no value: NULL (a variable without value) or MULTI (a multivalued key)."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


NULL, MULTI = Missing("NULL"), Missing("MULTI")


@lru_cache(maxsize=8192)
def parse_template(text: str, variables: bool, wildcards: bool, arn: bool = False) -> tuple[Any, ...]:
    """Split `text` into literal, wildcard and variable parts (with arn=True, `${...}` before the
    fifth colon stays literal)."""
    parts: list[Any] = []
    pos = 0
    if variables:
        for m in _VARIABLE.finditer(text):
            _literal(text[pos:m.start()], wildcards, parts)
            inner = m.group(1)
            if arn and text.count(":", 0, m.start()) < 5:
                parts.append(m.group(0))
            elif inner.strip() in _ESCAPES:
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


def _literal(text: str, wildcards: bool, parts: list[Any]) -> None:
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


def _merge(parts: list[Any]) -> list[Any]:
    out: list[Any] = []
    for p in parts:
        if out and isinstance(p, str) and p not in (ANY, ONE) and isinstance(out[-1], str) and out[-1] not in (ANY, ONE):
            out[-1] += p
        else:
            out.append(p)
    return out


def has_variables(parts: tuple[Any, ...]) -> bool:
    return any(isinstance(p, Var) for p in parts)


def resolve(parts: tuple[Any, ...], context: dict[str, Any]) -> tuple[Any, ...] | Missing:
    """Replace each Var with its single string value from `context` (lower-cased keys); NULL when a
    variable has no value (absent, or an empty list), MULTI when its key has several values."""
    out: list[Any] = []
    for p in parts:
        if isinstance(p, Var):
            value = context.get(p.key)
            if value is None or isinstance(value, list):
                if p.default is None:
                    return NULL if value is None or not value else MULTI
                value = p.default
            out.append(scalar_text(value))
        else:
            out.append(p)
    return tuple(_merge(out))


def scalar_text(value: Any) -> str:
    """A context or policy scalar as IAM sees it: a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def text(parts: tuple[Any, ...]) -> str:
    """A resolved template without wildcards as the plain string it stands for."""
    return "".join("*" if p == ANY else "?" if p == ONE else p for p in parts)
