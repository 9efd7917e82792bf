"""`seslint explain KEY` (issue 26): what a condition key holds, on which actions, and its value on an
example send through each API."""

import json

import pytest


def test_recipients(cli):
    result = cli("explain", "ses:Recipients")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "ses:Recipients  ArrayOfString  (multivalued: use ForAllValues/ForAnyValue)"
    assert lines[1].startswith("  holds: Filters access by the recipient addresses of a message")
    assert lines[2] == ("  carried by: ses:SendBulkTemplatedEmail, ses:SendCustomVerificationEmail, ses:SendEmail, "
                        "ses:SendRawEmail, ses:SendTemplatedEmail; absent on every other action")
    every = '["a@example.net", "b@example.org", "c@example.com"]'
    assert f"    v1    ses:SendEmail (ses:SendEmail): {every}" in lines
    assert f"    v2    sesv2:SendEmail (simple) (ses:SendEmail): {every}" in lines
    assert f"    smtp  smtp:SendRawEmail (raw) (ses:SendRawEmail): {every}" in lines
    assert any(line.startswith("  quirk ck-recipients-forallvalues-empty") for line in lines)


@pytest.mark.parametrize(("key", "values"), [
    ("ses:ApiVersion", [{"uncertain": "1"}, "2", "2"]),
    ("ses:FromDisplayName", ["Shop", "Shop", "Shop"]),
    ("ses:FeedbackAddress", ["noreply@example.com"] * 3),
    ("ses:tenantname", ["absent", "acme", {"uncertain": "acme"}]),
    ("ses:MultiRegionEndpointId", ["absent", "abcd1234.xyz", "absent"]),
])
def test_value_per_api(cli, key, values):
    out = json.loads(cli("explain", key, "--format", "json").out)["key"]
    assert [v["api"] for v in out["values"]] == ["v1", "v2", "smtp"]
    assert [v["value"] for v in out["values"]] == values


def test_global_key(cli):
    result = cli("explain", "aws:SourceIp")
    assert result.code == 0
    assert "a global key" in result.out and "quirk ck-source-ip-vpc-endpoint" in result.out
    assert json.loads(cli("explain", "aws:SourceIp", "--format", "json").out)["key"]["values"] is None


def test_unknown_key_is_an_unknown_name(cli):
    result = cli("explain", "ses:Recipientz")
    assert result.code == 3 and "Traceback" not in result.output
