"""Checks that prove, with the SMT engine (seslint.prove), over every possible send.

They run only on policies that have a recipient or sender guardrail. Most guardrails are decided
without a solver, the way S3 Block Public Access decides most bucket policies: from their shape
alone when it covers every send (`closed`), or by one concrete send of a kind the shape leaves out,
which the evaluator confirms (`_residual`). z3 is imported only for the rest, and each distinct
policy is judged once per run (`_bypasses`, by content: a repository often holds many copies of one
policy).
"""

from __future__ import annotations

import json
from functools import lru_cache

from seslint.core.patterns import matches
from seslint.lint.checks import Context, rule

GUARDED_KEYS = ("ses:recipients", "ses:fromaddress")
_WITHIN = ("StringNotLike", "StringNotEquals", "StringNotEqualsIgnoreCase")
_AVOID = ("StringLike", "StringEquals", "StringEqualsIgnoreCase")
# Whatever else allows: a guardrail must hold on its own (it is often an SCP or a boundary).
_ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
_ACCOUNT = "111122223333"


def guardrails(ctx) -> list:
    """(statement, condition) for each Deny whose only condition is on ses:Recipients or ses:FromAddress."""
    out = []
    for st in ctx.statements:
        if not st.deny or len(st.conditions) != 1 or st.has_principal:
            continue
        (cond,) = st.conditions
        base = cond.base
        if cond.set_op == "ForAllValues" and cond.negated:
            continue   # SES034 reports this guardrail's bypass (a mixed recipient list)
        if cond.lowered in GUARDED_KEYS and base in _WITHIN + _AVOID:
            values = [v for _, v in cond.items() if isinstance(v, str)]
            if values and not any("${" in v for v in values):
                out.append((st, cond, base, values))
    return out


def closed(st, cond, base: str, values: list) -> bool:
    """Whether no send bypasses the guardrail, read from its shape: it names every resource; in
    every kind of send, one request it covers carries the key; and its condition holds on every
    send the proof counts as a bypass (a recipient or From outside the patterns, or matching them,
    compared ignoring case as addresses are). False means only "ask the solver"."""
    if st.actions is None or st.not_resources is not None or "*" not in (st.resources or ()):
        return False
    if len(values) != len(cond.values) or not _holds_on_every_bypass(cond, base, values):
        return False
    patterns = [p for p in st.actions if isinstance(p, str)]
    return all(any(matches(p, action, ignore_case=True) for p in patterns for action in kind)
               for kind in _kinds(cond.lowered))


def _holds_on_every_bypass(cond, base: str, values: list) -> bool:
    if cond.set_op != "ForAnyValue" and not (cond.set_op is None and cond.lowered == "ses:fromaddress"):
        return False   # ForAllValues misses a mixed list; a list key without a set operator is undefined
    if base in _WITHIN:   # outside ignoring case implies outside with case
        return not base.endswith("IgnoreCase") or all(v.isascii() for v in values)
    if base == "StringEqualsIgnoreCase":
        return all(v.isascii() for v in values)
    return all(c.lower() == c.upper() for v in values for c in v)   # nothing case could hide


@lru_cache(maxsize=4)
def _carrying(key: str) -> tuple[tuple[str, str, str | None, frozenset[str]], ...]:
    """For each kind of send the proofs model (API, content, with or without a configuration set, each
    reading of a disputed mapping: `prove.sends.plans`): (api, content, reading, the actions of its
    requests that carry `key`); for ses:Recipients, only the kinds that carry it at all (a recipient
    property leaves out the others, such as a bounce)."""
    from seslint.sendmodel import SEND_KINDS, Send, plan

    out = []
    for api, content in SEND_KINDS:
        for configuration_set in (None, "set"):
            planned = plan(Send(sender="a@example.com", account=_ACCOUNT, to=("b@example.com",), api=api,
                                content=content, configuration_set=configuration_set,
                                template="t" if content in ("template", "bulk", "verification") else None))
            for reading in planned.readings or (None,):
                requests = planned.made_in(reading)
                carrying = frozenset(r.action for r in requests if key in {k.lower() for k in r.context})
                if carrying or key != "ses:recipients" or any("ses:recipients" in {k.lower() for k in r.context}
                                                             for r in requests):
                    out.append((api, content, reading, carrying))
    return tuple(out)


def _kinds(key: str) -> tuple[frozenset[str], ...]:
    return tuple(actions for *_, actions in _carrying(key))


