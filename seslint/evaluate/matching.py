"""Compiling a policy once and matching its statements against one request.

Sources ("IAM JSON policy element reference"): Action/NotAction match case-insensitively
with `*` and `?`; Resource/NotResource compare ARNs segment by segment, case-sensitively,
and a request for an action without resource types (resource `*`) is matched only by
`"Resource": "*"`; IAM does not accept wildcards inside a Principal ARN (only `"*"` alone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from seslint.core import variables as V
from seslint.core.arn import ACCOUNT as ACCOUNT_ID, principal, resource_account
from seslint.core.logic import UNKNOWN
from seslint.core.patterns import any_of, arn_glob
from seslint.errors import InputError
from seslint.evaluate.operators import CompiledCondition, check_condition
from seslint.policy import KIND_NAMES, Policy, Statement, kind_problems

# How a resource-based policy names the caller; stronger grants first.
DIRECT, ROLE, ACCOUNT = "direct", "role", "account"
_STRENGTH = {DIRECT: 3, ROLE: 2, ACCOUNT: 1}



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


@dataclass(init=False)
class Request:
    action: str
    resource: str
    context: dict            # lower-cased key -> value (str, number, bool or list)
    names: dict              # lower-cased key -> key as the request wrote it
    account: str | None      # the resource's account when the ARN has none (request.resource_account)

    # init=False and this __init__: the compiled build compiles it (see seslint.policy)
    def __init__(self, action: str, resource: str, context: dict, names: dict, account: str | None = None):
        self.action, self.resource, self.context, self.names, self.account = action, resource, context, names, account

    @property
    def resource_account(self) -> str | None:
        """The resource's account (seslint.core.arn.resource_account); None counts as the caller's."""
        return resource_account(self.resource, self.account)


class CompiledStatement:
    """A statement ready to be matched: regexes built and policy values parsed once."""

    __slots__ = ("stmt", "policy", "deny", "actions", "not_action", "raw_resources", "_resources", "not_resource",
                 "principal", "not_principal", "_conditions")

    def __init__(self, stmt: Statement, policy: Policy):
        """Compile a statement that `check_statement` accepted."""
        self.stmt = stmt
        self.policy = policy
        self.deny = stmt.effect == "Deny"
        patterns = stmt.actions if stmt.actions is not None else stmt.not_actions
        self.not_action = stmt.actions is None
        self.actions = _action_matcher(patterns)
        self.raw_resources = stmt.resources if stmt.resources is not None else stmt.not_resources
        self.not_resource = stmt.resources is None and stmt.not_resources is not None
        self._resources: tuple | None = None   # compiled on first use: many statements never reach their Resource
        self.principal = stmt.principal
        self.not_principal = stmt.not_principal
        self._conditions: tuple | None = None  # compiled on first use too (check_statement validated them)

    @property
    def conditions(self) -> tuple:
        if self._conditions is None:
            self._conditions = tuple(CompiledCondition(c, self.policy) for c in self.stmt.conditions)
        return self._conditions

    @property
    def resources(self) -> tuple | None:
        """Each Resource/NotResource entry as True ("*"), a regex, or a template with variables."""
        if self._resources is None and self.raw_resources is not None:
            enabled = self.policy.variables_enabled
            self._resources = tuple(_checked_pattern(r, enabled) for r in self.raw_resources)
        return self._resources

    def matches_action(self, action: str) -> bool:
        return _matches_action(self.actions, self.not_action, action)


    def matches_resource(self, resource: str, context: dict):
        """True, False or UNKNOWN (an entry whose variable names a multivalued key)."""
        patterns = self.resources
        if patterns is None:
            return True
        hit = False
        for p in patterns:
            one = True if p is True else (p.fullmatch(resource) is not None if type(p) is re.Pattern and resource != "*"
                                          else _resource_hit(p, resource, context))
            if one is True:
                hit = True
                break
            if one is UNKNOWN:
                hit = UNKNOWN
        if hit is UNKNOWN:
            return hit
        return not hit if self.not_resource else hit

    def principal_grant(self, caller: Caller, has_boundary: bool, same_account: bool = True) -> str | None:
        """How this statement names the caller (DIRECT, ROLE, ACCOUNT), or None."""
        if self.principal is not None:
            return principal_grant(self.principal, caller)
        if self.not_principal is not None:
            # "Permissions boundaries": NotPrincipal with Deny always denies a principal that has
            # a permissions boundary, whatever NotPrincipal lists.
            if self.deny and has_boundary:
                return DIRECT
            return None if _excluded(self.not_principal, caller, same_account) else DIRECT
        return DIRECT


def _matches_action(matcher: tuple, negated: bool, action: str) -> bool:
    exact, prefixes, rx = matcher
    low = action.lower()
    hit = low in exact or low.startswith(prefixes) or (rx is not None and rx.fullmatch(action) is not None)
    return not hit if negated else hit


def check_statement(stmt: Statement, policy: Policy) -> None:
    """Raise InputError for what IAM would refuse in a statement's conditions (parse_policy checked the rest)."""
    for c in stmt.conditions:
        check_condition(c, policy)


