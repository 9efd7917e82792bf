"""The compiled build (mypyc, opt-in: `HATCH_BUILD_HOOK_ENABLE_MYPYC=1 pip install .`) answers exactly
as the pure-Python sources do: the same output, byte for byte, on every cited case table and on
generated scenarios, with and without --explain and with a bad line among them; for every README
command; and for the linter on the real-world corpus, every rule's fixtures and odd policies."""

from __future__ import annotations

import copy
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.evaluate.scenario_gen import scenarios
from tests.evaluate.test_cases import _load, build
from tests.firsthour.test_readme_first_hour import bare, readme_commands

# What pyproject.toml's mypyc hook compiles: the evaluator's hot path.
COMPILED = ["seslint.policy", "seslint.jsondoc", "seslint.core.arn", "seslint.core.patterns",
            "seslint.evaluate.engine", "seslint.evaluate.matching", "seslint.evaluate.operators",
            "seslint.evaluate.scenario", "seslint.core.variables", "seslint.core.operators",
            "seslint.core.logic", "seslint.core.decision"]


def _python(env_dir: Path) -> str:
    return str(env_dir / "bin" / "python")


def test_version_names_the_build(wheel_venv, compiled_venv):
    for env_dir, kind in ((wheel_venv, "pure Python"), (compiled_venv, "compiled")):
        out = subprocess.run([_python(env_dir), "-m", "seslint", "--version"], capture_output=True, text=True,
                             check=True, cwd=env_dir).stdout
        assert out.splitlines()[0].endswith(f" ({kind})"), out


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


_ODD = [None, 0, -1, 1.5, True, "", "x", "*", "${aws:username}", [], {}, ["a", 1], {"a": 1}, 2 ** 70]


def _mutated(doc: dict, rng: random.Random) -> dict:
    """`doc` (a scenario or a policy) with one value, anywhere in it, replaced by one of _ODD."""
    paths: list[tuple] = []

    def walk(node):
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in items:
            paths.append((node, key))
            walk(child)

    walk(doc)
    node, key = rng.choice(paths)
    node[key] = copy.deepcopy(rng.choice(_ODD))
    return doc


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    """Every case table's scenario, a bad line, generated scenarios (unique and repeated policies)
    and generated scenarios with one value of an unexpected type each (most are errors)."""
    lines = [build(defaults, case) for defaults, case in (p.values for p in _load())]
    lines.append("{not json")
    lines += list(scenarios(11, 1500)) + list(scenarios(12, 500, unique=False))
    rng = random.Random(13)
    lines += [_mutated(s, rng) for s in scenarios(14, 1000)]
    path = tmp_path_factory.mktemp("batch") / "batch.jsonl"
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines))
    return path


@pytest.mark.parametrize("options", [["--jobs", "1"], ["--jobs", "1", "--explain"], ["--jobs", "1", "--format", "text"],
                                     ["--jobs", "2"]], ids=["json", "explain", "text", "workers"])
def test_compiled_and_pure_give_the_same_output(compiled_venv, batch, options):
    command = ["-m", "seslint", "simulate", "--scenarios", batch.name, *options]
    if "--format" not in options:
        command += ["--format", "json"]
    pure = subprocess.run([sys.executable, *command], capture_output=True, text=True, cwd=batch.parent,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    compiled = subprocess.run([_python(compiled_venv), *command], capture_output=True, text=True, cwd=batch.parent)
    assert pure.returncode == 3   # the bad line
    assert (compiled.returncode, compiled.stderr) == (pure.returncode, pure.stderr)
    assert compiled.stdout.splitlines() == pure.stdout.splitlines()
    assert len(pure.stdout.splitlines()) > 3000


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """A working directory with the examples, the real-world corpus and the rule fixtures."""
    home = tmp_path_factory.mktemp("home")
    shutil.copytree(ROOT / "examples", home / "examples")
    shutil.copytree(ROOT / "tests" / "realworld" / "corpus", home / "corpus")
    shutil.copytree(ROOT / "tests" / "lint" / "fixtures" / "rules", home / "rules")
    (home / "odd").mkdir()   # policies with a value of an unexpected type, for the tolerant reader
    rng = random.Random(5)
    for i, scenario in enumerate(scenarios(6, 300)):
        policy = _mutated(scenario["identity_policies"][0], rng)
        (home / "odd" / f"p{i:03d}.json").write_text(json.dumps(policy, indent=rng.choice([None, 2])))
    return home


def _run(env_dir: Path, command: str, home: Path) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(["bash", "-c", command], cwd=home, env=env, capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout, done.stderr


COMMANDS = [bare(c) for c in readme_commands()] + [f"seslint lint {d} --format json" for d in ("corpus", "rules", "odd")]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[:60])
def test_every_command_answers_alike(wheel_venv, compiled_venv, home, command):
    pure = _run(wheel_venv, command, home)
    assert "Traceback" not in pure[1] + pure[2]
    assert _run(compiled_venv, command, home) == pure
