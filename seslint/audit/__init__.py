"""`seslint audit`: what SES sending each user and role of an account has.

The evaluator decides, through probe sends (`can_send`) built from the principal's own
statements: to an outside address (`@outside.invalid`, which no real pattern matches), to the
mailbox simulator, to each recipient pattern the statements name (instantiated), and to such a
recipient mixed with an outside address; from each identity and From pattern the statements
name, and from an unrelated sender; over every API and content variant.

Verdicts, from most to least sending:
    anyone          some send to an outside address is allowed
    restricted      no outside address, but recipients matching some pattern other than the simulator
    simulator-only  only mailbox simulator addresses
    none            nothing: no statement allows a send, or explicit denies / the boundary stop every probe
    unknown         the answer depends on what the probes cannot know (a condition key they do not
                    set, a policy the evaluator refuses, allow statements no probe satisfied)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from seslint.audit.labels import label_policies, policy_label, split_label
from seslint.audit.report import provenance, render_html, render_text
from seslint.errors import SeslintError
from seslint.evaluate.sendmodel import SEND_KINDS

VERDICTS = ("anyone", "restricted", "simulator-only", "none", "unknown")
OUTSIDE = "seslint-audit@outside.invalid"
STRANGER = "seslint-audit@sender.invalid"
SIMULATOR_DOMAIN = "simulator.amazonses.com"
SIMULATOR = f"success@{SIMULATOR_DOMAIN}"
TEMPLATE = "seslint-audit-template"
VARIANTS = SEND_KINDS
#: Keys every probe sets (where the action carries them); caller keys come from the principal.
PROBE_KEYS = frozenset({"ses:fromaddress", "ses:fromdisplayname", "ses:feedbackaddress", "ses:recipients",
                        "ses:apiversion"})
MAX_CANDIDATES = 6


@dataclass(frozen=True)
class Statement:
    """A statement behind a verdict."""

    effect: str
    policy: str
    pointer: str
    sid: str | None
    policy_type: str

    def to_json(self) -> dict:
        """One thing per field: the policy's ARN (or file), its version, its name."""
        return {**dataclasses.asdict(self), **split_label(self.policy)}

    def describe(self) -> str:
        name = f"Sid '{self.sid}'" if self.sid else "statement"
        where = f"the permissions boundary {self.policy}" if self.policy_type == "boundary" else self.policy
        return f"{self.effect} {name} in {where} at {self.pointer or '/'}"


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
    for principal in details.principals():
        findings.append(audit_principal(principal, details, region=region, resource_policies=resource_policies or {}))
        if progress:
            progress(1)
    findings.sort(key=lambda f: (VERDICTS.index(f.verdict), f.arn))
    notes = []
    if resource_policies is None:
        notes.append("SES sending authorization (identity) policies were not read: a principal they allow "
                     "may send more than shown (use --live to read them)")
    return Report(details.source, region, findings, notes)


def audit_principal(principal, details=None, *, region: str = "us-east-1", resource_policies: dict) -> Finding:
    """The verdict for one `authdetails.Principal`."""
    from seslint.policy import parse_policy

    if details is not None:
        principal = label_policies(principal, details.value)
    finding = Finding(principal.arn, principal.kind, principal.name, "none", "")
    if principal.error is not None:
        return _unknown(finding, f"a policy cannot be read: {principal.error}")
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
    granting = sorted({arn for kind, policy, arn in parsed if kind == "resource"
                       and any(p is policy for _, p, _ in relevant)})
    allows = [(k, p, s) for k, p, s in relevant if s.effect == "Allow" and k in ("identity", "resource")]
    if not allows:
        finding.reason = "no identity or sending-authorization policy allows a send action"
        return finding
    return _probe(principal, finding, relevant, region, resource_policies, granting)


def _names(statement, principal) -> bool:
    """Whether a resource-based statement may apply to this principal (by "*", its ARN or its account)."""
    if statement.principal is None:
        return True
    if statement.principal.get("*"):
        return True
    from seslint.core.arn import split

    partition = split(principal.arn)[1]
    names = {"*", principal.arn, principal.account, f"arn:{partition}:iam::{principal.account}:root"}
    return any(value in names for value in statement.principal.get("AWS", ()))


def _sends(statement) -> bool:
    from seslint.core.patterns import matches
    from seslint.core.send import send_actions

    actions = send_actions()
    if statement.actions is not None:
        return any(matches(p, a, ignore_case=True) for p in statement.actions for a in actions)
    return any(not any(matches(p, a, ignore_case=True) for p in statement.not_actions) for a in actions)


