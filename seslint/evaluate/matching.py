"""Compiling a policy once and matching its statements against one request.

Sources ("IAM JSON policy element reference"): Action/NotAction match case-insensitively
with `*` and `?`; Resource/NotResource compare ARNs segment by segment, case-sensitively,
and a request for an action without resource types (resource `*`) is matched only by
`"Resource": "*"`; IAM does not accept wildcards inside a Principal ARN (only `"*"` alone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from seslint.core.arn import account_of, principal
from seslint.core.patterns import any_of, arn_glob
from seslint.errors import InputError
from seslint.evaluate import variables as V
from seslint.evaluate.operators import CompiledCondition
from seslint.jsondoc import join
from seslint.policy import Policy, Statement

# How a resource-based policy names the caller; stronger grants first.
DIRECT, ROLE, ACCOUNT = "direct", "role", "account"
_STRENGTH = {DIRECT: 3, ROLE: 2, ACCOUNT: 1}

_ACCOUNT = re.compile(r"\d{12}")


@dataclass(frozen=True)
class Caller:
    """The principal making the request (scenario field `principal`)."""

    arn: str | None = None
    account: str | None = None
    kind: str = "unknown"          # user, role, session, federated-user, root, service, unknown
    name: str | None = None        # user or role name
    service: str | None = None     # service principal, e.g. ses.amazonaws.com
    federated: str | None = None
    canonical_user: str | None = None
    tags: dict = field(default_factory=dict)
    role_arn: str | None = None    # for a role session: the role's ARN (aws:PrincipalArn)

    @staticmethod
    def from_arn(arn: str, account: str | None = None, **extra) -> Caller:
        p = principal(arn)
        if p is None:
            return Caller(arn=arn, account=account, **extra)
        if account is not None and account != p.account:
            raise ValueError(f"account '{account}' does not match the account in '{arn}'")
        role_arn = extra.pop("role_arn", None)
        if p.kind == "role":
            role_arn = role_arn or arn
        elif p.kind == "assumed-role":
            role_arn = role_arn or f"arn:{p.partition}:iam::{p.account}:role/{p.name}"
        kind = {"assumed-role": "session", "other": "unknown"}.get(p.kind, p.kind)
        return Caller(arn=arn, account=p.account, kind=kind, name=p.name, role_arn=role_arn, **extra)

    def context_defaults(self) -> dict:
        """Global keys IAM puts in every request from this principal (lower-cased names)."""
        out = {}
        if self.kind == "service":
            out["aws:principalservicename"] = self.service
            out["aws:principalisawsservice"] = "true"
            return out
        if self.arn:
            out["aws:principalarn"] = self.role_arn if self.kind in ("session", "role") else self.arn
            out["aws:principalisawsservice"] = "false"
        if self.account:
            out["aws:principalaccount"] = self.account
        if self.kind == "user":
            out["aws:username"] = self.name
        types = {"user": "User", "session": "AssumedRole", "role": "AssumedRole",
                 "federated-user": "FederatedUser", "root": "Account"}
        if self.kind in types:
            out["aws:principaltype"] = types[self.kind]
        for key, value in self.tags.items():
            out[f"aws:principaltag/{key.lower()}"] = value
        return out


@dataclass
class Request:
    action: str
    resource: str
    context: dict            # lower-cased key -> value (str, number, bool or list)
    names: dict              # lower-cased key -> key as the request wrote it

    @property
    def resource_account(self) -> str | None:
        return account_of(self.resource)


class CompiledStatement:
    """A statement ready to be matched: regexes built and policy values parsed once."""

    __slots__ = ("stmt", "policy", "deny", "action_rx", "not_action", "resources", "not_resource",
                 "principal", "not_principal", "conditions")

    def __init__(self, stmt: Statement, policy: Policy):
        self.stmt = stmt
        self.policy = policy
        self.deny = stmt.effect == "Deny"
        patterns = stmt.actions if stmt.actions is not None else stmt.not_actions
        self.not_action = stmt.actions is None
        self.action_rx = any_of(patterns, ignore_case=True)
        raw = stmt.resources if stmt.resources is not None else stmt.not_resources
        self.not_resource = stmt.resources is None and stmt.not_resources is not None
        key = "Resource" if stmt.resources is not None else "NotResource"
        self.resources = None if raw is None else tuple(
            _resource_pattern(r, policy, join(stmt.pointer, key, i) if len(raw) > 1 else join(stmt.pointer, key))
            for i, r in enumerate(raw))
        self.principal = stmt.principal
        self.not_principal = stmt.not_principal
        for spec, key in ((stmt.principal, "Principal"), (stmt.not_principal, "NotPrincipal")):
            if spec:
                _check_principal(spec, policy, join(stmt.pointer, key))
        self.conditions = tuple(CompiledCondition(c, policy) for c in stmt.conditions)

    def matches_action(self, action: str) -> bool:
        hit = self.action_rx.fullmatch(action) is not None
        return not hit if self.not_action else hit

    def matches_resource(self, resource: str, context: dict) -> bool:
        if self.resources is None:
            return True
        hit = False
        for p in self.resources:
            if p is True or (p.fullmatch(resource) is not None if type(p) is re.Pattern and resource != "*"
                             else _resource_hit(p, resource, context, self.policy)):
                hit = True
                break
        return not hit if self.not_resource else hit

    def principal_grant(self, caller: Caller, has_boundary: bool) -> str | None:
        """How this statement names the caller (DIRECT, ROLE, ACCOUNT), or None."""
        if self.principal is not None:
            return principal_grant(self.principal, caller)
        if self.not_principal is not None:
            # "Permissions boundaries": NotPrincipal with Deny always denies a principal that has
            # a permissions boundary, whatever NotPrincipal lists.
            if self.deny and has_boundary:
                return DIRECT
            return None if _excluded(self.not_principal, caller) else DIRECT
        return DIRECT


def _resource_pattern(text: str, policy: Policy, pointer: str):
    parts = V.parse_template(text, policy.variables_enabled, True)
    if parts == (V.ANY,):
        return True
    if V.has_variables(parts):
        return parts
    rx = arn_glob(parts)
    if rx is None:
        raise InputError(f"resource '{text}' is neither '*' nor an ARN", source=policy.source, pointer=pointer,
                         help="an ARN has six parts: arn:partition:service:region:account:resource")
    return rx


def _resource_hit(pattern, resource: str, context: dict, policy: Policy) -> bool:
    if pattern is True:
        return True
    if isinstance(pattern, tuple):
        parts = V.resolve(pattern, context)
        if parts == (V.ANY,):
            return True
        pattern = arn_glob(parts)
        if pattern is None:
            return False
    if resource == "*":
        return False
    return pattern.fullmatch(resource) is not None


def _check_principal(spec: dict, policy: Policy, pointer: str) -> None:
    for kind, values in spec.items():
        if kind == "*":
            continue
        for i, value in enumerate(values):
            if value == "*" or kind != "AWS":
                continue
            at = join(pointer, kind, i) if len(values) > 1 else join(pointer, kind)
            if "*" in value or "?" in value:
                raise InputError(f"principal '{value}' has a wildcard; IAM accepts only \"*\" on its own",
                                 source=policy.source, pointer=at,
                                 help="name the principal exactly, or use \"*\" with a condition on aws:PrincipalArn")
            if not (_ACCOUNT.fullmatch(value) or principal(value)):
                raise InputError(f"principal '{value}' is not an account id or an IAM/STS ARN",
                                 source=policy.source, pointer=at)


def principal_grant(spec: dict, caller: Caller) -> str | None:
    """The strongest way a Principal element names the caller ("AWS JSON policy elements: Principal")."""
    if spec.get("*"):
        return DIRECT
    best = None
    for value in spec.get("AWS", ()):
        grant = _aws_grant(value, caller)
        if grant and (best is None or _STRENGTH[grant] > _STRENGTH[best]):
            best = grant
    if caller.service and any(v.lower() == caller.service.lower() for v in spec.get("Service", ())):
        best = DIRECT
    if caller.federated and caller.federated in spec.get("Federated", ()):
        best = DIRECT
    if caller.canonical_user and caller.canonical_user in spec.get("CanonicalUser", ()):
        best = DIRECT
    return best


def _aws_grant(value: str, caller: Caller) -> str | None:
    if value == "*":
        return DIRECT if caller.kind != "service" else None
    if caller.account is None:
        return None
    if _ACCOUNT.fullmatch(value):
        return ACCOUNT if value == caller.account else None
    p = principal(value)
    if p is None or p.account != caller.account:
        return None
    if p.kind == "root":
        return ACCOUNT
    if p.kind == "user":
        return DIRECT if caller.kind == "user" and p.name == caller.name else None
    if p.kind == "role":
        # A role ARN covers the role's sessions (role names are unique in an account, paths aside).
        return ROLE if caller.kind in ("role", "session") and p.name == caller.name else None
    return DIRECT if value == caller.arn else None


def _excluded(spec: dict, caller: Caller) -> bool:
    """NotPrincipal excludes a caller only when it lists the caller and the caller's account
    ("AWS JSON policy elements: NotPrincipal": list the session ARN and the account ARN)."""
    if spec.get("*"):
        return True
    if caller.kind == "service":
        return any(v.lower() == (caller.service or "").lower() for v in spec.get("Service", ()))
    values = spec.get("AWS", ())
    account_listed = any(_aws_grant(v, caller) == ACCOUNT for v in values)
    if caller.kind == "root":
        return account_listed
    named = any(_aws_grant(v, caller) in (DIRECT, ROLE) and v != "*" for v in values)
    if caller.kind == "session":
        named = caller.arn in values
    return named and account_listed


class CompiledPolicy:
    """A policy of one type (identity, resource, boundary, session, scp), compiled once."""

    __slots__ = ("policy", "kind", "statements", "by_action", "hits")

    def __init__(self, policy: Policy, kind: str):
        self.policy = policy
        self.kind = kind
        self.by_action: dict = {}   # action -> statements whose Action/NotAction matches it
        self.hits: dict = {}        # (statement, scp level, grant) -> engine.Hit, built once
        if kind in ("identity", "boundary", "session"):
            for s in policy.statements:
                if s.principal is not None or s.not_principal is not None:
                    raise InputError(f"a {_KIND_NAMES[kind]} cannot have a Principal", source=policy.source,
                                     pointer=join(s.pointer, "Principal" if s.principal is not None else "NotPrincipal"),
                                     help="Principal belongs in resource-based policies only")
                if s.resources is None and s.not_resources is None:
                    raise InputError(f"statement in a {_KIND_NAMES[kind]} has neither Resource nor NotResource",
                                     source=policy.source, pointer=s.pointer, help='add "Resource": "*" or an ARN')
        if kind == "resource":
            for s in policy.statements:
                if s.principal is None and s.not_principal is None:
                    raise InputError("statement in a resource-based policy has no Principal",
                                     source=policy.source, pointer=s.pointer)
        self.statements = tuple(CompiledStatement(s, policy) for s in policy.statements)

    def statements_for(self, action: str) -> tuple:
        """The statements whose Action/NotAction matches `action` (worked out once per action)."""
        found = self.by_action.get(action)
        if found is None:
            if len(self.by_action) >= 256:
                self.by_action.clear()
            found = self.by_action[action] = tuple(cs for cs in self.statements if cs.matches_action(action))
        return found


_KIND_NAMES = {"identity": "identity-based policy", "resource": "resource-based policy",
               "boundary": "permissions boundary", "session": "session policy", "scp": "service control policy"}


def kind_name(kind: str) -> str:
    return _KIND_NAMES[kind]
