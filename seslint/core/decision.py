"""IAM's decision for one request, written once: which policies must allow, and what an explicit deny
overrides. The evaluator runs it over concrete truth values (`seslint.evaluate.engine`), the prover over
z3 terms (`seslint.prove.decision`); see `seslint.core.logic`.

Sources, IAM User Guide: "Policy evaluation logic" and "How AWS enforcement code logic evaluates
requests to allow or deny access"; "Cross-account policy evaluation logic"; "Service control policies
(SCPs)"; "Permissions boundaries for IAM entities"; "Session policies".

1. An explicit Deny in any applicable policy (SCP, resource-based, identity-based, boundary,
   session) decides: explicitDeny.
2. Each SCP level from the root down to the account must allow (not for service principals).
3. Same account: a resource-based policy that names the caller directly (user ARN, role session ARN,
   federated user, "*") allows on its own: implicit denies in boundaries and session policies do not
   limit it. One that names the role ARN allows when the boundary and the session policies (if any)
   allow too. Naming only the account delegates to the account's identity-based policies.
4. Otherwise the identity side must allow: the boundary (if any), the session policies (if any; they
   form one set) and an identity-based policy. The account root user needs no identity-based policy.
5. Cross account: the resource-based policy must allow AND the identity side must allow.
6. A service principal is allowed by a resource-based policy alone (no SCP, no identity side).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from seslint.core.logic import Logic

# How a resource-based policy names the caller; stronger grants first.
DIRECT, ROLE, ACCOUNT = "direct", "role", "account"


# Applies and Decision are built for every request: their own __init__ (init=False) is compiled by the
# compiled build, where a dataclass-made one would run interpreted (see seslint.policy).

@dataclass(init=False)
class Applies:
    """Whether each statement whose action matched applies to the request, by policy group: each entry
    a truth value of the logic. `boundary` and `session` are None when there is no such policy."""

    denies: list[Any]
    scp_levels: list[list[Any]]     # per SCP level, from the root down: its Allow statements
    resource: dict[str, list[Any]]  # grant (DIRECT, ROLE, ACCOUNT) -> Allow statements of resource-based policies
    identity: list[Any]
    boundary: list[Any] | None
    session: list[Any] | None

    def __init__(self, denies: list[Any], scp_levels: list[list[Any]], resource: dict[str, list[Any]],
                 identity: list[Any], boundary: list[Any] | None, session: list[Any] | None):
        self.denies, self.scp_levels, self.resource, self.identity = denies, scp_levels, resource, identity
        self.boundary, self.session = boundary, session


@dataclass(init=False)
class Decision:
    """The parts of the decision, each a truth value, so that callers can say which one decided."""

    deny: Any
    scp_levels: list[Any]
    direct: Any          # a resource-based policy names the caller directly,
    role: Any            # names its role,
    account: Any         # or names only its account
    boundary_ok: Any
    session_ok: Any
    identity_ok: Any
    allowed: Any

    def __init__(self, deny: Any, scp_levels: list[Any], direct: Any, role: Any, account: Any, boundary_ok: Any,
                 session_ok: Any, identity_ok: Any, allowed: Any):
        self.deny, self.scp_levels, self.direct, self.role, self.account = deny, scp_levels, direct, role, account
        self.boundary_ok, self.session_ok, self.identity_ok, self.allowed = boundary_ok, session_ok, identity_ok, allowed

    @property
    def grant(self) -> str | None:
        """The strongest way a resource-based policy names the caller, when one surely does."""
        return DIRECT if self.direct is True else ROLE if self.role is True else ACCOUNT if self.account is True \
            else None


def decide(logic: Logic, applies: Applies, *, caller_kind: str, same_account: bool) -> Decision:
    """The decision table above, over `logic`."""
    L = logic
    deny = L.any(applies.denies)
    resource = applies.resource
    direct, role = L.any(resource.get(DIRECT, ())), L.any(resource.get(ROLE, ()))
    account = L.any(resource.get(ACCOUNT, ()))
    if caller_kind == "service":
        allowed = L.all([L.not_(deny), L.any([direct, role, account])])
        return Decision(deny, [], direct, role, account, L.true, L.true, L.true, allowed)
    levels = [L.any(level) for level in applies.scp_levels]
    is_root = caller_kind == "root"
    boundary_ok = L.true if is_root or applies.boundary is None else L.any(applies.boundary)
    session_ok = L.true if is_root or applies.session is None else L.any(applies.session)
    identity_ok = L.true if is_root else L.any(applies.identity)
    if same_account:
        core = L.any([direct, L.all([boundary_ok, session_ok, L.any([role, identity_ok])])])
    else:
        core = L.all([L.any([direct, role, account]), boundary_ok, session_ok, identity_ok])
    allowed = L.all([L.not_(deny), *levels, core])
    return Decision(deny, levels, direct, role, account, boundary_ok, session_ok, identity_ok, allowed)
