"""Generate one markdown page per lint rule from the catalog, into rules/docs/.

    python -m seslint.maintenance.rule_docs [--check]

Each page has the sections What it does / Why is this bad? / Example / Use instead / References;
rules/docs/README.md indexes them. `--check` exits 1 when a page on disk differs from the catalog
(a test runs it, so the pages cannot drift).
"""

from __future__ import annotations

import argparse
import sys

from seslint.data import rules_dir
from seslint.lint.catalog import load_catalog
from seslint.lint.docs import DOCS, page_name, render_index, render_page


def pages() -> dict[str, str]:
    """File name under rules/docs/ -> its text."""
    rules = list(load_catalog().rules.values())
    out = {page_name(r): render_page(r) for r in rules}
    out["README.md"] = render_index(rules)
    return out


def stale(folder) -> list[str]:
    """Names of pages that are missing, differ, or belong to no rule."""
    wanted = pages()
    have = {p.name for p in folder.glob("*.md")} if folder.is_dir() else set()
    wrong = [n for n, text in wanted.items() if n not in have or (folder / n).read_text(encoding="utf-8") != text]
    return sorted(wrong + sorted(have - set(wanted)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Generate rules/docs/ from the lint rule catalog.")
    parser.add_argument("--check", action="store_true", help="exit 1 when a page is out of date")
    args = parser.parse_args(argv)
    folder = rules_dir() / DOCS
    if args.check:
        wrong = stale(folder)
        print(f"{folder}: " + (f"out of date: {', '.join(wrong)}" if wrong else "up to date"))
        return 1 if wrong else 0
    folder.mkdir(exist_ok=True)
    wanted = pages()
    for old in folder.glob("*.md"):
        if old.name not in wanted:
            old.unlink()
    for name, text in wanted.items():
        (folder / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(wanted)} pages to {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
