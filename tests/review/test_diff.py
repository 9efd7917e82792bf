"""`seslint diff OLD NEW` over every lint input: policies pair by where they live, the scope comes from
their ARNs, identical inputs are no change whatever their conditions, each line is printed once."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.conftest import invoke
from tests.review.conftest import ARN, only_to, policy, send

IPV6 = {"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}


def write(tmp_path, name, value):
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value, indent=2))
    return path


def diff(old, new, *flags):
    result = invoke("diff", old, new, *flags)
    return result.code, result.out


def test_identical_inputs_are_no_change_whatever_their_conditions(tmp_path):
    """Before: an IPv6 condition made diff of a file with itself exit 3, each UNKNOWN line printed twice."""
    p = write(tmp_path, "ip.json", policy(send(condition=IPV6)))
    code, out = diff(p, p)
    assert (code, out.strip()) == (0, "no change: both allow the same SES send requests")
    same = write(tmp_path, "same.json", policy(send(sid="Renamed", condition=IPV6)))   # a Sid changes nothing
    assert diff(p, same)[0] == 0


def test_each_undecided_line_is_printed_once(tmp_path):
    old = write(tmp_path, "old.json", policy(send(condition=IPV6)))
    new = write(tmp_path, "new.json", policy(send(condition=IPV6), send("More", resource=f"{ARN}:identity/other.org")))
    code, out = diff(old, new)
    lines = [line for line in out.splitlines() if "UNKNOWN" in line]
    assert code == 3 and lines and len(lines) == len(set(lines))
    assert all("IPv6" in line for line in lines)


def test_scope_comes_from_the_policies_arns(tmp_path):
    """Issue 21: account 999988887777 in eu-west-1; NEW drops the recipient condition. With the old
    defaults (111122223333, us-east-1) diff said no change."""
    arn = "arn:aws:ses:eu-west-1:999988887777:identity/example.com"
    old = write(tmp_path, "old.json", policy(send(resource=arn, condition=only_to("*@example.com"))))
    new = write(tmp_path, "new.json", policy(send(resource=arn)))
    code, out = diff(old, new, "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert {g["request"]["resource"].split(":")[3] for g in report["gained"]} == {"eu-west-1"}
    assert all(g["line"] and g["sid"] == "Send" and g["file"] == str(new) for g in report["gained"])
    assert report["lost"] == [] and report["unknown"] == []


def test_narrowing_is_lost_only(tmp_path):
    old = write(tmp_path, "old.json", policy(send()))
    new = write(tmp_path, "new.json", policy(send(condition=only_to("*@example.com"))))
    code, out = diff(old, new, "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["gained"] == [] and report["lost"]
    assert all(item["file"] == str(old) and item["line"] == 4 for item in report["lost"])


CFN = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: {bucket}
  Mailer:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{{Effect: Allow, Principal: {{Service: lambda.amazonaws.com}}, Action: sts:AssumeRole}}]
      Policies:
        - PolicyName: send
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Sid: Send
                Effect: Allow
                Action: ses:SendEmail
                Resource: !Sub "arn:aws:ses:${{AWS::Region}}:${{AWS::AccountId}}:identity/${{Domain}}"
{condition}
"""


GUARDED = only_to("*@example.com")


def cfn(bucket="a", condition=GUARDED):
    text = "\n".join("                " + line for line in yaml.safe_dump({"Condition": condition}).splitlines()) \
        if condition else ""
    return CFN.format(bucket=bucket, condition=text)


def test_cloudformation_pairs_by_logical_id_and_annotates_file_and_line(tmp_path):
    old = write(tmp_path, "old.yaml", cfn())
    assert diff(old, write(tmp_path, "edit.yaml", cfn(bucket="b")))[0] == 0   # an unrelated edit
    new = write(tmp_path, "new.yaml", cfn(condition=None))
    code, out = diff(old, new, "--format", "github")
    assert code == 1
    lines = out.splitlines()
    assert lines and all(line.startswith(f"::error file={new},line=17,") for line in lines)
    assert "Mailer/send" in out
    code, out = diff(old, new, "--format", "json")
    report = json.loads(out)
    assert {g["location"] for g in report["gained"]} == {"Mailer/send"}
    assert all(":identity/ref-domain" in g["request"]["resource"] for g in report["gained"])