@rule("SES060")
def guardrail_bypass(ctx):
    if ctx.policy_type != "identity" or all(closed(*g) for g in guardrails(ctx)):
        return
    document = json.dumps(ctx.value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    yield from _bypasses(document)


@lru_cache(maxsize=1024)
def _bypasses(document: str, skip_closed: bool = True) -> tuple[tuple[str, str], ...]:
    """(statement pointer, message) for each guardrail of a policy (as canonical JSON) that some send
    bypasses: judged once per distinct policy in a run. `skip_closed`: let `closed` and `_residual`
    decide what they can (False: the solver judges every guardrail)."""
    ctx = Context(json.loads(document), "identity")
    found: dict = {}
    pending = []
    for g in guardrails(ctx):
        st, cond, base, values = g
        if (skip_closed and closed(*g)) or (not base.endswith("Like") and any(c in v for v in values for c in "*?")):
            continue   # Equals values with * or ? cannot be written as patterns
        witness = _residual(ctx.value, *g) if skip_closed else None
        if witness is not None:
            found[st.pointer] = _message(cond, base, values, *witness)
        else:
            pending.append(g)
    if pending:
        from seslint.prove.api import COUNTEREXAMPLE

        outcomes = _proven(ctx.value, pending)
        for st, cond, base, values in pending:
            outcome = outcomes.get(st.pointer)
            w = outcome and outcome.witness
            if outcome is not None and outcome.verdict == COUNTEREXAMPLE and w is not None:
                found[st.pointer] = _message(cond, base, values, w.operation, w.sender, w.recipients,
                                             w.main["action"], w.main["resource"])
    return tuple((st.pointer, found[st.pointer]) for st, *_ in guardrails(ctx) if st.pointer in found)


def _message(cond, base: str, values: list, operation: str, sender: str, recipients: list, action: str,
             resource: str) -> str:
    what = "recipients" if cond.lowered == "ses:recipients" else "From address"
    goal = ("outside " if base in _WITHIN else "matching ") + " or ".join(values)
    return (f"this guardrail on {cond.key} can be bypassed: a {operation} send from {json.dumps(sender)} to "
            f"{json.dumps(recipients)} has {what} {goal} and is not denied ({action} on {resource})")


# Addresses to try where a value must lie outside a guardrail's patterns.
_OUTSIDE = ("someone@example.net", "a@a.invalid", "x1@y2.z3", "q@q.q")


def _residual(policy, st, cond, base: str, values: list):
    """A send that bypasses the guardrail, of a kind whose key-carrying requests its actions leave out,
    which the evaluator allows (the rest of the policy may still deny it): (operation, From,
    recipients, action, resource), or None (the solver decides)."""
    if st.actions is None or (cond.lowered == "ses:recipients" and cond.set_op is None):
        return None   # a list key without a set operator is undefined (the solver says so)
    from seslint.cansend import Send, check_send
    from seslint.errors import SeslintError
    from seslint.sendmodel import AddressError, parse_address

    def valid(address: str) -> bool:
        try:
            return parse_address(address, "to")[1] == address
        except AddressError:
            return False

    if base in _WITHIN:
        bad = [a for a in _OUTSIDE if not any(matches(v, a, ignore_case=True) for v in values)]
    else:
        bad = [a for a in (v.replace("*", "a").replace("?", "a") for v in values) if valid(a)]
    if not bad:
        return None
    recipients = cond.lowered == "ses:recipients"
    sender, to = ("sender@example.com", bad[0]) if recipients else (bad[0], "someone@example.net")
    patterns = [p for p in st.actions if isinstance(p, str)]
    for api, content, reading, actions in _carrying(cond.lowered):
        if any(matches(p, a, ignore_case=True) for p in patterns for a in actions):
            continue   # the guardrail covers this kind
        try:
            result = check_send(Send(sender=sender, account=_ACCOUNT, to=(to,), api=api, content=content,
                                     template="t" if content in ("template", "bulk", "verification") else None),
                                [policy, _ALLOW_ALL], explain=False)
        except SeslintError:
            return None
        if not result.allowed:
            continue
        main = next(r for r in result.requests if cond.lowered in {k.lower() for k in r.context}
                    and (reading is None or r.planned.reading in (None, reading)))
        return result.operation, sender, [to], main.action, main.resource
    return None


def _proven(policy, pending: list) -> dict:
    """{statement pointer: prove's Outcome} for the guardrails of `pending`: whether some send bypasses
    each, by the prover (z3 is loaded here); {} for a policy the prover cannot read."""
    import z3

    from seslint.errors import SeslintError
    from seslint.prove.api import outside, prove
    from seslint.prove.decision import build_inputs
    from seslint.prove.strings import View, any_

    try:
        inputs = build_inputs([policy, _ALLOW_ALL], account=_ACCOUNT)
    except SeslintError:
        return {}   # the grammar and condition rules report what is broken
    out = {}
    for st, cond, base, values in pending:
        recipients = cond.lowered == "ses:recipients"

        def breaks(send, patterns=values, recipients=recipients, avoid=base in _AVOID):
            values = [(send.recipients.length > i, x) for i, x in enumerate(send.recipients.items)] if recipients else \
                [(True, View(send.address))]
            test = (lambda x: z3.Not(outside(x, patterns))) if avoid else (lambda x: outside(x, patterns))
            hit = any_(z3.And(present, test(x)) for present, x in values)
            return z3.And(send.mails_recipients, hit) if recipients else hit

        out[st.pointer] = prove(inputs, within=breaks)
    return out
