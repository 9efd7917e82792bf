"""A tolerant view of a raw policy for the semantic checks.

Grammar checks report malformed parts; this view simply leaves them out, so one broken element
never hides the findings about the rest of the policy. Pointers are relative to the policy root.
"""

from __future__ import annotations

from typing import NamedTuple

from seslint.jsondoc import join
from seslint.lint import operators


class Condition(NamedTuple):
    pointer: str          # /Statement/0/Condition/StringLike/ses:Recipients
    operator: operators.Operator
    key: str
    values: tuple[tuple[str, object], ...]   # (pointer, value)

    @property
    def lowered(self) -> str:
        return self.key.lower()


class Statement(NamedTuple):
    pointer: str
    sid: str | None
    effect: str | None
    actions: tuple[tuple[str, str], ...] | None          # (pointer, pattern); None when absent
    not_actions: tuple[tuple[str, str], ...] | None
    resources: tuple[tuple[str, str], ...] | None
    not_resources: tuple[tuple[str, str], ...] | None
    has_principal: bool
    conditions: tuple[Condition, ...] = ()
    principals: tuple[tuple[str, str, str], ...] | None = None   # (pointer, kind, value) of Principal


    @property
    def allow(self) -> bool:
        return self.effect == "Allow"

    @property
    def deny(self) -> bool:
        return self.effect == "Deny"

    def conditions_on(self, key: str) -> list[Condition]:
        lowered = key.lower()
        return [c for c in self.conditions if c.lowered == lowered]


def strings(raw: dict, name: str, pointer: str) -> tuple[tuple[str, str], ...] | None:
    """The string values of a string-or-list element with their pointers; None when absent."""
    if name not in raw:
        return None
    value = raw[name]
    base = join(pointer, name)
    if isinstance(value, str):
        return ((base, value),)
    if isinstance(value, list):
        return tuple((join(base, i), v) for i, v in enumerate(value) if isinstance(v, str))
    return ()


def statements(policy) -> list[Statement]:
    """Every statement that is an object, with its pointer."""
    if not isinstance(policy, dict):
        return []
    raw = policy.get("Statement")
    if isinstance(raw, dict):
        items = [("/Statement", raw)]
    elif isinstance(raw, list):
        items = [(f"/Statement/{i}", s) for i, s in enumerate(raw)]
    else:
        return []
    return [_statement(p, s) for p, s in items if isinstance(s, dict)]


def _statement(pointer: str, raw: dict) -> Statement:
    effect = raw.get("Effect")
    sid = raw.get("Sid")
    return Statement(
        pointer=pointer,
        sid=sid if isinstance(sid, str) else None,
        effect=effect if effect in ("Allow", "Deny") else None,
        actions=strings(raw, "Action", pointer), not_actions=strings(raw, "NotAction", pointer),
        resources=strings(raw, "Resource", pointer), not_resources=strings(raw, "NotResource", pointer),
        has_principal="Principal" in raw or "NotPrincipal" in raw,
        conditions=tuple(_conditions(raw.get("Condition"), join(pointer, "Condition"))),
        principals=_principals(raw.get("Principal"), join(pointer, "Principal")) if "Principal" in raw else None,
    )


def _principals(value, pointer: str) -> tuple[tuple[str, str, str], ...]:
    """(pointer, kind, value) for each principal: kind "*" for `"Principal": "*"`, else AWS, Service, ..."""
    if isinstance(value, str):
        return ((pointer, "*" if value == "*" else "AWS", value),)
    if not isinstance(value, dict):
        return ()
    out = []
    for kind, entries in value.items():
        base = join(pointer, kind)
        if isinstance(entries, str):
            out.append((base, kind, entries))
        elif isinstance(entries, list):
            out += [(join(base, i), kind, v) for i, v in enumerate(entries) if isinstance(v, str)]
    return tuple(out)


def _conditions(block, pointer: str):
    if not isinstance(block, dict):
        return
    for op_text, keys in block.items():
        op = operators.parse(op_text)
        if op is None or not isinstance(keys, dict):
            continue
        for key, values in keys.items():
            kp = join(pointer, op_text, key)
            if isinstance(values, list):
                vals = tuple((join(kp, i), v) for i, v in enumerate(values))
            else:
                vals = ((kp, values),)
            yield Condition(kp, op, key, vals)