def test_a_policy_that_appears_is_diffed_against_nothing(tmp_path):
    old = write(tmp_path, "old.yaml", cfn())
    template = yaml.safe_load(cfn().replace("!Sub ", ""))
    template["Resources"]["Extra"] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
        "PolicyDocument": policy(send("Templated", ["ses:SendTemplatedEmail"], "*"))}}
    new = write(tmp_path, "new.json", template)
    code, out = diff(old, new, "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert {(g["location"], g["status"]) for g in report["gained"]} == {("Extra", "added")}
    code, out = diff(new, old, "--format", "json")
    report = json.loads(out)
    assert code == 0 and {(g["location"], g["status"]) for g in report["lost"]} == {("Extra", "removed")}


def plan(*resources):
    return {"format_version": "1.2", "planned_values": {"root_module": {"resources": [
        {"address": address, "type": kind, "name": address.split(".")[1], "values": {"policy": json.dumps(doc)}}
        for address, kind, doc in resources]}}}


def test_terraform_pairs_by_address(tmp_path):
    a = ("aws_iam_policy.a", "aws_iam_policy", policy(send(condition=only_to("*@example.com"))))
    b = ("aws_iam_policy.b", "aws_iam_policy", policy(send("B", ["ses:SendTemplatedEmail"])))
    old = write(tmp_path, "old.json", plan(a, b))
    assert diff(old, write(tmp_path, "reordered.json", plan(b, a)))[0] == 0
    wider = ("aws_iam_policy.a", "aws_iam_policy", policy(send()))
    new = write(tmp_path, "new.json", plan(b, wider))
    code, out = diff(old, new, "--format", "json")
    report = json.loads(out)
    assert code == 1 and {g["location"] for g in report["gained"]} == {"aws_iam_policy.a"}
    line = [n for n, text in enumerate(new.read_text().splitlines(), 1) if '"policy"' in text][1]
    assert all(g["sid"] == "Send" and g["line"] == line for g in report["gained"])


def test_sending_authorization_policy_names_the_callers_it_gains(tmp_path):
    partner = {"AWS": "arn:aws:iam::444455556666:root"}
    doc = ("aws_ses_identity_policy.p", "aws_ses_identity_policy",
           policy(send("Partner", resource=f"{ARN}:identity/example.com", Principal=partner)))
    everyone = ("aws_ses_identity_policy.p", "aws_ses_identity_policy",
                policy(send("Partner", resource=f"{ARN}:identity/example.com", Principal={"AWS": "*"})))
    code, out = diff(write(tmp_path, "old.json", plan(doc)), write(tmp_path, "new.json", plan(everyone)),
                     "--format", "json")
    report = json.loads(out)
    assert code == 1
    gained_by = {g["principal"].split(":")[4] for g in report["gained"]}
    assert "444455556666" not in gained_by and {"111122223333", "210987654321"} <= gained_by


def test_authorization_details_pair_by_principal(tmp_path):
    base = json.loads((__import__("pathlib").Path(__file__).parents[2] / "examples" / "auth-details.json").read_text())
    old = write(tmp_path, "old.json", base)
    changed = json.loads(json.dumps(base))
    role = changed["RoleDetailList"][0]
    role.setdefault("RolePolicyList", []).append(
        {"PolicyName": "added", "PolicyDocument": policy(send("Added", ["ses:SendTemplatedEmail"], "*"))})
    changed["RoleDetailList"].reverse()   # order does not pair principals
    code, out = diff(old, write(tmp_path, "new.json", changed), "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert {g["location"] for g in report["gained"]} == {role["Arn"]}
    assert {g["sid"] for g in report["gained"]} == {"Added"}


def test_serverless_yml(tmp_path):
    def sls(resource):
        return yaml.safe_dump({"service": "mailer", "provider": {"name": "aws", "iam": {"role": {"statements": [
            {"Effect": "Allow", "Action": ["ses:SendEmail"], "Resource": resource}]}}}})
    old = write(tmp_path, "old.yml", sls(f"{ARN}:identity/example.com"))
    code, out = diff(old, write(tmp_path, "new.yml", sls("*")), "--format", "json")
    report = json.loads(out)
    assert code == 1 and {g["location"] for g in report["gained"]} == {"provider role"}


@pytest.mark.parametrize("content", ["{", "[]"])
def test_bad_input_is_one_line(tmp_path, content):
    bad = write(tmp_path, "bad.json", content)
    good = write(tmp_path, "good.json", policy(send()))
    result = invoke("diff", good, bad)
    assert result.code == 3 and "Traceback" not in result.output and str(bad) in result.err


def test_a_wildcard_across_segments(tmp_path):
    """`arn:aws:ses:*` matches every SES ARN (a * that ends its segment matches across colons)."""
    old = write(tmp_path, "old.json", policy(send(resource="arn:aws:ses:*")))
    new = write(tmp_path, "new.json", policy(send()))
    code, out = diff(old, new, "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["gained"] == [] and report["lost"]
