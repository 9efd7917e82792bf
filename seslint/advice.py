"""can-send's advice for a denied send: what to change, and the amended policy proven to keep its limits.

The amended policy is the smallest change found: the Allow statement nearest to the send (one that
already allows some of its requests, else one that names its identity, else the first Allow) gains
the actions and resources the send's denied requests need, and keeps its conditions. It is offered
only when (1) the evaluator allows the send with it, and (2) the prover shows that every recipient and
sender limit the original policies guaranteed (the patterns their Allow conditions on `ses:Recipients`
and `ses:FromAddress` name) still holds over every possible send. Where no such change exists, the
advice says why instead of proposing one.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace

from seslint.cansend import SendResult, check_send
from seslint.policy import PolicyDoc, read_policy
from seslint.sendmodel import Send

_LIMITS = (("ses:recipients", "recipients_within", "recipients"), ("ses:fromaddress", "senders_within", "senders"))
_POSITIVE = ("StringLike", "StringEquals", "StringEqualsIgnoreCase")


@dataclass
class Advice:
    summary: str
    policy: dict | None = None

    def to_json(self) -> dict:
        out: dict = {"summary": self.summary}
        if self.policy is not None:
            out["policy"] = self.policy
        return out


def advise(result: SendResult, send: Send, identity_policies: list, **kwargs) -> list[Advice]:
    """The advice for a send `check_send(send, identity_policies, **kwargs)` answered with `result`."""
    if result.allowed or result.decision == "unknown":
        return []
    lines = [Advice(line) for line in result.advice()]
    blocking = result.blocking
    if not blocking or any(r.result.decision != "implicitDeny" or r.result.missing != ["identity"]
                           for r in blocking if r.alternative is None):
        return lines   # an explicit deny, a boundary, an SCP or a cross-account grant: not this policy's to fix
    docs = [p if isinstance(p, PolicyDoc) else PolicyDoc(p, f"<identity policy {i + 1}>")
            for i, p in enumerate(identity_policies)]
    found, guaranteed = _amend(result, send, docs, kwargs)
    # A bare new statement would lift the limits the policies guarantee: offer it only where they guarantee none
    others = [a for a in lines if "add to an identity-based policy" not in a.summary] if guaranteed or \
        not isinstance(found, str) else lines
    if isinstance(found, str):
        return [*others, Advice(found)]
    _, amended, summary = found
    return [Advice(summary, amended), *others]


def _amend(result: SendResult, send: Send, docs: list[PolicyDoc], kwargs: dict):
    """((index of the amended document, its new value, a summary) or why no change is offered, the limits
    the original policies guarantee)."""
    limits = _limits(docs)
    guaranteed = {name: patterns for name, patterns in limits.items() if _holds(docs, send, kwargs, name, patterns)}
    respelt = _respelt(result, docs)
    if respelt is not None:   # the Allow meant for the send is there, misspelt: spell it as meant
        doc_index, value, summary = respelt
        amended = [replace(d, value=value) if i == doc_index else d for i, d in enumerate(docs)]
        if check_send(send, amended, **kwargs).allowed and all(
                _holds(amended, send, kwargs, name, patterns) for name, patterns in guaranteed.items()):
            return respelt, guaranteed
    excluded = None
    for doc_index, stmt_index, stmt in _candidates(result, docs):
        for alternative in _alternatives(result, stmt):
            needed = [r for r in result.requests if not r.allowed() and r.alternative in (None, alternative)]
            value = _extended(docs[doc_index].value, stmt_index, needed)
            if value is None:
                continue
            amended = [replace(d, value=value) if i == doc_index else d for i, d in enumerate(docs)]
            if not check_send(send, amended, **kwargs).allowed:
                excluded = excluded or stmt
                continue
            broken = [name for name, patterns in guaranteed.items()
                      if not _holds(amended, send, kwargs, name, patterns)]
            if broken:
                continue
            what = f"Sid '{stmt.sid}'" if stmt.sid else f"the statement at {stmt.pointer}"
            kept = "; ".join(f"{name} stay within {', '.join(guaranteed[name])}" for name in sorted(guaranteed))
            summary = (f"extend {what} ({docs[doc_index].source}) with "
                       f"{', '.join(sorted({r.action for r in needed}))} on "
                       f"{', '.join(sorted({r.resource for r in needed}))}, keeping its conditions"
                       + (f"; proven: {kept}, as before" if kept else ""))
            return (doc_index, value, summary), guaranteed
    if not guaranteed and (found := _new_statement(result, send, docs, kwargs)) is not None:
        return found, guaranteed
    if guaranteed:
        limits_text = "; ".join(f"{name} within {', '.join(p)}" for name, p in sorted(guaranteed.items()))
        return (f"no change to the policies allows this send and keeps what they guarantee ({limits_text}): the send "
                "itself lies outside those limits" if excluded is not None else
                f"no change to one statement allows this send and keeps what the policies guarantee ({limits_text})"
                ), guaranteed
    return "no Allow statement can be extended to allow this send: add a statement for it", guaranteed


def _respelt(result: SendResult, docs: list[PolicyDoc]):
    """(document index, the document with the misspelt names that decide a denied request of the send spelt
    as lint suggests, a summary), or None (`seslint.names`)."""
    denied = {r.action for r in result.requests if not r.allowed()}
    for i, doc in enumerate(docs):
        names = [u for u in result.names if u.effect == "Allow" and u.suggestion and denied & set(u.governs)
                 and u.source == doc.source and u.pointer.startswith(doc.pointer + "/")]
        if names:
            value = copy.deepcopy(doc.value)
            for u in names:
                _respell(value, u.pointer[len(doc.pointer):], u.name, u.suggestion)
            spelt = ", ".join(f"'{u.name}' as '{u.suggestion}' (at {u.pointer})" for u in names)
            return i, value, f"spell {spelt} in {doc.source}"
    return None


def _respell(value, pointer: str, name: str, suggestion: str) -> None:
    """Replace `name` at `pointer` in `value` by `suggestion`: an action string, or a condition key (a member name)."""
    *path, last = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    parent = value
    for token in path:
        parent = parent[int(token)] if isinstance(parent, list) else parent[token]
    if isinstance(parent, list):
        parent[int(last)] = suggestion
    elif last == name:
        items = list(parent.items())
        parent.clear()
        parent.update((suggestion if k == name else k, v) for k, v in items)
    else:
        parent[last] = suggestion


def _new_statement(result: SendResult, send: Send, docs: list[PolicyDoc], kwargs: dict):
    """(0, the first policy (or a new one) with a statement for exactly this send's denied requests, a
    summary), when no statement can be extended and the policies guarantee no limit a new statement could lift."""
    docs = docs or [PolicyDoc({"Version": "2012-10-17", "Statement": []}, "a new identity policy")]
    value = copy.deepcopy(docs[0].value)
    statements = value.get("Statement") if isinstance(value, dict) else None
    if not isinstance(statements, (list, dict)):
        return None
    for alternative in _alternatives(result, None):
        needed = [r for r in result.requests if not r.allowed() and r.alternative in (None, alternative)]
        actions = sorted({r.action for r in needed})
        resources = sorted({r.resource for r in needed})
        statement = {"Sid": "AllowThisSend", "Effect": "Allow", "Action": actions if len(actions) > 1 else actions[0],
                     "Resource": resources if len(resources) > 1 else resources[0]}
        amended = dict(value, Statement=[*(statements if isinstance(statements, list) else [statements]), statement])
        if check_send(send, [replace(docs[0], value=amended), *docs[1:]], **kwargs).allowed:
            return 0, amended, (f"add a statement to {docs[0].source} allowing {', '.join(actions)} on "
                                f"{', '.join(resources)}")
    return None


def _limits(docs: list[PolicyDoc]) -> dict[str, list[str]]:
    """The recipient and sender patterns the Allow statements' conditions name (what they may guarantee)."""
    out: dict[str, set[str]] = {}
    for doc in docs:
        for st in read_policy(doc.value, doc.source, doc.pointer).statements:
            if not st.allow:
                continue
            for key, _, name in _LIMITS:
                for c in st.conditions_on(key):
                    if c.base in _POSITIVE and not c.base.endswith("IgnoreCase"):
                        out.setdefault(name, set()).update(str(v) for v in c.values if "${" not in str(v))
    return {name: sorted(patterns) for name, patterns in out.items()}


