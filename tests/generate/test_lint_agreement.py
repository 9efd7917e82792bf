"""generate and lint agree: the linter reports nothing on a recipe's output, even at info, except
the findings a recipe's own help announces (by rule id), so the help never says the opposite."""

from __future__ import annotations

import json

import pytest

from seslint.generate import generate, load_recipe

from .conftest import lint_findings, parameter_sets

SETS = parameter_sets()
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(SETS)]


def _announced(name: str, values: dict) -> str:
    """The recipe help that applies to these values: its description and the help of each given flag."""
    recipe = load_recipe(name)
    return " ".join([recipe.description] + [p.help for p in recipe.parameters if values.get(p.name)])


@pytest.mark.parametrize("name,values", SETS, ids=IDS)
def test_generated_policy_lints_clean_at_info_unless_its_help_says_why(name, values, tmp_path, cli):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(generate(name, values), indent=2))
    rules = {f["rule"] for f in lint_findings(cli, path)}
    help = _announced(name, values)
    assert {r for r in rules if r not in help} == set()


def test_recipes_announce_only_findings_that_happen():
    announced = {(name, values.get("v2-only", False)) for name, values in SETS if "SES043" in _announced(name, values)}
    assert ("identity-admin", True) in announced and ("identity-admin", False) not in announced
