"""IAM's decision over a symbolic request, statement by statement.

This is `seslint.evaluate.engine.decide` with symbolic resource and context: the same compiled
policies (`CompiledPolicy`, so Action/NotAction and Principal matching are the evaluator's own,
done concretely), the same decision table, and Resource/NotResource and conditions as z3
formulas. One deliberate difference, from the IAM User Guide ("Policy variables with no value"):
a variable with no value makes its Resource entry match nothing and its condition value match
nothing (a negated operator then holds), instead of voiding the statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from seslint.core import variables as V
from seslint.evaluate.matching import ACCOUNT, DIRECT, ROLE, Caller, CompiledPolicy
from seslint.prove.conditions import condition
from seslint.prove.strings import (
    FALSE,
    TRUE,
    B,
    NoValue,
    Unknown,
    all_,
    any_,
    match,
    not_,
    prefix_matches,
    resolve,
    split_arn,
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

    def document(self, cp: CompiledPolicy):
        return self.documents[id(cp)]

    def all_policies(self) -> list[CompiledPolicy]:
        return (self.identity + ([self.boundary] if self.boundary else []) + self.session
                + [cp for _, cps in self.scps for cp in cps] + [cp for _, cp in self.resources])

    def resources_for(self, arn: str) -> list[CompiledPolicy]:
        return [cp for at, cp in self.resources if at is None or at == arn]


@dataclass
class SymRequest:
    """One IAM request: a concrete action, an ARN `prefix` (first five segments, with the colon)
    and a symbolic resource part, and the symbolic context."""

    action: str
    prefix: str
    suffix: Any
    ctx: Any
    on_identity: bool


def applies(cs, policy, req: SymRequest):
    """z3 Bool: the statement (whose action matched) applies to the request."""
    variables = policy.variables_enabled
    where = f"{policy.source} at {cs.stmt.pointer}"
    parts = []
    raw = cs.stmt.resources if cs.stmt.resources is not None else cs.stmt.not_resources
    if raw is not None:
        hits = [_resource(text, variables, req, where) for text in raw]
        hit = any_(hits)
        parts.append(not_(hit) if cs.not_resource else hit)
    parts += [condition(cc, req.ctx, variables) for cc in cs.conditions]
    return all_(parts)


def _resource(text: str, variables: bool, req: SymRequest, where: str):
    parts = V.parse_template(text, variables, True)
    if parts == (V.ANY,):
        return TRUE
    split = split_arn(parts)
    if split is None:
        return FALSE
    head, tail = (resolve(p, req.ctx.var) for p in split)
    if isinstance(head, NoValue) or isinstance(tail, NoValue):
        return FALSE
    if any(isinstance(p, tuple) for p in head):
        raise Unknown(f"resource '{text}' ({where}) has a policy variable before the resource part")
    if not prefix_matches(head, req.prefix):
        return FALSE
    return B(match(req.suffix, tail, "glob", f"resource '{text}' ({where})"))


def decide(inputs: Inputs, req: SymRequest):
    """z3 Bool: the request is allowed (the table of seslint.evaluate.engine.decide)."""
    caller = inputs.caller
    if caller.kind == "service":
        raise Unknown("service principals are not modelled")
    has_boundary = inputs.boundary is not None
    denies: list = []

    def allows(cps, guards=None):
        out: dict = {}
        for i, cp in enumerate(cps):
            guard = guards[i] if guards else None
            for cs in cp.statements_for(req.action):
                grant = DIRECT
                if cp.kind == "resource":
                    grant = cs.principal_grant(caller, has_boundary)
                    if grant is None:
                        continue
                key = (cs, req.prefix, req.suffix, id(req.ctx))
                f = req.ctx.send.applies.get(key)
                if f is None:
                    f = req.ctx.send.applies[key] = applies(cs, cp.policy, req)
                if guard is not None:
                    f = all_([guard, f])
                if cs.deny:
                    denies.append(f)
                else:
                    out.setdefault(grant, []).append(f)
        return out

    scp_ok = all_(any_(allows(cps).get(DIRECT, [])) for _, cps in inputs.scps)
    attached = inputs.resources if req.on_identity else []
    granted = allows([cp for _, cp in attached], [_attached(at, req) for at, _ in attached])
    direct, role, account = (any_(granted.get(g, [])) for g in (DIRECT, ROLE, ACCOUNT))
    identity = any_(allows(inputs.identity).get(DIRECT, []))
    boundary = any_(allows([inputs.boundary]).get(DIRECT, [])) if has_boundary else None
    session = any_(allows(inputs.session).get(DIRECT, [])) if inputs.session else None
    is_root = caller.kind == "root"
    boundary_ok = TRUE if is_root or boundary is None else boundary
    session_ok = TRUE if is_root or session is None else session
    identity_ok = TRUE if is_root else identity
    same_account = caller.account is None or caller.account == inputs.account
    if same_account:
        core = any_([direct, all_([boundary_ok, session_ok, any_([role, identity_ok])])])
    else:
        core = all_([any_([direct, role, account]), boundary_ok, session_ok, identity_ok])
    return all_([not_(any_(denies)), scp_ok, core])


def _attached(at: str | None, req: SymRequest):
    """z3 Bool: the request's resource is the identity a sending authorization policy is attached to."""
    if at is None:
        return TRUE
    if not at.startswith(req.prefix):
        return FALSE
    return B(match(req.suffix, (at[len(req.prefix):],), "exact", "sending authorization policy"))


def build_inputs(identity_policies, *, account: str, region: str = "us-east-1", principal_arn: str | None = None,
                 permission_boundary=None, session_policies=(), scps=None, resource_policies=None) -> Inputs:
    """Compile policies (dicts or `sending.PolicyDoc`) the way `can_send` does. `resource_policies`
    maps an identity ARN (None: any identity) to its sending authorization policies; `scps` is a list
    of (level, [policies]) from the root down."""
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
        caller, account, region, documents=documents,
        identity=[compiled(p, "identity", f"<identity policy {i + 1}>") for i, p in enumerate(identity_policies)],
        boundary=compiled(permission_boundary, "boundary", "<permission boundary>") if permission_boundary else None,
        session=[compiled(p, "session", f"<session policy {i + 1}>") for i, p in enumerate(session_policies)],
        scps=[(level, [compiled(p, "scp", f"<scp {level} {k + 1}>") for k, p in enumerate(ps)])
              for level, ps in (scps or [])],
        resources=[(at, compiled(p, "resource", f"<sending authorization policy {k + 1}>"))
                   for at, ps in (resource_policies or {}).items() for k, p in enumerate(ps)])
