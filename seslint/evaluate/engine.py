"""The evaluator: IAM's decision for one concrete request, with the statements behind it.

The decision table itself is written once, in `seslint.core.decision` (the prover runs the same
table over z3 terms); here it runs over the statements that apply to a concrete request, and the
result says which part of the table decided. A statement whose applicability IAM leaves undefined
(`seslint.core.logic.UNKNOWN`) enters the table as UNKNOWN: the request is decided when the table's
answer does not depend on it, refused otherwise.

The resource's account is `request.resource_account` when given, else the ARN's 12-digit account;
an ARN without one (S3) or with `aws` (AWS-managed policies) is not taken to be in another account.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from seslint.core.decision import DIRECT, ROLE, Applies, decide as table
from seslint.core.logic import KLEENE, UNKNOWN
from seslint.errors import InputError
from seslint.evaluate.matching import Caller, CompiledPolicy, Request, kind_name

ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY = "allowed", "explicitDeny", "implicitDeny"
#: Compact JSON with sorted keys: the one-line form of batch output (a decision, or an error).
compact_json = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


@dataclass(slots=True, init=False)
class Hit:
    """A statement that applied to the request (shared across requests: never changed once built)."""

    kind: str          # identity, resource, boundary, session, scp
    source: str
    pointer: str
    sid: str | None
    effect: str
    level: str | None
    grant: str | None
    _json: str | None = field(compare=False, repr=False)

    # init=False and this __init__: the compiled build compiles it (see seslint.policy)
    def __init__(self, kind: str, source: str, pointer: str, sid: str | None, effect: str, level: str | None = None,
                 grant: str | None = None):
        self.kind, self.source, self.pointer, self.sid, self.effect = kind, source, pointer, sid, effect
        self.level, self.grant, self._json = level, grant, None

    def to_json(self) -> dict:
        out = {"policy_type": self.kind, "file": self.source, "pointer": self.pointer,
               "sid": self.sid, "effect": self.effect}
        if self.level is not None:
            out["scp_level"] = self.level
        if self.grant is not None:
            out["principal_match"] = self.grant
        return out

    @property
    def json_text(self) -> str:
        """to_json() as compact sorted JSON, built once (hits are shared across requests)."""
        if self._json is None:
            grant = f',"principal_match":{json_text(self.grant)}' if self.grant is not None else ""
            level = f',"scp_level":{json_text(self.level)}' if self.level is not None else ""
            self._json = (f'{{"effect":{json_text(self.effect)},"file":{json_text(self.source)},'
                          f'"pointer":{json_text(self.pointer)},"policy_type":{json_text(self.kind)}{grant}{level},'
                          f'"sid":{json_text(self.sid)}}}')
        return self._json

    def describe(self) -> str:
        name = f"Sid '{self.sid}'" if self.sid else "statement"
        where = f"{self.source} at {self.pointer}" if self.pointer else self.source
        return f"{name} ({where})"


@dataclass(init=False)
class Result:
    """The decision for one request, with the statements behind it and an optional trace."""

    decision: str
    reason: str
    hits: list[Hit]
    trace: list[dict] | None
    id: Any   # Any, not object: see jsondoc.Document.value
    missing: list[str]   # policy types that had no allow

    # init=False and this __init__: the compiled build compiles it (see seslint.policy)
    def __init__(self, decision: str, reason: str, hits: list[Hit] | None = None, trace: list[dict] | None = None,
                 id: Any = None, missing: list[str] | None = None):
        self.decision, self.reason, self.hits, self.trace = decision, reason, [] if hits is None else hits, trace
        self.id, self.missing = id, [] if missing is None else missing

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED

    @property
    def deciding(self) -> list[Hit]:
        """The statements responsible for the decision (denies for explicitDeny, allows otherwise)."""
        want = "Deny" if self.decision == EXPLICIT_DENY else "Allow"
        return [h for h in self.hits if h.effect == want]

    def to_json(self) -> dict:
        out = {"id": self.id, "decision": self.decision, "reason": self.reason,
               "matched": [h.to_json() for h in self.hits]}
        if self.trace is not None:
            out["explain"] = self.trace
        return out

    def json_line(self) -> str:
        """to_json() as compact JSON with sorted keys, on one line (the statements' JSON is built once)."""
        if self.trace is not None:
            return compact_json(self.to_json())
        return (f'{{"decision":{json_text(self.decision)},"id":{json_text(self.id)},"matched":['
                f'{",".join([h.json_text for h in self.hits])}],"reason":{json_text(self.reason)}}}')


def json_text(value) -> str:
    """compact_json(value), without the encoder for what needs no escape: a printable string with no
    quote or backslash (JSON escapes only those and control characters, which are not printable)."""
    if type(value) is str and value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return compact_json(value)


@dataclass(init=False)
class Policies:
    """Every policy that may apply to one request, compiled."""

    identity: list[CompiledPolicy]
    resources: list[CompiledPolicy]   # all apply to the one resource
    boundary: CompiledPolicy | None
    session: list[CompiledPolicy]
    scps: list[tuple[str, list[CompiledPolicy]]]

    # init=False and this __init__: the compiled build compiles it (see seslint.policy)
    def __init__(self, identity: list[CompiledPolicy] | None = None, resources: list[CompiledPolicy] | None = None,
                 boundary: CompiledPolicy | None = None, session: list[CompiledPolicy] | None = None,
                 scps: list[tuple[str, list[CompiledPolicy]]] | None = None):
        self.identity = [] if identity is None else identity
        self.resources = [] if resources is None else resources
        self.boundary = boundary
        self.session = [] if session is None else session
        self.scps = [] if scps is None else scps

    def every(self) -> list[CompiledPolicy]:
        """Every policy, whatever its type."""
        return [*self.identity, *self.resources, *([self.boundary] if self.boundary is not None else []),
                *self.session, *(cp for _, cps in self.scps for cp in cps)]


def evaluate(scenario, explain: bool = False) -> Result:
    """Decide a scenario's request as IAM would (errors name the scenario's source)."""
    try:
        result = decide(scenario.policies, scenario.caller, scenario.request, explain)
    except InputError as exc:
        if exc.source is None:
            exc.source = scenario.source
        raise
    result.id = scenario.id
    return result


def decide(policies: Policies, caller: Caller, request: Request, explain: bool = False) -> Result:
    """Evaluate `request` by `caller` against `policies` (the module's docstring says how)."""
    trace: list[dict] | None = [] if explain else None
    has_boundary = policies.boundary is not None
    is_service = caller.kind == "service"
    resource_account = request.resource_account
    same_account = caller.account is None or resource_account is None or caller.account == resource_account
    pending: list = []   # (group, Hit, refusal) of statements that apply or not, IAM does not say
    groups: dict = {}

    def run(group, cps, level=None):
        found = []
        for cp in cps:
            found += _match_policy(cp, caller, request, has_boundary, same_account, trace, level, pending, group)
        groups[group] = found

    if not is_service:
        for i, (level, cps) in enumerate(policies.scps):
            run(i, cps, level)
    run("resource", policies.resources)
    if not is_service:
        run("identity", policies.identity)
        if policies.boundary:
            run("boundary", [policies.boundary])
        run("session", policies.session)
    if not pending:
        return _table(policies, caller, same_account, groups, trace)
    certain = table(KLEENE, _applies(policies, groups, pending), caller_kind=caller.kind, same_account=same_account)
    if certain.deny is UNKNOWN or certain.allowed is UNKNOWN:
        raise pending[0][2]()
    # The table's answer does not depend on the undefined statements, so the certain statements alone
    # give it too, and name only what surely applied.
    chosen = _table(policies, caller, same_account, groups, trace)
    chosen.reason += " (a condition IAM leaves undefined cannot change this decision)"
    return chosen


def _applies(policies: Policies, groups: dict, pending: list | None = None) -> Applies:
    """The table's input: True for each statement that applied (`groups`: policy group -> hits), UNKNOWN for
    each whose applicability IAM leaves undefined (`pending`: (group, hit, refusal))."""
    denies: list = []
    resource: dict = {}
    by_group: dict = {}
    for group, found in groups.items():
        if group == "resource":
            for hit in found:
                (denies if hit.effect == "Deny" else resource.setdefault(hit.grant, [])).append(True)
        else:
            allows = by_group[group] = []
            for hit in found:
                (denies if hit.effect == "Deny" else allows).append(True)
    for group, hit, _ in pending or ():
        if hit.effect == "Deny":
            denies.append(UNKNOWN)
        elif group == "resource":
            resource.setdefault(hit.grant, []).append(UNKNOWN)
        else:
            by_group.setdefault(group, []).append(UNKNOWN)
    return Applies(denies, [by_group.get(i, []) for i in range(len(policies.scps))], resource,
                   by_group.get("identity", []), by_group.get("boundary", []) if policies.boundary else None,
                   by_group.get("session", []) if policies.session else None)


def _table(policies: Policies, caller: Caller, same_account: bool, groups: dict, trace) -> Result:
    """The decision from the statements that apply, by policy group (SCP level index or type), with the
    part of the table that decided as its reason."""
    hits = [h for found in groups.values() for h in found]
    d = table(KLEENE, _applies(policies, groups), caller_kind=caller.kind, same_account=same_account)

    def result(decision, reason, missing=()):
        return Result(decision, reason, hits, trace, missing=list(missing))

    if d.deny:
        first = next(h for h in hits if h.effect == "Deny")
        return result(EXPLICIT_DENY, f"explicit deny in {kind_name(first.kind)}: {first.describe()}")
    for (level, _), ok in zip(policies.scps, d.scp_levels, strict=False):   # none for a service principal
        if not ok:
            return result(IMPLICIT_DENY, f"no service control policy at level '{level}' allows it", ["scp"])
    grant = d.grant
    if caller.kind == "service":
        if d.allowed:
            return result(ALLOWED, "the resource-based policy allows the service principal")
        return result(IMPLICIT_DENY, "no resource-based policy allows the service principal", ["resource"])
    is_root = caller.kind == "root"
    if same_account:
        if grant == DIRECT:
            return result(ALLOWED, "the resource-based policy names the principal; "
                                   "boundaries and session policies do not limit it")
        if grant == ROLE:
            if d.allowed:
                return result(ALLOWED, "the resource-based policy names the role, and the boundary "
                                       "and session policies allow it")
            return _limit(result, d.boundary_ok, d.session_ok, "the resource-based policy names the role ARN, so ")
        if not d.boundary_ok or not d.session_ok:
            return _limit(result, d.boundary_ok, d.session_ok, "")
        if d.allowed:
            return result(ALLOWED, "the root user has full access in its own account"
                          if is_root and not groups["identity"] else "an identity-based policy allows it")
        missing = ["identity"] if not policies.resources or grant else ["identity", "resource"]
        return result(IMPLICIT_DENY, "no identity-based policy allows it"
                      + (" (the resource-based policy names only the account, which delegates to "
                         "identity-based policies)" if grant else ""), missing)

    if not grant:
        what = "has no resource-based policy" if not policies.resources else "resource-based policy does not allow the principal"
        return result(IMPLICIT_DENY, f"cross-account request: the resource {what}", ["resource"])
    if not d.boundary_ok or not d.session_ok:
        return _limit(result, d.boundary_ok, d.session_ok, "cross-account request: ")
    if not d.allowed:
        return result(IMPLICIT_DENY, "cross-account request: no identity-based policy in the caller's account "
                                     "allows it", ["identity"])
    return result(ALLOWED, "cross-account request: both the resource-based policy and an identity-based "
                           "policy allow it")


def _limit(result, boundary_ok, session_ok, prefix):
    if not boundary_ok:
        return result(IMPLICIT_DENY, f"{prefix}the permissions boundary does not allow it", ["boundary"])
    return result(IMPLICIT_DENY, f"{prefix}no session policy allows it", ["session"])


def _match_policy(cp: CompiledPolicy, caller: Caller, request: Request, has_boundary: bool, same_account: bool,
                  trace: list | None, level: str | None, pending: list, group) -> list[Hit]:
    kind = cp.kind
    out = []
    if trace is None:
        for cs in cp.statements_for(request.action):
            grant = _match_statement(cs, kind, caller, request, has_boundary, same_account, None)
            if grant is not None:
                if type(grant) is tuple:
                    pending.append((group, _hit(cp, cs, level, grant[0]), grant[1]))
                else:
                    out.append(_hit(cp, cs, level, grant))
        return out
    policy = cp.policy
    statements: list[dict] = []
    record = {"policy_type": kind, "file": policy.source, "pointer": policy.pointer, "statements": statements}
    if level is not None:
        record["scp_level"] = level
    trace.append(record)
    for cs in cp.statements:
        steps = {"action": cs.matches_action(request.action)}
        grant = (_match_statement(cs, kind, caller, request, has_boundary, same_account, steps)
                 if steps["action"] else None)
        steps.update({"pointer": cs.stmt.pointer, "sid": cs.stmt.sid, "effect": cs.stmt.effect,
                      "applies": "unknown" if type(grant) is tuple else grant is not None})
        statements.append(steps)
        if type(grant) is tuple:
            pending.append((group, _hit(cp, cs, level, grant[0]), grant[1]))
        elif grant is not None:
            out.append(_hit(cp, cs, level, grant))
    return out


def _hit(cp: CompiledPolicy, cs, level: str | None, grant: str) -> Hit:
    """The Hit for a statement that applied; one object per (statement, level, grant), built once."""
    key = (cs, level, grant)
    found = cp.hits.get(key)
    if found is None:
        stmt = cs.stmt
        found = Hit(cp.kind, cp.policy.source, stmt.pointer, stmt.sid, stmt.effect, level,
                    grant if cp.kind == "resource" else None)
        if len(cp.hits) >= 256:
            cp.hits.clear()
        cp.hits[key] = found
    return found


def _match_statement(cs, kind, caller, request, has_boundary, same_account, steps):
    """For a statement whose action matched: its grant (DIRECT for non-resource policies) when it
    applies, None when not, and (grant, refusal) when IAM leaves it undefined whether it applies."""
    unknown = None
    hit = cs.matches_resource(request.resource, request.context)
    if steps is not None:
        steps["resource"] = hit
    if hit is False:
        return None
    if hit is UNKNOWN:
        unknown = _resource_refusal(cs)
    grant = DIRECT
    if kind == "resource":
        grant = cs.principal_grant(caller, has_boundary, same_account)
        if steps is not None:
            steps["principal"] = grant or False
        if grant is None:
            return None
    for cc in cs.conditions:
        held = cc.holds(request.context, request.names)
        if steps is not None:
            steps.setdefault("conditions", []).append(_condition_step(cc, request, held))
        if held is False:
            return None
        if held is UNKNOWN and unknown is None:
            unknown = _condition_refusal(cc, request.context)
    return grant if unknown is None else (grant, unknown)


def _resource_refusal(cs):
    """The error to raise, if the decision turns out to depend on this statement's Resource."""
    def refusal():
        return InputError("a policy variable in the resource names a multivalued key: IAM does not define the "
                          "result, and the decision depends on it", source=cs.policy.source, pointer=cs.stmt.pointer)
    return refusal


def _condition_refusal(cc, context):
    """The error to raise, if the decision turns out to depend on this condition."""
    def refusal():
        return cc.unknown_error(context)
    return refusal


def _condition_step(cc, request, held) -> dict:
    value = request.context.get(cc.key, "(absent)")
    return {"pointer": cc.cond.pointer, "operator": cc.cond.operator, "key": cc.cond.key,
            "policy_values": list(cc.cond.values), "request_value": value, "holds": held}
