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
plain `.*a.*a.*b` would backtrack exponentially.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

ANY = "\x00*"
ONE = "\x00?"


def parts(pattern: str) -> tuple[str, ...]:
    """`pattern` as parts: each `*` and `?` a wildcard, the rest literal."""
    return tuple(ANY if p == "*" else ONE if p == "?" else p for p in re.split(r"([*?])", pattern) if p)


def pieces(pattern: str | tuple[str, ...]) -> list[tuple[int, str]]:
    """The canonical form of a pattern: a list of (minimum, literal) pairs, each a run of wildcards
    (`minimum` characters, any number more when the run held a `*`, encoded as -1 - minimum) and
    the literal text that follows it. `*?*?ab` is [(-3, "ab")]: two characters or more, then ab."""
    out: list[tuple[int, str]] = []
    ones, star, text = 0, False, ""
    for p in parts(pattern) if isinstance(pattern, str) else pattern:
        if p == ANY or p == ONE:
            if text:
                out.append((-1 - ones if star else ones, text))
                ones, star, text = 0, False, ""
            if p == ANY:
                star = True
            else:
                ones += 1
        else:
            text += p
    out.append((-1 - ones if star else ones, text))
    return out


def source(pattern: str | tuple[str, ...], dot: str = ".", groups: list[int] | None = None) -> str:
    """The regex source (without anchors) for a pattern, matched in linear time; `dot` is what a
    wildcard character may be. `groups` counts the capture groups of the regex being built (for
    the backreferences; several sources may share one regex)."""
    counter = groups if groups is not None else [0]
    runs = pieces(pattern)
    stars = [i for i, (n, _) in enumerate(runs) if n < 0]
    last = stars[-1] if stars else -1
    out: list[str] = []
    for i, (n, text) in enumerate(runs):
        least = -1 - n if n < 0 else n
        fixed = (dot if least == 1 else f"{dot}{{{least}}}") if least else ""
        lit = re.escape(text)
        if n >= 0:
            out.append(fixed + lit)
        elif i == last:
            # The last `*`: what follows is anchored at the end, so it has one place only.
            out.append(f"{fixed}{dot}*{lit}")
        else:
            counter[0] += 1
            out.append(f"{fixed}(?=(?P<g{counter[0]}>{dot}*?{lit}))(?P=g{counter[0]})")
    return "".join(out)


@lru_cache(maxsize=8192)
def glob(pattern: str | tuple[str, ...], *, ignore_case: bool) -> re.Pattern[str]:
    """A regex whose `fullmatch` matches a string as IAM matches it against `pattern`."""
    return re.compile(source(pattern), (re.I if ignore_case else 0) | re.S)


def any_of(patterns: Iterable[str], *, ignore_case: bool) -> re.Pattern[str]:
    """One regex whose `fullmatch` matches what any of `patterns` matches (none: nothing)."""
    groups = [0]
    alternatives = [f"(?:{source(p, '.', groups)})" for p in patterns]
    return re.compile("|".join(alternatives) or "(?!)", (re.I if ignore_case else 0) | re.S)


def matches(pattern: str, value: str, *, ignore_case: bool) -> bool:
    return glob(pattern, ignore_case=ignore_case).fullmatch(value) is not None


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


@lru_cache(maxsize=8192)
def arn_glob(pattern: str | tuple[str, ...]) -> re.Pattern[str] | None:
    """Case-sensitive, segment-wise ARN match as IAM does it: in partition, service, region and
    account a wildcard stays inside its segment; the resource part may contain colons.
    None when the pattern has fewer than six colon-separated segments (not an ARN)."""
    segments = arn_segments(pattern)
    if segments is None:
        return None
    groups = [0]
    head = ":".join(source(s, "[^:]", groups) for s in segments[:5])
    return re.compile(f"{head}:{source(segments[5], '.', groups)}", re.S)


def arn_segments(pattern: str | tuple[str, ...]) -> list[tuple[str, ...]] | None:
    """The six segments of an ARN pattern (split at its first five literal colons), each as parts;
    None when it has fewer than five colons."""
    out: list[tuple[str, ...]] = []
    current: list[str] = []
    for p in parts(pattern) if isinstance(pattern, str) else pattern:
        if p == ANY or p == ONE or len(out) == 5 or ":" not in p:
            current.append(p)
            continue
        for k, piece in enumerate(p.split(":")):
            if k and len(out) < 5:
                out.append(tuple(current))
                current = []
            elif k:
                current.append(":")
            if piece:
                current.append(piece)
    if len(out) < 5:
        return None
    out.append(tuple(current))
    return out
