"""`seslint audit`: verdicts as a table of small policies, the example account, the three output
formats (HTML parsed with html.parser, and rendered by a headless Chromium when one is installed)."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from seslint.audit import audit, audit_principal
from seslint.evaluate.authdetails import Principal
from seslint.policy import PolicyDoc

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "auth-details-audit.json"
ARN = "arn:aws:iam::111122223333:role/app"
SIM = "*@simulator.amazonses.com"
SENDS = ["ses:SendEmail", "ses:SendRawEmail"]


def st(effect="Allow", action=SENDS, resource="*", **condition):
    out = {"Effect": effect, "Action": action, "Resource": resource}
    if condition:
        out["Condition"] = condition
    return out


def verdict(*statements, boundary=None, resource=None):
    principal = Principal(ARN, "111122223333", "app", "role",
                          [PolicyDoc({"Version": "2012-10-17", "Statement": list(statements)}, "p.json")],
                          PolicyDoc(boundary, "b.json") if boundary else None)
    policies = {"arn:aws:ses:us-east-1:111122223333:identity/example.com": [PolicyDoc(resource, "r.json")]} \
        if resource else {}
    return audit_principal(principal, resource_policies=policies)


CASES = [
    # (name, statements, boundary, verdict, recipients, senders, reason fragment)
    ("send anything", [st()], None, "anyone", [], ["any sender"], "outside address"),
    ("simulator with guard", [st(**{"ForAllValues:StringLike": {"ses:Recipients": SIM},
                                    "ForAnyValue:StringLike": {"ses:Recipients": SIM}})], None,
     "simulator-only", [SIM], ["any sender"], "simulator"),
    ("simulator without guard", [st(**{"ForAllValues:StringLike": {"ses:Recipients": SIM}})], None,
     "simulator-only", [SIM], ["any sender"], "simulator"),
    ("deny ForAllValues trap", [st(), st("Deny", **{"ForAllValues:StringNotLike": {"ses:Recipients": "*@corp.example"}})],
     None, "anyone", [], ["any sender"], "mixes *@corp.example with an outside address"),
    ("deny ForAnyValue guardrail", [st(), st("Deny", **{"ForAnyValue:StringNotLike": {"ses:Recipients": "*@corp.example"}})],
     None, "restricted", ["*@corp.example"], ["any sender"], "listed patterns"),
    ("recipient list", [st(**{"ForAllValues:StringLike": {"ses:Recipients": ["a@corp.example", SIM]},
                              "Null": {"ses:Recipients": "false"}})],
     None, "restricted", ["*@simulator.amazonses.com", "a@corp.example"], ["any sender"], "listed patterns"),
    ("from address only", [st(**{"StringEquals": {"ses:FromAddress": "noreply@corp.example"}})], None,
     "anyone", [], ["noreply@corp.example"], "outside address"),
    ("identity resource", [st(resource="arn:aws:ses:eu-west-1:111122223333:identity/corp.example")], None,
     "anyone", [], ["identity corp.example"], "outside address"),
    ("not action", [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}], None, "anyone", [], ["any sender"], ""),
    ("explicit deny", [st(), st("Deny", "ses:*")], None, "none", [], [], "explicitly denied"),
    ("boundary without sending", [st()], {"Version": "2012-10-17", "Statement": [st(action="ses:GetAccount")]},
     "none", [], [], "permissions boundary"),
    ("no send statement", [st(action=["ses:GetAccount", "ses:SendCustomVerificationEmail"])], None,
     "none", [], [], "no identity or sending-authorization policy allows a send action"),
    ("source ip", [st(**{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})], None,
     "unknown", [], [], "depends on aws:SourceIp"),
    ("principal tag", [st(**{"StringEquals": {"aws:PrincipalTag/team": "mail"}})], None,
     "unknown", [], [], "depends on aws:PrincipalTag/team"),
    # A role's requests carry no aws:username ("AWS global condition context keys"): the variable has
    # no value, so StringLike never matches and nothing is allowed (the probes said unknown).
    ("unmet variable", [st(**{"StringLike": {"ses:FromAddress": "${aws:username}@corp.example"}})], None,
     "none", [], [], "no possible send"),
    # StringEquals takes "*" literally: the only recipient allowed is the simulator mailbox named "*"
    # (the probes said unknown).
    ("StringEquals is not a pattern", [st(**{"ForAllValues:StringEquals": {"ses:Recipients": SIM},
                                             "Null": {"ses:Recipients": "false"}})],
     None, "simulator-only", [SIM], ["any sender"], "simulator"),
    # A deny-list that also catches the probes' outside address (*.invalid): the probes said
    # restricted; any other address goes through.
    ("deny-list is not a restriction", [st(), st(**{"ForAllValues:StringLike": {"ses:Recipients": "*@example.com"}}),
                                        st("Deny", **{"ForAnyValue:StringLike": {"ses:Recipients": [
                                            "*@competitor.example", "*.invalid"]}})],
     None, "anyone", [], ["any sender"], "outside address"),
    ("api version 2", [st(**{"StringEquals": {"ses:ApiVersion": "2"}})], None, "anyone", [], ["any sender"], ""),
    # Regions: the audit runs in us-east-1, but a wildcard region part allows sends elsewhere.
    ("wildcard region elsewhere", [st(resource="arn:aws:ses:eu-*:111122223333:identity/*")], None,
     "anyone", [], ["any sender"], "outside address"),
    # The fourth region named is the open one: no cap on how many regions are asked.
    ("open in the fourth region", [st(resource=f"arn:aws:ses:{r}:111122223333:identity/*",
                                      **{"ForAllValues:StringLike": {"ses:Recipients": SIM}})
                                   for r in ("us-east-1", "ap-south-1", "eu-west-1")]
     + [st(resource="arn:aws:ses:sa-east-1:111122223333:identity/*")], None,
     "anyone", [], ["any sender"], "outside address"),
]


@pytest.mark.parametrize(("parts", "expected"), [
    ([], ["us-east-1"]),
    (["*"], ["us-east-1"]),                              # every region alike
    (["us-east-1"], ["us-east-1", "af-south-1"]),         # us-east-1, and any other region
    (["eu-*", "eu-west-1"], ["us-east-1", "eu-central-1", "eu-west-1"]),
    (["${aws:RequestedRegion}"], ["us-east-1"]),          # literal text there: matches no region
    (["xx-test-1"], ["us-east-1", "xx-test-1"]),          # a region seslint's data does not know
])
def test_regions_asked(parts, expected):
    from seslint.audit.exact import regions
    from seslint.policy import parse_policy

    policy = parse_policy({"Version": "2012-10-17", "Statement": [
        st(resource=f"arn:aws:ses:{p}:111122223333:identity/*") for p in parts] or [st()]})
    assert regions([("identity", policy, s) for s in policy.statements], "us-east-1") == expected


@pytest.mark.parametrize(("name", "statements", "boundary", "expected", "recipients", "senders", "reason"), CASES,
                         ids=[c[0] for c in CASES])
def test_verdicts(name, statements, boundary, expected, recipients, senders, reason):
    found = verdict(*statements, boundary=boundary)
    assert (found.verdict, found.recipients, found.senders) == (expected, recipients, senders), found.reason
    assert reason in found.reason
    if expected in ("anyone", "restricted", "simulator-only"):
        assert found.statements and all(s.effect == "Allow" for s in found.statements)


def test_witness_is_allowed_by_can_send():
    """The verdict's witness send (in JSON as `witness`), replayed through can-send."""
    from seslint.cansend import can_send

    policy = {"Version": "2012-10-17", "Statement": [st(**{"ForAllValues:StringLike": {"ses:Recipients": "*@example.com"}})]}
    found = verdict(*policy["Statement"])
    send = found.witness["send"]
    assert found.verdict == "restricted" and send["to"]
    assert all(r.endswith("@example.com") for r in send["to"])
    assert found.to_json()["witness"] == found.witness
    result = can_send([policy], sender=send["from"], to=tuple(send["to"]), api=send["api"], content=send["content"],
                      template=send["template"], region="us-east-1", account="111122223333", principal_arn=ARN,
                      explain=False)
    assert result.allowed


