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
    assert data["advice"][0]["policy"] == {"Version": "2012-10-17", "Statement": [
        {"Sid": "AllowThisSend", "Effect": "Allow", "Action": "ses:SendEmail",
         "Resource": "arn:aws:ses:us-east-1:111122223333:identity/example.com"}]}   # a new policy for this send


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
    ["--from", "a@example.com", "--auth-details", str(EX / "auth-details.json")],  # no principal
])
def test_can_send_usage_errors(args, cli):
    code, _, _ = cli("can-send", *args)
    assert code == 2


def test_can_send_unknown_principal_is_exit_3(cli):
    code, _, _ = cli("can-send", "--auth-details", str(EX / "auth-details.json"), "--principal", "nobody",
                  "--from", "a@example.com", "--to", "b@example.com")
    assert code == 3


# -- the issue-12 table: address lists, the domain-only policy, SMTP and ApiVersion ------------

def _write(tmp_path, name, value):
    path = tmp_path / name
    path.write_text(json.dumps(value))
    return str(path)


DOMAIN_V2 = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["ses:SendEmail", "ses:SendRawEmail"],
    "Resource": "arn:aws:ses:us-east-1:111122223333:identity/example.com",
    "Condition": {"StringEquals": {"ses:ApiVersion": "2"}}}]}


def test_can_send_parses_the_whole_address_list(cli):
    code, out, _ = cli("can-send", "--policy", str(EX / "policies" / "ci-simulator-only.json"), "--account",
                    "111122223333", "--from", "ci@example.com", "--to",
                    "success@simulator.amazonses.com, someone@gmail.com", "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["allowed"] is False
    assert data["requests"][0]["context"]["ses:Recipients"] == ["success@simulator.amazonses.com", "someone@gmail.com"]


@pytest.mark.parametrize(("values", "expected"), [
    (["a@x.com, b@y.com"], ["a@x.com", "b@y.com"]),
    (["a@x.com; b@y.com", "c@z.com"], ["a@x.com", "b@y.com", "c@z.com"]),
    (['"Doe, Jane" <jane@x.com>, Bob <bob@y.com>'], ["jane@x.com", "bob@y.com"]),
    (["<a@x.com>"], ["a@x.com"]),
])
def test_address_lists(tmp_path, values, expected, cli):
    args = [a for v in values for a in ("--to", v)]
    code, out, _ = cli("can-send", "--policy", _write(tmp_path, "p.json", DOMAIN_V2), "--account", "111122223333",
                    "--from", "Shop <noreply@example.com>", *args, "--format", "json")
    data = json.loads(out)
    assert data["requests"][0]["context"]["ses:Recipients"] == expected
    assert data["requests"][0]["context"]["ses:FromDisplayName"] == "Shop"


@pytest.mark.parametrize("args", [
    ["--to", "a@x.com, not-an-address"], ["--to", "a@x.com,, b@@y.com"], ["--cc", "Group: a@x.com;"],
    ["--to", "a@x.com", "--from", "a@x.com, b@y.com"], ["--to", "a@x.com", "--identity", "other.com"],
    ["--to", "a@x.com", "--api", "v1", "--tracking-override", "open=DISABLED"],
    ["--to", "a@x.com", "--tracking-override", "open"], ["--to", "a@x.com", "--api", "smtp", "--endpoint-id", "e"],
    ["--to", "a@x.com", "--source-arn", "example.com"],
])
def test_can_send_bad_values_are_one_line_usage_errors(tmp_path, args, cli):
    base = ["--from", "noreply@example.com"] if "--from" not in args else []
    code, _, err = cli("can-send", "--policy", _write(tmp_path, "p.json", DOMAIN_V2), "--account", "111122223333",
                       *base, *args)
    assert code == 2, err
    assert "Traceback" not in err and err.lower().count("error") == 1


def test_domain_only_policy_is_allowed_and_says_for_which_identity(tmp_path, cli):
    policy = _write(tmp_path, "p.json", DOMAIN_V2)
    code, out, _ = cli("can-send", "--policy", policy, "--account", "111122223333", "--from", "noreply@example.com",
                    "--to", "a@gmail.com")
    assert code == 0 and out.startswith("ALLOWED")
    assert ("denied if noreply@example.com is verified on its own; allowed if example.com is the verified identity"
            in out)
    code, out, _ = cli("can-send", "--policy", policy, "--account", "111122223333", "--from", "noreply@example.com",
                    "--to", "a@gmail.com", "--identity", "noreply@example.com")
    assert code == 1


def test_smtp_answers_with_api_version_2(tmp_path, cli):
    code, out, _ = cli("can-send", "--policy", _write(tmp_path, "p.json", DOMAIN_V2), "--account", "111122223333",
                    "--from", "noreply@example.com", "--to", "a@gmail.com", "--api", "smtp", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["decision"] == "allowed"
    assert {a["identity"]: a["decision"] for a in data["alternatives"]} == {"noreply@example.com": "denied",
                                                                            "example.com": "allowed"}


def test_v1_says_api_version_is_absent(tmp_path, cli):
    code, out, _ = cli("can-send", "--policy", _write(tmp_path, "p.json", DOMAIN_V2), "--account", "111122223333",
                    "--from", "noreply@example.com", "--to", "a@gmail.com", "--api", "v1")
    assert code == 1 and "ses:ApiVersion is left absent for v1" in out


def test_undecided_key_is_exit_3(tmp_path, cli):
    tenant = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:Send*", "Resource": "*",
              "Condition": {"StringEquals": {"ses:TenantName": "acme"}}}]}
    code, out, _ = cli("can-send", "--policy", _write(tmp_path, "p.json", tenant), "--account", "111122223333",
                    "--from", "noreply@example.com", "--to", "a@gmail.com", "--content", "raw", "--tenant", "acme")
    assert code == 3 and out.startswith("UNKNOWN") and "ses:TenantName" in out


