"""`simulate --scenarios --jobs N`: worker processes never change what comes out, nor its order."""

from __future__ import annotations

import gc
import json
import re

import orjson
import pytest
from hypothesis import given, strategies as st

from seslint.evaluate import batch
from tests.evaluate.scenario_gen import scenarios


@pytest.fixture
def mixed(tmp_path):
    """Over four chunks of generated scenarios, with blank, broken, non-UTF-8 and pretty-printed lines."""
    lines = [json.dumps(s).encode() for s in scenarios(11, batch.CHUNK_LINES * 4 - 10)]
    lines[3:3] = [b"", b"   ", b"{not json", b"\xff\xfe broken", b'{"id": "x"}', b"{", b"[1, 2]"]
    lines.insert(batch.CHUNK_LINES + 5, b'{"id": "late", "request": {"action": "ses:SendEmial"}}')
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.mark.parametrize("options", [("--format", "json"), ("--format", "text"), ("--format", "json", "--explain")])
def test_workers_give_the_same_output_as_one_process(cli, mixed, options):
    one = cli("simulate", "--scenarios", mixed, *options, "--jobs", "1")
    two = cli("simulate", "--scenarios", mixed, *options, "--jobs", "2")
    three = cli("simulate", "--scenarios", mixed, *options, "--jobs", "3")
    assert one.code == 3 and one.out.count("\n") == batch.CHUNK_LINES * 4 - 4
    assert two == one and three == one
    assert "SendEmial" in one.out and "did you mean 'ses:SendEmail'" in one.out


@pytest.mark.parametrize("explain", [False, True])
def test_a_batch_makes_no_cyclic_garbage(mixed, explain):
    """run_batch pauses the automatic collector (seslint.gcpause): that is safe only while
    every object a batch makes is freed by reference counting, on good and bad lines alike."""
    lines = list(enumerate(mixed.read_bytes().splitlines(keepends=True), 1))
    evaluator = batch.Evaluator(str(mixed), explain, "json", None)
    gc.collect()
    gc.disable()
    try:
        for i in range(0, len(lines), batch.CHUNK_LINES):
            evaluator.chunk(lines[i:i + batch.CHUNK_LINES])
        del evaluator
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_the_collector_is_back_on_after_a_batch(cli, mixed):
    assert gc.isenabled()
    cli("simulate", "--scenarios", mixed, "--jobs", "1")
    assert gc.isenabled()


def test_stdin_with_workers(cli, mixed):
    text = mixed.read_bytes().decode("utf-8", "replace")
    assert cli("simulate", "--scenarios", "-", "--jobs", "2", input=text) == \
        cli("simulate", "--scenarios", "-", "--jobs", "1", input=text)


def test_pretty_printed_first_line_is_refused_before_any_worker_starts(cli, tmp_path):
    path = tmp_path / "pretty.jsonl"
    path.write_text("\ufeff{\n" + '  "id": "a"\n}\n' * batch.CHUNK_LINES * 2)
    run = cli("simulate", "--scenarios", path, "--jobs", "2")
    assert run.code == 3 and "pretty-printed" in run.err and run.out == ""


def test_a_crash_in_a_worker_is_an_internal_error(cli, mixed, monkeypatch):
    def crash(self, lines):
        if any(number > batch.CHUNK_LINES * 2 for number, _ in lines):
            raise KeyError("boom")
        return original(self, lines)

    original = batch.Evaluator.chunk
    monkeypatch.setattr(batch.Evaluator, "chunk", crash)   # inherited by the forked workers
    run = cli("simulate", "--scenarios", mixed, "--jobs", "2")
    assert run.code == 4
    assert run.err.count("\n") == 1 and "internal error (WorkerError: KeyError: 'boom')" in run.err
    assert "Traceback" not in run.output


POLICY = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*", '
          '"Condition": {"StringEquals": {"ses:FromAddress": "a@example.com"}EXTRA}}]}')
REQUEST = ('"request": {"action": "ses:SendEmail", "resource": "arn:aws:ses:us-east-1:111122223333:identity/a@example.com",'
           ' "context": {"ses:FromAddress": "SENDER"}}')


def _line(head: str, condition: str = "", sender: str = "a@example.com") -> str:
    """A scenario line as written: `head` members, then one policy (with `condition` added) and a request."""
    policy, request = POLICY.replace("EXTRA", condition), REQUEST.replace("SENDER", sender)
    return "{" + head + ', "identity_policies": [' + policy + "], " + request + "}"


