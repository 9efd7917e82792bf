"""Across statements (SES semantics) and the SES sending-authorization policy type."""

from __future__ import annotations

from functools import lru_cache

from seslint.lint.checks import carries, rule
from seslint.lint.checks.resources import explicit, fits, resource_list
from seslint.lint.model import RESOURCE
from seslint.matrix import SENDING_KEYS


@lru_cache(maxsize=8)
def _quirk_actions(kind: str) -> frozenset[str]:
    from seslint.matrix import load_matrix

    return frozenset(a.partition(":")[2].lower() for q in load_matrix().quirks.values() if q["kind"] == kind
                     for a in q.get("allowed_actions", []))


def send_actions(key: str | None = None) -> set[str]:
    """Lower-case names of the sending actions (seslint.core.send); with `key`, those that carry it."""
    from seslint.core.send import send_actions as every

    return {n for n in (a.partition(":")[2].lower() for a in every()) if key is None or carries(n, key)}


def _names(ctx, names) -> str:
    return ", ".join(a.full_name for a in ctx.actions(names))


def _anchor(st) -> str:
    return (st.actions or st.not_actions or ((st.pointer, ""),))[0][0]


@rule("SES040")
def send_restriction_bypassed(ctx):
    for key in SENDING_KEYS:
        sends = send_actions(key)
        restricted, free = set(), []
        for st in ctx.statements:
            if not st.allow:
                continue
            covered = ctx.covered(st) & sends
            if st.conditions_on(key):
                restricted |= covered
            elif covered:
                free.append((st, covered))
        if not restricted:
            continue
        for st, covered in free:
            yield _anchor(st), (f"this statement allows {_names(ctx, covered)} without the '{key}' condition that "
                                f"restricts {_names(ctx, restricted)}: a caller sends through it unrestricted")


@rule("SES041")
def send_guardrail_incomplete(ctx):
    for key in SENDING_KEYS:
        sends = send_actions(key)
        guards = [st for st in ctx.statements if st.deny and st.conditions_on(key)]
        covered = set().union(*(ctx.covered(st) for st in guards)) & sends if guards else set()
        missing = sends - covered
        if covered and missing:
            yield _anchor(guards[0]), (f"this '{key}' guardrail covers {_names(ctx, covered)} but not "
                                       f"{_names(ctx, missing)}: mail sent through those is not checked")


@lru_cache(maxsize=1)
def _twin_pairs() -> tuple[tuple[str, str], ...]:
    from seslint.matrix import load_matrix

    matrix, out = load_matrix(), []
    for pair in matrix.equivalents:
        v1, v2 = (pair[k].partition(":")[2].lower() for k in ("v1", "v2"))
        if v1 != v2 and v1 in matrix.actions and v2 in matrix.actions:
            out.append((v1, v2))
    return tuple(out)


@lru_cache(maxsize=8)
def _variants(spec: str) -> tuple[dict, ...]:
    from seslint.matrix import load_matrix

    return tuple(load_matrix().operation(spec))


@lru_cache(maxsize=1)
def _twin_map() -> dict[str, tuple[str, ...]]:
    """Action name -> its v1/v2 twins (both directions of every pair)."""
    out: dict[str, list[str]] = {}
    for a, b in _twin_pairs():
        out.setdefault(a, []).append(b)
        out.setdefault(b, []).append(a)
    return {name: tuple(dict.fromkeys(twins)) for name, twins in out.items()}


def _twin_findings(ctx, statements, verb: str, consequence: str):
    """One finding per statement that covers an action whose v1/v2 twin no statement covers."""
    covered = set().union(*(ctx.covered(st) for st in statements)) if statements else set()
    twins = _twin_map()
    gaps: dict[str, tuple[object, set, set]] = {}
    for have in sorted(covered & twins.keys()):
        for lack in twins[have]:
            if lack in covered:
                continue
            st = next(s for s in statements if have in ctx.covered(s))
            if not all(carries(lack, c.key) for c in st.conditions):
                continue  # the statement's conditions could never apply to the twin anyway
            entry = gaps.setdefault(st.pointer, (st, set(), set()))
            entry[1].add(have)
            entry[2].add(lack)
    for st, have, lack in gaps.values():
        yield _anchor(st), (f"this statement {verb} {_names(ctx, have)} but no statement {verb} their v1/v2 twins "
                            f"{_names(ctx, lack)}: {consequence}")


@rule("SES042")
def twin_not_denied(ctx):
    yield from _twin_findings(ctx, [st for st in ctx.statements if st.deny], "denies",
                              "the same resources stay reachable through the other API")


@rule("SES043")
def twin_not_allowed(ctx):
    yield from _twin_findings(ctx, [st for st in ctx.statements if st.allow], "allows",
                              "clients that use the other API are denied")


@rule("SES044")
def deny_not_resource_blocks_configuration_set(ctx):
    sends = send_actions()
    cset = ctx.matrix.resource_types.get("configuration-set")
    for st in ctx.statements:
        if not st.deny or not st.not_resources or st.conditions or not (ctx.covered(st) & sends):
            continue
        if not any(fits(arn, cset) for _, arn in st.not_resources):
            yield st.not_resources[0][0], ("Deny with 'NotResource' that lists no configuration-set ARN: sends "
                                           "that use a configuration set (named, or the identity's default) are "
                                           "also checked against its ARN, so they are denied")


@rule("SES045")
def send_authorization_incomplete(ctx):
    allowed = set().union(*(ctx.covered(st) for st in ctx.statements if st.allow)) if ctx.statements else set()
    if not allowed:
        return
    template_arn = any(
        "sendemail" in ctx.covered(st) and any(
            fits(arn, ctx.matrix.resource_types["template"]) and arn != "*" for arn in resource_list(st) or ())
        for st in ctx.statements if st.allow)
    api_v2 = any(str(v) == "2" for st in ctx.statements if st.allow
                 for c in st.conditions_on("ses:ApiVersion") if not c.operator.negated for _, v in c.values)
    for spec in ("sesv2:SendEmail", "sesv2:SendBulkEmail"):
        for variant in _variants(spec):
            needed = {a["action"].partition(":")[2].lower() for a in variant["authorizes"]}
            intent = {"bulk": "sendbulkemail" in allowed,
                      "template": template_arn,
                      "raw": "sendemail" in allowed and api_v2}.get(variant["variant"], False)
            missing = needed - allowed
            if intent and missing:
                st = next((s for s in ctx.statements if s.allow and ctx.covered(s) & (needed | {"sendemail"})),
                          ctx.statements[0])
                yield _anchor(st), (f"v2 {spec.partition(':')[2]} with {variant['variant']} content is authorized as "
                                    f"{_names(ctx, needed)}; this policy does not allow {_names(ctx, missing)}, "
                                    f"so those sends are denied")


@rule("SES046")
def sending_authorization_action(ctx):
    if ctx.policy_type != RESOURCE:
        return
    allowed = _quirk_actions("sending-authorization")
    for st in ctx.statements:
        for pointer, action in explicit(ctx, st):
            if action.name.lower() not in allowed:
                yield pointer, (f"'{action.full_name}' cannot be granted in an SES identity (sending-authorization) "
                                f"policy: SES accepts only the sending actions and a short list of identity actions")


@rule("SES047")
def sending_authorization_resource(ctx):
    if ctx.policy_type != RESOURCE:
        return
    identity = ctx.matrix.resource_types["identity"]
    for st in ctx.statements:
        for pointer, arn in st.resources or ():
            if arn != "*" and "${" not in arn and not fits(arn, identity):
                yield pointer, (f"resource '{arn}' in an SES identity policy: the policy is attached to one identity "
                                f"and its 'Resource' must be that identity's ARN")
