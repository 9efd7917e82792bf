"""What one subject allows that the other does not, over every possible send (`seslint.prove.api.diff`).

Scope: `seslint.scope` over both sides, as `diff` takes it (every class of account and region the
statements tell apart), less the places where neither side could allow a send (`may_apply`).

Sending authorization policies (a `Principal`) are asked for each caller they could name: every
principal ARN and account in either side's `Principal`, an outside account for `*`, each as a caller
whose own policies allow (a cross-account caller needs both). A value known only at deploy time (a
CloudFormation `Ref`, `GetAtt`, a pseudo parameter) is compared as one fixed value, the same on both
sides: `${AWS::AccountId}` as 111122223333, `${AWS::Region}` as us-east-1, `${Name}` as `ref-name`.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field

from seslint.errors import SeslintError
from seslint.lint.model import RESOURCE
from seslint.policy import PolicyDoc
from seslint.review.sides import Subject
from seslint.scope import DEFAULT_ACCOUNT, DEFAULT_REGION

OUTSIDE_ACCOUNTS = ("210987654321", "210987654322")   # an account that a policy does not name
ANY_ROLE = "seslint-any-role"                        # a role a policy does not name
# The caller's own policies, for a caller in another account than the identity's: both must allow.
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:*", "Resource": "*"}]}
_PSEUDO = {"AWS::AccountId": DEFAULT_ACCOUNT, "AWS::Region": DEFAULT_REGION, "AWS::Partition": "aws",
           "AWS::URLSuffix": "amazonaws.com"}
# `${...}` that is no IAM policy variable (`${aws:username}`, `${*}`): a CloudFormation substitution
_DEPLOY_TIME = re.compile(r"\$\{(?![*?$]\})(?![A-Za-z0-9-]+:[^}:]+\})([^}]*)\}")


@dataclass
class Item:
    """One kind of send request (action, and the resource it is on) that one side allows and the other does not."""

    action: str
    resource: str                   # identity, configuration set, template
    request: dict | None = None     # the witness, in the scenario-file form
    line: int | None = None         # of the statement that allows it (gained: at head; lost: at base)
    sid: str | None = None
    principal: str | None = None    # the caller (sending authorization policies)
    reason: str = ""                # unknown: why
    scenario: dict | None = None    # the witness with the policies that allow it, for `seslint simulate`

    def to_json(self) -> dict:
        out: dict = {"action": self.action, "resource": self.resource, "request": self.request,
                     "line": self.line, "sid": self.sid}
        if self.principal:
            out["principal"] = self.principal
        if self.reason:
            out["reason"] = self.reason
        return out

    def command(self) -> str | None:
        """A pasteable `seslint simulate` command that evaluates the witness with its policies."""
        if self.scenario is None:
            return None
        text = json.dumps(self.scenario, sort_keys=True, separators=(",", ":"))
        return f"echo {shlex.quote(text)} | seslint simulate --scenario - --explain"


@dataclass
class Change:
    """A subject whose send reach differs between the two sides."""

    file: str
    location: str
    name: str
    status: str                     # added, removed, modified
    kind: str
    old: Subject | None
    new: Subject | None
    gained: list[Item] = field(default_factory=list)
    lost: list[Item] = field(default_factory=list)
    unknown: list[Item] = field(default_factory=list)
    scope: dict = field(default_factory=dict)         # the accounts and regions asked (seslint.scope)
    note: str | None = None                           # what a default scope means, in words
    reach: list[dict] = field(default_factory=list)   # filled by `verdicts`: before and after, per caller

    @property
    def line(self) -> int:
        return self.new.line if self.new else self.old.line if self.old else 1

    def to_json(self) -> dict:
        out = {"file": self.file, "location": self.location, "name": self.name, "status": self.status,
               "kind": self.kind, "line": self.line, "scope": self.scope,
               "gained": [i.to_json() for i in self.gained], "lost": [i.to_json() for i in self.lost],
               "unknown": [i.to_json() for i in self.unknown]}
        if self.old is not None and self.old.file != self.file:
            out["base_file"] = self.old.file
        if self.reach:
            out["reach"] = self.reach
        return out


def compare(old: Subject | None, new: Subject | None, account: str | None = None,
            region: str | None = None, scps=None) -> Change | None:
    """The change between two sides of one subject (None for a side where it does not exist), or
    None when both allow exactly the same send requests. `account` and `region` fix the scope; `scps`
    (organization levels from the root, [(level, [PolicyDoc])]) limit both sides alike."""
    if old is not None and new is not None and old.signature() == new.signature():
        return None
    some = new or old
    assert some is not None
    status = "added" if old is None else "removed" if new is None else "modified"
    kind = RESOURCE if RESOURCE in (s.kind for s in (old, new) if s) else some.kind
    change = Change(some.file, some.location, some.name, status, kind, old, new)
    broken = [s.error for s in (old, new) if s is not None and s.error]
    if broken:
        change.unknown.append(Item("*", "*", reason=f"a policy cannot be read: {broken[0]}"))
        return change
    from seslint.scope import scope_of_both

    values = [deploy_time(d.value) for s in (old, new) if s for d in s.docs]
    principal = some.principal
    try:
        scope = scope_of_both(*(inputs_for(s, kind, DEFAULT_ACCOUNT, DEFAULT_REGION, principal, scps)
                                for s in (old, new)), account=account, region=region)
    except SeslintError as exc:
        change.unknown.append(Item("*", "*", reason=f"a policy cannot be read: {exc}"))
        return change
    change.scope, change.note = scope.to_json(), scope.note()
    # a place where neither side can allow a send is not asked
    asked = [(a, r) for a, r in scope.pairs if any(may_apply(v, a, r) for v in values)]
    found: dict = {}
    for a, r in asked:
        for caller in (callers(values, a) if kind == RESOURCE else [principal]):
            _diff(change, found, old, new, kind, a, r, caller, scps)
    decided = {(i.action, i.resource, i.principal) for i in change.gained + change.lost}
    change.unknown = [i for i in change.unknown if (i.action, i.resource, i.principal) not in decided]
    if not (change.gained or change.lost or change.unknown):
        return None
    return change


def _diff(change: Change, found: dict, old, new, kind, account, region, caller, scps=None) -> None:
    import z3

    from seslint.prove.api import diff
    from seslint.prove.strings import Unknown

    try:
        sides = [inputs_for(s, kind, account, region, caller, scps) for s in (old, new)]
        result = diff(*sides)
    except (SeslintError, Unknown, z3.Z3Exception) as exc:
        result = None
        problem = str(exc)
    for side, allowing, subject in (("gained", 1, new), ("lost", 0, old), ("unknown", -1, None)):
        changes = result[side] if result is not None else ([] if side != "unknown" else [None])
        for c in changes:
            action, role = (c.action, c.role) if c is not None else ("*", "*")
            key = (side, action, role, caller)
            if key in found:
                continue
            item = found[key] = Item(action, role, c.witness if c else None, principal=caller if kind == RESOURCE
                                     else None, reason=c.reason if c else problem)
            if side != "unknown":
                _locate(item, sides[allowing], subject)
            getattr(change, side).append(item)


def inputs_for(subject: Subject | None, kind: str, account: str, region: str, caller: str | None, scps=None):
    """The prover's inputs for one side (nothing at all when the subject does not exist there)."""
    from seslint.prove.decision import build_inputs

    docs = [_resolved(d) for d in subject.docs] if subject else []
    if kind != RESOURCE:
        boundary = _resolved(subject.boundary) if subject and subject.boundary else None
        return build_inputs(docs, account=account, region=region, principal_arn=caller, permission_boundary=boundary,
                            scps=scps)
    own = [] if caller and caller.split(":")[4] == account else [ALLOW_ALL]
    return build_inputs(own, account=account, region=region, principal_arn=caller, resource_policies={None: docs},
                        scps=scps)


