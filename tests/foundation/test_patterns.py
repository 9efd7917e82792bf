"""IAM wildcard matching (`seslint.core.patterns`) against a reference semantics, and its shape.

The reference is the textbook dynamic program over (pattern position, value position): obviously
right, quadratic, never used by seslint. The property: the linear-time regexes agree with it on
random patterns and values, plain, case-insensitive and segment-wise (ARNs). Timing is measured by
`tests/bench/bench_match.py`, not here; these tests pin the shape that makes it linear.
"""

from __future__ import annotations

import re

from hypothesis import given, strategies as st

from seslint.core import patterns as P


def same_char(a: str, b: str, ignore_case: bool) -> bool:
    """One character of a pattern against one of a value, as Python's re compares them."""
    return a == b or ignore_case and re.fullmatch(re.escape(a), b, re.I) is not None


def reference(pattern: str, value: str, ignore_case: bool = False, stop: str = "") -> bool:
    """`value` matches `pattern` (`*` any run, `?` one character, never a character of `stop`)."""
    n = len(value)
    row = [True] + [False] * n          # row[j]: pattern[:i] matches value[:j]
    for c in pattern:
        nxt = [False] * (n + 1)
        for j in range(n + 1):
            if c == "*":
                nxt[j] = row[j] or j > 0 and nxt[j - 1] and value[j - 1] not in stop
            elif j > 0 and row[j - 1]:
                nxt[j] = value[j - 1] not in stop if c == "?" else same_char(c, value[j - 1], ignore_case)
        row = nxt
    return row[n]


def reference_arn(pattern: str, value: str) -> bool | None:
    """An ARN pattern's first five segments against the value's, wildcards inside a segment; then
    the resource part."""
    if pattern.count(":") < 5:
        return None
    head, value_head = pattern.split(":", 5), value.split(":", 5)
    if len(value_head) < 6:
        return False
    return all(reference(p, v, stop=":") for p, v in zip(head[:5], value_head[:5], strict=True)) and \
        reference(head[5], value_head[5])


pattern_text = st.text(alphabet="ab*?", max_size=12)
value_text = st.text(alphabet="ab", max_size=12)


@given(pattern_text, value_text)
def test_glob_agrees_with_the_reference(pattern, value):
    assert P.matches(pattern, value, ignore_case=False) is reference(pattern, value)


@given(st.text(alphabet="aAbK\u212a*?", max_size=10), st.text(alphabet="aAbkK", max_size=10))
def test_ignore_case_agrees_with_the_reference(pattern, value):
    assert P.matches(pattern, value, ignore_case=True) is reference(pattern, value, True)


@given(st.lists(pattern_text, max_size=4), value_text)
def test_any_of_is_the_union(patterns, value):
    hit = P.any_of(patterns, ignore_case=False).fullmatch(value) is not None
    assert hit is any(reference(p, value) for p in patterns)


@given(st.text(alphabet="a:*?", max_size=14), st.text(alphabet="a:", max_size=14))
def test_arn_glob_agrees_with_the_reference(pattern, value):
    rx = P.arn_glob(pattern)
    expected = reference_arn(pattern, value)
    assert (None if rx is None else rx.fullmatch(value) is not None) == expected


@given(st.text(alphabet="ab*?", max_size=12))
def test_a_wildcard_run_is_its_minimum_length_and_one_star(pattern):
    runs = P.pieces(pattern)
    assert sum(1 for n, text in runs if not text) <= 1       # only the end may be a bare run
    assert all(text for n, text in runs[:-1])
    assert "".join(("?" * (-1 - n) + "*" if n < 0 else "?" * n) + text for n, text in runs).count("*") == \
        sum(1 for n, _ in runs if n < 0)


def test_wildcard_runs_collapse():
    assert P.pieces("*?*?ab") == [(-3, "ab")]
    assert P.pieces("a**b") == [(0, "a"), (-1, "b")]
    assert P.source("*?*?*?x") == ".{3}.*x"


def test_pieces_between_stars_are_matched_once_each():
    """No piece can be retried: each middle piece sits in a lookahead, which the engine never
    re-enters, and only the last `*` is a plain `.*`."""
    source = P.source("*a*b?*c*d")
    assert source.count(".*?") == 3 and source.count("(?=") == 3
    assert source.endswith(".*d")


def test_long_adversarial_patterns_answer_at_once():
    """12 `*?` pairs took 25 s on a 30-character value with a backtracking regex; 3,000 stars and
    100,000 characters are nothing now (a real regression would hang here, not be a few ms slower)."""
    assert not P.matches("*?" * 12 + "@example.com", "a" * 30, ignore_case=False)
    assert not P.matches("*a" * 3000 + "*b", "a" * 100_000, ignore_case=True)
    assert P.matches("*a" * 3000 + "*b", "a" * 3000 + "b", ignore_case=False)
    rx = P.arn_glob("arn:aws:" + "*?" * 40 + ":*:*:identity/" + "*a" * 500 + "*b")
    assert rx is not None and rx.fullmatch("arn:aws:" + "s" * 60 + ":x:y:identity/" + "a" * 50_000) is None