def _holds(docs: list[PolicyDoc], send: Send, kwargs: dict, name: str, patterns: list[str]) -> bool:
    """Whether every send the policies allow (in the send's account and region) keeps `name` within `patterns`."""
    from seslint.prove.api import PROVEN, prove
    from seslint.prove.decision import build_inputs

    prop = "recipients_within" if name == "recipients" else "senders_within"
    resources = kwargs.get("resource_policies")
    inputs = build_inputs(docs, account=send.account, region=send.region, principal_arn=kwargs.get("principal_arn"),
                          permission_boundary=kwargs.get("permission_boundary"),
                          session_policies=kwargs.get("session_policies", ()), scps=kwargs.get("scps"),
                          resource_policies={None if k == "*" else k: v for k, v in resources.items()} if resources else None)
    outcome = prove(inputs, recipients_within=patterns) if prop == "recipients_within" else \
        prove(inputs, senders_within=patterns)
    return outcome.verdict == PROVEN


def _candidates(result: SendResult, docs: list[PolicyDoc]):
    """(document index, statement index, statement) of each Allow statement, nearest first: those that
    already allow a request of the send, then those whose resources name its identity, then the rest."""
    allowing = {(h.source, h.pointer) for r in result.requests if r.allowed() for h in r.result.hits
                if h.effect == "Allow" and h.kind == "identity"}
    identities = {r.resource for r in result.requests if r.alternative is not None}
    found = []
    for d, doc in enumerate(docs):
        for st in read_policy(doc.value, doc.source, doc.pointer).statements:
            if st.allow and st.actions is not None and st.resources is not None:
                rank = 0 if (doc.source, st.pointer) in allowing else 1 if set(st.resources) & identities else 2
                index = int(st.pointer.rsplit("/", 1)[1]) if st.pointer.rsplit("/", 1)[1].isdigit() else 0
                found.append((rank, d, index, st))
    return [(d, i, st) for _, d, i, st in sorted(found, key=lambda x: (x[0], x[1], x[2]))]


