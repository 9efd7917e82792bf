"""ARN grammar (SES017 malformed-arn): what is accepted and what is reported, as a table."""

import pytest

from seslint.lint.checks.grammar import arn_problem
from seslint.matrix import load_matrix


@pytest.mark.parametrize("arn", [
    "arn:aws:ses:us-east-1:111122223333:identity/example.com",
    "arn:aws:ses:*:111122223333:template/*",
    "arn:aws:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/prod",
    "arn:aws:ses:*:aws:reputation-policy/*",  # the reference fixes this account to the literal 'aws'
    "arn:aws:ses:us-east-1:aws:reputation-policy/standard",
    "arn:aws-cn:ses:cn-north-1:111122223333:identity/example.cn",
    "arn:aws:sns:us-east-1:111122223333:topic",
])
def test_well_formed(arn):
    assert arn_problem(arn, load_matrix()) is None


@pytest.mark.parametrize("arn, problem", [
    ("arn:aws:ses:us-east-1:aws:identity/example.com", "malformed account 'aws'"),
    ("arn:aws:ses:us-east-1:1111:identity/example.com", "malformed account '1111'"),
    ("arn:aws:ses:*:amazon:reputation-policy/*", "malformed account 'amazon'"),
    ("arn:aws:ses:useast1:111122223333:identity/example.com", "malformed region"),
    ("arn:aws:email:us-east-1:111122223333:identity/example.com", "names service 'email'"),
    ("arn:aws:ses:us-east-1:111122223333:identities/example.com", "unknown SES resource type 'identities'"),
    ("arn:aws:ses:us-east-1:111122223333:template", "has no name after 'template'"),
    ("arn:aws:ses:us-east-1", "is not an ARN"),
])
def test_malformed(arn, problem):
    assert problem in (arn_problem(arn, load_matrix()) or "")
