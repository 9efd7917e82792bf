import json

import pytest


@pytest.fixture
def run_lint(cli, tmp_path, monkeypatch):
    """Run `seslint lint ARGS` in an empty temporary directory (no config found); returns (code, output),
    the output being stdout then stderr."""
    monkeypatch.chdir(tmp_path)

    def run(*args, input=None):
        result = cli("lint", *args, input=input)
        return result.code, result.out + result.err
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
