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
from typing import Any

from seslint.core import variables as V
from seslint.core.logic import Logic

MISSING = object()


def when_absent(set_op: str | None, if_exists: bool, negated: bool) -> bool:
    """What a condition other than Null evaluates to when its key is absent (the rules above):
    the one table of it, which the linter reads too."""
    if set_op == "ForAllValues" or if_exists:
        return True
    if set_op == "ForAnyValue":
        return False
    return negated

class ValueProblem(ValueError):
    """A value that does not suit its operator (becomes an error naming the JSON location)."""


# -- value types -------------------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_EPOCH = re.compile(r"-?\d+")


@lru_cache(maxsize=4096, typed=True)   # values repeat across a batch; typed: 1 is not True
def _number(value: Any) -> Decimal:
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
def _date(value: Any) -> datetime:
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
def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueProblem(f"{value!r} is not 'true' or 'false'")


def _binary(value: Any) -> bytes:
    if not isinstance(value, str):
        raise ValueProblem(f"{value!r} is not base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueProblem(f"'{value}' is not valid base64") from None


@lru_cache(maxsize=4096, typed=True)   # values repeat across a batch; typed: 1 is not True
def _network(value: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    if not isinstance(value, str):
        raise ValueProblem(f"{value!r} is not an IP address or CIDR block")
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValueProblem(f"'{value}' is not an IP address or CIDR block") from None


@lru_cache(maxsize=4096, typed=True)   # values repeat across a batch; typed: 1 is not True
def _address(value: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    if not isinstance(value, str):
        raise ValueProblem(f"{value!r} is not an IP address")
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        raise ValueProblem(f"'{value}' is not an IP address") from None


def parse_string(value: Any) -> str:
    return V.scalar_text(value)


def _in_network(address: Any, network: Any) -> bool:
    return address.version == network.version and address in network


@dataclass(frozen=True)
class Operator:
    """One row of the operator table."""

    name: str
    type: str                          # String, Numeric, Date, Bool, Binary, IPAddress, ARN, Null
    test: Callable[[Any, Any], Any]    # test(request_value, policy_value) (the positive form): a bool, or a
                                       # z3 Bool over the prover's symbolic values (Numeric, Date)
    negated: bool = False
    wildcards: bool = False
    variables: bool = False            # takes ${...} policy variables
    policy_value: Callable[[Any], Any] = parse_string   # parses one policy value (raises ValueProblem)
    request_value: Callable[[Any], Any] = parse_string  # parses one request context value


def _rows() -> dict[str, Operator]:
    rows: list[Operator] = []

    def add(name: str, type_: str, test: Callable[[Any, Any], Any], negated: bool = False, **kw: Any) -> None:
        rows.append(Operator(name, type_, test, negated, **kw))

    def eq(a: Any, b: Any) -> Any:
        return a == b

    def ieq(a: Any, b: Any) -> bool:
        return bool(a.lower() == b.lower())

    def like(a: Any, rx: Any) -> bool:
        return rx.fullmatch(a) is not None

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
    order: tuple[tuple[str, Callable[[Any, Any], Any]], ...] = (
        ("LessThan", lambda a, b: a < b), ("LessThanEquals", lambda a, b: a <= b),
        ("GreaterThan", lambda a, b: a > b), ("GreaterThanEquals", lambda a, b: a >= b))
    for suffix, test in order:
        add(f"Numeric{suffix}", "Numeric", test, policy_value=_number, request_value=_number)
        add(f"Date{suffix}", "Date", test, policy_value=_date, request_value=_date)
    add("Bool", "Bool", eq, policy_value=parse_bool, request_value=parse_bool)
    add("BinaryEquals", "Binary", eq, policy_value=_binary, request_value=_binary)
    add("Null", "Null", eq, policy_value=parse_bool, request_value=parse_bool)
    return {r.name: r for r in rows}


OPERATORS: dict[str, Operator] = _rows()


def unknown_operator_help(name: str) -> str | None:
    import difflib

    lowered = {n.lower(): n for n in OPERATORS}
    if name.lower() in lowered:
        return f"operator names are case-sensitive: use '{lowered[name.lower()]}'"
    close = difflib.get_close_matches(name, list(OPERATORS), n=1)
    return f"did you mean '{close[0]}'?" if close else None


# -- the condition modifiers, written once ----------------------------------------------------------

class KeyValue:
    """A condition key's value in one request, as `condition_holds` sees it: whether it is `present`,
    whether it is an `empty` list, whether it is `multivalued` (a list), and its `members`: (member,
    item) pairs, `member` the truth value that the item is in the list (a bounded symbolic list has
    slots that may be unused). A single value is its own only member."""

    __slots__ = ("present", "empty", "multivalued", "members")

    def __init__(self, present: Any, empty: Any, multivalued: bool, members: Any):
        self.present, self.empty, self.multivalued, self.members = present, empty, multivalued, members


def condition_holds(logic: Logic, row: Operator, set_op: str | None, if_exists: bool, null_wants: frozenset[bool],
                    value: KeyValue, test: Callable[[Any, Any], Any], state: Any, what: str) -> Any:
    """Whether a condition holds, in `logic`: the modifiers of the module docstring over `test(state, item)`,
    the operator's test (negation included) of one request value. `what` names the condition."""
    L = logic
    present = value.present
    if row.type == "Null":
        empty = L.any([L.not_(present), value.empty])
        return L.any([empty if want else L.not_(empty) for want in null_wants])
    if present is not L.true:
        absent = L.true if when_absent(set_op, if_exists, row.negated) else L.false
        if present is L.false:
            return absent
    if set_op is None:
        if value.multivalued:
            body = L.undefined(f"{what} has no ForAllValues/ForAnyValue but the key is multivalued: IAM does not "
                               "define the result")
        else:
            body = test(state, value.members[0][1])
    elif set_op == "ForAllValues":
        body = L.all(L.any([L.not_(member), test(state, item)]) for member, item in value.members)
    else:
        body = L.any(L.all([member, test(state, item)]) for member, item in value.members)
    return body if present is L.true else L.ite(present, body, absent)


def any_value_matches(logic: Logic, negated: bool, hits: Any) -> Any:
    """The values of one key are ORed: the positive test holds when any policy value matches; a negated
    operator holds when none does."""
    hit = logic.any(hits)
    return logic.not_(hit) if negated else hit
