"""Correct SES idioms stay silent (nothing at warning or above); each broken twin is caught."""

import pytest

from tests.lint.conftest import write

ID = "arn:aws:ses:us-east-1:111122223333:identity/example.com"
SENDS = ["ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail"]


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


ALLOW_SEND = {"Sid": "Send", "Effect": "Allow", "Action": ["ses:SendEmail", "ses:SendRawEmail"], "Resource": ID}
IDIOMS = {
    "guardrail-deny-for-any-value": policy(ALLOW_SEND, {
        "Sid": "OnlyOurDomain", "Effect": "Deny", "Action": "ses:*", "Resource": "*",
        "Condition": {"ForAnyValue:StringNotLike": {"ses:Recipients": ["*@example.com", "*@*.example.com"]}}}),
    "guardrail-on-send-wildcard": policy(ALLOW_SEND, {
        "Sid": "OnlyOurDomain", "Effect": "Deny", "Action": "ses:Send*", "Resource": "*",
        "Condition": {"ForAnyValue:StringNotLike": {"ses:Recipients": ["*@example.com"]}}}),
    "for-all-values-with-null-guard": policy(dict(ALLOW_SEND, Condition={
        "ForAllValues:StringLike": {"ses:Recipients": ["*@simulator.amazonses.com"]},
        "Null": {"ses:Recipients": "false"}})),
    "from-address-on-every-send-action": policy({
        "Sid": "SendAsNoReply", "Effect": "Allow", "Action": SENDS,
        "Resource": [ID, "arn:aws:ses:us-east-1:111122223333:template/*"],
        "Condition": {"StringEquals": {"ses:FromAddress": "noreply@example.com"}}}),
    "identity-management-on-star": policy({
        "Sid": "ManageIdentities", "Effect": "Allow", "Resource": "*",
        "Action": ["ses:VerifyDomainIdentity", "ses:DeleteIdentity", "ses:GetIdentityVerificationAttributes"]}),
    "sending-authorization": {"Version": "2012-10-17", "Statement": [{
        "Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "444455556666"},
        "Action": ["ses:SendEmail", "ses:SendRawEmail"], "Resource": ID,
        "Condition": {"StringLike": {"ses:FromAddress": "*@example.com"}}}]},
    "delegated-templated-send": {"Version": "2012-10-17", "Statement": [{
        "Sid": "PartnerTemplates", "Effect": "Allow", "Principal": {"AWS": "444455556666"},
        "Action": ["ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail"], "Resource": ID}]},
    "aws-owned-reputation-policy-arn": policy({
        "Sid": "TenantReputation", "Effect": "Allow", "Action": "ses:UpdateReputationEntityPolicy",
        "Resource": ["arn:aws:ses:us-east-1:111122223333:tenant/shop/*", "arn:aws:ses:*:aws:reputation-policy/*"]}),
    "v2-bulk-send": policy({"Sid": "Bulk", "Effect": "Allow",
                            "Action": ["ses:SendBulkEmail", "ses:SendBulkTemplatedEmail"],
                            "Resource": [ID, "arn:aws:ses:us-east-1:111122223333:template/Newsletter"]}),
    "deny-both-twins": policy(ALLOW_SEND, {"Sid": "NoDeletes", "Effect": "Deny", "Resource": "*", "Action": [
        "ses:DeleteIdentity", "ses:DeleteEmailIdentity", "ses:DeleteVerifiedEmailAddress"]}),
}


@pytest.mark.parametrize("name", sorted(IDIOMS))
def test_correct_idiom_is_silent(name, tmp_path, lint_json):
    code, rules, findings = lint_json(write(tmp_path / f"{name}.json", IDIOMS[name]), "--fail-on", "warning")
    assert [f for f in findings if f["severity"] != "info"] == [], findings
    assert code == 0


@pytest.mark.parametrize("statement,rule", [
    ({"Effect": "Deny", "Action": SENDS, "Resource": "*",
      "Condition": {"ForAllValues:StringNotLike": {"ses:Recipients": ["*@example.com"]}}}, "SES034"),
    ({"Effect": "Deny", "Action": "ses:SendEmail", "Resource": "*",
      "Condition": {"ForAnyValue:StringNotLike": {"ses:Recipients": ["*@example.com"]}}}, "SES041"),
    ({"Effect": "Allow", "Action": "ses:*", "Resource": "*",
      "Condition": {"ForAllValues:StringLike": {"ses:Recipients": ["*@example.com"]}}}, "SES033"),
    ({"Effect": "Allow", "Action": "ses:SendEmail", "Resource": ID,
      "Condition": {"ForAllValues:StringLike": {"ses:Recipients": ["*@example.com*"]},
                    "Null": {"ses:Recipients": "false"}}}, "SES037"),
    ({"Effect": "Allow", "Action": "ses:SendEmail", "Resource": ID,
      "Condition": {"StringEquals": {"ses:ApiVersion": "3"}}}, "SES038"),
    ({"Effect": "Allow", "Action": "ses:SendBulkEmail", "Resource": ID,
      "Condition": {"StringLike": {"ses:FromAddress": "*@example.com"}}}, "SES029"),
    ({"Effect": "Deny", "Action": ["ses:SendEmail", "ses:SendRawEmail"], "NotResource": ID}, "SES044"),
])
def test_broken_twin_is_caught(statement, rule, tmp_path, lint_json):
    _, rules, _ = lint_json(write(tmp_path / "p.json", policy(ALLOW_SEND, statement)))
    assert rule in rules
