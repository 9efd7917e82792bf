"""IAM's decision over a symbolic request, statement by statement.

The evaluator's decision with symbolic resource and context: the same compiled policies
(`CompiledPolicy`, so Action/NotAction and Principal matching are the evaluator's own, done
concretely), the one decision table (`seslint.core.decision`) and the one set of condition modifiers
(`seslint.core.operators.condition_holds`) over z3 terms, and Resource/NotResource as z3 formulas.
A variable with no value makes its Resource entry match nothing and its condition value match
nothing, a negated operator then holding (IAM User Guide, "Policy variables with no value").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from seslint.core import variables as V
from seslint.core.arn import identity_policy_applies
from seslint.core.decision import DIRECT, Applies, decide as table
from seslint.evaluate.matching import Caller, CompiledPolicy
from seslint.prove.conditions import condition
from seslint.prove.strings import (
    FALSE,
    MULTIVALUED,
    TRUE,
    Z3,
    B,
    NoValue,
    Unknown,
    all_,
    any_,
    arn_quotient,
    match,
    not_,
    resolve,
)


@dataclass
class Inputs:
    """Everything that may apply to the principal's requests, compiled once."""

    caller: Caller
    account: str
    region: str
    identity: list[CompiledPolicy] = field(default_factory=list)
    boundary: CompiledPolicy | None = None
    session: list[CompiledPolicy] = field(default_factory=list)
    scps: list[tuple[str, list[CompiledPolicy]]] = field(default_factory=list)
    # Sending authorization policies: (identity ARN they are attached to, or None for any identity, policy).
    resources: list[tuple[str | None, CompiledPolicy]] = field(default_factory=list)
    documents: dict = field(default_factory=dict)    # id(compiled policy) -> its JSON document
    when: Any = None    # the datetime every send is made at (aws:CurrentTime, aws:EpochTime); None: any time

    def document(self, cp: CompiledPolicy):
        return self.documents[id(cp)]

    def all_policies(self) -> list[CompiledPolicy]:
        return (self.identity + ([self.boundary] if self.boundary else []) + self.session
                + [cp for _, cps in self.scps for cp in cps] + [cp for _, cp in self.resources])

    def resources_for(self, arn: str) -> list[CompiledPolicy]:
        """The sending-authorization policies that apply to a request on the sender's identity `arn`."""
        return [cp for at, cp in self.resources if identity_policy_applies(at, arn, True)]


@dataclass
class SymRequest:
    """One IAM request: a concrete action, an ARN `prefix` (first five segments, with the colon)
    and a symbolic resource part, the symbolic context, and the resource's account (None: the caller's)."""

    action: str
    prefix: str
    suffix: Any
    ctx: Any
    on_identity: bool
    account: str | None


def applies_to(cs, policy, req: SymRequest):
    """z3 Bool: the statement (whose action matched) applies to the request."""
    variables = policy.variables_enabled
    where = f"{policy.source} at {cs.stmt.pointer}"
    parts = []
    raw = cs.stmt.resources if cs.stmt.resources is not None else cs.stmt.not_resources
    if raw is not None:
        hits = [_resource(text, variables, req, where) for text in raw]
        hit = any_(hits)
        parts.append(not_(hit) if cs.not_resource else hit)
        if parts[-1] is FALSE:
            return FALSE   # not on this resource: whatever its conditions say
    parts += [_condition(cc, req.ctx, variables) for cc in cs.conditions]
    return all_(parts)


def _condition(cc, ctx, variables: bool):
    """`condition`, once per symbolic value of the key when the condition names no policy variable."""
    val = ctx.get(cc.key)
    if val.kind == "concrete" or cc.templates is not None:   # templates: its values hold policy variables
        return condition(cc, ctx, variables)
    key = (id(cc), id(val))
    found = ctx.send.conditions.get(key)
    if found is None:
        found = ctx.send.conditions[key] = condition(cc, ctx, variables)
    return found


def _resource(text: str, variables: bool, req: SymRequest, where: str):
    parts = V.parse_template(text, variables, True, True)
    if parts == (V.ANY,):
        return TRUE
    if V.has_variables(parts):
        return _matched(parts, text, req, where)
    key = (text, req.prefix, req.suffix)   # no policy variable: the same in every context of the send
    found = req.ctx.send.resources.get(key)
    if found is None:
        found = req.ctx.send.resources[key] = _matched(parts, text, req, where)
    return found


