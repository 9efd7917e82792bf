"""Property tests for the operator table: each operator against an independent reference."""

from __future__ import annotations

import fnmatch
import re

from hypothesis import given, settings, strategies as st

from seslint.core.operators import OPERATORS
from seslint.evaluate.operators import CompiledCondition
from seslint.policy import parse_policy

ALPHABET = "ab*?.-@"
text = st.text(alphabet="ab.-@", max_size=8)
pattern = st.text(alphabet=ALPHABET, max_size=6)
values = st.lists(text, max_size=4)


def holds(operator: str, policy_values, request_value, version="2012-10-17"):
    """Evaluate one condition the way a statement does; request_value None means absent."""
    policy = parse_policy({"Version": version, "Statement": [{"Effect": "Allow", "Action": "ses:SendEmail",
                           "Resource": "*", "Condition": {operator: {"ses:Recipients": policy_values}}}]})
    cond = CompiledCondition(policy.statements[0].conditions[0], policy)
    context = {} if request_value is None else {"ses:recipients": request_value}
    return cond.holds(context, {})


def reference_like(p: str, value: str) -> bool:
    """IAM StringLike: * any run, ? one character, case-sensitive; nothing else is special."""
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in p)
    return re.fullmatch(rx, value, re.S) is not None


@given(pattern, text)
def test_string_like_matches_reference(p, value):
    assert holds("StringLike", [p], value) == reference_like(p, value)
    assert holds("StringNotLike", [p], value) == (not reference_like(p, value))


@given(pattern, text)
def test_string_like_agrees_with_fnmatchcase_without_brackets(p, value):
    assert holds("StringLike", [p], value) == fnmatch.fnmatchcase(value, p)


@given(st.lists(pattern, min_size=1, max_size=3), text)
def test_values_of_one_key_are_ored(ps, value):
    assert holds("StringLike", ps, value) == any(reference_like(p, value) for p in ps)


@given(st.lists(pattern, min_size=1, max_size=3), st.one_of(st.none(), values))
def test_for_all_values_not_is_the_negation_of_for_any_value(ps, request):
    """ForAllValues:StringNotLike == not ForAnyValue:StringLike, absent and empty sets included."""
    assert holds("ForAllValues:StringNotLike", ps, request) == (not holds("ForAnyValue:StringLike", ps, request))
    assert holds("ForAnyValue:StringNotLike", ps, request) == (not holds("ForAllValues:StringLike", ps, request))


@given(st.lists(pattern, min_size=1, max_size=3), values)
def test_set_operators_against_reference(ps, request):
    each = [any(reference_like(p, v) for p in ps) for v in request]
    assert holds("ForAllValues:StringLike", ps, request) == all(each)
    assert holds("ForAnyValue:StringLike", ps, request) == any(each)


@given(st.sampled_from(sorted(n for n, o in OPERATORS.items() if o.type == "String")), text)
def test_absent_key(name, p):
    """Absent: negated operators hold, positive ones do not, IfExists always holds."""
    op = OPERATORS[name]
    assert holds(name, [p], None) == op.negated
    assert holds(name + "IfExists", [p], None) is True
    assert holds("ForAllValues:" + name, [p], None) is True
    assert holds("ForAnyValue:" + name, [p], None) is False


@given(st.integers(-10**6, 10**6), st.integers(-10**6, 10**6))
def test_numeric_orderings(a, b):
    for name, expected in (("NumericLessThan", a < b), ("NumericLessThanEquals", a <= b),
                           ("NumericGreaterThan", a > b), ("NumericGreaterThanEquals", a >= b),
                           ("NumericEquals", a == b), ("NumericNotEquals", a != b)):
        assert holds(name, [str(b)], str(a)) == expected, name


@settings(max_examples=50)
@given(st.integers(0, 4_000_000_000), st.integers(0, 4_000_000_000))
def test_date_orderings_epoch_and_iso_agree(a, b):
    from datetime import datetime, timezone

    iso = datetime.fromtimestamp(b, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    for name, expected in (("DateLessThan", a < b), ("DateGreaterThanEquals", a >= b), ("DateEquals", a == b)):
        assert holds(name, [str(b)], a) == expected
        assert holds(name, [iso], a) == expected


@given(st.ip_addresses(v=4), st.integers(0, 32))
def test_ip_address_v4(address, prefix):
    import ipaddress

    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    assert holds("IpAddress", [str(network)], str(address)) is True
    assert holds("NotIpAddress", [str(network)], str(address)) is False


@given(st.ip_addresses(v=6), st.ip_addresses(v=6), st.integers(0, 128))
def test_ip_address_v6(a, b, prefix):
    import ipaddress

    network = ipaddress.ip_network(f"{b}/{prefix}", strict=False)
    assert holds("IpAddress", [str(network)], str(a)) == (a in network)
