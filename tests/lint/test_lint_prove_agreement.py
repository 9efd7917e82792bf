"""Lint and prove agree by construction (issue 21): where a rule claims a send gets past a limit (SES034,
SES040, SES057, SES067), the claim holds exactly when `seslint prove` finds a send that breaks the limit.
Random identity policies (the soundness generator's) are linted; each rule's statement-level claims are
checked against `seslint prove` and `seslint simulate` run on their own, through the CLI."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from seslint.cli import cli
from seslint.policy import read_policy

pytest.importorskip("z3")

from tests.prove.test_soundness import random_policy  # noqa: E402 - after the importorskip

SEEDS = range(40)


def _run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


def _findings(path, rule):
    _, out = _run("lint", path, "--select", rule, "--format", "json", "--fail-on", "never")
    return {f["pointer"] for f in json.loads(out)["findings"]}


def _prove(path, *props):
    _, out = _run("prove", "--policy", path, *props, "--format", "json")
    return json.loads(out)


def _allowing(path, report) -> set[str]:
    """The pointers of the statements that allow every request of the counterexample's send (for the
    identity it goes through), as `seslint simulate` reports them."""
    found = set()
    cx = report["counterexample"]
    for request in cx["requests"]:
        checks = request["checks"]
        if checks.endswith("identity") and not cx["send"]["identity_checked"].startswith(checks):
            continue
        scenario = dict(cx["scenario"], request={k: request[k] for k in ("action", "resource", "context")})
        result = CliRunner().invoke(cli, ["simulate", "--scenario", "-", "--format", "json"], input=json.dumps(scenario))
        assert result.exit_code == 0, result.output
        found |= {m["pointer"] for m in json.loads(result.output)["matched"] if m["effect"] == "Allow"}
    return found


@pytest.mark.parametrize("seed", SEEDS)
def test_for_any_value_in_allow_claims_hold_exactly_when_prove_finds_the_send(seed, tmp_path):
    policy = random_policy(random.Random(seed))
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(policy))
    claimed = _findings(path, "SES067")
    for st in read_policy(policy).statements:
        for cond in st.conditions_on("ses:Recipients"):
            if not st.allow or cond.set_op != "ForAnyValue" or cond.base not in ("StringLike", "StringEquals"):
                continue
            values = [str(v) for v in cond.values]
            if any("${" in v for v in values) or (cond.base == "StringEquals" and any(c in v for v in values for c in "*?")):
                continue
            report = _prove(path, *[x for v in values for x in ("--recipients-within", v)])
            through = report["verdict"] == "counterexample" and st.pointer in _allowing(path, report)
            assert (cond.pointer in claimed) == through, (policy, report["verdict"])


@pytest.mark.parametrize("seed", SEEDS)
def test_send_restriction_bypass_claims_hold_only_when_prove_finds_the_send(seed, tmp_path):
    policy = random_policy(random.Random(1000 + seed))
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(policy))
    claimed = _findings(path, "SES040")
    if not claimed:
        return
    limits = {str(v) for st in read_policy(policy).statements if st.allow
              for c in st.conditions_on("ses:Recipients") if c.set_op == "ForAllValues" and c.base == "StringLike"
              for v in c.values}
    if not limits or any("${" in v for v in limits):
        return   # a limit the prover cannot state: the heuristic's claim stands
    report = _prove(path, *[x for v in sorted(limits) for x in ("--recipients-within", v)])
    assert report["verdict"] in ("counterexample", "unknown"), (policy, claimed)