def _matched(parts: tuple, text: str, req: SymRequest, where: str):
    resolved = resolve(parts, req.ctx.var)
    what = f"resource '{text}' ({where})"
    if resolved is MULTIVALUED:
        return Z3.undefined(f"a policy variable in {what} names a multivalued key")
    if isinstance(resolved, NoValue):
        return FALSE   # "will not match any resource" ("Policy variables with no value")
    rests = arn_quotient(resolved, req.prefix, what)
    if not isinstance(req.suffix, str) and ":" not in req.suffix.pre:
        # A send's resource part holds no colon (`prove.sends`: names and addresses cannot): what is
        # left of a pattern with one matches nothing. Most such rests come from `*` crossing colons.
        rests = [r for r in rests if not any(isinstance(p, str) and ":" in p for p in r)]
    return any_(B(match(req.suffix, rest, "glob", what)) for rest in rests)


def decide(inputs: Inputs, req: SymRequest):
    """z3 Bool: the request is allowed (the decision table of seslint.core.decision, over z3)."""
    caller = inputs.caller
    if caller.kind == "service":
        raise Unknown("service principals are not modelled")
    has_boundary = inputs.boundary is not None
    same_account = caller.account is None or req.account is None or caller.account == req.account
    applies = Applies([], [[] for _ in inputs.scps], {}, [], [] if has_boundary else None,
                      [] if inputs.session else None)

    def collect(cps, into, guards=None):
        for i, cp in enumerate(cps):
            for cs in cp.statements_for(req.action):
                grant = DIRECT
                if cp.kind == "resource":
                    grant = cs.principal_grant(caller, has_boundary, same_account)
                    if grant is None:
                        continue
                key = (cs, req.prefix, req.suffix, id(req.ctx))
                f = req.ctx.send.applies.get(key)
                if f is None:
                    f = req.ctx.send.applies[key] = applies_to(cs, cp.policy, req)
                if guards is not None:
                    f = all_([guards[i], f])
                (applies.denies if cs.deny else into(grant)).append(f)

    for level, (_, cps) in zip(applies.scp_levels, inputs.scps, strict=True):
        collect(cps, lambda _, level=level: level)
    attached = inputs.resources if req.on_identity else []
    collect([cp for _, cp in attached], lambda grant: applies.resource.setdefault(grant, []),
            [_attached(at, req) for at, _ in attached])
    collect(inputs.identity, lambda _: applies.identity)
    if has_boundary:
        collect([inputs.boundary], lambda _: applies.boundary)
    collect(inputs.session, lambda _: applies.session)
    return table(Z3, applies, caller_kind=caller.kind, same_account=same_account).allowed


def _attached(at: str | None, req: SymRequest):
    """z3 Bool: a sending authorization policy attached at `at` applies to the request, on the sender's
    identity (`seslint.core.arn.identity_policy_applies` over a symbolic resource)."""
    if at is None:
        return TRUE
    if ":" not in at:   # attached to an identity by name
        return B(match(req.suffix, (f"identity/{at}",), "exact", "sending authorization policy"))
    if not at.startswith(req.prefix):
        return FALSE
    return B(match(req.suffix, (at[len(req.prefix):],), "exact", "sending authorization policy"))


def build_inputs(identity_policies, *, account: str, region: str = "us-east-1", principal_arn: str | None = None,
                 permission_boundary=None, session_policies=(), scps=None, resource_policies=None, when=None) -> Inputs:
    """Compile policies (dicts or `sending.PolicyDoc`) the way `can_send` does. `resource_policies`
    maps an identity ARN (None: any identity) to its sending authorization policies; `scps` is a list
    of (level, [policies]) from the root down; `when` (a datetime) fixes the time of every send."""
    from seslint.evaluate.scenario import PolicyCache
    from seslint.policy import PolicyDoc

    cache = PolicyCache()
    documents: dict = {}

    def compiled(p, kind, label):
        doc = p if isinstance(p, PolicyDoc) else PolicyDoc(p, label)
        found = cache.get(doc.value, doc.source, doc.pointer, kind)
        documents[id(found)] = doc.value
        return found

    caller = Caller.from_arn(principal_arn) if principal_arn else Caller(account=account)
    return Inputs(
        caller, account, region, documents=documents, when=when,
        identity=[compiled(p, "identity", f"<identity policy {i + 1}>") for i, p in enumerate(identity_policies)],
        boundary=compiled(permission_boundary, "boundary", "<permission boundary>") if permission_boundary else None,
        session=[compiled(p, "session", f"<session policy {i + 1}>") for i, p in enumerate(session_policies)],
        scps=[(level, [compiled(p, "scp", f"<scp {level} {k + 1}>") for k, p in enumerate(ps)])
              for level, ps in (scps or [])],
        resources=[(at, compiled(p, "resource", f"<sending authorization policy {k + 1}>"))
                   for at, ps in (resource_policies or {}).items() for k, p in enumerate(ps)])


def at(inputs: Inputs, account: str, region: str) -> Inputs:
    """The inputs asked in `account` and `region` (`seslint.scope`): a caller with no ARN is in that account."""
    from dataclasses import replace

    caller = inputs.caller if inputs.caller.arn else Caller(account=account)
    return replace(inputs, account=account, region=region, caller=caller)