@pytest.mark.parametrize(("line", "error"), [
    # A repeated member is refused (orjson would silently keep the last value), wherever it is.
    (_line('"id": "a", "id": "b"'), "/id"),
    (_line('"id": "c"', ', "StringEquals": {"ses:FromAddress": "b@example.com"}', "b@example.com"),
     "/identity_policies/0/Statement/0/Condition/StringEquals"),
    (_line('"id" : "d", "id" : "e"'), "/id"),
    # An escape no encoder writes (\u0022 for a quote) must not hide a repeat from the shortcut.
    (_line('"id": "j", "id": "k", "note": "\\u0022:"'), "/id"),
    # Lines the shortcut cannot judge are parsed strictly, and still answered.
    (_line('"id": "f\\u00e9"'), None),
    (_line('"id" : "g"'), None),
    (_line('"id": ":h"'), None),
    (_line('"id": "i"'), None),
])
def test_repeated_members_are_refused_in_batches(cli, tmp_path, line, error):
    path = tmp_path / "b.jsonl"
    path.write_text(line + "\n")
    run = cli("simulate", "--scenarios", path, "--format", "json")
    result = json.loads(run.out)
    if error is None:
        assert (run.code, result["decision"]) == (0, "allowed"), result
    else:
        assert run.code == 3 and "member name repeated in one object" in result["error"], result
        assert f"at {error}: member name repeated" in result["error"], result


_WS = st.sampled_from(["", " ", "\t", "  "])
_TEXT = st.text(alphabet=' :"\\é\tab', max_size=4)


@st.composite
def _json_text(draw, depth=0):
    """JSON text whose objects may repeat a member, with any whitespace: (text, has a repeat)."""
    if depth > 2 or draw(st.booleans()):
        return json.dumps(draw(st.one_of(_TEXT, st.integers(), st.none()))), False
    pairs = draw(st.lists(st.tuples(st.sampled_from(["a", ":", " :", 'b"', "c\\", "é"]), _json_text(depth + 1)), max_size=4))
    names = [name for name, _ in pairs]
    repeated = len(set(names)) < len(names) or any(r for _, (_, r) in pairs)
    parts = [f"{draw(_WS)}{json.dumps(name)}{draw(_WS)}:{draw(_WS)}{text}" for name, (text, _) in pairs]
    return "{" + ",".join(parts) + draw(_WS) + "}", repeated


@given(_json_text(), st.booleans())
def test_the_repeat_shortcut_never_misses_a_repeat(case, unusual_escapes):
    text, repeated = case
    if unusual_escapes:   # valid JSON that no encoder writes: the shortcut must not count on it
        text = re.sub(r'(?<!\\)((?:\\\\)*)\\"', r"\1\\u0022", text)
    value = orjson.loads(text)
    members = batch.encoded_members(text.encode(), value)
    if members is not None:
        assert not repeated, text
        assert members == {name: orjson.dumps(item) for name, item in value.items()}


def test_the_cache_turns_off_where_it_misses_and_tries_again():
    from seslint.evaluate.scenario import PolicyCache

    cache = PolicyCache()
    states = []
    for hits in [0, None, None, None, None, None, None, None, 0, None, None, None, None, None, None, None, 200]:
        cache.next_round()
        states.append(cache.enabled)
        cache.lookups, cache.hits = (250, hits) if cache.enabled else (0, 0)
    cache.next_round()
    states.append(cache.enabled)
    assert states == [True] + [False] * 7 + [True] + [False] * 7 + [True, True]


def test_answers_do_not_depend_on_the_cache(mixed, monkeypatch):
    """Whether the cache is on (repeated policies) or off (each line its own): the same output."""
    from seslint.evaluate.scenario import PolicyCache

    lines = list(enumerate(mixed.read_bytes().splitlines(keepends=True), 1))
    repeated = [(n + len(lines), data) for n, data in lines]   # the same policies again: hits

    def run():
        evaluator = batch.Evaluator(str(mixed), True, "json", None)
        out, enabled = [], []
        for i in range(0, 2 * len(lines), batch.CHUNK_LINES):
            out.append(evaluator.chunk((lines + repeated)[i:i + batch.CHUNK_LINES])[0])
            enabled.append(evaluator.cache.enabled)
        return out, enabled

    adaptive, enabled = run()
    monkeypatch.setattr(PolicyCache, "SKIP", 0)   # never off
    always, always_enabled = run()
    assert adaptive == always
    assert False in enabled and all(always_enabled)
