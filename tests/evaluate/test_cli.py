"""simulate and can-send through the cli fixture, on the files in examples/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EX = ROOT / "examples"


@pytest.mark.parametrize("name,code", [("app-sends.json", 0), ("ci-mixed-recipients.json", 1),
                                       ("cross-account-delegate.json", 0)])
def test_example_scenarios(name, code, cli):
    got, out, _ = cli("simulate", "--scenario", str(EX / "scenarios" / name), "--format", "json")
    assert got == code
    assert json.loads(out)["decision"] == ("allowed" if code == 0 else "implicitDeny")


def test_batch_example_streams_one_result_per_line(cli):
    code, out, _ = cli("simulate", "--scenarios", str(EX / "scenarios" / "batch.jsonl"), "--format", "json")
    lines = [json.loads(x) for x in out.splitlines()]
    assert code == 1
    assert [x["id"] for x in lines][:3] == ["ci-simulator", "ci-bounce-raw", "ci-real-inbox"]
    assert {x["id"]: x["decision"] for x in lines}["ci-no-recipients"] == "implicitDeny"


def test_batch_bad_line_yields_error_and_the_rest_go_on(tmp_path, cli):
    good = json.loads((EX / "scenarios" / "batch.jsonl").read_text().splitlines()[0])
    bad_operator = dict(good, id="bad-op", identity_policies=[{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEqualz": {"a:b": "c"}}}]}])
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join([json.dumps(good), "{not json", json.dumps(bad_operator), json.dumps(good), ""]))
    code, out, _ = cli("simulate", "--scenarios", str(path), "--format", "json")
    lines = [json.loads(x) for x in out.splitlines()]
    assert code == 3
    assert [("decision" in x, "error" in x) for x in lines] == [(True, False), (False, True), (False, True), (True, False)]
    assert lines[1]["error"].startswith(f"{path}:2")
    assert lines[2]["id"] == "bad-op" and f"{path}:3:1 at /identity_policies/0/Statement/0/Condition" in lines[2]["error"]
    assert "unknown condition operator 'StringEqualz'" in lines[2]["error"]


def test_simulate_flags_and_explain(cli):
    code, out, _ = cli("simulate", "--policy", str(EX / "policies" / "ci-simulator-only.json"),
                    "--action", "ses:SendEmail", "--resource", "arn:aws:ses:us-east-1:111122223333:identity/example.com",
                    "--context", "ses:Recipients=success@simulator.amazonses.com",
                    "--context", "ses:Recipients=x@gmail.com", "--explain")
    assert code == 1
    assert "ForAllValues:StringLike ses:Recipients" in out and "fails" in out


def test_simulate_flags_empty_set_and_json_explain(cli):
    code, out, _ = cli("simulate", "--policy", str(EX / "policies" / "ci-simulator-only.json"),
                    "--action", "ses:SendEmail", "--resource", "arn:aws:ses:us-east-1:111122223333:identity/example.com",
                    "--context", "ses:Recipients=[]", "--explain", "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["decision"] == "implicitDeny"
    conditions = data["explain"][0]["statements"][0]["conditions"]
    assert [c["holds"] for c in conditions] == [True, False]  # ForAllValues on [] holds; Null: [] is null


def test_simulate_needs_one_input(cli):
    code, _, _ = cli("simulate")
    assert code == 2


def test_simulate_bad_scenario_file_is_exit_3(tmp_path, cli):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"request": {"action": "ses:SendEmail", "context": {"aws:SecureTransport": "true"}},
                                "identity_policies": [{"Version": "2012-10-17", "Statement": [
                                    {"Effect": "Allow", "Action": "*", "Resource": "*",
                                     "Condition": {"Bool": {"aws:SecureTransport": "yes"}}}]}]}))
    code, _, _ = cli("simulate", "--scenario", str(path))
    assert code == 3


def test_can_send_policy_files(cli):
    code, out, _ = cli("can-send", "--policy", str(EX / "policies" / "app-sender.json"), "--account", "111122223333",
                    "--region", "eu-west-1", "--from", "Shop <noreply@example.com>", "--to", "a@gmail.com", "--configuration-set", "transactional")
    assert code == 0 and out.startswith("ALLOWED")


def test_can_send_denied_names_request_statement_and_fix(cli):
    code, out, _ = cli("can-send", "--policy", str(EX / "policies" / "ci-simulator-only.json"), "--account",
                    "111122223333", "--from", "ci@example.com", "--to", "success@simulator.amazonses.com",
                    "--cc", "boss@gmail.com")
    assert code == 1
    assert "DENIED" in out
    assert "implicitDeny ses:SendEmail on arn:aws:ses:us-east-1:111122223333:identity/example.com" in out
    assert "Sid 'SendToTheMailboxSimulatorOnly'" in out and "ci-simulator-only.json at /Statement/0" in out
    assert "to allow it:" in out


def test_can_send_auth_details_json(cli):
    code, out, _ = cli("can-send", "--auth-details", str(EX / "auth-details.json"), "--principal", "app-sender",
                    "--from", "noreply@example.com", "--to", "a@gmail.com", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["allowed"] is True
    assert [r["checks"] for r in data["requests"]] == ["address identity", "domain identity"]
    assert all(r["decision"] == "allowed" for r in data["requests"])


def test_can_send_auth_details_principal_without_policies_is_denied(cli):
    # alice has no inline, group or attached policies: evaluated like anyone else, implicitly denied
    code, out, _ = cli("can-send", "--auth-details", str(EX / "auth-details.json"), "--principal", "alice",
                    "--from", "noreply@example.com", "--to", "a@gmail.com", "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["allowed"] is False and data["decision"] == "implicitDeny"
    assert [r["decision"] for r in data["requests"]] == ["implicitDeny", "implicitDeny"]
    assert any("add to an identity-based policy" in a for a in data["advice"])


def test_can_send_boundary_from_auth_details_limits(cli):
    code, out, _ = cli("can-send", "--auth-details", str(EX / "auth-details.json"), "--principal",
                    "arn:aws:iam::111122223333:role/apps/app-sender", "--from", "noreply@example.com",
                    "--to", "a@gmail.com", "--api", "v1", "--content", "template", "--template", "welcome")
    assert code == 1   # the managed policy does not allow ses:SendTemplatedEmail


def test_can_send_smtp_group_deny(cli):
    code, out, _ = cli("can-send", "--auth-details", str(EX / "auth-details.json"), "--principal", "ci",
                    "--from", "ci@example.com", "--to", "success@simulator.amazonses.com", "--api", "smtp")
    assert code == 1 and "explicitDeny" in out and "NoRawMime" in out


@pytest.mark.parametrize("args", [
    ["--from", "a@example.com", "--to", "b@example.com"],                       # no policy
    ["--from", "a@example.com", "--to", "b@example.com", "--policy", str(EX / "policies" / "app-sender.json")],  # no account
    ["--from", "a@example.com", "--auth-details", str(EX / "auth-details.json")],  # no principal
])
def test_can_send_usage_errors(args, cli):
    code, _, _ = cli("can-send", *args)
    assert code == 2


def test_can_send_unknown_principal_is_exit_3(cli):
    code, _, _ = cli("can-send", "--auth-details", str(EX / "auth-details.json"), "--principal", "nobody",
                  "--from", "a@example.com", "--to", "b@example.com")
    assert code == 3
