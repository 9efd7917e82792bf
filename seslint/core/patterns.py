"""IAM wildcards: `*` matches any run of characters (none too), `?` exactly one.

The one place that turns a pattern into a regex. Callers say whether case matters: action names
and condition keys ignore case; `StringLike` values and ARNs do not ("IAM JSON policy elements:
Action", "Condition operators", "IAM identifiers"). A pattern is a string, or a tuple of parts in
which ANY and ONE stand for the wildcards and every other part is literal text (so a policy
variable such as `${*}` can stand for a literal asterisk).
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


def source(pattern: str | tuple[str, ...]) -> str:
    """The regex source (without anchors) for a pattern."""
    pieces = parts(pattern) if isinstance(pattern, str) else pattern
    return "".join(".*" if p == ANY else "." if p == ONE else re.escape(p) for p in pieces)


@lru_cache(maxsize=8192)
def glob(pattern: str | tuple[str, ...], *, ignore_case: bool) -> re.Pattern[str]:
    """A regex whose `fullmatch` matches a string as IAM matches it against `pattern`."""
    return re.compile(source(pattern), (re.I if ignore_case else 0) | re.S)


def any_of(patterns: Iterable[str], *, ignore_case: bool) -> re.Pattern[str]:
    """One regex whose `fullmatch` matches what any of `patterns` matches (none: nothing)."""
    alternatives = [f"(?:{source(p)})" for p in patterns]
    return re.compile("|".join(alternatives) or "(?!)", (re.I if ignore_case else 0) | re.S)


def matches(pattern: str, value: str, *, ignore_case: bool) -> bool:
    return glob(pattern, ignore_case=ignore_case).fullmatch(value) is not None


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


@lru_cache(maxsize=8192)
def arn_glob(pattern: str | tuple[str, ...], resource: bool = False) -> re.Pattern[str] | None:
    """Case-sensitive, segment-wise ARN match as IAM does it: in partition, service, region and account
    a wildcard stays inside its segment; the resource part may contain colons ("Condition operators", ARN
    condition operators: "each of the six colon-delimited components of the ARN is checked separately").
    In the Resource element (`resource=True`), a `*` that is the last character of its segment "can
    expand to match beyond the colon boundaries" ("IAM JSON policy elements: Resource", wildcards in
    resource ARNs), so `arn:aws:ses:*` matches every SES ARN. None when the pattern is not an ARN: fewer
    than six segments, unless such a `*` may stand for the missing ones."""
    out: list[str] = []
    colons = 0
    crossing = False
    pieces = parts(pattern) if isinstance(pattern, str) else pattern
    for i, p in enumerate(pieces):
        if p == ANY:
            ends_segment = resource and (pieces[i + 1] if i + 1 < len(pieces) else ":").startswith(":")
            crossing = crossing or (colons < 5 and ends_segment)
            out.append(".*" if colons >= 5 or ends_segment else "[^:]*")
        elif p == ONE:
            out.append("." if colons >= 5 else "[^:]")
        else:
            for ch in p:
                if ch == ":" and colons < 5:
                    colons += 1
                out.append(re.escape(ch))
    if colons < 5 and not (crossing and colons >= 1):
        return None
    return re.compile("".join(out), re.S)
