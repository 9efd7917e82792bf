"""Who can send as an SES identity, directly or through a chain of hops (`seslint who-can-send`).

The graph's nodes are the org's users and roles, and, for a principal that may edit its own
permissions, that principal with the policy it would give itself. A hop (`rules/escalation.json`):
    assume-role        sts:AssumeRole: the role's trust policy and the caller's own policies, as IAM
                       combines them (cross-account: both must allow); an ExternalId the trust
                       policy requires is supplied, and the hop says which
    pass-role          iam:PassRole (iam:PassedToService) of a role that trusts the service, plus
                       the requests that start the service with it (Lambda, ECS task, EC2 instance
                       profile)
    create-access-key  iam:CreateAccessKey on a user (its keys are also its SMTP credentials)
    self-edit          iam:PutRolePolicy, iam:AttachRolePolicy, iam:CreatePolicyVersion on an
                       attached policy, ... on itself: the node then holds the policy it wrote
                       (everything) or attached
Every IAM request of a hop is decided by the evaluator (seslint.evaluate's engine) with the
caller's policies, permissions boundary and SCP levels, so SCPs and boundaries cut hops. A node
sends when the prover finds an allowed send From the identity (an address, or any address of a
domain) in the node's account; the witness is re-checked by the evaluator. Paths are found
backwards from the senders, shortest first, up to `max_hops`; principals that reach a sender only
in more hops are listed as cut by the bound.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import orjson

from seslint.audit.org import PERSONAL
from seslint.audit.sources import Account, ScpTree
from seslint.core.arn import parse
from seslint.core.patterns import matches
from seslint.errors import SeslintError
from seslint.policy import PolicyDoc

if TYPE_CHECKING:
    from seslint.evaluate.authdetails import Principal

WRITTEN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
DEFAULT_NAME = "seslint-escalation"


@dataclass
class Hop:
    kind: str            # assume-role, pass-role, create-access-key, self-edit
    source: str          # the caller's ARN
    target: str          # the principal it comes to act as
    actions: list[str]
    statements: list[str]
    detail: str = ""

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class Path:
    principal: str
    account: str
    kind: str
    hops: list[Hop]
    sender: str              # the node that sends (its ARN; "(with ...)" for an edited principal)
    witness: dict
    statements: list[str]    # what allows the final send

    def to_json(self) -> dict:
        return {"principal": self.principal, "account": self.account, "kind": self.kind,
                "via": [h.to_json() for h in self.hops], "sender": self.sender,
                "witness": self.witness, "statements": self.statements}


@dataclass
class Answer:
    identity: str
    region: str
    max_hops: int
    paths: list[Path] = field(default_factory=list)
    cut: list[dict] = field(default_factory=list)        # principals the bound cut, with the hops seen
    unknown: list[dict] = field(default_factory=list)    # nodes whose sending could not be decided
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"version": 1, "identity": self.identity, "region": self.region, "max_hops": self.max_hops,
                "paths": [p.to_json() for p in self.paths], "cut_by_bound": self.cut, "unknown": self.unknown,
                "notes": self.notes}


@dataclass(eq=False)
class Node:
    """A principal, or a principal holding a policy it gave itself (`added`)."""

    principal: Principal          # its policies labelled
    entry: dict                   # its RoleDetailList/UserDetailList entry
    account: Account
    scps: list | None
    added: PolicyDoc | None = None
    base: Node | None = None      # the unedited principal of an edited node

    @property
    def arn(self) -> str:
        return self.principal.arn

    @property
    def label(self) -> str:
        return self.arn if self.added is None else f"{self.arn} (with {self.added.source})"

    @property
    def documents(self) -> list[PolicyDoc]:
        return [*self.principal.identity_policies, *([self.added] if self.added is not None else [])]

    @cached_property
    def compiled(self):
        from seslint.evaluate.engine import Policies
        from seslint.evaluate.matching import CompiledPolicy
        from seslint.policy import parse_policy

        def cp(doc, kind):
            return CompiledPolicy(parse_policy(doc.value, doc.source, doc.pointer), kind)

        boundary = self.principal.permission_boundary
        return Policies(identity=[cp(d, "identity") for d in self.documents],
                        boundary=cp(boundary, "boundary") if boundary is not None else None,
                        scps=[(level, [cp(d, "scp") for d in ds]) for level, ds in self.scps or ()])

    @cached_property
    def caller(self):
        from seslint.evaluate.matching import Caller

        return Caller.from_arn(self.arn, tags=dict(self.principal.tags))

    @cached_property
    def statements(self) -> list:
        from seslint.policy import parse_policy

        return [st for doc in self.documents for st in parse_policy(doc.value, doc.source, doc.pointer).statements]

    def allows(self, action: str) -> bool:
        """Whether an Allow statement of its own policies names the action (a cheap filter)."""
        for st in self.statements:
            if st.effect != "Allow":
                continue
            if st.actions is not None and any(matches(p, action, ignore_case=True) for p in st.actions):
                return True
            if st.not_actions is not None and not any(matches(p, action, ignore_case=True) for p in st.not_actions):
                return True
        return False


class Org:
    """Every account's principals, and the hops between them."""

    def __init__(self, accounts: Iterable[Account], scps: ScpTree | None, region: str):
        from seslint import data
        from seslint.evaluate.authdetails import label_policies

        self.region = region
        self.rules = data.load("escalation.json")
        self.nodes: list[Node] = []
        self.by_arn: dict[str, Node] = {}
        self.accounts: dict[str, Account] = {}
        self.notes: list[str] = []
        for account in accounts:
            self.accounts[account.id] = account
            entries = {e.get("Arn"): e for name in ("UserDetailList", "RoleDetailList")
                       for e in account.details.value.get(name, []) if isinstance(e, dict)}
            levels = scps.levels(account.id) if scps is not None else None
            for principal in account.details.principals():
                if principal.error is not None:
                    self.notes.append(f"{principal.arn} left out: {principal.error}")
                    continue
                node = Node(label_policies(principal, account.details.value), entries[principal.arn], account, levels)
                self.nodes.append(node)
                self.by_arn[node.arn] = node
        self.edited: dict[str, list[tuple[Node, Hop]]] = {}

    # One hop's IAM requests

    def decide(self, node: Node, action: str, resource: str, context: dict | None = None, trust: PolicyDoc | None = None,
               caller=None):
        """The evaluator's Result for one request by `node` (or by `caller`, a service, with no policy of its own)."""
        from seslint.evaluate.engine import Policies, decide
        from seslint.evaluate.matching import CompiledPolicy, Request
        from seslint.policy import parse_policy

        resources = ([CompiledPolicy(parse_policy(trust.value, trust.source, trust.pointer), "resource", "trust")]
                     if trust else [])
        if caller is not None:
            policies, who = Policies(resources=resources), caller
        else:
            own = node.compiled
            policies, who = Policies(identity=own.identity, boundary=own.boundary, scps=own.scps,
                                     resources=resources), node.caller
        ctx = {k.lower(): v for k, v in (context or {}).items()}
        for key, value in who.context_defaults().items():
            if value is not None:
                ctx.setdefault(key, value)
        return decide(policies, who, Request(action, resource, ctx, {k.lower(): k for k in context or {}}))

    def request(self, node: Node, action: str, resource: str, context=None, trust=None) -> list[str] | None:
        """The statements that allow the request, or None when it is denied (or cannot be decided).
        With a trust policy, the trust policy itself must allow the caller: a role is assumed only by
        the principals its trust policy names, whatever the caller's own policies allow."""
        try:
            result = self.decide(node, action, resource, context, trust)
        except SeslintError:
            return None
        if not result.allowed or (trust is not None and not any(h.kind == "resource" for h in result.deciding)):
            return None
        return _unique([describe(h) for h in result.deciding])

    # Hops into a node: (caller, hop) pairs

    def into(self, target: Node) -> list[tuple[Node, Hop]]:
        if target.base is not None:   # an edited principal: only itself, by editing
            return [(target.base, hop) for edited, hop in self.edits(target.base) if edited is target]
        out = []
        if target.principal.kind == "role":
            out += self.assumers(target)
            out += self.passers(target)
        else:
            out += self.key_makers(target)
        return out

    def callers(self, account: str | None = None) -> list[Node]:
        """Every node (unedited principals and their edited selves), of one account or all."""
        plain = [n for n in self.nodes if account is None or n.principal.account == account]
        return plain + [e for n in plain for e, _ in self.edits(n)]

    def assumers(self, role: Node) -> list[tuple[Node, Hop]]:
        trust_value = role.entry.get("AssumeRolePolicyDocument")
        if isinstance(trust_value, str):
            from urllib.parse import unquote

            trust_value = orjson.loads(unquote(trust_value))
        if not isinstance(trust_value, dict):
            return []
        trust = PolicyDoc(trust_value, f"{role.arn} trust policy", "")
        text = orjson.dumps(trust_value).decode().lower()
        ids = _external_ids(trust_value, self.rules["assume_role"]["external_id_key"])
        action = self.rules["assume_role"]["action"]
        out = []
        for caller in self.callers():
            if caller.arn == role.arn:
                continue
            if caller.arn.lower() not in text and caller.principal.account not in text and '"*"' not in text:
                continue
            for external_id in [None, *ids]:
                context = {"sts:ExternalId": external_id} if external_id is not None else {}
                allowed = self.request(caller, action, role.arn, context, trust)
                if allowed is not None:
                    detail = f"with ExternalId '{external_id}' (the trust policy requires it)" if external_id else ""
                    out.append((caller, Hop("assume-role", caller.label, role.arn, [action], allowed, detail)))
                    break
        return out

    def passers(self, role: Node) -> list[tuple[Node, Hop]]:
        from seslint.evaluate.matching import Caller

        trust_value = role.entry.get("AssumeRolePolicyDocument")
        if not isinstance(trust_value, dict):
            return []
        trust = PolicyDoc(trust_value, f"{role.arn} trust policy", "")
        out = []
        for service in self.rules["pass_role"]:
            try:
                trusted = self.decide(role, "sts:AssumeRole", role.arn, trust=trust,
                                      caller=Caller(kind="service", service=service["service"])).allowed
            except SeslintError:   # a trust policy the evaluator cannot decide: no hop
                trusted = False
            if not trusted or (service.get("instance_profile") and not role.entry.get("InstanceProfileList")):
                continue
            for caller in self.callers(role.principal.account):
                if caller.arn == role.arn or not caller.allows("iam:PassRole"):
                    continue
                hop = self._pass(caller, role, service)
                if hop is not None:
                    out.append((caller, hop))
        return out

    def _pass(self, caller: Node, role: Node, service: dict) -> Hop | None:
        allowed = self.request(caller, "iam:PassRole", role.arn, {"iam:PassedToService": service["service"]})
        if allowed is None:
            return None
        statements, actions = list(allowed), ["iam:PassRole"]
        for r in service["requests"]:
            found = self._some_resource(caller, r["action"], r["resource"], role)
            if found is None:
                return None
            statements += found
            actions.append(r["action"])
        return Hop("pass-role", caller.label, role.arn, actions, _unique(statements),
                   f"passes it to {service['label']} ({service['service']})")

    def _some_resource(self, caller: Node, action: str, template: str, role: Node) -> list[str] | None:
        """The statements that allow `action` on some resource of the template (the names the caller's
        statements allow, then a default), or None."""
        fill = {"region": self.region, "account": role.principal.account, "role": role.principal.name}
        names = [DEFAULT_NAME]
        service = action.split(":", 1)[0]
        for st in caller.statements:
            for pattern in st.resources or ():
                arn = parse(pattern)
                if arn is not None and arn.service == service:
                    names.append(_name_from(arn.resource))
        for name in dict.fromkeys(names):
            resource = template.format(**fill, name=name)
            allowed = self.request(caller, action, resource)
            if allowed is not None:
                return allowed
        return None

    def key_makers(self, user: Node) -> list[tuple[Node, Hop]]:
        rule = self.rules["access_key"]
        out = []
        for caller in self.callers(user.principal.account):
            if caller.arn == user.arn or not caller.allows(rule["action"]):
                continue
            allowed = self.request(caller, rule["action"], user.arn)
            if allowed is not None:
                out.append((caller, Hop("create-access-key", caller.label, user.arn, [rule["action"]], allowed,
                                        "its access keys are also its SMTP credentials")))
        return out

    def edits(self, node: Node) -> list[tuple[Node, Hop]]:
        """The node with each policy it may give itself, and the hop that does it (memoised)."""
        if node.base is not None:
            return []
        found = self.edited.get(node.arn)
        if found is not None:
            return found
        found = self.edited[node.arn] = []
        kind = node.principal.kind
        for rule in self.rules["self_edit"]:
            action = rule["action"]
            if not node.allows(action):
                continue
            for resource in self._edit_targets(node, rule["on"], kind):
                if rule.get("writes"):
                    allowed = self.request(node, action, resource)
                    if allowed is not None:
                        doc = PolicyDoc(WRITTEN, "a policy it writes itself", "")
                        found.append(self._edited(node, doc, action, resource, allowed))
                        break
                else:
                    for arn, value in self._attachable(node):
                        allowed = self.request(node, action, resource, {"iam:PolicyARN": arn})
                        if allowed is not None:
                            doc = PolicyDoc(value, f"{arn}, which it attaches", "")
                            found.append(self._edited(node, doc, action, resource, allowed))
                            break
        return found

    def _edited(self, node: Node, doc: PolicyDoc, action: str, resource: str, allowed: list[str]) -> tuple[Node, Hop]:
        edited = Node(node.principal, node.entry, node.account, node.scps, doc, node)
        return edited, Hop("self-edit", node.arn, edited.label, [action], allowed, f"{action} on {resource}")

    def _edit_targets(self, node: Node, on: str, kind: str) -> list[str]:
        entry = node.entry
        if on in ("role", "user"):
            return [node.arn] if on == kind else []
        groups = [g for g in self.accounts[node.principal.account].details.value.get("GroupDetailList", [])
                  if isinstance(g, dict) and g.get("GroupName") in (entry.get("GroupList") or [])]
        if on == "group":
            return [g["Arn"] for g in groups if isinstance(g.get("Arn"), str)]
        attached = [*entry.get("AttachedManagedPolicies", []), *[p for g in groups for p in g.get("AttachedManagedPolicies", [])]]
        return sorted({p["PolicyArn"] for p in attached if isinstance(p, dict) and ":iam::aws:" not in str(p.get("PolicyArn"))})

    def _attachable(self, node: Node) -> list[tuple[str, dict]]:
        out = [(p["arn"], p["document"]) for p in self.rules["attachable"]]
        for p in self.accounts[node.principal.account].details.value.get("Policies", []):
            if not isinstance(p, dict) or not isinstance(p.get("Arn"), str) or ":iam::aws:" in p["Arn"]:
                continue
            for version in p.get("PolicyVersionList", []):
                if isinstance(version, dict) and (version.get("IsDefaultVersion") or
                                                  version.get("VersionId") == p.get("DefaultVersionId")):
                    document = version.get("Document")
                    if isinstance(document, dict):
                        out.append((p["Arn"], document))
        return out


