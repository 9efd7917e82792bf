"""The one IAM policy model, shared by the evaluator, the linter and the proofs.

`parse_policy` (strict, for the evaluator) checks the grammar of the IAM JSON policy language ("IAM
JSON policy element reference", "Grammar of the IAM JSON policy language") and raises on the first
problem. `read_policy` (tolerant, for the linter) builds the same model from whatever is well formed,
leaving out the malformed parts, so one broken element never hides the findings about the rest; the
linter's grammar rules report those parts. Both keep the JSON pointer of every statement, condition
and value (`items`, `principals`), so reporters can turn findings into line and column. Whether an
operator name exists or a value suits its operator is left to the evaluator and the linter, which
report it in their own words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from seslint.core.operators import OPERATORS
from seslint.errors import InputError
from seslint.jsondoc import join

VERSIONS = ("2012-10-17", "2008-10-17")
POLICY_KEYS = frozenset({"Version", "Id", "Statement"})
STATEMENT_KEYS = frozenset({"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource",
                            "Principal", "NotPrincipal", "Condition"})
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
SET_OPERATORS = ("ForAllValues", "ForAnyValue")


@dataclass(frozen=True)
class PolicyDoc:
    """A policy value with where it came from (file and JSON pointer), before parsing."""

    value: Any
    source: str = "<policy>"
    pointer: str = ""


# The model's classes are built for every statement of every policy read: they are dataclasses for
# their comparison and repr, with their own __init__ (init=False), which the compiled build compiles
# (a dataclass-made __init__ would run interpreted there, at several times the cost).

@dataclass(slots=True, init=False)
class Condition:
    """One key under one operator: `{"StringLike": {"ses:Recipients": [...]}}`."""

    pointer: str
    operator: str
    base: str
    set_op: str | None
    if_exists: bool
    key: str
    values: tuple
    listed: bool   # the values were written as a JSON array (their pointers end in an index)

    def __init__(self, pointer: str, operator: str, base: str, set_op: str | None, if_exists: bool, key: str,
                 values: tuple, listed: bool = True):
        self.pointer, self.operator, self.base, self.set_op = pointer, operator, base, set_op
        self.if_exists, self.key, self.values, self.listed = if_exists, key, values, listed

    @property
    def lowered(self) -> str:
        return self.key.lower()

    @property
    def negated(self) -> bool:
        """A negated operator (StringNotLike, ArnNotEquals, ...): true when the value does not match."""
        row = OPERATORS.get(self.base)
        return row is not None and row.negated

    @property
    def like(self) -> bool:
        return self.base.endswith("Like")

    def items(self) -> tuple[tuple[str, object], ...]:
        """(pointer, value) of each value."""
        if not self.listed:
            return tuple((self.pointer, v) for v in self.values)
        return tuple((f"{self.pointer}/{i}", v) for i, v in enumerate(self.values))


@dataclass(slots=True, init=False)
class Statement:
    pointer: str
    sid: str | None
    effect: str | None      # None only when read tolerantly from an invalid Effect
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    principal: dict | None
    not_principal: dict | None
    conditions: tuple[Condition, ...]
    raw: dict = field(compare=False, repr=False)   # the statement as written
    _memo: dict | None = field(compare=False, repr=False)  # items() by element: checks ask often

    def __init__(self, pointer: str, sid: str | None, effect: str | None, actions: tuple[str, ...] | None,
                 not_actions: tuple[str, ...] | None, resources: tuple[str, ...] | None,
                 not_resources: tuple[str, ...] | None, principal: dict | None, not_principal: dict | None,
                 conditions: tuple[Condition, ...], raw: dict | None = None):
        self.pointer, self.sid, self.effect = pointer, sid, effect
        self.actions, self.not_actions, self.resources, self.not_resources = actions, not_actions, resources, not_resources
        self.principal, self.not_principal, self.conditions = principal, not_principal, conditions
        self.raw = {} if raw is None else raw
        self._memo = None

    @property
    def allow(self) -> bool:
        return self.effect == "Allow"

    @property
    def deny(self) -> bool:
        return self.effect == "Deny"

    def items(self, element: str) -> tuple[tuple[str, str], ...] | None:
        """(pointer, string) of each string of Action, NotAction, Resource or NotResource; None when
        the element is absent."""
        if self._memo is None:
            self._memo = {}
        try:
            return self._memo[element]
        except KeyError:
            found = self._memo[element] = _items(self.raw, self.pointer, element)
            return found

    @property
    def principals(self) -> tuple[tuple[str, str, str], ...] | None:
        """(pointer, type, value) of each entry of Principal (type "*" for `"Principal": "*"`); None
        when the statement has no Principal."""
        if "Principal" not in self.raw:
            return None
        value, at = self.raw["Principal"], f"{self.pointer}/Principal"
        if isinstance(value, str):
            return ((at, "*" if value == "*" else "AWS", value),)
        if not isinstance(value, dict):
            return ()
        out: list[tuple[str, str, str]] = []
        for kind, entries in value.items():
            base = join(at, kind)
            if isinstance(entries, str):
                out.append((base, kind, entries))
            elif isinstance(entries, list):
                out += [(join(base, i), kind, v) for i, v in enumerate(entries) if isinstance(v, str)]
        return tuple(out)

    @property
    def has_principal(self) -> bool:
        return "Principal" in self.raw or "NotPrincipal" in self.raw

    def conditions_on(self, key: str) -> list[Condition]:
        lowered = key.lower()
        return [c for c in self.conditions if c.lowered == lowered]


@dataclass(slots=True, init=False)
class Policy:
    source: str
    pointer: str
    version: str | None
    id: str | None
    statements: tuple[Statement, ...]

    def __init__(self, source: str, pointer: str, version: str | None, id: str | None,
                 statements: tuple[Statement, ...]):
        self.source, self.pointer, self.version, self.id, self.statements = source, pointer, version, id, statements

    @property
    def variables_enabled(self) -> bool:
        """Policy variables resolve only under Version 2012-10-17 ("Policy variables")."""
        return self.version == "2012-10-17"


def _items(raw: dict, pointer: str, element: str) -> tuple[tuple[str, str], ...] | None:
    if element not in raw:
        return None
    value, at = raw[element], f"{pointer}/{element}"
    if isinstance(value, str):
        return ((at, value),)
    if isinstance(value, list):
        return tuple((f"{at}/{i}", v) for i, v in enumerate(value) if isinstance(v, str))
    return ()


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

    return _policy(value, source, pointer, fail)


def read_policy(value, source: str = "<policy>", pointer: str = "") -> Policy:
    """The well-formed parts of a policy as the same model, never raising: statements that are not
    objects, unknown elements, unknown condition operators and values of the wrong type are left out."""
    return _policy(value, source, pointer, None)


def _policy(value, source: str, pointer: str, fail) -> Policy:
    """`fail` raises at the first problem; None reads tolerantly (each problem leaves its part out)."""
    if not isinstance(value, dict):
        if fail is None:
            return Policy(source, pointer, None, None, ())
        fail(f"a policy must be a JSON object, not {json_kind(value)}", pointer)
    if fail and not POLICY_KEYS.issuperset(value):
        name = next(n for n in value if n not in POLICY_KEYS)
        fail(f"unknown policy element '{name}'", join(pointer, name), help="a policy has only Version, Id and Statement")
    version = value.get("Version")
    if version is not None and version not in VERSIONS:
        if fail:
            fail(f"unknown policy version '{version}'" if isinstance(version, str) else
                 f"Version must be a string, not {json_kind(version)}", join(pointer, "Version"),
                 help='use "Version": "2012-10-17"')
        version = None
    policy_id = value.get("Id")
    if policy_id is not None and not isinstance(policy_id, str):
        if fail:
            fail(f"Id must be a string, not {json_kind(policy_id)}", join(pointer, "Id"))
        policy_id = None
    if "Statement" not in value and fail:
        fail("policy has no Statement", pointer)
    raw = value.get("Statement")
    items: list[tuple[str, Any]]   # not list[tuple[str, dict]], as mypy would infer: entries may be anything
    if isinstance(raw, dict):
        items = [(f"{pointer}/Statement", raw)]
    elif isinstance(raw, list):
        items = [(f"{pointer}/Statement/{i}", s) for i, s in enumerate(raw)]
    else:
        if fail:
            fail(f"Statement must be an object or a list, not {json_kind(raw)}", join(pointer, "Statement"))
        items = []
    if fail is None:
        items = [(at, s) for at, s in items if isinstance(s, dict)]
    statements = tuple(_statement(s, at, fail) for at, s in items)
    return Policy(source, pointer, version, policy_id, statements)


def _statement(value, at: str, fail) -> Statement:
    if fail:
        if not isinstance(value, dict):
            fail(f"a statement must be a JSON object, not {json_kind(value)}", at)
        if not STATEMENT_KEYS.issuperset(value):
            name = next(n for n in value if n not in STATEMENT_KEYS)
            fail(f"unknown statement element '{name}'", join(at, name))
    sid = value.get("Sid")
    if sid is not None and not isinstance(sid, str):
        if fail:
            fail(f"Sid must be a string, not {json_kind(sid)}", join(at, "Sid"))
        sid = None
    effect = value.get("Effect")
    if fail:
        if "Effect" not in value:
            fail("statement has no Effect", at, help='add "Effect": "Allow" or "Effect": "Deny"')
        if effect not in ("Allow", "Deny"):
            fail(f"Effect must be 'Allow' or 'Deny', not {_show(effect)}", join(at, "Effect"))
    elif effect not in ("Allow", "Deny"):
        effect = None
    actions, not_actions = _pair(value, "Action", "NotAction", at, fail, required=True)
    resources, not_resources = _pair(value, "Resource", "NotResource", at, fail, required=False)
    if "Principal" in value and "NotPrincipal" in value and fail:
        fail("statement has both Principal and NotPrincipal", at)
    principal = _principal(value["Principal"], f"{at}/Principal", fail) if "Principal" in value else None
    not_principal = (_principal(value["NotPrincipal"], f"{at}/NotPrincipal", fail)
                     if "NotPrincipal" in value else None)
    conditions = _conditions(value["Condition"], f"{at}/Condition", fail) if "Condition" in value else ()
    return Statement(at, sid, effect, actions, not_actions, resources, not_resources,
                     principal, not_principal, conditions, value)


def _pair(value, name, not_name, at, fail, required):
    if fail:
        if name in value and not_name in value:
            fail(f"statement has both {name} and {not_name}", at)
        if name not in value and not_name not in value and required:
            fail(f"statement has neither {name} nor {not_name}", at)
    return (_strings(value[name], f"{at}/{name}", fail) if name in value else None,
            _strings(value[not_name], f"{at}/{not_name}", fail) if not_name in value else None)


def _strings(value, at, fail) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        if fail:
            fail(f"expected a string or a list of strings, not {json_kind(value)}", at)
        return ()
    if not items and fail:
        fail("empty list", at)
    for item in items:
        if not isinstance(item, str):
            break
    else:
        return tuple(items)
    if fail:
        i, item = next((i, x) for i, x in enumerate(items) if not isinstance(x, str))
        fail(f"expected a string, not {json_kind(item)}", join(at, i) if isinstance(value, list) else at)
    return tuple(item for item in items if isinstance(item, str))


def _principal(value, at, fail) -> dict:
    if value == "*":
        return {"*": True}
    if not isinstance(value, dict):
        if fail:
            fail(f"Principal must be \"*\" or an object, not {json_kind(value)}", at)
        return {"AWS": (value,)} if isinstance(value, str) else {}
    if not value and fail:
        fail("empty Principal", at)
    out = {}
    for name, items in value.items():
        if name not in PRINCIPAL_TYPES and fail:
            fail(f"unknown principal type '{name}'", join(at, name),
                 help="principal types are AWS, Service, Federated and CanonicalUser")
        out[name] = _strings(items, join(at, name), fail)
    return out


def _conditions(value, at, fail) -> tuple[Condition, ...]:
    if not isinstance(value, dict):
        if fail:
            fail(f"Condition must be an object, not {json_kind(value)}", at)
        return ()
    out = []
    for operator, block in value.items():
        op_at = _join(at, operator)
        if not isinstance(block, dict):
            if fail:
                fail(f"condition operator '{operator}' must map to an object of keys, not {json_kind(block)}", op_at)
            continue
        if not block and fail:
            fail(f"condition operator '{operator}' has no keys", op_at)
        set_op, base, if_exists = split_operator(operator)
        if fail is None and not known_operator(set_op, base):
            continue
        for key, raw in block.items():
            key_at = _join(op_at, key)
            listed = isinstance(raw, list)
            items = raw if listed else [raw]
            if fail:
                if not items:
                    fail(f"condition key '{key}' has an empty list of values", key_at)
                for i, item in enumerate(items):
                    if type(item) is not str and (item is None or isinstance(item, (dict, list))):
                        where = join(key_at, i) if listed else key_at
                        fail(f"condition value must be a string, number or boolean, not {json_kind(item)}", where)
            out.append(Condition(key_at, operator, base, set_op, if_exists, key, tuple(items), listed))
    return tuple(out)


def known_operator(set_op: str | None, base: str) -> bool:
    """Whether IAM has the operator `set_op:base` (the parts `split_operator` gives)."""
    return base in OPERATORS and (set_op is None or set_op in SET_OPERATORS)


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