def test_upper_case_bypass_of_a_case_sensitive_deny():
    """Deny ForAnyValue:StringLike *@competitor.example is case-sensitive, the allow
    StringEqualsIgnoreCase is not: sales@competitor.examplE reaches the competitor. The probes
    instantiated the pattern in lower case, saw it denied, and listed only *@example.com."""
    found = verdict(st(**{"ForAllValues:StringLike": {"ses:Recipients": ["*@example.com", "*@competitor.example"]},
                          "Null": {"ses:Recipients": "false"}}),
                    st(**{"ForAllValues:StringEqualsIgnoreCase": {"ses:Recipients": "sales@competitor.example"}}),
                    st("Deny", **{"ForAnyValue:StringLike": {"ses:Recipients": "*@competitor.example"}}))
    assert found.verdict == "restricted"
    assert "*@competitor.example" in found.recipients


def test_api_version_condition_limits_the_variants():
    found = verdict(st(**{"StringEquals": {"ses:ApiVersion": "2"}}))
    # SMTP is API version 2; a v2 template send goes through when SES checks ses:SendEmail for it (one
    # reading of quirk dd-v2-send-email-template-action)
    assert found.apis == ["v2 simple", "v2 raw", "v2 template", "smtp raw"]


def test_sending_authorization_policy_naming_the_principal():
    grant = {"Version": "2012-10-17", "Statement": [dict(st(), Principal={"AWS": ARN})]}
    other = {"Version": "2012-10-17", "Statement": [dict(st(), Principal={"AWS": "arn:aws:iam::111122223333:role/x"})]}
    found = verdict(st(action="ses:GetAccount"), resource=grant)
    assert (found.verdict, [s.policy_type for s in found.statements]) == ("anyone", ["resource"])
    assert verdict(st(action="ses:GetAccount"), resource=other).verdict == "none"