def who_can_send(accounts: Iterable[Account], identity: str, *, region: str = "us-east-1", scps: ScpTree | None = None,
                 max_hops: int = 5) -> Answer:
    """Every principal of the accounts that can send as `identity` (an address, a domain, or an
    identity ARN), with its shortest path and the witness of its final send."""
    target = _target(identity, region)
    org = Org(accounts, scps, target["region"])
    answer = Answer(target["name"], target["region"], max_hops, notes=list(org.notes))
    sends: dict[bytes, tuple] = {}
    senders: dict[Node, tuple] = {}
    every = org.callers()
    for node in every:
        if target["account"] and node.principal.account != target["account"]:
            continue
        outcome = _sends(node, target, sends)
        if outcome[0] == "yes":
            senders[node] = outcome
        elif outcome[0] == "unknown":
            answer.unknown.append({"principal": node.label, "reason": outcome[1]})
    # Backwards from the senders: nxt[n] = (the hop out of n, the node it reaches), shortest first.
    nxt: dict[Node, tuple | None] = {n: None for n in senders}
    frontier = list(senders)
    depth = 0
    while frontier and depth <= max_hops:
        depth += 1
        reached: dict[Node, tuple] = {}
        for node in frontier:
            for caller, hop in org.into(node):
                if caller not in nxt and caller not in reached:
                    reached[caller] = (hop, node)
        if depth > max_hops:   # one layer past the bound: the principals it cuts
            paths = {n.arn for n in nxt}
            answer.cut = [{"principal": arn, "needs_more_than": max_hops}
                          for arn in sorted({c.arn for c in reached} - paths)]
            break
        nxt.update(reached)
        frontier = list(reached)
    for node in org.nodes:
        if node not in nxt:
            continue
        hops, at = [], node
        step = nxt[at]
        while step is not None:
            hop, at = step
            hops.append(hop)
            step = nxt[at]
        _, witness, statements = senders[at]
        answer.paths.append(Path(node.arn, node.principal.account, node.principal.kind, hops, at.label, witness,
                                 statements))
    answer.paths.sort(key=lambda p: (len(p.hops), p.account, p.principal))
    answer.unknown.sort(key=lambda u: u["principal"])
    if scps is None:
        answer.notes.append("no SCP tree given (--scps): no service control policy limits a hop or a send")
    return answer


