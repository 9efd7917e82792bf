"""`seslint audit`: what SES sending each user and role of an account has.

Each verdict is proven over every possible send (`seslint.prove`: every API and content, every
From address, display name, recipient list, configuration set and template), and each comes
with a witness send that the evaluator allows.

Verdicts, from most to least sending:
    anyone          some allowed send has a recipient outside every recipient pattern the
                    principal's statements name (and outside the mailbox simulator)
    restricted      every recipient matches a named pattern, and some are not simulator addresses
    simulator-only  only mailbox simulator addresses
    none            no possible send is allowed
    unknown         the answer depends on a key the model treats as free (such as aws:SourceIp), or a
                    policy cannot be evaluated faithfully; the reason names it
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from functools import lru_cache

from seslint.errors import SeslintError

VERDICTS = ("anyone", "restricted", "simulator-only", "none", "unknown")
OUTSIDE = "seslint-audit@outside.invalid"   # a pattern that matches it restricts nothing
SIMULATOR_DOMAIN = "simulator.amazonses.com"


@dataclass(frozen=True)
class Statement:
    """A statement behind a verdict."""

    effect: str
    policy: str
    pointer: str
    sid: str | None
    policy_type: str

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    def describe(self) -> str:
        name = f"Sid '{self.sid}'" if self.sid else "statement"
        return f"{self.effect} {name} in {self.policy} at {self.pointer or '/'}"


@dataclass
class Finding:
    """One principal's SES sending."""

    arn: str
    kind: str
    name: str
    verdict: str
    reason: str
    recipients: list[str] = field(default_factory=list)    # patterns reached (restricted, simulator-only)
    senders: list[str] = field(default_factory=list)       # From addresses / identities that work
    apis: list[str] = field(default_factory=list)          # api/content variants allowed
    statements: list[Statement] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    witness: dict | None = None                            # the send behind the verdict (seslint.prove)

    def to_json(self) -> dict:
        out = dataclasses.asdict(self)
        out["statements"] = [s.to_json() for s in self.statements]
        return out


@dataclass
class Report:
    source: str
    region: str
    findings: list[Finding]
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {v: sum(f.verdict == v for f in self.findings) for v in VERDICTS}

    def to_json(self) -> dict:
        return {"version": 1, "source": self.source, "region": self.region, "counts": self.counts(),
                "notes": self.notes, "principals": [f.to_json() for f in self.findings]}


def audit(details, *, region: str = "us-east-1", resource_policies: dict | None = None, progress=None) -> Report:
    """Audit every user and role of an `AuthDetails`. `resource_policies` maps identity ARNs to
    their sending-authorization policies (PolicyDoc lists); `progress(n)` is called per principal."""
    findings = []
    seen: dict = {}   # principals with the same policies and the same caller keys share one verdict
    for principal in details.principals():
        labelled = label_policies(principal, details.value)
        key = _same_verdict_key(labelled, resource_policies)
        found = seen.get(key)
        if found is None:
            found = seen[key] = audit_principal(labelled, region=region, resource_policies=resource_policies or {})
        findings.append(dataclasses.replace(found, arn=principal.arn, kind=principal.kind, name=principal.name,
                                            notes=list(found.notes)))
        if progress:
            progress(1)
    findings.sort(key=lambda f: (VERDICTS.index(f.verdict), f.arn))
    notes = []
    if resource_policies is None:
        notes.append("SES sending authorization (identity) policies were not read: a principal they allow "
                     "may send more than shown (use --live to read them)")
    return Report(details.source, region, findings, notes)


def _same_verdict_key(principal, resource_policies) -> str:
    """What a verdict depends on: the policies (and where they come from, which the report names) and,
    when a policy could tell callers apart (a variable, a global key, a Principal), the caller."""
    import json

    docs = [(d.value, d.source, d.pointer) for d in principal.identity_policies]
    boundary = principal.permission_boundary
    if boundary is not None:
        docs.append((boundary.value, boundary.source, boundary.pointer))
    text = json.dumps(docs, sort_keys=True, default=str)
    personal = resource_policies or "${" in text or '"aws:' in text.lower()
    return text + (f"|{principal.arn}" if personal else f"|{principal.account}")


