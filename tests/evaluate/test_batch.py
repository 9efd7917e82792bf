"""Batch mode caches compiled policies by their content: the cache must never change an answer."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from hypothesis import given, strategies as st

from seslint.cansend import can_send
from seslint.evaluate import evaluate, load_scenario
from seslint.evaluate.scenario import PolicyCache

EX = Path(__file__).resolve().parents[2] / "examples"
AT = datetime(2026, 1, 1, tzinfo=timezone.utc)
BATCH = [json.loads(x) for x in (EX / "scenarios" / "batch.jsonl").read_text().splitlines() if x.strip()]

def _lines(cli, tmp_path, values, texts=()):
    path = tmp_path / "s.jsonl"
    path.write_text("".join(json.dumps(v) + "\n" for v in values) + "".join(texts))
    code, out, _ = cli("simulate", "--scenarios", str(path), "--format", "json")
    return code, [json.loads(x) for x in out.splitlines()]


def test_batch_with_repeated_policies_matches_one_by_one(tmp_path, cli):
    # Every example twice, policies moved between fields and positions, and re-spaced JSON text.
    values = []
    for i, s in enumerate(BATCH * 2):
        s = dict(s, id=f"{s['id']}-{i}")
        if i % 3 == 1:
            s["identity_policies"] = list(reversed(s.get("identity_policies", [])))
        if i % 4 == 2 and s.get("identity_policies"):
            s["permission_boundary"] = s["identity_policies"][0]
        values.append(s)
    code, results = _lines(cli, tmp_path, values, [json.dumps(v, indent=None, separators=(" , ", " : ")) + "\n"
                                                   for v in values[:3]])
    expected = [evaluate(load_scenario(v, str(tmp_path / "s.jsonl"))).to_json() for v in values + values[:3]]
    assert code == 1
    assert results == expected


def test_batch_repeated_bad_policy_is_an_error_every_time(tmp_path, cli):
    bad = dict(BATCH[0], identity_policies=[{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEqualz": {"a:b": "c"}}}]}])
    code, results = _lines(cli, tmp_path, [bad, BATCH[0], bad])
    assert code == 3
    assert ["error" in r for r in results] == [True, False, True]
    assert results[0]["error"].split(":", 2)[2] == results[2]["error"].split(":", 2)[2]


def test_batch_rejects_nan_like_the_strict_parser(tmp_path, cli):
    line = json.dumps(BATCH[0]).replace('"request": {', '"request": {"x": NaN, ', 1)
    code, results = _lines(cli, tmp_path, [], [line + "\n"])
    assert code == 3 and "NaN is not valid JSON" in results[0]["error"]


def test_scenario_policies_may_be_extended_without_touching_the_cache():
    cache = PolicyCache()
    first = load_scenario(BATCH[0], "b", cache=cache)
    first.policies.identity.append(first.policies.identity[0])
    again = load_scenario(BATCH[0], "b", cache=cache)
    assert len(again.policies.identity) == len(BATCH[0]["identity_policies"])


def test_can_send_shared_cache_gives_the_same_answers():
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:Send*", "Resource": "*",
              "Condition": {"ForAllValues:StringLike": {"ses:Recipients": "*@simulator.amazonses.com"}}}]}
    cache = PolicyCache()
    for to in (["success@simulator.amazonses.com"], ["x@gmail.com"]) * 2:
        for api, content in (("v2", "simple"), ("v1", "raw"), ("smtp", "raw")):
            kwargs = dict(sender="a@example.com", to=to, api=api, content=content, account="111122223333",
                          at=AT)   # fixed: two sends made "now" a second apart differ in aws:CurrentTime
            assert can_send([policy], cache=cache, **kwargs).to_json() == can_send([policy], **kwargs).to_json()


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.none(), st.booleans()))
def test_json_text_is_the_compact_encoder_without_its_cost(value):
    from seslint.evaluate.engine import compact_json, json_text

    assert json_text(value) == compact_json(value)


_NAME = st.one_of(st.none(), st.text(max_size=8))


@given(st.text(max_size=8), st.text(max_size=8), st.text(max_size=8), _NAME, st.sampled_from(["Allow", "Deny"]),
       _NAME, st.sampled_from([None, "direct", "role", "account"]))
def test_a_hit_writes_its_json_as_the_compact_encoder_would(kind, source, pointer, sid, effect, level, grant):
    from seslint.evaluate.engine import Hit, compact_json

    hit = Hit(kind, source, pointer, sid, effect, level, grant)
    assert hit.json_text == compact_json(hit.to_json())
