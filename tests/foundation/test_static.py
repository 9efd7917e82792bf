"""ruff and mypy run with the tests, so CI runs them: the configuration is [tool.ruff] and [tool.mypy] in
pyproject.toml (mypy strict for seslint.core). Both are pinned in tests/constraints.txt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hypothesis import settings

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def test_ruff():
    result = _run("ruff", "check", "--no-cache", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy(tmp_path):
    result = _run("mypy", "--cache-dir", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "seslint/core" not in result.stdout


def test_mypy_is_strict_for_the_core(tmp_path):
    """The same configuration rejects an untyped function in a seslint.core module (and only there)."""
    for package in ("seslint", "seslint/core", "seslint/lint"):
        (tmp_path / package).mkdir(exist_ok=True)
        (tmp_path / package / "__init__.py").write_text("")
    for module in ("seslint/core/probe.py", "seslint/lint/probe.py"):
        (tmp_path / module).write_text("def f(x):\n    return x\n")
    result = _run("mypy", "--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path / ".cache"),
                  "seslint/core/probe.py", "seslint/lint/probe.py", cwd=tmp_path)
    assert result.returncode == 1
    assert [line.split(":")[0] for line in result.stdout.splitlines() if "error:" in line] == ["seslint/core/probe.py"]


def test_hypothesis_ci_profile():
    ci = settings.get_profile("ci")
    assert ci.derandomize and ci.deadline is None and ci.max_examples <= 100
    if os.environ.get("CI") == "true" and not os.environ.get("HYPOTHESIS_PROFILE"):
        assert settings.default.derandomize and settings.default.deadline is None


def test_layers():
    """The import-linter contracts in pyproject.toml ([tool.importlinter]) hold, with no exception listed."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    assert all("ignore_imports" not in c for c in config["contracts"])
    result = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
