"""`seslint generate --from-code` and `seslint lint --code`, end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "examples" / "app"


def test_the_example_app_policy_is_current(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    run = cli("generate", "--from-code", "examples/app", "--account", "111122223333")
    assert run.code == 0, run.err
    assert run.out == (APP / "policy.json").read_text(), \
        "regenerate: seslint generate --from-code examples/app --account 111122223333 > examples/app/policy.json"
    assert "newsletter.py:7: From is computed at run time (brand.sender)" in run.err
    assert "4/4 proofs hold" in run.err


def test_explain_lists_each_call_site_with_its_requests(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    run = cli("generate", "--from-code", "examples/app", "--explain")
    assert run.code == 0
    assert "examples/app/app/mail.py:11: sesv2:SendEmail (raw) via boto3" in run.err
    assert "ses:SendRawEmail on arn:aws:ses:eu-west-1:*:configuration-set/receipts" in run.err
    assert "examples/app/app/mail.py:25: ses:UpdateAccountSendingEnabled via boto3" in run.err
    assert "proven: pinned:" in run.err


@pytest.mark.parametrize("fmt,marker", [("yaml", "Version: '2012-10-17'"), ("terraform", 'resource "aws_iam_policy"'),
                                        ("cloudformation", "AWS::IAM::ManagedPolicy")])
def test_formats(cli, fmt, marker):
    run = cli("generate", "--from-code", str(APP), "--format", fmt)
    assert run.code == 0 and marker in run.out


def test_v2_raw_is_send_raw_email_and_bulk_needs_both_actions(cli, tmp_path):
    (tmp_path / "a.py").write_text(
        "import boto3\nc = boto3.client('sesv2')\n"
        "c.send_email(FromEmailAddress='a@example.com', Content={'Raw': {'Data': b''}})\n"
        "c.send_bulk_email(FromEmailAddress='a@example.com', DefaultContent={'Template': {'TemplateName': 't'}},"
        " BulkEmailEntries=[])\n")
    run = cli("generate", "--from-code", str(tmp_path), "--region", "us-east-1", "--account", "111122223333")
    policy = json.loads(run.out)
    actions = {a for s in policy["Statement"] for a in s["Action"]}
    assert actions == {"ses:SendRawEmail", "ses:SendBulkEmail", "ses:SendBulkTemplatedEmail"}
    raw = next(s for s in policy["Statement"] if s["Action"] == ["ses:SendRawEmail"])
    assert raw["Condition"]["StringEquals"]["ses:FromAddress"] == ["a@example.com"]
    assert "arn:aws:ses:us-east-1:111122223333:identity/example.com" in raw["Resource"]


def test_govcloud_client_gives_the_aws_us_gov_partition(cli, tmp_path):
    (tmp_path / "a.py").write_text("import boto3\nc = boto3.client('ses', region_name='us-gov-west-1')\n"
                                   "c.send_email(Source='a@example.com', Destination={}, Message={})\n")
    policy = json.loads(cli("generate", "--from-code", str(tmp_path)).out)
    assert all(r.startswith("arn:aws-us-gov:ses:us-gov-west-1:") for s in policy["Statement"] for r in s["Resource"])


def test_no_ses_call_is_exit_3_with_one_line(cli, tmp_path):
    (tmp_path / "a.py").write_text("print('hello')\n")
    run = cli("generate", "--from-code", str(tmp_path))
    assert run.code == 3 and "no SES call found" in run.err and "Traceback" not in run.err


def test_a_missing_path_is_exit_3(cli, tmp_path):
    run = cli("generate", "--from-code", str(tmp_path / "nope"))
    assert run.code == 3 and "no such file or folder" in run.err


def test_explain_needs_from_code(cli):
    assert cli("generate", "--explain").code == 2


def test_lint_code_reports_what_the_policy_lacks_and_grants_beyond(cli, tmp_path):
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ses:SendEmail", "ses:DeleteIdentity"], "Resource": "*"}]}))
    run = cli("lint", "--format", "json", "--code", str(APP), str(policy))
    assert run.code == 1
    found = {(f["rule"], f["message"].split(" calls ")[0].rsplit("/", 1)[-1]) for f in json.loads(run.out)["findings"]
             if f["rule"] in ("SES062", "SES063")}
    assert ("SES062", "mail.py:11") in found and ("SES062", "mail.py:25") in found
    assert any(rule == "SES063" for rule, _ in found)


def test_lint_code_on_the_generated_policy_is_clean(cli):
    run = cli("lint", "--format", "json", "--fail-on", "warning", "--select", "SES062,SES063", "--code", str(APP),
              str(APP / "policy.json"))
    assert (run.code, json.loads(run.out)["findings"]) == (0, [])
