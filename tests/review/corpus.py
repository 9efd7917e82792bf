"""A corpus of SES policy changes, and their ground truth by brute-force enumeration through the evaluator.

`pairs()` builds the changes, deterministically: base policies (every real-world policy of
tests/realworld/corpus that sends, and a few written here) in four formats (policy JSON, CloudFormation
YAML, Terraform plan, SES sending authorization policies), each changed in a known way:
    widen        the change allows sends it did not (a condition, a Deny or a Principal dropped, a resource
                 or an action added)
    narrow       the change only takes away (a condition, a Deny, a narrower resource, an action removed)
    equivalent   the same grants written differently (statements reordered or split, Sids renamed)
    unrelated    an edit outside the policies (another resource of the template or plan, a description)
    added        a new file with a policy that sends; removed: a deleted one

`truth(old, new)` enumerates concrete sends over a domain built from the literals both sides name
(identities, From and recipient patterns instantiated, configuration sets, templates, display names,
accounts and regions, plus outsiders: other.org, the mailbox simulator, another region; the accounts
are those the policies name, or 111122223333, as seslint.scope asks them),
makes every IAM request each send makes (seslint.sendmodel), and asks the evaluator for each on both
sides: a kind of request (action, and the identity, configuration set or template it is on; and the
caller, for a sending authorization policy) is gained when some request of it is allowed by the new
side only, lost when by the old only. The model's own limits apply to both: the From domain in lower
case, the feedback address the From address, a verified parent domain not a route.
"""

from __future__ import annotations

import copy
import functools
import itertools
import json
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
REALWORLD = ROOT / "tests" / "realworld" / "corpus"
ACCOUNT = "111122223333"
ARN = f"arn:aws:ses:us-east-1:{ACCOUNT}"
SEND_ACTIONS = ("ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail",
                "ses:SendBulkEmail")
GUARD = {"ForAllValues:StringLike": {"ses:Recipients": ["*@example.com"]}, "Null": {"ses:Recipients": "false"}}

WRITTEN = {   # base policies written here, beside the real-world ones
    "guarded-sender": {"Version": "2012-10-17", "Statement": [
        {"Sid": "Send", "Effect": "Allow", "Action": ["ses:SendEmail", "ses:SendRawEmail"],
         "Resource": [f"{ARN}:identity/example.com", f"{ARN}:identity/*@example.com"],
         "Condition": {"StringEquals": {"ses:FromAddress": "noreply@example.com"}, **GUARD}}]},
    "templated-with-set": {"Version": "2012-10-17", "Statement": [
        {"Sid": "Templated", "Effect": "Allow", "Action": ["ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail"],
         "Resource": [f"{ARN}:identity/example.com", f"{ARN}:template/welcome",
                      f"{ARN}:configuration-set/transactional"]}]},
    "deny-guardrail": {"Version": "2012-10-17", "Statement": [
        {"Sid": "SendAll", "Effect": "Allow", "Action": "ses:Send*", "Resource": "*"},
        {"Sid": "OnlyInside", "Effect": "Deny", "Action": "ses:Send*", "Resource": "*",
         "Condition": {"ForAnyValue:StringNotLike": {"ses:Recipients": ["*@example.com"]}}}]},
    "eu-app": {"Version": "2012-10-17", "Statement": [
        {"Sid": "EuSend", "Effect": "Allow", "Action": ["ses:SendEmail"],
         "Resource": "arn:aws:ses:eu-west-1:999988887777:identity/example.com", "Condition": GUARD}]},
    "partner-grant": {"Version": "2012-10-17", "Statement": [
        {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
         "Action": ["ses:SendEmail", "ses:SendRawEmail"], "Resource": f"{ARN}:identity/example.com",
         "Condition": {"StringLike": {"ses:FromAddress": "*@example.com"}}}]},
}


@dataclass
class Pair:
    path: str               # the file in the repository
    kind: str               # widen, narrow, equivalent, unrelated, added, removed
    fmt: str                # json, cloudformation, terraform, sending-authorization
    base: str               # where the base policy comes from
    old: str | None         # the file's text at base (None: added)
    new: str | None         # at head (None: removed)


# -- base policies --------------------------------------------------------------------------------

def _statements(doc) -> list:
    raw = doc.get("Statement", [])
    return raw if isinstance(raw, list) else [raw]


def _list(value) -> list:
    return value if isinstance(value, list) else [value]


def _sends(st) -> bool:
    from seslint.core.patterns import matches

    return any(matches(a, s, ignore_case=True) for a in _list(st.get("Action", [])) if isinstance(a, str)
               for s in SEND_ACTIONS)


