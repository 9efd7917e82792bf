"""The prover against the evaluator on every cited case table (tests/evaluate/cases): the decision over a
case's concrete request, encoded for z3, is true exactly when the evaluator allows the request. Both run the
one decision table and the one set of condition modifiers (seslint.core); this pins the rest (matching,
principals, variables, the resource policies that apply) so the two interpreters cannot drift apart."""

from __future__ import annotations

import pytest

z3 = pytest.importorskip("z3")
# ruff: noqa: E402 - the imports below need z3

from seslint.errors import InputError
from seslint.evaluate import evaluate, load_scenario
from seslint.prove.decision import Inputs, decide
from seslint.prove.sends import concrete_request
from seslint.prove.strings import Unknown
from tests.evaluate.test_cases import _load, build

CASES = list(_load())
# The prover does not model these callers (it says so: UNKNOWN), so their cases have no prover answer.
NOT_MODELLED = ("service principals are not modelled",)


def prover_decision(scenario) -> bool | str:
    """True/False: allowed or not, as the prover decides the scenario's concrete request; else why not."""
    policies, request = scenario.policies, scenario.request
    inputs = Inputs(scenario.caller, request.resource_account or scenario.caller.account or "", "us-east-1",
                    identity=policies.identity, boundary=policies.boundary, session=policies.session,
                    scps=policies.scps, resources=[(None, cp) for cp in policies.resources])
    try:
        formula = decide(inputs, concrete_request(request.action, request.resource, request.context, request.account))
    except Unknown as exc:
        return str(exc)
    solver = z3.Solver()
    can_allow = solver.check(formula) == z3.sat
    can_deny = solver.check(z3.Not(formula)) == z3.sat
    if can_allow and can_deny:
        return "undefined: the decision depends on what IAM leaves undefined"
    return can_allow


@pytest.mark.parametrize("defaults,case", CASES)
def test_prover_agrees_with_the_evaluator(defaults, case):
    scenario = build(defaults, case)
    try:
        loaded = load_scenario(scenario, "case.json")
        result = evaluate(loaded)
    except InputError:
        # The evaluator refuses (IAM leaves the outcome undefined, or the input is invalid): the prover must
        # not claim the request is allowed (it may say denied where IAM leaves only explicit vs implicit open).
        try:
            loaded = load_scenario(scenario, "case.json")
        except InputError:
            return
        assert prover_decision(loaded) is not True
        return
    got = prover_decision(loaded)
    if got not in NOT_MODELLED:
        assert got == result.allowed, f"evaluator: {result.decision} ({result.reason})"


def test_most_cases_are_replayed():
    replayed = 0
    for defaults, case in (p.values for p in CASES):
        try:
            loaded = load_scenario(build(defaults, case), "case.json")
            evaluate(loaded)
        except InputError:
            continue
        replayed += prover_decision(loaded) not in NOT_MODELLED
    assert replayed >= 190   # of 249: 51 the evaluator refuses (checked above: never allowed), 1 service principal
