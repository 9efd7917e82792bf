"""Issue 26: a team adopts seslint in a day. Suppressions under pre-commit (SES048 only where the
linted paths cover them, with a relative path), a baseline, inline suppressions in CloudFormation
Metadata, fail-on and format in the config, and [[never-granted]] checks decided by the prover."""

from __future__ import annotations

import json

import pytest

from tests.lint.conftest import write

SEND_STAR = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Legacy", "Effect": "Allow", "Action": "ses:Send*",
     "Resource": "arn:aws:ses:us-east-1:111122223333:identity/example.com"}]}
CLEAN = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["ses:SendEmail", "ses:SendRawEmail"],
     "Resource": "arn:aws:ses:us-east-1:111122223333:identity/example.com"}]}
SUPPRESS = ('[[suppress]]\npath = "policies/legacy/*.json"\nrule = "SES024"\nsid = "Legacy"\n'
            'reason = "owned by the billing team"\n')


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository: a legacy policy whose SES024 is suppressed, and a new clean policy."""
    write(tmp_path / ".seslint.toml", SUPPRESS)
    write(tmp_path / "policies" / "legacy" / "mailer.json", SEND_STAR)
    write(tmp_path / "policies" / "new.json", CLEAN)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def rules(run) -> list[str]:
    return [f["rule"] for f in json.loads(run.out)["findings"]]


# -- SES048 under pre-commit ---------------------------------------------------------------------

def test_suppression_of_another_file_is_not_unused_when_only_changed_files_are_linted(repo, cli):
    """pre-commit passes only the changed files: a commit that touches policies/new.json only."""
    result = cli("lint", "--fail-on", "warning", "policies/new.json")
    assert result.code == 0, result.output
    assert result.out == "checked 1 file, 1 policy: no findings\n"


def test_a_used_suppression_is_quiet_and_a_stale_one_speaks_where_it_is_covered(repo, cli):
    assert cli("lint", "--fail-on", "warning", ".").code == 0
    write(repo / "policies" / "legacy" / "mailer.json", CLEAN)   # the legacy policy was fixed
    for paths in (["policies/legacy/mailer.json"], ["policies"], ["."]):
        result = cli("lint", "--format", "json", *paths)
        assert rules(result) == ["SES048"], paths
    assert rules(cli("lint", "--format", "json", "policies/new.json")) == []


def test_unused_suppression_carries_a_relative_path_in_text_json_and_sarif(repo, cli):
    write(repo / "policies" / "legacy" / "mailer.json", CLEAN)
    text = cli("lint", "policies").out
    assert text.splitlines()[0].startswith(".seslint.toml:1:1: SES048 warning suppression of SES024")
    finding = json.loads(cli("lint", "--format", "json", "policies").out)["findings"][0]
    assert (finding["file"], finding["line"], finding["pointer"]) == (".seslint.toml", 1, "/suppress/0")
    sarif = json.loads(cli("lint", "--format", "sarif", "policies").out)
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == ".seslint.toml"


# -- the baseline --------------------------------------------------------------------------------

def test_baseline_is_written_then_read_back(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "policies" / "a.json", SEND_STAR)
    first = cli("lint", "--baseline", "seslint-baseline.json", "--fail-on", "warning", "policies")
    assert first.code == 0, first.output
    assert "wrote 1 findings to the baseline seslint-baseline.json" in first.err
    doc = json.loads((tmp_path / "seslint-baseline.json").read_text())
    assert [(f["file"], f["rule"], f["pointer"]) for f in doc["findings"]] == [
        ("policies/a.json", "SES024", "/Statement/0/Action")]
    again = cli("lint", "--baseline", "seslint-baseline.json", "--fail-on", "warning", "policies")
    assert (again.code, again.out) == (0, "checked 1 file, 1 policy: no findings\n")
    assert "1 findings accepted by the baseline" in again.err
    write(tmp_path / "policies" / "b.json", SEND_STAR)   # a new policy with the same problem
    new = cli("lint", "--baseline", "seslint-baseline.json", "--fail-on", "warning", "--format", "json", "policies")
    assert new.code == 1
    assert [(f["file"], f["rule"]) for f in json.loads(new.out)["findings"]] == [("policies/b.json", "SES024")]
    updated = cli("lint", "--baseline", "seslint-baseline.json", "--update-baseline", "policies")
    assert "wrote 2 findings" in updated.err
    assert cli("lint", "--baseline", "seslint-baseline.json", "--fail-on", "warning", "policies").code == 0


def test_baseline_from_another_folder_matches_by_relative_path(tmp_path, monkeypatch, cli):
    write(tmp_path / "repo" / "p.json", SEND_STAR)
    monkeypatch.chdir(tmp_path / "repo")
    cli("lint", "--baseline", "base.json", "p.json")
    monkeypatch.chdir(tmp_path)
    assert cli("lint", "--baseline", "repo/base.json", "--fail-on", "warning", "repo/p.json").code == 0


def test_a_broken_baseline_is_exit_3(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "p.json", SEND_STAR)
    write(tmp_path / "base.json", {"findings": [{"file": "p.json"}]})
    result = cli("lint", "--baseline", "base.json", "p.json")
    assert result.code == 3
    assert result.err.startswith('seslint: error: base.json: not a seslint baseline (an object with "version": 1')


def test_update_baseline_needs_a_file(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "p.json", SEND_STAR)
    assert cli("lint", "--update-baseline", "p.json").code == 2


# -- CloudFormation Metadata ---------------------------------------------------------------------

TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
{top}Resources:
  Legacy:
    Type: AWS::IAM::ManagedPolicy
{meta}    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: "ses:Send*"
            Resource: !Sub "arn:aws:ses:${{AWS::Region}}:${{AWS::AccountId}}:identity/example.com"
  Other:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: "ses:Send*"
            Resource: !Sub "arn:aws:ses:${{AWS::Region}}:${{AWS::AccountId}}:identity/example.com"
"""


