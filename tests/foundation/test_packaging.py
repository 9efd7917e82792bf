"""A non-editable install finds its rules/ data; `seslint actions` stays off boto3."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_startup_of_actions_imports_neither_boto3_nor_jsonschema():
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "seslint", "actions", "ses:SendEmail"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    imported = {line.split("|")[-1].strip().split(".")[0] for line in out.stderr.splitlines() if "|" in line}
    assert "click" in imported
    assert not imported & {"boto3", "botocore", "jsonschema", "yaml", "policyuniverse"}


def test_a_batch_imports_only_what_evaluating_needs(tmp_path):
    """`simulate --scenarios` is started once per batch, often for small ones: its start-up stays off
    the AWS client, the action matrix (only an unknown action's did-you-mean needs it) and the
    scenario schema (only a bad line needs it)."""
    batch = tmp_path / "one.jsonl"
    batch.write_text(json.dumps({"request": {"action": "ses:SendEmail", "resource": "*"},
                                 "identity_policies": [{"Version": "2012-10-17", "Statement": [
                                     {"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}]}]}) + "\n")
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "seslint", "simulate", "--scenarios", str(batch)],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    imported = {line.split("|")[-1].strip() for line in out.stderr.splitlines() if "|" in line}
    assert "seslint.evaluate.matching" in imported   # (modules loaded by importlib.import_module go unlogged)
    assert not imported & {"boto3", "botocore", "jsonschema", "yaml", "policyuniverse", "seslint.aws",
                           "seslint.matrix", "z3"}


def test_wheel_install_into_a_fresh_venv_ships_rules(wheel_venv, tmp_path):
    """A wheel built from the source tree (installed by the shared `wheel_venv` fixture)."""
    env_dir = wheel_venv
    python = env_dir / "bin" / "python"
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
