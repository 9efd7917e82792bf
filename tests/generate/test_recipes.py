"""Every recipe, with its defaults and its declared examples: it generates, it lints clean at
warning and above, and the evaluator confirms each of its must-allow and must-deny requests."""

from __future__ import annotations

import json

import pytest

from seslint.generate import generate, load_recipe, prove, recipe_names, render
from seslint.matrix import load_matrix

from .conftest import lint_findings, parameter_sets

SETS = parameter_sets()
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(SETS)]


def test_there_are_recipes_for_every_job_in_the_issue():
    assert set(recipe_names()) == {
        "ci-simulator-only", "restricted-sender", "templated-sender", "identity-admin", "template-admin",
        "configuration-set-admin", "suppression-list-admin", "receiving-admin", "monitoring-read-only",
        "sending-authorization", "recipient-guardrail", "seslint-reader"}


@pytest.mark.parametrize("name,values", SETS, ids=IDS)
def test_every_declared_request_gets_the_declared_decision(name, values):
    results = prove(name, values)
    failed = [f"{r.case.expect}: {r.case.name} [{r.attach}] {r.detail}" for r in results if not r.ok]
    assert failed == []
    assert {r.case.expect for r in results} == {"allowed", "denied"}


@pytest.mark.parametrize("name,values", SETS, ids=IDS)
def test_generated_policy_lints_clean_at_warning_and_above(name, values, tmp_path, cli):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(generate(name, values), indent=2))
    assert [f for f in lint_findings(cli, path) if f["severity"] in ("error", "warning")] == []


@pytest.mark.parametrize("name,values", [s for s in SETS if load_recipe(s[0]).policy_type == "identity"],
                         ids=[i for i, s in zip(IDS, SETS, strict=True) if load_recipe(s[0]).policy_type == "identity"])
def test_cloudformation_output_lints_clean_too(name, values, tmp_path, cli):
    recipe = load_recipe(name)
    path = tmp_path / "template.yaml"
    path.write_text(render(generate(name, values), "cloudformation", name=name, summary=recipe.summary))
    assert [f for f in lint_findings(cli, path) if f["severity"] in ("error", "warning")] == []


@pytest.mark.parametrize("name,values", SETS, ids=IDS)
def test_output_is_deterministic_and_sorted(name, values):
    policy = generate(name, values)
    assert policy == generate(name, values)
    assert policy["Version"] == "2012-10-17"
    sids = [s["Sid"] for s in policy["Statement"]]
    assert len(sids) == len(set(sids))
    for s in policy["Statement"]:
        assert s["Action"] == sorted(set(s["Action"]))
        assert s["Resource"] == sorted(set(s["Resource"]))


def test_resource_scoping_follows_the_matrix():
    """Actions without working resource-level permissions sit on "*", the others on ARNs of their types."""
    m = load_matrix()
    for name, values in SETS:
        for s in generate(name, values)["Statement"]:
            for a in s["Action"]:
                action = m.action(a)
                if action is not None and not action.resource_level:  # None: a declared other service
                    assert s["Resource"] == ["*"], (name, a)


def test_guardrail_covers_exactly_the_actions_that_carry_the_recipients_key():
    """The Deny lists every action that carries ses:Recipients (a Deny on others would never fire)."""
    m = load_matrix()
    carrying = {a.full_name for a in m.actions.values() if "ses:Recipients" in a.condition_keys}
    policy = generate("recipient-guardrail", {"recipient-domain": "example.com"})
    for s in policy["Statement"][:2]:
        assert set(s["Action"]) == carrying
        assert s["Effect"] == "Deny"


def test_sending_authorization_grants_only_what_identity_policies_accept():
    m = load_matrix()
    allowed = set(m.quirks["sending-authorization-send-actions"]["allowed_actions"])
    policy = generate("sending-authorization", load_recipe("sending-authorization").examples[0])
    (statement,) = policy["Statement"]
    assert set(statement["Action"]) == allowed
    assert statement["Principal"] == {"AWS": ["arn:aws:iam::222233334444:root"]}
    assert statement["Resource"] == ["arn:aws:ses:us-east-1:111122223333:identity/example.com"]


def test_ci_policy_without_parameters_is_the_documented_idiom():
    policy = generate("ci-simulator-only")
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    send = by_sid["SendToMailboxSimulatorOnly"]
    assert send["Condition"]["ForAllValues:StringLike"] == {"ses:Recipients": ["*@simulator.amazonses.com"]}
    assert send["Condition"]["Null"] == {"ses:Recipients": "false"}
    every_action = {a for s in policy["Statement"] for a in s["Action"]}
    assert every_action == {"ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail"}
    # v2 bulk only on request: ses:SendBulkEmail never carries the recipients, so its grant has no condition
    with_bulk = {s["Sid"]: s for s in generate("ci-simulator-only", {"with-v2-bulk": True})["Statement"]}
    assert with_bulk["SendBulkV2RecipientsCheckedOnSendBulkTemplatedEmail"]["Action"] == ["ses:SendBulkEmail"]
    assert "Condition" not in with_bulk["SendBulkV2RecipientsCheckedOnSendBulkTemplatedEmail"]


def test_identity_addresses_cover_both_identity_arns():
    policy = generate("ci-simulator-only", {"from": "ci@example.com", "region": "eu-west-1", "account": "123456789012"})
    resources = policy["Statement"][0]["Resource"]
    assert "arn:aws:ses:eu-west-1:123456789012:identity/ci@example.com" in resources
    assert "arn:aws:ses:eu-west-1:123456789012:identity/example.com" in resources
    domain = generate("ci-simulator-only", {"from": "example.com"})["Statement"][0]["Resource"]
    assert {"arn:aws:ses:*:*:identity/example.com", "arn:aws:ses:*:*:identity/*@example.com"} <= set(domain)
