"""Where the data in rules/ lives, and reading it (lazily, once per process)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def rules_dir() -> Path:
    """rules/ inside an installed wheel (seslint/_rules), else the source checkout's rules/."""
    packaged = _PACKAGE / "_rules"
    return packaged if packaged.is_dir() else _PACKAGE.parent / "rules"


@lru_cache(maxsize=None)
def load(name: str):
    """Parse `rules/<name>` (a path relative to rules/)."""
    with open(rules_dir() / name, encoding="utf-8") as f:
        return json.load(f)
