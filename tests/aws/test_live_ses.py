"""Issue 26: live can-send answers what SES will do. The region chain of the AWS CLI, SES's own
refusals (identity not verified, sending paused, an unverified sandbox recipient: exit 5), the
sandbox evaluated both ways where an emulator cannot tell, and --cross-check with IAM's simulator."""

from __future__ import annotations

import json

import boto3
import pytest

from .conftest import ACCOUNT, allow

REJECTED = 5
SEND_ANY = allow(["ses:SendEmail", "ses:SendRawEmail"])


@pytest.fixture
def account(moto):
    """A sender role and user allowed every send, and example.com verified in us-east-1 only."""
    moto.role("sender", inline=[(SEND_ANY,)])
    moto.user("app", inline=[(SEND_ANY,)])
    moto.identity("example.com")
    return moto


def can_send(cli, url, *flags):
    return cli("can-send", "--endpoint-url", url, "--role", "sender", *flags)


def account_answer(stub, **fields):
    """SES v2 GetAccount, as AWS answers it."""
    stub.answer("GET /v2/email/account", 200, json.dumps(fields), headers={"Content-Type": "application/json"})


# -- the region chain ---------------------------------------------------------------------------

def _identity_in(moto, region, name="example.org"):
    boto3.client("sesv2", endpoint_url=moto.url, region_name=region).create_email_identity(EmailIdentity=name)


@pytest.mark.parametrize(("env", "flags", "region"), [
    ({"AWS_REGION": "eu-west-1"}, [], "eu-west-1"),
    ({"AWS_DEFAULT_REGION": "eu-central-1"}, [], "eu-central-1"),
    ({"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-central-1"}, [], "eu-west-1"),
    ({"AWS_REGION": "eu-west-1"}, ["--region", "ap-south-1"], "ap-south-1"),
    ({}, ["--profile", "far"], "ap-southeast-2"),
])
def test_can_send_follows_the_aws_cli_region_chain(account, monkeypatch, tmp_path, cli, env, flags, region):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    (tmp_path / "aws-config").write_text("[profile far]\nregion = ap-southeast-2\n")
    (tmp_path / "aws-credentials").write_text("[far]\naws_access_key_id = a\naws_secret_access_key = b\n")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    _identity_in(account, region)
    result = can_send(cli, account.url, "--from", "noreply@example.org", "--to", "success@simulator.amazonses.com",
                      "--no-sandbox", *flags, "--format", "json")
    assert result.code == 0, result.output
    out = json.loads(result.out)
    assert [r["resource"] for r in out["requests"]] == [f"arn:aws:ses:{region}:{ACCOUNT}:identity/example.org"]
    assert "live: SES uses the verified identity example.org" in out["notes"]


def test_audit_live_with_only_aws_region(account, monkeypatch, cli):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    result = cli("audit", "--live", "--endpoint-url", account.url, "--format", "json")
    assert result.code == 1, result.output   # the sender role may mail anyone
    assert {p["name"]: p["verdict"] for p in json.loads(result.out)["principals"]}["sender"] == "anyone"


def test_no_region_anywhere_says_where_to_set_one(account, monkeypatch, cli):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    result = cli("audit", "--live", "--endpoint-url", account.url)
    assert result.code == 3
    assert result.err.splitlines()[0] == "seslint: error: no aws region configured"
    assert "AWS_REGION or AWS_DEFAULT_REGION" in result.err


# -- SES's own refusals -------------------------------------------------------------------------

def test_unverified_from_is_rejected(account, cli):
    result = can_send(cli, account.url, "--from", "noreply@unverified.example", "--to", "x@example.com",
                      "--no-sandbox")
    assert result.code == REJECTED, result.output
    lines = result.out.splitlines()
    assert lines[0].startswith("REJECTED: sesv2:SendEmail (simple) from noreply@unverified.example")
    assert lines[1] == ("  rejected: identity not verified: none of noreply@unverified.example, unverified.example "
                        "is a verified SES identity in us-east-1")
    out = json.loads(can_send(cli, account.url, "--from", "noreply@unverified.example", "--to", "x@example.com",
                              "--no-sandbox", "--format", "json").out)
    assert (out["decision"], out["allowed"]) == ("rejected", False)


