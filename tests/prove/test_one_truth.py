"""Regressions of issue 20 through the CLI: prove and simulate answer alike."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from seslint.cli import cli

pytest.importorskip("z3")

ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:*", "Resource": "*"}]}
DELEGATE = "arn:aws:iam::222233334444:role/delegate"


def _run(tmp_path, files: dict, *args):
    for name, doc in files.items():
        (tmp_path / name).write_text(json.dumps(doc))
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _prove(tmp_path, identity_policy):
    files = {"id.json": ALLOW_ALL, "res.json": identity_policy}
    return _run(tmp_path, files, "prove", "--policy", str(tmp_path / "id.json"), "--identity-policy",
                str(tmp_path / "res.json"), "--principal", DELEGATE, "--account", "111122223333", "--no-send",
                "--format", "json")


def _simulate(tmp_path):
    return _run(tmp_path, {}, "simulate", "--policy", str(tmp_path / "id.json"), "--resource-policy",
                str(tmp_path / "res.json"), "--principal", DELEGATE, "--action", "ses:SendEmail",
                "--resource", "arn:aws:ses:us-east-1:111122223333:identity/example.com",
                "--context", "ses:FromAddress=a@example.com", "--context", "ses:Recipients=b@example.org")


def test_not_principal_allow_does_not_exclude_a_cross_account_caller_whose_account_is_not_listed(tmp_path):
    # NotPrincipal excludes a caller from another account only when its account is listed too
    res = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": DELEGATE},
                                                    "Action": "ses:*", "Resource": "*"}]}
    proved = _prove(tmp_path, res)
    assert proved.exit_code == 1 and json.loads(proved.output)["verdict"] == "counterexample"
    assert _simulate(tmp_path).exit_code == 0


def test_not_principal_deny_applies_to_a_cross_account_caller_whose_account_is_not_listed(tmp_path):
    res = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "ses:*", "Resource": "*"},
        {"Effect": "Deny", "NotPrincipal": {"AWS": DELEGATE}, "Action": "ses:*", "Resource": "*"}]}
    proved = _prove(tmp_path, res)
    assert proved.exit_code == 0 and json.loads(proved.output)["verdict"] == "proven"
    assert _simulate(tmp_path).exit_code == 1


def test_a_trailing_star_that_crosses_colons_grants_in_prove_simulate_and_lint(tmp_path):
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:SendEmail",
                                                      "Resource": "arn:aws:ses:*"}]}
    path = tmp_path / "p.json"
    proved = _run(tmp_path, {"p.json": policy}, "prove", "--policy", str(path), "--account", "111122223333",
                  "--no-send", "--format", "json")
    assert json.loads(proved.output)["verdict"] == "counterexample"
    assert _run(tmp_path, {}, "lint", str(path)).exit_code == 0
    simulated = _run(tmp_path, {}, "simulate", "--policy", str(path), "--action", "ses:SendEmail", "--resource",
                     "arn:aws:ses:us-east-1:111122223333:identity/example.com")
    assert simulated.exit_code == 0, simulated.output


def test_can_send_advice_is_the_whole_amended_policy_and_keeps_its_proven_limits(tmp_path):
    """The simulator-only CI policy denies a templated send: the advice extends the statement that holds the
    recipient condition (not a new, unconditioned one), and the amended policy still proves simulator-only."""
    from pathlib import Path

    ci = Path(__file__).resolve().parents[2] / "examples" / "policies" / "ci-simulator-only.json"
    out = CliRunner().invoke(cli, ["can-send", "--policy", str(ci), "--account", "111122223333", "--api", "v1",
                                   "--from", "ci@example.com", "--to", "success@simulator.amazonses.com",
                                   "--content", "template", "--template", "t1", "--format", "json"])
    assert out.exit_code == 1
    advice = json.loads(out.output)["advice"]
    amended = [a["policy"] for a in advice if "policy" in a]
    assert len(amended) == 1 and "keeping its conditions" in advice[0]["summary"]
    assert not any("add to an identity-based policy" in a["summary"] for a in advice)
    fixed = tmp_path / "fixed.json"
    fixed.write_text(json.dumps(amended[0]))
    allowed = CliRunner().invoke(cli, ["can-send", "--policy", str(fixed), "--account", "111122223333", "--api", "v1",
                                       "--from", "ci@example.com", "--to", "success@simulator.amazonses.com",
                                       "--content", "template", "--template", "t1"])
    assert allowed.exit_code == 0, allowed.output
    proved = CliRunner().invoke(cli, ["prove", "--policy", str(fixed), "--recipients-within",
                                      "*@simulator.amazonses.com", "--format", "json"])
    assert json.loads(proved.output)["verdict"] == "proven"


def test_can_send_advice_says_when_no_change_keeps_the_limits(tmp_path):
    from pathlib import Path

    ci = Path(__file__).resolve().parents[2] / "examples" / "policies" / "ci-simulator-only.json"
    out = CliRunner().invoke(cli, ["can-send", "--policy", str(ci), "--account", "111122223333",
                                   "--from", "ci@example.com", "--to", "someone@gmail.com", "--format", "json"])
    advice = json.loads(out.output)["advice"]
    assert not any("policy" in a for a in advice)
    assert any(a["summary"].startswith("no change to the policies allows this send") for a in advice)
