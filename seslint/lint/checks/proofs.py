"""Checks that prove, with the SMT engine (seslint.prove), over every possible send.

They run only on policies that have a recipient or sender guardrail, so z3 is imported only then
and `seslint lint` on other policies stays as fast as before.
"""

from __future__ import annotations

import json

from seslint.lint.checks import rule

GUARDED_KEYS = ("ses:recipients", "ses:fromaddress")
_WITHIN = ("StringNotLike", "StringNotEquals", "StringNotEqualsIgnoreCase")
_AVOID = ("StringLike", "StringEquals", "StringEqualsIgnoreCase")
# Whatever else allows: a guardrail must hold on its own (it is often an SCP or a boundary).
_ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


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


@rule("SES060")
def guardrail_bypass(ctx):
    found = guardrails(ctx) if ctx.policy_type == "identity" else []
    if not found:
        return
    import z3

    from seslint.errors import SeslintError
    from seslint.prove.api import COUNTEREXAMPLE, outside, prove
    from seslint.prove.decision import build_inputs
    from seslint.prove.strings import View, any_

    try:
        inputs = build_inputs([ctx.value, _ALLOW_ALL], account="111122223333")
    except SeslintError:
        return   # the grammar and condition rules report what is broken
    for st, cond, base, values in found:
        if not base.endswith("Like") and any(c in v for v in values for c in "*?"):
            continue   # Equals values with * or ? cannot be written as patterns
        recipients = cond.lowered == "ses:recipients"

        def breaks(send, patterns=values, recipients=recipients, avoid=base in _AVOID):
            values = [(send.recipients.length > i, x) for i, x in enumerate(send.recipients.items)] if recipients else \
                [(True, View(send.address))]
            test = (lambda x: z3.Not(outside(x, patterns))) if avoid else (lambda x: outside(x, patterns))
            hit = any_(z3.And(present, test(x)) for present, x in values)
            return z3.And(send.mails_recipients, hit) if recipients else hit

        outcome = prove(inputs, within=breaks)
        if outcome.verdict != COUNTEREXAMPLE:
            continue
        w = outcome.witness
        what = "recipients" if recipients else "From address"
        goal = ("outside " if base in _WITHIN else "matching ") + " or ".join(values)
        yield st.pointer, (f"this guardrail on {cond.key} can be bypassed: a {w.operation} send from "
                           f"{json.dumps(w.sender)} to {json.dumps(w.recipients)} has {what} {goal} and is not "
                           f"denied ({w.main['action']} on {w.main['resource']})")
