"""rules/aws-managed-policies.json (issue 26): the AWS managed policies that grant ses: actions, as
seslint/maintenance/managed_policies.py takes them from the pinned moto, and lint, can-send and audit
evaluating them where a template or an authorization-details file only names them."""

from __future__ import annotations

import json

import pytest

from seslint import data
from seslint.maintenance import managed_policies as M
from seslint.managed import bundled, find

moto = pytest.importorskip("moto")


def test_generated_file_matches_the_pinned_moto():
    assert data.load(M.OUTPUT) == M.current()
    assert data.load(M.OUTPUT)["source"]["package_version"] == moto.__version__


def test_the_ses_policies_are_there_with_version_and_date():
    full, read_only = bundled()["AmazonSESFullAccess"], bundled()["AmazonSESReadOnlyAccess"]
    assert full.arn == "arn:aws:iam::aws:policy/AmazonSESFullAccess" and full.version.startswith("v")
    assert full.document["Statement"] == [{"Action": ["ses:*"], "Effect": "Allow", "Resource": "*"}]
    assert read_only.updated[:4].isdigit()
    assert {"AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess"} <= set(bundled())
    assert "AmazonS3ReadOnlyAccess" not in bundled()


@pytest.mark.parametrize("text,name", [
    ("arn:aws:iam::aws:policy/AmazonSESFullAccess", "AmazonSESFullAccess"),
    ("arn:${AWS::Partition}:iam::aws:policy/AmazonSESFullAccess", "AmazonSESFullAccess"),
    ("arn:aws-us-gov:iam::aws:policy/AmazonSESReadOnlyAccess", "AmazonSESReadOnlyAccess"),
    ("AmazonSESFullAccess", "AmazonSESFullAccess"),
    ("arn:aws:iam::111122223333:policy/AmazonSESFullAccess", None),   # a customer's policy of that name
    ("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", None),
])
def test_find(text, name):
    found = find(text)
    assert (found.name if found else None) == name


def test_build_keeps_ses_grants_and_only_their_ses_part():
    statement = {"Effect": "Allow", "Action": ["s3:GetObject", "ses:SendEmail", "sqs:*"], "Resource": "*"}
    raw = {"Mail": {"DefaultVersionId": "v3", "CreateDate": "2020-01-01", "UpdateDate": "2024-05-06", "Path": "/",
                    "Document": {"Version": "2012-10-17", "Statement": [
                        statement, {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                        {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}]}},
           "Queues": {"DefaultVersionId": "v1", "Path": "/", "Document": {"Version": "2012-10-17", "Statement": [
               {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}},
           "Denies": {"DefaultVersionId": "v1", "Path": "/", "Document": {"Version": "2012-10-17", "Statement": [
               {"Effect": "Deny", "Action": "ses:*", "Resource": "*"}]}}}
    built = M.build(raw, "0.0.0")
    assert list(built["policies"]) == ["Mail"]
    mail = built["policies"]["Mail"]
    assert (mail["arn"], mail["version"], mail["updated"], mail["statements"]) == (
        "arn:aws:iam::aws:policy/Mail", "v3", "2024-05-06", 3)
    assert mail["document"]["Statement"] == [{**statement, "Action": ["ses:SendEmail"]},
                                             {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}]


def test_the_ses_part_decides_every_ses_action_as_the_whole_policy():
    """Trimming keeps every decision on ses: requests: each kept policy against moto's whole document."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    from seslint.evaluate import evaluate, load_scenario
    from seslint.matrix import load_matrix

    whole = json.loads(aws_managed_policies_data)
    actions = sorted(a.full_name for a in load_matrix().actions.values())
    for name, policy in bundled().items():
        for action in actions:
            decisions = {evaluate(load_scenario({"identity_policies": [doc], "request": {
                "action": action, "resource": "*"}}, name)).decision
                for doc in (policy.document, whole[name]["Document"])}
            assert len(decisions) == 1, (name, action)


# -- used by lint, can-send and audit --------------------------------------------------------------

ROLE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Mailer:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      ManagedPolicyArns:
        - !Sub "arn:${AWS::Partition}:iam::aws:policy/AmazonSESFullAccess"
        - arn:aws:iam::aws:policy/AmazonSESReadOnlyAccess
"""


def test_lint_reads_an_attached_aws_managed_policy(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "stack.yaml").write_text(ROLE)
    quiet = cli("lint", "--fail-on", "info", "stack.yaml")
    assert (quiet.code, quiet.out) == (0, "checked 1 file, 0 policies: no findings\n")   # AWS's policy: no SES059
    (tmp_path / ".seslint.toml").write_text('[[never-granted]]\nactions = ["ses:PutIdentityPolicy"]\n'
                                            'reason = "platform team only"\n')
    result = cli("lint", "stack.yaml")
    assert result.code == 1
    version = bundled()["AmazonSESFullAccess"]
    assert result.out.splitlines()[0] == (
        "stack.yaml:8:11: SES069 error never-granted 1 (platform team only): this policy grants "
        f"ses:PutIdentityPolicy on * [arn:aws:iam::aws:policy/AmazonSESFullAccess ({version.version} of "
        f"{version.updated[:10]}, bundled)]")


AUTH = {"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": [
    {"RoleName": name, "Arn": f"arn:aws:iam::111122223333:role/{name}", "RolePolicyList": [],
     "AttachedManagedPolicies": [{"PolicyName": policy, "PolicyArn": f"arn:aws:iam::aws:policy/{policy}"}]}
    for name, policy in (("mailer", "AmazonSESFullAccess"), ("reader", "AmazonSESReadOnlyAccess"))]}


def test_can_send_and_audit_evaluate_aws_managed_policies_a_file_leaves_out(tmp_path, cli):
    path = tmp_path / "auth.json"
    path.write_text(json.dumps(AUTH))
    sent = cli("can-send", "--auth-details", path, "--principal", "mailer", "--from", "a@example.com",
               "--to", "b@example.net", "--format", "json")
    assert sent.code == 0, sent.output
    assert {m["file"] for r in json.loads(sent.out)["requests"] for m in r["matched"]} == {
        bundled()["AmazonSESFullAccess"].label}
    assert cli("can-send", "--auth-details", path, "--principal", "reader", "--from", "a@example.com",
               "--to", "b@example.net").code == 1
    report = json.loads(cli("audit", "--auth-details", path, "--format", "json").out)
    assert {p["name"]: p["verdict"] for p in report["principals"]} == {"mailer": "anyone", "reader": "none"}