def test_delegated_sending_with_the_owners_policy(tmp_path, cli):
    grant = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "ses:SendEmail",
        "Resource": "arn:aws:ses:us-east-1:111122223333:identity/example.com"}]}
    own = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}]}
    args = ["can-send", "--policy", _write(tmp_path, "own.json", own), "--principal",
            "arn:aws:iam::444455556666:role/delegate", "--from", "noreply@example.com", "--to", "a@gmail.com",
            "--source-arn", "arn:aws:ses:us-east-1:111122223333:identity/example.com", "--configuration-set", "cs",
            "--format", "json"]
    code, out, _ = cli(*args)
    data = json.loads(out)
    assert code == 1 and any("identity owner's sending authorization policy must allow" in a["summary"] for a in data["advice"])
    code, out, _ = cli(*args, "--identity-policy", _write(tmp_path, "grant.json", grant))
    data = json.loads(out)
    assert code == 0
    assert [r["resource"] for r in data["requests"]] == [
        "arn:aws:ses:us-east-1:111122223333:identity/example.com",
        "arn:aws:ses:us-east-1:444455556666:configuration-set/cs"]   # the sender's own configuration set


def test_same_account_advice_names_the_identity_policy_as_optional(cli):
    code, out, _ = cli("can-send", "--auth-details", str(EX / "auth-details.json"), "--principal", "alice",
                    "--from", "noreply@example.com", "--to", "a@gmail.com", "--format", "json")
    advice = json.loads(out)["advice"]
    # no statement to extend and no limit to keep: a new statement for exactly this send, in alice's policy
    assert advice[0]["summary"].startswith("add a statement to ") and advice[0]["policy"]["Statement"][-1]["Sid"] == \
        "AllowThisSend"
    assert not any("must allow this principal" in a["summary"] for a in advice)


def test_can_send_takes_account_and_region_from_the_policies(cli):
    """app-sender.json names account 111122223333 in eu-west-1: without --account and --region, can-send asks
    there (and in the regions like none it names), not in a default that the policy never names."""
    code, out, _ = cli("can-send", "--policy", str(EX / "policies" / "app-sender.json"), "--from",
                       "noreply@example.com", "--to", "someone@example.com", "--configuration-set", "transactional",
                       "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["scope"]["accounts"] == ["111122223333"] and "eu-west-1" in data["scope"]["regions"]
    assert all(":eu-west-1:" in r["resource"] for r in data["requests"])


def test_sandbox_checks_each_recipient(cli):
    args = ["can-send", "--auth-details", str(EX / "auth-details.json"), "--principal", "app-sender",
            "--from", "noreply@example.com", "--to", "a@gmail.com, success@simulator.amazonses.com", "--format", "json"]
    code, out, _ = cli(*args, "--sandbox")
    roles = [r["checks"] for r in json.loads(out)["requests"]]
    assert roles.count("recipient identity") == 2            # a@gmail.com and gmail.com; the simulator is exempt
    code, out, _ = cli(*args, "--no-sandbox")
    assert "recipient identity" not in out


@pytest.mark.parametrize("extra,decision", [([], "allowed"), (["--resource-account", "111122223333"], "allowed"),
                                            (["--resource-account", "444455556666"], "implicitDeny")])
def test_resource_account_flag(tmp_path, extra, decision, cli):
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
        code, out, _ = cli(*args, *extra)
        result = json.loads(out.splitlines()[0] if "--scenarios" in args else out)
        assert result["decision"] == decision, args
        assert code == (0 if decision == "allowed" else 1)


def test_resource_account_flag_must_be_an_account_id(cli):
    code, _, _ = cli("simulate", "--action", "s3:GetObject", "--resource-account", "aws")
    assert code == 2
