"""`seslint can-send/simulate --role/--user` and `seslint audit --live` against a moto server,
and the same flows from an authorization-details file recorded from it."""

from __future__ import annotations

import json

import pytest

from .conftest import ACCOUNT, allow, deny

SIMULATOR_ONLY = allow(["ses:SendEmail", "ses:SendRawEmail"], **{
    "ForAllValues:StringLike": {"ses:Recipients": "*@simulator.amazonses.com"},
    "ForAnyValue:StringLike": {"ses:Recipients": "*@simulator.amazonses.com"}})


@pytest.fixture
def account(moto):
    """A small account: a CI role limited to the simulator, an app user with group policies and a
    boundary-limited role, plus the identity example.com with a sending authorization policy."""
    boundary = moto.policy("ses-boundary", allow("ses:Send*"), deny("ses:SendRawEmail"))
    moto.role("ci", attached=[moto.policy("ci-simulator-only", SIMULATOR_ONLY)])
    moto.role("bounded", inline=[(allow("ses:*"),)], boundary=boundary)
    moto.group("senders", attached=[moto.policy("send-anything", allow(["ses:SendEmail", "ses:SendRawEmail"]))])
    moto.user("app", groups=["senders"])
    moto.user("reader", inline=[(allow("ses:GetAccount"),)])
    moto.role("partner")
    partner_arn = f"arn:aws:iam::{ACCOUNT}:role/partner"
    moto.identity("example.com", partner=[{
        "Effect": "Allow", "Principal": {"AWS": partner_arn}, "Action": ["ses:SendEmail", "ses:SendRawEmail"],
        "Resource": f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/example.com"}])
    return moto


def can_send(cli, moto, *flags):
    """can-send out of the sandbox (moto has no SES v2 GetAccount)."""
    return cli("can-send", "--endpoint-url", moto.url, "--from", "noreply@example.com", "--no-sandbox", *flags)


def test_can_send_role_simulator_only(account, cli):
    assert can_send(cli, account, "--role", "ci", "--to", "success@simulator.amazonses.com").code == 0
    result = can_send(cli, account, "--role", "ci", "--to", "someone@example.net")
    assert result.code == 1
    assert result.output.startswith("DENIED")


def test_can_send_user_through_group(account, cli):
    result = can_send(cli, account, "--user", f"arn:aws:iam::{ACCOUNT}:user/app", "--to", "x@example.net",
                      "--format", "json")
    assert result.code == 0, result.output
    out = json.loads(result.out)
    assert out["allowed"] is True
    sources = {m["file"] for r in out["requests"] for m in r["matched"]}
    assert sources == {f"arn:aws:iam::{ACCOUNT}:policy/send-anything (v1)"}


def test_can_send_boundary_applies(account, cli):
    assert can_send(cli, account, "--role", "bounded", "--to", "x@example.net").code == 0
    result = can_send(cli, account, "--role", "bounded", "--to", "x@example.net", "--content", "raw", "--format", "json")
    assert result.code == 1
    out = json.loads(result.out)
    assert out["decision"] == "explicitDeny"
    assert {m["policy_type"] for r in out["requests"] for m in r["matched"] if m["effect"] == "Deny"} == {"boundary"}


def test_can_send_sending_authorization_policy(account, cli):
    """The partner role has no identity policy: the identity's own policy allows it (same account)."""
    result = can_send(cli, account, "--role", "partner", "--to", "x@example.net", "--format", "json")
    out = json.loads(result.out)
    assert out["allowed"] is True and "live: SES uses the verified identity example.com" in out["notes"]
    domain = next(r for r in out["requests"] if r["checks"] == "domain identity")
    assert domain["decision"] == "allowed"
    assert domain["matched"][0]["policy_type"] == "resource"
    assert "sending authorization policy 'partner'" in domain["matched"][0]["file"]


def test_simulate_role_with_identity_resource(account, cli):
    resource = f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/example.com"
    result = cli("simulate", "--endpoint-url", account.url, "--role", "partner", "--action", "ses:SendEmail",
                 "--resource", resource, "--format", "json")
    assert result.code == 0, result.output
    assert json.loads(result.out)["decision"] == "allowed"
    result = cli("simulate", "--endpoint-url", account.url, "--role", "bounded", "--action", "ses:SendRawEmail",
                 "--resource", resource)
    assert result.code == 1
    assert result.output.startswith("explicitDeny")


@pytest.mark.parametrize(("args", "message"), [
    (["can-send", "--from", "a@example.com", "--to", "b@example.com", "--role", "ghost"],
     f"seslint: error: unknown role 'ghost' in account {ACCOUNT}\n"),
    (["can-send", "--from", "a@example.com", "--to", "b@example.com", "--user", "ghost"],
     f"seslint: error: unknown user 'ghost' in account {ACCOUNT}\n"),
])
def test_unknown_principal_is_one_line_exit_3(account, args, message, cli):
    result = cli(*args, "--endpoint-url", account.url)
    assert result.code == 3
    assert result.err.splitlines()[0] == message.rstrip("\n")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [
    ["can-send", "--from", "a@example.com", "--to", "b@example.com", "--role", "ci", "--user", "app"],
    ["can-send", "--from", "a@example.com", "--to", "b@example.com", "--role", "ci", "--principal", "ci",
     "--auth-details", "x.json"],
    ["can-send", "--from", "a@example.com", "--to", "b@example.com", "--endpoint-url", "http://127.0.0.1:1",
     "--policy", "x.json"],
    ["simulate", "--scenario", "x.json", "--role", "ci"],
])
def test_usage_errors(aws_env, args, cli):
    assert cli(*args).code == 2


def test_access_denied_names_permission_on_the_command_line(stub, account, cli):
    stub.query_error("ListAttachedRolePolicies", "AccessDenied", status=403)
    result = cli("can-send", "--endpoint-url", stub.url, "--role", "ci", "--from", "a@example.com",
                 "--to", "success@simulator.amazonses.com")
    assert result.code == 3
    assert result.err.splitlines()[0] == (
        "seslint: error: access denied calling iam:ListAttachedRolePolicies: seslint needs "
        f"iam:ListAttachedRolePolicies on arn:aws:iam::{ACCOUNT}:role/ci")
    assert "seslint generate seslint-reader" in result.err.splitlines()[1]


# -- audit -------------------------------------------------------------------------------------

def verdicts(report) -> dict:
    return {p["name"]: p["verdict"] for p in report["principals"]}


EXPECTED = {"ci": "simulator-only", "bounded": "anyone", "app": "anyone", "reader": "none", "partner": "anyone"}


def test_audit_live(account, cli):
    result = cli("audit", "--live", "--endpoint-url", account.url, "--region", "us-east-1", "--format", "json")
    assert result.code == 1, result.output
    report = json.loads(result.out)
    assert verdicts(report) == EXPECTED
    assert report["source"] == f"aws account {ACCOUNT}"
    partner = next(p for p in report["principals"] if p["name"] == "partner")
    assert [s["policy_type"] for s in partner["statements"]] == ["resource"]
    assert report["notes"] == []


def test_audit_from_recorded_auth_details(account, tmp_path, cli):
    """The same account from a file (moto's get-account-authorization-details): the identity policy
    is not in the file, so the partner role has nothing and the report says so."""
    from seslint.aws import Connection, Reader

    path = tmp_path / "auth.json"
    path.write_text(json.dumps(Reader(Connection(endpoint_url=account.url)).authorization_details()))
    result = cli("audit", "--auth-details", str(path), "--format", "json")
    report = json.loads(result.out)
    assert verdicts(report) == {**EXPECTED, "partner": "none"}
    assert "sending authorization" in report["notes"][0]


def test_audit_live_access_denied(stub, account, cli):
    stub.query_error("GetAccountAuthorizationDetails", "AccessDenied", status=403)
    result = cli("audit", "--live", "--endpoint-url", stub.url)
    assert result.code == 3
    assert result.err.splitlines()[0] == ("seslint: error: access denied calling iam:GetAccountAuthorizationDetails:"
                                             " seslint needs iam:GetAccountAuthorizationDetails on *")


def test_can_send_identities_of_another_account(account, cli):
    result = can_send(cli, account, "--role", "ci", "--to", "success@simulator.amazonses.com", "--account", "999999999999")
    assert result.code == 3
    assert result.err.startswith("seslint: error: the SES identities are in account 999999999999, but the "
                                    f"credentials are for account {ACCOUNT}")


def test_can_send_profile_and_region(account, tmp_path, monkeypatch, cli):
    (tmp_path / "aws-credentials").write_text("[audit]\naws_access_key_id = a\naws_secret_access_key = b\n")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = can_send(cli, account, "--role", "partner", "--profile", "audit", "--region", "eu-west-1",
                      "--to", "x@example.net", "--format", "json")
    # example.com's policy lives in us-east-1: in eu-west-1 nothing grants the partner role
    assert result.code == 1, result.err
    assert all(r["resource"].startswith("arn:aws:ses:eu-west-1:") for r in json.loads(result.out)["requests"])


# -- live send facts: the sandbox status and the verified identity ----------------------------

def _can_send_live(cli, url, *flags):
    return cli("can-send", "--endpoint-url", url, "--from", "noreply@example.com", *flags)


def test_live_sandbox_status_is_read(stub, account, cli):
    stub.answer("GET /v2/email/account", 200, json.dumps({"ProductionAccessEnabled": False}),
                headers={"Content-Type": "application/json"})
    result = _can_send_live(cli, stub.url, "--user", "app", "--to", "x@example.net", "--format", "json")
    out = json.loads(result.out)
    assert "live: the account is in the SES sandbox in us-east-1" in out["notes"]
    assert any(r["checks"] == "recipient identity" for r in out["requests"])
    stub.answer("GET /v2/email/account", 200, json.dumps({"ProductionAccessEnabled": True}),
                headers={"Content-Type": "application/json"})
    result = _can_send_live(cli, stub.url, "--user", "app", "--to", "x@example.net", "--format", "json")
    assert not any(r["checks"] == "recipient identity" for r in json.loads(result.out)["requests"])


def test_live_sandbox_status_unreadable_is_evaluated_both_ways(stub, account, cli):
    stub.json_error("GET /v2/email/account", "NotImplemented", "not yet implemented", status=501, times=3)
    result = _can_send_live(cli, stub.url, "--role", "ci", "--to", "success@simulator.amazonses.com")
    assert result.code == 0, result.output
    assert "cannot tell whether the account is in the SES sandbox" in result.out
    assert "the same answer in and out of the sandbox: allowed" in result.out


def test_live_uses_the_verified_address_identity(account, cli):
    account.identity("noreply@example.com")
    result = can_send(cli, account, "--role", "partner", "--to", "x@example.net", "--format", "json")
    out = json.loads(result.out)
    assert "live: SES uses the verified identity noreply@example.com" in out["notes"]
    assert [r["resource"] for r in out["requests"]] == [f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/noreply@example.com"]
    assert result.code == 1   # the partner's grant is on example.com, which SES no longer checks


def test_live_delegated_sending_needs_the_owners_policy_file(account, tmp_path, cli):
    owner = "arn:aws:ses:us-east-1:999988887777:identity/example.com"
    result = can_send(cli, account, "--user", "app", "--to", "x@example.net", "--source-arn", owner)
    assert result.code == 2 and "--identity-policy FILE" in result.err
    grant = tmp_path / "grant.json"
    grant.write_text(json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "ses:SendEmail", "Resource": owner}]}))
    result = can_send(cli, account, "--user", "app", "--to", "x@example.net", "--source-arn", owner,
                      "--identity-policy", str(grant), "--format", "json")
    assert result.code == 0, result.out
    assert [r["resource"] for r in json.loads(result.out)["requests"]] == [owner]
