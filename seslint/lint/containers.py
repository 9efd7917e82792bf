"""Where else policies hide in templates: `Fn::If` branches, SAM `Policies` (inline, managed names,
policy templates), Serverless Framework role statements, and the places seslint cannot read.

Each finder yields `Found` items; inputs.py turns them into PolicyUnits (or SES059 notes).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import NamedTuple

from seslint.jsondoc import join

NO_VALUE = {"Ref": "AWS::NoValue"}
MAX_CONDITIONS = 3  # up to 2**3 combinations of Fn::If conditions; beyond, all-true and all-false only
_AWS_MANAGED_SES = re.compile(r"(?:^|:policy/(?:service-role/)?)AmazonSES\w*$")
# "ses" as a word of its own in any case or as a CamelCase/snake part: ses:SendEmail, AWS::SES::, SesSend, SES_FROM
# an IAM policy variable (`${aws:username}`, `${!aws:username}` inside Fn::Sub), not `${AWS::Region}`
_POLICY_VARIABLE = re.compile(r"\$\{!?(?:[A-Za-z0-9-]+:[^}:]+|[*?$])\}")
_SES_TEXT = re.compile(r"(?<![A-Za-z])(?:ses|SES|Ses)(?![a-z])")


class Found(NamedTuple):
    """A policy document at `pointer` (value None: an SES059 note with `note` as the message).

    `remap`, when set, maps pointers inside `value` back to the file; `note` is appended to messages."""

    pointer: str
    value: object
    note: str | None = None
    remap: object = None
    name: str | None = None
    certain: bool = True  # False: a note about a hidden document, worth saying only when the file mentions SES
    kind: str | None = None   # the unit's kind when the container does not decide it (an AWS managed policy)


AWS_MANAGED = "aws-managed"   # a bundled AWS managed policy a template attaches: only never-granted applies


def aws_managed(text: str, pointer: str, suffix: str = ""):
    """A Found for an AWS managed policy that a template names: its bundled document (every pointer into
    it placed at the name), SES059 for an AmazonSES* policy seslint does not have, else nothing."""
    from seslint.managed import find

    policy = find(text)
    if policy is not None:
        yield Found(pointer, policy.document, f"{policy.label}{suffix}", remap=lambda _p: pointer,
                    name=policy.name, kind=AWS_MANAGED)
    elif _AWS_MANAGED_SES.search(text):
        yield Found(pointer, None, f"AWS managed policy '{text.rsplit('/', 1)[-1]}' is not read by seslint: its SES "
                                   f"grants are not checked{suffix}")


def mentions_ses(text: str | None) -> bool:
    return text is None or _SES_TEXT.search(text) is not None


# -- Fn::If ------------------------------------------------------------------------------------

def _conditions(value, out: set) -> set:
    if isinstance(value, dict):
        arg = value.get("Fn::If")
        if len(value) == 1 and isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str):
            out.add(arg[0])
        for v in value.values():
            _conditions(v, out)
    elif isinstance(value, list):
        for v in value:
            _conditions(v, out)
    return out


def branches(value, base: str):
    """(label, value, remap) for each choice of the `Fn::If` conditions inside a policy document; one
    item with label None when there is none. `remap` maps an absolute pointer into the chosen value
    back to the pointer in the file."""
    names = sorted(_conditions(value, set()))
    if not names:
        return [(None, value, None)]
    if len(names) <= MAX_CONDITIONS:
        choices = [{n: bool(bits >> i & 1) for i, n in enumerate(names)} for bits in range(2 ** len(names))][::-1]
    else:
        choices = [dict.fromkeys(names, True), dict.fromkeys(names, False)]
    out = []
    for choice in choices:
        mapping: dict[str, str] = {}
        chosen = _choose(value, "", "", choice, mapping)
        if chosen is _DROP:
            continue
        label = "when " + ", ".join(f"'{n}' is {str(v).lower()}" for n, v in sorted(choice.items()))
        out.append((label, chosen, _remapper(base, mapping)))
    return out


_DROP = object()


def _choose(value, new: str, old: str, choice: dict, mapping: dict):
    mapping[new] = old
    if isinstance(value, dict):
        arg = value.get("Fn::If")
        if len(value) == 1 and isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str):
            k = 1 if choice.get(arg[0], True) else 2
            picked = arg[k]
            return _DROP if picked == NO_VALUE else _choose(picked, new, join(old, "Fn::If", k), choice, mapping)
        out = {}
        for key, v in value.items():
            got = _choose(v, join(new, key), join(old, key), choice, mapping)
            if got is not _DROP:
                out[key] = got
        return out
    if isinstance(value, list):
        items: list = []
        for i, v in enumerate(value):
            got = _choose(v, join(new, len(items)), join(old, i), choice, mapping)
            if got is not _DROP:
                items.append(got)
        return items
    return value


def _remapper(base: str, mapping: dict):
    def remap(pointer: str) -> str:
        rel, suffix = pointer[len(base):], ""
        while rel not in mapping and rel:
            rel, _, last = rel.rpartition("/")
            suffix = "/" + last + suffix
        return base + mapping.get(rel, "") + suffix
    return remap


def alternatives(value, pointer: str, label: str | None = None):
    """(value, pointer, label) for each branch of an item that may itself be an `Fn::If`."""
    arg = value.get("Fn::If") if isinstance(value, dict) and len(value) == 1 else None
    if not (isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str)):
        yield value, pointer, label
        return
    for k, truth in ((1, "true"), (2, "false")):
        if arg[k] != NO_VALUE:
            here = f"when '{arg[0]}' is {truth}"
            yield from alternatives(arg[k], join(pointer, "Fn::If", k), f"{label}, {here}" if label else here)


# -- SAM ---------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def sam_templates() -> dict:
    from seslint import data

    return data.load("sam-policy-templates.json")


def sam_policies(name: str, policies, base: str):
    """The policies of an AWS::Serverless::Function or ::StateMachine `Policies` property at `base`."""
    items = policies if isinstance(policies, list) else [policies]
    for i, item in enumerate(items):
        here = join(base, i) if isinstance(policies, list) else base
        for value, pointer, label in alternatives(item, here):
            yield from _sam_item(name, value, pointer, label)


def _sam_item(name: str, item, pointer: str, label: str | None):
    suffix = f", {label}" if label else ""
    if isinstance(item, str):
        yield from aws_managed(item, pointer, suffix)
        return
    if not isinstance(item, dict):
        return
    if "Statement" in item:
        if "Version" not in item and not _POLICY_VARIABLE.search(json.dumps(item)):
            # SAM deploys it as written; with no policy variable the 2008-10-17 default reads the same
            item = {"Version": "2012-10-17", **item}
        yield Found(pointer, item, label, name=f"{name}/Policies")
        return
    if len(item) != 1:
        return
    (key, params), = item.items()
    data = sam_templates()
    if key in data["templates"]:
        template = data["templates"][key]
        yield Found(pointer, expand_template(template, params), f"SAM policy template {key}{suffix}",
                    remap=lambda _p, where=pointer: where, name=f"{name}/{key}")
    elif key.startswith(("Fn::", "Ref")):
        yield Found(pointer, None, f"policy given by '{key}' is known only at deploy time: its SES grants are not "
                                   f"checked{suffix}", certain=False)
    elif key not in data["other_templates"] and key.upper().startswith("SES"):
        yield Found(pointer, None, f"SAM policy template '{key}' is not in aws-sam-translator "
                                   f"{data['source']['package_version']}: its grants are not checked{suffix}")


def expand_template(template: dict, params) -> dict:
    """The template's policy with its parameters filled in (an unknown value stays `${Name}`)."""
    params = params if isinstance(params, dict) else {}
    # SAM deploys the definition without a Version; it holds no policy variables, so 2012-10-17 reads
    # the same, and the user could not add one anyway (missing-version would be noise)
    return {"Version": "2012-10-17", **_fill(template["definition"], params)}