class _Prober:
    """Runs probe sends for one principal, caching each answer."""

    def __init__(self, principal, resource_policies):
        from seslint.evaluate import PolicyCache

        self.principal = principal
        self.resource_policies = resource_policies
        self.results: dict[tuple, object] = {}
        self.errors: list[str] = []
        self.cache = PolicyCache()  # every probe evaluates the same policies: compile them once

    def send(self, variant, sender, region, to, template):
        from seslint.evaluate.sending import UNKNOWN, can_send

        key = (variant, sender, region, to)
        if key not in self.results:
            api, content = variant
            try:
                result = can_send(
                    self.principal.identity_policies, sender=sender, to=to, api=api, content=content,
                    template=template if content in ("template", "bulk") else None, region=region,
                    account=self.principal.account, principal_arn=self.principal.arn,
                    permission_boundary=self.principal.permission_boundary,
                    resource_policies=self.resource_policies, explain=False, cache=self.cache)
            except SeslintError as exc:
                result = None
                # a probe's own value, not a command-line flag: drop the flag name str(exc) starts with
                flag = str(getattr(exc, "source", None) or "").startswith("--")
                self.errors.append(exc.message if flag else str(exc))
            if result is not None and result.decision == UNKNOWN:
                self.errors.append(f"{api} {content}: {result.notes[-1]}")
                result = None
            self.results[key] = result
        return self.results[key]


def _probe(principal, finding: Finding, relevant, region: str, resource_policies, granting) -> Finding:
    from seslint.evaluate.matching import Caller

    known = PROBE_KEYS | set(Caller.from_arn(principal.arn).context_defaults())
    blind = {}
    for kind, policy, st in relevant:
        for c in st.conditions:
            if c.key.lower() not in known:
                blind.setdefault(c.key, _statement(kind, policy, st))
    if blind:
        key, statement = sorted(blind.items())[0]
        more = f" and {len(blind) - 1} more key(s)" if len(blind) > 1 else ""
        return _unknown(finding, f"depends on {key}{more}, which the audit cannot know ({statement.describe()})",
                        [statement])

    senders, displays, recipients, regions, templates = _candidates(relevant, region, granting)
    prober = _Prober(principal, resource_policies)
    template = templates[0] if templates else TEMPLATE
    origins = {_sender(s, d): origin for s, origin in senders for d in displays}
    plan = [(v, sender, r) for v in VARIANTS for sender in origins for r in regions]

    def allowed(to):
        return [(v, s, r, res) for v, s, r in plan
                if (res := prober.send(v, s, r, to, template)) is not None and sends(res)]

    outside, mixed_with, reached, via = allowed((OUTSIDE,)), None, [], []
    if not outside:
        for pattern, instance in recipients:
            hits = allowed((instance,))
            if hits:
                reached.append(pattern)
                via += hits
                mixed = allowed((instance, OUTSIDE))
                if mixed and not outside:
                    mixed_with, outside = pattern, mixed
    simulator = allowed((SIMULATOR,))
    if prober.errors:
        return _unknown(finding, f"the evaluator refused a probe: {prober.errors[0]}")
    if outside:
        verdict, hits = "anyone", outside
        reason = ("sends to an outside address are allowed" if mixed_with is None else
                  f"a recipient list that mixes {mixed_with} with an outside address is allowed")
    elif any(not _simulator_only(p) for p in reached):
        verdict, hits = "restricted", via
        reason = "only to recipients matching the listed patterns"
        finding.recipients = sorted(set(reached) | ({f"*@{SIMULATOR_DOMAIN}"} if simulator else set()))
    elif simulator or reached:
        verdict, hits = "simulator-only", simulator + via
        reason = "only to mailbox simulator addresses"
        finding.recipients = sorted(set(reached) or {f"*@{SIMULATOR_DOMAIN}"})
    else:
        verdict, hits = "none", []
        reason = _why_none(prober)
        finding.statements = _denials(prober)
        if reason is None:
            allows = "; ".join(_statement(k, p, s).describe() for k, p, s in relevant if s.effect == "Allow")
            return _unknown(finding, "statements allow sending, but no probe met their resources or conditions: "
                                     + allows, finding.statements)
    finding.verdict, finding.reason = verdict, reason
    if hits:
        finding.senders = sorted({origins[s] for _, s, _, _ in hits})
        finding.apis = [f"{a} {c}" for a, c in VARIANTS if any(v == (a, c) for v, _, _, _ in hits)]
        finding.statements = _deciding(hits)
    partial = {_one_identity(res) for *_, res in hits}
    if hits and None not in partial:
        finding.notes.append(f"allowed only when SES checks the identity {' or '.join(sorted(partial))} "
                             "(which one SES checks depends on which is verified)")
    return finding


