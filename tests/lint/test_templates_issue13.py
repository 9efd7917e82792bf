"""Every place a policy hides: SAM Policies and policy templates, Fn::If branches, Serverless Framework,
Terraform sesv2 identity policies, YAML on stdin, and SES059 for what cannot be read."""

import json

import pytest

from tests.lint.conftest import write

ID = "arn:aws:ses:us-east-1:111122223333:identity/example.com"
HEAD = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n"


def sam(policies: str, kind="AWS::Serverless::Function") -> str:
    return HEAD + f"Resources:\n  Mailer:\n    Type: {kind}\n    Properties:\n      Handler: index.handler\n" \
                  f"      Policies:\n{policies}"


def by_rule(findings, rule):
    return [f for f in findings if f["rule"] == rule]


def test_sam_crud_policy_template_has_dead_resource_level_grants(tmp_path, lint_json):
    code, rules, findings = lint_json(write(tmp_path / "t.yaml", sam(
        "        - SESCrudPolicy:\n            IdentityName: example.com\n")))
    dead = by_rule(findings, "SES025")
    assert code == 1 and {f["message"].split("'")[1] for f in dead} == {
        "ses:GetIdentityVerificationAttributes", "ses:VerifyEmailIdentity"}
    assert all("[SAM policy template SESCrudPolicy]" in f["message"] for f in dead)
    assert {f["pointer"] for f in dead} == {"/Resources/Mailer/Properties/Policies/0"}
    assert {f["line"] for f in dead} == {9} and "SES008" not in rules


@pytest.mark.parametrize("template", ["SESBulkTemplatedCrudPolicy_v2", "SESEmailTemplateCrudPolicy"])
def test_sam_templates_without_dead_grants_pass(template, tmp_path, lint_json):
    params = "{}" if template == "SESEmailTemplateCrudPolicy" else "{IdentityName: example.com, TemplateName: W}"
    code, _, findings = lint_json(write(tmp_path / "t.yaml", sam(f"        - {template}: {params}\n")))
    assert [f for f in findings if f["severity"] == "error"] == []


def test_sam_inline_statements_and_state_machine(tmp_path, lint_json):
    text = sam("        - Version: '2012-10-17'\n          Statement:\n            - Effect: Allow\n"
               "              Action: ses:SendEmails\n              Resource: '*'\n", "AWS::Serverless::StateMachine")
    _, _, findings = lint_json(write(tmp_path / "t.yaml", text))
    [typo] = by_rule(findings, "SES021")
    assert typo["pointer"] == "/Resources/Mailer/Properties/Policies/0/Statement/0/Action"
    assert typo["line"] == 12


@pytest.mark.parametrize("item,note", [
    ("AmazonSESFuturePolicy", "AmazonSESFuturePolicy"),   # an AWS managed SES policy seslint does not bundle
    ("SESFuturePolicy: {IdentityName: x}", "SESFuturePolicy"),
    ("!ImportValue SesSendPolicy", "Fn::ImportValue"),
])
def test_sam_policies_seslint_cannot_read_are_reported(item, note, tmp_path, lint_json):
    code, rules, findings = lint_json(write(tmp_path / "t.yaml", sam(f"        - {item}\n")))
    [unread] = by_rule(findings, "SES059")
    assert note in unread["message"] and unread["severity"] == "info" and unread["line"] == 9
    assert code == 0  # info only: fails with --fail-on info


@pytest.mark.parametrize("item", ["AWSLambdaBasicExecutionRole", "S3ReadPolicy: {BucketName: b}",
                                  # bundled AWS managed policies are read (issue 26): nothing unread to report
                                  "AmazonSESFullAccess", "arn:aws:iam::aws:policy/AmazonSESReadOnlyAccess"])
def test_sam_policies_without_ses_stay_silent(item, tmp_path, lint_json):
    code, rules, _ = lint_json(write(tmp_path / "t.yaml", sam(f"        - {item}\n")))
    assert code == 0 and rules == set()