def render_text(answer: Answer) -> str:
    lines = [f"Who can send as {answer.identity} (region {answer.region}, chains of at most {answer.max_hops} hops): "
             f"{len(answer.paths)} principal{'' if len(answer.paths) == 1 else 's'}"]
    for p in answer.paths:
        how = "directly" if not p.hops else f"through {len(p.hops)} hop{'' if len(p.hops) == 1 else 's'}"
        lines += ["", f"{p.kind:5} {p.principal}: {how}"]
        for i, h in enumerate(p.hops, 1):
            lines.append(f"    {i}. {h.kind}: {', '.join(h.actions)} -> {h.target}" + (f" ({h.detail})" if h.detail else ""))
            lines += [f"         allowed by {s}" for s in h.statements]
        send = p.witness["send"]
        lines.append(f"    sends as {p.sender}: {send['operation']} from {send['from']} to {', '.join(send['to'])}")
        lines += [f"         allowed by {s}" for s in p.statements]
    if answer.cut:
        lines += ["", f"cut by --max-hops {answer.max_hops} (a sender is further away):"]
        lines += [f"    {c['principal']}" for c in answer.cut]
    if answer.unknown:
        lines += ["", "undecided:"] + [f"    {u['principal']}: {u['reason']}" for u in answer.unknown]
    lines += [f"note: {n}" for n in answer.notes]
    return "\n".join(lines)


