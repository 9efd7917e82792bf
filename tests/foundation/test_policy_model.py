"""The one policy model (seslint.policy): strict for the evaluator, tolerant for the linter, with the
JSON pointer of every value either way."""

from __future__ import annotations

import pytest

from seslint.errors import InputError
from seslint.policy import parse_policy, read_policy

GOOD = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Send", "Effect": "Allow", "Action": ["ses:SendEmail", "ses:SendRawEmail"], "Resource": "*",
     "Condition": {"ForAllValues:StringLike": {"ses:Recipients": ["*@example.com", "*@example.org"]},
                   "StringEquals": {"ses:FromAddress": "noreply@example.com"}}},
    {"Effect": "Deny", "NotAction": "ses:Get*", "NotResource": ["arn:aws:ses:*:*:identity/a~b", "arn:aws:s3:::x/y"],
     "Principal": {"AWS": ["arn:aws:iam::111122223333:root"], "Service": "ses.amazonaws.com"}}]}


def test_strict_and_tolerant_agree_on_a_well_formed_policy():
    assert parse_policy(GOOD) == read_policy(GOOD)


def test_values_keep_their_pointers():
    send, deny = read_policy(GOOD).statements
    assert send.items("Action") == (("/Statement/0/Action/0", "ses:SendEmail"),
                                    ("/Statement/0/Action/1", "ses:SendRawEmail"))
    assert send.items("Resource") == (("/Statement/0/Resource", "*"),)
    assert send.items("NotResource") is None
    recipients, sender = send.conditions
    assert recipients.items() == (("/Statement/0/Condition/ForAllValues:StringLike/ses:Recipients/0", "*@example.com"),
                                  ("/Statement/0/Condition/ForAllValues:StringLike/ses:Recipients/1", "*@example.org"))
    assert sender.items() == (("/Statement/0/Condition/StringEquals/ses:FromAddress", "noreply@example.com"),)
    assert (recipients.set_op, recipients.base, recipients.negated, recipients.like) == (
        "ForAllValues", "StringLike", False, True)
    assert send.conditions_on("SES:recipients") == [recipients]
    assert deny.principals == (("/Statement/1/Principal/AWS/0", "AWS", "arn:aws:iam::111122223333:root"),
                               ("/Statement/1/Principal/Service", "Service", "ses.amazonaws.com"))
    assert deny.items("NotAction") == (("/Statement/1/NotAction", "ses:Get*"),)
    assert send.principals is None and deny.has_principal and not send.has_principal


@pytest.mark.parametrize("statement, message, pointer", [
    ("not a statement", "a statement must be a JSON object, not a string", "/Statement/1"),
    ({"Effect": "Alow", "Action": "ses:SendEmail", "Resource": "*"}, "Effect must be 'Allow' or 'Deny'",
     "/Statement/1/Effect"),
    ({"Effect": "Allow", "Action": ["ses:SendEmail", 7], "Resource": "*"}, "expected a string, not a number",
     "/Statement/1/Action/1"),
    ({"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*", "Condition": {"StringEquals": {"a:b": None}}},
     "condition value must be a string, number or boolean, not null", "/Statement/1/Condition/StringEquals/a:b"),
    ({"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*", "Condition": {"StringEqualz": {"a:b": "c"}}},
     None, None),  # an unknown operator is the evaluator's and the linter's to word
])
def test_strict_raises_where_tolerant_leaves_the_part_out(statement, message, pointer):
    policy = {"Version": "2012-10-17", "Statement": [GOOD["Statement"][0], statement]}
    if message is None:
        assert len(parse_policy(policy).statements[1].conditions) == 1
    else:
        with pytest.raises(InputError) as exc:
            parse_policy(policy)
        assert message in exc.value.message and exc.value.pointer == pointer
    tolerant = read_policy(policy)
    assert tolerant.statements[0] == parse_policy(GOOD).statements[0]
    if isinstance(statement, dict):
        st = tolerant.statements[1]
        assert st.effect in ("Allow", "Deny", None) and st.actions == ("ses:SendEmail",)
        assert all(c.operator != "StringEqualz" for c in st.conditions)
    else:
        assert len(tolerant.statements) == 1


@pytest.mark.parametrize("value", [None, [], "text", {"Statement": "x"}, {"Version": 5, "Statement": []}])
def test_tolerant_never_raises(value):
    assert read_policy(value).statements == ()
