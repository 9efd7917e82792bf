"""The condition operator table ("IAM JSON policy elements: Condition operators").

Each operator is one row: its name, the type of value it compares, a positive test, whether
it negates that test, and whether its values take wildcards and policy variables. The
modifiers are handled once, in `CompiledCondition.holds`:

- values of one key are ORed: the positive test holds if any policy value matches; a negated
  operator holds if none does (StringNotEquals ["a", "b"]: neither a nor b);
- `...IfExists`: an absent key makes the condition true;
- a negated operator on an absent key is true (nothing to compare, so "not equal");
- `ForAllValues:` true when every request value passes (so true for an absent or empty set);
  `ForAnyValue:` true when at least one does (so false for an absent or empty set)
  ("Multivalued context keys");
- `Null` is true for an absent key and for an empty set: "include the Null condition operator with
  a value of false to check if the context key in the request exists and its value is not null"
  ("Multivalued context key examples", on ForAllValues and empty values);
- a policy variable with no value matches nothing: positive operators do not match it, negated
  ones do (it is "not equal" to everything); the other values of the list still count ("Policy
  variables with no value");
- a multivalued request value under an operator without a set operator, or a multivalued key as
  a policy variable, gives UNKNOWN: IAM says multivalued keys require a set operator and does not
  document the result otherwise. The engine then answers only if the decision is the same either
  way (`unknown_error` words the refusal).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from seslint.core.patterns import arn_glob, glob
from seslint.errors import InputError
from seslint.evaluate import variables as V
from seslint.policy import SET_OPERATORS, Condition, Policy

MISSING = object()


def when_absent(set_op: str | None, if_exists: bool, negated: bool) -> bool:
    """What a condition other than Null evaluates to when its key is absent (the rules above):
    the one table of it, which the linter reads too."""
    if set_op == "ForAllValues" or if_exists:
        return True
    if set_op == "ForAnyValue":
        return False
    return negated
UNKNOWN = "unknown"   # the third truth value: the outcome is one IAM does not document


class ValueProblem(ValueError):
    """A value that does not suit its operator (becomes an error naming the JSON location)."""


# -- value types -------------------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_EPOCH = re.compile(r"-?\d+")


@lru_cache(maxsize=4096, typed=True)   # values repeat across a batch; typed: 1 is not True
def _number(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueProblem(f"{value!r} is not a number")
    text = value if isinstance(value, str) else repr(value)
    if not _NUMBER.fullmatch(text):
        raise ValueProblem(f"'{text}' is not a number")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueProblem(f"'{text}' is not a number") from None


@lru_cache(maxsize=4096, typed=True)   # values repeat across a batch; typed: 1 is not True
def _date(value) -> datetime:
    if isinstance(value, bool):
        raise ValueProblem(f"{value!r} is not a date")
    if isinstance(value, int) or (isinstance(value, str) and _EPOCH.fullmatch(value)):
        try:
            return datetime.fromtimestamp(int(value), tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise ValueProblem(f"'{value}' is out of range for epoch seconds") from None
    if not isinstance(value, str):
        raise ValueProblem(f"{value!r} is not a date")
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueProblem(f"'{value}' is not an ISO 8601 date or epoch seconds") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


@lru_cache(maxsize=4096, typed=True)   # values repeat across a batch; typed: 1 is not True
def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueProblem(f"{value!r} is not 'true' or 'false'")


def _binary(value) -> bytes:
    if not isinstance(value, str):
        raise ValueProblem(f"{value!r} is not base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueProblem(f"'{value}' is not valid base64") from None


@lru_cache(maxsize=4096, typed=True)   # values repeat across a batch; typed: 1 is not True
def _network(value):
    if not isinstance(value, str):
        raise ValueProblem(f"{value!r} is not an IP address or CIDR block")
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValueProblem(f"'{value}' is not an IP address or CIDR block") from None


@lru_cache(maxsize=4096, typed=True)   # values repeat across a batch; typed: 1 is not True
def _address(value):
    if not isinstance(value, str):
        raise ValueProblem(f"{value!r} is not an IP address")
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        raise ValueProblem(f"'{value}' is not an IP address") from None


def _string(value) -> str:
    return V.scalar_text(value)


def _in_network(address, network) -> bool:
    return address.version == network.version and address in network


@dataclass(frozen=True)
class Operator:
    """One row of the operator table."""

    name: str
    type: str                          # String, Numeric, Date, Bool, Binary, IPAddress, ARN, Null
    test: Callable                     # test(request_value, policy_value) -> bool (the positive form)
    negated: bool = False
    wildcards: bool = False
    variables: bool = False            # takes ${...} policy variables
    policy_value: Callable = _string   # parses one policy value (raises ValueProblem)
    request_value: Callable = _string  # parses one request context value


def _rows() -> dict[str, Operator]:
    rows: list[Operator] = []

    def add(name, type_, test, negated=False, **kw):
        rows.append(Operator(name, type_, test, negated, **kw))

    eq = lambda a, b: a == b  # noqa: E731
    ieq = lambda a, b: a.lower() == b.lower()  # noqa: E731
    like = lambda a, rx: rx.fullmatch(a) is not None  # noqa: E731
    for negated in (False, True):
        n = "Not" if negated else ""
        add(f"String{n}Equals", "String", eq, negated, variables=True)
        add(f"String{n}EqualsIgnoreCase", "String", ieq, negated, variables=True)
        add(f"String{n}Like", "String", like, negated, variables=True, wildcards=True)
        add(f"Arn{n}Equals", "ARN", like, negated, variables=True, wildcards=True)
        add(f"Arn{n}Like", "ARN", like, negated, variables=True, wildcards=True)
        add(f"Numeric{n}Equals", "Numeric", eq, negated, policy_value=_number, request_value=_number)
        add(f"Date{n}Equals", "Date", eq, negated, policy_value=_date, request_value=_date)
    add("NotIpAddress", "IPAddress", _in_network, True, policy_value=_network, request_value=_address)
    add("IpAddress", "IPAddress", _in_network, policy_value=_network, request_value=_address)
    for suffix, test in (("LessThan", lambda a, b: a < b), ("LessThanEquals", lambda a, b: a <= b),
                         ("GreaterThan", lambda a, b: a > b), ("GreaterThanEquals", lambda a, b: a >= b)):
        add(f"Numeric{suffix}", "Numeric", test, policy_value=_number, request_value=_number)
        add(f"Date{suffix}", "Date", test, policy_value=_date, request_value=_date)
    add("Bool", "Bool", eq, policy_value=_bool, request_value=_bool)
    add("BinaryEquals", "Binary", eq, policy_value=_binary, request_value=_binary)
    add("Null", "Null", eq, policy_value=_bool, request_value=_bool)
    return {r.name: r for r in rows}


OPERATORS: dict[str, Operator] = _rows()


def unknown_operator_help(name: str) -> str | None:
    import difflib

    lowered = {n.lower(): n for n in OPERATORS}
    if name.lower() in lowered:
        return f"operator names are case-sensitive: use '{lowered[name.lower()]}'"
    close = difflib.get_close_matches(name, list(OPERATORS), n=1)
    return f"did you mean '{close[0]}'?" if close else None


# -- compiled conditions -----------------------------------------------------------------------

class CompiledCondition:
    """A Condition with its operator looked up and its policy values parsed once."""

    __slots__ = ("cond", "op", "key", "values", "templates", "null_wants", "source")

    def __init__(self, cond: Condition, policy: Policy):
        self.cond = cond
        self.key = cond.key.lower()
        self.source = policy.source
        op = self.op = _operator(cond, policy)
        self.templates: tuple | None = None
        self.values: tuple = ()      # set unless `templates` or `null_wants` is
        self.null_wants: frozenset[bool] = frozenset()   # Null only
        try:
            if op.type == "Null":
                self.null_wants = frozenset(_bool(v) for v in cond.values)
            elif op.type in ("String", "ARN"):
                templates = tuple(V.parse_template(_string(v), policy.variables_enabled, op.wildcards)
                                  for v in cond.values)
                if any(V.has_variables(t) for t in templates):
                    self.templates = templates
                else:
                    self.values = tuple(self._concrete(t) for t in templates)
            else:
                self.values = tuple(op.policy_value(v) for v in cond.values)
        except ValueProblem as exc:
            raise _policy_error(f"{exc} (for {op.name})", source=policy.source, pointer=cond.pointer) from None

    def _concrete(self, parts: tuple):
        op = self.op
        if op.type == "ARN":
            rx = arn_glob(parts)
            if rx is None:
                raise ValueProblem(f"'{V.text(parts)}' is not an ARN")
            return rx
        if op.wildcards:
            return glob(parts, ignore_case=False)
        return V.text(parts)

    def policy_values(self, context: dict) -> tuple[tuple, bool]:
        """The concrete policy values, and whether one of them is unknown (a multivalued variable).
        A value whose variable has no value is left out: it matches nothing."""
        if self.templates is None:
            return self.values, False
        out = []
        unknown = False
        try:
            for t in self.templates:
                parts = V.resolve(t, context)
                if parts is V.MULTI:
                    unknown = True
                elif parts is not V.NULL:
                    out.append(self._concrete(parts))
        except ValueProblem as exc:
            raise _policy_error(f"{exc} after resolving policy variables", source=self.source,
                                pointer=self.cond.pointer) from None
        return tuple(out), unknown

    def holds(self, context: dict, names: dict):
        """True, False or UNKNOWN: whether the condition holds for the request `context` (keys
        lower-cased). `names` maps lower-cased keys to the names the request used (for errors)."""
        op, cond = self.op, self.cond
        raw = context.get(self.key, MISSING)
        if op.type == "Null":
            return (raw is MISSING or raw == []) in self.null_wants
        if raw is MISSING:
            return when_absent(cond.set_op, cond.if_exists, op.negated)
        values, unknown = self.policy_values(context)
        if cond.set_op is None:
            if isinstance(raw, list):
                return UNKNOWN
            return self._one(self._request_value(raw, names), values, unknown)
        items = raw if isinstance(raw, list) else [raw]
        want = cond.set_op == "ForAnyValue"   # the item result that decides: any True, or any False
        out = not want
        for v in items:
            r = self._one(self._request_value(v, names), values, unknown)
            if r is want:
                return want
            if r is UNKNOWN:
                out = UNKNOWN
        return out

    def _one(self, value, values, unknown=False):
        test = self.op.test
        for p in values:
            if test(value, p):
                return not self.op.negated
        if unknown:
            return UNKNOWN
        return self.op.negated

    def unknown_error(self, context: dict) -> InputError:
        """The refusal for a condition that gave UNKNOWN, when the decision depends on it."""
        cond = self.cond
        if isinstance(context.get(self.key), list) and cond.set_op is None:
            return _policy_error(
                f"'{cond.operator}' has no ForAllValues/ForAnyValue but the request gives '{cond.key}' as a list: "
                "IAM does not define the result, and the decision depends on it", source=self.source,
                pointer=cond.pointer, help=f"use 'ForAnyValue:{cond.operator}' or 'ForAllValues:{cond.operator}'")
        return _policy_error(f"a policy variable in '{cond.operator}' names a multivalued key: IAM does not define "
                             "the result, and the decision depends on it", source=self.source, pointer=cond.pointer,
                             help="give the variable a default, or compare the key with ForAnyValue/ForAllValues")

    def _request_value(self, value, names):
        try:
            return self.op.request_value(value)
        except ValueProblem as exc:
            from seslint.jsondoc import join

            raise InputError(f"request value {exc} (compared by {self.op.name} in {self.cond.pointer})",
                             pointer=join("/request/context", names.get(self.key, self.cond.key))) from None


def _operator(cond: Condition, policy: Policy) -> Operator:
    """The operator row of a condition; InputError for an unknown operator or modifier."""
    op = OPERATORS.get(cond.base)
    if op is not None and (cond.set_op is None or cond.set_op in SET_OPERATORS) and \
            not (op.type == "Null" and (cond.set_op or cond.if_exists)):
        return op
    where = dict(source=policy.source, pointer=cond.pointer)
    if cond.set_op is not None and cond.set_op not in SET_OPERATORS:
        raise _policy_error(f"unknown set operator '{cond.set_op}' in '{cond.operator}'",
                            help="set operators are ForAllValues and ForAnyValue", **where)
    if op is None:
        raise _policy_error(f"unknown condition operator '{cond.operator}'", help=unknown_operator_help(cond.base),
                            **where)
    raise _policy_error(f"'{cond.operator}' is not a valid operator: Null takes no modifiers", **where)


def check_condition(cond: Condition, policy: Policy) -> None:
    """Raise what CompiledCondition(cond, policy) would raise, without building it (cheaper: for
    the statements a request never reaches)."""
    op = _operator(cond, policy)
    if op.type == "String":
        return   # any text is a valid string pattern
    if op.type == "ARN":
        for v in cond.values:
            text = _string(v)
            if (not policy.variables_enabled or "${" not in text) and text.count(":") >= 5:
                continue
            CompiledCondition(cond, policy)   # the full path words the error, if any
            return
        return
    try:
        for v in cond.values:
            (_bool if op.type == "Null" else op.policy_value)(v)
    except ValueProblem as exc:
        raise _policy_error(f"{exc} (for {op.name})", source=policy.source, pointer=cond.pointer) from None


def _policy_error(message: str, *, source=None, pointer=None, help=None) -> InputError:
    """A policy that cannot be evaluated faithfully, located by source and JSON pointer."""
    return InputError(message, source=source, pointer=pointer, help=help)
