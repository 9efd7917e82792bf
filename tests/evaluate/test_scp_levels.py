"""`--scp FILE,FILE`: several policies attached at one organization level (FullAWSAccess and a
guardrail at the same OU), for simulate, can-send, prove and diff alike; can-send's --boundary."""

from __future__ import annotations

import json

import pytest

from tests.conftest import invoke

ACCOUNT = "111122223333"
SENDS = ["ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail",
         "ses:SendBulkEmail", "ses:SendCustomVerificationEmail"]
FULL = {"Version": "2012-10-17", "Statement": [{"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*",
                                                "Resource": "*"}]}
GUARDRAIL = {"Version": "2012-10-17", "Statement": [
    {"Sid": "RecipientsAtExampleCom", "Effect": "Deny", "Action": SENDS, "Resource": "*",
     "Condition": {"ForAnyValue:StringNotLike": {"ses:Recipients": "*@example.com"}}}]}
SEND_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:*", "Resource": "*"}]}
ONLY_V2 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}]}


@pytest.fixture
def files(tmp_path):
    out = {}
    for name, doc in (("full", FULL), ("guardrail", GUARDRAIL), ("send-all", SEND_ALL), ("only-v2", ONLY_V2)):
        out[name] = tmp_path / f"{name}.json"
        out[name].write_text(json.dumps(doc))
    out["level"] = f"{out['full']},{out['guardrail']}"
    return out


def can_send(files, to, *extra):
    return invoke("can-send", "--policy", files["send-all"], "--account", ACCOUNT, "--from", "ci@example.com",
                  "--to", to, *extra)


def test_can_send_takes_one_level_of_two_policies(files):
    denied = can_send(files, "someone@gmail.com", "--scp", files["level"], "--format", "json")
    assert denied.code == 1, denied.output
    report = json.loads(denied.out)
    assert report["decision"] == "explicitDeny"
    assert "RecipientsAtExampleCom" in json.dumps(report["requests"])
    allowed = can_send(files, "someone@example.com", "--scp", files["level"])
    assert allowed.code == 0, allowed.output


def test_can_send_scp_levels_each_must_allow(files):
    # the guardrail alone at a level of its own: that level allows nothing
    result = can_send(files, "someone@example.com", "--scp", files["full"], "--scp", files["guardrail"])
    assert result.code == 1 and "service control polic" in result.out, result.output


def test_can_send_takes_a_boundary(files):
    result = can_send(files, "someone@example.com", "--boundary", files["only-v2"], "--format", "json")
    assert result.code == 0, result.output
    raw = can_send(files, "someone@example.com", "--boundary", files["only-v2"], "--content", "raw")
    assert raw.code == 1 and "boundary" in raw.out, raw.output


def test_prove_one_level_of_two_policies(files):
    result = invoke("prove", "--policy", files["send-all"], "--account", ACCOUNT, "--scp", files["level"],
                    "--recipients-within", "*@example.com", "--format", "json")
    assert result.code == 0, result.output
    assert json.loads(result.out)["verdict"] == "proven"
    leaky = invoke("prove", "--policy", files["send-all"], "--account", ACCOUNT, "--scp", files["full"],
                   "--recipients-within", "*@example.com", "--format", "json")
    report = json.loads(leaky.out)
    assert leaky.code == 1 and report["verdict"] == "counterexample"
    assert [s["level"] for s in report["counterexample"]["scenario"]["scps"]] == [str(files["full"])]


def test_prove_counterexample_command_keeps_the_level(files):
    # a guardrail that misses SendRawEmail: the witness's simulate command passes the level as given
    narrow = {"Version": "2012-10-17", "Statement": [dict(GUARDRAIL["Statement"][0], Action="ses:SendEmail")]}
    path = files["full"].parent / "narrow.json"
    path.write_text(json.dumps(narrow))
    level = f"{files['full']},{path}"
    result = invoke("prove", "--policy", files["send-all"], "--account", ACCOUNT, "--scp", level,
                    "--recipients-within", "*@example.com", "--format", "json")
    report = json.loads(result.out)
    assert result.code == 1 and report["verdict"] == "counterexample", result.output
    command = report["counterexample"]["command"]
    assert f"--scp {level}" in command
    import shlex

    assert invoke(*shlex.split(command)[1:]).code == 0, command


def test_simulate_one_level_of_two_policies(files):
    base = ["simulate", "--policy", files["send-all"], "--principal", f"arn:aws:iam::{ACCOUNT}:role/ci",
            "--action", "ses:SendEmail", "--resource", f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/example.com",
            "--scp", files["level"]]
    assert invoke(*base, "--context", "ses:Recipients=a@example.com").code == 0
    denied = invoke(*base, "--context", "ses:Recipients=a@gmail.com", "--format", "json")
    assert denied.code == 1 and json.loads(denied.out)["decision"] == "explicitDeny"


def test_diff_under_one_level_of_two_policies(files):
    # without the guardrail, ses:* gains sends to anyone over SendEmail alone; under it, only to example.com
    result = invoke("diff", files["only-v2"], files["send-all"], "--scp", files["level"], "--format", "json")
    assert result.code == 1, result.output
    for change in json.loads(result.out)["gained"]:
        recipients = change["request"]["context"].get("ses:Recipients")
        assert recipients is None or all(r.endswith("@example.com") for r in recipients), change


@pytest.mark.parametrize("command", ["simulate", "can-send", "prove", "diff"])
def test_an_empty_file_name_in_a_level_is_a_usage_error(files, command):
    result = invoke(command, "--scp", files["full"], "--scp", f"{files['full']},")
    assert result.code == 2 and "empty file name" in result.err, result.output
