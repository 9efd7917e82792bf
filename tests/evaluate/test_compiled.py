"""The compiled build (mypyc, opt-in: `HATCH_BUILD_HOOK_ENABLE_MYPYC=1 pip install .`) answers exactly
as the pure-Python sources do: the same output, byte for byte, on every cited case table and on
generated scenarios, with and without --explain and with a bad line among them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.evaluate.scenario_gen import scenarios
from tests.evaluate.test_cases import _load, build

# What pyproject.toml's mypyc hook compiles: the evaluator's hot path.
COMPILED = ["seslint.policy", "seslint.jsondoc", "seslint.core.arn", "seslint.core.patterns",
            "seslint.evaluate.engine", "seslint.evaluate.matching", "seslint.evaluate.operators",
            "seslint.evaluate.scenario", "seslint.evaluate.variables"]


def _python(env_dir: Path) -> str:
    return str(env_dir / "bin" / "python")


def test_the_hook_compiles_the_listed_modules(compiled_venv):
    files = subprocess.run([_python(compiled_venv), "-c", f"import importlib; print(*[importlib.import_module(m)"
                            f".__file__ for m in {COMPILED!r}], sep='\\n')"],
                           capture_output=True, text=True, check=True, cwd=compiled_venv).stdout.split()
    assert len(files) == len(COMPILED) and all(f.endswith(".so") for f in files), files
    include = sorted(m.replace(".", "/") for m in COMPILED)
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert sorted(p.strip(' "/').removesuffix(".py") for p in _hook_include(pyproject)) == include


def _hook_include(pyproject: str) -> list[str]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    return tomllib.loads(pyproject)["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"]["include"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    """Every case table's scenario, a bad line, and generated scenarios (unique and repeated policies)."""
    lines = [build(defaults, case) for defaults, case in (p.values for p in _load())]
    lines.append("{not json")
    lines += list(scenarios(11, 1500)) + list(scenarios(12, 500, unique=False))
    path = tmp_path_factory.mktemp("batch") / "batch.jsonl"
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines))
    return path


@pytest.mark.parametrize("options", [[], ["--explain"], ["--format", "text"]], ids=["json", "explain", "text"])
def test_compiled_and_pure_give_the_same_output(compiled_venv, batch, options):
    command = ["-m", "seslint", "simulate", "--scenarios", batch.name, "--jobs", "1", *options]
    if "--format" not in options:
        command += ["--format", "json"]
    pure = subprocess.run([sys.executable, *command], capture_output=True, text=True, cwd=batch.parent,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    compiled = subprocess.run([_python(compiled_venv), *command], capture_output=True, text=True, cwd=batch.parent)
    assert pure.returncode == 3   # the bad line
    assert (compiled.returncode, compiled.stderr) == (pure.returncode, pure.stderr)
    assert compiled.stdout.splitlines() == pure.stdout.splitlines()
    assert len(pure.stdout.splitlines()) > 2000
