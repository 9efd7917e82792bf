"""`generate --check`: what a generated policy promises, proven over every possible send.

The promises follow from the recipe and the parameters given: a sending recipe keeps every
recipient within `--recipient-domain` (the mailbox simulator for ci-simulator-only) and every From
address within `--from`; a guardrail (an SCP or a boundary) keeps them so whatever else allows; a
sending authorization policy keeps the delegate's sends so; a recipe that does not send allows no
send at all.
"""

from __future__ import annotations

from dataclasses import dataclass

SENDING = ("ci-simulator-only", "restricted-sender", "templated-sender")
_ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@dataclass
class Promise:
    name: str
    verdict: str
    reason: str
    quirks: tuple[str, ...] = ()   # what a proof rests on: the mappings of the kinds of send the policy allows

    @property
    def ok(self) -> bool:
        return self.verdict == "proven"


def promises(recipe, given: dict, env: dict) -> tuple[dict, dict]:
    """(the `prove` keyword arguments, the inputs arguments) for a generated policy of `recipe`."""
    domains = [d for d in given.get("recipient-domain", ()) if d and "*" not in d]
    recipients = ["*@simulator.amazonses.com"] if recipe.name == "ci-simulator-only" else [f"*@{d}" for d in domains]
    senders = [s for s in given.get("from", ()) if s]
    region = next((r for r in env.get("region", ()) if r and "*" not in r), "us-east-1")
    account = next((a for a in env.get("account", ()) if a and "*" not in a), "111122223333")
    kwargs: dict[str, object] = {"recipients_within": recipients, "senders_within": senders}
    if recipe.policy_type == "identity" and recipe.name not in SENDING:
        kwargs = {"no_send": True}
    return kwargs, {"region": region, "account": account}


def check(recipe, given: dict, env: dict, policy: dict) -> list[Promise]:
    """Prove the recipe's promises for `policy`; an empty list when it promises nothing about sends."""
    from seslint.prove.api import PROVEN, Session, prove
    from seslint.prove.decision import build_inputs
    from seslint.sendmodel import kind_quirks

    kwargs, where = promises(recipe, given, env)
    if not any(kwargs.values()):
        return []
    if recipe.policy_type == "resource":
        delegate = next(iter(given.get("delegate-account", ())), None) or where["account"]
        inputs = build_inputs([_ALLOW_ALL], principal_arn=f"arn:aws:iam::{delegate}:role/delegate",
                              resource_policies={None: [policy]}, **where)
    elif recipe.policy_type == "guardrail":
        inputs = build_inputs([policy, _ALLOW_ALL], **where)
    else:
        inputs = build_inputs([policy], **where)
    outcome = prove(inputs, **kwargs)
    name = "; ".join(f"{k.replace('_', ' ')} {' or '.join(v) if isinstance(v, list) else ''}".strip()
                     for k, v in kwargs.items() if v)
    reason = outcome.reason
    if outcome.witness is not None:
        w = outcome.witness
        reason += f": {w.operation} from {w.sender} to {', '.join(w.recipients)}"
    quirks: set[str] = set()
    if outcome.verdict == PROVEN:
        quirks.update(q for kind in Session(inputs, 0).allowed_kinds() for q in kind_quirks(*kind))
    return [Promise(f"every possible send: {name}", outcome.verdict, reason, tuple(sorted(quirks)))]
