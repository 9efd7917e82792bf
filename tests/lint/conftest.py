import json

import pytest
from click.testing import CliRunner

from seslint.cli import cli


@pytest.fixture
def run_lint(tmp_path, monkeypatch):
    """Run `seslint lint ARGS` in an empty temporary directory (no config found); returns (code, output)."""
    monkeypatch.chdir(tmp_path)

    def run(*args, input=None):
        from seslint.errors import SeslintError

        result = CliRunner().invoke(cli, ["lint", *args], input=input, prog_name="seslint")
        if isinstance(result.exception, SeslintError):
            return result.exception.exit_code, str(result.exception)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.output
    return run


@pytest.fixture
def lint_json(run_lint):
    """Lint and return (exit code, set of rule ids, findings)."""
    def run(*args, input=None):
        code, out = run_lint(*args, "--format", "json", input=input)
        findings = json.loads(out)["findings"] if code in (0, 1) else []
        return code, {f["rule"] for f in findings}, findings
    return run


def write(path, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value if isinstance(value, str) else json.dumps(value, indent=2))
    return str(path)