def test_pinned_identity_that_is_not_verified_is_rejected(account, cli):
    result = can_send(cli, account.url, "--from", "a@mail.example.com", "--identity", "mail.example.com",
                      "--to", "x@example.com", "--no-sandbox")
    assert result.code == REJECTED
    assert "rejected: identity not verified: mail.example.com is not a verified SES identity" in result.out


def test_iam_denial_comes_first(account, cli):
    """A principal IAM denies gets DENIED (exit 1), even when SES would also reject the send."""
    account.role("nothing")
    result = cli("can-send", "--endpoint-url", account.url, "--role", "nothing", "--from", "a@unverified.example",
                 "--to", "x@example.com", "--no-sandbox", "--format", "json")
    assert result.code == 1
    out = json.loads(result.out)
    assert out["decision"] == "implicitDeny" and out["rejected"][0].startswith("identity not verified")


def test_paused_sending_is_rejected(stub, account, cli):
    account_answer(stub, ProductionAccessEnabled=True, SendingEnabled=False)
    result = can_send(cli, stub.url, "--from", "noreply@example.com", "--to", "x@example.net")
    assert result.code == REJECTED, result.output
    assert (f"  rejected: sending paused: SES sending is disabled for account {ACCOUNT} in us-east-1 "
            "(GetAccount SendingEnabled is false)") in result.out.splitlines()


def test_sandbox_recipient_not_verified_is_rejected(stub, account, cli):
    account_answer(stub, ProductionAccessEnabled=False, SendingEnabled=True)
    result = can_send(cli, stub.url, "--from", "noreply@example.com", "--to", "x@example.net")
    assert result.code == REJECTED, result.output
    assert ("  rejected: recipient not verified: x@example.net is not a verified SES identity, and the account is "
            "in the SES sandbox in us-east-1") in result.out.splitlines()
    account_answer(stub, ProductionAccessEnabled=False, SendingEnabled=True)
    result = can_send(cli, stub.url, "--from", "noreply@example.com", "--to", "team@example.com",
                      "--to", "success@simulator.amazonses.com")
    assert result.code == 0, result.output   # a verified domain's address, and the mailbox simulator


def test_sandbox_recipient_out_of_the_sandbox_is_fine(stub, account, cli):
    account_answer(stub, ProductionAccessEnabled=True, SendingEnabled=True)
    result = can_send(cli, stub.url, "--from", "noreply@example.com", "--to", "x@example.net")
    assert result.code == 0, result.output
    assert "note: live: the account is out of the SES sandbox in us-east-1" in result.out


# -- an emulator that cannot tell the sandbox status (moto: no SES v2 GetAccount) ---------------

def test_sandbox_unknown_same_answer_both_ways(account, cli):
    result = can_send(cli, account.url, "--from", "noreply@example.com", "--to", "success@simulator.amazonses.com")
    assert result.code == 0, result.output
    assert "cannot tell whether the account is in the SES sandbox" in result.out
    assert "note: the same answer in and out of the sandbox: allowed" in result.out
    assert "<" not in result.output   # no emulator HTML


def test_sandbox_unknown_different_answers_is_unknown(account, cli):
    result = can_send(cli, account.url, "--from", "noreply@example.com", "--to", "x@example.net", "--format", "json")
    assert result.code == 3, result.output
    out = json.loads(result.out)
    assert out["decision"] == "unknown"
    assert out["readings"] == {"in the sandbox": "rejected", "out of the sandbox": "allowed"}
    assert any(n.startswith("the answer depends on the sandbox: in the sandbox: rejected; out of the sandbox: "
                            "allowed; recipient not verified: x@example.net") for n in out["notes"])
    assert "<" not in result.out and "html" not in result.out.lower()