@lru_cache(maxsize=4096)
def _action_matcher(patterns: tuple) -> tuple:
    """(exact names, prefixes, regex or None), all case-insensitive: most Action entries are a name
    or end in their only `*`, which need no regex."""
    exact, prefixes, rest = set(), [], []
    for p in patterns:
        low = p.lower()
        if "?" in low or "*" in low[:-1]:
            rest.append(p)
        elif low.endswith("*"):
            prefixes.append(low[:-1])
        else:
            exact.add(low)
    rx = any_of(rest, ignore_case=True) if rest else None
    return frozenset(exact), tuple(prefixes), rx


@lru_cache(maxsize=4096)
def _checked_pattern(text: str, variables: bool):
    """_resource_pattern for an entry check_statement accepted (so it raises nothing); the same
    ARNs recur across a batch's policies."""
    parts = V.parse_template(text, variables, True, True)
    if parts == (V.ANY,):
        return True
    return parts if V.has_variables(parts) else arn_glob(parts, True)


def _resource_hit(pattern, resource: str, context: dict):
    if pattern is True:
        return True
    if isinstance(pattern, tuple):
        parts = V.resolve(pattern, context)
        if parts is V.NULL:
            return False   # "will not match any resource" ("Policy variables with no value")
        if parts is V.MULTI:
            return UNKNOWN
        if parts == (V.ANY,):
            return True
        pattern = arn_glob(parts, True)
        if pattern is None:
            return False
    if resource == "*":
        return False
    return pattern.fullmatch(resource) is not None


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
    if ACCOUNT_ID.fullmatch(value):
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


def _excluded(spec: dict, caller: Caller, same_account: bool = True) -> bool:
    """Whether NotPrincipal excludes the caller ("AWS JSON policy elements: NotPrincipal").

    The page asks to list the account ARN too because, for a caller from another account, AWS
    "might validate the account first, then the role, and then the assumed-role user": so a
    cross-account caller is excluded only when its own ARN (the session ARN for a session) and
    its account are listed. In the resource's own account no account is validated: listing the
    caller's own ARN excludes it (the page's user example "works as intended ... in either the
    same or a different AWS account")."""
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
    return named and (account_listed or same_account)


class CompiledPolicy:
    """A policy of one type (identity, resource, boundary, session, scp), compiled once."""

    __slots__ = ("policy", "kind", "_compiled", "by_action", "hits")

    def __init__(self, policy: Policy, kind: str, grammar: str | None = None):
        """`grammar`: the kind whose grammar the policy follows, when not `kind`'s own (a role's trust
        policy is evaluated as a resource policy and has no Resource)."""
        self.policy = policy
        self.kind = kind
        self.by_action: dict = {}   # action -> statements whose Action/NotAction matches it
        self.hits: dict = {}        # (statement, scp level, grant) -> engine.Hit, built once
        refused = kind_problems(policy, grammar or kind)
        if refused:
            first = refused[0]
            raise InputError(first.message, source=policy.source, pointer=first.pointer or None, help=first.help)
        for s in policy.statements:
            check_statement(s, policy)
        # Statements are compiled when a request first reaches them: with one request per policy
        # (an audit of many principals) most are never compiled.
        self._compiled: list = [None] * len(policy.statements)

    def _statement(self, i: int) -> CompiledStatement:
        cs = self._compiled[i]
        if cs is None:
            cs = self._compiled[i] = CompiledStatement(self.policy.statements[i], self.policy)
        return cs

    @property
    def statements(self) -> tuple:
        return tuple(self._statement(i) for i in range(len(self._compiled)))

    def statements_for(self, action: str) -> tuple:
        """The statements whose Action/NotAction matches `action` (worked out once per action)."""
        found = self.by_action.get(action)
        if found is None:
            if len(self.by_action) >= 256:
                self.by_action.clear()
            found = self.by_action[action] = tuple(
                self._statement(i) for i, s in enumerate(self.policy.statements)
                if _matches_action(_action_matcher(s.actions if s.actions is not None else s.not_actions),
                                   s.actions is None, action))
        return found


def kind_name(kind: str) -> str:
    return KIND_NAMES[kind]
