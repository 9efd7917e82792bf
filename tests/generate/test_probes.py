"""generate --check's probes never collide with the user's parameters, and a failed proof is a sentence."""

from __future__ import annotations

import pytest

from seslint.generate import prove


@pytest.mark.parametrize("name,values", [
    ("sending-authorization", {"identity": "example.com", "region": "us-east-1", "account": "444455556666",
                               "delegate-account": ["222233334444"]}),
    ("sending-authorization", {"identity": "example.com", "region": "us-east-1", "account": "111122223333",
                               "delegate-account": ["444455556666", "555566667777"]}),
    ("restricted-sender", {"from": ["noreply@outsider.invalid"]}),
    ("restricted-sender", {"from": ["noreply@outsider.invalid"], "recipient-domain": ["elsewhere.invalid"]}),
    ("identity-admin", {"identity": ["outsider.invalid"]}),
    ("ci-simulator-only", {"from": ["ci@outsider.invalid"]}),
])
def test_a_correct_policy_passes_its_proofs_whatever_the_parameters(name, values):
    assert [r.detail for r in prove(name, values) if not r.ok] == []


def test_a_failed_proof_reads_as_a_sentence():
    empty = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "ses:*", "Resource": "*"}]}
    failed = [r for r in prove("ci-simulator-only", {}, empty) if not r.ok]
    assert failed and all(" was explicitDeny" in r.detail and "{" not in r.detail for r in failed)
    wide = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:*", "Resource": "*"}]}
    failed = [r for r in prove("ci-simulator-only", {}, wide) if not r.ok]
    assert failed and all(r.detail.startswith("every request was allowed: ses:") for r in failed)
