"""Concrete witnesses from a z3 model, re-checked by the evaluator."""

from __future__ import annotations

from dataclasses import dataclass, field

import z3

from seslint.core.operators import MISSING
from seslint.prove.conditions import value_text
from seslint.prove.regex import text_of
from seslint.prove.sends import _DOMAIN, _PARENT, ALTERNATIVE_ROLES, CS, DISPLAY, FEEDBACK, FROM, TO, TPL


@dataclass
class Witness:
    """One send (or one request) that a solver found, with every IAM request it makes."""

    api: str
    content: str
    operation: str
    sender: str
    display: str
    recipients: list[str]
    configuration_set: str | None
    template: str | None
    requests: list[dict] = field(default_factory=list)    # {"action", "resource", "role", "context"}
    free_values: dict = field(default_factory=dict)
    identity: str | None = None                           # the identity alternative SES checks
    feedback: str | None = None                           # the feedback (Return-Path) address, if not the From
    reading: str | None = None                            # the reading of a disputed mapping it was found in

    @property
    def main(self) -> dict:
        chosen = [r for r in self.requests if alternative(r) == self.identity]
        return (chosen or self.requests)[0]

    def request_json(self, request: dict | None = None) -> dict:
        r = request or self.main
        return {"action": r["action"], "resource": r["resource"], "context": r["context"]}

    def to_json(self) -> dict:
        from seslint.sendmodel import mailbox

        send = {"api": self.api, "content": self.content, "operation": self.operation,
                "from": mailbox(self.display, self.sender), "to": self.recipients,
                "configuration_set": self.configuration_set, "template": self.template,
                "identity_checked": self.identity}
        if self.feedback is not None:
            send["feedback_address"] = self.feedback
        if self.reading is not None:
            send["reading"] = self.reading
        return {"request": self.request_json(), "send": send,
                "requests": [dict(self.request_json(r), checks=r["role"]) for r in self.requests]}


def alternative(request: dict) -> str:
    """The identity alternative a request belongs to: its role, and for a parent domain which one."""
    return f"{request['role']} {request['alternative']}" if request.get("alternative") else request["role"]


def witness(send, model, plan, single=None) -> Witness:
    """The concrete send of `plan` (a `sends.Kind`; or the one request `single`) in `model`. A request of
    the parent-domain alternative stands for each parent of the From's domain: one per parent."""
    from seslint.sendmodel import identity_candidates

    def text(e) -> str:
        return text_of(model.eval(e, model_completion=True))

    address = text(send.address)
    domain = address.rsplit("@", 1)[1].lower()
    parents = identity_candidates(address)[2:]
    feedback = text(send.feedback)
    n = model.eval(send.recipients.length, model_completion=True).as_long()
    # A repeated address changes no decision (the key is a set to IAM); the evaluator re-checks the
    # shorter list anyway.
    recipients = list(dict.fromkeys(text(x.var) for x in send.recipients.items[:n]))
    has_cs = z3.is_true(model.eval(send.has_cs, model_completion=True))
    cs, template = text(send.cs), text(send.template)
    free = {}
    for key, val in sorted(send.free.items()):
        value = value_text(val, model)
        if value is not MISSING:
            free[send.names.get(key, key)] = value
    display = text(send.display)

    def fill(value, parent=""):
        if value == [TO]:
            return list(recipients)
        if value == DISPLAY:
            return display
        if value == FEEDBACK:
            return feedback
        if isinstance(value, str):
            return (value.replace(FROM, address).replace(CS, cs).replace(TPL, template).replace(_DOMAIN, domain)
                    .replace(_PARENT, parent))
        return value

    if single is not None:
        api, action, arn, role, context = single
        api_content, items, reading = (api, "?"), [(action, arn, role, context)], None
        operation, with_cs = action, True
    else:
        api_content, items, reading = (plan.api, plan.content), plan.requests, plan.reading
        operation, with_cs = plan.operation, plan.with_cs
    requests = []
    for action, arn, role, context in items:
        ctx = {k: fill(v) for k, v in context.items()}
        lowered = {k.lower() for k in ctx}
        ctx.update({k: v for k, v in free.items() if k not in lowered})
        if role == "parent domain identity":
            requests += [{"action": action, "resource": fill(arn, p), "role": role, "alternative": p, "context": ctx}
                         for p in parents]
        else:
            requests.append({"action": action, "resource": fill(arn), "role": role, "context": ctx})
    uses_template = any(":template/" in r["resource"] or ":custom-verification-email-template/" in r["resource"]
                        for r in requests)
    uses_feedback = any(v == feedback for r in requests for v in r["context"].values()) and feedback != address
    return Witness(api_content[0], api_content[1], operation, address, display, recipients,
                   cs if with_cs and has_cs else None, template if uses_template else None, requests, free,
                   feedback=feedback if uses_feedback else None, reading=reading)


def decisions(inputs, w: Witness) -> list:
    """The evaluator's Result for each request of the witness (InputError propagates)."""
    from seslint.evaluate.engine import Policies, decide
    from seslint.evaluate.matching import Request

    out = []
    defaults = {k: v for k, v in inputs.caller.context_defaults().items() if v is not None}
    for r in w.requests:
        on_identity = r["role"] in ALTERNATIVE_ROLES
        policies = Policies(identity=inputs.identity, boundary=inputs.boundary, session=inputs.session,
                            scps=inputs.scps, resources=inputs.resources_for(r["resource"]) if on_identity else [])
        ctx = {k.lower(): v for k, v in r["context"].items()}
        for key, value in defaults.items():
            ctx.setdefault(key, value)
        request = Request(r["action"], r["resource"], ctx, {k.lower(): k for k in r["context"]})
        out.append(decide(policies, inputs.caller, request))
    return out


def recheck_send(inputs, w: Witness) -> str | None:
    """None when the evaluator allows the witness send (for one of its identities); else why not.
    Sets `w.identity` to the identity alternative for which it goes through."""
    from seslint.errors import SeslintError

    try:
        results = decisions(inputs, w)
    except SeslintError as exc:
        return str(exc)
    alternatives = [alternative(r) if r["role"] in ALTERNATIVE_ROLES else None for r in w.requests]
    others = all(res.allowed for res, alt in zip(results, alternatives, strict=True) if alt is None)
    for alt in dict.fromkeys(a for a in alternatives if a is not None):
        mine = [res for res, a in zip(results, alternatives, strict=True) if a == alt]
        if others and all(res.allowed for res in mine):
            w.identity = alt
            return None
    if others and all(a is None for a in alternatives):
        return None
    denied = next((res, r) for res, r in zip(results, w.requests, strict=True) if not res.allowed)
    return f"{denied[1]['action']} on {denied[1]['resource']} is {denied[0].decision}: {denied[0].reason}"


def recheck_request(inputs, w: Witness, want: bool) -> str | None:
    """None when the evaluator allows (want=True) or denies (want=False) the one request."""
    from seslint.errors import SeslintError

    try:
        result = decisions(inputs, w)[0]
    except SeslintError as exc:
        return str(exc)
    w.identity = w.requests[0]["role"]
    if result.allowed == want:
        return None
    return f"{'allowed' if result.allowed else result.decision}, expected {'allowed' if want else 'denied'}"
