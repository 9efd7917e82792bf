"""can-send: every IAM request SES makes for one send (the send model, sendmodel.py), each evaluated.

The send is allowed when every request made always is allowed and, for each group of identity
alternatives (the sender's identity; in the sandbox, each recipient's), the requests of at
least one alternative are: offline seslint cannot know which identity is verified, so it says
for which ones the answer holds. A request whose context keys the sources disagree on is
evaluated both ways; when the two readings give different answers, the send is `unknown`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from seslint.core.arn import identity_policy_applies
from seslint.evaluate.engine import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Policies,
    Result,
    decide,
)
from seslint.evaluate.matching import Caller, Request
from seslint.evaluate.scenario import PolicyCache
from seslint.names import in_policies
from seslint.policy import PolicyDoc
from seslint.scope import Scope
from seslint.sendmodel import (
    APIS,
    CONTENTS,
    Alternative,
    Plan,
    PlannedRequest,
    Send,
    partition_of,
    plan,
)

__all__ = ["APIS", "CONTENTS", "PolicyDoc", "Send", "SendRequest", "SendResult", "can_send", "check_send",
           "partition_of", "plan"]
UNKNOWN = "unknown"
_IDENTITY_ROLES = ("address identity", "domain identity", "return-path identity")


@dataclass
class SendRequest:
    planned: PlannedRequest
    result: Result                    # the primary reading: uncertain keys absent
    readings: dict = field(default_factory=dict)   # frozenset of uncertain keys present -> Result
    cross_account: bool = False

    action = property(lambda self: self.planned.action)
    resource = property(lambda self: self.planned.resource)
    role = property(lambda self: self.planned.role)
    context = property(lambda self: self.planned.context)
    alternative = property(lambda self: self.planned.alternative)

    def allowed(self, world: frozenset = frozenset()) -> bool:
        return self.readings.get(frozenset(world & self.planned.uncertain.keys()), self.result).decision == ALLOWED

    @property
    def undecided(self) -> bool:
        return len({r.decision == ALLOWED for r in self.readings.values()} | {self.result.allowed}) > 1

    def to_json(self) -> dict:
        out = self.result.to_json()
        del out["id"]
        out.update({"action": self.action, "resource": self.resource, "checks": self.role, "context": self.context})
        if self.alternative is not None:
            out["alternative"] = self.alternative.to_json()
        if self.readings:
            out["uncertain"] = {"keys": self.planned.uncertain,
                                "readings": [{"present": sorted(keys), "decision": r.decision}
                                             for keys, r in sorted(self.readings.items(), key=lambda x: sorted(x[0]))]}
        return out


@dataclass
class SendResult:
    """The requests one send makes and the answer over the identity alternatives."""

    operation: str
    plan: Plan
    requests: list[SendRequest] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    names: list = field(default_factory=list)       # actions and keys SES does not know (seslint.names)
    scope: Scope | None = None    # where the inputs chose the account and region
    advised: list | None = None   # seslint.advice.Advice items, when asked for (else the one-line advice)
    send: Send | None = None      # the send evaluated

    def _of(self, alt: Alternative | None, reading: str | None = None) -> list[SendRequest]:
        """The requests of `alt` that SES makes in `reading` (None: in any reading)."""
        return [r for r in self.requests
                if r.alternative == alt and (reading is None or r.planned.reading in (None, reading))]

    def alternative_ok(self, alt: Alternative, world: tuple = (frozenset(), None)) -> bool:
        return all(r.allowed(world[0]) for r in self._of(alt, world[1]))

    def worlds(self) -> list[tuple[frozenset, str | None]]:
        """Every reading of what the sources leave open, one for the whole send: each uncertain key absent
        or present, and each reading of a disputed operation mapping."""
        keys = sorted({k for r in self.requests for k in r.planned.uncertain})
        return [(frozenset(k for i, k in enumerate(keys) if n >> i & 1), reading)
                for reading in self.plan.readings or (None,) for n in range(2 ** len(keys))]

    def _allowed_in(self, world: tuple) -> bool:
        return (all(r.allowed(world[0]) for r in self._of(None, world[1]))
                and all(any(self.alternative_ok(a, world) for a in alts) for _, alts in self.plan.groups))

    @property
    def decision(self) -> str:
        worlds = self.worlds()
        primary = self._allowed_in(worlds[0])
        if any(self._allowed_in(world) != primary for world in worlds[1:]):
            return UNKNOWN
        if primary:
            return ALLOWED
        return EXPLICIT_DENY if any(r.result.decision == EXPLICIT_DENY for r in self.blocking) else IMPLICIT_DENY

    def readings_answer(self) -> list[str]:
        """Per reading of a disputed mapping, when they answer differently: whether the send goes through."""
        readings = self.plan.readings
        answers = [(reading, self._allowed_in((frozenset(), reading))) for reading in readings]
        if len({ok for _, ok in answers}) < 2:
            return []
        return [f"{'allowed' if ok else 'denied'} if SES checks {reading}" for reading, ok in answers]

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED

    @property
    def blocking(self) -> list[SendRequest]:
        """The denied requests that stop the send: always-made ones, and those of groups where
        no alternative is allowed."""
        out = [r for r in self._of(None) if not r.allowed()]
        for _, alts in self.plan.groups:
            if not any(self.alternative_ok(a) for a in alts):
                out += [r for a in alts for r in self._of(a) if not r.allowed()]
        return out

    @property
    def denied(self) -> list[SendRequest]:
        return [r for r in self.requests if not r.allowed()]

    def holds_for(self) -> list[str]:
        """Per group with several alternatives and mixed answers: for which identity it holds."""
        out = []
        for _, alts in self.plan.groups:
            answers = [(self.alternative_ok(a), a) for a in alts]
            if len(alts) > 1 and len({ok for ok, _ in answers}) > 1:
                out.append("; ".join(f"{'allowed' if ok else 'denied'} if {a.condition}" for ok, a in answers))
        return out

    def advice(self) -> list[str]:
        """What to change so the blocking requests are allowed, one line each."""
        out = []
        for r in self.blocking:
            where = f"if {r.alternative.condition}: " if r.alternative and len(self.group_of(r.alternative)) > 1 else ""
            head = f"{where}{r.action} on {r.resource}"
            res = r.result
            typos = [u for u in self.names if r.action in u.governs]
            out += [f"{head}: fix {u.describe()}" for u in typos]
            if res.decision == EXPLICIT_DENY:
                out += [f"{head}: remove or narrow the Deny in {h.describe()}" for h in res.deciding]
                continue
            if any(u.effect == "Allow" for u in typos):
                continue    # the Allow meant for it is there, misspelt: fixing it is the change
            near = near_misses(r)
            out += [f"{head}: {m}" for m in near]
            for kind in res.missing:
                if near and kind == "identity":
                    continue
                line = _add(kind, r)
                if line:
                    out.append(f"{head}: {line}")
        return list(dict.fromkeys(out))

    def group_of(self, alt: Alternative):
        return next(alts for name, alts in self.plan.groups if name == alt.group)

    def to_json(self) -> dict:
        alternatives = [dict(a.to_json(), decision=ALLOWED if self.alternative_ok(a) else "denied")
                        for _, alts in self.plan.groups for a in alts]
        out = {"operation": self.operation, "allowed": self.allowed, "decision": self.decision,
               "requests": [r.to_json() for r in self.requests], "alternatives": alternatives,
               "holds_for": self.holds_for(), "notes": self.notes, "warnings": [u.describe() for u in self.names],
               "advice": [a.to_json() for a in self.advised] if self.advised is not None
               else [{"summary": line} for line in self.advice()]}
        if self.scope is not None:
            out["scope"] = self.scope.to_json()
        return out


def _add(kind: str, r: SendRequest) -> str | None:
    statement = f'{{"Effect": "Allow", "Action": "{r.action}", "Resource": "{r.resource}"}}'
    identity_arn = r.role in _IDENTITY_ROLES
    if kind == "identity":
        extra = (" (or, optionally, let the identity's sending authorization policy name this principal)"
                 if identity_arn and not r.cross_account else "")
        return f"add to an identity-based policy: {statement}{extra}"
    if kind == "resource":
        if not r.cross_account:
            return None  # same account: the identity-based policy alone is enough (advice above)
        return (f"the identity owner's sending authorization policy must allow this principal: {statement} "
                "with a Principal naming it")
    return {"boundary": f"the permissions boundary must also allow it: {statement}",
            "session": f"a session policy must also allow it: {statement}",
            "scp": "every service control policy level must allow it (ask your organization admin)"}[kind]


def near_misses(r: SendRequest) -> list[str]:
    """Allow statements that matched the action and resource but not their conditions."""
    out = []
    for policy in r.result.trace or []:
        for st in policy["statements"]:
            if st["effect"] != "Allow" or st["applies"] or not st.get("resource"):
                continue
            failed = [c for c in st.get("conditions", []) if not c["holds"]]
            name = f"Sid '{st['sid']}'" if st["sid"] else "statement"
            where = f"{policy['file']} at {st['pointer']}"
            if failed:
                c = failed[0]
                out.append(f"{name} ({where}) matches but its condition {c['operator']} on {c['key']} "
                           f"{_values(c['policy_values'])} fails for {_values(c['request_value'])}")
            elif st.get("note"):
                out.append(f"{name} ({where}): {st['note']}")
    return out


def _values(v) -> str:
    return json.dumps(v, ensure_ascii=False)


def can_send(identity_policies, *, sender: str, account: str, principal_arn: str | None = None,
             permission_boundary=None, resource_policies: dict | None = None, scps=None, session_policies=(),
             explain: bool = True, cache: PolicyCache | None = None, **send) -> SendResult:
    """Evaluate every IAM request SES makes for this send (`send` takes the fields of `Send`).

    Policies are dicts or PolicyDoc. `resource_policies` maps an identity ARN, an identity name
    (e.g. "example.com") or "*" (any identity the sender uses) to its sending-authorization
    policies; `scps` is a list of (level, [policies]) from the root down. Pass one `cache` to
    many calls with the same policies to compile them once.
    """
    for key in ("to", "cc", "bcc"):
        if key in send:
            send[key] = tuple(send[key])
    send["tracking"] = tuple(send.get("tracking") or ())
    return check_send(Send(sender=sender, account=account, **send), identity_policies, principal_arn=principal_arn,
                      permission_boundary=permission_boundary, resource_policies=resource_policies, scps=scps,
                      session_policies=session_policies, explain=explain, cache=cache)


def check_send(send: Send, identity_policies, *, principal_arn: str | None = None, permission_boundary=None,
               resource_policies: dict | None = None, scps=None, session_policies=(), explain: bool = True,
               cache: PolicyCache | None = None) -> SendResult:
    """`can_send` for a `Send`; a send whose time is not given (`at`) is made now."""
    if send.at is None:
        send = replace(send, at=datetime.now(timezone.utc))
    the_plan = plan(send)
    cache = cache or PolicyCache()

    def compiled(p, kind, label):
        doc = p if isinstance(p, PolicyDoc) else PolicyDoc(p, label)
        return cache.get(doc.value, doc.source, doc.pointer, kind)

    identity = [compiled(p, "identity", f"<identity policy {i + 1}>") for i, p in enumerate(identity_policies)]
    boundary = compiled(permission_boundary, "boundary", "<permission boundary>") if permission_boundary else None
    session = [compiled(p, "session", f"<session policy {i + 1}>") for i, p in enumerate(session_policies)]
    scp_levels = [(level, [compiled(p, "scp", f"<scp {level} {k + 1}>") for k, p in enumerate(ps)])
                  for level, ps in (scps or [])]
    by_identity = {}
    for name, ps in (resource_policies or {}).items():
        by_identity[name] = [compiled(p, "resource", f"<sending authorization policy of {name} {k + 1}>")
                             for k, p in enumerate(ps if isinstance(ps, (list, tuple)) else [ps])]
    caller = Caller.from_arn(principal_arn) if principal_arn else Caller(account=send.account)
    defaults = {k: v for k, v in caller.context_defaults().items() if v is not None}
    every = identity + ([boundary] if boundary else []) + session + [cp for _, cps in scp_levels for cp in cps]
    result = SendResult(the_plan.operation, the_plan, notes=list(the_plan.notes), send=send,
                        names=in_policies(cp.policy for cp in every + [cp for cps in by_identity.values() for cp in cps]))
    for planned in the_plan.requests:
        arn = planned.resource
        resources = []
        if ":identity/" in arn:
            resources = [cp for at, cps in by_identity.items() for cp in cps
                         if identity_policy_applies(None if at == "*" else at, arn, planned.role in _IDENTITY_ROLES)]
        policies = Policies(identity=identity, boundary=boundary, session=session, scps=scp_levels,
                            resources=resources)

        primary = _decide(policies, caller, planned, planned.context, defaults, explain)
        keys = sorted(planned.uncertain)
        readings = {}
        for n in range(1, 2 ** len(keys)):
            present = frozenset(k for i, k in enumerate(keys) if n >> i & 1)
            context = {**planned.context, **{k: planned.uncertain[k] for k in present}}
            readings[present] = _decide(policies, caller, planned, context, defaults, explain)
        account = arn.split(":")[4] if arn.count(":") >= 5 else None
        cross = bool(account and caller.account and account != caller.account)
        result.requests.append(SendRequest(planned, primary, readings, cross))
    if result.decision == UNKNOWN:
        keys = sorted({k for r in result.requests if r.undecided for k in r.planned.uncertain})
        if keys:
            result.notes.append(f"the answer depends on {', '.join(keys)}, which the sources disagree on for "
                                "this send: seslint cannot decide it")
        if by_reading := result.readings_answer():
            result.notes.append(f"the answer depends on which requests SES makes for {the_plan.operation} "
                                f"(quirk {the_plan.disputed}): {'; '.join(by_reading)}")
    return result


def check_send_in(send: Send, identity_policies, *, account: str | None = None, region: str | None = None,
                  principal_arn: str | None = None, **kwargs) -> SendResult:
    """`check_send` in the scope the inputs give (`seslint.scope`): without `account` (and a principal) and
    `region`, each (account, region) class the policies tell apart. The answer is the send's where it goes
    through (the first such class), else in the first class; the notes say where the answers differ and
    which part of the scope fell back to a default."""
    import dataclasses

    from seslint.policy import read_policy
    from seslint.scope import scope

    docs = [p if isinstance(p, PolicyDoc) else PolicyDoc(p) for p in identity_policies]
    others = [kwargs.get("permission_boundary"), *kwargs.get("session_policies", ()),
              *[p for _, ps in kwargs.get("scps") or () for p in ps],
              *[p for ps in (kwargs.get("resource_policies") or {}).values()
                for p in (ps if isinstance(ps, (list, tuple)) else [ps])]]
    policies = [read_policy(d.value, d.source, d.pointer) for d in docs + [o if isinstance(o, PolicyDoc) else PolicyDoc(o)
                                                                            for o in others if o is not None]]
    principal_account = principal_arn.split(":")[4] if principal_arn and principal_arn.count(":") >= 5 else None
    asked = scope(policies, account=account or principal_account, region=region)
    results = [(a, r, check_send(dataclasses.replace(send, account=a, region=r), identity_policies,
                                 principal_arn=principal_arn, **kwargs)) for a, r in asked.pairs]
    chosen = next((x for x in results if x[2].allowed), results[0])[2]
    if len({x[2].decision for x in results}) > 1:
        chosen.notes.append("the answer depends on the account and region: " + "; ".join(
            f"{x[2].decision} in {asked.label(x[1])}" + (f" (account {x[0]})" if len(asked.accounts) > 1 else "")
            for x in results) + " (give --region, --account)")
    if note := asked.note():
        chosen.notes.append(note)
    chosen.scope = asked
    return chosen


def _decide(policies: Policies, caller: Caller, planned: PlannedRequest, context: dict, defaults: dict,
            explain: bool) -> Result:
    ctx = {k.lower(): v for k, v in context.items()}
    for key, value in defaults.items():
        ctx.setdefault(key, value)
    return decide(policies, caller, Request(planned.action, planned.resource, ctx, {k.lower(): k for k in context}),
                  explain=explain)