def _alternatives(result: SendResult, stmt) -> list:
    """The sender identities to extend the statement for: one it names first, then the domain, then the rest."""
    group = next((alts for name, alts in result.plan.groups if name == "sender"), ())
    named = [a for a in group if stmt is not None and a.arn in (stmt.resources or ())]
    domains = [a for a in group if "@" not in a.identity and a not in named]
    rest = [a for a in group if a not in named and a not in domains]
    return [*named, *domains, *rest] or [None]


def _extended(value, stmt_index: int, needed) -> dict | None:
    """The policy document with statement `stmt_index` extended by the `needed` requests' actions and
    resources; None when it cannot be (its Statement is not a list or object as expected)."""
    value = copy.deepcopy(value)
    statements = value.get("Statement") if isinstance(value, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
        value["Statement"] = statements
    if not isinstance(statements, list) or not isinstance(statements[stmt_index], dict):
        return None
    st = statements[stmt_index]
    actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
    resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
    for r in needed:
        if r.action not in actions and not _covers(actions, r.action, True):
            actions.append(r.action)
        if "*" not in resources and not _covers(resources, r.resource, False):
            resources.append(r.resource)
    st["Action"] = actions if len(actions) > 1 else actions[0]
    st["Resource"] = resources if len(resources) > 1 else resources[0]
    return value


def _covers(patterns: list, value: str, action: bool) -> bool:
    from seslint.core.patterns import arn_glob, matches

    for p in patterns:
        if action and matches(p, value, ignore_case=True):
            return True
        if not action and (rx := arn_glob(p, True)) is not None and rx.fullmatch(value):
            return True
    return False
