"""The prover's space of sends is SES's (issue 20): each dimension a send can vary in, asked through the
CLI, with prove, can-send and simulate answering alike."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from seslint.cli import cli

pytest.importorskip("z3")

ACCOUNT = ("--account", "111122223333")


def _policy(tmp_path, *statements) -> str:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))
    return str(path)


def _run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


def _prove(policy, *props):
    code, out = _run("prove", "--policy", policy, *ACCOUNT, *props, "--format", "json")
    return code, json.loads(out)


def _can_send(policy, *args):
    return _run("can-send", "--policy", policy, *ACCOUNT, "--region", "us-east-1", *args)[0]


def _send_flags(send: dict) -> list[str]:
    """can-send flags for a witness send."""
    flags = ["--from", send["from"], "--api", send["api"], "--content", send["content"]]
    flags += [x for to in send["to"] for x in ("--to", to)]
    if send.get("feedback_address"):
        flags += ["--feedback-address", send["feedback_address"]]
    for key, flag in (("configuration_set", "--configuration-set"), ("template", "--template")):
        if send.get(key):
            flags += [flag, send[key]]
    return flags


def test_the_feedback_address_is_independent_of_the_from(tmp_path):
    # AWS's "restrict the feedback address" example: any From may send while the feedback address is fixed
    policy = _policy(tmp_path, {"Effect": "Allow", "Action": ["ses:SendEmail", "ses:SendRawEmail"], "Resource": "*",
                                "Condition": {"StringEquals": {"ses:FeedbackAddress": "feedback@example.com"}}})
    code, report = _prove(policy, "--senders-within", "feedback@example.com")
    assert (code, report["verdict"]) == (1, "counterexample")
    send = report["counterexample"]["send"]
    assert send["feedback_address"] == "feedback@example.com" and send["from"].lower() != "feedback@example.com"
    assert _can_send(policy, *_send_flags(send)) == 0
    assert _can_send(policy, "--api", "v1", "--from", "ceo@bank.example", "--to", "x@example.org",
                     "--feedback-address", "feedback@example.com") == 0


def test_from_domains_of_any_case(tmp_path):
    policy = _policy(tmp_path, {"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*",
                                "Condition": {"StringEquals": {"ses:FromAddress": "Info@MyCompany.com"}}})
    code, report = _prove(policy, "--no-send")
    assert (code, report["verdict"]) == (1, "counterexample")
    assert report["counterexample"]["send"]["from"] == "Info@MyCompany.com"
    assert _can_send(policy, "--from", "Info@MyCompany.com", "--to", "x@example.org") == 0


def test_a_domain_identity_is_checked_lower_cased(tmp_path):
    # the domain identity's ARN names the domain in lower case, whatever the case of the From
    policy = _policy(tmp_path, {"Effect": "Allow", "Action": "ses:SendEmail",
                                "Resource": "arn:aws:ses:us-east-1:111122223333:identity/mycompany.com",
                                "Condition": {"StringLike": {"ses:FromAddress": "*@MYCOMPANY.COM"}}})
    code, report = _prove(policy, "--no-send")
    assert (code, report["verdict"]) == (1, "counterexample")
    assert report["counterexample"]["send"]["from"].endswith("@MYCOMPANY.COM")


def test_display_names_over_unicode(tmp_path):
    policy = _policy(tmp_path, {"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*",
                                "Condition": {"StringEquals": {"ses:FromDisplayName": "Müller GmbH"}}})
    code, report = _prove(policy, "--no-send")
    assert (code, report["verdict"]) == (1, "counterexample")
    send = report["counterexample"]["send"]
    assert send["from"].startswith("Müller GmbH <")
    assert _can_send(policy, *_send_flags(send)) == 0


@pytest.mark.parametrize(("action", "operation"), [("ses:SendBounce", "ses:SendBounce"),
                                                   ("ses:SendCustomVerificationEmail", "SendCustomVerificationEmail")])
def test_every_action_that_mails_someone_is_a_send(tmp_path, action, operation):
    policy = _policy(tmp_path, {"Effect": "Allow", "Action": action, "Resource": "*"})
    code, report = _prove(policy, "--no-send")
    assert (code, report["verdict"]) == (1, "counterexample")
    assert operation in report["counterexample"]["send"]["operation"]
    assert _can_send(policy, *_send_flags(report["counterexample"]["send"])) == 0


def test_a_bounce_is_outside_a_recipient_property_and_said_so(tmp_path):
    policy = _policy(tmp_path, {"Effect": "Allow", "Action": "ses:SendBounce", "Resource": "*"},
                     {"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*",
                      "Condition": {"ForAllValues:StringLike": {"ses:Recipients": "*@example.com"},
                                    "Null": {"ses:Recipients": "false"}}})
    code, report = _prove(policy, "--recipients-within", "*@example.com")
    assert (code, report["verdict"]) == (0, "proven")
    assert [o["actions"] for o in report["outside"]] == [["ses:SendBounce"]]


def test_both_readings_of_the_disputed_v2_template_mapping(tmp_path):
    # v2 SendEmail with a template: authorized as ses:SendEmail (reference) or ses:SendTemplatedEmail (a 2021
    # article). A policy that grants only the second, to v2 sends, allows v2 templated sends in that reading.
    policy = _policy(tmp_path, {"Effect": "Allow", "Action": "ses:SendTemplatedEmail", "Resource": "*",
                                "Condition": {"StringEquals": {"ses:ApiVersion": "2"}}})
    code, report = _prove(policy, "--no-send")
    assert (code, report["verdict"]) == (1, "counterexample")
    send = report["counterexample"]["send"]
    assert (send["api"], send["content"], send["reading"]) == ("v2", "template", "ses:SendTemplatedEmail (qoosky.io, 2021)")
    # can-send cannot tell: the readings disagree
    assert _can_send(policy, *_send_flags(send)) == 3


def test_witnesses_are_addresses_can_send_takes_and_invalid_ones_are_outside_the_space(tmp_path):
    policy = _policy(tmp_path, {"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*",
                                "Condition": {"StringLike": {"ses:FromAddress": ["*@.", "*@-x.com", "*@ü.com"]}}})
    code, report = _prove(policy, "--no-send")
    assert (code, report["verdict"]) == (0, "proven")
    anyone = _policy(tmp_path, {"Effect": "Allow", "Action": "ses:*", "Resource": "*"})
    code, report = _prove(anyone, "--recipients-within", "*@example.com")
    assert _can_send(anyone, *_send_flags(report["counterexample"]["send"])) == 0
