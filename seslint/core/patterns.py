"""IAM wildcards: `*` matches any run of characters (none too), `?` exactly one.

The one place that turns a pattern into a regex. Callers say whether case matters: action names
and condition keys ignore case; `StringLike` values and ARNs do not ("IAM JSON policy elements:
Action", "Condition operators", "IAM identifiers"). A pattern is a string, or a tuple of parts in
which ANY and ONE stand for the wildcards and every other part is literal text (so a policy
variable such as `${*}` can stand for a literal asterisk).

Matching takes time linear in the value's length (times the pattern's), whatever the pattern: a
run of wildcards becomes its minimum length plus at most one `*` (`*?*?` is `??*`), and the pieces
between two `*` are matched greedily left to right, each at its leftmost place and never retried.
That is exact for globs: if a piece can go anywhere, its leftmost place leaves the most room for
the rest. The regex says "leftmost, and commit" with a lookahead (which the regex engine never
re-enters) followed by a backreference to what it found, as CPython's own `fnmatch` does; a
plain `.*a.*a.*b` would backtrack exponentially. One ARN shape defeats the commit (a `*` that may
cross colons, then later one that may not: the leftmost place of the piece between them is not
always the right one); such a pattern is matched by simulating its automaton on bit sets
(`BitGlob`), linear too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

ANY = "\x00*"
ONE = "\x00?"
ANY_CHAR = "."           # what a wildcard character may be: anything,
IN_SEGMENT = "[^:]"      # or anything but a colon (inside an ARN segment)

# A run of wildcards and the literal text after it: (number of `?`, their class, the class of its `*`
# or "" for none, text).
Run = tuple[int, str, str, str]


def parts(pattern: str) -> tuple[str, ...]:
    """`pattern` as parts: each `*` and `?` a wildcard, the rest literal."""
    return tuple(ANY if p == "*" else ONE if p == "?" else p for p in re.split(r"([*?])", pattern) if p)


def _runs(tokens: Iterable[tuple[str, str]]) -> list[Run]:
    """Tokens (ANY or ONE with its class, or literal text with "") as runs: every run of wildcards
    is its `?` then at most one `*`, which may cross colons if any of the run's `*` may."""
    out: list[Run] = []
    ones, one_class, star, text = 0, ANY_CHAR, "", ""
    for kind, cls in tokens:
        if kind == ANY or kind == ONE:
            if text:
                out.append((ones, one_class, star, text))
                ones, star, text = 0, "", ""
            if kind == ONE:
                ones, one_class = ones + 1, cls
            elif star != ANY_CHAR:
                star = cls
        else:
            text += kind
    out.append((ones, one_class, star, text))
    return out


def _plain(pattern: str | tuple[str, ...]) -> list[Run]:
    return _runs((p, ANY_CHAR) if p == ANY or p == ONE else (p, "")
                 for p in (parts(pattern) if isinstance(pattern, str) else pattern))


def _source(runs: list[Run], groups: list[int]) -> str | None:
    """The regex source (without anchors) of `runs`, or None when a commit could be wrong (a `*`
    that may be anything, then a later one that may not be a colon). `groups` counts the capture
    groups of the regex being built (for the backreferences; several sources may share one regex).

    The pattern is read as F0 *1 F1 ... *n Fn, each F fixed-length (literals and `?`). F0 is anchored
    at the start and Fn (after the last `*`) at the end; every other F is placed at its leftmost
    place and committed: exact, because the `*` after it can absorb whatever a later place skips."""
    fixed: list[str] = [""]   # F0 .. Fn
    stars: list[str] = []     # the class of each `*`
    for ones, one_class, star, text in runs:
        if ones:
            fixed[-1] += one_class if ones == 1 else f"{one_class}{{{ones}}}"
        if star:
            stars.append(star)
            fixed.append("")
        fixed[-1] += re.escape(text)
    out = [fixed[0]]
    for i, star in enumerate(stars):
        if i == len(stars) - 1:
            out.append(f"{star}*{fixed[i + 1]}")
        elif star == ANY_CHAR and stars[i + 1] != ANY_CHAR:
            return None
        else:
            groups[0] += 1
            out.append(f"(?=(?P<g{groups[0]}>{star}*?{fixed[i + 1]}))(?P=g{groups[0]})")
    return "".join(out)