def bases() -> list[tuple[str, dict]]:
    """(name, policy) for every real-world raw policy that allows a send, then the ones written here."""
    out = []
    for path in sorted(REALWORLD.glob("*/*.json")):
        if path.parent.name == "cloudformation":
            continue
        doc = json.loads(path.read_text())
        if isinstance(doc, dict) and all(isinstance(st, dict) and _modelled(st) for st in _statements(doc)) \
                and any(st.get("Effect") == "Allow" and _sends(st) for st in _statements(doc)):
            out.append((f"{path.parent.name}-{path.stem}", doc))
    return out + sorted(WRITTEN.items())


def _modelled(st: dict) -> bool:
    """A sending statement whose every condition key is one a send sets, and which names an AWS principal
    if any: keys such as aws:CurrentTime or aws:SourceArn are free in the proofs (their answers are
    "unknown", by design), and service principals are not modelled."""
    keys = [k for keys in (st.get("Condition") or {}).values() for k in keys]
    principal = st.get("Principal")
    return all(k.lower().startswith("ses:") for k in keys) and (
        principal is None or principal == "*" or isinstance(principal, dict) and "AWS" in principal)


def is_resource(doc) -> bool:
    return any(isinstance(st, dict) and ("Principal" in st or "NotPrincipal" in st) for st in _statements(doc))


def grants(doc) -> bool:
    """Whether the policy lets someone send by itself: an identity policy that sends, or a sending
    authorization policy that names a caller outside the identity's account (one inside it needs its
    own identity policy too, IAM says, which the comparison does not give it)."""
    from seslint.core.arn import account_of

    if not is_resource(doc):
        return True
    for i in _senders(doc):
        st = _statements(doc)[i]
        owners = {account_of(r) for r in _list(st.get("Resource", [])) if isinstance(r, str)}
        principal = st.get("Principal")
        names = ["*"] if principal == "*" else _list(principal.get("AWS", [])) if isinstance(principal, dict) else []
        if any(n == "*" or (account_of(n) or n) not in owners for n in names if isinstance(n, str)):
            return True
    return False


# -- changes --------------------------------------------------------------------------------------

def _with(doc, statements):
    return {**doc, "Statement": statements}


def _senders(doc):
    return [i for i, st in enumerate(_statements(doc)) if isinstance(st, dict) and st.get("Effect") == "Allow"
            and "Action" in st and _sends(st)]


def widen_drop_condition(doc, rng):
    found = [i for i in _senders(doc) if _statements(doc)[i].get("Condition")]
    if not found:
        return None
    sts = copy.deepcopy(_statements(doc))
    del sts[rng.choice(found)]["Condition"]
    return _with(doc, sts)


def widen_add_action(doc, rng):
    found = _senders(doc)
    if not found:
        return None
    sts = copy.deepcopy(_statements(doc))
    st = sts[rng.choice(found)]
    missing = [a for a in ("ses:SendTemplatedEmail", "ses:SendRawEmail", "ses:SendEmail")
               if not any(a.lower() == x.lower() or x == "ses:*" or x.lower() == "ses:send*" for x in _list(st["Action"]))]
    if not missing:
        return None
    st["Action"] = [*_list(st["Action"]), missing[0]]
    return _with(doc, sts)


def widen_any_identity(doc, rng):
    found = [i for i in _senders(doc) if any(":identity/" in r for r in _list(_statements(doc)[i].get("Resource", [])))]
    if not found:
        return None
    sts = copy.deepcopy(_statements(doc))
    st = sts[rng.choice(found)]
    st["Resource"] = [r for r in _list(st["Resource"]) if ":identity/" not in r] + ["*"]
    return _with(doc, sts)


def widen_drop_deny(doc, rng):
    denies = [i for i, st in enumerate(_statements(doc)) if isinstance(st, dict) and st.get("Effect") == "Deny"]
    if not denies:
        return None
    sts = copy.deepcopy(_statements(doc))
    del sts[denies[0]]
    return _with(doc, sts)


def widen_principal(doc, rng):
    found = [i for i in _senders(doc) if isinstance(_statements(doc)[i].get("Principal"), dict)
             and _statements(doc)[i]["Principal"].get("AWS") not in ("*", ["*"])]
    if not found:
        return None
    sts = copy.deepcopy(_statements(doc))
    sts[found[0]]["Principal"] = {"AWS": "*"}
    return _with(doc, sts)


