"""Audit verdicts proven by the engine of `seslint prove`, each with a witness send.

One `prove.api.Session` per region encodes the principal's possible sends once; the verdict is
the first of these questions with a counterexample, asked in the audited region and in one region
of each other class the statements' SES ARNs tell apart (`regions`):
    anyone          a send with a recipient outside every recipient pattern the statements name
                    (and outside the mailbox simulator)
    restricted      a send with a recipient outside the mailbox simulator
    simulator-only  any send at all
and none when every question is proven. Each witness is re-checked by the evaluator (the engine
does it). A question the engine cannot decide (a free key such as aws:SourceIp decides it, or a
policy it cannot encode) makes the verdict unknown, with the engine's reason.
"""

from __future__ import annotations

from seslint.core.arn import ses_identity
from seslint.core.patterns import matches
from seslint.errors import SeslintError
from seslint.sendmodel import SEND_KINDS

SIMULATOR_PATTERN = "*@simulator.amazonses.com"
OUTSIDE = "seslint-audit@outside.invalid"   # a pattern that matches it restricts nothing
_REASONS = {"anyone": "sends to an outside address (outside every recipient pattern the policies name) are allowed",
            "restricted": "only to recipients matching the listed patterns",
            "simulator-only": "only to mailbox simulator addresses",
            "bounces": "only bounces (ses:SendBounce), which go to the senders of messages the account received: "
                       "they carry no ses:Recipients, so no recipient pattern limits them"}


def _mails_recipients(send):
    return send.mails_recipients


def decide(principal, finding, relevant, region: str, resource_policies: dict, statement, scps=None, session=None):
    """Fill `finding` (verdict, reason, scope, witness) for the principal; `relevant` are its
    (kind, policy, statement) triples that may send, `statement(kind, policy, st)` names one;
    `scps`: the SCP levels of its account, from the root down ([(level, [PolicyDoc])]), or None.
    `session(region)`, when given, encodes the principal's sends instead (a caller in another account
    than the identities', say: `seslint review`)."""
    import z3

    from seslint.prove import budget
    from seslint.prove.api import COUNTEREXAMPLE, PROVEN
    from seslint.prove.strings import Unknown

    def make(r):
        return session(r) if session else _session(principal, r, resource_policies, scps)

    patterns = recipient_patterns(relevant)
    # The last question: sends that carry no recipient key (bounces) are still sends.
    questions = (("anyone", {"recipients_within": [*patterns, SIMULATOR_PATTERN]}),
                 ("restricted", {"recipients_within": [SIMULATOR_PATTERN]}),
                 ("simulator-only", {"within": _mails_recipients}),
                 ("bounces", {"no_send": True}))
    sessions: dict = {}
    allows = [statement(k, p, s) for k, p, s in relevant if s.effect == "Allow"]
    asked = regions(relevant, region)
    try:
        for verdict, question in questions:
            found, unknown = None, None
            for r in asked:   # each question in each region: a budget of its own (Session.ask)
                asking = sessions.get(r) or sessions.setdefault(r, make(r))
                outcome = asking.ask(asking.violation(**question))
                if outcome.verdict == COUNTEREXAMPLE:
                    found = (asking, outcome.witness)
                    break
                if outcome.verdict != PROVEN and unknown is None:
                    unknown = outcome.reason
            if found is not None:
                with budget.question():   # one budget for all that the verdict reports
                    return _found(finding, verdict, question, found, relevant, sessions)
            if verdict == "bounces":
                break
            if unknown is not None:
                return _unknown(finding, unknown, allows)
    except (Unknown, z3.Z3Exception) as exc:
        return _unknown(finding, str(exc), allows)
    except SeslintError as exc:
        return _unknown(finding, f"a policy cannot be read: {exc}")
    if session:   # the reason's wording (a boundary, a Deny) is the audit's own question
        finding.verdict, finding.reason = "none", "proven: no possible send is allowed"
        return finding
    return _none(principal, finding, relevant, asked, resource_policies, statement, scps)


