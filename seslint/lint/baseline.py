"""A baseline file (`seslint lint --baseline FILE`): the findings a repository accepted when it
adopted seslint, so that only new ones count. A finding is in the baseline when its file (relative
to the baseline's folder), rule and JSON pointer are, as many times as the baseline lists them;
line numbers are not compared, so edits elsewhere in a file keep it.

    {"version": 1, "findings": [{"file": "policies/app.json", "rule": "SES028", "pointer": "/Statement/0/Resource",
                                 "message": "..."}]}
"""

from __future__ import annotations

import json
import os
from collections import Counter

from seslint.errors import InputError
from seslint.lint.model import Finding

VERSION = 1


def _key(f: Finding, folder: str) -> tuple[str, str, str]:
    path = f.file if f.file in ("<stdin>", "-") else os.path.relpath(os.path.abspath(f.file), folder)
    return path.replace(os.sep, "/"), f.rule, f.pointer


def write(path: str, findings: list[Finding]) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    rows = sorted((*_key(f, folder), f.message) for f in findings)
    doc = {"version": VERSION, "findings": [{"file": file, "rule": rule, "pointer": pointer, "message": message}
                                            for file, rule, pointer, message in rows]}
    try:
        with open(path, "w", encoding="utf-8") as out:
            out.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise InputError(f"cannot write the baseline: {exc.strerror}", source=path) from None


def read(path: str) -> Counter:
    """(file, rule, pointer) -> how many findings the baseline accepts there."""
    from seslint.jsondoc import load_path

    doc = load_path(path)
    value = doc.value
    if not isinstance(value, dict) or value.get("version") != VERSION or not isinstance(value.get("findings"), list):
        raise InputError(f"not a seslint baseline (an object with \"version\": {VERSION} and \"findings\")",
                         source=path, help="write one with `seslint lint --update-baseline --baseline FILE PATH...`")
    accepted: Counter = Counter()
    for i, row in enumerate(value["findings"]):
        if not isinstance(row, dict) or not all(isinstance(row.get(k), str) for k in ("file", "rule", "pointer")):
            raise InputError("a baseline finding needs the strings file, rule and pointer", source=path,
                             pointer=f"/findings/{i}")
        accepted[(row["file"], row["rule"], row["pointer"])] += 1
    return accepted


def apply(path: str, findings: list[Finding]) -> tuple[list[Finding], int]:
    """The findings the baseline does not accept, and how many it accepted."""
    accepted = read(path)
    folder = os.path.dirname(os.path.abspath(path))
    kept = []
    for f in findings:
        key = _key(f, folder)
        if accepted[key] > 0:
            accepted[key] -= 1
        else:
            kept.append(f)
    return kept, len(findings) - len(kept)