def _resolved(doc: PolicyDoc) -> PolicyDoc:
    return PolicyDoc(deploy_time(doc.value), doc.source, doc.pointer)


def deploy_time(value):
    """The document with each CloudFormation substitution replaced by one fixed value (module docstring)."""
    if isinstance(value, dict):
        return {k: deploy_time(v) for k, v in value.items()}
    if isinstance(value, list):
        return [deploy_time(v) for v in value]
    if isinstance(value, str) and "${" in value:
        return _DEPLOY_TIME.sub(_fixed, str(value))
    return value


def _fixed(m: re.Match) -> str:
    name = m.group(1).lstrip("!")
    return _PSEUDO.get(name) or "ref-" + (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "value")


def _locate(item: Item, inputs, subject: Subject | None) -> None:
    """The line and Sid of the statement that allows the witness, and its `seslint simulate` scenario."""
    from seslint.prove.report import scenario
    from seslint.prove.witness import Witness, decisions

    if item.request is None or subject is None:
        return
    request = item.request
    identity = (request["resource"].rsplit("/", 1)[-1] if ":identity/" in request["resource"] else None)
    role = ("address identity" if "@" in identity else "domain identity") if identity else item.resource
    w = Witness("", "", "", "", "", [], None, None, [{**request, "role": role}])
    try:
        result = decisions(inputs, w)[0]
    except SeslintError:
        return
    mine = {d.pointer for d in subject.docs}
    hits = [h for h in result.deciding
            if any(h.pointer == p or h.pointer.startswith(p + "/") for p in mine) and h.source == subject.file]
    if hits:
        item.line, item.sid = subject.place(hits[0].pointer)[0], hits[0].sid
    item.scenario = scenario(inputs, None, request)


