"""`.seslint.toml` and [tool.seslint] are checked against rules/schemas/config.schema.json at run time:
one error, naming the key and its JSON pointer."""

import subprocess
import sys

import pytest

from seslint.lint.config import structure_problem
from tests.lint.conftest import write


@pytest.mark.parametrize("table,problem", [
    ({}, None),
    ({"select": ["SES0"], "ignore": [], "severity": {"SES024": "error"},
      "suppress": [{"path": "*", "rule": "SES024", "sid": "A", "reason": "x"}]}, None),
    ({"select": "SES001"}, ("'select' must be a list of rule ids, id prefixes or names", "/select")),
    ({"ignore": ["SES001", 3]}, ("'ignore[2]' must be a rule id, id prefix or name", "/ignore/1")),
    ({"colour": "red", "select": []}, ("unknown setting 'colour' (known: select, ignore, extend-select, severity, suppress, fail-on, format, baseline, never-granted)",
                                       "/colour")),
    ({"severity": ["SES001"]}, ("'severity' must be a table such as { SES024 = \"error\" }", "/severity")),
    ({"severity": {"SES001": "fatal"}}, ("'severity.SES001' is 'fatal': use error, warning or info",
                                         "/severity/SES001")),
    ({"suppress": {"path": "*"}}, ("'suppress' must be an array of tables ([[suppress]])", "/suppress")),
    ({"suppress": ["x"]}, ("'suppress[1]' must be a table with path, rule, reason and maybe sid", "/suppress/0")),
    ({"suppress": [{"path": "*", "rule": "SES034"}]},
     ("'suppress[1]' needs 'reason' (a non-empty string (why the finding is accepted))", "/suppress/0")),
    ({"suppress": [{"path": "*", "rule": "SES034", "reason": " \t"}]},
     ("'suppress[1].reason' must be a non-empty string (why the finding is accepted)", "/suppress/0/reason")),
    ({"suppress": [{"path": "*", "rule": "SES034", "reason": "x", "sid": 1}]},
     ("'suppress[1].sid' must be a string (a statement Sid)", "/suppress/0/sid")),
    ({"suppress": [{"path": "*", "rule": "SES034", "reason": "x", "until": "2027"}]},
     ("unknown setting 'until' in 'suppress[1]' (known: path, rule, sid, reason)", "/suppress/0/until")),
    ({"severity": {"SES001": "x"}, "select": 1},   # two problems: the first in document order
     ("'severity.SES001' is 'x': use error, warning or info", "/severity/SES001")),
    ({"select": 1, "severity": {"SES001": "x"}}, ("'select' must be a list of rule ids, id prefixes or names", "/select")),
    ({"suppress": [{"path": "*", "rule": "a", "reason": "x"}] * 10 + [{"path": 1, "rule": "a", "reason": "x"}]},
     ("'suppress[11].path' must be a non-empty string (a glob of file paths)", "/suppress/10/path")),
])
def test_structure(table, problem):
    assert structure_problem(table) == problem


def test_pyproject_pointer_starts_at_the_table(tmp_path, run_lint):
    write(tmp_path / "pyproject.toml", '[tool.seslint]\nignore = "SES034"\n')
    code, out = run_lint(write(tmp_path / "p.json", {"Version": "2012-10-17", "Statement": []}))
    assert code == 3
    assert out.splitlines() == [f"seslint: error: {tmp_path / 'pyproject.toml'} at /tool/seslint/ignore: "
                                "'ignore' must be a list of rule ids, id prefixes or names"]


def test_jsonschema_is_imported_only_when_there_is_a_config(tmp_path):
    code = ("import sys; from seslint.cli import main\n"
            "try: main(['lint', sys.argv[1]])\n"
            "except SystemExit: pass\n"
            "print('jsonschema' in sys.modules)")
    policy = write(tmp_path / "p.json", {"Version": "2012-10-17", "Statement": []})
    out = subprocess.run([sys.executable, "-c", code, policy], cwd=tmp_path, capture_output=True, text=True).stdout
    assert out.splitlines()[-1] == "False"
