"""One did-you-mean everywhere (seslint.names): every command that reads a policy names an `ses:` action
or a condition key SES does not know with lint's own message; where the name decides a send, prove,
diff and audit refuse to answer (exit 3, verdict unknown) and can-send's advice is to fix it."""

from __future__ import annotations

import json

import pytest

from tests.conftest import invoke

ACCOUNT = "111122223333"
ID = f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/example.com"
ACTION_MESSAGE = "unknown action 'ses:SendEmial': the statement never matches it; did you mean 'ses:SendEmail'?"
KEY_MESSAGE = "unknown condition key 'ses:Recipient': it is never in a request; did you mean 'ses:Recipients'?"
TO_EXAMPLE = {"ForAllValues:StringLike": {"ses:Recipients": "*@example.com"}, "Null": {"ses:Recipients": "false"}}


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions, condition=None, resource=ID):
    out = {"Effect": "Allow", "Action": actions, "Resource": resource}
    return dict(out, Condition=condition) if condition else out


POLICIES = {
    # the example: a misspelt action and a misspelt key in the one Allow
    "typo": policy(allow(["ses:SendEmial", "ses:SendRawEmail"], {"ForAllValues:StringLike": {"ses:Recipient":
                                                                                              "*@example.com"}})),
    "action-typo": policy(allow(["ses:SendEmial"])),
    "good": policy(allow(["ses:SendEmail"], TO_EXAMPLE)),
    # a guardrail whose Deny names a misspelt action: it never fires
    "deny-typo": policy(allow(["ses:SendEmail"], resource="*"),
                        {"Effect": "Deny", "Action": "ses:SendEmial", "Resource": "*",
                         "Condition": {"ForAnyValue:StringNotLike": {"ses:Recipients": "*@example.com"}}}),
    # names that decide no send: a misspelt read action, a key misspelt on it, an action not in the data
    "elsewhere": policy(allow(["ses:SendEmail"], TO_EXAMPLE),
                        allow(["ses:GetAcount", "ses:DescribeEverythingNew"],
                              {"StringEquals": {"aws:RequestedRegon": "us-east-1"}}, "*")),
}


@pytest.fixture
def files(tmp_path):
    out = {}
    for name, doc in POLICIES.items():
        out[name] = tmp_path / f"{name}.json"
        out[name].write_text(json.dumps(doc))
    return out


def prove(path, *flags):
    result = invoke("prove", "--policy", path, "--account", ACCOUNT, *flags, "--format", "json")
    return result, json.loads(result.out)


@pytest.mark.parametrize("name", ["typo", "action-typo", "deny-typo"])
def test_prove_refuses_a_policy_whose_misspelt_names_decide_sends(files, name):
    result, report = prove(files[name], "--recipients-within", "*@example.com")
    assert (result.code, report["verdict"]) == (3, "unknown"), report
    assert ACTION_MESSAGE in report["reason"] and str(files[name]) in report["reason"]
    if name == "typo":
        assert KEY_MESSAGE in report["reason"]


def test_prove_answers_when_the_unknown_names_decide_no_send(files):
    result, report = prove(files["elsewhere"], "--recipients-within", "*@example.com")
    assert (result.code, report["verdict"]) == (0, "proven"), report
    got = [w.split(": ", 1)[1] for w in report["warnings"]]
    assert got[0] == "unknown action 'ses:GetAcount': the statement never matches it; did you mean 'ses:GetAccount'?"
    assert got[1].startswith("'ses:DescribeEverythingNew' is not in seslint's SES data (Service Authorization")
    assert got[2] == ("unknown condition key 'aws:RequestedRegon': it is never in a request; did you mean "
                      "'aws:RequestedRegion'?")
    assert all(f"seslint: warning: {w}" in result.err for w in report["warnings"])


def test_the_messages_are_lints(files):
    lint = invoke("lint", files["typo"], "--format", "json")
    messages = {f["rule"]: f["message"] for f in json.loads(lint.out)["findings"]}
    assert (messages["SES021"], messages["SES030"]) == (ACTION_MESSAGE, KEY_MESSAGE)


def test_diff_new_with_a_misspelt_send_action_is_undecided(files):
    result = invoke("diff", files["good"], files["typo"], "--format", "json")
    report = json.loads(result.out)
    assert result.code == 3, result.output
    reasons = [u["reason"] for u in report["unknown"] if u["resource"] == "policy"]
    assert any(ACTION_MESSAGE in r for r in reasons) and any(KEY_MESSAGE in r for r in reasons)
    text = invoke("diff", files["typo"], files["typo"])
    assert text.code == 3 and ACTION_MESSAGE in text.out and "no change" not in text.out, text.output