def _session(principal, region: str, resource_policies: dict, scps=None, *, boundary=True, strip_denies=False,
             without_scps=False):
    from seslint.policy import PolicyDoc
    from seslint.prove.api import Session
    from seslint.prove.decision import build_inputs

    def docs(ds):
        return [PolicyDoc(_allows_only(d.value) if strip_denies else d.value, d.source, d.pointer) for d in ds]

    bound = principal.permission_boundary if boundary else None
    inputs = build_inputs(docs(principal.identity_policies), account=principal.account, region=region,
                          principal_arn=principal.arn, permission_boundary=docs([bound])[0] if bound else None,
                          resource_policies={arn: docs(ds) for arn, ds in resource_policies.items()},
                          scps=None if without_scps else [(level, docs(ds)) for level, ds in scps or ()])
    return Session(inputs)


def _found(finding, verdict: str, question: dict, found, relevant, sessions: dict):
    from seslint.prove.api import COUNTEREXAMPLE

    session, w = found
    patterns = recipient_patterns(relevant)
    finding.verdict, finding.reason = "restricted" if verdict == "bounces" else verdict, _REASONS[verdict]
    mixed = [p for p in patterns if any(matches(p, r, ignore_case=True) for r in w.recipients)]
    if verdict == "anyone" and mixed:
        finding.reason = f"a recipient list that mixes {mixed[0]} with an outside address is allowed"
    if verdict == "restricted":
        finding.recipients = sorted(p for p in [*patterns, SIMULATOR_PATTERN]
                                    if any(s.ask(s.reaching(p)).verdict == COUNTEREXAMPLE for s in sessions.values()))
    elif verdict == "simulator-only":
        finding.recipients = [SIMULATOR_PATTERN]
    violation = session.violation(**question)
    finding.apis = _apis(session, violation)
    finding.senders = _senders(session, violation, relevant, w.sender)
    finding.witness = w.to_json()
    finding.statements, only = _deciding(session.send.inputs, w)
    if only:
        finding.notes.append(f"the witness is allowed only when SES checks the identity {only} (which one SES "
                             "checks depends on which is verified)")
    return finding


def _apis(session, violation) -> list[str]:
    kinds = set(session.kinds(violation))
    return [f"{api} {content}" for api, content in SEND_KINDS if (api, content) in kinds]


def _senders(session, violation, relevant, known: str) -> list[str]:
    """["any sender"] when a send of the verdict uses a From outside every From pattern the
    statements name (conditions on ses:FromAddress, then identity ARNs); else the patterns some
    send uses, most specific first, each counted only for a From outside the ones before it.
    `known`: the From of a confirmed witness, which answers some of these without the solver."""
    from seslint.prove.api import COUNTEREXAMPLE, outside
    from seslint.prove.strings import View, all_, not_

    named: dict = {}
    for _, _, st in relevant:
        for c in st.conditions:
            if c.key.lower() == "ses:fromaddress":
                for v in (str(v) for v in c.values):
                    if "${" not in v and v.strip("*?"):
                        named.setdefault(v.lower(), v)
    for _, _, st in relevant:
        for resource in st.resources or ():
            name = ses_identity(resource)
            if name is not None and name.strip("*?") and "${" not in name:
                # a domain identity also authorizes its subdomains' sends (the parent-domain route)
                for pattern in [name] if "@" in name else [f"*@{name}", f"*@*.{name}"]:
                    named.setdefault(pattern.lower(), f"identity {name}")
    def inside(value: str, patterns) -> bool:
        return any(matches(p, value, ignore_case=True) for p in patterns)

    address = View(session.send.address)
    if not inside(known, named) or session.ask(violation, outside(address, list(named))).verdict == COUNTEREXAMPLE:
        return ["any sender"]
    hits: list = []
    out = []
    for pattern in sorted(named, key=lambda p: (any(c in p for c in "*?"), -len(p), p)):
        within = all_([not_(outside(address, [pattern])), outside(address, hits)])
        if (inside(known, [pattern]) and not inside(known, hits)) \
                or session.ask(violation, within).verdict == COUNTEREXAMPLE:
            hits.append(pattern)
            out.append(named[pattern])
    return sorted(set(out))


