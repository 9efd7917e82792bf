"""Strict JSON with positions by JSON pointer."""

import pytest

from seslint.errors import InputError
from seslint.jsondoc import join, loads

TEXT = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": ["ses:SendEmail", "ses:X"]}\n  ]\n}'


@pytest.mark.parametrize("pointer, position", [
    ("", (1, 1)), ("/Version", (2, 14)), ("/Statement/0", (4, 5)), ("/Statement/0/Action/1", (4, 53)),
    ("/Statement/0/Missing", (4, 5)),
])
def test_positions_by_pointer(pointer, position):
    assert loads(TEXT, "p.json").position(pointer) == position


def test_key_positions_and_escaped_pointers():
    doc = loads('{"a/b": {"~x": 1}}')
    assert doc.position(join("", "a/b", "~x")) == (1, 16)
    assert doc.key_position("/a~1b") == (1, 2)


def test_duplicate_keys_are_reported_and_the_last_wins():
    doc = loads('{"Effect": "Allow",\n "Effect": "Deny"}')
    assert doc.value == {"Effect": "Deny"}
    assert doc.duplicates == ["/Effect"]
    assert doc.key_position("/Effect") == (2, 2)
    assert loads('{"a": 1}').duplicates == []


@pytest.mark.parametrize("text, message", [
    ('{"a": 1,}', "p.json:1:8: invalid JSON: trailing comma before '}'"),
    ('[\n  "ses:SendEmail",\n]', "p.json:2:18: invalid JSON: trailing comma before ']'"),  # the comma, not the ]
    ("[1, 2", "p.json:1:6: invalid JSON"),
    ('{"a": NaN}', "p.json:1:7: invalid JSON: NaN is not valid JSON"),
    ('{"NaN": "Infinity",\n "b": [1, -Infinity]}', "p.json:2:11: invalid JSON: -Infinity is not valid JSON"),
    ('["a\\" NaN", \n\n  Infinity]', "p.json:3:3: invalid JSON: Infinity is not valid JSON"),
    ("[" * 100000 + "]" * 100000, "nesting is too deep"),
    ("", "p.json:1:1: invalid JSON"),
])
def test_broken_json_is_one_line_error_naming_file_and_place(text, message):
    with pytest.raises(InputError) as err:
        loads(text, "p.json")
    assert message in str(err.value) and "\n" not in str(err.value)


def test_huge_input_is_refused(monkeypatch):
    import seslint.jsondoc as jd

    monkeypatch.setattr(jd, "MAX_BYTES", 10)
    with pytest.raises(InputError, match="larger than"):
        jd.loads('{"a": "0123456789"}', "big.json")


def test_positions_stay_the_same_once_the_document_is_indexed():
    """Lookups index each container on their path once and, after a few, the lines (linear lint time)."""
    import json as _json

    from seslint import jsondoc as _jsondoc

    text = _json.dumps({"Statement": [{"Sid": f"S{i}", "Action": ["a", "b\\u00e9"]} for i in range(40)]}, indent=1)
    pointers = [f"/Statement/{i}/Action/1" for i in range(40)] + ["/Statement/3/Sid", "/Statement/99", ""]
    fresh = [_jsondoc.loads(text).position(p) for p in pointers]  # each on a new document: always a walk
    doc = _jsondoc.loads(text)
    assert [doc.position(p) for p in pointers] == fresh
    assert doc._newlines is not None  # the line index was built after LINE_INDEX_AFTER lookups
