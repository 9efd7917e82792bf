"""seslint.core: the one copy of ARNs, wildcards, policy size, URL-encoded documents and sending actions,
and the three places where copies of them used to disagree."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest

from seslint.core import arn, patterns
from seslint.core.decode import decode_document
from seslint.core.size import policy_size
from seslint.matrix import send_actions
from tests.lint.conftest import write


@pytest.mark.parametrize(("region", "partition"), [
    ("us-east-1", "aws"), ("eu-central-2", "aws"), ("mx-central-1", "aws"),
    ("cn-north-1", "aws-cn"), ("cn-northwest-1", "aws-cn"),
    ("us-gov-west-1", "aws-us-gov"), ("us-gov-east-1", "aws-us-gov"),
    ("us-iso-east-1", "aws-iso"), ("us-iso-west-1", "aws-iso"),
    ("us-isob-east-1", "aws-iso-b"), ("eu-isoe-west-1", "aws-iso-e"),
    ("us-isof-south-1", "aws-iso-f"), ("us-isof-east-1", "aws-iso-f"),
    ("eusc-de-east-1", "aws-eusc"),
])
def test_partition_of_every_partition(region, partition):
    assert arn.partition_of(region) == partition


def test_partition_table_is_botocores():
    import botocore

    with open(f"{botocore.__path__[0]}/data/partitions.json") as f:
        data = json.load(f)
    assert dict(arn.PARTITION_REGIONS) == {p["id"]: p["regionRegex"] for p in data["partitions"]}
    assert set(arn.PARTITIONS) == {p["id"] for p in data["partitions"]}
    for p in data["partitions"]:
        for region in p["regions"]:
            if not region.endswith("-global"):
                assert arn.partition_of(region) == p["id"], region
                assert arn.REGION.fullmatch(region), region


def test_can_send_builds_arns_in_the_regions_partition():
    from seslint.sendmodel import Send, plan

    requests = plan(Send("a@example.com", "111122223333", to=("b@example.org",), region="us-iso-east-1")).requests
    assert {r.resource.split(":")[1] for r in requests} == {"aws-iso"}


@pytest.mark.parametrize("region", ["eusc-de-east-1", "us-isof-south-1", "eu-isoe-west-1", "us-gov-west-1"])
def test_lint_knows_every_partitions_regions(region):
    from seslint.lint.checks.grammar import arn_problem
    from seslint.matrix import load_matrix

    ses_arn = f"arn:{arn.partition_of(region)}:ses:{region}:111122223333:identity/example.com"
    assert arn_problem(ses_arn, load_matrix()) is None


@pytest.mark.parametrize(("region", "partition"), [("us-iso-east-1", "aws-iso"), ("eusc-de-east-1", "aws-eusc"),
                                                  ("cn-north-1", "aws-cn"), ("us-east-1", "aws")])
def test_generate_builds_arns_in_the_regions_partition(region, partition):
    from seslint.generate import generate

    policy = generate("ci-simulator-only", {"region": region, "account": "111122223333"})
    resources = [r for s in policy["Statement"] for r in s["Resource"] if r != "*"]
    assert resources and {r.split(":")[1] for r in resources} == {partition}


@pytest.mark.parametrize(("text", "parts"), [
    ("arn:aws:ses:us-east-1:111122223333:identity/a:b", ["arn", "aws", "ses", "us-east-1", "111122223333",
                                                         "identity/a:b"]),
    ("arn:${AWS::Partition}:ses:${Region}:${Account}:identity/*",
     ["arn", "${AWS::Partition}", "ses", "${Region}", "${Account}", "identity/*"]),
    ("arn:aws:s3:::bucket", ["arn", "aws", "s3", "", "", "bucket"]),
])
def test_split(text, parts):
    assert arn.split(text) == parts


@pytest.mark.parametrize(("text", "account"), [
    ("arn:aws:iam::111122223333:role/ci", "111122223333"), ("arn:aws:s3:::bucket", None), ("*", None),
    ("not:an:arn:at:all:x", None),
])
def test_account_of(text, account):
    assert arn.account_of(text) == account


@pytest.mark.parametrize(("text", "name"), [
    ("arn:aws:ses:us-east-1:111122223333:identity/example.com", "example.com"),
    ("arn:aws:ses:*:*:identity/*@example.com", "*@example.com"),
    ("arn:aws:ses:us-east-1:111122223333:configuration-set/x", None),
    ("arn:aws:sns:us-east-1:111122223333:identity/x", None), ("*", None),
])
def test_ses_identity(text, name):
    assert arn.ses_identity(text) == name


@pytest.mark.parametrize(("text", "kind", "name"), [
    ("arn:aws:iam::111122223333:root", "root", None),
    ("arn:aws:iam::111122223333:user/team/app", "user", "app"),
    ("arn:aws-cn:iam::111122223333:role/ci", "role", "ci"),
    ("arn:aws:sts::111122223333:assumed-role/ci/session-1", "assumed-role", "ci"),
    ("arn:aws:sts::111122223333:federated-user/bob", "federated-user", "bob"),
    ("arn:aws:iam::111122223333:group/admins", "other", None),
    ("arn:aws:sts::111122223333:user/app", "other", None),
    ("arn:aws:iam::aws:policy/ReadOnlyAccess", None, None),      # no 12-digit account
    ("arn:aws:iam:us-east-1:111122223333:role/ci", None, None),  # IAM ARNs have no region
    ("arn:aws:s3:::bucket", None, None), ("ci", None, None),
])
def test_principal(text, kind, name):
    found = arn.principal(text)
    assert (found.kind, found.name, found.account) == (kind, name, "111122223333") if kind else found is None


@pytest.mark.parametrize(("pattern", "value", "ignore_case", "hit"), [
    ("ses:Send*", "ses:SendEmail", False, True),
    ("ses:send*", "ses:SendEmail", False, False),
    ("ses:send*", "ses:SendEmail", True, True),
    ("?es", "ses", True, True),
    ("*s", "ses", True, True),
    ("s?s", "sees", True, False),
    ("a.b", "axb", False, False),          # regex characters are literal
    ("*@example.com", "a\n@example.com", False, True),
])
def test_wildcards(pattern, value, ignore_case, hit):
    assert patterns.matches(pattern, value, ignore_case=ignore_case) is hit


def test_arn_wildcards_stay_in_their_segment():
    rx = patterns.arn_glob("arn:aws:ses:*:111122223333:identity/*")
    assert rx.fullmatch("arn:aws:ses:us-east-1:111122223333:identity/a:b")
    assert not rx.fullmatch("arn:aws:ses:us-east-1:x:111122223333:identity/a")
    assert patterns.arn_glob("arn:aws:ses") is None
    literal_star = patterns.glob(("a", "*", patterns.ANY), ignore_case=False)  # `${*}` then a wildcard
    assert literal_star.fullmatch("a*xyz") and not literal_star.fullmatch("abxyz")


def test_any_of_nothing_matches_nothing():
    assert patterns.any_of([], ignore_case=True).fullmatch("") is None


def lint(cli, path) -> list[dict]:
    result = cli("lint", path, "--format", "json", "--fail-on", "never")
    assert (result.code, result.err) == (0, "")
    return json.loads(result.out)["findings"]


@pytest.mark.parametrize(("pattern", "warned"), [
    ("s*:Send*", True), ("?es:Send*", True), ("*s:Send*", True), ("S?S:send*", True), ("*:Send*", True),
    ("sns:Send*", False), ("?s:Send*", False), ("x*:Send*", False),
])
def test_broad_wildcard_whatever_prefix_pattern_matches_ses(pattern, warned, cli, tmp_path):
    path = write(tmp_path / "p.json", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": pattern, "Resource": "*"}]})
    pointers = [f["pointer"] for f in lint(cli, path) if f["rule"] == "SES024"]
    assert pointers == (["/Statement/0/Action"] if warned else [])


DISPLAY_NAME = "Example Shop   Team\t"   # JSON text holds the tab as `\t`: two characters that count


def test_size_excludes_white_space_inside_strings_too():
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*",
                                                     "Condition": {"StringEquals": {"ses:FromDisplayName": DISPLAY_NAME}}}]}
    compact = json.dumps(policy, separators=(",", ":"), ensure_ascii=False)
    assert policy_size(policy) == len(compact) - 4   # the four spaces of the display name
    assert policy_size(policy) == len(re.sub(r"[ \t\n\r]", "", json.dumps(policy, indent=4)))


def _display_names(count: int) -> dict:
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*",
        "Condition": {"StringEquals": {"ses:FromDisplayName": [f"Shop {i:04}   Team" for i in range(count)]}}}]}


@pytest.mark.parametrize(("count", "over"), [(350, False), (420, True)])
def test_lint_and_generate_measure_the_same_size(count, over, tmp_path, cli):
    """SES020 and generate's warning count with one function. 350 names: over the managed quota only if
    the spaces inside strings counted (lint counted them, generate did not); 420: over for both."""
    from seslint.core.size import QUOTAS

    MANAGED_POLICY_QUOTA = QUOTAS["managed"][0]
    policy = _display_names(count)
    size = policy_size(policy)
    assert len(json.dumps(policy, separators=(",", ":"))) > MANAGED_POLICY_QUOTA
    assert (size > MANAGED_POLICY_QUOTA) is over
    messages = [f["message"] for f in lint(cli, write(tmp_path / "p.json", policy)) if f["rule"] == "SES020"]
    assert messages == ([f"policy is {size} characters without whitespace: over the 6144-character quota for "
                         "a managed policy, so AWS rejects it"] if over else [])


@pytest.mark.parametrize(("text", "decoded"), [
    ('{"Version": "2012-10-17"}', '{"Version": "2012-10-17"}'),
    (quote('{"Version": "2012-10-17"}'), '{"Version": "2012-10-17"}'),
    (quote('{"a": "b"}').lower(), '{"a": "b"}'),                                 # %7b too
    ('{"Sid": "50%25off"}', '{"Sid": "50%25off"}'),                             # plain JSON is left alone
    ("  " + quote('{"a": "x+y z"}'), '  {"a": "x+y z"}'),                        # RFC 3986: `+` stays `+`
])
def test_decode_document(text, decoded):
    assert decode_document(text) == decoded


def test_sending_actions_come_from_the_matrix():
    assert send_actions() == ("ses:SendBulkEmail", "ses:SendBulkTemplatedEmail", "ses:SendEmail",
                              "ses:SendRawEmail", "ses:SendTemplatedEmail")
