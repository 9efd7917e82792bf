"""What every test folder shares: the one CLI runner, the Hypothesis profiles and a wheel venv."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, settings

# CI: the same examples on every run (derandomize), no per-example deadline (a slow shared runner is
# not a failure), fewer examples. Selected when CI=true; HYPOTHESIS_PROFILE overrides.
settings.register_profile("ci", derandomize=True, deadline=None, max_examples=50, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev"))


class Run(NamedTuple):
    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err


def invoke(*args: str, input: str | None = None) -> Run:
    """Run `seslint ARGS` through the console entry point, exit-code mapping included.

    Anything but SystemExit escapes: an exception here is a bug the CLI let through (a traceback).
    """
    from click.testing import CliRunner

    from seslint.cli import main

    with CliRunner().isolation(input=input) as (out, err, _):
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        return Run(code, out.getvalue().decode(), err.getvalue().decode())


@pytest.fixture
def cli():
    """`cli("lint", PATH, ...)` -> Run(code, out, err): the seslint command line as a user runs it."""
    return invoke


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def wheel_venv(tmp_path_factory) -> Path:
    """A fresh virtual environment with seslint installed from a wheel built from the source tree.

    The wheel is installed without dependencies: they come from the environment running the tests
    (its site-packages, appended to the new one's path), since the tests never reach the network."""
    return _wheel_venv(tmp_path_factory.mktemp("wheel"), compiled=False)


@pytest.fixture(scope="session")
def compiled_venv(tmp_path_factory) -> Path:
    """As `wheel_venv`, from the compiled build (`HATCH_BUILD_HOOK_ENABLE_MYPYC=1`): needs a C compiler."""
    if not (shutil.which("cc") or shutil.which("gcc")):
        pytest.skip("no C compiler: the compiled build (opt-in) cannot be built here")
    return _wheel_venv(tmp_path_factory.mktemp("compiled"), compiled=True)


def _wheel_venv(tmp: Path, compiled: bool) -> Path:
    # A copy of the tree: a build leaves compiled modules beside the sources it compiles.
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", ".ci", "*.egg-info", "__pycache__", "tests",
                                                             ".venv", "build", "*.so"))
    wheels = tmp / "wheels"
    env = {k: v for k, v in os.environ.items() if k != "HATCH_BUILD_HOOK_ENABLE_MYPYC"}
    if compiled:
        env["HATCH_BUILD_HOOK_ENABLE_MYPYC"] = "1"
    # --build-constraint as an environment variable: a pip too old to know it (before 25.3) ignores it
    env["PIP_BUILD_CONSTRAINT"] = str(ROOT / "tests" / "build-constraints.txt")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(src)],
                   check=True, capture_output=True, env=env)
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    [own] = (env_dir / "lib").glob("python*/site-packages")
    # A path line, not a site dir: the running environment's own .pth files (an editable seslint)
    # are not processed there, so the wheel's seslint is the one imported.
    (own / "running-environment.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    [wheel] = wheels.glob("seslint-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(env_dir / "bin" / "python"), "install",
                    "--no-deps", "-q", str(wheel)], check=True, capture_output=True)
    return env_dir


def pytest_sessionstart(session) -> None:
    """Refuse to test a source tree holding compiled modules: they would shadow the .py files."""
    stale = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "seslint").rglob("*.so"))
    if stale:
        pytest.exit(f"compiled modules in the source tree would be tested instead of the sources: {', '.join(stale)}"
                    " (remove them: git clean -fX seslint)", returncode=4)