def _none(principal, finding, relevant, asked: list[str], resource_policies: dict, statement, scps=None):
    from seslint.prove.api import COUNTEREXAMPLE

    finding.verdict, finding.reason = "none", "proven: no possible send is allowed"

    def sends(**change) -> bool:
        return any(s.ask(s.violation(no_send=True)).verdict == COUNTEREXAMPLE
                   for s in (_session(principal, r, resource_policies, scps, **change) for r in asked))

    import z3

    from seslint.prove.strings import Unknown

    try:  # only the reason's wording depends on these: the verdict is proven already
        if scps and sends(without_scps=True):
            finding.reason = "proven: the organization's service control policies stop every possible send"
        elif principal.permission_boundary is not None and sends(boundary=False):
            finding.reason = "proven: the permissions boundary stops every possible send"
        elif any(s.effect == "Deny" for _, _, s in relevant) and sends(strip_denies=True):
            finding.reason = "proven: every possible send is explicitly denied"
            finding.statements = [statement(k, p, s) for k, p, s in relevant if s.effect == "Deny"]
    except (Unknown, SeslintError, z3.Z3Exception):
        pass
    return finding


def _unknown(finding, reason: str, statements=()):
    finding.verdict, finding.reason = "unknown", reason
    finding.statements = list(statements)
    return finding


def regions(relevant, region: str) -> list[str]:
    """The audited region, then one region of each other class that the statements tell apart (`eu-*`,
    `us-east-1`, ...): regions that every such part matches alike get the same answer (seslint.scope)."""
    from seslint.scope import region_classes

    return region_classes([st for _, _, st in relevant], region)


def recipient_patterns(relevant) -> list[str]:
    """The recipient patterns the statements name that restrict something (an outside address does
    not match them) and are not the mailbox simulator's."""
    out = set()
    for _, _, st in relevant:
        for c in st.conditions:
            if c.key.lower() != "ses:recipients":
                continue
            for v in (str(v) for v in c.values):
                if "${" not in v and not matches(v, OUTSIDE, ignore_case=True) \
                        and not v.lower().endswith("@simulator.amazonses.com"):
                    out.add(v)
    return sorted(out)


def _allows_only(value):
    """A policy document without its Deny statements (to tell why nothing is allowed)."""
    if not isinstance(value, dict):
        return value
    raw = value.get("Statement", [])
    items = raw if isinstance(raw, list) else [raw]
    return dict(value, Statement=[s for s in items if not (isinstance(s, dict) and s.get("Effect") == "Deny")])


def _deciding(inputs, w) -> tuple[list, str | None]:
    """The statements that allow the witness (for the identity it goes through for), and the one
    identity it needs when the other alternative is not allowed (else None)."""
    from seslint.audit import Statement
    from seslint.prove.sends import ALTERNATIVE_ROLES
    from seslint.prove.witness import alternative, decisions

    out: dict = {}
    results = list(zip(decisions(inputs, w), w.requests, strict=True))
    for res, r in results:
        if r["role"] in ALTERNATIVE_ROLES and alternative(r) != w.identity:
            continue
        for h in res.deciding:
            s = Statement(h.effect, h.source, h.pointer, h.sid, h.kind)
            out[(s.policy, s.pointer, s.effect)] = s
    alternatives = list(dict.fromkeys(alternative(r) for _, r in results if r["role"] in ALTERNATIVE_ROLES))
    ok = {alt: all(res.allowed for res, r in results if alternative(r) == alt) for alt in alternatives}
    only = None
    if len(ok) > 1 and sum(ok.values()) == 1:
        alt = next(alt for alt, good in ok.items() if good)
        only = next(r["resource"].rsplit("/", 1)[1] for _, r in results if alternative(r) == alt)
    return sorted(out.values(), key=lambda s: (s.policy, s.pointer)), only
