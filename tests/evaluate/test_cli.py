"""simulate and can-send through click's CliRunner, on the files in examples/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from seslint.cli import main

ROOT = Path(__file__).resolve().parents[2]
EX = ROOT / "examples"


def run(*args, input=None):
    """Run the real entry point (error mapping included); return (exit code, stdout)."""
    with CliRunner().isolation(input=input) as streams:
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code
        return code, streams[0].getvalue().decode()


@pytest.mark.parametrize("name,code", [("app-sends.json", 0), ("ci-mixed-recipients.json", 1),
                                       ("cross-account-delegate.json", 0)])
def test_example_scenarios(name, code):
    got, out = run("simulate", "--scenario", str(EX / "scenarios" / name), "--format", "json")
    assert got == code
    assert json.loads(out)["decision"] == ("allowed" if code == 0 else "implicitDeny")


def test_batch_example_streams_one_result_per_line():
    code, out = run("simulate", "--scenarios", str(EX / "scenarios" / "batch.jsonl"), "--format", "json")
    lines = [json.loads(x) for x in out.splitlines()]
    assert code == 1
    assert [x["id"] for x in lines][:3] == ["ci-simulator", "ci-bounce-raw", "ci-real-inbox"]
    assert {x["id"]: x["decision"] for x in lines}["ci-no-recipients"] == "implicitDeny"


def test_batch_bad_line_yields_error_and_the_rest_go_on(tmp_path):
    good = json.loads((EX / "scenarios" / "batch.jsonl").read_text().splitlines()[0])
    bad_operator = dict(good, id="bad-op", identity_policies=[{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEqualz": {"a:b": "c"}}}]}])
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join([json.dumps(good), "{not json", json.dumps(bad_operator), json.dumps(good), ""]))
    code, out = run("simulate", "--scenarios", str(path), "--format", "json")
    lines = [json.loads(x) for x in out.splitlines()]
    assert code == 3
    assert [("decision" in x, "error" in x) for x in lines] == [(True, False), (False, True), (False, True), (True, False)]
    assert lines[1]["error"].startswith(f"{path}:2")
    assert lines[2]["id"] == "bad-op" and f"{path}:3:1 at /identity_policies/0/Statement/0/Condition" in lines[2]["error"]
    assert "unknown condition operator 'StringEqualz'" in lines[2]["error"]


def test_simulate_flags_and_explain():
    code, out = run("simulate", "--policy", str(EX / "policies" / "ci-simulator-only.json"),
                    "--action", "ses:SendEmail", "--resource", "arn:aws:ses:us-east-1:111122223333:identity/example.com",
                    "--context", "ses:Recipients=success@simulator.amazonses.com",
                    "--context", "ses:Recipients=x@gmail.com", "--explain")
    assert code == 1
    assert "ForAllValues:StringLike ses:Recipients" in out and "fails" in out


def test_simulate_flags_empty_set_and_json_explain():
    code, out = run("simulate", "--policy", str(EX / "policies" / "ci-simulator-only.json"),
                    "--action", "ses:SendEmail", "--resource", "arn:aws:ses:us-east-1:111122223333:identity/example.com",
                    "--context", "ses:Recipients=[]", "--explain", "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["decision"] == "implicitDeny"
    conditions = data["explain"][0]["statements"][0]["conditions"]
    assert [c["holds"] for c in conditions] == [True, False]  # ForAllValues on [] holds; Null: [] is null


def test_simulate_needs_one_input():
    code, _ = run("simulate")
    assert code == 2


def test_simulate_bad_scenario_file_is_exit_3(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"request": {"action": "ses:SendEmail", "context": {"aws:SecureTransport": "true"}},
                                "identity_policies": [{"Version": "2012-10-17", "Statement": [
                                    {"Effect": "Allow", "Action": "*", "Resource": "*",
                                     "Condition": {"Bool": {"aws:SecureTransport": "yes"}}}]}]}))
    code, _ = run("simulate", "--scenario", str(path))
    assert code == 3


def test_can_send_policy_files():
    code, out = run("can-send", "--policy", str(EX / "policies" / "app-sender.json"), "--account", "111122223333",
                    "--region", "eu-west-1", "--from", "Shop <noreply@example.com>", "--to", "a@gmail.com", "--configuration-set", "transactional")
    assert code == 0 and out.startswith("ALLOWED")


def test_can_send_denied_names_request_statement_and_fix():
    code, out = run("can-send", "--policy", str(EX / "policies" / "ci-simulator-only.json"), "--account",
                    "111122223333", "--from", "ci@example.com", "--to", "success@simulator.amazonses.com",
                    "--cc", "boss@gmail.com")
    assert code == 1
    assert "DENIED" in out
    assert "implicitDeny ses:SendEmail on arn:aws:ses:us-east-1:111122223333:identity/example.com" in out
    assert "Sid 'SendToTheMailboxSimulatorOnly'" in out and "ci-simulator-only.json at /Statement/0" in out
    assert "to allow it:" in out


def test_can_send_auth_details_json():
    code, out = run("can-send", "--auth-details", str(EX / "auth-details.json"), "--principal", "app-sender",
                    "--from", "noreply@example.com", "--to", "a@gmail.com", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["allowed"] is True
    assert [r["checks"] for r in data["requests"]] == ["address identity", "domain identity"]
    assert all(r["decision"] == "allowed" for r in data["requests"])


def test_can_send_auth_details_principal_without_policies_is_denied():
    # alice has no inline, group or attached policies: evaluated like anyone else, implicitly denied
    code, out = run("can-send", "--auth-details", str(EX / "auth-details.json"), "--principal", "alice",
                    "--from", "noreply@example.com", "--to", "a@gmail.com", "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["allowed"] is False and data["decision"] == "implicitDeny"
    assert [r["decision"] for r in data["requests"]] == ["implicitDeny", "implicitDeny"]
    assert any("add to an identity-based policy" in a for a in data["advice"])


def test_can_send_boundary_from_auth_details_limits():
    code, out = run("can-send", "--auth-details", str(EX / "auth-details.json"), "--principal",
                    "arn:aws:iam::111122223333:role/apps/app-sender", "--from", "noreply@example.com",
                    "--to", "a@gmail.com", "--api", "v1", "--content", "template", "--template", "welcome")
    assert code == 1   # the managed policy does not allow ses:SendTemplatedEmail


def test_can_send_smtp_group_deny():
    code, out = run("can-send", "--auth-details", str(EX / "auth-details.json"), "--principal", "ci",
                    "--from", "ci@example.com", "--to", "success@simulator.amazonses.com", "--api", "smtp")
    assert code == 1 and "explicitDeny" in out and "NoRawMime" in out


@pytest.mark.parametrize("args", [
    ["--from", "a@example.com", "--to", "b@example.com"],                       # no policy
    ["--from", "a@example.com", "--to", "b@example.com", "--policy", str(EX / "policies" / "app-sender.json")],  # no account
    ["--from", "a@example.com", "--auth-details", str(EX / "auth-details.json")],  # no principal
])
def test_can_send_usage_errors(args):
    code, _ = run("can-send", *args)
    assert code == 2


def test_can_send_unknown_principal_is_exit_3():
    code, _ = run("can-send", "--auth-details", str(EX / "auth-details.json"), "--principal", "nobody",
                  "--from", "a@example.com", "--to", "b@example.com")
    assert code == 3


@pytest.mark.parametrize("extra,decision", [([], "allowed"), (["--resource-account", "111122223333"], "allowed"),
                                            (["--resource-account", "444455556666"], "implicitDeny")])
def test_resource_account_flag(tmp_path, extra, decision):
    """An S3 ARN has no account: the caller's is assumed unless --resource-account names another."""
    policy = tmp_path / "p.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    flags = ["simulate", "--policy", str(policy), "--principal", "arn:aws:iam::111122223333:user/a",
             "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k", "--format", "json"]
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps({"principal": {"arn": "arn:aws:iam::111122223333:user/a"},
                                    "identity_policies": [json.loads(policy.read_text())],
                                    "request": {"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}}))
    for args in (flags, ["simulate", "--scenario", str(scenario), "--format", "json"],
                 ["simulate", "--scenarios", str(scenario), "--format", "json"]):
        code, out = run(*args, *extra)
        result = json.loads(out.splitlines()[0] if "--scenarios" in args else out)
        assert result["decision"] == decision, args
        assert code == (0 if decision == "allowed" else 1)


def test_resource_account_flag_must_be_an_account_id():
    code, _ = run("simulate", "--action", "s3:GetObject", "--resource-account", "aws")
    assert code == 2
