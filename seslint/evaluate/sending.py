"""can-send: every IAM request SES makes for one send, each evaluated.

Derivation, from the matrix (rules/quirks.json):
- the API operation and content variant give the actions and resource types
  (operation-mapping quirks, e.g. v2 SendEmail with raw content -> ses:SendRawEmail);
- the identity resource is checked as the address identity or its domain identity, whichever
  is verified (identity-arn-address-or-domain): both are evaluated, and the send counts as
  allowed only when both are;
- the configuration-set ARN only when a configuration set applies, the template ARN only for
  templated sends (extra-send-configuration-set-arn, extra-templated-send-template-arn);
- context keys only where the action carries them: ses:FromAddress, ses:FromDisplayName
  ("" for a bare address), ses:FeedbackAddress (the From address when no feedback address is
  set), ses:Recipients (To + Cc + Bcc) and ses:ApiVersion ("1" for v1, "2" for v2, as observed;
  no AWS page documents the values, see quirk ck-api-version). For SMTP no source gives
  ses:ApiVersion: it is left absent, and a policy that conditions on it is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import parseaddr
from functools import cache

from seslint.core.arn import partition_of
from seslint.errors import InputError, UnsupportedError
from seslint.evaluate.engine import ALLOWED, EXPLICIT_DENY, Policies, Result, decide
from seslint.evaluate.matching import Caller, CompiledPolicy, Request
from seslint.evaluate.scenario import PolicyCache
from seslint.matrix import SENDING_KEYS

APIS = ("v1", "v2", "smtp")
CONTENTS = ("simple", "raw", "template", "bulk")
_OPERATIONS = {
    ("v1", "simple"): "ses:SendEmail", ("v1", "raw"): "ses:SendRawEmail",
    ("v1", "template"): "ses:SendTemplatedEmail", ("v1", "bulk"): "ses:SendBulkTemplatedEmail",
    ("v2", "simple"): "sesv2:SendEmail:simple", ("v2", "raw"): "sesv2:SendEmail:raw",
    ("v2", "template"): "sesv2:SendEmail:template", ("v2", "bulk"): "sesv2:SendBulkEmail",
    ("smtp", "raw"): "smtp:SendRawEmail",
}
_API_VERSION = {"v1": "1", "v2": "2"}
_SEND_KEYS = (*SENDING_KEYS, "ses:ApiVersion")
_ACCOUNT = re.compile(r"\d{12}")


@dataclass(frozen=True)
class PolicyDoc:
    """A policy value with where it came from (file and JSON pointer)."""

    value: object
    source: str = "<policy>"
    pointer: str = ""


@dataclass
class SendRequest:
    action: str
    resource: str
    role: str                 # "address identity", "domain identity", "configuration set", "template"
    context: dict
    result: Result

    def to_json(self) -> dict:
        out = self.result.to_json()
        del out["id"]
        out.update({"action": self.action, "resource": self.resource, "checks": self.role,
                    "context": self.context})
        return out


@dataclass
class SendResult:
    """The requests one send makes; allowed only if every one is."""

    operation: str
    requests: list[SendRequest] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return all(r.result.decision == ALLOWED for r in self.requests)

    @property
    def denied(self) -> list[SendRequest]:
        return [r for r in self.requests if r.result.decision != ALLOWED]

    def advice(self) -> list[str]:
        """What to change so the denied requests are allowed, one line each."""
        out = []
        for r in self.denied:
            res = r.result
            if res.decision == EXPLICIT_DENY:
                for h in res.deciding:
                    out.append(f"{r.action} on {r.resource}: remove or narrow the Deny in {h.describe()}")
                continue
            near = near_misses(r)
            for m in near:
                out.append(f"{r.action} on {r.resource}: {m}")
            for kind in res.missing:
                if not (near and kind == "identity"):
                    out.append(f"{r.action} on {r.resource}: {_add(kind, r)}")
        return out

    def to_json(self) -> dict:
        return {"operation": self.operation, "allowed": self.allowed,
                "decision": "allowed" if self.allowed else next(r.result.decision for r in self.denied),
                "requests": [r.to_json() for r in self.requests], "advice": self.advice(), "notes": self.notes}


def _add(kind: str, r: SendRequest) -> str:
    statement = f'{{"Effect": "Allow", "Action": "{r.action}", "Resource": "{r.resource}"}}'
    return {
        "identity": f"add to an identity-based policy: {statement}",
        "boundary": f"the permissions boundary must also allow it: {statement}",
        "session": f"a session policy must also allow it: {statement}",
        "scp": "every service control policy level must allow it (ask your organization admin)",
        "resource": f"the identity's sending authorization policy must allow this principal: {statement} "
                    "with a Principal naming it",
    }[kind]


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
    import json

    return json.dumps(v, ensure_ascii=False)


def _address(text: str, what: str) -> tuple[str, str]:
    name, addr = parseaddr(text)
    if not addr or "@" not in addr or addr.count("@") != 1 or not addr.split("@")[1]:
        raise InputError(f"{what} '{text}' is not an email address", pointer=None, source=f"--{what}")
    return name, addr


def derive(*, sender: str, to=(), cc=(), bcc=(), api: str = "v2", content: str = "simple",
           configuration_set: str | None = None, template: str | None = None, region: str = "us-east-1",
           account: str) -> tuple[str, list[tuple[str, str, str, dict]]]:
    """The operation and the (action, resource ARN, role, context) of every IAM request of one send."""
    if api not in APIS:
        raise UnsupportedError(f"unknown api '{api}'", help="use v1, v2 or smtp")
    if content not in CONTENTS:
        raise UnsupportedError(f"unknown content '{content}'", help="use simple, raw, template or bulk")
    if api == "smtp" and content == "simple":
        content = "raw"   # SMTP sends a raw MIME message
    spec = _OPERATIONS.get((api, content))
    if spec is None:
        raise UnsupportedError(f"the {api} interface has no {content} send", help="SMTP sends raw content only")
    if content in ("template", "bulk") and not template:
        raise UnsupportedError(f"a {content} send needs --template NAME")
    if not _ACCOUNT.fullmatch(account or ""):
        raise UnsupportedError(f"account '{account}' is not a 12-digit account id")
    display, from_addr = _address(sender, "from")
    recipients = [_address(a, "to")[1] for a in to] + [_address(a, "cc")[1] for a in cc] + \
                 [_address(a, "bcc")[1] for a in bcc]
    if not recipients:
        raise UnsupportedError("a send needs at least one recipient (--to, --cc or --bcc)")
    operation, steps = _plan(spec, content)
    prefix = f"arn:{partition_of(region)}:ses:{region}:{account}"
    domain = from_addr.rsplit("@", 1)[1].lower()
    arns = {"identity": [(f"{prefix}:identity/{from_addr}", "address identity"),
                         (f"{prefix}:identity/{domain}", "domain identity")],
            "configuration-set": [(f"{prefix}:configuration-set/{configuration_set}", "configuration set")]
            if configuration_set else [],
            "template": [(f"{prefix}:template/{template}", "template")] if template else []}
    values = {"ses:FromAddress": from_addr, "ses:FromDisplayName": display, "ses:FeedbackAddress": from_addr,
              "ses:Recipients": recipients}
    if api in _API_VERSION:
        values["ses:ApiVersion"] = _API_VERSION[api]
    out = []
    for action, resource_types, keys in steps:
        context = {k: v for k, v in values.items() if k in keys}
        for rtype in resource_types:
            for arn, role in arns.get(rtype, []):
                out.append((action, arn, role, context))
    return operation, out


@cache
def _plan(spec: str, content: str) -> tuple[str, tuple]:
    """What the matrix says one kind of send is authorized against, worked out once per process:
    (operation label, ((action, resource types, send context keys the action carries), ...))."""
    from seslint.matrix import load_matrix

    matrix = load_matrix()
    variants = matrix.operation(spec)
    steps = []
    for variant in variants:
        for auth in variant["authorizes"]:
            action = matrix.require_action(auth["action"])
            keys = frozenset(k for k in _SEND_KEYS if matrix.carries(action, k))
            steps.append((action.full_name, tuple(auth["resources"]), keys))
    return variants[0]["operation"] + (f" ({content})" if variants[0]["variant"] else ""), tuple(steps)


def can_send(identity_policies, *, sender: str, to=(), cc=(), bcc=(), api: str = "v2", content: str = "simple",
             configuration_set: str | None = None, template: str | None = None, region: str = "us-east-1",
             account: str, principal_arn: str | None = None, permission_boundary=None,
             resource_policies: dict | None = None, scps=None, session_policies=(),
             explain: bool = True, cache: PolicyCache | None = None) -> SendResult:
    """Evaluate every IAM request SES makes for this send.

    Policies are dicts or PolicyDoc. `resource_policies` maps an identity ARN (or identity name,
    e.g. "example.com") to its sending authorization policies; `scps` is a list of
    (level, [policies]) from the root down. Pass one `cache` to many calls with the same
    policies (e.g. probe sends) to compile them once.
    """
    operation, requests = derive(sender=sender, to=to, cc=cc, bcc=bcc, api=api, content=content,
                                 configuration_set=configuration_set, template=template, region=region,
                                 account=account)
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
    caller = Caller.from_arn(principal_arn) if principal_arn else Caller(account=account)
    result = SendResult(operation)
    if api == "smtp":
        _refuse_api_version(identity + session + ([boundary] if boundary else [])
                            + [cp for _, cps in scp_levels for cp in cps]
                            + [cp for cps in by_identity.values() for cp in cps])
        result.notes.append("ses:ApiVersion is left absent for SMTP: no source documents its value")
    for action, arn, role, context in requests:
        name = arn.split(":identity/", 1)[1] if ":identity/" in arn else None
        policies = Policies(identity=identity, boundary=boundary, session=session, scps=scp_levels,
                            resources=by_identity.get(arn, []) + (by_identity.get(name, []) if name else []))
        ctx = {k.lower(): v for k, v in context.items()}
        for key, value in caller.context_defaults().items():
            if value is not None:
                ctx.setdefault(key, value)
        request = Request(action, arn, ctx, {k.lower(): k for k in context})
        res = decide(policies, caller, request, explain=explain)
        result.requests.append(SendRequest(action, arn, role, dict(context), res))
    if any(r.role == "address identity" for r in result.requests):
        result.notes.append("SES checks the address identity when the address itself is verified, otherwise "
                            "its domain identity; both are evaluated here")
    return result


def _refuse_api_version(policies: list[CompiledPolicy]) -> None:
    for cp in policies:
        for cs in cp.statements:
            for cc in cs.conditions:
                if cc.key == "ses:apiversion":
                    raise InputError("this policy conditions on ses:ApiVersion, whose value for SMTP sends is "
                                     "undocumented", source=cp.policy.source, pointer=cc.cond.pointer,
                                     help="evaluate with --api v1 or --api v2, or drop the condition")

