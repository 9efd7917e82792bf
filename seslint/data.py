"""Where the data in rules/ lives, and reading it (lazily, once per process)."""

from __future__ import annotations

import json
import os
from functools import cache, lru_cache

_PACKAGE = os.path.dirname(os.path.abspath(__file__))


@lru_cache(maxsize=1)
def _rules_path() -> str:
    # os.path rather than pathlib: this runs on every `seslint lint`, and pathlib costs ~3 ms to import.
    packaged = os.path.join(_PACKAGE, "_rules")
    return packaged if os.path.isdir(packaged) else os.path.join(os.path.dirname(_PACKAGE), "rules")


def rules_dir():
    """rules/ inside an installed wheel (seslint/_rules), else the source checkout's rules/ (a Path)."""
    from pathlib import Path

    return Path(_rules_path())


@cache
def load(name: str):
    """Parse `rules/<name>` (a path relative to rules/)."""
    with open(os.path.join(_rules_path(), name), encoding="utf-8") as f:
        return json.load(f)
