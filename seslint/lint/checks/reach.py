"""What a policy lets a send reach, decided by the prover (seslint.prove) over every possible send.

Rules that claim a send gets past a limit (SES034, SES040, SES057, SES064) find their candidates by a
quick look at the statements, then ask `outside_send`: the claim stands exactly when the prover finds
an allowed send whose recipients (or From address) fall outside the limit's patterns. So lint and
`seslint prove` cannot disagree about it. z3 is imported only for policies with such a candidate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

POSITIVE = ("StringLike", "StringEquals")


@dataclass(frozen=True)
class Reach:
    """What reaches outside the patterns: an allowed send (`send`, its description; `actions`, the IAM
    actions of its requests; `allowing`, the pointers of this policy's Allow statements that allow it, for
    the identity it goes through), the actions of allowed kinds of send the property leaves out
    (`outside`: bounces carry no ses:Recipients), or `unknown`: why the prover cannot say."""

    send: str = ""
    actions: frozenset = frozenset()
    allowing: frozenset = frozenset()
    outside: frozenset = frozenset()
    unknown: str = ""


def outside_send(ctx, key: str, patterns, *, alone=None) -> Reach | None:
    """What reaches outside `patterns` for `key` (ses:Recipients or ses:FromAddress), or None when every
    allowed send keeps within them. `alone`: the statement of a guardrail, asked on its own, with
    everything else its actions name allowed."""
    allow = None
    if alone is not None:
        actions = alone.actions if alone.actions is not None else ("*",)
        allow = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": list(actions), "Resource": "*"}]})
    return _outside(json.dumps(ctx.value, sort_keys=True), key.lower(), tuple(sorted(patterns)), allow)


def patterns_of(cond) -> list[str] | None:
    """The values of a positive condition, as the patterns a send stays within; None when the condition
    is not such a limit (a negated operator, IfExists, a policy variable, a value that is not a string)."""
    if cond.base not in POSITIVE or cond.if_exists:
        return None
    values = [v for _, v in cond.items()]
    if not values or not all(isinstance(v, str) and "${" not in v for v in values):
        return None
    if cond.base == "StringEquals" and any(c in v for v in values for c in "*?"):
        return None   # Equals values with * or ? cannot be written as patterns
    return values


def negated_patterns(cond) -> list[str] | None:
    """The values a negated condition (StringNotLike, StringNotEquals) keeps a send within; None as in
    `patterns_of`."""
    if cond.base not in ("StringNotLike", "StringNotEquals") or cond.if_exists:
        return None
    values = [v for _, v in cond.items()]
    if not values or not all(isinstance(v, str) and "${" not in v for v in values):
        return None
    if cond.base == "StringNotEquals" and any(c in v for v in values for c in "*?"):
        return None
    return values


@lru_cache(maxsize=256)
def _outside(text: str, key: str, patterns: tuple, allow: str | None) -> Reach | None:
    import z3

    from seslint.errors import SeslintError
    from seslint.prove.api import COUNTEREXAMPLE, prove_in
    from seslint.prove.decision import at, build_inputs
    from seslint.prove.strings import Unknown
    from seslint.prove.witness import alternative, decisions
    from seslint.scope import DEFAULT_ACCOUNT, DEFAULT_REGION, scope_of

    value = json.loads(text)
    try:
        inputs = build_inputs([value, *([json.loads(allow)] if allow else [])], account=DEFAULT_ACCOUNT,
                              region=DEFAULT_REGION)
        asked = scope_of(inputs)
        outcome = prove_in(inputs, asked, recipients_within=patterns) if key == "ses:recipients" else \
            prove_in(inputs, asked, senders_within=patterns)
    except SeslintError:
        return None   # the grammar and condition rules report what is broken
    except (Unknown, z3.Z3Exception) as exc:
        return Reach(unknown=str(exc))
    outside = frozenset(a for o in outcome.outside for a in o["actions"])
    if outcome.verdict == "unknown":
        return Reach(unknown=outcome.reason)
    if outcome.verdict != COUNTEREXAMPLE or outcome.witness is None:
        return Reach(outside=outside) if outside else None
    w = outcome.witness
    parts = w.main["resource"].split(":")
    here = at(inputs, parts[4], parts[3]) if len(parts) > 5 else inputs
    allowing = frozenset(h.pointer for res, r in zip(decisions(here, w), w.requests, strict=True)
                         if r["role"] not in ("address identity", "domain identity", "parent domain identity")
                         or alternative(r) == w.identity
                         for h in res.hits if h.effect == "Allow" and h.source == "<identity policy 1>")
    send = f"a {w.operation} send from {json.dumps(w.sender)} to {json.dumps(w.recipients)}"
    return Reach(send, frozenset(r["action"] for r in w.requests), allowing, outside)