def source(pattern: str | tuple[str, ...], groups: list[int] | None = None) -> str:
    """The regex source (without anchors) for a pattern, matched in linear time."""
    found = _source(_plain(pattern), groups if groups is not None else [0])
    assert found is not None   # every wildcard of a plain pattern may be anything
    return found


@lru_cache(maxsize=8192)
def glob(pattern: str | tuple[str, ...], *, ignore_case: bool) -> re.Pattern[str]:
    """A regex whose `fullmatch` matches a string as IAM matches it against `pattern`."""
    return re.compile(source(pattern), (re.I if ignore_case else 0) | re.S)


def any_of(patterns: Iterable[str], *, ignore_case: bool) -> re.Pattern[str]:
    """One regex whose `fullmatch` matches what any of `patterns` matches (none: nothing)."""
    groups = [0]
    alternatives = [f"(?:{source(p, groups)})" for p in patterns]
    return re.compile("|".join(alternatives) or "(?!)", (re.I if ignore_case else 0) | re.S)


def matches(pattern: str, value: str, *, ignore_case: bool) -> bool:
    return glob(pattern, ignore_case=ignore_case).fullmatch(value) is not None


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


class BitGlob:
    """A wildcard pattern matched by simulating its automaton: one bit per position in the pattern,
    all positions advanced at once per character (Shift-And), so linear in the value's length."""

    __slots__ = ("chars", "one_any", "one_in", "star_any", "star_in", "stars", "final")

    def __init__(self, runs: list[Run]):
        self.chars: dict[str, int] = {}
        self.one_any = self.one_in = self.star_any = self.star_in = 0
        at = 0
        for ones, one_class, star, text in runs:
            for _ in range(ones):
                if one_class == ANY_CHAR:
                    self.one_any |= 1 << at
                else:
                    self.one_in |= 1 << at
                at += 1
            if star == ANY_CHAR:
                self.star_any |= 1 << at
                at += 1
            elif star:
                self.star_in |= 1 << at
                at += 1
            for ch in text:
                self.chars[ch] = self.chars.get(ch, 0) | 1 << at
                at += 1
        self.stars = self.star_any | self.star_in
        self.final = 1 << at

    def fullmatch(self, value: str) -> bool | None:
        """True when the whole of `value` matches, else None (as `re.Pattern.fullmatch` is falsy)."""
        stars = self.stars
        state = 1 | ((1 & stars) << 1)
        for ch in value:
            colon = ch == ":"
            advance = self.chars.get(ch, 0) | self.one_any | (0 if colon else self.one_in)
            stay = self.star_any | (0 if colon else self.star_in)
            state = ((state & advance) << 1) | (state & stay)
            state |= (state & stars) << 1   # a `*` may match nothing (never two in a row)
            if not state:
                return None
        return True if state & self.final else None


@lru_cache(maxsize=8192)
def arn_glob(pattern: str | tuple[str, ...], resource: bool = False) -> re.Pattern[str] | BitGlob | None:
    """Case-sensitive, segment-wise ARN match as IAM does it: in partition, service, region and account
    a wildcard stays inside its segment; the resource part may contain colons ("Condition operators", ARN
    condition operators: "each of the six colon-delimited components of the ARN is checked separately").
    In the Resource element (`resource=True`), a `*` that is the last character of its segment "can
    expand to match beyond the colon boundaries" ("IAM JSON policy elements: Resource", wildcards in
    resource ARNs), so `arn:aws:ses:*` matches every SES ARN. None when the pattern is not an ARN: fewer
    than six segments, unless such a `*` may stand for the missing ones."""
    pieces = parts(pattern) if isinstance(pattern, str) else pattern
    tokens: list[tuple[str, str]] = []
    colons = 0
    crossing = False
    for i, p in enumerate(pieces):
        if p == ANY:
            ends_segment = resource and (pieces[i + 1] if i + 1 < len(pieces) else ":").startswith(":")
            crossing = crossing or (colons < 5 and ends_segment)
            tokens.append((ANY, ANY_CHAR if colons >= 5 or ends_segment else IN_SEGMENT))
        elif p == ONE:
            tokens.append((ONE, ANY_CHAR if colons >= 5 else IN_SEGMENT))
        else:
            for ch in p:
                if ch == ":" and colons < 5:
                    colons += 1
                tokens.append((ch, ""))
    if colons < 5 and not (crossing and colons >= 1):
        return None
    runs = _runs(tokens)
    found = _source(runs, [0])
    return BitGlob(runs) if found is None else re.compile(found, re.S)