def narrow_guard(doc, rng):
    found = _senders(doc)
    if not found or any("ses:Recipients" in (_statements(doc)[i].get("Condition") or {}).get(
            "ForAllValues:StringLike", {}) for i in found):
        return None
    sts = copy.deepcopy(_statements(doc))
    for i in found:   # only the mailbox simulator (ForAllValues, with the guard against an empty list)
        conditions = sts[i].setdefault("Condition", {})
        conditions.setdefault("ForAllValues:StringLike", {})["ses:Recipients"] = "*@simulator.amazonses.com"
        conditions.setdefault("Null", {})["ses:Recipients"] = "false"
    return _with(doc, sts)


def narrow_deny(doc, rng):
    """A Deny of one send action that an Allow statement names."""
    from seslint.core.patterns import matches

    allowed = [s for i in _senders(doc) for s in SEND_ACTIONS
               if any(matches(a, s, ignore_case=True) for a in _list(_statements(doc)[i]["Action"]))]
    if not allowed:
        return None
    deny = {"Sid": "NoThis", "Effect": "Deny", "Action": allowed[0], "Resource": "*"}
    if is_resource(doc):
        deny["Principal"] = {"AWS": "*"}
    return _with(doc, [*copy.deepcopy(_statements(doc)), deny])


def narrow_remove_action(doc, rng):
    found = [i for i in _senders(doc) if len([a for a in _list(_statements(doc)[i]["Action"])
                                              if a.lower() in {s.lower() for s in SEND_ACTIONS}]) > 1]
    if not found:
        return None
    sts = copy.deepcopy(_statements(doc))
    st = sts[found[0]]
    st["Action"] = [a for a in _list(st["Action"]) if a.lower() != "ses:sendrawemail"] \
        if any(a.lower() == "ses:sendrawemail" for a in st["Action"]) else _list(st["Action"])[1:]
    return _with(doc, sts)


def narrow_resource(doc, rng):
    found = [i for i in _senders(doc) if "*" in _list(_statements(doc)[i].get("Resource", []))]
    if not found:
        return None
    sts = copy.deepcopy(_statements(doc))
    for i in found:
        sts[i]["Resource"] = [r if r != "*" else f"{ARN}:identity/example.com" for r in _list(sts[i]["Resource"])]
    return _with(doc, sts)


def same_reordered(doc, rng):
    sts = [copy.deepcopy(st) for st in reversed(_statements(doc))]
    for st in sts:
        if isinstance(st, dict) and isinstance(st.get("Action"), list):
            st["Action"] = list(reversed(st["Action"]))
    return _with(dict(reversed(list(doc.items()))), sts)


def same_renamed(doc, rng):
    sts = copy.deepcopy(_statements(doc))
    for n, st in enumerate(sts):
        if isinstance(st, dict):
            st["Sid"] = f"Renamed{n}"
    return _with(doc, sts)


def same_split(doc, rng):
    out, split = [], False
    for st in _statements(doc):
        actions = st.get("Action") if isinstance(st, dict) else None
        if isinstance(actions, list) and len(actions) > 1 and not split:
            out += [{**copy.deepcopy(st), "Action": a, **({"Sid": f"{st['Sid']}{k}"} if st.get("Sid") else {})}
                    for k, a in enumerate(actions)]
            split = True
        else:
            out.append(copy.deepcopy(st))
    return _with(doc, out) if split else None


CHANGES = {"widen": (widen_drop_condition, widen_add_action, widen_any_identity, widen_drop_deny, widen_principal),
           "narrow": (narrow_guard, narrow_deny, narrow_remove_action, narrow_resource),
           "equivalent": (same_reordered, same_renamed, same_split)}


# -- containers -----------------------------------------------------------------------------------

def as_json(doc, extra=None) -> str:
    return json.dumps({"Id": extra, **doc} if extra else doc, indent=2) + "\n"


def as_cloudformation(doc, extra="mail-archive") -> str:
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Description": f"sender ({extra})",
                "Resources": {"Archive": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": extra}},
                              "SenderPolicy": {"Type": "AWS::IAM::ManagedPolicy",
                                               "Properties": {"PolicyDocument": doc}}}}
    return yaml.safe_dump(template, sort_keys=False)


