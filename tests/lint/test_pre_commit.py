"""The pre-commit hook, run by the real pre-commit against a temporary repository that uses it."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("pre-commit") is None or shutil.which("git") is None,
                                reason="pre-commit (a test extra) or git is not installed")
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(*args, cwd):
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    """A clone of the project's HEAD with the current hook definition committed (pre-commit needs a rev)."""
    repo = tmp_path_factory.mktemp("hook") / "seslint"
    git("clone", "--quiet", "--no-hardlinks", str(ROOT), str(repo), cwd=ROOT)
    shutil.copy(ROOT / ".pre-commit-hooks.yaml", repo / ".pre-commit-hooks.yaml")
    if git("status", "--porcelain", cwd=repo):
        git("add", ".pre-commit-hooks.yaml", cwd=repo)
        git("commit", "--quiet", "-m", "hook under test", cwd=repo)
    return repo, git("rev-parse", "HEAD", cwd=repo)


def test_hook_blocks_a_leaky_policy_and_passes_a_clean_one(hook_repo, tmp_path):
    repo, rev = hook_repo
    user = tmp_path / "user"
    user.mkdir()
    git("init", "--quiet", cwd=user)
    (user / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n      - id: seslint\n")
    (user / "package.json").write_text(json.dumps({"name": "app"}))  # not a policy: skipped
    (user / "deploy.yml").write_text("on: push\n")
    leaky = json.loads((ROOT / "examples" / "policies" / "leaky-guardrail.json").read_text())
    (user / "ses-policy.json").write_text(json.dumps(leaky, indent=2))
    (user / "stack.template").write_text(json.dumps(leaky, indent=2))  # CloudFormation's other extension
    git("add", ".", cwd=user)
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "cache")}

    def run():
        return subprocess.run(["pre-commit", "run", "--all-files", "--color", "never"], cwd=user, env=env,
                              capture_output=True, text=True, timeout=600)

    failed = run()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "SES034" in failed.stdout and "package.json" not in failed.stdout
    assert "stack.template:" in failed.stdout

    fixed = (ROOT / "examples" / "policies" / "ci-simulator-only.json").read_text()
    (user / "ses-policy.json").write_text(fixed)
    (user / "stack.template").write_text(fixed)
    git("add", ".", cwd=user)
    passed = run()
    assert passed.returncode == 0, passed.stdout + passed.stderr
