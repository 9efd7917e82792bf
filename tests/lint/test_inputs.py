"""Inputs: every container format yields its policies, and findings point into the original file."""

import json

import pytest

from tests.lint.conftest import write

SEND_STAR = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Send", "Effect": "Allow", "Action": "ses:Send*", "Resource": "*"}]}
DEAD = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "ses:DeleteIdentity", "Resource": "arn:aws:ses:us-east-1:111122223333:identity/x.com"}]}


def test_raw_policy_position_and_pointer(tmp_path, lint_json):
    path = write(tmp_path / "p.json", SEND_STAR)
    code, rules, findings = lint_json(path, "--fail-on", "warning")
    assert code == 1 and rules == {"SES024"}
    wildcard = next(f for f in findings if f["rule"] == "SES024")
    assert (wildcard["line"], wildcard["column"], wildcard["pointer"]) == (7, 17, "/Statement/0/Action")


def test_stdin(lint_json):
    code, rules, findings = lint_json("-", input=json.dumps(DEAD))
    assert code == 1 and "SES025" in rules and findings[0]["file"] == "<stdin>"


def test_directory_is_recursive_and_skips_non_policies(tmp_path, lint_json):
    write(tmp_path / "a" / "b" / "deep.json", DEAD)
    write(tmp_path / "package.json", {"name": "x", "version": "1.0.0"})
    write(tmp_path / "tsconfig.json", '{"compilerOptions": {},}')
    write(tmp_path / "notes.txt", "not json")
    write(tmp_path / "workflow.yml", "on: push\njobs: {}\n")
    code, rules, findings = lint_json(str(tmp_path))
    assert code == 1 and {f["file"] for f in findings} == {str(tmp_path / "a" / "b" / "deep.json")}


def test_named_non_policy_is_an_input_error(tmp_path, run_lint):
    code, out = run_lint(write(tmp_path / "package.json", {"name": "x"}))
    assert code == 3 and "not an IAM policy" in out


def test_skip_unrecognized_for_pre_commit(tmp_path, lint_json):
    code, rules, _ = lint_json(write(tmp_path / "package.json", {"name": "x"}),
                               write(tmp_path / "w.yml", "on: push\n"), "--skip-unrecognized")
    assert (code, rules) == (0, set())


def test_missing_path_is_an_input_error(tmp_path, run_lint):
    code, out = run_lint(str(tmp_path / "nope.json"))
    assert code == 3 and "no such file" in out


@pytest.mark.parametrize("text,line,column", [
    ('{"Version": "2012-10-17", "Statement": [],}', 1, 42),  # the trailing comma
    ('{"Version": "2012-10-17",\n "Statement": [{Effect: "Allow"}]}', 2, 17),
])
def test_invalid_json_is_a_finding_with_position(tmp_path, lint_json, text, line, column):
    code, rules, findings = lint_json(write(tmp_path / "p.json", text))
    assert code == 1 and rules == {"SES001"}
    assert (findings[0]["line"], findings[0]["column"]) == (line, column)


def test_duplicate_keys_point_at_the_repeated_member(tmp_path, lint_json):
    text = '{\n "Version": "2012-10-17",\n "Statement": [{"Effect": "Allow", "Effect": "Deny",\n  "Action": "ses:SendEmail", "Resource": "*"}]}'
    code, rules, findings = lint_json(write(tmp_path / "p.json", text))
    dup = next(f for f in findings if f["rule"] == "SES002")
    assert dup["pointer"] == "/Statement/0/Effect" and dup["line"] == 3


CFN_YAML = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: send
          PolicyDocument:
            Version: 2012-10-17
            Statement:
              - Effect: Allow
                Action: ses:DeleteIdentity
                Resource: !Sub "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${Domain}"
              - Effect: Allow
                Action: !If [IsProd, "ses:SendEmail", "ses:SendRawEmail"]
                Resource: !GetAtt Identity.Arn
  Config:
    Type: AWS::SES::ConfigurationSet
    Properties: {Name: x}
