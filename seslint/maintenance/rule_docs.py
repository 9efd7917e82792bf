"""Generate one markdown page per lint rule from the catalog, into rules/docs/.

    python -m seslint.maintenance.rule_docs [--check]

Each page has the sections What it does / Why is this bad? / Example / Use instead / References;
rules/docs/README.md indexes them. `--check` exits 1 when a page on disk differs from the catalog
(a test runs it, so the pages cannot drift).
"""

from __future__ import annotations

import argparse
import json
import sys

from seslint.data import rules_dir
from seslint.lint.catalog import Rule, load_catalog

DOCS = "docs"


def page_name(rule: Rule) -> str:
    return f"{rule.id}.md"


def _example(value) -> list[str]:
    if isinstance(value, str):
        language = "json" if value.lstrip().startswith(("{", "[")) else "yaml"
        return [f"```{language}", value.rstrip("\n"), "```"]
    return ["```json", json.dumps(value, indent=2, ensure_ascii=False), "```"]


def render_page(rule: Rule) -> str:
    types = " and ".join(f"{t}" for t in rule.policy_types)
    lines = [f"# {rule.id} {rule.name}", "",
             f"Severity: **{rule.severity}**. Applies to {types} policies.", "",
             rule.summary, "", "## What it does", "", rule.what, "", "## Why is this bad?", "", rule.why]
    if rule.code is not None:
        language = {"py": "python", "js": "javascript", "ts": "typescript"}.get(rule.code["file"].rsplit(".", 1)[-1], "")
        lines += ["", f"## The code (`seslint lint --code`, `{rule.code['file']}`)", "", f"```{language}",
                  rule.code["text"].rstrip("\n"), "```"]
    for title, example in (("Example", rule.bad), ("Use instead", rule.good)):
        if example is not None:
            lines += ["", f"## {title}", ""] + _example(example)
    if rule.references:
        lines += ["", "## References", ""] + [f"- <{url}>" for url in rule.references]
    lines += ["", f"_Generated from `rules/lint-rules.json` by `python -m seslint.maintenance.rule_docs`; "
                  f"`seslint explain {rule.id}` prints the same._", ""]
    return "\n".join(lines)


def render_index(rules) -> str:
    lines = ["# seslint lint rules", "", "One page per rule, generated from `rules/lint-rules.json` by "
             "`python -m seslint.maintenance.rule_docs`.", "", "| rule | name | severity | summary |",
             "|---|---|---|---|"]
    lines += [f"| [{r.id}]({page_name(r)}) | `{r.name}` | {r.severity} | {r.summary.replace('|', '&#124;')} |"
              for r in rules]
    return "\n".join(lines) + "\n"


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
