"""`seslint prove` and `seslint diff` on the examples: verdicts, exit codes, and witnesses that
`seslint simulate` allows."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from tests.conftest import invoke

ROOT = Path(__file__).resolve().parents[2]
P = ROOT / "examples" / "policies"
ACCOUNT = ["--account", "111122223333"]


def run(*args):
    result = invoke(*args)
    return result.code, result.out


CASES = [
    # (policy, property flags, exit code, verdict)
    ("ci-simulator-only.json", ["--recipients-within", "*@simulator.amazonses.com"], 0, "proven"),
    ("ci-simulator-only.json", ["--senders-within", "ci@example.com"], 1, "counterexample"),
    ("ci-simulator-only.json", ["--no-send"], 1, "counterexample"),
    ("leaky-guardrail.json", ["--recipients-within", "*@example.com"], 1, "counterexample"),
    ("raw-bypass.json", ["--recipients-within", "*@customers.example.com"], 1, "counterexample"),
    ("app-sender.json", ["--senders-within", "noreply@example.com", "--region", "eu-west-1"], 0, "proven"),
    ("dead-arn.json", ["--no-send"], None, None),
]


@pytest.mark.parametrize(("name", "flags", "code", "verdict"), CASES, ids=[f"{c[0]} {c[1][0]}" for c in CASES])
def test_prove_examples(name, flags, code, verdict):
    got, out = run("prove", "--policy", P / name, *ACCOUNT, *flags, "--format", "json")
    report = json.loads(out)
    if code is not None:
        assert (got, report["verdict"]) == (code, verdict), report["reason"]
    assert got == {"proven": 0, "counterexample": 1, "unknown": 3}[report["verdict"]]
    if report["verdict"] == "counterexample":
        command = report["counterexample"]["command"]
        words = shlex.split(command)
        assert words[:2] == ["seslint", "simulate"]
        assert run(*words[1:])[0] == 0, command
        scenario = report["counterexample"]["scenario"]
        assert scenario["request"] == report["counterexample"]["request"]


def test_prove_text_and_usage():
    code, out = run("prove", "--policy", P / "leaky-guardrail.json", *ACCOUNT, "--recipients-within", "*@example.com")
    assert code == 1 and out.startswith("COUNTEREXAMPLE: every recipient matches *@example.com")
    assert "reproduce:" in out
    assert run("prove", "--policy", P / "leaky-guardrail.json", *ACCOUNT)[0] == 2


@pytest.mark.parametrize(("name", "flags"), [c[:2] for c in CASES if c[3] == "counterexample"])
def test_witness_has_no_configuration_set_it_does_not_need(name, flags):
    """A counterexample is minimal where that is cheap: none of these policies needs a configuration
    set, so no witness carries one (the solver's first model may)."""
    _, out = run("prove", "--policy", P / name, *ACCOUNT, *flags, "--format", "json")
    send = json.loads(out)["counterexample"]["send"]
    assert send["configuration_set"] is None


def test_free_key_is_unknown(tmp_path):
    policy = tmp_path / "ip.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}))
    code, out = run("prove", "--policy", policy, *ACCOUNT, "--no-send", "--format", "json")
    report = json.loads(out)
    assert (code, report["verdict"]) == (3, "unknown")
    assert "aws:SourceIp" in report["reason"]


def test_diff():
    code, out = run("diff", P / "ci-simulator-only.json", P / "raw-bypass.json", "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert {(c["action"], c["resource"]) for c in report["gained"]} >= {("ses:SendRawEmail", "identity")}
    assert all(c["request"]["action"] == c["action"] for c in report["gained"] + report["lost"])
    assert run("diff", P / "ci-simulator-only.json", P / "ci-simulator-only.json")[0] == 0
    code, out = run("diff", P / "ci-simulator-only.json", P / "raw-bypass.json", "--format", "github")
    assert code == 1 and out.startswith("::error file=")


@pytest.mark.parametrize(("region", "vacuous"), [("us-east-1", True), ("eu-west-1", False), (None, False)])
def test_proof_in_a_region_without_sends_is_vacuous(region, vacuous):
    """app-sender.json allows sends in eu-west-1 only: in us-east-1 nothing is allowed, so nothing is proven:
    the verdict is vacuous (exit 3) and names where sends are allowed. Without --region the proof asks
    the regions the policy's ARNs tell apart, eu-west-1 among them."""
    flags = ("--region", region) if region else ()
    code, out = run("prove", "--policy", P / "app-sender.json", *ACCOUNT, *flags,
                    "--senders-within", "noreply@example.com", "--format", "json")
    report = json.loads(out)
    assert (code, report["verdict"]) == ((3, "vacuous") if vacuous else (0, "proven"))
    assert ("the policies do allow sends in eu-west-1" in report["reason"]) == vacuous
    assert ("eu-west-1" in report["scope"]["regions"]) == (region != "us-east-1")


def test_a_verified_parent_domain_authorizes_its_subdomains_sends(tmp_path):
    """SES lets a verified parent domain authorize its subdomains' sends ("Creating and verifying identities
    in Amazon SES"): the proofs model that route, so a policy that names only example.com does allow a send
    From a@sub.example.com, as can-send says."""
    policy = tmp_path / "subdomains.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ses:SendEmail", "ses:SendRawEmail"],
         "Resource": "arn:aws:ses:us-east-1:111122223333:identity/example.com",
         "Condition": {"StringLike": {"ses:FromAddress": "*@*.example.com"}}}]}))
    code, out = run("prove", "--policy", policy, *ACCOUNT, "--no-send", "--format", "json")
    report = json.loads(out)
    assert (code, report["verdict"]) == (1, "counterexample")
    send = report["counterexample"]["send"]
    assert send["identity_checked"] == "parent domain identity example.com"
    assert send["from"].lower().endswith(".example.com")
    assert invoke("can-send", "--policy", policy, "--principal", "arn:aws:iam::111122223333:role/app",
                  "--from", send["from"], "--to", "b@example.org").code == 0
    own_domain = tmp_path / "own.json"   # a subdomain's own identity: only its own sends
    own_domain.write_text(policy.read_text().replace("identity/example.com", "identity/mail.example.com"))
    _, out = run("prove", "--policy", own_domain, *ACCOUNT, "--senders-within", "*@mail.example.com",
                 "--format", "json")
    assert json.loads(out)["verdict"] == "counterexample"   # a@x.mail.example.com: mail.example.com is its parent


@pytest.mark.parametrize("condition", [{"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
                                       {"NumericEquals": {"aws:MultiFactorAuthAge": "0"}},
                                       {"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}}])
def test_numeric_and_date_conditions_on_free_keys_are_encoded(tmp_path, condition):
    # the operator table's ordered and equality tests give z3 terms for the prover's symbolic values
    policy = tmp_path / "p.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*", "Condition": condition}]}))
    code, out = run("prove", "--policy", policy, *ACCOUNT, "--recipients-within", "*@example.com", "--format", "json")
    report = json.loads(out)
    assert (code, report["verdict"]) == (3, "unknown") and report["free_keys"] == [next(iter(*condition.values()))]