def _target(identity: str, region: str) -> dict:
    """{"name", "pattern" (the From addresses that send as it), "account" (or None: any), "region"}."""
    from seslint.core.arn import ses_identity
    from seslint.errors import InputError

    account = None
    name = identity
    if identity.startswith("arn:"):
        arn = parse(identity)
        found = ses_identity(identity)
        if arn is None or found is None or not arn.account or not arn.region or any(c in found for c in "*?"):
            raise InputError(f"'{identity}' is not an SES identity ARN (arn:aws:ses:REGION:ACCOUNT:identity/NAME)")
        name, account, region = found, arn.account, arn.region
    if not name or any(c in name for c in "*?$ ") or name.startswith("@") or name.endswith("@"):
        raise InputError(f"'{identity}' is neither an email address nor a domain",
                         help="give an address (ci@example.com), a domain (example.com) or an identity ARN")
    pattern = name if "@" in name else f"*@{name}"
    return {"name": name, "pattern": pattern, "account": account, "region": region}


def _sends(node: Node, target: dict, cache: dict) -> tuple:
    """("yes", witness, statements), ("no",) or ("unknown", reason): may the node send From the
    identity in its own account? Decided by the prover, once per distinct policy set."""
    from seslint.audit import _sends as names_send
    from seslint.policy import parse_policy

    account = node.account
    resource_policies = {arn: docs for arn, docs in (account.identity_policies or {}).items()}
    parsed = [parse_policy(d.value, d.source, d.pointer) for d in node.documents]
    if not any(st.effect == "Allow" and names_send(st) for p in parsed for st in p.statements) \
            and not resource_policies:
        return ("no",)
    boundary = node.principal.permission_boundary
    text = orjson.dumps([sorted(orjson.dumps(d.value, option=orjson.OPT_SORT_KEYS).decode() for d in node.documents),
                         boundary.value if boundary is not None else None,
                         [[level, [d.value for d in ds]] for level, ds in node.scps or ()],
                         {a: [d.value for d in ds] for a, ds in sorted(resource_policies.items())},
                         node.principal.account, target["pattern"]], option=orjson.OPT_SORT_KEYS)
    key = hashlib.sha256(text).digest() + (node.arn.encode() if PERSONAL.search(text) else b"")
    found = cache.get(key)
    if found is None:
        found = cache[key] = _prove_send(node, target, resource_policies)
    return found


