"""Each lint rule's page (What it does / Why is this bad? / Example / Use instead / References), rendered
from the catalog: `seslint explain SES0NN`, SARIF's `help` and the generated pages under rules/docs/
(written by `python -m seslint.maintenance.rule_docs`) all show the same text."""

from __future__ import annotations

import json

from seslint.lint.catalog import Rule

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