@pytest.mark.parametrize(("top", "meta", "left"), [
    ("", "", ["Legacy", "Other"]),
    ("", "    Metadata:\n      seslint:\n        ignore_checks: [SES024]\n", ["Other"]),
    ("", "    Metadata:\n      seslint:\n        ignore_checks: [broad-wildcard]\n", ["Other"]),
    ("Metadata:\n  seslint:\n    ignore_checks: [SES024]\n", "", []),
    ("", "    Metadata:\n      seslint:\n        ignore_checks: [SES028]\n", ["Legacy", "Other"]),
])
def test_metadata_ignore_checks(tmp_path, lint_json, top, meta, left):
    path = write(tmp_path / "stack.yaml", TEMPLATE.format(top=top, meta=meta))
    _, _, findings = lint_json(path)
    assert [f["pointer"].split("/")[2] for f in findings if f["rule"] == "SES024"] == left


@pytest.mark.parametrize(("meta", "message"), [
    ("    Metadata:\n      seslint:\n        ignore_checks: [SES999]\n",
     "stack.yaml at /Resources/Legacy/Metadata/seslint/ignore_checks/0: unknown lint rule 'SES999'"),
    ("    Metadata:\n      seslint: [SES024]\n",
     "stack.yaml at /Resources/Legacy/Metadata/seslint: Metadata 'seslint' must be an object with 'ignore_checks'"),
])
def test_metadata_mistakes_are_exit_3_naming_the_place(tmp_path, run_lint, meta, message):
    write(tmp_path / "stack.yaml", TEMPLATE.format(top="", meta=meta))
    code, out = run_lint("stack.yaml")
    assert code == 3
    assert f"seslint: error: {message}" in out


# -- fail-on and format in the config ------------------------------------------------------------

def test_fail_on_and_format_from_the_config(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "p.json", SEND_STAR)   # one warning
    assert cli("lint", "p.json").code == 0
    write(tmp_path / ".seslint.toml", 'fail-on = "warning"\nformat = "json"\n')
    result = cli("lint", "p.json")
    assert result.code == 1 and rules(result) == ["SES024"]
    overridden = cli("lint", "--fail-on", "error", "--format", "text", "p.json")
    assert overridden.code == 0 and overridden.out.startswith("p.json:")
    write(tmp_path / ".seslint.toml", 'format = "xml"\n')
    bad = cli("lint", "p.json")
    assert bad.code == 3 and "'format' is 'xml': use text, json, sarif or github" in bad.err


# -- never-granted, decided by the prover --------------------------------------------------------

NEVER = """[[never-granted]]
actions = ["ses:PutIdentityPolicy"]
reason = "only the platform team changes who may send as an identity"

[[never-granted]]
recipients-within = ["*@example.com"]
reason = "staging mails only our own domain"
"""
GUARDED_SEND = {"Effect": "Allow", "Action": "ses:SendEmail",
                "Resource": "arn:aws:ses:us-east-1:111122223333:identity/example.com",
                "Condition": {"ForAllValues:StringLike": {"ses:Recipients": "*@example.com"},
                              "Null": {"ses:Recipients": "false"}}}