def _fill(value, params: dict):
    if isinstance(value, list):
        return [_fill(v, params) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1 and "Ref" in value and value["Ref"] in params:
        return params[value["Ref"]]
    if len(value) == 1 and isinstance(value.get("Fn::Sub"), list) and len(value["Fn::Sub"]) == 2:
        text, variables = value["Fn::Sub"]
        for var, ref in (variables or {}).items():
            got = _fill(ref, params)
            if isinstance(got, str):
                text = text.replace("${" + var + "}", got)
        return {"Fn::Sub": text}
    return {k: _fill(v, params) for k, v in value.items()}


# -- Serverless Framework ----------------------------------------------------------------------

def is_serverless(value) -> bool:
    return isinstance(value, dict) and "service" in value and isinstance(value.get("provider"), dict)


def serverless(value: dict):
    """provider.iam.role.statements (v3) and provider.iamRoleStatements (v2) as policies."""
    provider = value["provider"]
    iam = provider.get("iam")
    iam = iam if isinstance(iam, dict) else {}
    role = iam.get("role")
    role = role if isinstance(role, dict) else {}
    for base, key, statements in (("/provider/iam/role", "statements", role.get("statements")),
                                  ("/provider", "iamRoleStatements", provider.get("iamRoleStatements"))):
        if isinstance(statements, list):
            policy = {"Version": "2012-10-17", "Statement": statements}
            yield Found(base, policy, None, _statements_remap(base, key), "provider role")


def _statements_remap(base: str, key: str):
    def remap(pointer: str) -> str:
        rel = pointer[len(base):]
        if rel == "/Statement" or rel.startswith("/Statement/"):
            return base + "/" + key + rel[len("/Statement"):]
        return base
    return remap


# -- what cannot be read -----------------------------------------------------------------------

def managed_policy_notes(props: dict, base: str):
    """The AWS managed policies a role, user or group attaches (`aws_managed`)."""
    arns = props.get("ManagedPolicyArns")
    for i, arn in enumerate(arns if isinstance(arns, list) else []):
        if isinstance(arn, dict) and len(arn) == 1 and isinstance(arn.get("Fn::Sub"), str):
            arn = arn["Fn::Sub"]   # arn:${AWS::Partition}:iam::aws:policy/...
        if isinstance(arn, str):
            yield from aws_managed(arn, join(base, "ManagedPolicyArns", i))


def unread_ses_actions(resource: dict, pointer: str) -> str | None:
    """The first `ses:` action inside a resource seslint does not read, or None."""
    stack = [resource]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, v in node.items():
                if key in ("Action", "NotAction"):
                    for a in (v if isinstance(v, list) else [v]):
                        if isinstance(a, str) and a.lower().startswith("ses:"):
                            return a
                stack.append(v)
        elif isinstance(node, list):
            stack.extend(node)
    return None
