"""The parsed IAM policy model shared by the linter and the evaluator.

`parse_policy` checks the grammar of the IAM JSON policy language ("IAM JSON policy element
reference", "Grammar of the IAM JSON policy language") and keeps the JSON pointer of every
statement and condition, so reporters can turn findings into line and column. It checks
structure only: whether an operator name exists or a value suits its operator is left to the
evaluator and the linter, which report it in their own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from seslint.errors import InputError
from seslint.jsondoc import join

VERSIONS = ("2012-10-17", "2008-10-17")
POLICY_KEYS = frozenset({"Version", "Id", "Statement"})
STATEMENT_KEYS = frozenset({"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource",
                            "Principal", "NotPrincipal", "Condition"})
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
SET_OPERATORS = ("ForAllValues", "ForAnyValue")


@dataclass(frozen=True)
class Condition:
    """One key under one operator: `{"StringLike": {"ses:Recipients": [...]}}`."""

    pointer: str
    operator: str
    base: str
    set_op: str | None
    if_exists: bool
    key: str
    values: tuple


@dataclass(frozen=True)
class Statement:
    pointer: str
    sid: str | None
    effect: str
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    principal: dict | None
    not_principal: dict | None
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Policy:
    source: str
    pointer: str
    version: str | None
    id: str | None
    statements: tuple[Statement, ...]

    @property
    def variables_enabled(self) -> bool:
        """Policy variables resolve only under Version 2012-10-17 ("Policy variables")."""
        return self.version == "2012-10-17"


def _join(pointer: str, token: str) -> str:
    """jsondoc.join for one string token, without the call when there is nothing to escape."""
    return f"{pointer}/{token}" if "~" not in token and "/" not in token else join(pointer, token)


@lru_cache(maxsize=1024)
def split_operator(operator: str) -> tuple[str | None, str, bool]:
    """`ForAllValues:StringNotLikeIfExists` -> ("ForAllValues", "StringNotLike", True)."""
    set_op = None
    base = operator
    prefix, sep, rest = operator.partition(":")
    if sep:
        set_op, base = prefix, rest
    if_exists = base.endswith("IfExists") and base != "IfExists"
    if if_exists:
        base = base[: -len("IfExists")]
    return set_op, base, if_exists


def parse_policy(value, source: str = "<policy>", pointer: str = "") -> Policy:
    """Parse one policy document (a dict from JSON) into a Policy; raise InputError if it is not one."""
    def fail(message: str, at: str, help: str | None = None):
        raise InputError(message, source=source, pointer=at or None, help=help)

    if not isinstance(value, dict):
        fail(f"a policy must be a JSON object, not {json_kind(value)}", pointer)
    for name in value:
        if name not in POLICY_KEYS:
            fail(f"unknown policy element '{name}'", join(pointer, name),
                 help="a policy has only Version, Id and Statement")
    version = value.get("Version")
    if version is not None and version not in VERSIONS:
        fail(f"unknown policy version '{version}'" if isinstance(version, str) else
             f"Version must be a string, not {json_kind(version)}", join(pointer, "Version"),
             help='use "Version": "2012-10-17"')
    policy_id = value.get("Id")
    if policy_id is not None and not isinstance(policy_id, str):
        fail(f"Id must be a string, not {json_kind(policy_id)}", join(pointer, "Id"))
    if "Statement" not in value:
        fail("policy has no Statement", pointer)
    raw = value["Statement"]
    if isinstance(raw, dict):
        items = [(f"{pointer}/Statement", raw)]
    elif isinstance(raw, list):
        items = [(f"{pointer}/Statement/{i}", s) for i, s in enumerate(raw)]
    else:
        fail(f"Statement must be an object or a list, not {json_kind(raw)}", join(pointer, "Statement"))
    statements = tuple(_statement(s, at, fail) for at, s in items)
    return Policy(source, pointer, version, policy_id, statements)


def _statement(value, at: str, fail) -> Statement:
    if not isinstance(value, dict):
        fail(f"a statement must be a JSON object, not {json_kind(value)}", at)
    for name in value:
        if name not in STATEMENT_KEYS:
            fail(f"unknown statement element '{name}'", join(at, name))
    sid = value.get("Sid")
    if sid is not None and not isinstance(sid, str):
        fail(f"Sid must be a string, not {json_kind(sid)}", join(at, "Sid"))
    if "Effect" not in value:
        fail("statement has no Effect", at, help='add "Effect": "Allow" or "Effect": "Deny"')
    effect = value["Effect"]
    if effect not in ("Allow", "Deny"):
        fail(f"Effect must be 'Allow' or 'Deny', not {_show(effect)}", join(at, "Effect"))
    actions, not_actions = _pair(value, "Action", "NotAction", at, fail, required=True)
    resources, not_resources = _pair(value, "Resource", "NotResource", at, fail, required=False)
    if "Principal" in value and "NotPrincipal" in value:
        fail("statement has both Principal and NotPrincipal", at)
    principal = _principal(value["Principal"], f"{at}/Principal", fail) if "Principal" in value else None
    not_principal = (_principal(value["NotPrincipal"], f"{at}/NotPrincipal", fail)
                     if "NotPrincipal" in value else None)
    conditions = _conditions(value["Condition"], f"{at}/Condition", fail) if "Condition" in value else ()
    return Statement(at, sid, effect, actions, not_actions, resources, not_resources,
                     principal, not_principal, conditions)


def _pair(value, name, not_name, at, fail, required):
    if name in value and not_name in value:
        fail(f"statement has both {name} and {not_name}", at)
    if name not in value and not_name not in value:
        if required:
            fail(f"statement has neither {name} nor {not_name}", at)
        return None, None
    key = name if name in value else not_name
    strings = _strings(value[key], f"{at}/{key}", fail)
    return (strings, None) if key == name else (None, strings)


def _strings(value, at, fail) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        fail(f"expected a string or a list of strings, not {json_kind(value)}", at)
    if not items:
        fail("empty list", at)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            fail(f"expected a string, not {json_kind(item)}", join(at, i) if isinstance(value, list) else at)
    return tuple(items)


def _principal(value, at, fail) -> dict:
    if value == "*":
        return {"*": True}
    if not isinstance(value, dict):
        fail(f"Principal must be \"*\" or an object, not {json_kind(value)}", at)
    if not value:
        fail("empty Principal", at)
    out = {}
    for name, items in value.items():
        if name not in PRINCIPAL_TYPES:
            fail(f"unknown principal type '{name}'", join(at, name),
                 help="principal types are AWS, Service, Federated and CanonicalUser")
        out[name] = _strings(items, join(at, name), fail)
    return out


def _conditions(value, at, fail) -> tuple[Condition, ...]:
    if not isinstance(value, dict):
        fail(f"Condition must be an object, not {json_kind(value)}", at)
    out = []
    for operator, block in value.items():
        op_at = _join(at, operator)
        if not isinstance(block, dict):
            fail(f"condition operator '{operator}' must map to an object of keys, not {json_kind(block)}", op_at)
        if not block:
            fail(f"condition operator '{operator}' has no keys", op_at)
        set_op, base, if_exists = split_operator(operator)
        for key, raw in block.items():
            key_at = _join(op_at, key)
            items = raw if isinstance(raw, list) else [raw]
            if not items:
                fail(f"condition key '{key}' has an empty list of values", key_at)
            for i, item in enumerate(items):
                if item is None or isinstance(item, (dict, list)):
                    where = join(key_at, i) if isinstance(raw, list) else key_at
                    fail(f"condition value must be a string, number or boolean, not {json_kind(item)}", where)
            out.append(Condition(key_at, operator, base, set_op, if_exists, key, tuple(items)))
    return tuple(out)


def json_kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _show(value) -> str:
    return f"'{value}'" if isinstance(value, str) else json_kind(value)
