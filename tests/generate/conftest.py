"""Shared helpers: run the real CLI entry point, lint a policy through `seslint lint`."""

from __future__ import annotations

import json

from click.testing import CliRunner

from seslint.cli import cli, main
from seslint.generate import load_recipe, recipe_names


def run(*args: str) -> tuple[int, str, str]:
    """The real entry point (exit-code mapping included): (exit code, stdout, stderr)."""
    with CliRunner().isolation() as (out, err, _):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code
        return code, out.getvalue().decode(), err.getvalue().decode()


def lint_findings(path) -> list[dict]:
    """`seslint lint PATH --format json` through click's CliRunner: its findings."""
    result = CliRunner().invoke(cli, ["lint", str(path), "--format", "json", "--fail-on", "never"])
    assert result.exception is None, result.output
    return json.loads(result.stdout)["findings"]


def parameter_sets() -> list[tuple[str, dict]]:
    """(recipe, values): the defaults when a recipe needs no parameter, then each declared example."""
    out = []
    for name in recipe_names():
        recipe = load_recipe(name)
        if not any(p.required for p in recipe.parameters):
            out.append((name, {}))
        out += [(name, dict(values)) for values in recipe.examples]
    return out
