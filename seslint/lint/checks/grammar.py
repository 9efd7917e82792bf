"""Grammar: the policy language itself, checked on the raw JSON value (every problem, not the first)."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from seslint.core.arn import ACCOUNT, PARTITIONS, REGION, split as split_arn
from seslint.core.size import policy_size
from seslint.jsondoc import join
from seslint.lint import operators
from seslint.lint.checks import rule
from seslint.lint.model import IDENTITY, RESOURCE, Unresolved

TOP = ("Version", "Id", "Statement")
ELEMENTS = ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource",
            "Condition")
STRING_LISTS = ("Action", "NotAction", "Resource", "NotResource")
VERSIONS = ("2012-10-17", "2008-10-17")
# quotas in characters, whitespace excluded (IAM, SES and AWS Organizations quotas pages)
SIZE_LIMITS = {"managed": 6144, "role-inline": 10240, "user-inline": 2048, "group-inline": 5120,
               "ses-identity-policy": 4096, "scp": 5120}
SIZE_NAMES = {"managed": "a managed policy", "role-inline": "a role's inline policies",
              "user-inline": "a user's inline policies", "group-inline": "a group's inline policies",
              "ses-identity-policy": "an SES identity policy", "scp": "a service control policy"}
_VARIABLE = re.compile(r"\$\{(?:[A-Za-z0-9-]+:[^}:]+|[*?$])\}")
_SID = re.compile(r"[A-Za-z0-9]*")


def _opaque(value) -> bool:
    return isinstance(value, Unresolved)


def _kind(value) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number")


def _hint(name: str, choices) -> str:
    lowered = {c.lower(): c for c in choices}
    if name.lower() in lowered:
        return f"; did you mean '{lowered[name.lower()]}'? (names are case-sensitive)"
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


@rule("SES002")
def duplicate_key(ctx):
    for pointer in ctx.duplicates:
        name = pointer.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")
        yield pointer, f"member '{name}' appears twice in one object: parsers disagree on which one wins"


@rule("SES003")
def invalid_element_type(ctx):
    policy = ctx.value
    if not isinstance(policy, dict):
        yield "", f"a policy must be a JSON object, not {_kind(policy)}"
        return
    for name in ("Version", "Id"):
        if name in policy and not isinstance(policy[name], str):
            yield f"/{name}", f"'{name}' must be a string, not {_kind(policy[name])}"
    statement = policy.get("Statement")
    if "Statement" in policy and not isinstance(statement, (dict, list)) and not _opaque(statement):
        yield "/Statement", f"'Statement' must be an object or an array of objects, not {_kind(statement)}"
    for pointer, st in ctx.raw_statements:
        if not isinstance(st, dict):
            yield pointer, f"a statement must be an object, not {_kind(st)}"
            continue
        for name in ("Sid", "Effect"):
            if name in st and not isinstance(st[name], str):
                yield join(pointer, name), f"'{name}' must be a string, not {_kind(st[name])}"
        for name in STRING_LISTS:
            if name not in st or isinstance(st[name], str):
                continue
            if not isinstance(st[name], list):
                yield join(pointer, name), f"'{name}' must be a string or an array of strings, not {_kind(st[name])}"
                continue
            for i, item in enumerate(st[name]):
                if not isinstance(item, str):
                    yield join(pointer, name, i), f"'{name}' entries must be strings, not {_kind(item)}"
        for name in ("Principal", "NotPrincipal"):
            if name in st:
                yield from _principal_types(st[name], join(pointer, name), name)
        if "Condition" in st:
            yield from _condition_types(st["Condition"], join(pointer, "Condition"))


def _principal_types(value, pointer, name):
    if value == "*" or _opaque(value):
        return
    if not isinstance(value, dict):
        yield pointer, f"'{name}' must be \"*\" or an object such as {{\"AWS\": \"arn:...\"}}, not {_kind(value)}"
        return
    for kind, ids in value.items():
        items = ids if isinstance(ids, list) else [ids]
        for i, item in enumerate(items):
            if not isinstance(item, str):
                where = join(pointer, kind, i) if isinstance(ids, list) else join(pointer, kind)
                yield where, f"'{name}' identifiers must be strings, not {_kind(item)}"


def _condition_types(block, pointer):
    if _opaque(block):
        return
    if not isinstance(block, dict):
        yield pointer, f"'Condition' must be an object of operators, not {_kind(block)}"
        return
    for op, keys in block.items():
        if _opaque(keys):
            continue
        if not isinstance(keys, dict):
            yield join(pointer, op), f"condition operator '{op}' must map keys to values, not {_kind(keys)}"
            continue
        for key, values in keys.items():
            items = values if isinstance(values, list) else [values]
            for i, v in enumerate(items):
                if isinstance(v, (dict, list)) or v is None:
                    where = join(pointer, op, key, i) if isinstance(values, list) else join(pointer, op, key)
                    yield where, f"condition value for '{key}' must be a string, number or boolean, not {_kind(v)}"


@rule("SES004")
def unknown_element(ctx):
    if not isinstance(ctx.value, dict):
        return
    for name in ctx.value:
        if name not in TOP:
            yield f"/{name}", f"unknown policy element '{name}': IAM rejects the policy{_hint(name, TOP)}"
    for pointer, st in ctx.object_statements:
        for name in st:
            if name not in ELEMENTS:
                yield join(pointer, name), (f"unknown statement element '{name}': IAM rejects the policy"
                                            f"{_hint(name, ELEMENTS)}")


@rule("SES005")
def missing_element(ctx):
    if not isinstance(ctx.value, dict):
        return
    if "Statement" not in ctx.value:
        yield "", "policy has no 'Statement': it grants nothing and IAM rejects it"
    for pointer, st in ctx.object_statements:
        if "Effect" not in st:
            yield pointer, "statement has no 'Effect': add \"Effect\": \"Allow\" or \"Deny\""
        if "Action" not in st and "NotAction" not in st:
            yield pointer, "statement has no 'Action' or 'NotAction': IAM rejects it"
        if "Resource" not in st and "NotResource" not in st:
            yield pointer, "statement has no 'Resource' or 'NotResource': IAM rejects it"


@rule("SES006")
def invalid_effect(ctx):
    for pointer, st in ctx.object_statements:
        effect = st.get("Effect")
        if isinstance(effect, str) and not _opaque(effect) and effect not in ("Allow", "Deny"):
            yield join(pointer, "Effect"), (f"'Effect' is '{effect}': it must be \"Allow\" or \"Deny\" "
                                            f"(case-sensitive)")


@rule("SES007")
def conflicting_elements(ctx):
    for pointer, st in ctx.object_statements:
        for a, b in (("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal")):
            if a in st and b in st:
                yield join(pointer, b), f"statement has both '{a}' and '{b}': use exactly one; IAM rejects the policy"


@rule("SES008")
def missing_version(ctx):
    if isinstance(ctx.value, dict) and "Version" not in ctx.value:
        yield "", ("policy has no 'Version': IAM assumes 2008-10-17, which treats policy variables as "
                   "literal text; add \"Version\": \"2012-10-17\"")


@rule("SES009")
def invalid_version(ctx):
    if isinstance(ctx.value, dict):
        version = ctx.value.get("Version")
        if isinstance(version, str) and not _opaque(version) and version not in VERSIONS:
            yield "/Version", f"'Version' is '{version}': it must be \"2012-10-17\" (or the legacy \"2008-10-17\")"


@rule("SES010")
def policy_variable_needs_version(ctx):
    if not isinstance(ctx.value, dict) or ctx.value.get("Version") == "2012-10-17":
        return
    version = ctx.value.get("Version")
    if version is not None and version != "2008-10-17":
        return
    for pointer, st in ctx.object_statements:
        for where, text in _strings(st, pointer):
            m = _VARIABLE.search(text)
            if m:
                yield where, (f"policy variable '{m.group()}' needs \"Version\": \"2012-10-17\"; with "
                              f"{version or 'no Version'} it is matched as literal text")


def _strings(value, pointer):
    if isinstance(value, str):
        yield pointer, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, join(pointer, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, join(pointer, i))


@rule("SES011")
def invalid_sid(ctx):
    if ctx.policy_type != IDENTITY:
        return
    for pointer, st in ctx.object_statements:
        sid = st.get("Sid")
        if isinstance(sid, str) and not _opaque(sid) and not _SID.fullmatch(sid):
            yield join(pointer, "Sid"), (f"'Sid' '{sid}' has characters IAM rejects in identity policies: "
                                         f"use only letters and digits")


@rule("SES012")
def duplicate_sid(ctx):
    seen = set()
    for pointer, st in ctx.object_statements:
        sid = st.get("Sid")
        if isinstance(sid, str) and sid:
            if sid in seen:
                yield join(pointer, "Sid"), f"'Sid' '{sid}' is used by another statement: IAM rejects the policy"
            seen.add(sid)


@rule("SES013")
def empty_value(ctx):
    if isinstance(ctx.value, dict) and ctx.value.get("Statement") == []:
        yield "/Statement", "'Statement' is empty: the policy grants nothing"
    for pointer, st in ctx.object_statements:
        for name in STRING_LISTS:
            value = st.get(name)
            if value == [] or value == "":
                yield join(pointer, name), f"'{name}' is empty: IAM rejects the policy"
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if item == "":
                        yield join(pointer, name, i), f"'{name}' has an empty entry: it matches nothing"
        block = st.get("Condition")
        if isinstance(block, dict):
            for op, keys in block.items():
                if isinstance(keys, dict):
                    for key, values in keys.items():
                        if values == []:
                            yield join(pointer, "Condition", op, key), (
                                f"condition '{op}' on '{key}' has no values: it never matches")


@rule("SES014")
def unknown_condition_operator(ctx):
    names = operators.names()
    for pointer, st in ctx.object_statements:
        block = st.get("Condition")
        if not isinstance(block, dict):
            continue
        for op in block:
            if operators.parse(op) is None:
                yield join(pointer, "Condition", op), (f"unknown condition operator '{op}': IAM rejects the policy"
                                                       f"{_hint(op, names)}")


@rule("SES015")
def invalid_condition_value(ctx):
    version = ctx.value.get("Version") if isinstance(ctx.value, dict) else None
    version = version if version in VERSIONS else None
    for pointer, st in ctx.object_statements:
        block = st.get("Condition")
        if not isinstance(block, dict):
            continue
        for op_text, keys in block.items():
            op = operators.parse(op_text)
            if op is None or not isinstance(keys, dict) or (op.base == "Null" and (op.set_op or op.if_exists)):
                continue  # unknown-condition-operator and null-if-exists say so
            for key, values in keys.items():
                items = values if isinstance(values, list) else [values]
                for i, v in enumerate(items):
                    if isinstance(v, (dict, list)) or v is None or _opaque(v):
                        continue  # wrong types are invalid-element-type
                    problem = operators.value_problem(op, key, v, version)
                    if problem:
                        where = join(pointer, "Condition", op_text, key, *([i] if isinstance(values, list) else []))
                        yield where, f"{problem.split(' (for ')[0]}: '{op_text}' on '{key}' can never match it"


@rule("SES016")
def null_if_exists(ctx):
    for pointer, st in ctx.object_statements:
        block = st.get("Condition")
        if isinstance(block, dict):
            for op_text in block:
                op = operators.parse(op_text)
                if op is not None and op.base == "Null" and (op.if_exists or op.set_op):
                    yield join(pointer, "Condition", op_text), (
                        f"'{op_text}' is not valid: 'Null' already tests whether the key exists; use plain 'Null'")


@rule("SES017")
def malformed_arn(ctx):
    for pointer, st in ctx.object_statements:
        for name in ("Resource", "NotResource"):
            value = st.get(name)
            items = [(join(pointer, name), value)] if isinstance(value, str) else [
                (join(pointer, name, i), v) for i, v in enumerate(value) if isinstance(v, str)] if isinstance(
                value, list) else []
            for where, arn in items:
                if _opaque(arn) or arn == "*" or arn == "":
                    continue
                problem = _arn_problem(arn)
                if problem:
                    yield where, f"resource '{arn}' {problem}"


def _known(segment: str) -> bool:
    return "${" not in segment and "*" not in segment and "?" not in segment


@lru_cache(maxsize=4096)
def _arn_problem(arn: str) -> str | None:
    from seslint.matrix import load_matrix

    return arn_problem(arn, load_matrix())


def arn_problem(arn: str, matrix) -> str | None:
    """Why `arn` is not a well-formed ARN (for SES ARNs: also region, account, resource type)."""
    parts = split_arn(arn)
    open_end = 1 < len(parts) < 6 and parts[-1].endswith("*")
    if parts[0] != "arn" or (len(parts) < 6 and not open_end):
        return "is not an ARN (arn:partition:service:region:account:resource) or \"*\""
    if open_end:   # a `*` that ends the last segment given matches the rest, colons included (arn_glob)
        parts = parts[:-1] + ["*"] * (7 - len(parts))
    _, partition, service, region, account, resource = parts
    if _known(partition) and partition not in PARTITIONS:
        return f"has an unknown partition '{partition}' (aws, aws-cn, aws-us-gov, ...)"
    if service.lower() in ("email", "sesv2", "pinpoint-email"):
        return f"names service '{service}': SES resources are 'arn:aws:ses:...'"
    if service != "ses":
        return None
    if not region:
        return "has no region: SES resources are regional"
    if _known(region) and not REGION.fullmatch(region):
        return f"has a malformed region '{region}' (such as us-east-1)"
    rtype = resource.split("/", 1)[0]
    known_type = matrix.resource_types.get(rtype)
    fixed = split_arn(known_type.arn)[4] if known_type is not None else ""
    if _known(account) and not ACCOUNT.fullmatch(account) and not (_known(fixed) and account == fixed):
        return f"has a malformed account '{account}' (12 digits)"  # unless the type fixes it (reputation-policy: aws)
    if _known(rtype) and rtype not in matrix.resource_types:
        close = difflib.get_close_matches(rtype, list(matrix.resource_types), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"has an unknown SES resource type '{rtype}'{hint}"
    if _known(rtype) and "/" not in resource:
        return f"has no name after '{rtype}': use '{rtype}/NAME' (or '{rtype}/*')"
    return None


@rule("SES018")
def principal_in_identity_policy(ctx):
    if ctx.policy_type != IDENTITY:
        return
    for pointer, st in ctx.object_statements:
        for name in ("Principal", "NotPrincipal"):
            if name in st:
                yield join(pointer, name), (f"'{name}' in an identity policy: IAM rejects it; principals belong "
                                            f"in resource policies such as an SES sending-authorization policy")


@rule("SES019")
def missing_principal(ctx):
    if ctx.policy_type != RESOURCE:
        return
    for pointer, st in ctx.object_statements:
        if "Principal" not in st and "NotPrincipal" not in st:
            yield pointer, "statement in a resource policy has no 'Principal': SES rejects the policy"


@rule("SES020")
def policy_too_large(ctx):
    kind = ctx.kind if ctx.kind in SIZE_LIMITS else (
        "ses-identity-policy" if ctx.policy_type == RESOURCE else "managed")
    size = policy_size(ctx.value)
    if size > SIZE_LIMITS[kind]:
        yield "", (f"policy is {size} characters without whitespace: over the {SIZE_LIMITS[kind]}-character "
                   f"quota for {SIZE_NAMES[kind]}, so AWS rejects it")
