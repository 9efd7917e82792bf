"""Bring back the corpus snippets (third-party code, kept out of git) from their repositories.

    python tests/fromcode/restore_corpus.py                 # from GitHub, at the recorded commits
    python tests/fromcode/restore_corpus.py --from DIR      # from another copy of the corpus folder

Each case.json names, per snippet file, the repository's path, the commit, the line range and the
sha256 of those lines (line endings as `\\n`). A file is written only when its lines hash to the
recorded sha256. Needs the network without --from; not part of the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import urllib.request
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"


def cut(text: str, lines: list[int]) -> str:
    a, b = lines
    return "".join(text.replace("\r\n", "\n").splitlines(keepends=True)[a - 1:b])


def fetch(repository: str, commit: str, path: str) -> str:
    url = f"https://raw.githubusercontent.com/{repository}/{commit}/{path}"
    with urllib.request.urlopen(url, timeout=30) as response:   # noqa: S310 - a fixed https host
        return response.read().decode("utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", type=Path, help="a corpus folder that holds the snippets")
    args = parser.parse_args()
    failed = 0
    for case_file in sorted(CORPUS.glob("*/case.json")):
        case = json.loads(case_file.read_text())
        for f in case["files"]:
            target = case_file.parent / f["file"]
            try:
                if args.source is not None:
                    text = (args.source / case_file.parent.name / f["file"]).read_text()
                else:
                    text = cut(fetch(case["repository"], f.get("commit", case["commit"]), f["path"]), f["lines"])
            except OSError as exc:
                print(f"{case_file.parent.name}/{f['file']}: {exc}", file=sys.stderr)
                failed += 1
                continue
            if hashlib.sha256(text.encode()).hexdigest() != f["sha256"]:
                print(f"{case_file.parent.name}/{f['file']}: sha256 differs, not written", file=sys.stderr)
                failed += 1
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    print(f"{'failed: ' + str(failed) if failed else 'all snippets restored'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
