"""Shared helpers: lint a policy through `seslint lint`, the parameter sets of every recipe."""

from __future__ import annotations

import json

from seslint.generate import load_recipe, recipe_names


def lint_findings(cli, path) -> list[dict]:
    """`seslint lint PATH --format json` through the `cli` fixture, the opt-in rules too: its findings."""
    code, out, err = cli("lint", path, "--format", "json", "--fail-on", "never", "--extend-select", "SES028,SES043")
    assert (code, err) == (0, ""), err
    return json.loads(out)["findings"]


def parameter_sets() -> list[tuple[str, dict]]:
    """(recipe, values): the defaults when a recipe needs no parameter, then each declared example."""
    out = []
    for name in recipe_names():
        recipe = load_recipe(name)
        if not any(p.required for p in recipe.parameters):
            out.append((name, {}))
        out += [(name, dict(values)) for values in recipe.examples]
    return out
