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


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory):
    """One pre-commit cache for the module: the hook's environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def test_hook_blocks_a_leaky_policy_and_passes_a_clean_one(hook_repo, pre_commit_home, tmp_path):
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
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(pre_commit_home)}

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


def test_a_suppression_of_an_unchanged_file_does_not_block_a_commit(hook_repo, pre_commit_home, tmp_path):
    """Issue 26: pre-commit passes only the changed files, so the suppression of a legacy policy
    matches nothing in this run; with --fail-on warning, SES048 used to block every such commit."""
    repo, rev = hook_repo
    user = tmp_path / "user"
    (user / "policies" / "legacy").mkdir(parents=True)
    git("init", "--quiet", cwd=user)
    (user / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n      - id: seslint\n"
        "        args: [--fail-on, warning]\n")
    (user / ".seslint.toml").write_text('[[suppress]]\npath = "policies/legacy/*.json"\nrule = "SES024"\n'
                                         'reason = "owned by the billing team"\n')
    legacy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:Send*",
              "Resource": "arn:aws:ses:us-east-1:111122223333:identity/example.com"}]}
    (user / "policies" / "legacy" / "mailer.json").write_text(json.dumps(legacy, indent=2))
    git("add", ".", cwd=user)
    git("commit", "--quiet", "-m", "legacy", cwd=user)
    (user / "policies" / "new.json").write_text((ROOT / "examples" / "policies" / "ci-simulator-only.json").read_text())
    git("add", ".", cwd=user)
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(pre_commit_home)}
    changed = subprocess.run(["pre-commit", "run", "--color", "never"], cwd=user, env=env,
                             capture_output=True, text=True, timeout=600)
    assert changed.returncode == 0, changed.stdout + changed.stderr
    assert "SES048" not in changed.stdout


def test_readme_block_pins_a_commit_of_this_repository_and_says_to_autoupdate():
    """The README's `rev:` must exist in a clone (a tag that was never pushed does not)."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rev = re.search(r"^\s+rev: (\S+)", readme, re.MULTILINE)[1]
    assert re.fullmatch(r"[0-9a-f]{40}", rev)
    assert "pre-commit autoupdate" in readme
    if (ROOT / ".git").exists():
        git("cat-file", "-e", f"{rev}^{{commit}}", cwd=ROOT)
