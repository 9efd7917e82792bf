"""Nothing users read names a file they never receive or a Python identifier: every command's help,
`explain` of every action, operation and rule, and the data in rules/ that the CLI prints."""

from __future__ import annotations

import json
import re

import pytest

from seslint import data
from seslint.cli import COMMANDS
from seslint.generate import recipe_names
from seslint.lint.catalog import load_catalog
from seslint.matrix import load_matrix
from tests.conftest import invoke

FILES = re.compile(r"DESIGN\.md|shared/|\b[Ss]eeds?\b|\bseslint\.(aws|cli|lint|evaluate|generate|matrix|explain|audit"
                   r"|data|errors|jsondoc|policy|patterns|maintenance)\b")


def _identifiers() -> frozenset[str]:
    """Module-level names of the seslint package with an underscore (READER_ACTIONS, load_matrix)."""
    import ast
    from pathlib import Path

    import seslint

    names = set()
    for path in Path(seslint.__file__).parent.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return frozenset(n.strip("_") for n in names if "_" in n.strip("_"))


IDENTIFIERS = _identifiers()
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

DATA_FILES = ["quirks.json", "lint-rules.json", "equivalents.json", "global-keys.json"]


def run(*args) -> str:
    return invoke(*args).output


def leaks(text: str) -> list[str]:
    found = {m.group(0) for m in FILES.finditer(text)}
    return sorted(found | {w for w in WORD.findall(text) if w in IDENTIFIERS})


def strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def test_the_pattern_catches_what_it_is_for():
    assert leaks("see shared/DESIGN.md, Seed 004 and seslint.aws.READER_ACTIONS, load_matrix") == [
        "DESIGN.md", "READER_ACTIONS", "Seed", "load_matrix", "seslint.aws", "shared/"]
    assert leaks("AWS_MAX_ATTEMPTS, EMAIL_OR_DOMAIN, aws_ses_identity_policy and ses:SendEmail on arn:aws:ses:*") == []


@pytest.mark.parametrize("args", [["--help"]] + [[name, "--help"] for name in sorted(COMMANDS)]
                         + [["generate", name, "--help"] for name in recipe_names()] + [["generate", "--list"]])
def test_help_texts(args):
    assert leaks(run(*args)) == []


def test_explain_every_action_operation_and_rule():
    matrix = load_matrix()
    names = [a.full_name for a in matrix.expand("ses:*")] + sorted(load_catalog().rules)
    names += sorted({q["operation"] for q in matrix.quirks.values() if q["kind"] == "operation-mapping"})
    found = {name: leaks(run("explain", name)) for name in names}
    assert {k: v for k, v in found.items() if v} == {}


@pytest.mark.parametrize("name", DATA_FILES + [f"recipes/{r}.json" for r in recipe_names()])
def test_rule_data(name):
    value = json.loads((data.rules_dir() / name).read_text(encoding="utf-8"))
    assert leaks("\n".join(strings(value))) == []