def audit_principal(principal, details=None, *, region: str = "us-east-1", resource_policies: dict) -> Finding:
    """The verdict for one `authdetails.Principal`."""
    from seslint.policy import parse_policy

    if details is not None:
        principal = label_policies(principal, details.value)
    finding = Finding(principal.arn, principal.kind, principal.name, "none", "")
    try:
        docs = [("identity", d, None) for d in principal.identity_policies]
        if principal.permission_boundary is not None:
            docs.append(("boundary", principal.permission_boundary, None))
        docs += [("resource", d, arn) for arn, ds in resource_policies.items() for d in ds]
        parsed = [(kind, parse_policy(d.value, d.source, d.pointer), arn) for kind, d, arn in docs]
    except SeslintError as exc:
        return _unknown(finding, f"a policy cannot be read: {exc}")
    relevant = [(kind, policy, st) for kind, policy, _ in parsed for st in policy.statements
                if _sends(st) and (kind != "resource" or _names(st, principal))]
    allows = [(k, p, s) for k, p, s in relevant if s.effect == "Allow" and k in ("identity", "resource")]
    if not allows:
        finding.reason = "no identity or sending-authorization policy allows a send action"
        return finding
    return _exact(principal, finding, relevant, region, resource_policies)


def _names(statement, principal) -> bool:
    """Whether a resource-based statement may apply to this principal (by "*", its ARN or its account)."""
    if statement.principal is None:
        return True
    if statement.principal.get("*"):
        return True
    partition = principal.arn.split(":")[1]
    names = {"*", principal.arn, principal.account, f"arn:{partition}:iam::{principal.account}:root"}
    return any(value in names for value in statement.principal.get("AWS", ()))


def _sends(statement) -> bool:
    from seslint.patterns import matches

    actions = send_actions()
    if statement.actions is not None:
        return any(matches(p, a) for p in statement.actions for a in actions)
    return any(not any(matches(p, a) for p in statement.not_actions) for a in actions)


@lru_cache(maxsize=1)
def send_actions() -> tuple[str, ...]:
    """The actions that send free-form email (SendCustomVerificationEmail sends only a fixed message)."""
    from seslint.matrix import load_matrix

    return tuple(a.full_name for a in load_matrix().expand("ses:*")
                 if a.sends_email and a.name != "SendCustomVerificationEmail") + ("ses:SendBulkEmail",)


def _exact(principal, finding: Finding, relevant, region: str, resource_policies) -> Finding:
    """The verdict, proven over every possible send (seslint.prove), each with a witness send."""
    from seslint.evaluate.sending import PolicyDoc
    from seslint.patterns import matches
    from seslint.prove.api import COUNTEREXAMPLE, PROVEN, prove
    from seslint.prove.decision import build_inputs

    def inputs(strip_denies=False, boundary=True, region=region):
        def docs(ds):
            return [PolicyDoc(_allows_only(d.value) if strip_denies else d.value, d.source, d.pointer) for d in ds]

        bound = principal.permission_boundary if boundary else None
        return build_inputs(docs(principal.identity_policies), account=principal.account, region=region,
                            principal_arn=principal.arn,
                            permission_boundary=docs([bound])[0] if bound is not None else None,
                            resource_policies={arn: docs(ds) for arn, ds in resource_policies.items()})

    try:
        # The send model fixes the region: prove in the audited one and in each the statements name.
        every = [inputs(region=r) for r in _regions(relevant, region)]
    except SeslintError as exc:
        return _unknown(finding, f"a policy cannot be read: {exc}")
    patterns = _recipient_patterns(relevant)
    steps = (("anyone", {"recipients_within": [*patterns, SIMULATOR_PATTERN]}),
             ("restricted", {"recipients_within": [SIMULATOR_PATTERN]}),
             ("simulator-only", {"no_send": True}))
    for verdict, question in steps:
        outcome = full = None
        for full in every:
            outcome = prove(full, **question)
            if outcome.verdict != PROVEN:
                break
        if outcome.verdict == PROVEN:
            continue
        if outcome.verdict != COUNTEREXAMPLE:
            return _unknown(finding, outcome.reason, [_statement(k, p, s) for k, p, s in relevant
                                                      if s.effect == "Allow"])
        w = outcome.witness
        finding.verdict = verdict
        finding.reason = {"anyone": "sends to an outside address (outside every recipient pattern the policies "
                                    "name) are allowed",
                          "restricted": "only to recipients matching the listed patterns",
                          "simulator-only": "only to mailbox simulator addresses"}[verdict]
        mixed = [p for p in patterns if any(matches(p, r) for r in w.recipients)]
        if verdict == "anyone" and mixed:
            finding.reason = f"a recipient list that mixes {mixed[0]} with an outside address is allowed"
        if verdict == "restricted":
            finding.recipients = sorted({p for p in patterns if _reaches(full, p)} | set(
                [SIMULATOR_PATTERN] if _reaches(full, SIMULATOR_PATTERN) else []))
        elif verdict == "simulator-only":
            finding.recipients = [SIMULATOR_PATTERN]
        finding.senders = [w.sender]
        finding.apis = [f"{w.api} {w.content}"]
        finding.witness = w.to_json()
        finding.statements = _deciding(full, w)
        if w.identity in ("address identity", "domain identity"):
            finding.notes.append(f"witness: {w.operation} from {w.sender} to {', '.join(w.recipients)}, allowed "
                                 f"when SES checks the {w.identity}")
        return finding
    finding.verdict, finding.reason = "none", "proven: no possible send is allowed"
    try:
        if principal.permission_boundary is not None and prove(inputs(boundary=False), no_send=True).witness:
            finding.reason = "proven: the permissions boundary stops every possible send"
        elif prove(inputs(strip_denies=True), no_send=True).witness:
            finding.reason = "proven: every possible send is explicitly denied"
            finding.statements = [_statement(k, p, s) for k, p, s in relevant if s.effect == "Deny"]
    except SeslintError:
        pass
    return finding


