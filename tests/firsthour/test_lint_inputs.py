"""lint: one parse-error path (a bad file is a finding and never empties the good files' output), UTF-16
input, a summary line even when all is clean, and one line per finding whatever the input holds."""

from __future__ import annotations

import json

from tests.conftest import invoke

OK = "examples/policies/app-sender.json"


def run(*args):
    result = invoke("lint", *args)
    return result.code, result.output


def test_a_clean_file_still_gets_a_summary():
    assert run(OK) == (0, "checked 1 file, 1 policy: no findings\n")


def test_a_broken_yaml_file_is_a_finding_and_sarif_still_lists_the_rest(tmp_path):
    bad = tmp_path / "bad-tabs.yaml"
    bad.write_text("Resources:\n\tX: 1\n")
    code, out = run("--format", "sarif", str(bad), OK, "--fail-on", "info")
    results = json.loads(out)["runs"][0]["results"]
    assert code == 1 and [r["ruleId"] for r in results] == ["SES001"]
    code, out = run(str(bad), "examples/policies/raw-bypass.json")
    assert code == 1 and "SES001 error invalid YAML" in out and "SES040" in out


def test_a_broken_template_inside_a_folder_is_reported(tmp_path):
    (tmp_path / "stack.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n\tX: 1\n")
    (tmp_path / "notes.yaml").write_text("just: [unclosed\n")  # no template: skipped, as before
    code, out = run(str(tmp_path))
    assert code == 1 and "stack.yaml:3:1: SES001" in out and "notes.yaml" not in out


def test_utf16_files_are_read_and_utf16_without_bom_gets_a_hint(tmp_path):
    text = open(OK, encoding="utf-8").read()
    (tmp_path / "bom.json").write_bytes(text.encode("utf-16"))
    (tmp_path / "nobom.json").write_bytes(text.encode("utf-16-le"))
    assert run(str(tmp_path / "bom.json"))[0] == 0
    code, out = run(str(tmp_path / "nobom.json"))
    assert code == 1 and "UTF-16 without a byte order mark; save it as UTF-8" in out


def test_control_characters_do_not_split_a_finding(tmp_path):
    policy = {"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow",
                                                       "Action": "ses:Send\nEmail\u001b[31m", "Resource": "*"}]}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(policy))
    code, out = run(str(path), "--fail-on", "never")
    lines = out.splitlines()
    assert code == 0 and len(lines) >= 2 and all(line.startswith(str(path)) for line in lines[:-1])
    assert "\\n" in out and "\x1b" not in out and lines[-1].startswith("checked 1 file, 1 policy: found ")


def test_config_is_found_from_the_linted_paths_not_the_working_directory(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "policies").mkdir(parents=True)
    (project / ".seslint.toml").write_text('ignore = ["SES034"]\n')
    leaky = open("examples/policies/leaky-guardrail.json", encoding="utf-8").read()
    (project / "policies" / "leaky.json").write_text(leaky)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out = run(str(project / "policies" / "leaky.json"))
    assert code == 0 and "SES034" not in out


def test_a_named_file_that_is_no_policy_is_exit_3_after_the_others_are_reported(tmp_path):
    other = tmp_path / "package.json"
    other.write_text('{"name": "app"}')
    result = invoke("lint", "--format", "sarif", str(other), "examples/policies/raw-bypass.json")
    assert result.code == 3 and "not an IAM policy" in result.err
    assert [r["ruleId"] for r in json.loads(result.out)["runs"][0]["results"]] == ["SES040"]


def test_a_policy_string_that_is_no_json_is_a_finding(tmp_path):
    plan = json.load(open("examples/terraform/ses-plan.json", encoding="utf-8"))
    resources = plan["planned_values"]["root_module"]["resources"]
    policy = next(r for r in resources if isinstance(r["values"].get("policy"), str))
    policy["values"]["policy"] = "{not json"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    code, out = run(str(path), OK)
    assert code == 1 and "SES001 error policy string is not valid JSON" in out
