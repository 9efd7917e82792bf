"""The rule catalog (rules/lint-rules.json): ids, names, severities and each rule's documentation."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import NamedTuple

from seslint import data
from seslint.errors import UnknownNameError


class UnknownRuleError(UnknownNameError):
    """A rule id or name given on the command line that does not exist: a usage error."""

    exit_code = 2


class Rule(NamedTuple):
    id: str
    name: str
    severity: str
    summary: str
    what: str
    why: str
    bad: object
    good: object
    references: tuple[str, ...]
    policy_types: tuple[str, ...]
    code: dict | None = None   # the application source the examples are linted with (`lint --code`)

    def as_json(self) -> dict:
        out = {"id": self.id, "name": self.name, "severity": self.severity, "summary": self.summary,
               "what": self.what, "why": self.why, "bad": self.bad, "good": self.good,
               "references": list(self.references), "policy_types": list(self.policy_types)}
        if self.code is not None:
            out["code"] = self.code
        return out


class Catalog(NamedTuple):
    rules: dict[str, Rule]
    retired: tuple[dict, ...]

    def find(self, name_or_id: str) -> Rule | None:
        wanted = name_or_id.strip()
        if re.fullmatch(r"(?i)SES\d{3}", wanted):
            return self.rules.get(wanted.upper())
        return next((r for r in self.rules.values() if r.name == wanted.lower()), None)

    def require(self, name_or_id: str) -> Rule:
        rule = self.find(name_or_id)
        if rule is None:
            import difflib

            names = [r.name for r in self.rules.values()]
            close = difflib.get_close_matches(name_or_id.lower(), names, n=1)
            retired = next((r for r in self.retired if r["id"] == name_or_id.upper()), None)
            ids = sorted(self.rules)
            help = (f"{retired['id']} was retired: {retired['reason']}" if retired else
                    f"did you mean '{close[0]}'?" if close else
                    f"rules run from {ids[0]} to {ids[-1]}; `seslint rules` lists them with their names")
            raise UnknownRuleError(f"unknown lint rule '{name_or_id}'", help=help)
        return rule


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    raw = data.load("lint-rules.json")
    rules = {}
    for r in raw["rules"]:
        rules[r["id"]] = Rule(r["id"], r["name"], r["severity"], r["summary"], r["what"], r["why"], r["bad"],
                              r["good"], tuple(r["references"]), tuple(r["policy_types"]), r.get("code"))
    return Catalog(dict(sorted(rules.items())), tuple(raw.get("retired", [])))


def list_rules(fmt: str = "text") -> str:
    """Every rule, one line each (id, severity, name, summary), or their docs as a JSON list."""
    rules = load_catalog().rules.values()
    if fmt == "json":
        return json.dumps([r.as_json() for r in rules], indent=2, sort_keys=True, ensure_ascii=False)
    width = max(len(r.name) for r in rules)
    return "\n".join(f"{r.id}  {r.severity:<7}  {r.name:<{width}}  {r.summary}" for r in rules)


def explain_rule(name_or_id: str, fmt: str = "text") -> str:
    """A rule's documentation as text (ruff style) or JSON."""
    rule = load_catalog().require(name_or_id)
    if fmt == "json":
        return json.dumps(rule.as_json(), indent=2, sort_keys=True)
    lines = [f"{rule.id} {rule.name} ({rule.severity})", "", rule.summary, "",
             "What it does", f"  {rule.what}", "", "Why is this bad?", f"  {rule.why}", "",
             f"Applies to: {', '.join(rule.policy_types)} policies"]
    if rule.code is not None:
        lines += ["", f"With the code (seslint lint --code; {rule.code['file']})"] + \
            ["  " + line for line in rule.code["text"].rstrip("\n").splitlines()]
    for title, example in (("Example", rule.bad), ("Use instead", rule.good)):
        if example is not None:
            lines += ["", title] + ["  " + line for line in json.dumps(example, indent=2).splitlines()]
    if rule.references:
        lines += ["", "References"] + [f"  {u}" for u in rule.references]
    return "\n".join(lines)
