"""The proofs have teeth: each classic SES policy mistake, planted in a generated policy, makes a
declared request fail (and the failing case names the hole)."""

from __future__ import annotations

import copy

import pytest

from seslint.generate import generate, prove


def _drop_null(policy):
    for s in policy["Statement"]:
        s.get("Condition", {}).pop("Null", None)


def _deny_for_all_values(policy):
    s = policy["Statement"][0]
    s["Condition"] = {"ForAllValues:StringNotLike": s["Condition"]["ForAnyValue:StringNotLike"]}


def _drop_statement(sid):
    def mutate(policy):
        policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != sid]
    return mutate


def _grant_v2_bulk(policy):
    policy["Statement"].append({"Sid": "Bulk", "Effect": "Allow", "Action": ["ses:SendBulkEmail"], "Resource": ["*"]})


def _identity_arn_only_for_the_address(policy):
    for s in policy["Statement"]:
        s["Resource"] = [r for r in s["Resource"] if not r.endswith(":identity/example.com")]


def _no_configuration_set(policy):
    for s in policy["Statement"]:
        s["Resource"] = [r for r in s["Resource"] if ":configuration-set/" not in r]


def _open_recipients_with_a_trailing_star(policy):
    for s in policy["Statement"]:
        if "ForAllValues:StringLike" in s.get("Condition", {}):
            s["Condition"]["ForAllValues:StringLike"]["ses:Recipients"] = ["*@simulator.amazonses.com*"]


MUTATIONS = [
    ("ci-simulator-only", {}, _drop_null, "no recipients key at all (sesv2:SendEmail:raw)"),
    ("ci-simulator-only", {}, _drop_null, "an empty recipient list (ses:SendTemplatedEmail)"),
    ("ci-simulator-only", {}, _drop_statement("SendRawToMailboxSimulatorOnly"), "one simulator recipient (sesv2:SendEmail:raw)"),
    ("ci-simulator-only", {"with-v2-bulk": True}, _drop_statement("SendBulkV2RecipientsCheckedOnSendBulkTemplatedEmail"),
     "every simulator address, with a +label, v2 bulk"),
    ("ci-simulator-only", {}, _grant_v2_bulk, "v2 bulk without --with-v2-bulk, even to the simulator"),
    ("ci-simulator-only", {"from": "ci@example.com"}, _identity_arn_only_for_the_address,
     "one simulator recipient (sesv2:SendEmail:simple)"),
    ("ci-simulator-only", {}, _no_configuration_set, "one simulator recipient (sesv2:SendEmail:simple)"),
    ("ci-simulator-only", {}, _open_recipients_with_a_trailing_star, "a look-alike domain that extends the simulator's (sesv2:SendEmail:simple)"),
    ("recipient-guardrail", {"recipient-domain": "example.com"}, _deny_for_all_values,
     "an allowed recipient mixed with an outsider (sesv2:SendEmail:simple)"),
    ("recipient-guardrail", {"recipient-domain": "example.com"}, _drop_statement("DenySendsWithoutRecipientsKey"),
     "no recipients key (sesv2:SendEmail:raw)"),
    ("templated-sender", {"template": "welcome"}, _drop_statement("SendBulkV2AddressesCheckedOnSendBulkTemplatedEmail"),
     "templated and bulk sends with an allowed template (sesv2:SendBulkEmail)"),
]


@pytest.mark.parametrize("name,values,mutate,case", MUTATIONS, ids=[f"{m[0]}:{m[3]}" for m in MUTATIONS])
def test_a_planted_mistake_breaks_the_declared_proof(name, values, mutate, case):
    assert all(r.ok for r in prove(name, values))
    policy = copy.deepcopy(generate(name, values))
    mutate(policy)
    failed = {r.case.name for r in prove(name, values, policy) if not r.ok}
    assert case in failed
