"""can-send and audit give the same answer for every principal of the examples: whatever can-send
allows, audit's verdict covers, and every verdict but none/unknown has a can-send witness."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seslint.audit import OUTSIDE, SIMULATOR, audit_principal
from seslint.evaluate.authdetails import load_auth_details

EX = Path(__file__).resolve().parents[2] / "examples"
FILES = sorted(EX.glob("auth-details*.json"))
SENDERS = ("noreply@example.com", "ci@example.com", "help@support.example.com", "news@example.com",
           "someone@sender.invalid")
REGIONS = ("us-east-1", "eu-west-1")   # the examples name identities in both
APIS = (("v2", "simple"), ("v2", "raw"), ("v1", "simple"), ("smtp", "raw"))
PRINCIPALS = [(path, p.arn) for path in FILES
              for p in load_auth_details(json.loads(path.read_text()), str(path)).principals()]


def can_send(cli, path, arn, sender, to, api, content, region) -> bool:
    run = cli("can-send", "--auth-details", path, "--principal", arn, "--from", sender, "--to", to,
                 "--api", api, "--content", content, "--region", region, "--format", "json")
    assert run.code in (0, 1), run.err
    return json.loads(run.out)["allowed"]


def reached(cli, path, arn, to) -> bool:
    return any(can_send(cli, path, arn, s, to, a, c, r) for s in SENDERS for a, c in APIS for r in REGIONS)


@pytest.mark.parametrize(("path", "arn"), PRINCIPALS, ids=[arn for _, arn in PRINCIPALS])
def test_can_send_and_audit_agree(path, arn, cli):
    details = load_auth_details(json.loads(path.read_text()), str(path))
    principal = next(p for p in details.principals() if p.arn == arn)
    verdict = audit_principal(principal, details, resource_policies={})
    if verdict.verdict == "unknown":
        pytest.skip(verdict.reason)
    outside = reached(cli, path, arn, OUTSIDE) or reached(cli, path, arn, f"someone@example.com, {OUTSIDE}")
    assert outside == (verdict.verdict == "anyone"), verdict.reason
    if verdict.verdict == "simulator-only":
        assert reached(cli, path, arn, SIMULATOR)
    if verdict.verdict == "restricted":
        assert reached(cli, path, arn, verdict.recipients[0].replace("*", "someone"))
    if verdict.verdict == "none":
        assert not reached(cli, path, arn, SIMULATOR)


def test_the_examples_cover_every_decided_verdict():
    found = set()
    for path in FILES:
        details = load_auth_details(json.loads(path.read_text()), str(path))
        found |= {audit_principal(p, details, resource_policies={}).verdict for p in details.principals()}
    assert found >= {"anyone", "restricted", "simulator-only", "none"}