def test_emulator_html_never_reaches_the_message(stub, account, cli):
    stub.answer("ListEmailIdentities", 500, "<!doctype html><html><title>500</title></html>", times=3,
                headers={"Content-Type": "text/html"})
    result = can_send(cli, stub.url, "--from", "noreply@example.com", "--to", "x@example.net", "--no-sandbox")
    assert result.code == 3, result.output
    assert len(result.err.splitlines()) == 1 and "<" not in result.err
    assert "does not implement it" in result.err


# -- --cross-check: IAM's own simulator ---------------------------------------------------------

SIMULATED = ('<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
             '<SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults><member>'
             '<EvalActionName>ses:SendEmail</EvalActionName><EvalResourceName>{resource}</EvalResourceName>'
             '<EvalDecision>{decision}</EvalDecision><MatchedStatements/><MissingContextValues/>'
             '</member></EvaluationResults></SimulatePrincipalPolicyResult>'
             '<ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>')
IDENTITY = f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/example.com"


def _simulated(stub, decision):
    stub.answer("SimulatePrincipalPolicy", 200, SIMULATED.format(resource=IDENTITY, decision=decision))


def test_cross_check_agrees(stub, account, cli):
    _simulated(stub, "allowed")
    result = can_send(cli, stub.url, "--from", "noreply@example.com", "--to", "x@example.net", "--no-sandbox",
                      "--cross-check")
    assert result.code == 0, result.output
    assert "cross-check: IAM's SimulatePrincipalPolicy agrees on all 1 requests" in result.out
    assert stub.seen.count("SimulatePrincipalPolicy") == 1


def test_cross_check_disagreement_shows_both_answers(stub, account, cli):
    _simulated(stub, "implicitDeny")
    result = can_send(cli, stub.url, "--from", "noreply@example.com", "--to", "x@example.net", "--no-sandbox",
                      "--cross-check", "--format", "json")
    assert result.code == 3, result.output
    assert json.loads(result.out)["cross_check"] == [{
        "action": "ses:SendEmail", "resource": IDENTITY, "checks": "domain identity", "seslint": "allowed",
        "iam": "implicitDeny", "agree": False}]
    _simulated(stub, "implicitDeny")
    text = can_send(cli, stub.url, "--from", "noreply@example.com", "--to", "x@example.net", "--no-sandbox",
                    "--cross-check").out
    assert (f"cross-check: DISAGREE on ses:SendEmail on {IDENTITY}: seslint says allowed, IAM's "
            "SimulatePrincipalPolicy says implicitDeny") in text.splitlines()


def test_cross_check_cannot_speak_for_a_role_and_an_identity_policy(stub, moto, cli):
    moto.role("partner")
    moto.identity("example.com", partner=[{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/partner"}, "Action": "ses:SendEmail",
        "Resource": IDENTITY}])
    result = cli("can-send", "--endpoint-url", stub.url, "--role", "partner", "--from", "noreply@example.com",
                 "--to", "x@example.net", "--no-sandbox", "--cross-check")
    assert result.code == 0, result.output
    assert (f"cross-check: IAM's simulator cannot speak for ses:SendEmail on {IDENTITY}: IAM's simulator evaluates "
            "a resource-based policy only with an IAM user as the caller") in result.out
    assert "SimulatePrincipalPolicy" not in stub.seen


def test_cross_check_needs_a_live_principal(cli, tmp_path):
    policy = tmp_path / "p.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [SEND_ANY]}))
    result = cli("can-send", "--policy", str(policy), "--account", ACCOUNT, "--from", "a@example.com",
                 "--to", "b@example.com", "--cross-check")
    assert result.code == 2 and "--cross-check needs --role or --user" in result.err
