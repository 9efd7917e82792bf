"""The send matrix (API x content x options x identity x sandbox x delegation): one data table,
send_matrix.json, a source per row, walked by one runner through the library API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seslint.cansend import check_send
from seslint.sendmodel import Send

TABLE = json.loads((Path(__file__).parent / "send_matrix.json").read_text())
PREFIX = "arn:aws:ses:us-east-1:"


def build(row) -> Send:
    send = dict(row["send"])
    for key in ("to", "cc", "bcc"):
        if key in send:
            send[key] = tuple(send[key])
    send["tracking"] = tuple(tuple(t) for t in send.get("tracking", ()))
    return Send(**send)


def short(request) -> str:
    return f"{request.action} {request.resource.removeprefix(PREFIX)}"


@pytest.mark.parametrize("row", TABLE["rows"], ids=[r["name"] for r in TABLE["rows"]])
def test_send_matrix(row):
    policies = [TABLE["policies"][name] for name in row["policies"]]
    resource = {"*": [TABLE["policies"][row["identity_policy"]]]} if "identity_policy" in row else None
    result = check_send(build(row), policies, principal_arn=row.get("principal"), resource_policies=resource)
    assert result.decision == row["decision"], json.dumps(result.to_json(), indent=1)[:3000]
    if "requests" in row:
        assert sorted(short(r) for r in result.requests) == row["requests"]
    for action, context in row.get("context", {}).items():
        request = next(r for r in result.requests if r.action == action)
        assert {k: request.context.get(k) for k in context} == context
    if "uncertain" in row:
        assert sorted({k for r in result.requests for k in r.planned.uncertain}) == row["uncertain"]
    if "holds_for" in row:
        assert result.holds_for() == row["holds_for"]


def test_every_row_has_a_source_and_every_policy_is_used():
    assert all(r["source"].startswith("https://") for r in TABLE["rows"])
    used = {p for r in TABLE["rows"] for p in r["policies"] + [r.get("identity_policy")]}
    assert set(TABLE["policies"]) <= used


def test_the_matrix_covers_every_dimension():
    sends = [r["send"] for r in TABLE["rows"]]
    assert {(s.get("api", "v2"), s.get("content", "simple")) for s in sends} >= {
        ("v1", "simple"), ("v1", "raw"), ("v1", "template"), ("v1", "bulk"), ("v2", "simple"), ("v2", "raw"),
        ("v2", "template"), ("v2", "bulk"), ("smtp", "simple")}
    for option in ("configuration_set", "feedback_address", "tenant", "tracking", "endpoint_id", "identity",
                   "sandbox", "source_arn", "return_path_arn"):
        assert any(option in s for s in sends), option
    assert {r["decision"] for r in TABLE["rows"]} == {"allowed", "implicitDeny", "explicitDeny", "unknown"}