# -- scope ------------------------------------------------------------------------------------

def _statements(values: list):
    """The statement objects of policy documents (anything else in them is left to the policy model)."""
    for value in values:
        raw = value.get("Statement") if isinstance(value, dict) else None
        yield from (st for st in (raw if isinstance(raw, list) else [raw]) if isinstance(st, dict))


def may_apply(value, account: str, region: str) -> bool:
    """Whether an Allow statement of the document could apply to an SES resource of `account` in
    `region` (by its Resource alone; a NotResource or a policy variable in the way counts as could)."""
    from seslint.core.arn import parse
    from seslint.core.patterns import matches

    for st in _statements([value]):
        if st.get("Effect") != "Allow":
            continue
        if "Resource" not in st:
            return True
        items = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
        for text in items:
            if not isinstance(text, str) or text == "*":
                return True
            arn = parse(text)
            if arn is None and ("*" in text or "${" in text):
                return True   # a * that ends a segment matches across colons: `arn:aws:ses:*`
            if arn is not None and all("${" in part or matches(part, want, ignore_case=i) for part, want, i in (
                    (arn.service, "ses", True), (arn.region, region, False), (arn.account, account, False))):
                return True
    return False


def callers(values: list, owner: str) -> list[str]:
    """The callers a sending authorization policy could tell apart: each principal ARN and account its
    `Principal` elements name (an account as a role of it that no policy names), and for `*` or a
    pattern a role of the identity's own account and of an outside account."""
    from seslint.core.arn import ACCOUNT, principal

    named: set[str] = set()
    anyone = False
    for st in _statements(values):
        for element in ("Principal", "NotPrincipal"):
            spec = st.get(element)
            if spec == "*":
                anyone = True
                continue
            aws = spec.get("AWS") if isinstance(spec, dict) else None
            for text in aws if isinstance(aws, list) else [aws]:
                if not isinstance(text, str):
                    continue
                if ACCOUNT.fullmatch(text):
                    named.add(f"arn:aws:iam::{text}:role/{ANY_ROLE}")
                elif (p := principal(text)) is not None:
                    named.add(f"arn:{p.partition}:iam::{p.account}:role/{ANY_ROLE}" if p.kind == "root" else text)
                else:
                    anyone = True
    if anyone:
        outside = next(a for a in OUTSIDE_ACCOUNTS if a != owner and not any(f"::{a}:" in n for n in named))
        named.update({f"arn:aws:iam::{owner}:role/{ANY_ROLE}", f"arn:aws:iam::{outside}:role/{ANY_ROLE}"})
    return sorted(named)


# -- reach: the audit's verdicts before and after ----------------------------------------------

def verdicts(change: Change) -> None:
    """Fill `change.reach`: for the policy (or each caller of a sending authorization policy), what it
    allowed before and allows now, in the audit's words (anyone, only PATTERNS, simulator-only, none)."""
    account = change.scope["accounts"][0] if change.scope.get("accounts") else DEFAULT_ACCOUNT
    region = change.scope["regions"][0] if change.scope.get("regions") else DEFAULT_REGION
    rows: list[str | None] = [(change.new or change.old).principal]  # type: ignore[union-attr]
    if change.kind == RESOURCE:
        rows = list(callers([deploy_time(d.value) for s in (change.old, change.new) if s for d in s.docs], account))
    for caller in rows:
        change.reach.append({"principal": caller or change.name,
                             "before": _verdict(change.old, change.kind, account, region, caller),
                             "after": _verdict(change.new, change.kind, account, region, caller)})


def _verdict(subject: Subject | None, kind: str, account: str, region: str, caller: str | None) -> str:
    from seslint.audit import audit_principal
    from seslint.evaluate.authdetails import Principal

    if subject is None:
        return "none"
    arn = caller or f"arn:aws:iam::{account}:role/{ANY_ROLE}"
    docs = [_resolved(d) for d in subject.docs]
    if kind == RESOURCE:
        own = [] if arn.split(":")[4] == account else [PolicyDoc(ALLOW_ALL, "<the caller's own policies>")]
        principal = Principal(arn, arn.split(":")[4], arn.rsplit("/", 1)[-1], "role", own)
        resources = {None: docs}
    else:
        boundary = _resolved(subject.boundary) if subject.boundary else None
        principal = Principal(arn, arn.split(":")[4], subject.name, "role", docs, boundary)
        resources = {}

    def session(r: str):   # the identities are `account`'s, whoever the caller is
        from seslint.prove.api import Session

        return Session(inputs_for(subject, kind, account, r, caller))

    finding = audit_principal(principal, region=region, resource_policies=resources, session=session)
    if finding.verdict == "restricted":
        return "only " + ", ".join(finding.recipients)
    if finding.verdict == "unknown":
        return f"unknown ({finding.reason})"
    return finding.verdict
