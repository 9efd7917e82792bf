"""The public API others build on: pinned names, sending derivation and authorization details."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import seslint.evaluate as ev
from seslint.cansend import can_send
from seslint.errors import InputError, UnknownNameError
from seslint.sendmodel import Send, plan

EX = Path(__file__).resolve().parents[2] / "examples"


def test_exported_members():
    assert sorted(ev.__all__) == sorted(["ALLOWED", "EXPLICIT_DENY", "IMPLICIT_DENY", "Hit", "PolicyCache", "Result",
                                         "Scenario", "evaluate", "load_auth_details",
                                         "load_scenario"])
    for name in ev.__all__:
        assert getattr(ev, name) is not None


def test_importing_a_submodule_loads_only_that_submodule():
    # The linter imports seslint.evaluate.operators on every run; the package must stay lazy.
    probe = ("import sys, seslint.evaluate.operators; "
             "print(sorted(m for m in sys.modules if m.startswith('seslint.evaluate')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert json.loads(out.replace("'", '"')) == ["seslint.evaluate", "seslint.evaluate.operators"]


def test_result_json_shape():
    scenario = json.loads((EX / "scenarios" / "app-sends.json").read_text())
    out = ev.evaluate(ev.load_scenario(scenario, "app-sends.json")).to_json()
    assert out["id"] == "app-sends-receipt" and out["decision"] == "allowed"
    assert out["matched"][0]["sid"] == "SendAsNoreply"


@pytest.mark.parametrize("api,content,template,expected", [
    ("v2", "simple", None, {"ses:SendEmail"}),
    ("v2", "raw", None, {"ses:SendRawEmail"}),
    ("smtp", "simple", None, {"ses:SendRawEmail"}),
    ("v2", "bulk", "t", {"ses:SendBulkEmail", "ses:SendBulkTemplatedEmail"}),
    ("v1", "template", "t", {"ses:SendTemplatedEmail"}),
    ("v2", "template", "t", {"ses:SendEmail", "ses:SendTemplatedEmail"}),
])
def test_plan_actions_from_the_matrix(api, content, template, expected):
    requests = plan(Send("a@example.com", "111122223333", to=("b@x.com",), api=api, content=content,
                         template=template)).requests
    assert {r.action for r in requests} == expected


def test_plan_resources_and_context():
    p = plan(Send("Shop <Noreply@Example.com>", "111122223333", to=("b@x.com",), cc=("c <c@y.com>",),
                  bcc=("d@z.com",), api="v2", content="bulk", template="welcome", configuration_set="cs",
                  region="eu-west-1"))
    assert {r.resource for r in p.requests} == {"arn:aws:ses:eu-west-1:111122223333:identity/Noreply@Example.com",
                                                "arn:aws:ses:eu-west-1:111122223333:identity/example.com",
                                                "arn:aws:ses:eu-west-1:111122223333:template/welcome",
                                                "arn:aws:ses:eu-west-1:111122223333:configuration-set/cs"}
    bulk = next(r for r in p.requests if r.action == "ses:SendBulkEmail")
    templated = next(r for r in p.requests if r.action == "ses:SendBulkTemplatedEmail")
    assert "ses:Recipients" not in bulk.context          # address keys only on SendBulkTemplatedEmail
    assert templated.context == {"ses:FromAddress": "Noreply@Example.com", "ses:FromDisplayName": "Shop",
                                 "ses:FeedbackAddress": "Noreply@Example.com",
                                 "ses:Recipients": ["b@x.com", "c@y.com", "d@z.com"], "ses:ApiVersion": "2",
                                 "aws:RequestedRegion": "eu-west-1", "aws:SecureTransport": "true"}
    assert [a.identity for _, alts in p.groups for a in alts] == ["Noreply@Example.com", "example.com"]


def test_planned_requests_are_scenario_requests():
    p = plan(Send("a@example.com", "111122223333", to=("b@x.com",)))
    for planned in p.requests:
        scenario = ev.load_scenario({"request": planned.scenario_request()}, "<plan>")
        assert scenario.request.action == planned.action and scenario.request.resource == planned.resource


def test_plan_smtp_is_api_version_2_and_cn_partition():
    requests = plan(Send("a@example.com", "111122223333", to=("b@x.com",), api="smtp", region="cn-north-1")).requests
    assert all(r.context["ses:ApiVersion"] == "2" for r in requests)
    assert requests[0].resource.startswith("arn:aws-cn:ses:cn-north-1:")


def test_v1_api_version_is_absent_and_tried_as_1():
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:*", "Resource": "*",
              "Condition": {"StringEquals": {"ses:ApiVersion": "1"}}}]}
    result = can_send([policy], sender="a@example.com", to=["b@x.com"], api="v1", account="111122223333")
    assert result.decision == "unknown"
    assert can_send([policy], sender="a@example.com", to=["b@x.com"], api="smtp",
                       account="111122223333").decision == "implicitDeny"


def test_can_send_with_sending_authorization_cross_account():
    identity = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}]}
    grant = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "444455556666"},
             "Action": "ses:SendEmail", "Resource": "arn:aws:ses:us-east-1:111122223333:identity/example.com"}]}
    kwargs = dict(sender="news@example.com", to=["r@x.com"], account="111122223333",
                  principal_arn="arn:aws:iam::444455556666:role/newsletter")
    denied = can_send([identity], **kwargs)
    assert not denied.allowed and "resource" in denied.requests[0].result.missing
    allowed_domain = can_send([identity], resource_policies={"example.com": [grant]}, **kwargs)
    by_identity = {r.alternative.identity: r.result.decision for r in allowed_domain.requests}
    assert by_identity == {"news@example.com": "implicitDeny", "example.com": "allowed"}
    assert allowed_domain.allowed


def test_auth_details_principals_and_policies():
    details = ev.load_auth_details(json.loads((EX / "auth-details.json").read_text()), "auth-details.json")
    assert [p.name for p in details.principals()] == ["ci", "alice", "app-sender"]
    ci = details.principal("ci")
    assert [d.pointer for d in ci.identity_policies] == ["/UserDetailList/0/UserPolicyList/0/PolicyDocument",
                                                         "/GroupDetailList/0/GroupPolicyList/0/PolicyDocument"]
    assert ci.identity_policies[1].value["Statement"][0]["Sid"] == "NoRawMime"   # URL-encoded document decoded
    app = details.principal("arn:aws:iam::111122223333:role/apps/app-sender")
    assert app.kind == "role" and app.account == "111122223333" and app.tags == {"app": "shop"}
    assert app.identity_policies[0].pointer == "/Policies/0/PolicyVersionList/0/Document"   # default version v2
    assert app.permission_boundary.pointer == "/Policies/1/PolicyVersionList/0/Document"
    with pytest.raises(UnknownNameError):
        details.principal("app-sendr")


def test_auth_details_missing_managed_policy_is_an_error():
    value = json.loads((EX / "auth-details.json").read_text())
    value["Policies"] = value["Policies"][1:]
    details = ev.load_auth_details(value, "ad.json")
    with pytest.raises(InputError, match="attached but not in the file"):
        details.principal("app-sender")


def test_auth_details_rejects_other_documents():
    with pytest.raises(InputError, match="get-account-authorization-details"):
        ev.load_auth_details({"Version": "2012-10-17"}, "x.json")


def test_parse_policy_model():
    from seslint.policy import parse_policy

    p = parse_policy({"Version": "2012-10-17", "Statement": {"Sid": "A", "Effect": "Deny", "NotAction": "ses:Get*",
                      "Resource": "*", "Principal": "*",
                      "Condition": {"ForAllValues:StringNotLikeIfExists": {"ses:Recipients": "*@x.com"}}}},
                     "f.json", "/p")
    s = p.statements[0]
    assert s.pointer == "/p/Statement" and s.not_actions == ("ses:Get*",) and s.principal == {"*": True}
    c = s.conditions[0]
    assert (c.pointer, c.base, c.set_op, c.if_exists, c.values) == (
        "/p/Statement/Condition/ForAllValues:StringNotLikeIfExists/ses:Recipients", "StringNotLike",
        "ForAllValues", True, ("*@x.com",))
