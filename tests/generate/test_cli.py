"""`seslint generate` on the command line: recipes, --list, --help, --for, --check and exit codes."""

from __future__ import annotations

import json

import pytest

from seslint.generate import generate, load_recipe, recipe_names


def test_ci_simulator_only_needs_no_argument_and_prints_the_policy_json(cli):
    code, out, err = cli("generate", "ci-simulator-only")
    assert (code, err) == (0, "")
    assert json.loads(out) == generate("ci-simulator-only")


def test_parameters_reach_the_policy(cli):
    code, out, _ = cli("generate", "ci-simulator-only", "--from", "ci@example.com", "--region", "eu-west-1",
                       "--account", "123456789012")
    assert code == 0
    assert json.loads(out) == generate("ci-simulator-only", {"from": "ci@example.com", "region": "eu-west-1",
                                                             "account": "123456789012"})


def test_repeated_and_comma_separated_values_are_the_same(cli):
    a = cli("generate", "restricted-sender", "--from", "a@example.com", "--from", "example.org")[1]
    b = cli("generate", "restricted-sender", "--from", "a@example.com,example.org")[1]
    assert a == b


def test_list_names_every_recipe(cli):
    code, out, _ = cli("generate", "--list")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines() if not line.startswith(" ")] == list(recipe_names())


def test_list_shows_the_required_options(cli):
    out = cli("generate", "--list")[1]
    assert "restricted-sender " in out and "\n" + " " * 25 + "needs: --from EMAIL_OR_DOMAIN\n" in out
    needs = [line.split("needs: ")[1] for line in out.splitlines() if "needs: " in line]
    required = [" ".join(f"{p.option} {p.type.upper().replace('-', '_')}" for p in load_recipe(n).parameters
                         if p.required) for n in recipe_names()]
    assert needs == [r for r in required if r]


@pytest.mark.parametrize("name", recipe_names())
def test_recipe_help_documents_every_parameter(name, cli):
    code, out, _ = cli("generate", name, "--help")
    assert code == 0
    for p in load_recipe(name).parameters:
        assert p.option in out
    assert "--format" in out and "--check" in out


@pytest.mark.parametrize("args,message", [
    (["ci-simulator-only", "--from", "not an address"], "--from: 'not an address' is not an email address"),
    (["ci-simulator-only", "--region", "useast1"], "--region: 'useast1' is not an AWS region"),
    (["ci-simulator-only", "--account", "12345"], "--account: '12345' is not a 12-digit AWS account id"),
    (["restricted-sender", "--from", "a@example.com", "--api-version", "3"], "--api-version: '3' is not allowed: the only value is '2'"),
    (["restricted-sender", "--from", "a@b@example.com"], "--from: 'a@b@example.com' is not"),
    (["restricted-sender", "--from", "a@example.com", "--template", "bad name"], "--template: 'bad name' is not"),
    (["sending-authorization", "--identity", "example.com", "--region", "us-east-1", "--account", "111122223333",
      "--delegate-account", "222233334444", "--from", "x@other.example"], "'x@other.example' is not an address of identity"),
    (["ci-simulatr-only"], "unknown recipe 'ci-simulatr-only'"),
    (["--for", "sesv2:SendEmal"], "unknown API operation 'sesv2:SendEmal'"),
    (["--for", "sesv2:SendEmail:rawest"], "has no variant 'rawest'"),
    (["--for", "ses:VerifyEmailIdentity", "--region", "nowhere"], "--region: 'nowhere' is not"),
])
def test_bad_input_is_one_line_and_exit_3(args, message, cli):
    code, out, err = cli("generate", *args)
    assert code == 3
    assert out == ""
    first, *rest = err.splitlines()
    assert first.startswith("seslint: error: ") and message in first
    assert all(line.startswith("  help: ") for line in rest)


def test_unknown_recipe_suggests_the_closest(cli):
    _, _, err = cli("generate", "ci-simulatr-only")
    assert "did you mean 'ci-simulator-only'?" in err


