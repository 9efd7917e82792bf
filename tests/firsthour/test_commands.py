"""What a newcomer meets in the first hour, command by command: help lines, lists, hints, wording."""

from __future__ import annotations

import json

import click
import pytest

from seslint.cli import COMMANDS, cli
from seslint.lint.catalog import load_catalog
from tests.conftest import invoke


def run(*args, input=None):
    result = invoke(*args, input=input)
    return result.code, result.output


def _commands():
    ctx = click.Context(cli)
    for name in sorted(COMMANDS):
        command = cli.get_command(ctx, name)
        yield name, command
        if isinstance(command, click.Group):
            for sub in command.list_commands(ctx):
                yield f"{name} {sub}", command.get_command(ctx, sub)


@pytest.mark.parametrize("name,command", list(_commands()), ids=[n for n, _ in _commands()])
def test_every_option_has_a_help_line(name, command):
    assert [p.opts for p in command.params if isinstance(p, click.Option) and not p.help] == []


def test_rules_lists_every_rule():
    code, out = run("rules")
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == sorted(load_catalog().rules)
    code, out = run("rules", "--format", "json")
    assert code == 0 and [r["id"] for r in json.loads(out)] == sorted(load_catalog().rules)


@pytest.mark.parametrize("args", [("explain", "SES999"), ("lint", "--select", "SES999", "examples/")])
def test_an_unknown_rule_is_a_usage_error_that_names_the_range(args):
    code, out = run(*args)
    last = sorted(load_catalog().rules)[-1]
    assert code == 2 and f"rules run from SES000 to {last}" in out


def test_actions_text_stays_readable():
    code, out = run("actions")
    assert code == 0 and max(len(line) for line in out.splitlines()) <= 110
    assert "quirk: " in out and "quirk ck-" not in out and "quirks: " not in out


@pytest.mark.parametrize("args, code, text", [
    (("actions", "--access-level", "Writ"), 2, "is not an access level; use one of: List, Permissions management"),
    (("actions", "sesv2:*"), 3, "IAM actions of every SES API are named ses:"),
    (("simulate", "--policy", "examples/policies/app-sender.json", "--action", "ses:SendEmial"), 3,
     "did you mean 'ses:SendEmail'?"),
    (("simulate", "--policy", "examples/policies/app-sender.json", "--action", "sesv2:SendEmail"), 3,
     "`seslint explain sesv2:SendEmail` shows"),
    (("simulate", "--policy", "examples/policies/app-sender.json", "--action", "ses:SendEmail", "--principal", "ci"),
     2, "'ci' is not an IAM principal ARN"),
    (("simulate", "--policy", "examples/terraform/ses-plan.json", "--action", "ses:SendEmail"), 3,
     "--policy takes one raw policy JSON document, and this is a Terraform plan"),
    (("simulate", "--policy", "examples/cloudformation/ses-app.yaml", "--action", "ses:SendEmail"), 3,
     "--policy takes one raw policy JSON document, not YAML"),
])
def test_hints(args, code, text):
    got, out = run(*args)
    assert (got, text in out) == (code, True), out


def test_access_level_filter_matches_each_part_of_a_combined_level():
    code, out = run("actions", "--access-level", "permissions management", "--format", "json")
    assert code == 0 and all("Permissions management" in r["access_level"].split(", ") for r in json.loads(out))


def test_one_pretty_printed_scenario_in_scenarios_gets_a_hint(tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(json.load(open("examples/scenarios/app-sends.json")), indent=2))
    code, out = run("simulate", "--scenarios", str(path))
    assert code == 3 and "use --scenario FILE for a single scenario" in out and out.count("error") == 1


def test_explain_wording():
    assert "the same action in v1 and v2: ses:SendEmail" in run("explain", "ses:SendEmail")[1]
    raw = run("explain", "sesv2:SendEmail:raw")[1]
    assert "ses:SendRawEmail" in raw and "ses:SendTemplatedEmail" not in raw
    out = run("simulate", "--scenario", "examples/scenarios/cross-account-delegate.json", "--explain")[1]
    assert "policy examples/scenarios/cross-account-delegate.json at /resource_policy" in out


def test_can_send_asks_the_regions_the_policy_names_and_says_where_the_answer_differs(tmp_path):
    args = ["can-send", "--policy", "examples/policies/app-sender.json", "--account", "111122223333",
            "--from", "noreply@example.com", "--to", "a@example.org"]
    code, out = run(*args)
    assert code == 0 and "arn:aws:ses:eu-west-1:" in out   # app-sender.json names eu-west-1, not us-east-1
    assert "the answer depends on the account and region: allowed in eu-west-1" in out
    assert "depends on the account and region" not in run(*args, "--region", "eu-west-1")[1]
    # a policy that names no region: a default region, and the note says it is one
    anywhere = tmp_path / "anywhere.json"
    anywhere.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:*", "Resource": "*"}]}')
    assert "region us-east-1 (the policies name none" in run(
        "can-send", "--policy", str(anywhere), "--account", "111122223333", "--from", "ci@example.com",
        "--to", "a@example.org")[1]


def test_an_unknown_action_in_a_batch_line_is_an_error_line(tmp_path):
    good = json.load(open("examples/scenarios/app-sends.json"))
    bad = json.loads(json.dumps(good))
    bad["id"], bad["request"]["action"] = "typo", "ses:SendEmial"
    path = tmp_path / "batch.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    code, out = run("simulate", "--scenarios", str(path), "--format", "json")
    first, second = (json.loads(line) for line in out.splitlines())
    assert code == 3 and "decision" in first
    assert second["id"] == "typo" and "unknown action 'ses:SendEmial'" in second["error"]
    assert "did you mean 'ses:SendEmail'?" in second["error"]
