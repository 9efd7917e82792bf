"""The proofs of a generated policy: every send a call site makes is allowed (can-send, request by
request), and where the From is a literal the policy pins the sender (prove, over every possible send)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from seslint.fromcode.policy import PLACEHOLDER_REGION, Planned, build

DEFAULT_ACCOUNT = "111122223333"


@dataclass
class Proof:
    name: str
    ok: bool
    detail: str = ""


def concrete_sends(planned: Planned, account: str | None):
    """The sends of a call site with the account filled in (for can-send)."""
    return [dataclasses.replace(s, account=account or DEFAULT_ACCOUNT) for s in planned.sends]


def sends_allowed(planned: list[Planned], policy: dict, account: str | None) -> list[Proof]:
    from seslint.evaluate.scenario import PolicyCache
    from seslint.evaluate.sending import check_send

    cache = PolicyCache()
    out = []
    for p in planned:
        for send in concrete_sends(p, account):
            result = check_send(send, [policy], cache=cache, explain=False)
            what = f"{p.site.where} {p.site.operation} ({send.content})"
            detail = "; ".join(f"{r.action} on {r.resource} is {r.result.decision}" for r in result.blocking)
            out.append(Proof(f"allowed: {what}", result.allowed, detail or result.decision))
    return out


def senders_pinned(planned: list[Planned], account: str | None) -> list[Proof]:
    """For the call sites whose From is a literal: their statements allow no other From (per region)."""
    from seslint.prove.api import PROVEN, prove
    from seslint.prove.decision import build_inputs

    pinned = [p for p in planned if p.sends and not any(w.part in ("From", "identity ARN") for w in p.widened)]
    by_region: dict[str, list[Planned]] = {}
    for p in pinned:
        region = p.sends[0].region if p.sends else PLACEHOLDER_REGION
        by_region.setdefault(region, []).append(p)
    out = []
    for region, group in sorted(by_region.items()):
        senders = sorted({s.sender for p in group for s in p.sends})
        from email.utils import parseaddr

        addresses = sorted({parseaddr(s)[1] or s for s in senders})
        outcome = prove(build_inputs([build(group)], account=account or DEFAULT_ACCOUNT, region=region),
                        senders_within=addresses)
        sites = ", ".join(sorted({p.site.where for p in group}))
        detail = outcome.reason
        if outcome.witness is not None:
            detail += f": {outcome.witness.operation} from {outcome.witness.sender}"
        out.append(Proof(f"pinned: the statements of {sites} allow no From but {', '.join(addresses)} ({region})",
                         outcome.verdict == PROVEN, "" if outcome.verdict == PROVEN else detail))
    return out


def check(planned: list[Planned], policy: dict, account: str | None) -> list[Proof]:
    return sends_allowed(planned, policy, account) + senders_pinned(planned, account)
