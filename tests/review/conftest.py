"""A temporary git repository for `seslint review` (and the Action's script), and policy builders."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

ACCOUNT = "111122223333"
ARN = f"arn:aws:ses:us-east-1:{ACCOUNT}"


class Repo:
    """A git work tree in a temporary folder: write files, commit, read its status."""

    def __init__(self, path: Path):
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.email", "review@example.com")
        self.git("config", "user.name", "seslint tests")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str) -> str:
        return subprocess.run(["git", *args], cwd=self.path, check=True, capture_output=True, text=True).stdout

    def write(self, name: str, value) -> Path:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(value if isinstance(value, str) else json.dumps(value, indent=2) + "\n")
        return target

    def remove(self, name: str) -> None:
        (self.path / name).unlink()

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def status(self) -> str:
        return self.git("status", "--porcelain=v1", "--untracked-files=all")


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Repo:
    """An empty git repository, the current directory for the test."""
    found = Repo(tmp_path / "repo")
    monkeypatch.chdir(found.path)
    return found


def policy(*statements) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def send(sid="Send", actions=("ses:SendEmail", "ses:SendRawEmail"), resource=f"{ARN}:identity/example.com",
         condition=None, effect="Allow", **extra) -> dict:
    st = {"Sid": sid, "Effect": effect, "Action": list(actions), "Resource": resource, **extra}
    if condition:
        st["Condition"] = condition
    return st


def only_to(pattern: str) -> dict:
    return {"ForAllValues:StringLike": {"ses:Recipients": [pattern]}, "Null": {"ses:Recipients": "false"}}
