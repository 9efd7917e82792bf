"""examples/generated/ holds real `seslint generate` output; this test regenerates and compares."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import lint_findings

GENERATED = Path(__file__).resolve().parents[2] / "examples" / "generated"
COMMANDS = {
    "ci-simulator-only.json": ["ci-simulator-only"],
    "restricted-sender.json": ["restricted-sender", "--from", "noreply@example.com", "--recipient-domain", "example.com",
                               "--configuration-set", "transactional", "--api-version", "2"],
    "recipient-guardrail.cfn.yaml": ["recipient-guardrail", "--recipient-domain", "example.com", "--recipient-domain",
                                     "simulator.amazonses.com", "--format", "cloudformation"],
    "sending-authorization.tf": ["sending-authorization", "--identity", "example.com", "--region", "us-east-1",
                                 "--account", "111122223333", "--delegate-account", "222233334444",
                                 "--recipient-domain", "example.org", "--format", "terraform"],
}


def test_every_generated_example_has_its_command():
    assert sorted(p.name for p in GENERATED.iterdir()) == sorted([*COMMANDS, "README.md"])


def test_the_folder_readme_names_the_command_of_each_file():
    import re
    import shlex

    rows = re.findall(r"^\| `([^`]+)` \| `seslint generate (.+) > \1` \|$", (GENERATED / "README.md").read_text(), re.MULTILINE)
    assert {name: shlex.split(command) for name, command in rows} == COMMANDS


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_generated_example_is_current(name, cli):
    code, out, _ = cli("generate", *COMMANDS[name])
    assert code == 0
    assert (GENERATED / name).read_text() == out, f"regenerate with: seslint generate {' '.join(COMMANDS[name])}"


@pytest.mark.parametrize("name", ["ci-simulator-only.json", "restricted-sender.json"])
def test_generated_json_examples_lint_clean(name, cli):
    assert lint_findings(cli, GENERATED / name) == []