def _never(tmp_path, monkeypatch, cli, *statements):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / ".seslint.toml", NEVER)
    write(tmp_path / "p.json", {"Version": "2012-10-17", "Statement": list(statements)})
    return cli("lint", "--select", "SES069", "--format", "json", "p.json")


@pytest.mark.parametrize(("statements", "messages"), [
    ([GUARDED_SEND], []),
    ([GUARDED_SEND, {"Effect": "Allow", "Action": "ses:Put*", "Resource": "*"}],
     ["never-granted 1 (only the platform team changes who may send as an identity): this policy grants "
      "ses:PutIdentityPolicy on *"]),
    # NotAction grants it too, and a Deny on it makes the grant go away
    ([GUARDED_SEND, {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
      {"Effect": "Deny", "Action": ["ses:PutIdentityPolicy", "ses:SendEmail", "ses:SendRawEmail", "ses:Send*"],
       "Resource": "*"}], []),
    # only from one network: still a grant, and the message says on what it depends
    ([GUARDED_SEND, {"Effect": "Allow", "Action": "ses:PutIdentityPolicy", "Resource": "*",
                     "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}],
     ["never-granted 1 (only the platform team changes who may send as an identity): this policy grants "
      "ses:PutIdentityPolicy on * when aws:SourceIp allow it"]),
    ([{**GUARDED_SEND, "Condition": {"ForAnyValue:StringLike": {"ses:Recipients": "*@example.com"}}}],
     ['never-granted 2 (staging mails only our own domain): this policy allows a send with recipients outside '
      '*@example.com: a sesv2:SendEmail (simple) send from ']),
])
def test_never_granted(tmp_path, monkeypatch, cli, statements, messages):
    """Each message as given, or starting so (a witness send's addresses are the solver's choice)."""
    result = _never(tmp_path, monkeypatch, cli, *statements)
    assert result.code == (1 if messages else 0), result.output
    found = [f["message"] for f in json.loads(result.out)["findings"]]
    assert len(found) == len(messages) and all(f.startswith(m) for f, m in zip(found, messages, strict=True))


def test_never_granted_names_an_unknown_action(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / ".seslint.toml", '[[never-granted]]\nactions = ["ses:PutIdentityPolicee"]\nreason = "x"\n')
    write(tmp_path / "p.json", CLEAN)
    result = cli("lint", "p.json")
    assert result.code == 3
    assert result.err.startswith("seslint: error: ") and ".seslint.toml at /never-granted/0/actions/0: " \
        "never-granted 1: 'ses:PutIdentityPolicee' names no ses: action" in result.err


def test_never_granted_needs_a_property(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / ".seslint.toml", '[[never-granted]]\nreason = "x"\n')
    write(tmp_path / "p.json", CLEAN)
    result = cli("lint", "p.json")
    assert result.code == 3
    assert "'never-granted[1]' must be a table with reason and at least one of actions" in result.err


def test_version_names_the_real_update_path(cli):
    out = cli("--version").out
    assert "pip install -U seslint" not in out
    assert "git pull" in out and "pre-commit autoupdate" in out


# -- noise: SES028 and SES043 only when selected -------------------------------------------------

QUOTA = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:GetSendQuota", "Resource": "*"}]}
SMTP_USER = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:SendRawEmail", "Resource": "*"}]}


@pytest.mark.parametrize(("policy", "rule"), [(QUOTA, "SES043"), (SMTP_USER, "SES028")])
def test_opt_in_rules_speak_only_when_selected(tmp_path, monkeypatch, cli, policy, rule):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "p.json", policy)
    quiet = cli("lint", "--fail-on", "info", "p.json")
    assert (quiet.code, quiet.out) == (0, "checked 1 file, 1 policy: no findings\n")
    assert rules(cli("lint", "--format", "json", "--extend-select", rule, "p.json")) == [rule]
    assert rules(cli("lint", "--format", "json", "--select", rule, "p.json")) == [rule]
    write(tmp_path / ".seslint.toml", f'extend-select = ["{rule}"]\n')
    assert rules(cli("lint", "--format", "json", "p.json")) == [rule]
    assert "(off unless selected: --extend-select)" in next(
        line for line in cli("rules").out.splitlines() if line.startswith(rule))
