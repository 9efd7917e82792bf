"""SARIF 2.1.0 output validates against the OASIS schema (tests/lint/sarif-schema-2.1.0.json)."""

import json
from pathlib import Path

import jsonschema

from tests.lint.conftest import write

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text())
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_sarif_validates_and_carries_every_rule(run_lint):
    code, out = run_lint(str(EXAMPLES / "policies"), str(EXAMPLES / "cloudformation"), "--format", "sarif")
    log = json.loads(out)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert code == 1 and len(rules) == len({r["id"] for r in rules})
    assert run["results"], "the examples have findings"
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1


def test_sarif_without_findings_is_valid(tmp_path, run_lint):
    clean = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:SendEmail",
                                                     "Resource": "arn:aws:ses:us-east-1:111122223333:identity/x"}]}
    code, out = run_lint(write(tmp_path / "p.json", clean), "--format", "sarif")
    log = json.loads(out)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert code == 0 and log["runs"][0]["results"] == []


def test_schema_copy_rejects_what_the_official_schema_rejects():
    validator = jsonschema.Draft4Validator(SCHEMA)
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
                                         "results": [{"ruleId": "SES001", "level": "fatal", "message": {"text": "m"}}]}]}
    assert not validator.is_valid(bad)
    assert not validator.is_valid({"version": "2.0.0", "runs": []})
    assert not validator.is_valid({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [
        {"message": {"text": "m"}, "locations": [{"physicalLocation": {"region": {"startLine": 0}}}]}]}]})
