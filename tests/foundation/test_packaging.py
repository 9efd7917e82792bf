"""A non-editable install finds its rules/ data; `seslint actions` stays off boto3."""

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_startup_of_actions_imports_neither_boto3_nor_jsonschema():
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "seslint", "actions", "ses:SendEmail"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    imported = {line.split("|")[-1].strip().split(".")[0] for line in out.stderr.splitlines() if "|" in line}
    assert "click" in imported
    assert not imported & {"boto3", "botocore", "jsonschema", "yaml", "policyuniverse"}


def test_wheel_install_into_a_fresh_venv_ships_rules(tmp_path):
    """Build a wheel from the source tree and install it (no deps: they come from this env)."""
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", ".ci", "*.egg-info", "__pycache__", "tests", ".venv"))
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(src)],
                   check=True, capture_output=True)
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    [wheel] = wheels.glob("seslint-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
                   check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = ("import seslint.data as d, sys; print(d.rules_dir()); "
            "from seslint.cli import main; sys.argv=['seslint','actions','ses:SendRawEmail','--format','json']; main()")
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=elsewhere, env=env)
    assert out.returncode == 0, out.stderr
    rules_path, _, rows = out.stdout.partition("\n")
    assert rules_path.startswith(str(env_dir)) and rules_path.endswith("seslint/_rules")
    assert json.loads(rows)[0]["action"] == "ses:SendRawEmail"