IF_RESOURCE = sam("""        - Version: '2012-10-17'
          Statement:
            - Effect: Allow
              Action: [ses:SendEmail, ses:SendEmails]
              Resource: !If
                - IsProd
                - arn:aws:ses:us-east-1:111122223333:identity/example.com
                - arn:aws:ses:us-east-1:111122223333:identit/example.com
""")


def test_fn_if_both_branches_linted_and_named(tmp_path, lint_json):
    code, _, findings = lint_json(write(tmp_path / "t.yaml", IF_RESOURCE))
    [bad_arn] = by_rule(findings, "SES017")
    assert bad_arn["message"].endswith("[when 'IsProd' is false]")
    assert bad_arn["pointer"].endswith("/Statement/0/Resource/Fn::If/2") and bad_arn["line"] == 16
    [typo] = by_rule(findings, "SES021")  # in both branches: reported once, without a branch
    assert "[when" not in typo["message"]
    assert code == 1


def test_fn_if_around_a_role_policy_and_no_value(tmp_path, lint_json):
    text = HEAD + """Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      Policies:
        - !If
          - IsProd
          - PolicyName: send
            PolicyDocument:
              Version: '2012-10-17'
              Statement:
                - !If [HasTypo, {Effect: Allow, Action: ses:SendEmails, Resource: '*'}, !Ref AWS::NoValue]
                - Effect: Allow
                  Action: ses:SendEmail
                  Resource: arn:aws:ses:us-east-1:111122223333:identit/example.com
          - !Ref AWS::NoValue
"""
    code, _, findings = lint_json(write(tmp_path / "t.yaml", text))
    [typo] = by_rule(findings, "SES021")
    assert typo["message"].endswith("[when 'IsProd' is true, when 'HasTypo' is true]")
    assert typo["pointer"] == ("/Resources/Role/Properties/Policies/0/Fn::If/1/PolicyDocument/Statement/0/Fn::If/1"
                               "/Action")
    [bad_arn] = by_rule(findings, "SES017")  # same in both HasTypo branches, so only the outer branch is named
    assert bad_arn["message"].endswith("[when 'IsProd' is true]")
    assert bad_arn["pointer"].endswith("/PolicyDocument/Statement/1/Resource") and bad_arn["line"] == 18


def test_serverless_framework_statements(tmp_path, lint_json):
    text = """service: mailer
provider:
  name: aws
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [ses:SendEmails]
          Resource: '*'
  iamRoleStatements:
    - Effect: Allow
      Action: ses:SendEmail
      Resource: arn:aws:ses:us-east-1:111122223333:identit/example.com
"""
    code, rules, findings = lint_json(write(tmp_path / "serverless.yml", text))
    assert [(f["rule"], f["pointer"], f["line"]) for f in findings if f["rule"] in ("SES021", "SES017")] == [
        ("SES021", "/provider/iam/role/statements/0/Action/0", 8),
        ("SES017", "/provider/iamRoleStatements/0/Resource", 13)]
    assert "SES008" not in rules


def test_serverless_framework_cloudformation_resources(tmp_path, lint_json):
    text = ("service: mailer\nprovider: {name: aws}\nresources:\n  Resources:\n    P:\n"
            "      Type: AWS::IAM::ManagedPolicy\n      Properties:\n        PolicyDocument:\n"
            "          Version: '2012-10-17'\n          Statement: [{Effect: Allow, Action: ses:SendEmails, "
            "Resource: '*'}]\n")
    _, rules, findings = lint_json(write(tmp_path / "serverless.yml", text))
    assert by_rule(findings, "SES021")[0]["pointer"].startswith("/resources/Resources/P/Properties/PolicyDocument")


def plan(resource_type, policy):
    return {"format_version": "1.2", "planned_values": {"root_module": {"resources": [
        {"address": f"{resource_type}.example", "type": resource_type, "values": {"policy": json.dumps(policy)}}]}}}


def test_terraform_sesv2_identity_policy_open_to_everyone_names_the_address(tmp_path, lint_json):
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                   "Action": ["ses:SendEmail"], "Resource": ID}]}
    code, rules, findings = lint_json(write(tmp_path / "plan.json", plan("aws_sesv2_email_identity_policy", doc)))
    [open_] = by_rule(findings, "SES049")
    assert code == 1 and open_["message"].endswith("[aws_sesv2_email_identity_policy.example]")


