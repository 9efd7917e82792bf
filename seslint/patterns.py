"""IAM-style wildcards: `*` matches any run of characters, `?` exactly one."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=4096)
def glob(pattern: str, ignore_case: bool = True) -> re.Pattern:
    """A compiled regex that matches the whole string as IAM matches `pattern`."""
    parts = ("." if c == "?" else ".*" if c == "*" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), (re.I if ignore_case else 0) | re.S)


def matches(pattern: str, value: str, ignore_case: bool = True) -> bool:
    return glob(pattern, ignore_case).fullmatch(value) is not None


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern
