"""Grammar: what IAM refuses in a policy, as the one grammar in `seslint.policy` finds it.

The parser names each problem by the rule that reports it (`Problem.code` is the rule's name), so
these rules only place its problems: the linter and the evaluator cannot drift apart on what a valid
policy is. The rest of this module checks what a policy may hold and still mean something else than
its author thought (a missing Version, an SES ARN that names no SES resource, ...), and the operator
rules read the operator table the evaluator uses.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from seslint.core.arn import ACCOUNT, PARTITIONS, REGION, split as split_arn
from seslint.core.size import QUOTAS, policy_size
from seslint.jsondoc import join
from seslint.lint import operators
from seslint.lint.checks import rule
from seslint.lint.model import RESOURCE, Unresolved
from seslint.policy import VERSIONS, name_hint

_VARIABLE = re.compile(r"\$\{(?:[A-Za-z0-9-]+:[^}:]+|[*?$])\}")


def _opaque(value) -> bool:
    return isinstance(value, Unresolved)


def _problems(ctx, code: str):
    """(pointer, message) of the policy's grammar problems of one kind (`seslint.policy`)."""
    for p in ctx.problems:
        if p.code == code:
            yield p.pointer, f"{p.message}: IAM refuses the policy" + (f"; {p.help}" if p.help else "")


@rule("SES002")
def duplicate_key(ctx):
    for pointer in ctx.duplicates:
        name = pointer.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")
        yield pointer, f"member '{name}' appears twice in one object: parsers disagree on which one wins"


@rule("SES003")
def invalid_element_type(ctx):
    return _problems(ctx, "invalid-element-type")


@rule("SES004")
def unknown_element(ctx):
    return _problems(ctx, "unknown-element")


@rule("SES005")
def missing_element(ctx):
    return _problems(ctx, "missing-element")


@rule("SES006")
def invalid_effect(ctx):
    return _problems(ctx, "invalid-effect")


@rule("SES007")
def conflicting_elements(ctx):
    return _problems(ctx, "conflicting-elements")


@rule("SES008")
def missing_version(ctx):
    if isinstance(ctx.value, dict) and "Version" not in ctx.value:
        yield "", ("policy has no 'Version': IAM assumes 2008-10-17, which treats policy variables as "
                   "literal text; add \"Version\": \"2012-10-17\"")


@rule("SES009")
def invalid_version(ctx):
    return _problems(ctx, "invalid-version")


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
    return _problems(ctx, "invalid-sid")


@rule("SES012")
def duplicate_sid(ctx):
    return _problems(ctx, "duplicate-sid")


@rule("SES013")
def empty_value(ctx):
    if isinstance(ctx.value, dict) and ctx.value.get("Statement") == []:
        # IAM refuses a policy without statements (its MalformedPolicyDocument), but the scenario format
        # uses an empty list for a policy that grants nothing, so the evaluator takes it: a warning here
        yield "/Statement", "'Statement' is empty: the policy grants nothing, and IAM refuses it", "warning"
    yield from _problems(ctx, "empty-value")


@rule("SES014")
def unknown_condition_operator(ctx):
    names = operators.names()
    for pointer, st in ctx.object_statements:
        block = st.get("Condition")
        if not isinstance(block, dict):
            continue
        for op in block:
            if operators.parse(op) is None:
                hint = name_hint(op, names)
                yield join(pointer, "Condition", op), (f"unknown condition operator '{op}': IAM rejects the policy"
                                                       + (f"; {hint}" if hint else ""))


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
    refused = {p.pointer for p in ctx.problems if p.code == "resource-not-arn"}   # SES064's
    for st in ctx.statements:
        for where, arn in (st.items("Resource") or ()) + (st.items("NotResource") or ()):
            if _opaque(arn) or arn == "*" or arn == "" or where in refused:
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
    return _problems(ctx, "principal-in-identity-policy")


@rule("SES019")
def missing_principal(ctx):
    return _problems(ctx, "missing-principal")


@rule("SES064")
def resource_not_arn(ctx):
    return _problems(ctx, "resource-not-arn")


@rule("SES065")
def invalid_principal(ctx):
    return _problems(ctx, "invalid-principal")


@rule("SES066")
def malformed_action(ctx):
    return _problems(ctx, "malformed-action")


@rule("SES020")
def policy_too_large(ctx):
    kind = ctx.kind if ctx.kind in QUOTAS else (
        "ses-identity-policy" if ctx.policy_type == RESOURCE else "managed")
    size = policy_size(ctx.value)
    quota, name = QUOTAS[kind]
    if size > quota:
        yield "", (f"policy is {size} characters without whitespace: over the {quota}-character "
                   f"quota for {name}, so AWS rejects it")