def _prove_send(node: Node, target: dict, resource_policies: dict) -> tuple:
    from seslint.prove.api import COUNTEREXAMPLE, PROVEN, outside, prove
    from seslint.prove.decision import build_inputs
    from seslint.prove.strings import View, not_

    boundary = node.principal.permission_boundary
    try:
        inputs = build_inputs(node.documents, account=node.principal.account, region=target["region"],
                              principal_arn=node.arn, permission_boundary=boundary,
                              scps=[(level, ds) for level, ds in node.scps or ()],
                              resource_policies=resource_policies)
        outcome = prove(inputs, within=lambda send: not_(outside(View(send.address), [target["pattern"]])))
    except SeslintError as exc:   # a policy the prover cannot read: unknown, with the reason
        return ("unknown", str(exc))
    if outcome.verdict == PROVEN:
        return ("no",)
    if outcome.verdict != COUNTEREXAMPLE or outcome.witness is None:
        return ("unknown", outcome.reason)
    from seslint.audit.exact import _deciding

    statements, _ = _deciding(inputs, outcome.witness)
    return ("yes", outcome.witness.to_json(), [s.describe() for s in statements])


def _external_ids(trust: dict, key: str) -> list[str]:
    """The ExternalId values the trust policy's conditions name (StringEquals, StringLike...)."""
    out = []
    statements = trust.get("Statement", [])
    for st in statements if isinstance(statements, list) else [statements]:
        conditions = st.get("Condition", {}) if isinstance(st, dict) else {}
        for operator, pairs in (conditions.items() if isinstance(conditions, dict) else ()):
            if not isinstance(pairs, dict) or "Not" in operator:
                continue
            for k, values in pairs.items():
                if k.lower() == key.lower():
                    out += [str(v) for v in (values if isinstance(values, list) else [values])
                            if "*" not in str(v) and "?" not in str(v)]
    return sorted(set(out))


def _name_from(resource: str) -> str:
    """A concrete name that a resource pattern's last part allows ('app-*' -> 'app-seslint-escalation')."""
    last = resource.rsplit("/", 1)[-1].rsplit(":", 1)[-1] if resource else ""
    if not last or last == "*":
        return DEFAULT_NAME
    return last.replace("*", DEFAULT_NAME).replace("?", "x")


def describe(hit) -> str:
    """A statement behind a hop, worded as the audit words its statements."""
    name = f"Sid '{hit.sid}'" if hit.sid else "statement"
    where = f"the permissions boundary {hit.source}" if hit.kind == "boundary" else hit.source
    return f"{hit.effect} {name} in {where} at {hit.pointer or '/'}"


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
