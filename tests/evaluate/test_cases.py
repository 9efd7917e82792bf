"""Walks tests/evaluate/cases/*.json: each file cites the IAM User Guide page behind its cases."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from seslint.errors import InputError
from seslint.evaluate import evaluate, load_scenario

CASES = Path(__file__).parent / "cases"


def _load():
    for path in sorted(CASES.glob("*.json")):
        table = json.loads(path.read_text())
        assert table["page"] and table["url"].startswith("https://docs.aws.amazon.com/"), path
        for case in table["cases"]:
            yield pytest.param(table.get("defaults", {}), case, id=f"{path.stem}: {case['name']}")


def build(defaults: dict, case: dict):
    """The scenario for a case: defaults, then the case's shortcuts, then its own fields."""
    if "raw" in case:
        return case["raw"]
    scenario = copy.deepcopy(defaults)
    scenario.setdefault("request", {})
    statements = case.get("statements")
    if "condition" in case:
        statements = [{"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*", "Condition": case["condition"]}]
    if statements is not None:
        policy = {"Statement": statements}
        version = case.get("version", "2012-10-17")
        if version is not None:
            policy["Version"] = version
        scenario["identity_policies"] = [policy]
    if "context" in case:
        scenario["request"]["context"] = case["context"]
    scenario["request"].update(case.get("request", {}))
    if scenario["request"].get("action", "") is None:
        del scenario["request"]["action"]
    scenario.update(case.get("scenario", {}))
    return scenario


@pytest.mark.parametrize("defaults,case", list(_load()))
def test_case(defaults, case):
    scenario = build(defaults, case)
    expect = case["expect"]
    if isinstance(expect, dict):
        with pytest.raises(InputError) as caught:
            evaluate(load_scenario(scenario, "case.json"))
        message = str(caught.value)
        assert expect["error"] in message
        assert "\n" not in message and message.startswith("case.json")
        if "pointer" in expect:
            assert caught.value.pointer == expect["pointer"]
        return
    result = evaluate(load_scenario(scenario, "case.json"))
    assert result.decision == expect, result.reason
    # the explained run (every statement, not only those for the action) decides the same, by the same statements
    explained = evaluate(load_scenario(scenario, "case.json"), explain=True)
    assert (explained.decision, explained.hits) == (expect, result.hits)
    # the batch's one-line JSON is the decision object
    assert json.loads(result.json_line()) == result.to_json()
    assert result.json_line() == json.dumps(result.to_json(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def test_every_table_has_cases():
    assert len(list(_load())) >= 150
