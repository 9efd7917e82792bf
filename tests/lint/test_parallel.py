"""Large inputs are shared among forked worker processes: same findings, same order, same errors."""

import os
from pathlib import Path

import pytest

from seslint.lint import engine, report
from seslint.lint.config import Config
from tests.lint.conftest import write

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked processes")

ID = "arn:aws:ses:us-east-1:111122223333:identity/example.com"
EXAMPLES = str(Path(__file__).resolve().parents[2] / "examples")


def corpus(tmp_path, count=12):
    for i in range(count):
        write(tmp_path / f"p{i:02d}.json", {"Version": "2012-10-17", "Statement": [
            {"Sid": "Send", "Effect": "Allow", "Action": ["ses:Send*", "ses:SendEmails"][: 1 + i % 2], "Resource": ID},
            {"Sid": "Guard", "Effect": "Deny", "Action": "ses:SendEmail", "Resource": "*",
             "Condition": {"ForAllValues:StringNotLike": {"ses:Recipients": "*@example.com"}}}]})
    write(tmp_path / "broken.json", '{"Statement": [1,]}')
    return str(tmp_path)


@pytest.mark.parametrize("jobs", [2, 3, 50])
def test_workers_report_exactly_what_one_process_does(tmp_path, jobs):
    folder = corpus(tmp_path)
    one = engine.run([folder, EXAMPLES], Config(), jobs=1)
    many = engine.run([folder, EXAMPLES], Config(), jobs=jobs)
    assert report.render(many.findings, "json") == report.render(one.findings, "json")
    assert (many.files, many.policies) == (one.files, one.policies)
    assert {f.rule for f in one.findings} >= {"SES001", "SES021", "SES024", "SES034"}


def test_an_error_in_a_worker_is_reported_as_in_one_process(tmp_path):
    folder = corpus(tmp_path)
    stray = write(tmp_path / "zz-not-a-policy.json", {"name": "x"})
    many = engine.run([folder, stray], Config(), jobs=2)  # the stray file is in the second worker's share
    one = engine.run([folder, stray], Config(), jobs=1)
    assert [(e.source, "not an IAM policy" in e.message) for e in many.errors] == [(stray, True)]
    assert [str(e) for e in many.errors] == [str(e) for e in one.errors] and many.findings == one.findings
