"""IAM wildcard matching (`seslint.core.patterns`) against a reference semantics, and its shape.

The reference is the textbook dynamic program over (pattern position, value position): obviously
right, quadratic, never used by seslint. The property: the linear-time regexes agree with it on
random patterns and values, plain, case-insensitive and segment-wise (ARNs). Timing is measured by
`tests/bench/bench_match.py`, not here; these tests pin the shape that makes it linear.
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings, strategies as st

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


def reference_arn(pattern: str, value: str, resource: bool = False) -> bool | None:
    """An ARN pattern against a value, by the rule itself: up to the pattern's fifth colon a `?`, and a
    `*` too, stays inside its segment, except (in a Resource) a `*` that ends its segment; after it,
    anything goes. A dynamic program over (pattern position, value position), each wildcard with the
    characters it may not take."""
    tokens, colons, crossing = [], 0, False
    for i, c in enumerate(pattern):
        if c in "*?":
            ends = resource and c == "*" and (pattern[i + 1:i + 2] or ":") == ":"
            crossing = crossing or (colons < 5 and ends)
            tokens.append((c, "" if colons >= 5 or ends else ":"))
        else:
            colons += c == ":" and colons < 5
            tokens.append((c, None))
    if colons < 5 and not (crossing and colons >= 1):
        return None
    n = len(value)
    row = [True] + [False] * n
    for c, stop in tokens:
        nxt = [False] * (n + 1)
        for j in range(n + 1):
            if c == "*" and stop is not None:
                nxt[j] = row[j] or j > 0 and nxt[j - 1] and value[j - 1] not in stop
            elif j > 0 and row[j - 1]:
                nxt[j] = value[j - 1] not in stop if c == "?" and stop is not None else c == value[j - 1]
        row = nxt
    return row[n]


pattern_text = st.text(alphabet="ab*?", max_size=12)
value_text = st.text(alphabet="ab", max_size=12)


@settings(max_examples=1000)
@given(pattern_text, value_text)
@example("*a?b*", "aaab")   # the `?` after a committed piece belongs to it (once committed alone: no match)
def test_glob_agrees_with_the_reference(pattern, value):
    assert P.matches(pattern, value, ignore_case=False) is reference(pattern, value)


@given(st.text(alphabet="aAbK\u212a*?", max_size=10), st.text(alphabet="aAbkK", max_size=10))
def test_ignore_case_agrees_with_the_reference(pattern, value):
    assert P.matches(pattern, value, ignore_case=True) is reference(pattern, value, True)


@given(st.lists(pattern_text, max_size=4), value_text)
def test_any_of_is_the_union(patterns, value):
    hit = P.any_of(patterns, ignore_case=False).fullmatch(value) is not None
    assert hit is any(reference(p, value) for p in patterns)


segments = st.lists(st.sampled_from(["a", "*", "a*a", "*a", "a?", "?*", ""]), min_size=2, max_size=8).map(":".join)
values = st.lists(st.sampled_from(["a", "aa", "aaa", "b", ""]), min_size=1, max_size=9).map(":".join)


@settings(max_examples=500)   # cheap, and the shapes that need the automaton are rare
@given(st.one_of(st.text(alphabet="a:*?", max_size=14), segments), st.one_of(st.text(alphabet="a:", max_size=14), values),
       st.booleans())
@example("*:?*", "::a", True)
def test_arn_glob_agrees_with_the_reference(pattern, value, resource):
    rx = P.arn_glob(pattern, resource)
    expected = reference_arn(pattern, value, resource)
    assert (None if rx is None else rx.fullmatch(value) is not None) == expected


@given(st.text(alphabet="ab:*?", max_size=16), st.text(alphabet="ab:", max_size=16))
def test_the_automaton_agrees_with_the_reference(pattern, value):
    """The bit-set automaton, which matches the ARN shapes a regex cannot commit on, on any pattern."""
    tokens = [(p, P.ANY_CHAR if p in (P.ANY, P.ONE) else "") for p in P.parts(pattern)]
    assert (P.BitGlob(P._runs(tokens)).fullmatch(value) is not None) is reference(pattern, value)


def test_a_star_that_may_cross_colons_before_one_that_may_not_is_matched_by_the_automaton():
    rx = P.arn_glob("arn:aws:ses:*:1*2:identity/*", True)
    assert isinstance(rx, P.BitGlob)
    assert rx.fullmatch("arn:aws:ses:us:1x:1y2:identity/z")     # the first * takes "us:1x"
    assert rx.fullmatch("arn:aws:ses:us:1x2:1y:identity/z") is None
    assert isinstance(P.arn_glob("arn:aws:ses:*:*:identity/*", True), re.Pattern)


def test_wildcard_runs_collapse():
    assert P.source("*?*?ab") == ".{2}.*ab"
    assert P.source("*a?b*") == "(?=(?P<g1>.*?a.b))(?P=g1).*"
    assert P.source("a**b") == "a.*b"
    assert P.source("*?*?*?x") == ".{3}.*x"
    assert P._plain("*?*?ab") == [(2, ".", ".", "ab")]


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
    rx = P.arn_glob("arn:aws:ses:*:1*" + "a*" * 500 + "b:identity/*", True)
    assert isinstance(rx, P.BitGlob) and rx.fullmatch("arn:aws:ses:" + "x:" * 20_000 + "1" + "a" * 20_000) is None
