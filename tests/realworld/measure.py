"""Lint the real-world corpus and compare the findings with the hand-made labels in manifest.json.

Run from the repository root: `python -m tests.realworld.measure` (or `python tests/realworld/measure.py`).

A finding and a label match when they name the same file and rule and one JSON pointer contains the
other (a label on a statement matches findings on its actions). Precision counts the findings at
warning or error; recall counts the labels at warning or error; info is reported on its own line.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
COUNTED = ("error", "warning")


@dataclass
class Report:
    files: int = 0
    unread: list = field(default_factory=list)         # (file, reason): the linter could not read it
    true: list = field(default_factory=list)           # (file, rule, pointer, message)
    false: list = field(default_factory=list)          # (file, rule, pointer, message, known why or None)
    found: list = field(default_factory=list)          # (file, label)
    missed: list = field(default_factory=list)         # (file, label)
    info: list = field(default_factory=list)           # (file, rule): every info-level finding (noise)

    @property
    def reported(self) -> int:
        return len(self.true) + len(self.false)

    @property
    def precision(self) -> float:
        return len(self.true) / self.reported if self.reported else 1.0

    def labels(self, counted: bool) -> tuple[list, list]:
        keep = (lambda lab: lab["severity"] in COUNTED) if counted else (lambda lab: lab["severity"] not in COUNTED)
        return [x for x in self.found if keep(x[1])], [x for x in self.missed if keep(x[1])]

    @property
    def recall(self) -> float:
        found, missed = self.labels(True)
        return len(found) / (len(found) + len(missed)) if found or missed else 1.0

    @property
    def critical_missed(self) -> list:
        return [(f, lab) for f, lab in self.missed if lab["critical"]]


def load_manifest() -> dict:
    with open(os.path.join(HERE, "manifest.json"), encoding="utf-8") as fh:
        return json.load(fh)


def related(a: str, b: str) -> bool:
    """One pointer is the other or inside it: '/Statement/0' contains '/Statement/0/Action/1'."""
    short, long = sorted((a, b), key=len)
    return long == short or long.startswith(short + "/") or short == ""


def lint(path: str, name: str) -> tuple[list, str | None]:
    """(findings, None), or ([], reason) when the linter refuses the file; `name` replaces `path` in the reason."""
    from seslint.errors import SeslintError
    from seslint.lint import engine
    from seslint.lint.config import Config

    try:
        result = engine.run([path], Config(), jobs=1)
    except SeslintError as exc:
        return [], str(exc).replace(path, name)
    return result.findings, None


def measure(manifest: dict | None = None) -> Report:
    manifest = manifest or load_manifest()
    report = Report()
    for entry in sorted(manifest["entries"], key=lambda e: e["file"]):
        name = entry["file"]
        findings, reason = lint(os.path.join(HERE, name), name)
        report.files += 1
        if reason is not None:
            report.unread.append((name, reason))
        labels, known = entry["expected"], entry["false_alarms_known"]
        for f in findings:
            if f.severity not in COUNTED:
                report.info.append((name, f.rule))
                continue
            row = (name, f.rule, f.pointer, f.message)
            if any(lab["rule"] == f.rule and related(lab["pointer"], f.pointer) for lab in labels):
                report.true.append(row)
            else:
                why = next((k["why"] for k in known if k["rule"] == f.rule and related(k["pointer"], f.pointer)), None)
                report.false.append(row + (why,))
        for lab in labels:
            hit = any(f.rule == lab["rule"] and related(lab["pointer"], f.pointer) for f in findings)
            (report.found if hit else report.missed).append((name, lab))
    return report


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def render(report: Report) -> str:
    found, missed = report.labels(True)
    info_found, info_missed = report.labels(False)
    lines = [
        f"files: {report.files} (not read by the linter: {len(report.unread)})",
        (f"findings at warning/error: {report.reported}; true: {len(report.true)}; false: {len(report.false)}; "
         f"precision: {_pct(report.precision)}"),
        f"expected at warning/error: {len(found) + len(missed)}; found: {len(found)}; recall: {_pct(report.recall)}",
        f"expected at info: {len(info_found) + len(info_missed)}; found: {len(info_found)}",
        (f"critical expected: {sum(lab['critical'] for _, lab in report.found + report.missed)}; "
         f"critical missed: {len(report.critical_missed)}"),
        (f"info findings: {len(report.info)} ({len(report.info) / max(report.files, 1):.2f} per file; by rule: "
         + (", ".join(f"{r} {n}" for r, n in sorted(Counter(r for _, r in report.info).items())) or "none") + ")"),
        "",
        f"{'rule':<8}{'reported':>9}{'true':>6}{'false':>7}{'expected':>10}{'found':>7}{'missed':>8}",
    ]
    reported = Counter(r[1] for r in report.true + report.false)
    true = Counter(r[1] for r in report.true)
    false = Counter(r[1] for r in report.false)
    exp_found = Counter(lab["rule"] for _, lab in report.found)
    exp_missed = Counter(lab["rule"] for _, lab in report.missed)
    for rule in sorted(set(reported) | set(exp_found) | set(exp_missed)):
        lines.append(f"{rule:<8}{reported[rule]:>9}{true[rule]:>6}{false[rule]:>7}"
                     f"{exp_found[rule] + exp_missed[rule]:>10}{exp_found[rule]:>7}{exp_missed[rule]:>8}")
    lines += ["", "false alarms (warning/error findings no label supports):"]
    for name, rule, pointer, message, why in report.false:
        lines.append(f"  {name} {rule} {pointer or '/'}: {message}")
        lines.append(f"      {'judged false: ' + why if why else 'NOT LABELLED: review this finding'}")
    lines += ["", "misses (labels no finding matches):"]
    for name, lab in report.missed:
        flag = " CRITICAL" if lab["critical"] else ""
        lines.append(f"  {name} {lab['rule']} {lab['severity']}{flag} {lab['pointer'] or '/'}: {lab['why']}")
    if report.unread:
        lines += ["", "files the linter refused:"]
        lines += [f"  {name}: {reason}" for name, reason in report.unread]
    return "\n".join(lines)


def main() -> int:
    print(render(measure()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
