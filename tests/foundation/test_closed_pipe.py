"""A closed output exits 0 for every command (README, "Exit codes"): `seslint ... | head -1`.

Each command runs as a real process whose stdout is a pipe closed before it starts, so its first
write fails with EPIPE. The arguments make each command's own answer 1 where it can have one
(findings, denied, a counterexample, gained access): the test checks that answer with the pipe open,
so a command that ignores the closed pipe would fail here with 1.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from seslint.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
POLICIES = "examples/policies"
ACCOUNT = ("--account", "111122223333")
# command -> (arguments, its exit code when the output is read)
CASES = {
    "actions": (["ses:Send*"], 0),
    "explain": (["SES034"], 0),
    "rules": ([], 0),
    "generate": (["ci-simulator-only"], 0),
    "lint": ([f"{POLICIES}/"], 1),
    "simulate": (["--scenarios", "examples/scenarios/batch.jsonl"], 1),
    "can-send": (["--policy", f"{POLICIES}/ci-simulator-only.json", *ACCOUNT, "--from", "ci@example.com",
                  "--to", "someone@gmail.com"], 1),
    "prove": (["--policy", f"{POLICIES}/leaky-guardrail.json", *ACCOUNT, "--recipients-within", "*@example.com"], 1),
    "diff": ([f"{POLICIES}/ci-simulator-only.json", f"{POLICIES}/raw-bypass.json"], 1),
    "audit": (["--auth-details", "examples/auth-details-audit.json"], 1),
    "review": (["examples/policies", "--base", "HEAD"], 0),   # this checkout: nothing changed
    "who-can-send": (["example.com", "--auth-details", "examples/org/accounts", "--scps", "examples/org/scps.json",
                      "--fail-on", "any"], 1),
}


def test_every_command_is_covered():
    assert set(CASES) == set(COMMANDS)


def run(command: str, closed: bool) -> subprocess.CompletedProcess:
    args, _ = CASES[command]
    read, write = os.pipe()
    if closed:
        os.close(read)
    try:
        return subprocess.run([sys.executable, "-m", "seslint", command, *args], cwd=ROOT, stdout=write,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)
        if not closed:
            os.close(read)


@pytest.mark.parametrize("command", sorted(CASES))
def test_closed_output_exits_0(command):
    done = run(command, closed=True)
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.parametrize("command", sorted(c for c, (_, code) in CASES.items() if code))
def test_with_the_output_read_the_answer_is_1(command):
    """The same arguments, read to the end (a pipe that holds it all): the command's own answer."""
    assert run(command, closed=False).returncode == CASES[command][1]


def test_help_and_version_into_a_closed_pipe():
    for args in (["--help"], ["--version"], ["lint", "--help"]):
        read, write = os.pipe()
        os.close(read)
        done = subprocess.run([sys.executable, "-m", "seslint", *args], cwd=ROOT, stdout=write,
                              stderr=subprocess.PIPE, text=True, timeout=60)
        os.close(write)
        assert (done.returncode, done.stderr) == (0, ""), args
