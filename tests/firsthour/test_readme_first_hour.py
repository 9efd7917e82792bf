"""A newcomer's first hour, end to end: a fresh virtual environment with seslint installed from a wheel
runs every command of the README's shell blocks (those that need no AWS account) and checks exit codes
and key output lines. CI runs it (`.ci/run` runs the whole suite; marker `e2e`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e

# README command (without its comment) -> (exit code, a line or phrase its output must hold)
EXPECT = {
    "seslint lint examples/policies/app-sender.json": (0, "checked 1 file, 1 policy: no findings"),
    "seslint lint examples/policies/leaky-guardrail.json": (1, "SES034 error 'ses:Recipients' uses ForAllValues"),
    "seslint explain SES034": (0, "What it does"),
    "seslint generate ci-simulator-only": (0, '"Sid": "SendToMailboxSimulatorOnly"'),
    "seslint rules": (0, "SES001  error    invalid-json"),
    "seslint lint examples/policies/": (1, "checked 6 files, 6 policies: found "),
    "seslint actions 'ses:Send*'": (0, "ses:SendRawEmail"),
    "seslint explain sesv2:SendEmail:raw": (0, "sesv2:SendEmail with raw content is authorized as:"),
    "seslint generate --list": (0, "needs: --from EMAIL_OR_DOMAIN"),
    "seslint simulate --scenario examples/scenarios/cross-account-delegate.json --explain": (0, "allowed: "),
    "seslint audit --auth-details examples/auth-details-audit.json": (1, "SES sending audit of "),
    "seslint review --base origin/main": (0, "reviewed 0 changed files from "),
}
NEEDS_AWS = ("--role", "--user", "--live", "--profile")


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line for block in re.findall(r"```sh\n(.*?)```", text, re.S)
             for line in re.sub(r"\\\n\s*", " ", block).splitlines()]
    return [line for line in lines if line.startswith("seslint ") and not any(f in line.split() for f in NEEDS_AWS)]


def bare(command: str) -> str:
    return " ".join(command.split("  #")[0].split())


def test_the_expected_commands_are_in_the_readme():
    assert set(EXPECT) <= {bare(c) for c in readme_commands()}


@pytest.fixture(scope="module")
def newcomer(wheel_venv, tmp_path_factory):
    """A working directory with the examples, and an environment whose PATH starts at the fresh venv."""
    home = tmp_path_factory.mktemp("newcomer")
    shutil.copytree(ROOT / "examples", home / "examples")
    # a clone: the examples committed, origin/main at that commit (seslint review compares with it)
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=n", "-c", "user.email=n@example.com", "commit", "-qm",
                                                 "examples"], ["update-ref", "refs/remotes/origin/main", "HEAD"]):
        subprocess.run(["git", *args], cwd=home, check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{wheel_venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return home, env


@pytest.mark.parametrize("command", readme_commands(), ids=lambda c: bare(c)[:60])
def test_readme_command(newcomer, command):
    home, env = newcomer
    done = subprocess.run(["bash", "-c", command], cwd=home, env=env, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert "Traceback" not in output
    assert done.returncode in (0, 1), output
    code, line = EXPECT.get(bare(command), (done.returncode, ""))
    assert (done.returncode, line in output) == (code, True), output
