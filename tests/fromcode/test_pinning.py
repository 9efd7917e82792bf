"""The proof that literal Froms pin the sender: statements that compare ses:FromAddress to the
addresses are decided without the solver, the solver proves the rest, and the split gives the
solver's own verdict on the whole policy, whichever way it goes."""

from __future__ import annotations

import copy

import pytest

from seslint.fromcode.model import CallSite, Value
from seslint.fromcode.policy import plan_site
from seslint.generate.fromcode import _within, build, pins
from seslint.prove.api import PROVEN, prove
from seslint.prove.decision import build_inputs

ACCOUNT, REGION = "111122223333", "eu-west-1"


def _site(line: int, operation: str, contents: tuple[str, ...], sender: str, **kw) -> CallSite:
    return CallSite("app.py", line, "boto3", operation, contents=contents, sender=Value(sender),
                    region=Value(REGION), **kw)


SITES = [_site(1, "sesv2:SendEmail", ("raw",), "a@example.com", configuration_set=Value("tx")),
         _site(2, "ses:SendTemplatedEmail", ("template",), "b@mail.example.org", template=Value("welcome")),
         _site(3, "sesv2:SendBulkEmail", ("bulk",), "c@example.com", template=Value("digest")),
         _site(4, "smtp:SendRawEmail", ("raw",), "d@example.net")]
ADDRESSES = ["a@example.com", "b@mail.example.org", "c@example.com", "d@example.net"]


def _policy() -> dict:
    return build([plan_site(s, account=ACCOUNT) for s in SITES])


def _solver(policy: dict, addresses) -> bool:
    return prove(build_inputs([policy], account=ACCOUNT, region=REGION), senders_within=addresses).verdict == PROVEN


def _widen(policy: dict, how) -> dict:
    policy = copy.deepcopy(policy)
    statement = next(s for s in policy["Statement"] if "ses:FromAddress" in s.get("Condition", {}).get("StringEquals", {}))
    how(statement)
    return policy


def _like(s):
    s["Condition"]["StringLike"] = {"ses:FromAddress": ["*@example.com"]}
    del s["Condition"]["StringEquals"]["ses:FromAddress"]


def _if_exists(s):
    s["Condition"]["StringEqualsIfExists"] = s["Condition"].pop("StringEquals")


def _another(s):
    s["Condition"]["StringEquals"]["ses:FromAddress"].append("intruder@example.com")


def _all_values(s):
    s["Condition"]["ForAllValues:StringEquals"] = {"ses:FromAddress": s["Condition"]["StringEquals"].pop("ses:FromAddress")}


def test_a_generated_policy_is_decided_without_the_solver_but_for_v2_bulk():
    policy = _policy()
    rest = [s for s in policy["Statement"] if not pins(s, ADDRESSES)]
    assert {a for s in rest for a in s["Action"]} == {"ses:SendBulkEmail"}   # v2 bulk has no ses:FromAddress key
    assert _within(policy, ADDRESSES, REGION, ACCOUNT) == (True, "")
    assert _solver(policy, ADDRESSES)


@pytest.mark.parametrize("change,holds", [(_like, False), (_another, False), (_if_exists, True), (_all_values, True)],
                         ids=lambda v: v.__name__.strip("_") if callable(v) else str(v))
def test_a_statement_that_does_not_pin_goes_to_the_solver_whose_verdict_it_is(change, holds):
    """IfExists and ForAllValues match a request without the key; every request of these actions has it,
    so the solver still proves the property: the split must not decide those statements itself."""
    policy = _widen(_policy(), change)
    assert not all(pins(s, ADDRESSES) for s in policy["Statement"] if s["Action"] != ["ses:SendBulkEmail"])
    ok, why = _within(policy, ADDRESSES, REGION, ACCOUNT)
    assert ok is holds and _solver(policy, ADDRESSES) is holds
    assert holds or "from" in why


def test_fewer_addresses_than_the_statements_name_is_no_proof():
    policy = _policy()
    assert _within(policy, ADDRESSES[1:], REGION, ACCOUNT)[0] is False
    assert not _solver(policy, ADDRESSES[1:])


def test_pins_reads_only_the_shapes_that_match_no_request_without_the_key():
    statement = {"Effect": "Allow", "Action": ["ses:SendEmail"], "Resource": ["*"],
                 "Condition": {"StringEquals": {"SES:FromAddress": "A@Example.com"}}}
    assert pins(statement, ["a@example.com"])
    assert not pins({**statement, "Effect": "Deny"}, ["a@example.com"])
    assert not pins(statement, ["b@example.com"])
    assert not pins({**statement, "Condition": {"StringEquals": {"ses:FromAddress": "${aws:username}@example.com"}}},
                    ["${aws:username}@example.com"])
    assert not pins({**statement, "Condition": {"StringNotEquals": {"ses:FromAddress": "a@example.com"}}},
                    ["a@example.com"])