def as_terraform(doc, extra="mail-archive") -> str:
    kind = "aws_ses_identity_policy" if is_resource(doc) else "aws_iam_policy"
    values = {"policy": json.dumps(doc), "name": "sender"}
    if kind == "aws_ses_identity_policy":
        values["identity"] = f"{ARN}:identity/example.com"
    plan = {"format_version": "1.2", "terraform_version": "1.7.5", "planned_values": {"root_module": {"resources": [
        {"address": "aws_s3_bucket.archive", "mode": "managed", "type": "aws_s3_bucket", "name": "archive",
         "values": {"bucket": extra}},
        {"address": f"{kind}.sender", "mode": "managed", "type": kind, "name": "sender", "values": values}]}}}
    return json.dumps(plan, indent=2) + "\n"


FORMATS = {"json": ("policies", ".json", as_json), "cloudformation": ("templates", ".yaml", as_cloudformation),
           "terraform": ("plans", ".json", as_terraform)}


def pairs() -> list[Pair]:
    """The corpus, in a fixed order (seeded choices)."""
    out: list[Pair] = []
    for n, (name, doc) in enumerate(bases()):
        rng = random.Random(n)
        resource = is_resource(doc)
        formats = ["json", "terraform"] if resource else ["json", "cloudformation", "terraform"]
        fmt = formats[n % len(formats)]
        label = "sending-authorization" if resource else fmt
        folder, ext, write = FORMATS[fmt]
        # a policy that lets no one send by itself can only be widened by naming someone who can
        kinds = {k: [c for c in changes if c(doc, random.Random(n)) is not None
                     and (grants(doc) or k != "widen" or c is widen_principal)]
                 for k, changes in CHANGES.items() if k != "narrow" or grants(doc)}
        same = "unrelated" if fmt != "json" and n % 2 else "equivalent"
        for kind in ("widen", "narrow", "equivalent"):
            if kinds.get(kind) and (kind != "equivalent" or same == kind):
                change = kinds[kind][n % len(kinds[kind])]
                new = change(doc, rng)
                out.append(Pair(f"{folder}/{kind}/{name}{ext}", kind, label, name, write(doc), write(new)))
        if same == "unrelated":
            out.append(Pair(f"{folder}/unrelated/{name}{ext}", "unrelated", label, name, write(doc),
                            write(doc, "mail-archive-2")))
        if not grants(doc):
            continue
        # each its own text: git pairs a removed file with an added one of the same content (a move)
        if n % 4 == 0:
            out.append(Pair(f"{folder}/added/{name}{ext}", "added", label, name, None, write(doc, name)))
        elif n % 4 == 2:
            out.append(Pair(f"{folder}/removed/{name}{ext}", "removed", label, name, write(doc, name), None))
    return out


# -- ground truth ---------------------------------------------------------------------------------

def _condition_values(values, key: str):
    for doc in values:
        for st in _statements(doc):
            for keys in (st.get("Condition") or {}).values() if isinstance(st, dict) else ():
                for k, v in keys.items():
                    if k.lower() == key:
                        yield from (x for x in _list(v) if isinstance(x, str) and "${" not in x)


def _instance(pattern: str) -> str:
    return pattern.replace("*", "x").replace("?", "x")


def domain(values) -> dict:
    """The values a send takes in the enumeration: from the literals both sides name, and outsiders."""
    from seslint.core.arn import ACCOUNT as ACCOUNT_ID, parse

    arns = [a for doc in values for st in _statements(doc) if isinstance(st, dict)
            for r in _list(st.get("Resource", [])) + _list(st.get("NotResource", [])) if isinstance(r, str)
            for a in [parse(r)] if a is not None and a.service == "ses"]
    names = {kind: {_instance(a.resource.split("/", 1)[1]) for a in arns
                    if a.resource.startswith(kind + "/") and "${" not in a.resource}
             for kind in ("identity", "configuration-set", "template")}
    froms = {"a@example.com", "z@other.org"}
    named = {_instance(v) for key in ("ses:fromaddress", "ses:feedbackaddress") for v in _condition_values(values, key)}
    for name in names["identity"] | named:
        local, at, host = name.rpartition("@")
        host = host.lower()
        if "." in host and host.replace(".", "").replace("-", "").isalnum():
            froms.add(f"{local or 'a'}@{host}" if at else f"a@{host}")
    accounts = {a.account for a in arns if ACCOUNT_ID.fullmatch(a.account)}
    regions = {a.region for a in arns if a.region and not any(c in a.region for c in "*?$")}
    recipients = {"success@simulator.amazonses.com", "z@other.org", "r@example.com"}
    recipients |= {_instance(v) for v in _condition_values(values, "ses:recipients") if "@" in v}
    return {
        "froms": sorted(froms),
        "displays": sorted({""} | {_instance(v) for v in _condition_values(values, "ses:fromdisplayname")}),
        "lists": [list(c) for k in (1, 2) for c in itertools.combinations(sorted(recipients), k)],
        "sets": sorted({"cs1"} | {n for n in names["configuration-set"] if n.replace("-", "").replace("_", "").isalnum()}),
        "templates": sorted({"t1"} | {n for n in names["template"] if n.replace("-", "").replace("_", "").isalnum()}),
        "accounts": sorted(accounts or {ACCOUNT}),   # the accounts seslint.scope asks
        "regions": sorted({"af-south-1"} | (regions or {"us-east-1"})),
    }