def test_unreadable_policy_is_unknown():
    found = verdict({"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*", "Condition": {"Nope": {"a": "b"}}})
    assert found.verdict == "unknown"


# -- the example account, through the CLI ----------------------------------------------------

EXAMPLE_VERDICTS = {
    "marketing": "anyone", "internal-mailer": "anyone", "newsletter": "anyone", "support-app": "restricted",
    "ci": "simulator-only", "auditor": "none", "intern": "none", "office-mailer": "unknown",
}


def test_example_json(cli):
    code, out, err = cli("audit", "--auth-details", str(EXAMPLE), "--format", "json")
    assert (code, err) == (1, "")
    report = json.loads(out)
    assert {p["name"]: p["verdict"] for p in report["principals"]} == EXAMPLE_VERDICTS
    assert report["counts"] == {"anyone": 3, "restricted": 1, "simulator-only": 1, "none": 2, "unknown": 1}
    support = next(p for p in report["principals"] if p["name"] == "support-app")
    assert (support["recipients"], support["senders"]) == (["*@example.com"], ["help@support.example.com"])
    assert support["statements"] == [{"effect": "Allow", "policy": "arn:aws:iam::111122223333:policy/support-mail",
                                      "policy_version": "v1", "policy_name": None,
                                      "pointer": "/Statement/0", "sid": "SendToCustomersDomain",
                                      "policy_type": "identity"}]
    assert [p["verdict"] for p in report["principals"]] == sorted(
        (p["verdict"] for p in report["principals"]), key=["anyone", "restricted", "simulator-only", "none",
                                                            "unknown"].index)


def test_example_text(cli):
    code, out, _ = cli("audit", "--auth-details", str(EXAMPLE))
    assert code == 1
    assert out.splitlines()[0] == ("SES sending audit of " + str(EXAMPLE) + " (region us-east-1): 8 principals: "
                                   "anyone 3, restricted 1, simulator-only 1, none 2, unknown 1")
    assert "RESTRICTED      role  arn:aws:iam::111122223333:role/support-app" in out
    assert "    recipients: *@example.com" in out


@pytest.mark.parametrize(("fail_on", "code"), [("anyone", 1), ("unknown", 1), ("restricted", 1), ("never", 0)])
def test_fail_on(fail_on, code, cli):
    assert cli("audit", "--auth-details", str(EXAMPLE), "--fail-on", fail_on)[0] == code


