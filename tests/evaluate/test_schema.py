"""The scenario schema (rules/schemas/scenario.schema.json) and the loader agree.

Every scenario of the case tables that the loader accepts validates against the schema; every one it
refuses for the scenario's own structure (not a policy's grammar) is refused by the schema too, and
the error names a JSON location.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from seslint.errors import InputError
from seslint.evaluate import load_scenario
from tests.evaluate.test_cases import _load, build

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "rules" / "schemas" / "scenario.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
# Loader errors about the scenario's own fields (policy grammar is the evaluator's, not the schema's).
STRUCTURE = ("a scenario must be", "scenario has no request", "request has no action", "request.action",
             "request.resource", "request.context", "context value must be", "must be a list of policies",
             "principal must be an object", "policies of an scps level", "resource_account")


def test_schema_is_valid():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("defaults,case", list(_load()))
def test_schema_agrees_with_the_loader(defaults, case):
    scenario = build(defaults, case)
    try:
        load_scenario(scenario, "case.json")
    except InputError as exc:
        if any(s in str(exc) for s in STRUCTURE):
            assert list(VALIDATOR.iter_errors(scenario)), str(exc)
            assert exc.pointer is not None or not isinstance(scenario, dict) or "request" not in scenario
        return
    assert not list(VALIDATOR.iter_errors(scenario))


def test_examples_validate():
    for path in sorted((ROOT / "examples" / "scenarios").glob("*.json*")):
        lines = path.read_text().splitlines() if path.suffix == ".jsonl" else [path.read_text()]
        for line in filter(str.strip, lines):
            assert not list(VALIDATOR.iter_errors(json.loads(line))), path


def test_readme_scenario_example_validates_and_evaluates():
    from seslint.evaluate import evaluate

    page = (ROOT / "docs" / "scenario-format.md").read_text()
    block = page.split("```json", 1)[1].split("```", 1)[0]
    scenario = json.loads(block)
    assert not list(VALIDATOR.iter_errors(scenario))
    assert evaluate(load_scenario(scenario, "docs/scenario-format.md")).decision == "allowed"