"""


def test_cloudformation_yaml_with_intrinsic_tags(tmp_path, lint_json):
    code, rules, findings = lint_json(write(tmp_path / "t.yaml", CFN_YAML), "--ignore", "SES043")
    # the trust policy (Principal, sts:AssumeRole) is not linted; the inline policy is
    assert rules == {"SES025"}
    f = next(f for f in findings if f["rule"] == "SES025")
    assert f["pointer"] == "/Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0/Action"
    assert (f["line"], f["column"]) == (18, 25)


def test_cloudformation_json_managed_policy(tmp_path, lint_json):
    template = {"Resources": {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": DEAD}},
                              "U": {"Type": "AWS::IAM::User", "Properties": {"Policies": [
                                  {"PolicyName": "x", "PolicyDocument": SEND_STAR}]}}}}
    code, rules, findings = lint_json(write(tmp_path / "t.template", template), "--fail-on", "never")
    assert code == 0 and {"SES025", "SES024"} <= rules
    assert {f["pointer"].split("/Statement")[0] for f in findings} == {
        "/Resources/P/Properties/PolicyDocument", "/Resources/U/Properties/Policies/0/PolicyDocument"}


def test_cloudformation_principal_in_identity_policy(tmp_path, lint_json):
    bad = {"Version": "2012-10-17", "Statement": [dict(SEND_STAR["Statement"][0], Principal="*")]}
    template = {"AWSTemplateFormatVersion": "2010-09-09",
                "Resources": {"P": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": bad}}}}
    _, rules, _ = lint_json(write(tmp_path / "t.json", template))
    assert "SES018" in rules  # the container fixes the type, whatever the content suggests


def _plan(*resources, top="planned_values"):
    return {"format_version": "1.2", top: {"root_module": {"resources": list(resources), "child_modules": []}}}


def test_terraform_plan_positions_inside_the_policy_string(tmp_path, lint_json):
    res = {"address": "aws_iam_policy.p", "type": "aws_iam_policy", "values": {"policy": json.dumps(DEAD)}}
    path = write(tmp_path / "plan.json", _plan(res))
    code, rules, findings = lint_json(path, "--ignore", "twin-not-allowed")
    assert rules == {"SES025"}
    f = next(f for f in findings if f["rule"] == "SES025")
    assert f["pointer"] == "/planned_values/root_module/resources/0/values/policy/Statement/0/Action"
    text = (tmp_path / "plan.json").read_text().splitlines()[f["line"] - 1]
    assert text[f["column"] - 1:].startswith('\\"ses:DeleteIdentity')


def test_terraform_ses_identity_policy_is_resource_based(tmp_path, lint_json):
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "arn:aws:ses:us-east-1:111122223333:identity/x.com"}]}
    res = {"address": "aws_ses_identity_policy.p", "type": "aws_ses_identity_policy",
           "values": {"policy": json.dumps(policy)}}
    _, rules, _ = lint_json(write(tmp_path / "plan.json", _plan(res, top="values")))
    assert rules == {"SES019"}


def test_authorization_details(tmp_path, lint_json):
    details = {"UserDetailList": [{"UserName": "ci", "UserPolicyList": [
        {"PolicyName": "send", "PolicyDocument": DEAD}]}],
               "RoleDetailList": [], "GroupDetailList": [],
               "Policies": [{"PolicyName": "AmazonSESFullAccess", "Arn": "arn:aws:iam::aws:policy/AmazonSESFullAccess",
                             "PolicyVersionList": [{"VersionId": "v1", "Document": SEND_STAR}]},
                            {"PolicyName": "mine", "Arn": "arn:aws:iam::111122223333:policy/mine",
                             "PolicyVersionList": [{"VersionId": "v2", "Document": SEND_STAR}]}],
               "IsTruncated": False}
    code, rules, findings = lint_json(write(tmp_path / "auth.json", details), "--fail-on", "never")
    assert {f["pointer"].split("/Statement")[0] for f in findings} == {
        "/UserDetailList/0/UserPolicyList/0/PolicyDocument", "/Policies/1/PolicyVersionList/0/Document"}


def test_policy_type_flag_forces_raw_policies(tmp_path, lint_json):
    path = write(tmp_path / "p.json", DEAD)
    assert "SES019" in lint_json(path, "--policy-type", "resource")[1]
    assert "SES019" not in lint_json(path)[1]
