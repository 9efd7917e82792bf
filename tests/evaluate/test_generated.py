"""seslint's own invariants on generated SES scenarios (tests/evaluate/scenario_gen.py).

The differential run against iam-simulate is a maintainer script (differential.py); here, with
no peer, every generated scenario must: evaluate without crashing (a refusal is an InputError),
give the same answer every time, and have an `--explain` trace that agrees with the decision.
"""

from __future__ import annotations

import json

import pytest

from seslint.errors import InputError
from seslint.evaluate import evaluate, load_scenario
from seslint.evaluate.scenario import PolicyCache
from tests.evaluate.scenario_gen import scenarios

COUNT = 400


def _decide(s, cache=None, explain=False):
    try:
        return evaluate(load_scenario(s, "gen.jsonl", cache=cache), explain=explain)
    except InputError as exc:
        return exc


@pytest.mark.parametrize("unique", [True, False])
def test_generated_invariants(unique):
    items = list(scenarios(11, COUNT, unique=unique))
    cache = PolicyCache()
    decisions = set()
    for s in items:
        first = _decide(s)
        if isinstance(first, InputError):
            assert "\n" not in str(first) and str(first).startswith("gen.jsonl")
            assert isinstance(_decide(s, cache), InputError)
            continue
        decisions.add(first.decision)
        again = _decide(s, cache)                      # a shared cache, as in a batch
        assert again.json_line() == first.json_line(), s["id"]
        explained = _decide(s, explain=True)
        assert (explained.decision, explained.hits) == (first.decision, first.hits), s["id"]
        applied = [(p["policy_type"], st["pointer"]) for p in explained.trace for st in p["statements"]
                   if st["applies"] is True]
        for hit in first.hits:
            assert (hit.kind, hit.pointer) in applied, (s["id"], hit)
        if first.decision == "explicitDeny":
            assert any(h.effect == "Deny" for h in first.hits)
        if first.decision == "allowed":
            assert all(h.effect == "Allow" for h in first.hits)
        assert json.loads(first.json_line()) == first.to_json()
    assert decisions == {"allowed", "explicitDeny", "implicitDeny"}


def test_generator_is_deterministic_and_covers_the_shapes():
    a, b = list(scenarios(3, 300)), list(scenarios(3, 300))
    assert a == b
    text = json.dumps(a)
    for needle in ('"permission_boundary"', '"session_policies"', '"scps"', '"resource_policy"', "ForAllValues:",
                   "ForAnyValue:", "IfExists", '"Null"', "Date", "Numeric", "IpAddress", "Bool", "Arn", "${",
                   '"ses:Recipients": []', "NotResource", "NotAction", "2008-10-17"):
        assert needle in text, needle
    recipients = [s["request"]["context"].get("ses:Recipients") for s in a if s["request"]["action"].startswith("ses:Send")]
    assert None in recipients and [] in recipients and any(r and len(r) > 1 for r in recipients)
