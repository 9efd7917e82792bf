"""`seslint audit`: what SES sending each user and role of an account has.

Each verdict is proven over every possible send by the engine of `seslint prove` (`audit.exact`:
every API and content, From address, display name, recipient list, configuration set and
template) and comes with a witness send that the evaluator allows. Principals with the same
policies (and, where a policy could tell callers apart, the same caller) share one verdict.

Verdicts, from most to least sending:
    anyone          some allowed send has a recipient outside every recipient pattern the
                    principal's statements name (and outside the mailbox simulator)
    restricted      every recipient matches a named pattern, and some are not simulator addresses
    simulator-only  only mailbox simulator addresses
    none            no possible send is allowed
    unknown         the answer depends on a key the model treats as free (such as aws:SourceIp), or a
                    policy cannot be read or encoded faithfully; the reason names it
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from seslint.audit.exact import OUTSIDE, decide
from seslint.audit.org import audit_accounts
from seslint.audit.report import jsonl_line, provenance, render_html, render_text
from seslint.errors import SeslintError
from seslint.evaluate.authdetails import label_policies, policy_label, split_label
from seslint.names import in_policies, undecided, unknown_names

VERDICTS = ("anyone", "restricted", "simulator-only", "none", "unknown")
SIMULATOR = "success@simulator.amazonses.com"


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
    witness: dict | None = None                            # the send behind the verdict (seslint.prove)
    account: str = ""

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


def audit(details, *, region: str = "us-east-1", resource_policies: dict | None = None, progress=None,
          scps=None, jobs: int | None = None) -> Report:
    """Audit every user and role of an `AuthDetails`. `resource_policies` maps identity ARNs to
    their sending-authorization policies (PolicyDoc lists); `progress(done, read)` counts principals;
    `scps` is an `audit.sources.ScpTree`."""
    from seslint.audit.sources import Account, account_of_details

    account = Account(account_of_details(details.value, details.source), details.source, details, resource_policies)
    findings = [f for _, fs in audit_accounts([account], region=region, scps=scps, jobs=jobs, progress=progress)
                for f in fs]
    return Report(details.source, region, findings, notes(resource_policies is not None))


def notes(read_identity_policies: bool) -> list[str]:
    """The report's caveats."""
    if read_identity_policies:
        return []
    return ["SES sending authorization (identity) policies were not read: a principal they allow "
            "may send more than shown (use --live or --iam-collect to read them)"]


def audit_principal(principal, details=None, *, region: str = "us-east-1", resource_policies: dict,
                    scps=None, session=None) -> Finding:
    """The verdict for one `authdetails.Principal`; `scps`: its account's SCP levels from the root
    down ([(level, [PolicyDoc])]), or None; `session(region)`: see `exact.decide`."""
    from seslint.policy import parse_policy

    if details is not None:
        principal = label_policies(principal, details.value)
    finding = Finding(principal.arn, principal.kind, principal.name, "none", "", account=principal.account)
    if principal.error is not None:
        return _unknown(finding, f"a policy cannot be read: {principal.error}")
    try:
        docs = [("identity", d, None) for d in principal.identity_policies]
        if principal.permission_boundary is not None:
            docs.append(("boundary", principal.permission_boundary, None))
        docs += [("resource", d, arn) for arn, ds in resource_policies.items() for d in ds]
        parsed = [(kind, parse_policy(d.value, d.source, d.pointer), arn) for kind, d, arn in docs]
        scp_policies = [parse_policy(d.value, d.source, d.pointer) for _, ds in scps or () for d in ds]
    except SeslintError as exc:
        return _unknown(finding, f"a policy cannot be read: {exc}")
    names = in_policies(scp_policies) + [u for kind, policy, _ in parsed for u in unknown_names(
        [st for st in policy.statements if kind != "resource" or _names(st, principal)], policy.source)]
    reason = undecided(names)
    if reason:
        return _unknown(finding, reason)
    finding.notes += [u.describe() for u in names]
    relevant = [(kind, policy, st) for kind, policy, _ in parsed for st in policy.statements
                if _sends(st) and (kind != "resource" or _names(st, principal))]
    allows = [(k, p, s) for k, p, s in relevant if s.effect == "Allow" and k in ("identity", "resource")]
    if not allows:
        finding.reason = "no identity or sending-authorization policy allows a send action"
        return finding
    return decide(principal, finding, relevant, region, resource_policies, _statement, scps, session)


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
    from seslint.matrix import send_actions

    actions = send_actions()
    if statement.actions is not None:
        return any(matches(p, a, ignore_case=True) for p in statement.actions for a in actions)
    return any(not any(matches(p, a, ignore_case=True) for p in statement.not_actions) for a in actions)


def _unknown(finding: Finding, reason: str, statements=()) -> Finding:
    finding.verdict, finding.reason = "unknown", reason
    finding.statements = list(statements)
    return finding


def _statement(kind, policy, st) -> Statement:
    return Statement(st.effect, policy.source, st.pointer, st.sid, kind)


__all__ = ["OUTSIDE", "SIMULATOR", "VERDICTS", "Finding", "Report", "Statement", "audit", "audit_accounts",
           "audit_principal", "jsonl_line",
           "label_policies", "policy_label", "provenance", "render_html", "render_text", "split_label"]