def test_diff_old_with_a_misspelt_name_is_a_warning(files):
    result = invoke("diff", files["action-typo"], files["good"], "--format", "json")
    report = json.loads(result.out)
    assert result.code == 1 and report["gained"], result.output        # fixing the name gains the sends
    assert report["warnings"] == [f"{files['action-typo']} at /Statement/0/Action/0: {ACTION_MESSAGE}"]
    assert ACTION_MESSAGE in result.err


def test_can_send_advises_fixing_the_name_not_a_new_statement(files):
    result = invoke("can-send", "--policy", files["action-typo"], "--account", ACCOUNT, "--from", "a@example.com",
                    "--to", "b@example.com", "--identity", "example.com", "--at", "2030-01-01T00:00:00Z",
                    "--format", "json")
    report = json.loads(result.out)
    assert result.code == 1 and report["decision"] == "implicitDeny"
    fix, *lines = report["advice"]
    assert fix["summary"] == (f"spell 'ses:SendEmial' as 'ses:SendEmail' (at /Statement/0/Action/0) in "
                              f"{files['action-typo']}")
    assert fix["policy"] == policy(allow(["ses:SendEmail"]))
    assert [a["summary"] for a in lines] == [f"ses:SendEmail on {ID}: fix {files['action-typo']} at "
                                             f"/Statement/0/Action/0: {ACTION_MESSAGE}"]
    assert report["warnings"] == [f"{files['action-typo']} at /Statement/0/Action/0: {ACTION_MESSAGE}"]
    assert ACTION_MESSAGE in result.err


def test_can_send_names_a_misspelt_deny(files):
    result = invoke("can-send", "--policy", files["deny-typo"], "--account", ACCOUNT, "--from", "a@example.com",
                    "--to", "b@gmail.com", "--at", "2030-01-01T00:00:00Z")
    assert result.code == 0 and ACTION_MESSAGE in result.err, result.output


def test_simulate_names_them(files):
    result = invoke("simulate", "--policy", files["typo"], "--action", "ses:SendEmail", "--resource", ID,
                    "--context", "ses:Recipients=a@example.com", "--format", "json")
    report = json.loads(result.out)
    assert result.code == 1 and [w.split(": ", 1)[1] for w in report["warnings"]] == [ACTION_MESSAGE, KEY_MESSAGE]
    assert KEY_MESSAGE in result.err


def test_audit_verdict_is_unknown_with_the_name(tmp_path):
    details = {"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": [{
        "RoleName": "ci", "Path": "/", "Arn": f"arn:aws:iam::{ACCOUNT}:role/ci", "AttachedManagedPolicies": [],
        "RolePolicyList": [{"PolicyName": "send", "PolicyDocument": POLICIES["action-typo"]}]}]}
    path = tmp_path / "details.json"
    path.write_text(json.dumps(details))
    result = invoke("audit", "--auth-details", path, "--format", "jsonl", "--fail-on", "unknown")
    line = json.loads(result.out)
    assert (result.code, line["verdict"]) == (1, "unknown") and ACTION_MESSAGE in line["reason"], line


def test_a_misspelt_not_action_decides_the_sends_it_meant_to_leave_out():
    from seslint.names import unknown_names
    from seslint.policy import read_policy

    doc = policy({"Effect": "Deny", "NotAction": ["ses:SendEmial", "ses:SendRawEmail"], "Resource": "*",
                  "Condition": {"StringEquals": {"ses:FromAdress": "a@example.com"}}})
    action, key = unknown_names(read_policy(doc).statements)
    assert (action.suggestion, action.governs) == ("ses:SendEmail", ("ses:SendEmail",))
    # the key decides the sends the Deny covers once ses:SendEmail is spelt right: not SendEmail, SendRawEmail
    assert key.suggestion == "ses:FromAddress" and key.governs == (
        "ses:SendBulkEmail", "ses:SendBulkTemplatedEmail", "ses:SendTemplatedEmail")


def test_generated_policies_refuse_unknown_names_with_the_same_message():
    from seslint.generate import shape_statement
    from seslint.matrix import load_matrix

    with pytest.raises(ValueError, match="did you mean 'ses:SendEmail'"):
        shape_statement({"Action": ["ses:SendEmial"], "Resource": ["*"]}, load_matrix(), where="recipe")
    with pytest.raises(ValueError, match="did you mean 'ses:Recipients'"):
        shape_statement({"Action": ["ses:SendEmail"], "Resource": ["*"],
                         "Condition": {"StringLike": {"ses:Recipient": ["*"]}}}, load_matrix(), where="recipe")