SIMULATOR_PATTERN = f"*@{SIMULATOR_DOMAIN}"
_IDENTITY_REGION = re.compile(r"arn:[^:]*:ses:([a-z0-9-]+):")


def _regions(relevant, region: str) -> list[str]:
    """The audited region, then each region an SES ARN in the statements names (without wildcards)."""
    named = {m.group(1) for _, _, st in relevant for r in (st.resources or st.not_resources or ())
             for m in [_IDENTITY_REGION.match(r)] if m}
    return [region] + sorted(named - {region})


def _allows_only(value):
    """A policy document without its Deny statements (to tell why nothing is allowed)."""
    if not isinstance(value, dict):
        return value
    raw = value.get("Statement", [])
    items = raw if isinstance(raw, list) else [raw]
    return dict(value, Statement=[s for s in items if not (isinstance(s, dict) and s.get("Effect") == "Deny")])


def _reaches(inputs, pattern: str) -> bool:
    """Whether some allowed send has a recipient matching `pattern`."""
    import z3

    from seslint.prove.api import COUNTEREXAMPLE, outside, prove

    def hit(send):
        r = send.recipients
        return z3.Or(*[z3.And(r.length > i, z3.Not(outside(x, [pattern]))) for i, x in enumerate(r.items)])

    return prove(inputs, within=hit).verdict == COUNTEREXAMPLE


def _recipient_patterns(relevant) -> list[str]:
    """The recipient patterns the statements name that an outside address does not match."""
    from seslint.patterns import matches

    out = set()
    for _, _, st in relevant:
        for c in st.conditions:
            if c.key.lower() != "ses:recipients":
                continue
            for v in (str(v) for v in c.values):
                if "${" not in v and not matches(v, OUTSIDE) and not _simulator_only(v):
                    out.add(v)
    return sorted(out)


def _deciding(inputs, w) -> list[Statement]:
    from seslint.prove.witness import decisions

    out = {}
    for res, r in zip(decisions(inputs, w), w.requests):
        if r["role"].endswith("identity") and r["role"] != w.identity:
            continue
        for h in res.deciding:
            s = Statement(h.effect, h.source, h.pointer, h.sid, h.kind)
            out[(s.policy, s.pointer, s.effect)] = s
    return sorted(out.values(), key=lambda s: (s.policy, s.pointer))


def _unknown(finding: Finding, reason: str, statements=()) -> Finding:
    finding.verdict, finding.reason = "unknown", reason
    finding.statements = list(statements)
    return finding


def _statement(kind, policy, st) -> Statement:
    return Statement(st.effect, policy.source, st.pointer, st.sid, kind)


def _simulator_only(pattern: str) -> bool:
    return pattern.lower().endswith(f"@{SIMULATOR_DOMAIN}")


def policy_label(details: dict, pointer: str) -> str:
    """A readable name for a policy document inside authorization details, from its pointer."""
    parts = pointer.strip("/").split("/")
    try:
        if parts[0] == "Policies":
            policy = details["Policies"][int(parts[1])]
            version = policy["PolicyVersionList"][int(parts[3])]
            return f"{policy['Arn']} ({version.get('VersionId', 'default')})"
        entry = details[parts[0]][int(parts[1])]
        inline = entry[parts[2]][int(parts[3])]
        return f"{entry['Arn']} inline policy '{inline['PolicyName']}'"
    except (KeyError, IndexError, ValueError, TypeError):
        return pointer


