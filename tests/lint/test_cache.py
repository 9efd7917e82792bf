"""Lint checks each distinct policy text once per run: many files of a repository hold the same policy."""

from __future__ import annotations

import json

from seslint.lint import engine
from seslint.lint.config import Config
from seslint.lint.model import Unresolved
from tests.lint.conftest import write

WILD = {"Version": "2012-10-17", "Statement": [{"Sid": "All", "Effect": "Allow", "Action": "ses:*", "Resource": "*"}]}


def test_copies_are_checked_once_and_each_reported(tmp_path, monkeypatch):
    calls = []
    check = engine._check
    monkeypatch.setattr(engine, "_check", lambda *a: calls.append(a[0]) or check(*a))
    for i in range(5):
        write(tmp_path / f"p{i}.json", json.dumps(WILD, indent=i or None))   # p0 on one line
    write(tmp_path / "other.json", {**WILD, "Id": "x"})
    result = engine.run([str(tmp_path)], Config(), jobs=1)
    assert len(calls) == 2
    by_file = {}
    for f in result.findings:
        by_file.setdefault(f.file.rsplit("/", 1)[1], set()).add((f.rule, f.pointer, f.sid))
    assert len(by_file) == 6 and len({frozenset(v) for v in by_file.values()}) == 1
    assert {f.line for f in result.findings if f.file.endswith("p0.json")} == {1}   # placed in each file
    assert {f.line for f in result.findings if f.file.endswith("p2.json")} != {1}


def test_only_plain_json_is_shared():
    assert engine._document(WILD) is not None
    assert engine._document({"Statement": [{"Resource": Unresolved("${Arn}")}]}) is None   # CloudFormation's
    assert engine._document({"Version": __import__("datetime").date(2012, 10, 17)}) is None   # YAML's
