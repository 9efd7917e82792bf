"""The one IAM policy model and its one grammar, shared by the evaluator, the linter and the proofs.

The grammar of the IAM JSON policy language ("IAM JSON policy element reference", "Grammar of the IAM
JSON policy language") is written once, here. Each thing it refuses is a `Problem`: a stable code (the
name of the lint rule that reports it), a message, the JSON pointer and an optional help.
`parse_policy` (strict, for the evaluator and the proofs) raises the first problem as an InputError.
`read_policy` (tolerant, for the linter) builds the same model from whatever is well formed, leaving
out the malformed parts, so one broken element never hides the findings about the rest, and hands
back every problem; the linter's grammar rules report them. `kind_problems` adds what one kind of
policy may not hold (a Principal in an identity policy, ...). Both keep the JSON pointer of every
statement, condition and value (`items`, `principals`), so reporters can turn findings into line and
column. Whether an operator name exists or a value suits its operator is the operator table's
(`seslint.core.operators`), which the evaluator and the linter both read.

Where the sources disagree on what IAM refuses, the choice and its reason stand beside the check:
IAM's grammar takes "one or more values" in an array, so empty lists are refused here (Access
Analyzer calls them suggestions only); an empty Statement list is accepted (the scenario format uses
it for a policy with no statements), though IAM refuses a policy without statements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from seslint.core import variables as V
from seslint.core.arn import ACCOUNT, principal as principal_arn
from seslint.core.operators import OPERATORS
from seslint.core.patterns import arn_glob
from seslint.errors import InputError
from seslint.jsondoc import join

VERSIONS = ("2012-10-17", "2008-10-17")
POLICY_KEYS = frozenset({"Version", "Id", "Statement"})
STATEMENT_KEYS = frozenset({"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource",
                            "Principal", "NotPrincipal", "Condition"})
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")   # case-sensitive: "Aws" is refused
SET_OPERATORS = ("ForAllValues", "ForAnyValue")

# Kinds of policy: IAM_KINDS are IAM's own (attached to or passed for a principal); an SES identity
# policy is "resource"; a role's trust policy is "trust" (a Principal, and no Resource).
IAM_KINDS = ("identity", "boundary", "session")
KIND_NAMES = {"identity": "identity-based policy", "resource": "resource-based policy",
              "boundary": "permissions boundary", "session": "session policy", "scp": "service control policy",
              "trust": "role trust policy"}
_SID = re.compile(r"[A-Za-z0-9]*")

# Problem codes: each is the name of the lint rule that reports it (rules/lint-rules.json).
TYPE, UNKNOWN, MISSING, EFFECT = "invalid-element-type", "unknown-element", "missing-element", "invalid-effect"
CONFLICT, VERSION, INVALID_SID, DUPLICATE_SID = "conflicting-elements", "invalid-version", "invalid-sid", "duplicate-sid"
EMPTY, NO_PRINCIPAL, MISSING_PRINCIPAL = "empty-value", "principal-in-identity-policy", "missing-principal"
NOT_ARN, PRINCIPAL, ACTION = "resource-not-arn", "invalid-principal", "malformed-action"
CODES = (TYPE, UNKNOWN, MISSING, EFFECT, CONFLICT, VERSION, INVALID_SID, DUPLICATE_SID, EMPTY, NO_PRINCIPAL,
         MISSING_PRINCIPAL, NOT_ARN, PRINCIPAL, ACTION)


class Problem(NamedTuple):
    """One thing IAM refuses in a policy, where it is, and how to mend it."""

    code: str
    message: str
    pointer: str
    help: str | None = None


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
    """Parse one policy document (a dict from JSON) into a Policy; raise the first Problem as an
    InputError if it is not one."""
    def fail(code: str, message: str, at: str, help: str | None = None):
        raise InputError(message, source=source, pointer=at or None, help=help)

    return _policy(value, source, pointer, fail, True)


def read_policy(value, source: str = "<policy>", pointer: str = "", problems: list | None = None) -> Policy:
    """The well-formed parts of a policy as the same model, never raising: statements that are not
    objects, unknown elements, unknown condition operators and values of the wrong type are left out.
    `problems`, when given, receives every Problem `parse_policy` would raise the first of."""
    found = problems if problems is not None else []

    def note(code: str, message: str, at: str, help: str | None = None):
        found.append(Problem(code, message, at, help))

    return _policy(value, source, pointer, note, False)


def _policy(value, source: str, pointer: str, fail, strict: bool) -> Policy:
    """`fail(code, message, pointer, help)` raises (strict) or notes the problem, after which the
    malformed part is left out."""
    if not isinstance(value, dict):
        fail(TYPE, f"a policy must be a JSON object, not {json_kind(value)}", pointer)
        return Policy(source, pointer, None, None, ())
    if not POLICY_KEYS.issuperset(value):
        for name in value:
            if name not in POLICY_KEYS:
                fail(UNKNOWN, f"unknown policy element '{name}'", join(pointer, name), name_hint(name, POLICY_KEYS,
                     "a policy has only Version, Id and Statement"))
    version = value.get("Version")
    if version is not None and version not in VERSIONS:
        if isinstance(version, str):
            fail(VERSION, f"unknown policy version '{version}'", join(pointer, "Version"),
                 help='use "Version": "2012-10-17"')
        else:
            fail(TYPE, f"Version must be a string, not {json_kind(version)}", join(pointer, "Version"))
        version = None
    policy_id = value.get("Id")
    if policy_id is not None and not isinstance(policy_id, str):
        fail(TYPE, f"Id must be a string, not {json_kind(policy_id)}", join(pointer, "Id"))
        policy_id = None
    raw = value.get("Statement")
    items: list[tuple[str, Any]]   # not list[tuple[str, dict]], as mypy would infer: entries may be anything
    if isinstance(raw, list):
        items = [(f"{pointer}/Statement/{i}", s) for i, s in enumerate(raw)]
    elif isinstance(raw, dict):
        items = [(f"{pointer}/Statement", raw)]
    else:
        if "Statement" not in value:
            fail(MISSING, "policy has no Statement", pointer, help='add "Statement": [...]')
        else:
            fail(TYPE, f"Statement must be an object or a list, not {json_kind(raw)}", join(pointer, "Statement"))
        items = []
    statements = []
    variables = version == "2012-10-17"
    for at, s in items:
        if isinstance(s, dict):
            statements.append(_statement(s, at, fail, strict, variables))
        else:
            fail(TYPE, f"a statement must be a JSON object, not {json_kind(s)}", at)
    if len(statements) > 1:
        _unique_sids(statements, fail)
    return Policy(source, pointer, version, policy_id, tuple(statements))


def _unique_sids(statements: list, fail) -> None:
    """"In IAM, the Sid value must be unique within a JSON policy" ("IAM JSON policy elements: Sid");
    IAM refuses the policy otherwise (Access Analyzer: "Unique Sids required")."""
    seen: dict[str, str] = {}
    for s in statements:
        sid = s.sid
        if sid:
            first = seen.get(sid)
            if first is None:
                seen[sid] = s.pointer
            else:
                fail(DUPLICATE_SID, f"Sid '{sid}' is also the Sid of {first}", join(s.pointer, "Sid"), help="give each statement its own Sid")


def _statement(value: dict, at: str, fail, strict: bool, variables: bool) -> Statement:
    if not STATEMENT_KEYS.issuperset(value):
        for name in value:
            if name not in STATEMENT_KEYS:
                fail(UNKNOWN, f"unknown statement element '{name}'", join(at, name), name_hint(name, STATEMENT_KEYS))
    sid = value.get("Sid")
    if sid is not None and not isinstance(sid, str):
        fail(TYPE, f"Sid must be a string, not {json_kind(sid)}", join(at, "Sid"))
        sid = None
    effect = value.get("Effect")
    if effect != "Allow" and effect != "Deny":
        if "Effect" not in value:
            fail(MISSING, "statement has no Effect", at, help='add "Effect": "Allow" or "Effect": "Deny"')
        elif isinstance(effect, str):
            fail(EFFECT, f"Effect must be 'Allow' or 'Deny', not {_show(effect)}", join(at, "Effect"),
                 help="the values are case-sensitive")
        else:
            fail(TYPE, f"Effect must be 'Allow' or 'Deny', not {_show(effect)}", join(at, "Effect"))
        effect = None
    actions, not_actions = _pair(value, "Action", "NotAction", at, fail, True)
    if actions is not None or not_actions is not None:
        name = "Action" if actions is not None else "NotAction"
        for i in _malformed_actions(actions if actions is not None else not_actions):
            action = (actions if actions is not None else not_actions)[i]
            fail(ACTION, f"action '{action}' is not \"*\" or service:action", join(at, name, i)
                 if isinstance(value[name], list) else join(at, name), help=_ACTION_HELP)
    resources, not_resources = _pair(value, "Resource", "NotResource", at, fail, False)
    if resources is not None or not_resources is not None:
        name = "Resource" if resources is not None else "NotResource"
        _check_resources(resources if resources is not None else not_resources, join(at, name),
                         isinstance(value[name], list), variables, fail)
    principal = _principal(value["Principal"], f"{at}/Principal", fail) if "Principal" in value else None
    not_principal = None
    if "NotPrincipal" in value:
        if principal is not None:
            fail(CONFLICT, "statement has both Principal and NotPrincipal", join(at, "NotPrincipal"),
                 help="use exactly one of them")
        not_principal = _principal(value["NotPrincipal"], f"{at}/NotPrincipal", fail)
    conditions = _conditions(value["Condition"], f"{at}/Condition", fail, strict) if "Condition" in value else ()
    return Statement(at, sid, effect, actions, not_actions, resources, not_resources,
                     principal, not_principal, conditions, value)


def _pair(value: dict, name: str, not_name: str, at: str, fail, required: bool):
    one = _strings(value[name], f"{at}/{name}", fail, name) if name in value else None
    other = _strings(value[not_name], f"{at}/{not_name}", fail, name) if not_name in value else None
    if one is not None and other is not None:
        fail(CONFLICT, f"statement has both {name} and {not_name}", f"{at}/{not_name}", help="use exactly one of them")
    elif one is None and other is None and required:
        fail(MISSING, f"statement has neither {name} nor {not_name}", at, help=f'add "{name}"')
    return one, other


def _strings(value, at: str, fail, element: str) -> tuple[str, ...]:
    """A string or a non-empty list of strings (Action and Resource strings not empty either)."""
    if isinstance(value, str):
        if not value and element != "Principal":
            fail(EMPTY, f"empty {element} string", at, help=_EMPTY_HELP[element])
        return (value,)
    if not isinstance(value, list):
        fail(TYPE, f"expected a string or a list of strings, not {json_kind(value)}", at)
        return ()
    if not value:
        fail(EMPTY, "empty list", at, help="IAM's grammar takes one or more values")
    for item in value:
        if type(item) is not str or not item:
            break
    else:
        return tuple(value)
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            fail(TYPE, f"expected a string, not {json_kind(item)}", join(at, i))
        else:
            if not item and element != "Principal":
                fail(EMPTY, f"empty {element} string", join(at, i), help=_EMPTY_HELP[element])
            out.append(item)
    return tuple(out)


_ACTION_HELP = "a service prefix without wildcards, one colon, then the action name (wildcards allowed): ses:Send*"


def _malformed_actions(actions: tuple[str, ...]) -> tuple[int, ...]:
    """Indexes of the actions IAM refuses (the grammar's action_string: "a service namespace, a colon, and
    the name of an action"; IAM's MalformedPolicyDocument messages "Action vendors ... must not contain
    wildcards" and "Actions/Condition can contain only one colon"). An empty string is empty-value's."""
    for a in actions:
        if _malformed_action(a):
            return tuple(i for i, x in enumerate(actions) if _malformed_action(x))
    return ()


@lru_cache(maxsize=4096)   # a handful of action names recur in every policy
def _malformed_action(action: str) -> bool:
    if action == "*" or not action:
        return False
    vendor, colon, name = action.partition(":")
    return not colon or not vendor or not name or ":" in name or "*" in vendor or "?" in vendor


_EMPTY_HELP = {"Action": 'an action is "*" or service:action', "Resource": 'a resource is "*" or an ARN'}


def _check_resources(entries: tuple[str, ...], at: str, listed: bool, variables: bool, fail) -> None:
    """IAM refuses a resource that is neither "*" nor an ARN ("Resource ... must be in ARN format or
    "*"", its MalformedPolicyDocument message)."""
    for i, r in enumerate(entries):
        if r != "*" and r and (not r.startswith("arn:") or "${" in r or r.count(":") < 5) and not _arn_like(r, variables):
            fail(NOT_ARN, f"resource '{r}' is neither '*' nor an ARN", join(at, i) if listed else at,
                 help="an ARN has six parts: arn:partition:service:region:account:resource")


@lru_cache(maxsize=4096)
def _arn_like(text: str, variables: bool) -> bool:
    """Whether a Resource entry is "*", an ARN, or a template whose variables make one."""
    parts = V.parse_template(text, variables, True, True)
    return parts == (V.ANY,) or V.has_variables(parts) or arn_glob(parts, True) is not None


def _principal(value, at: str, fail) -> dict:
    if value == "*":
        return {"*": True}
    if not isinstance(value, dict):
        fail(TYPE, f"Principal must be \"*\" or an object, not {json_kind(value)}", at,
             help='such as {"AWS": "arn:aws:iam::111122223333:root"}')
        return {"AWS": (value,)} if isinstance(value, str) else {}
    if not value:
        fail(EMPTY, "empty Principal", at, help="name at least one principal")
    out = {}
    for name, items in value.items():
        where = join(at, name)
        if name not in PRINCIPAL_TYPES:
            fail(UNKNOWN, f"unknown principal type '{name}'", where,
                 name_hint(name, PRINCIPAL_TYPES, "principal types are AWS, Service, Federated and CanonicalUser"))
            continue
        found = out[name] = _strings(items, where, fail, "Principal")
        if name == "AWS":
            _check_aws_principals(found, where, isinstance(items, list), fail)
    return out


def _check_aws_principals(values: tuple[str, ...], at: str, listed: bool, fail) -> None:
    """IAM takes an account id, an IAM or STS ARN, or "*" alone: "You cannot use a wildcard to match part
    of a principal name or ARN" ("AWS JSON policy elements: Principal")."""
    for i, value in enumerate(values):
        if value == "*":
            continue
        where = join(at, i) if listed else at
        if "*" in value or "?" in value:
            fail(PRINCIPAL, f"principal '{value}' has a wildcard, which IAM allows only as \"*\" on its own", where,
                 help="name the principal exactly, or use \"*\" with a condition on aws:PrincipalArn")
        elif not (ACCOUNT.fullmatch(value) or principal_arn(value)):
            fail(PRINCIPAL, f"principal '{value}' is not an account id or an IAM/STS ARN", where)


def _conditions(value, at: str, fail, strict: bool) -> tuple[Condition, ...]:
    if not isinstance(value, dict):
        fail(TYPE, f"Condition must be an object, not {json_kind(value)}", at)
        return ()
    out = []
    for operator, block in value.items():
        op_at = _join(at, operator)
        if not isinstance(block, dict):
            fail(TYPE, f"condition operator '{operator}' must map to an object of keys, not {json_kind(block)}", op_at)
            continue
        if not block:
            fail(EMPTY, f"condition operator '{operator}' has no keys", op_at)
        set_op, base, if_exists = split_operator(operator)
        if not strict and not known_operator(set_op, base):
            continue   # the evaluator words an unknown operator (check_condition), the linter too (SES014)
        for key, raw in block.items():
            key_at = _join(op_at, key)
            listed = isinstance(raw, list)
            items = raw if listed else [raw]
            if not items:
                fail(EMPTY, f"condition key '{key}' has an empty list of values", key_at)
            for i, item in enumerate(items):
                if type(item) is not str and (item is None or isinstance(item, (dict, list))):
                    where = join(key_at, i) if listed else key_at
                    fail(TYPE, f"condition value must be a string, number or boolean, not {json_kind(item)}", where)
            out.append(Condition(key_at, operator, base, set_op, if_exists, key, tuple(items), listed))
    return tuple(out)


def kind_problems(policy: Policy, kind: str) -> list[Problem]:
    """What IAM refuses in a policy of one kind (identity, boundary, session, scp, resource, trust):
    "IAM JSON policy element reference" and Access Analyzer's errors "Unsupported principal" and "SCP
    syntax error principal" (no Principal outside resource-based policies), "Missing principal",
    "Missing resource" and "Unsupported Sid" (IAM Sids are letters and digits: "IAM JSON policy
    elements: Sid"). The same problems, whoever asks: the evaluator raises the first, the linter
    reports them all."""
    out = []
    no_principal = kind in IAM_KINDS or kind == "scp"
    for s in policy.statements:
        if no_principal and (s.principal is not None or s.not_principal is not None):
            name = "Principal" if s.principal is not None else "NotPrincipal"
            out.append(Problem(NO_PRINCIPAL, f"a {KIND_NAMES[kind]} cannot have a {name}", join(s.pointer, name),
                               "Principal belongs in resource-based policies only"))
        if kind in ("resource", "trust") and s.principal is None and s.not_principal is None:
            out.append(Problem(MISSING_PRINCIPAL, f"statement in a {KIND_NAMES[kind]} has no Principal", s.pointer))
        if (kind in IAM_KINDS or kind == "resource") and s.resources is None and s.not_resources is None:
            out.append(Problem(MISSING, f"statement in a {KIND_NAMES[kind]} has neither Resource nor NotResource",
                               s.pointer, 'add "Resource": "*" or an ARN'))
        if kind in IAM_KINDS and s.sid and not _SID.fullmatch(s.sid):
            out.append(Problem(INVALID_SID, f"Sid '{s.sid}' has characters IAM refuses: use only letters and digits",
                               join(s.pointer, "Sid")))
    return out


def name_hint(name: str, choices, otherwise: str | None = None) -> str | None:
    """A did-you-mean for a misspelt or miscased name (element, principal type, operator)."""
    lowered = {c.lower(): c for c in choices}
    if name.lower() in lowered:
        return f"did you mean '{lowered[name.lower()]}'? (names are case-sensitive)"
    import difflib

    close = difflib.get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else otherwise


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