def test_terraform_identity_policy_findings_name_the_address(tmp_path, lint_json):
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:SendEmails", "Resource": "*"}]}
    _, _, findings = lint_json(write(tmp_path / "plan.json", plan("aws_iam_policy", doc)))
    assert all(f["message"].endswith("[aws_iam_policy.example]") for f in findings) and findings


def test_yaml_on_stdin(lint_json):
    code, rules, findings = lint_json("-", input=IF_RESOURCE)
    assert code == 1 and {"SES017", "SES021"} <= rules and findings[0]["file"] == "<stdin>"


@pytest.mark.parametrize("resource,fires", [
    ("  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n"
     "      ManagedPolicyArns: [arn:aws:iam::aws:policy/AmazonSESFuturePolicy]\n", True),
    ("  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n"   # bundled: read
     "      ManagedPolicyArns: [arn:aws:iam::aws:policy/AmazonSESFullAccess]\n", False),
    ("  R:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: !ImportValue SesSend\n", True),
    ("  R:\n    Type: AWS::SSO::PermissionSet\n    Properties:\n      InlinePolicy:\n        Statement:\n"
     "          - {Effect: Allow, Action: 'ses:SendEmail', Resource: '*'}\n", True),
    ("  R:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: !ImportValue SharedS3\n", False),
    ("  R:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: bounces\n", False),
])
def test_cloudformation_places_seslint_cannot_read(resource, fires, tmp_path, lint_json):
    code, rules, findings = lint_json(write(tmp_path / "t.yaml", "Resources:\n" + resource))
    assert ("SES059" in rules) is fires and code == 0


def test_cloudformation_service_control_policy_is_read(tmp_path, lint_json):
    text = ("Resources:\n  Guard:\n    Type: AWS::Organizations::Policy\n    Properties:\n"
            "      Type: SERVICE_CONTROL_POLICY\n      Content:\n        Version: '2012-10-17'\n"
            "        Statement:\n          - Effect: Deny\n            Action: ses:SendEmail\n"
            "            Resource: '*'\n            Condition:\n              ForAllValues:StringNotLike:\n"
            "                ses:Recipients: ['*@example.com']\n")
    _, rules, findings = lint_json(write(tmp_path / "scp.yaml", text))
    assert "SES034" in rules and "SES059" not in rules
    assert by_rule(findings, "SES034")[0]["pointer"].startswith("/Resources/Guard/Properties/Content/Statement/0")


@pytest.mark.parametrize("resource,warns", [
    ("!Sub 'arn:aws:ses:${AWS::Region}:${AWS::AccountId}:identity/example.com'", False),
    ("!Sub 'arn:aws:ses:${AWS::Region}:${AWS::AccountId}:identity/${!aws:username}.example.com'", True),
])
def test_sam_inline_policy_without_version_warns_only_with_policy_variables(resource, warns, tmp_path, lint_json):
    text = sam(f"        - Statement:\n            - Effect: Allow\n              Action: ses:SendEmail\n"
               f"              Resource: {resource}\n")
    _, rules, _ = lint_json(write(tmp_path / "t.yaml", text))
    assert ("SES008" in rules or "SES010" in rules) is warns


def test_serverless_statement_dropped_by_fn_if_keeps_the_others_in_place(tmp_path, lint_json):
    text = """service: mailer
provider:
  name: aws
  iam:
    role:
      statements:
        - !If [HasExtra, {Effect: Allow, Action: ses:SendEmail, Resource: '*'}, !Ref AWS::NoValue]
        - Effect: Allow
          Action: ses:SendEmails
          Resource: '*'
"""
    _, _, findings = lint_json(write(tmp_path / "serverless.yml", text))
    [typo] = by_rule(findings, "SES021")
    assert typo["pointer"] == "/provider/iam/role/statements/1/Action" and typo["line"] == 9