def label_policies(principal, details: dict):
    """The principal with each policy named (ARN and version, or owner and inline name)."""
    from seslint.evaluate.sending import PolicyDoc

    def relabel(doc):
        return PolicyDoc(doc.value, policy_label(details, doc.pointer), "")

    boundary = principal.permission_boundary
    return dataclasses.replace(principal, identity_policies=[relabel(d) for d in principal.identity_policies],
                               permission_boundary=relabel(boundary) if boundary is not None else None)


# -- reporters ---------------------------------------------------------------------------------

def render_text(report: Report) -> str:
    counts = ", ".join(f"{v} {n}" for v, n in report.counts().items() if n)
    lines = [f"SES sending audit of {report.source} (region {report.region}): "
             f"{len(report.findings)} principals: {counts or 'none'}"]
    for f in report.findings:
        lines += ["", f"{f.verdict.upper():15} {f.kind:5} {f.arn}", f"    {f.reason}"]
        if f.recipients:
            lines.append(f"    recipients: {', '.join(f.recipients)}")
        if f.senders:
            lines.append(f"    from: {', '.join(f.senders)}")
        if f.apis:
            lines.append(f"    via: {', '.join(f.apis)}")
        lines += [f"    by: {s.describe()}" for s in f.statements]
        lines += [f"    note: {n}" for n in f.notes]
    lines += [f"note: {n}" for n in report.notes]
    return "\n".join(lines)


_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1d2330;background:#fff}
h1{font-size:1.4rem;margin:0 0 .3rem}p.meta{color:#555;margin:.2rem 0 1rem}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #dde1e8;padding:.45rem .6rem;text-align:left;vertical-align:top}
th{background:#f3f5f8;font-weight:600}code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all}
.verdict{display:inline-block;border-radius:.8rem;padding:.05rem .6rem;font-weight:600;font-size:12px;white-space:nowrap}
.v-anyone{background:#fde2e1;color:#9b1c1c}.v-restricted{background:#fff3d6;color:#8a5300}
.v-simulator-only{background:#e2f0fd;color:#114f8a}.v-none{background:#e3f6e8;color:#1d6b35}.v-unknown{background:#ece8f6;color:#4b3b8a}
ul{margin:0;padding-left:1.1rem}.summary td,.summary th{border:1px solid #dde1e8;text-align:center}
.summary{width:auto;margin-bottom:1.2rem}.note{color:#555}
"""


def render_html(report: Report) -> str:
    """One self-contained page: inline CSS, no scripts, no external assets."""
    from html import escape as e

    def items(values, code=False):
        if not values:
            return ""
        wrap = (lambda v: f"<code>{e(v)}</code>") if code else e
        return "<ul>" + "".join(f"<li>{wrap(v)}</li>" for v in values) + "</ul>"

    counts = report.counts()
    rows = []
    for f in report.findings:
        statements = items([s.describe() for s in f.statements], code=True)
        detail = "".join(f"<div><b>{label}</b>{items(values, True)}</div>" for label, values in (
            ("recipients", f.recipients), ("from", f.senders)) if values)
        if f.apis:
            detail += f'<div><b>via</b> {e(", ".join(f.apis))}</div>'
        rows.append(
            f'<tr class="principal" data-arn="{e(f.arn)}" data-verdict="{e(f.verdict)}">'
            f'<td><span class="verdict v-{e(f.verdict)}">{e(f.verdict)}</span></td>'
            f'<td>{e(f.kind)}</td><td><b>{e(f.name)}</b><br><code>{e(f.arn)}</code></td>'
            f'<td class="reason">{e(f.reason)}{items(f.notes)}</td><td>{detail}</td>'
            f'<td class="statements">{statements}</td></tr>')
    summary = "".join(f'<td><span class="verdict v-{v}">{v}</span><br>{n}</td>' for v, n in counts.items())
    notes = "".join(f'<p class="note">{e(n)}</p>' for n in report.notes)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>SES sending audit: {e(report.source)}</title><style>{_CSS}</style></head>
<body><h1>SES sending audit</h1>
<p class="meta">{e(report.source)} &middot; region {e(report.region)} &middot; {len(report.findings)} principals</p>
<table class="summary"><tr>{summary}</tr></table>{notes}
<table class="findings"><thead><tr><th>verdict</th><th>kind</th><th>principal</th><th>why</th>
<th>scope</th><th>deciding statements</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<p class="note">Generated by seslint audit. Verdicts: anyone, restricted, simulator-only, none, unknown.</p>
</body></html>
"""
