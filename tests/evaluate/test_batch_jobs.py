"""`simulate --scenarios --jobs N`: worker processes never change what comes out, nor its order."""

from __future__ import annotations

import json

import pytest

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