@pytest.mark.parametrize("args", [["generate"], ["generate", "restricted-sender"], ["generate", "--list", "--for", "x"],
                                  ["generate", "ci-simulator-only", "--format", "xml"]])
def test_usage_errors_exit_2(args, cli):
    assert cli(*args)[0] == 2


def test_check_runs_the_proof(cli):
    code, out, err = cli("generate", "restricted-sender", "--from", "a@example.com", "--recipient-domain", "example.org",
                         "--check")
    assert code == 0
    assert json.loads(out)["Statement"]
    assert "proofs hold" in err and "proof failed" not in err
    assert err.strip().splitlines()[-1].startswith("seslint: proven: every possible send: recipients within "
                                                   "*@example.org; senders within a@example.com (rests on quirks ")


def test_for_operations_groups_by_resource_scoping(cli):
    code, out, _ = cli("generate", "--for", "sesv2:SendEmail:raw", "ses:VerifyEmailIdentity", "sesv2:CreateEmailIdentity",
                       "--identity", "ci@example.com", "--region", "us-east-1", "--account", "123456789012")
    assert code == 0
    by_sid = {s["Sid"]: s for s in json.loads(out)["Statement"]}
    identities = ["arn:aws:ses:us-east-1:123456789012:identity/ci@example.com",
                  "arn:aws:ses:us-east-1:123456789012:identity/example.com"]
    assert by_sid["OnConfigurationSetIdentity"]["Action"] == ["ses:SendRawEmail"]
    assert by_sid["OnConfigurationSetIdentity"]["Resource"] == [
        "arn:aws:ses:us-east-1:123456789012:configuration-set/*", *identities]
    assert by_sid["OnIdentity"] == {"Sid": "OnIdentity", "Effect": "Allow",
                                    "Action": ["ses:CreateEmailIdentity", "ses:TagResource"], "Resource": identities}
    assert by_sid["AnyResource"]["Action"] == ["ses:ApplyTrackingConfigurationOverrides", "ses:VerifyEmailIdentity"]
    assert by_sid["AnyResource"]["Resource"] == ["*"]


def test_for_accepts_repeated_options_and_no_extras(cli):
    code, out, _ = cli("generate", "--for", "sesv2:SendBulkEmail", "--for", "ses:DeleteIdentity", "--no-extras")
    assert code == 0
    statements = json.loads(out)["Statement"]
    assert [s["Action"] for s in statements] == [["ses:SendBulkEmail", "ses:SendBulkTemplatedEmail"],
                                                 ["ses:DeleteIdentity"]]
    assert statements[1]["Resource"] == ["*"]  # a documented-but-dead ARN: "*" only


def test_for_without_variant_covers_every_variant(cli):
    code, out, _ = cli("generate", "--for", "sesv2:SendEmail", "--no-extras")
    actions = {a for s in json.loads(out)["Statement"] for a in s["Action"]}
    assert actions == {"ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail"}


def _all_operations() -> list[str]:
    from seslint.matrix import load_matrix

    m = load_matrix()
    return sorted(set(m.operations) | {q["operation"] for q in m.quirks.values() if q["kind"] == "operation-mapping"})


def test_for_covers_every_operation_in_the_matrix():
    from seslint.generate import for_operations

    for op in _all_operations():
        assert for_operations([op])["Statement"], op


def test_for_warns_when_the_policy_outgrows_a_managed_policy(cli):
    code, out, err = cli("generate", "--for", *_all_operations())
    assert code == 0 and json.loads(out)["Statement"]
    assert err.startswith("seslint: warning: the policy is ") and "6144" in err


def test_for_a_typical_app_lints_clean(tmp_path, cli):
    from .conftest import lint_findings

    code, out, _ = cli("generate", "--for", "sesv2:SendEmail", "sesv2:SendBulkEmail", "ses:VerifyEmailIdentity",
                       "sesv2:CreateEmailIdentity", "sesv2:GetAccount", "--identity", "example.com")
    path = tmp_path / "policy.json"
    path.write_text(out)
    assert [f for f in lint_findings(cli, path) if f["severity"] != "info"] == []
