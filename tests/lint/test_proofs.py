"""SES060 (guardrail bypass): the shape check agrees with the solver, each distinct policy is proven
once per run, and z3 is loaded only for guardrails the shape check cannot close."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from seslint.lint.checks import Context
from seslint.lint.checks.proofs import _bypasses, _proven, _residual, closed, guardrail_bypass, guardrails
from seslint.matrix import send_actions

FIXTURES = Path(__file__).parent / "fixtures" / "rules" / "SES060"
ROOT = Path(__file__).resolve().parents[2]
KEYS = ("ses:Recipients", "ses:FromAddress")
OPERATORS = ("StringNotLike", "StringNotEquals", "StringNotEqualsIgnoreCase", "StringLike", "StringEquals",
             "StringEqualsIgnoreCase", "StringNotLikeIfExists")
SET_OPS = ("", "ForAnyValue:", "ForAllValues:")
VALUES = ("*@example.com", "a?b@corp.example", "*@*.example", "ops@example.com", "*@123.45", "*", "x",
          "ops@EXAMPLE.com", "1@2.3")


def guardrail(rng: random.Random) -> dict:
    """A Deny on one address key, mostly of shapes that cover every send (the shape check's domain)."""
    sending = list(send_actions())
    actions = rng.choice((["ses:*"], ["ses:Send*"], ["*"], sending, sending,
                          rng.sample(sending, rng.randint(1, len(sending))), ["ses:SendEmail", "ses:SendRawEmail"]))
    key = rng.choice(KEYS)
    operator = rng.choice(SET_OPS) + rng.choice(OPERATORS)
    values = rng.sample([v for v in VALUES if "Like" in operator or not any(c in v for c in "*?")], 2)
    resource = rng.choice(("*", "*", ["*"], "arn:aws:ses:*:*:identity/*", ["arn:aws:ses:us-east-1:111122223333:*", "*"]))
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": actions, "Resource": resource, "Condition": {operator: {key: values[:rng.randint(1, 2)]}}}]}


def findings(policy: dict) -> list:
    return list(guardrail_bypass(Context(policy, "identity")))


def solver_verdict(policy: dict) -> str:
    """What the prover says of the policy's one guardrail, whatever the other ways would."""
    (found,) = guardrails(Context(policy, "identity"))
    return _proven(policy, [found])[found[0].pointer].verdict


@pytest.mark.parametrize("seed", range(80))
def test_what_is_decided_without_the_solver_agrees_with_it(seed):
    """A guardrail its shape closes is proven safe by the prover; one that a concrete send bypasses (of a
    kind its actions leave out, which the evaluator allows) is not (a counterexample, or unknown where
    the prover's own witness is refused by the evaluator)."""
    policy = guardrail(random.Random(seed))
    found = guardrails(Context(policy, "identity"))
    if not found:
        pytest.skip("no guardrail SES060 judges")
    if closed(*found[0]):
        assert solver_verdict(policy) == "proven"
    elif _residual(policy, *found[0]) is not None:
        assert solver_verdict(policy) != "proven"
    else:
        pytest.skip("left to the solver")


def test_the_shape_check_closes_the_common_guardrails():
    from seslint.generate import generate

    policies = [json.loads((FIXTURES / "good.json").read_text()),
                generate("recipient-guardrail", {"recipient-domain": "example.com"})]
    closed_ones = [closed(*g) for p in policies for g in guardrails(Context(p, "identity"))]
    assert closed_ones and all(closed_ones)
    assert not closed(*guardrails(Context(json.loads((FIXTURES / "bad.json").read_text()), "identity"))[0])


def test_each_distinct_policy_is_proven_once():
    bad = json.loads((FIXTURES / "bad.json").read_text())
    _bypasses.cache_clear()
    results = [findings(json.loads(json.dumps(bad, indent=k))) for k in range(5)]
    assert all(r == results[0] for r in results) and len(results[0]) == 1
    info = _bypasses.cache_info()
    assert (info.misses, info.hits) == (1, 4)


LINT_AND_IMPORTS = ("import sys\nfrom seslint.cli import main\ntry:\n    main(['lint', '--fail-on', 'never', *sys.argv[1:]])\n"
                    "except SystemExit:\n    pass\nprint('z3' in sys.modules, file=sys.stderr)")


# A guardrail on every action whose StringLike lets upper case through: only the solver finds that bypass.
CASE_BYPASS = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "ses:*", "Resource": "*",
               "Condition": {"ForAnyValue:StringLike": {"ses:Recipients": "*@competitor.example"}}}]}


@pytest.mark.parametrize(("files", "loads_z3"), [
    (["examples/policies/app-sender.json", "examples/policies/ci-simulator-only.json"], False),
    ([str(FIXTURES / "good.json")], False),          # a guardrail its shape closes
    ([str(FIXTURES / "bad.json")], False),           # one a concrete send of an action it leaves out bypasses
    ([CASE_BYPASS], True),                           # one only the solver can judge
])
def test_lint_loads_z3_only_for_guardrails_it_cannot_judge_otherwise(files, loads_z3, tmp_path):
    paths = []
    for i, f in enumerate(files):
        if isinstance(f, dict):
            (tmp_path / f"p{i}.json").write_text(json.dumps(f))
            f = str(tmp_path / f"p{i}.json")
        paths.append(f)
    done = subprocess.run([sys.executable, "-c", LINT_AND_IMPORTS, *paths], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.stderr.strip().splitlines()[-1] == str(loads_z3)
    if loads_z3:
        assert "SES060" in done.stdout and "COMPETITOR" in done.stdout.upper()