def sends(result) -> bool:
    """Whether a probe send goes through for some verification state of its identities (the
    answer can-send gives)."""
    return result.allowed


def _one_identity(result) -> str | None:
    """For a send that goes through only for some of the sender's identities, which ones; else None."""
    alts = dict(result.plan.groups).get("sender", ())
    ok = [a.identity for a in alts if result.alternative_ok(a)]
    return None if len(ok) == len(alts) else " or ".join(ok)


def _unknown(finding: Finding, reason: str, statements=()) -> Finding:
    finding.verdict, finding.reason = "unknown", reason
    finding.statements = list(statements)
    return finding


def _why_none(prober: _Prober) -> str | None:
    """Why no probe is allowed, when an explicit deny or the boundary stops each; else None
    (identity-side allows that no probe met might still be met by another send)."""
    stops = set()
    for result in prober.results.values():
        denied = result.blocking if result is not None else []
        if any(r.result.decision == "explicitDeny" for r in denied):
            stops.add("explicitly denied")
        elif any(r.result.missing == ["boundary"] for r in denied):
            stops.add("outside the permissions boundary")
        else:
            return None
    return f"every probe send is {' or '.join(sorted(stops))}" if stops else None


def _deciding(hits) -> list[Statement]:
    out = {}
    for _, _, _, res in hits:
        for req in res.requests:
            for h in req.result.deciding:
                s = Statement(h.effect, h.source, h.pointer, h.sid, h.kind)
                out[(s.policy, s.pointer, s.effect)] = s
    return sorted(out.values(), key=lambda s: (s.policy, s.pointer))


def _denials(prober: _Prober) -> list[Statement]:
    out = {}
    for res in prober.results.values():
        for req in (res.denied if res is not None else []):
            for h in req.result.hits:
                if h.effect == "Deny":
                    out[(h.source, h.pointer)] = Statement(h.effect, h.source, h.pointer, h.sid, h.kind)
    return sorted(out.values(), key=lambda s: (s.policy, s.pointer))


def _statement(kind, policy, st) -> Statement:
    return Statement(st.effect, policy.source, st.pointer, st.sid, kind)


def _simulator_only(pattern: str) -> bool:
    return pattern.lower().endswith(f"@{SIMULATOR_DOMAIN}")


def _sender(address: str, display: str) -> str:
    return f"{display} <{address}>" if display else address


def _instance(pattern: str) -> str:
    """A concrete value matching an IAM pattern (`*` and `?` become letters)."""
    return pattern.replace("*", "x").replace("?", "x")


def _candidates(relevant, region: str, identities=()):
    """Senders, display names, (recipient pattern, instance), regions and templates to probe,
    taken from the statements' resources and conditions and the identities whose own policies
    may grant the principal."""
    senders, displays, recipients, regions, templates = [], [""], [], [region], []

    def add(items, value, limit=MAX_CANDIDATES):
        if value not in items and len(items) < limit:
            items.append(value)

    from seslint.core.arn import parse

    resources = list(identities) + [r for _, _, st in relevant for r in st.resources or ()]
    for resource in resources:
        arn = parse(resource)
        if arn is None or arn.service != "ses":
            continue
        kind, _, name = arn.resource.partition("/")
        if kind == "identity" and arn.region and not any(c in arn.region for c in ("*", "?", "${")):
            add(regions, arn.region, 3)
        if kind == "identity" and name.strip("*?"):
            instance = _instance(name)
            add(senders, (instance if "@" in instance else f"seslint-audit@{instance}", f"identity {name}"))
        if kind == "template" and name.strip("*?"):
            add(templates, _instance(name))
    for c in (c for _, _, st in relevant for c in st.conditions):
        key = c.key.lower()
        for value in (str(v) for v in c.values if "${" not in str(v)):
            if key == "ses:fromaddress" and "@" in value and value.strip("*?"):
                add(senders, (_instance(value), value))
            elif key == "ses:fromdisplayname":
                add(displays, _instance(value), 3)
            elif key == "ses:recipients" and "@" in value and value.strip("*?@"):
                add(recipients, (value, _instance(value)), 2 * MAX_CANDIDATES)
    senders.append((STRANGER, "any sender"))
    return senders, displays, recipients, regions, templates


__all__ = ["OUTSIDE", "SIMULATOR", "VERDICTS", "Finding", "Report", "Statement", "audit", "audit_principal",
           "label_policies", "policy_label", "provenance", "render_html", "render_text", "split_label"]