def test_exit_0_when_nobody_sends_to_anyone(tmp_path, cli):
    doc = json.loads(EXAMPLE.read_text())
    doc["RoleDetailList"] = [r for r in doc["RoleDetailList"] if r["RoleName"] == "ci"]
    doc["UserDetailList"] = [u for u in doc["UserDetailList"] if u["UserName"] == "auditor"]
    path = tmp_path / "small.json"
    path.write_text(json.dumps(doc))
    assert cli("audit", "--auth-details", str(path))[0] == 0
    assert cli("audit", "--auth-details", str(path), "--fail-on", "restricted")[0] == 0


@pytest.mark.parametrize("args", [[], ["--auth-details", "x.json", "--live"],
                                  ["--auth-details", str(EXAMPLE), "--endpoint-url", "http://127.0.0.1:1"]])
def test_usage(args, cli):
    assert cli("audit", *args)[0] == 2


def test_bad_file_is_exit_3(tmp_path, cli):
    path = tmp_path / "bad.json"
    path.write_text('{"Users": []}')
    code, out, err = cli("audit", "--auth-details", str(path))
    assert (code, out) == (3, "")
    assert err.startswith(f"seslint: error: {path}: not the output of")


def test_progress_counts_principals_read_and_decided():
    from seslint.evaluate.authdetails import load_auth_details

    calls = []
    audit(load_auth_details(json.loads(EXAMPLE.read_text()), "x"), progress=lambda done, read: calls.append((done, read)))
    assert calls == [(0, 8), (8, 0)]


# -- HTML ------------------------------------------------------------------------------------

class Rows(HTMLParser):
    """Collects the principal rows, the verdict badges and anything external."""

    def __init__(self):
        super().__init__()
        self.rows, self.external, self.tags, self.cell = [], [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "tr" and attrs.get("class") == "principal":
            self.rows.append({"arn": attrs["data-arn"], "verdict": attrs["data-verdict"], "text": ""})
        if tag in ("script", "link", "img", "iframe") or any(
                (v or "").startswith(("http:", "https:", "//")) for k, v in attrs.items() if k in ("src", "href")):
            self.external.append(tag)

    def handle_data(self, data):
        if self.rows:
            self.rows[-1]["text"] += data


def html_report(cli):
    code, out, _ = cli("audit", "--auth-details", str(EXAMPLE), "--format", "html")
    assert code == 1
    return out


def test_html_structure(cli):
    out = html_report(cli)
    parser = Rows()
    parser.feed(out)
    assert out.startswith("<!DOCTYPE html>")
    assert parser.external == [] and "style" in parser.tags
    assert {r["arn"].rsplit("/", 1)[1]: r["verdict"] for r in parser.rows} == EXAMPLE_VERDICTS
    support = next(r for r in parser.rows if r["arn"].endswith("support-app"))
    assert "Allow Sid 'SendToCustomersDomain' in arn:aws:iam::111122223333:policy/support-mail (v1)" in support["text"]
    assert "*@example.com" in support["text"]
    office = next(r for r in parser.rows if r["arn"].endswith("office-mailer"))
    assert "depends on aws:SourceIp" in office["text"]


def test_html_escapes(tmp_path, cli):
    doc = json.loads(EXAMPLE.read_text())
    doc["RoleDetailList"][0]["RoleName"] = "<b>x</b>"
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(doc))
    out = cli("audit", "--auth-details", str(path), "--format", "html")[1]
    assert "<b>x</b>" not in out and "&lt;b&gt;x&lt;/b&gt;" in out


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(not CHROMIUM, reason="no headless Chromium installed")
def test_html_in_headless_chromium(tmp_path, cli):
    """The page as a browser builds it: every row present, nothing fetched, a screenshot renders."""
    page = tmp_path / "audit.html"
    page.write_text(html_report(cli))
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=60).stdout
    parser = Rows()
    parser.feed(dom)
    assert {r["arn"].rsplit("/", 1)[1]: r["verdict"] for r in parser.rows} == EXAMPLE_VERDICTS
    shot = tmp_path / "audit.png"
    subprocess.run([*flags, "--window-size=1280,900", f"--screenshot={shot}", page.as_uri()],
                   capture_output=True, timeout=60, cwd=tmp_path)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