@functools.lru_cache(maxsize=200_000)
def _plan(api, content, cs, sender, display, to, template, account, region):
    from seslint.errors import SeslintError
    from seslint.sendmodel import Send, plan

    try:
        planned = plan(Send(sender=f"{display} <{sender}>" if display else sender, to=to, api=api, content=content,
                            configuration_set=cs, template=template, account=account, region=region))
    except SeslintError:
        return ()
    domain = sender.rsplit("@", 1)[1]
    requests = [r for r in planned.requests if r.alternative is None or r.alternative.identity in (sender, domain)]
    extra = {k: v for r in requests for k, v in r.uncertain.items()}
    out = []
    for reading in ((0, 1) if extra else (0,)):
        for r in requests:
            context = {**r.context, **({k: v for k, v in extra.items() if k in r.uncertain} if reading else {})}
            out.append((r.action, r.resource, "identity" if r.alternative else r.role,
                        json.dumps(context, sort_keys=True)))
    return tuple(out)


def requests(dom: dict, account: str, region: str):
    """Every distinct request of every send over the domain in one account and region."""
    from seslint.sendmodel import SEND_KINDS

    seen = set()
    for (api, content), cs, sender, display, to in itertools.product(
            SEND_KINDS, [None, *dom["sets"]], dom["froms"], dom["displays"], dom["lists"]):
        for template in (dom["templates"] if content in ("template", "bulk") else [None]):
            for r in _plan(api, content, cs, sender, display, tuple(to), template, account, region):
                if r not in seen:
                    seen.add(r)
                    yield r


def _policies(subject, account: str, region: str, caller: str | None):
    """The evaluator's policies and caller for one side: what `seslint review` compares, written out."""
    from seslint.evaluate.engine import Policies
    from seslint.evaluate.matching import Caller
    from seslint.prove.decision import build_inputs
    from seslint.review.compare import ALLOW_ALL, deploy_time

    docs = [deploy_time(d.value) for d in subject.docs] if subject else []
    if caller:
        own = [] if caller.split(":")[4] == account else [ALLOW_ALL]
        inputs = build_inputs(own, account=account, region=region, principal_arn=caller,
                              resource_policies={None: docs})
    else:
        inputs = build_inputs(docs, account=account, region=region)
    policies = Policies(identity=inputs.identity, resources=[cp for _, cp in inputs.resources])
    return policies, inputs.caller or Caller(account=account)


def truth(old, new) -> dict[str, set]:
    """{"gained": {(action, resource, caller)}, "lost": {...}} by enumeration (module docstring)."""
    from seslint.evaluate.engine import decide
    from seslint.evaluate.matching import Request
    from seslint.review.compare import callers, deploy_time

    subjects = [s for s in (old, new) if s is not None]
    values = [deploy_time(d.value) for s in subjects for d in s.docs]
    dom = domain(values)
    resource = any(s.kind == "resource" for s in subjects)
    out: dict[str, set] = {"gained": set(), "lost": set()}
    for account, region in itertools.product(dom["accounts"], dom["regions"]):
        for caller in callers(values, account) if resource else [None]:
            sides = [_policies(s, account, region, caller) for s in (old, new)]
            for action, arn, role, context in requests(dom, account, region):
                kind = (action, role, caller)
                if kind in out["gained"] and kind in out["lost"]:
                    continue
                ctx = json.loads(context)
                allowed = []
                for policies, who in sides:
                    lowered = {k.lower(): v for k, v in ctx.items()}
                    for key, value in who.context_defaults().items():
                        if value is not None:
                            lowered.setdefault(key, value)
                    on_identity = ":identity/" in arn
                    chosen = policies if on_identity else type(policies)(identity=policies.identity)
                    allowed.append(decide(chosen, who, Request(action, arn, lowered, {})).allowed)
                if allowed[1] and not allowed[0]:
                    out["gained"].add(kind)
                if allowed[0] and not allowed[1]:
                    out["lost"].add(kind)
    return out
