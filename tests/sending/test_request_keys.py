"""Keys AWS always sets (quirk ck-always-present-keys): aws:RequestedRegion is the send's region,
aws:SecureTransport is true, aws:CurrentTime and aws:EpochTime are the time of the send (now, or
--at; prove: any time unless --at fixes it). Every test pins --at: none depends on the clock."""

from __future__ import annotations

import json
import shlex

import pytest

from tests.conftest import invoke

ACCOUNT = "111122223333"
SENDS = ["ses:SendEmail", "ses:SendRawEmail"]
TO_EXAMPLE = {"ForAllValues:StringLike": {"ses:Recipients": "*@example.com"}, "Null": {"ses:Recipients": "false"}}
REGION_LOCK = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": SENDS, "Resource": "*", "Condition": TO_EXAMPLE},
    {"Sid": "RegionLock", "Effect": "Deny", "Action": "*", "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}}]}
UNTIL_2099 = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": SENDS, "Resource": "*",
     "Condition": {"DateLessThan": {"aws:CurrentTime": "2099-01-01T00:00:00Z"}}}]}
EPOCH_WINDOW = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": SENDS, "Resource": "*",
     "Condition": {"NumericLessThan": {"aws:EpochTime": "4070908800"}}}]}    # 2099-01-01
HTTPS_ONLY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": SENDS, "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
    {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
AT_2030 = ["--at", "2030-01-01T00:00:00Z"]


@pytest.fixture
def policy(tmp_path):
    def write(doc, name="policy.json"):
        path = tmp_path / name
        path.write_text(json.dumps(doc))
        return path
    return write


def can_send(path, *extra):
    return invoke("can-send", "--policy", path, "--account", ACCOUNT, "--from", "ci@example.com",
                  "--to", "someone@example.com", *extra)


def test_a_region_lock_lets_sends_in_its_regions_through(policy):
    path = policy(REGION_LOCK)
    for region in ("us-east-1", "eu-west-1"):
        result = can_send(path, "--region", region, *AT_2030)
        assert result.code == 0, result.output
    denied = can_send(path, "--region", "us-west-2", *AT_2030, "--format", "json")
    assert denied.code == 1 and json.loads(denied.out)["decision"] == "explicitDeny"


def test_a_time_window_applies_to_the_time_of_the_send(policy):
    for doc in (UNTIL_2099, EPOCH_WINDOW):
        path = policy(doc)
        assert can_send(path, *AT_2030).code == 0
        late = can_send(path, "--at", "2100-06-01T12:00:00+02:00")
        assert late.code == 1 and "(absent)" not in late.out, late.output
        assert "2100-06-01T10:00:00Z" in late.out or "4115527200" in late.out, late.output


def test_without_at_the_send_is_made_now(policy, monkeypatch):
    from datetime import datetime, timezone

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2031, 5, 1, 8, 30, tzinfo=timezone.utc)

    monkeypatch.setattr("seslint.cansend.datetime", Clock)
    result = can_send(policy(UNTIL_2099), "--format", "json")
    assert result.code == 0, result.output
    context = json.loads(result.out)["requests"][0]["context"]
    assert (context["aws:CurrentTime"], context["aws:EpochTime"]) == ("2031-05-01T08:30:00Z", "1935390600")


def test_sends_are_made_over_https(policy):
    result = can_send(policy(HTTPS_ONLY), *AT_2030, "--api", "smtp")
    assert result.code == 0, result.output
    assert can_send(policy(HTTPS_ONLY), *AT_2030, "--api", "v1", "--content", "raw").code == 0


def test_the_keys_are_in_every_request_context(policy):
    result = can_send(policy(REGION_LOCK), "--region", "eu-west-1", *AT_2030, "--configuration-set", "cs",
                      "--tracking-override", "open=DISABLED", "--format", "json")
    requests = json.loads(result.out)["requests"]
    assert len(requests) == 4
    for r in requests:
        assert {k: v for k, v in r["context"].items() if k.startswith("aws:")} == {
            "aws:RequestedRegion": "eu-west-1", "aws:SecureTransport": "true",
            "aws:CurrentTime": "2030-01-01T00:00:00Z", "aws:EpochTime": "1893456000"}, r


@pytest.mark.parametrize("value", ["2030-01-01", "2030-01-01T00:00:00", "tomorrow"])
def test_at_needs_an_instant(policy, value):
    result = can_send(policy(UNTIL_2099), "--at", value)
    assert result.code == 2 and "ISO 8601 instant" in result.err


def prove(path, *flags):
    result = invoke("prove", "--policy", path, "--account", ACCOUNT, *flags, "--format", "json")
    return result.code, json.loads(result.out)


def test_prove_sets_the_region_of_the_send(policy):
    path = policy(REGION_LOCK)
    code, report = prove(path, "--region", "us-east-1", "--recipients-within", "*@example.com")
    assert (code, report["verdict"]) == (0, "proven") and "free_keys" not in report, report
    # in a region the lock denies, no send at all is allowed
    code, report = prove(path, "--region", "us-west-2", "--no-send")
    assert (code, report["verdict"]) == (0, "proven"), report
    code, report = prove(path, "--region", "eu-west-1", "--no-send")
    assert (code, report["verdict"]) == (1, "counterexample"), report
    assert report["counterexample"]["request"]["context"]["aws:RequestedRegion"] == "eu-west-1"


def test_prove_sets_secure_transport(policy):
    code, report = prove(policy(HTTPS_ONLY), "--recipients-within", "*@example.com")
    assert (code, report["verdict"]) == (1, "counterexample"), report
    assert report["counterexample"]["request"]["context"]["aws:SecureTransport"] == "true"


def test_prove_time_is_free_unless_at_fixes_it(policy):
    path = policy(UNTIL_2099)
    code, report = prove(path, "--recipients-within", "*@example.com")
    assert (code, report["verdict"], report["free_keys"]) == (3, "unknown", ["aws:CurrentTime"]), report
    assert "--at" in report["reason"]
    code, report = prove(path, "--recipients-within", "*@example.com", *AT_2030)
    assert (code, report["verdict"]) == (1, "counterexample"), report
    context = report["counterexample"]["request"]["context"]
    assert (context["aws:CurrentTime"], context["aws:EpochTime"]) == ("2030-01-01T00:00:00Z", "1893456000")
    assert invoke(*shlex.split(report["counterexample"]["command"])[1:]).code == 0
    code, report = prove(path, "--no-send", "--at", "2099-01-01T00:00:00Z")
    assert (code, report["verdict"]) == (0, "proven"), report


def test_audit_sets_the_region_of_the_send(tmp_path):
    details = {"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": [{
        "RoleName": "ci", "Path": "/", "Arn": f"arn:aws:iam::{ACCOUNT}:role/ci", "AttachedManagedPolicies": [],
        "RolePolicyList": [{"PolicyName": "send", "PolicyDocument": REGION_LOCK}]}]}
    path = tmp_path / "details.json"
    path.write_text(json.dumps(details))
    result = invoke("audit", "--auth-details", path, "--format", "jsonl", "--fail-on", "never")
    line = json.loads(result.out)
    assert (result.code, line["verdict"]) == (0, "restricted"), line
