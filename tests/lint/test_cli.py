"""The lint command: formats, --fail-on and exit codes, rule selection and configuration."""

import json

import jsonschema
import pytest

from seslint import data
from tests.lint.conftest import write

LEAKY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Send", "Effect": "Allow", "Action": ["ses:SendEmail", "ses:SendRawEmail"],
     "Resource": "arn:aws:ses:us-east-1:111122223333:identity/example.com"},
    {"Sid": "Guard", "Effect": "Deny", "Action": ["ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail",
                                                   "ses:SendBulkTemplatedEmail"], "Resource": "*",
     "Condition": {"ForAllValues:StringNotLike": {"ses:Recipients": ["*@example.com"]}}}]}
WILD = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Send", "Effect": "Allow", "Action": "ses:Send*", "Resource": "arn:aws:ses:us-east-1:111122223333:identity/x"}]}


@pytest.fixture
def leaky(tmp_path):
    return write(tmp_path / "policies" / "leaky.json", LEAKY)


def test_text_format(leaky, run_lint):
    code, out = run_lint(leaky)
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith(f"{leaky}:25:29:") and " SES034 error 'ses:Recipients' uses ForAllValues in a Deny" in first
    assert out.splitlines()[-1] == "checked 1 file, 1 policy: found 1 error, 0 warnings, 0 infos"


def test_json_format_follows_the_contract_and_is_sorted(tmp_path, leaky, run_lint):
    wild = write(tmp_path / "policies" / "a-wild.json", WILD)
    code, out = run_lint(leaky, wild, "--format", "json")
    doc = json.loads(out)
    jsonschema.validate(doc, data.load("schemas/lint-output.schema.json"))
    keys = [(f["file"], f["line"], f["column"], f["rule"]) for f in doc["findings"]]
    assert keys == sorted(keys) and doc["version"] == 1
    assert {f["rule"] for f in doc["findings"]} == {"SES024", "SES034"}


def test_github_annotations(leaky, run_lint):
    code, out = run_lint(leaky, "--format", "github")
    assert out.startswith(f"::error file={leaky},line=25,col=29,")
    assert ",title=SES034 deny-for-all-values-negated::'ses%3ARecipients'" not in out  # message is not escaped
    assert "title=SES034 deny-for-all-values-negated::'ses:Recipients' uses ForAllValues" in out


@pytest.mark.parametrize("fail_on,code", [("error", 0), ("warning", 1), ("info", 1), ("never", 0)])
def test_fail_on(tmp_path, run_lint, fail_on, code):
    path = write(tmp_path / "p.json", WILD)  # one warning
    assert run_lint(path, "--fail-on", fail_on)[0] == code


def test_clean_policy_exits_zero_and_prints_only_the_summary(tmp_path, run_lint):
    clean = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:SendEmail",
                                                     "Resource": "arn:aws:ses:us-east-1:111122223333:identity/x"}]}
    assert run_lint(write(tmp_path / "p.json", clean)) == (0, "checked 1 file, 1 policy: no findings\n")


def test_select_and_ignore(leaky, tmp_path, lint_json):
    wild = write(tmp_path / "w.json", WILD)
    assert lint_json(leaky, wild, "--select", "SES024")[1] == {"SES024"}
    assert lint_json(leaky, wild, "--select", "SES02")[1] == {"SES024"}
    assert lint_json(leaky, wild, "--ignore", "broad-wildcard,SES034")[1] == set()


def test_unknown_rule_in_select_is_an_error(leaky, run_lint):
    code, out = run_lint(leaky, "--select", "SES999")
    assert code == 2 and "unknown lint rule 'SES999'" in out and "rules run from SES000 to SES0" in out


def test_usage_error_exit_2(run_lint):
    assert run_lint()[0] == 2
    assert run_lint("x.json", "--format", "xml")[0] == 2


def test_config_in_pyproject_select_severity_and_suppress(tmp_path, leaky, lint_json):
    write(tmp_path / "policies" / "w.json", WILD)
    write(tmp_path / "pyproject.toml", """
[project]
name = "x"

[tool.seslint]
ignore = ["SES043"]
severity = { broad-wildcard = "error" }

[[tool.seslint.suppress]]
path = "policies/leaky.json"
rule = "SES034"
sid = "Guard"
reason = "replaced next sprint"

[[tool.seslint.suppress]]
path = "policies/*.json"
rule = "SES021"
reason = "nothing matches: reported as unused"
""")
    code, rules, findings = lint_json(str(tmp_path / "policies"))
    assert rules == {"SES024", "SES048"}
    assert next(f for f in findings if f["rule"] == "SES024")["severity"] == "error"
    unused = next(f for f in findings if f["rule"] == "SES048")
    assert unused["file"].endswith("pyproject.toml") and unused["line"] == 15
    assert unused["pointer"] == "/tool/seslint/suppress/1"


def test_seslint_toml_found_from_a_subdirectory(tmp_path, leaky, lint_json, monkeypatch):
    write(tmp_path / ".seslint.toml", 'ignore = ["SES034"]\n')
    monkeypatch.chdir(tmp_path / "policies")
    assert lint_json("leaky.json")[1] == set()


def test_suppression_with_other_sid_does_not_apply(tmp_path, leaky, lint_json):
    cfg = write(tmp_path / "cfg.toml", '[[suppress]]\npath = "*"\nrule = "SES034"\nsid = "Other"\nreason = "x"\n')
    assert lint_json(leaky, "--config", cfg)[1] == {"SES034", "SES048"}


@pytest.mark.parametrize("text,message", [
    ('select = "SES001"', "'select' must be a list"),
    ('colour = "red"', "unknown setting 'colour'"),
    ('severity = { SES001 = "fatal" }', "use error, warning or info"),
    ('[[suppress]]\npath = "*"\nrule = "SES034"', "needs 'reason'"),
    ('ignore = ["not-a-rule"]', "unknown lint rule 'not-a-rule'"),
    ('select = [', "invalid TOML"),
])
def test_invalid_config_is_one_line_exit_3(tmp_path, leaky, run_lint, text, message):
    cfg = write(tmp_path / "bad.toml", text + "\n")
    code, out = run_lint(leaky, "--config", cfg)
    assert code == 3 and message in out.splitlines()[0] and "bad.toml" in out.splitlines()[0]


def test_crashing_rule_becomes_a_finding(tmp_path, lint_json, monkeypatch):
    from seslint.lint.checks import actions

    def boom(ctx):
        raise KeyError("surprise")
        yield

    monkeypatch.setattr(actions.broad_wildcard, "__code__", boom.__code__)
    code, rules, findings = lint_json(write(tmp_path / "p.json", WILD))
    assert rules == {"SES000"} and code == 1
    assert "rule SES024 crashed" in findings[0]["message"]
