"""Rules SES049-SES058 and the false alarms fixed in SES040, SES042, SES043 and SES045: one row per behaviour,
comparing the set of rule ids (and severities where a rule lowers its own)."""

import pytest

from tests.lint.conftest import write

ID = "arn:aws:ses:us-east-1:111122223333:identity/example.com"
ID2 = "arn:aws:ses:us-east-1:111122223333:identity/example.org"
SEND = ["ses:SendEmail", "ses:SendRawEmail"]
ALL_SENDS = ["ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail"]


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action=SEND, resource=ID, condition=None, principal=None, **extra):
    st = {"Effect": "Allow", "Action": action, "Resource": resource, **extra}
    if condition:
        st["Condition"] = condition
    if principal is not None:
        st["Principal"] = principal
    return st


def deny(action, condition=None, resource="*"):
    st = {"Effect": "Deny", "Action": action, "Resource": resource}
    if condition:
        st["Condition"] = condition
    return st


ORG = {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
SOURCE = {"StringEquals": {"aws:SourceAccount": "111122223333"}}
RECIPIENTS = {"ForAllValues:StringLike": {"ses:Recipients": "*@example.com"}, "Null": {"ses:Recipients": "false"}}

# (case id, policy, rule, fires)
CASES = [
    # SES049: open to everyone
    ("049-aws-star", policy(allow(principal={"AWS": "*"})), "SES049", True),
    ("049-bare-star", policy(allow(principal="*")), "SES049", True),
    ("049-account-star-arn", policy(allow(principal={"AWS": "arn:aws:iam::*:root"})), "SES049", True),
    ("049-org-condition", policy(allow(principal={"AWS": "*"}, condition=ORG)), "SES049", False),
    ("049-source-account", policy(allow(principal={"AWS": "*"}, condition=SOURCE)), "SES049", False),
    ("049-source-org-id", policy(allow(principal="*", condition={"StringEquals": {"aws:SourceOrgID": "o-abc"}})),
     "SES049", False),
    ("049-wildcard-org", policy(allow(principal="*", condition={"StringLike": {"aws:PrincipalOrgID": "o-*"}})),
     "SES049", True),
    ("049-if-exists-is-open", policy(allow(principal="*", condition={
        "StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}})), "SES049", True),
    ("049-negated-is-open", policy(allow(principal="*", condition={
        "StringNotEquals": {"aws:SourceAccount": "444455556666"}})), "SES049", True),
    ("049-address-condition-is-open", policy(allow(principal="*", condition={
        "StringLike": {"ses:FromAddress": "*@example.com"}})), "SES049", True),
    ("049-one-account", policy(allow(principal={"AWS": "444455556666"})), "SES049", False),
    # SES050: service principal without source condition
    ("050-cognito-bare", policy(allow(principal={"Service": "cognito-idp.amazonaws.com"})), "SES050", True),
    ("050-cognito-source", policy(allow(principal={"Service": "cognito-idp.amazonaws.com"}, condition=SOURCE)),
     "SES050", False),
    ("050-cognito-source-arn", policy(allow(principal={"Service": "cognito-idp.amazonaws.com"}, condition={
        "ArnLike": {"aws:SourceArn": "arn:aws:cognito-idp:us-east-1:111122223333:userpool/*"}})), "SES050", False),
    # SES051: service that never sends
    ("051-ec2", policy(allow(principal={"Service": "ec2.amazonaws.com"}, condition=SOURCE)), "SES051", True),
    ("051-cognito", policy(allow(principal={"Service": "cognito-idp.amazonaws.com"}, condition=SOURCE)),
     "SES051", False),
    ("051-ec2-not-sending", policy(allow(["ses:GetEmailIdentity"], principal={"Service": "ec2.amazonaws.com"},
                                         condition=SOURCE)), "SES051", False),
    # SES052: source keys on a grant to a role or user
    ("052-identity-policy", policy(allow(condition=SOURCE)), "SES052", True),
    ("052-role-principal", policy(allow(principal={"AWS": "arn:aws:iam::111122223333:role/app"},
                                        condition={"ArnEquals": {"aws:SourceArn": ID}})), "SES052", True),
    ("052-service-principal", policy(allow(principal={"Service": "cognito-idp.amazonaws.com"}, condition=SOURCE)),
     "SES052", False),
    ("052-star-principal", policy(allow(principal="*", condition=SOURCE)), "SES052", False),
    ("052-if-exists", policy(allow(condition={"StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}})),
     "SES052", False),
    # SES053: wildcard in StringEquals on address keys
    ("053-from", policy(allow(condition={"StringEquals": {"ses:FromAddress": "*@example.com"}})), "SES053", True),
    ("053-deny-not-equals", policy(allow(), deny(ALL_SENDS, {
        "ForAnyValue:StringNotEquals": {"ses:Recipients": ["*@example.com"]}})), "SES053", True),
    ("053-like-is-fine", policy(allow(condition={"StringLike": {"ses:FromAddress": "*@example.com"}})),
     "SES053", False),
    ("053-literal", policy(allow(condition={"StringEquals": {"ses:FromAddress": "noreply@example.com"}})),
     "SES053", False),
    ("053-display-name-not-an-address", policy(allow(condition={"StringEquals": {"ses:FromDisplayName": "*"}})),
     "SES053", False),
    # SES054: regular expressions in StringLike
    ("054-dot-star", policy(allow(condition={"StringLike": {"ses:FromAddress": "marketing+.*@example.com"}})),
     "SES054", True),
    ("054-escape", policy(allow(condition={"StringLike": {"ses:FromAddress": "*@example\\.com"}})), "SES054", True),
    ("054-anchors", policy(allow(condition={"StringLike": {"ses:FromAddress": "^noreply@example.com$"}})),
     "SES054", True),
    ("054-class", policy(allow(condition={"StringLike": {"ses:FromAddress": "user[0-9]@example.com"}})),
     "SES054", True),
    ("054-glob", policy(allow(condition={"StringLike": {"ses:FromAddress": "user?+*@example.com"}})),
     "SES054", False),
    ("054-equals-not-like", policy(allow(condition={"StringEquals": {"ses:FromDisplayName": "A.*"}})),
     "SES054", False),
    # SES055: IfExists on sender keys in an Allow
    ("055-display-name", policy(allow(condition={"StringEqualsIfExists": {"ses:FromDisplayName": "Shop"}})),
     "SES055", True),
    ("055-feedback", policy(allow(condition={"StringLikeIfExists": {"ses:FeedbackAddress": "*@example.com"}})),
     "SES055", True),
    ("055-deny-is-fine", policy(allow(), deny(ALL_SENDS, {"StringNotLikeIfExists": {
        "ses:FromAddress": "*@example.com"}})), "SES055", False),
    ("055-not-twice-with-036", policy(allow("ses:*", "*", {"StringLikeIfExists": {
        "ses:FromAddress": "*@example.com"}})), "SES055", False),
    # SES056: Allow + NotResource on sends; SES024 now also reports Allow + NotAction on "*"
    ("056-not-resource", policy({"Effect": "Allow", "Action": SEND, "NotResource": ID2}), "SES056", True),
    ("056-deny-is-044", policy(allow(), {"Effect": "Deny", "Action": SEND, "NotResource": ID}), "SES056", False),
    ("024-not-action-star", policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}), "SES024", True),
    ("024-not-action-scoped", policy({"Effect": "Allow", "NotAction": "ses:SendBounce", "Resource": ID}),
     "SES024", False),
    # SES057: ForAnyValue guardrail on a wildcard that covers actions without ses:Recipients
    ("057-send-star", policy(allow("ses:Send*", "*"), deny("ses:Send*", {
        "ForAnyValue:StringNotLike": {"ses:Recipients": "*@example.com"}})), "SES057", True),
    ("057-listed", policy(allow(ALL_SENDS, "*"), deny(ALL_SENDS, {
        "ForAnyValue:StringNotLike": {"ses:Recipients": "*@example.com"}})), "SES057", False),
    # SES058: case
    ("058-upper-prefix", policy(allow(["SES:SendEmail"])), "SES058", True),
    ("058-lower-name", policy(allow(["ses:sendrawemail"])), "SES058", True),
    ("058-key", policy(allow(condition={"StringLike": {"ses:fromaddress": "*@example.com"}})), "SES058", True),
    ("058-canonical", policy(allow(condition={"StringLike": {"ses:FromAddress": "*@example.com"}})),
     "SES058", False),
    # SES040: statements for other principals, From addresses or identities do not bypass each other
    ("040-bypass", policy(allow(["ses:SendEmail"], condition=RECIPIENTS), allow(["ses:SendRawEmail"])),
     "SES040", True),
    ("040-per-partner", policy(
        allow(principal={"AWS": "444455556666"}, condition={"StringLike": {"ses:FromAddress": "a@example.com"}}),
        allow(principal={"AWS": "777788889999"})), "SES040", False),
    ("040-same-partner", policy(
        allow(["ses:SendEmail"], principal={"AWS": "444455556666"}, condition=RECIPIENTS),
        allow(["ses:SendRawEmail"], principal={"AWS": "444455556666"})), "SES040", True),
    ("040-per-from-address", policy(
        allow(condition={"StringEquals": {"ses:FromAddress": "alerts@example.com"}, **RECIPIENTS}),
        allow(condition={"StringEquals": {"ses:FromAddress": "billing@example.com"}})), "SES040", False),
    ("040-per-from-domain", policy(
        allow(condition={"StringLike": {"ses:FromAddress": "*@a.example.com"}, **RECIPIENTS}),
        allow(condition={"StringLike": {"ses:FromAddress": "*@b.example.com"}})), "SES040", False),
    ("040-overlapping-from", policy(
        allow(condition={"StringLike": {"ses:FromAddress": "*@example.com"}, **RECIPIENTS}),
        allow(condition={"StringEquals": {"ses:FromAddress": "billing@example.com"}})), "SES040", True),
    ("040-per-identity", policy(allow(condition=RECIPIENTS), allow(resource=ID2)), "SES040", False),
    # SES042/SES043: a twin the policy treats the other way on purpose
    ("042-v2-only", policy(allow(["ses:CreateEmailIdentity"], "*"), deny(["ses:VerifyEmailIdentity"])),
     "SES042", False),
    ("042-gap", policy(allow("ses:*", "*"), deny(["ses:DeleteIdentity"])), "SES042", True),
    ("043-v2-only", policy(allow(["ses:CreateEmailIdentity"], "*"), deny(["ses:VerifyEmailIdentity"])),
     "SES043", False),
    ("042-hardening-reaches-nothing", policy(allow(SEND, "*"), deny(["ses:List*"])), "SES042", False),
    ("042-deny-only-guardrail", policy(deny(["ses:GetSendQuota", "ses:ListIdentities"])), "SES042", True),
    # SES050 leaves a service that never sends to SES051
    ("050-ec2-is-051", policy(allow(principal={"Service": "ec2.amazonaws.com"})), "SES050", False),
]


@pytest.mark.parametrize("case,document,rule,fires", CASES, ids=[c[0] for c in CASES])
def test_rule_table(case, document, rule, fires, tmp_path, lint_json):
    _, rules, findings = lint_json(write(tmp_path / "p.json", document))
    assert (rule in rules) is fires, findings


# SES045: the templated half only when a template is in play, and only as info
SEVERITY_CASES = [
    ("045-wildcard-resource-no-template", policy(allow(["ses:SendEmail"], "arn:aws:ses:us-east-1:111122223333:*")),
     None),
    ("045-template-arn", policy(allow(["ses:SendEmail"], [ID, "arn:aws:ses:us-east-1:111122223333:template/W"])),
     "info"),
    ("045-api-version-2", policy(allow(["ses:SendEmail"], ID, {"StringEquals": {"ses:ApiVersion": "2"}})), "info"),
    ("045-bulk", policy(allow(["ses:SendBulkEmail"], [ID, "arn:aws:ses:us-east-1:111122223333:template/W"])),
     "warning"),
    ("057-not-allowed-here", policy(allow(SEND), deny("ses:Send*", {
        "ForAnyValue:StringNotLike": {"ses:Recipients": "*@example.com"}})), "info"),
    # SES024: ses:* in a policy that grants SES alone is a stated full-access choice; next to a workload's
    # other services, or as a partial wildcard, it stays a warning
    ("024-full-access", policy(allow("ses:*", "*")), "info"),
    ("024-full-access-with-reads", policy(allow(["ses:*", "iam:ListAccountAliases"], "*")), "info"),
    ("024-workload", policy(allow(["logs:PutLogEvents", "s3:*", "ses:*"], "*")), "warning"),
    ("024-partial", policy(allow("ses:Send*", "*")), "warning"),
    # SES027: a missing identity ARN can be allowed by the identity's own policy; a missing template cannot
    ("027-identity", policy(allow(["ses:SendEmail"], "arn:aws:ses:us-east-1:111122223333:configuration-set/c")),
     "info"),
    ("027-template", policy(allow(["ses:SendTemplatedEmail"], ID)), "error"),
]


@pytest.mark.parametrize("case,document,severity", SEVERITY_CASES, ids=[c[0] for c in SEVERITY_CASES])
def test_rule_lowers_its_severity(case, document, severity, tmp_path, lint_json):
    rule = "SES" + case[:3]
    assert rule in {"SES024", "SES027", "SES045", "SES057"}
    _, _, findings = lint_json(write(tmp_path / "p.json", document))
    got = sorted({f["severity"] for f in findings if f["rule"] == rule})
    assert got == ([severity] if severity else []), findings


def test_config_severity_still_wins(tmp_path, lint_json):
    (tmp_path / ".seslint.toml").write_text('[severity]\nSES045 = "error"\n')
    path = write(tmp_path / "p.json", SEVERITY_CASES[1][1])
    _, _, findings = lint_json(path, "--config", str(tmp_path / ".seslint.toml"))
    assert {f["severity"] for f in findings if f["rule"] == "SES045"} == {"error"}
