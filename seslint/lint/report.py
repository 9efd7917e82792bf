"""Render findings: text, json (rules/schemas/lint-output.schema.json), sarif (SARIF 2.1.0) and github."""

from __future__ import annotations

import json

from seslint.lint.model import Finding

SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def render(findings: list[Finding], fmt: str, files: int = 0, policies: int = 0) -> str:
    if fmt == "text":
        return text(findings, files, policies)
    return {"json": as_json, "sarif": sarif, "github": github}[fmt](findings)


PLURALS = {"policy": "policies"}


def plural(n: int, word: str) -> str:
    return f"{n} {word if n == 1 else PLURALS.get(word, word + 's')}"


def printable(value: str) -> str:
    """One finding stays one line: control characters (newlines, escapes) are shown escaped."""
    if value.isprintable():
        return value
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in value)


def text(findings: list[Finding], files: int = 0, policies: int = 0) -> str:
    lines = [printable(f"{f.file}:{f.line}:{f.column}: {f.rule} {f.severity} {f.message}") for f in findings]
    counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")}
    summary = ", ".join(plural(n, s) for s, n in counts.items())
    lines.append(f"checked {plural(files, 'file')}, {plural(policies, 'policy')}: "
                 + (f"found {summary}" if findings else "no findings"))
    return "\n".join(lines)


def as_json(findings: list[Finding]) -> str:
    return json.dumps({"version": 1, "findings": [f.as_json() for f in findings]}, indent=2, sort_keys=True,
                      ensure_ascii=False)


def github(findings: list[Finding]) -> str:
    level = {"error": "error", "warning": "warning", "info": "notice"}

    def esc(value: str, prop: bool = False) -> str:
        value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return value.replace(":", "%3A").replace(",", "%2C") if prop else value

    return "\n".join(f"::{level[f.severity]} file={esc(f.file, True)},line={f.line},col={f.column},"
                     f"title={esc(f.rule + ' ' + f.name, True)}::{esc(f.message)}" for f in findings)


def sarif(findings: list[Finding]) -> str:
    from seslint import __version__
    from seslint.lint.catalog import load_catalog

    catalog = load_catalog()
    ids = sorted(catalog.rules)
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    rules = []
    for rule_id in ids:
        r = catalog.rules[rule_id]
        rules.append({
            "id": r.id, "name": r.name,
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": f"{r.what} {r.why}"},
            "help": {"text": f"{r.what}\n\n{r.why}\n\nRun `seslint explain {r.id}` for examples.",
                     "markdown": _rule_page(r)},
            "helpUri": _rule_page_uri(r),
            "defaultConfiguration": {"level": SARIF_LEVEL[r.severity]},
            "properties": {"tags": list(r.policy_types)},
        })
    results = []
    for f in findings:
        result = {
            "ruleId": f.rule, "ruleIndex": index[f.rule], "level": SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [{
                "physicalLocation": {"artifactLocation": {"uri": _uri(f.file)},
                                     "region": {"startLine": f.line, "startColumn": f.column}},
                **({"logicalLocations": [{"fullyQualifiedName": f.pointer, "kind": "member"}]} if f.pointer else {}),
            }],
        }
        results.append(result)
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "seslint", "version": __version__, "rules": rules}},
        "results": results,
    }]}
    return json.dumps(log, indent=2, sort_keys=True, ensure_ascii=False)


def _uri(path: str) -> str:
    from urllib.parse import quote

    return quote(path.replace("\\", "/").removeprefix("./"))


def _rule_page(rule) -> str:
    from seslint.lint.docs import render_page

    return render_page(rule)


def _rule_page_uri(rule) -> str:
    """The rule's generated page (rules/docs/) as shipped with this installation: SARIF wants an absolute URI."""
    from seslint.data import rules_dir
    from seslint.lint.docs import DOCS, page_name

    return (rules_dir() / DOCS / page_name(rule)).resolve().as_uri()
