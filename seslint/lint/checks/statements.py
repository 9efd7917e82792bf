"""Across statements (SES semantics) and the SES sending-authorization policy type."""

from __future__ import annotations

import re
from functools import lru_cache

from seslint.core.arn import split as split_arn
from seslint.core.patterns import has_wildcard, matches
from seslint.jsondoc import join
from seslint.lint.checks import carries, rule
from seslint.lint.checks.resources import explicit, fits, resource_list
from seslint.lint.model import RESOURCE
from seslint.matrix import SENDING_KEYS


@lru_cache(maxsize=8)
def _quirk_actions(kind: str) -> frozenset[str]:
    from seslint.matrix import load_matrix

    return frozenset(a.partition(":")[2].lower() for q in load_matrix().quirks.values() if q["kind"] == kind
                     for a in q.get("allowed_actions", []))


@lru_cache(maxsize=8)
def _send_actions(key: str | None) -> frozenset[str]:
    from seslint.matrix import send_actions as every

    return frozenset(n for n in (a.partition(":")[2].lower() for a in every()) if key is None or carries(n, key))


def send_actions(key: str | None = None) -> set[str]:
    """Lower-case names of the sending actions (seslint.sendmodel); with `key`, those that carry it."""
    return set(_send_actions(key))


def _names(ctx, names) -> str:
    return ", ".join(a.full_name for a in ctx.actions(names))


def _anchor(st) -> str:
    """Where a finding about the statement's actions stands: its first Action entry, or its NotAction
    element (whose entries name actions the statement does not cover)."""
    if st.actions:
        return st.items("Action")[0][0]
    return join(st.pointer, "NotAction") if st.not_actions is not None else st.pointer


def _entry(ctx, st, names) -> str:
    """The first Action entry that matches one of the lower-case action `names` (the one a finding about
    them is about), else the statement's anchor."""
    for pointer, _, found in ctx.ses_patterns(st):
        if any(a.name.lower() in names for a in found):
            return pointer
    return _anchor(st)


@rule("SES040")
def send_restriction_bypassed(ctx):
    for key in SENDING_KEYS:
        sends = send_actions(key)
        restricted, free = [], []
        for st in ctx.statements:
            if not st.allow:
                continue
            covered = ctx.covered(st) & sends
            if st.conditions_on(key):
                restricted.append((st, covered))
            elif covered:
                free.append((st, covered))
        candidates = []
        for st, covered in free:
            # a statement for another principal, sender address or identity cannot bypass this one
            reached = set().union(*(c for r, c in restricted if _may_overlap(ctx, st, r, key)))
            if reached:
                candidates.append((st, covered, reached))
        for st, covered, reached in _bypassing(ctx, key, restricted, candidates):
            yield _entry(ctx, st, covered), (f"this statement allows {_names(ctx, covered)} without the '{key}' condition "
                                f"that restricts {_names(ctx, reached)}: a caller sends through it unrestricted")


def _bypassing(ctx, key: str, restricted, candidates):
    """The candidates through which a send really gets past the restriction, as the prover decides it
    (seslint.lint.checks.reach) where the restriction is a limit it can state: an identity policy whose
    restricting conditions are positive patterns. Elsewhere every candidate stands."""
    from seslint.lint.checks.reach import patterns_of

    if not candidates or ctx.policy_type != "identity":
        return candidates
    # each restricting condition a limit the prover states (a Null guard only narrows it further)
    conditions = [c for r, _ in restricted for c in r.conditions_on(key) if c.base != "Null"]
    limits = [patterns_of(c) if key.lower() != "ses:recipients" or c.set_op == "ForAllValues" else None
              for c in conditions]
    if not limits or any(p is None for p in limits):
        return candidates
    from seslint.lint.checks.reach import outside_send

    reach = outside_send(ctx, key, sorted({v for p in limits for v in p or ()}))
    if reach is not None and reach.unknown:
        return candidates   # the prover cannot say: the candidates stand
    if reach is None or not reach.send:
        return []
    found = [c for c in candidates if c[0].pointer in reach.allowing]
    return found or candidates


def _may_overlap(ctx, a, b, key: str) -> bool:
    """Whether one request could match both statements: same principal, From address and identity."""
    if a.principals is not None and b.principals is not None and not _principals_meet(a, b):
        return False
    if key.lower() != "ses:fromaddress" and not _values_meet(_from_values(a), _from_values(b)):
        return False
    identity = ctx.matrix.resource_types["identity"]
    ids_a, ids_b = (_identity_arns(st, identity) for st in (a, b))
    return ids_a is None or ids_b is None or _values_meet(ids_a, ids_b)


def _principals_meet(a, b) -> bool:
    pa = {(kind, value) for _, kind, value in a.principals}
    pb = {(kind, value) for _, kind, value in b.principals}
    if any(kind == "*" or value == "*" for kind, value in pa | pb):
        return True
    return bool(pa & pb) or any(not isinstance(v, str) or "${" in v for _, v in pa | pb)


def _from_values(st) -> list[str] | None:
    """The From addresses a statement admits (positive operators only), or None for any."""
    for cond in st.conditions_on("ses:FromAddress"):
        if cond.base in ("StringEquals", "StringLike", "StringEqualsIgnoreCase") and not cond.if_exists \
                and cond.set_op is None and all(isinstance(v, str) and "${" not in v for _, v in cond.items()):
            return [v for _, v in cond.items()]
    return None


def _identity_arns(st, identity) -> list[str] | None:
    resources = resource_list(st)
    if resources is None or "*" in resources:
        return None
    arns = [arn for arn in resources if fits(arn, identity)]
    return arns or None


def _values_meet(a: list[str] | None, b: list[str] | None) -> bool:
    """Whether two sets of IAM patterns can match a common string (conservative: True when unsure)."""
    if a is None or b is None:
        return True
    return any(_patterns_meet(x, y) for x in a for y in b)


def _patterns_meet(x: str, y: str) -> bool:
    if not has_wildcard(x) or not has_wildcard(y):
        return matches(x, y, ignore_case=True) if has_wildcard(x) else matches(y, x, ignore_case=True)
    # both have wildcards: they are disjoint when their fixed prefixes or suffixes disagree
    px, py = (re.split(r"[*?]", v, maxsplit=1)[0].lower() for v in (x, y))
    sx, sy = (re.split(r"[*?]", v)[-1].lower() for v in (x, y))
    return (px.startswith(py) or py.startswith(px)) and (sx.endswith(sy) or sy.endswith(sx))


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


def _twin_findings(ctx, statements, verb: str, consequence: str, on_purpose: set[str], reachable=None):
    """One finding per statement that covers an action whose v1/v2 twin no statement covers, unless the
    policy treats that twin the other way on purpose (`on_purpose`); with `reachable`, only twins in it count."""
    covered = set().union(*(ctx.covered(st) for st in statements)) if statements else set()
    twins = _twin_map()
    gaps: dict[str, tuple[object, set, set]] = {}
    for have in sorted(covered & twins.keys()):
        if on_purpose & set(twins[have]):
            continue  # the policy chose one API for this operation
        for lack in twins[have]:
            if lack in covered or (reachable is not None and lack not in reachable):
                continue
            if ctx.policy_type == RESOURCE and lack not in _quirk_actions("sending-authorization"):
                continue  # a sending-authorization policy cannot grant the twin at all
            st = next(s for s in statements if have in ctx.covered(s))
            if not all(carries(lack, c.key) for c in st.conditions):
                continue  # the statement's conditions could never apply to the twin anyway
            entry = gaps.setdefault(st.pointer, (st, set(), set()))
            entry[1].add(have)
            entry[2].add(lack)
    for st, haves, lacks in gaps.values():
        yield _entry(ctx, st, haves), (f"this statement {verb} {_names(ctx, haves)} but no statement {verb} their "
                                       f"v1/v2 twins {_names(ctx, lacks)}: {consequence}")


@rule("SES042")
def twin_not_denied(ctx):
    # a twin the same policy allows by name is kept on purpose (e.g. "v2 only": allow v2, deny v1)
    named = {a.name.lower() for st in ctx.statements if st.allow and not st.conditions for _, a in explicit(ctx, st)}
    # a policy with Allows reaches only what it allows; a Deny-only policy guards what other policies allow
    allows = [st for st in ctx.statements if st.allow]
    reachable = set().union(*(ctx.covered(st) for st in allows)) if allows else None
    yield from _twin_findings(ctx, [st for st in ctx.statements if st.deny], "denies",
                              "the same resources stay reachable through the other API", named, reachable)


@rule("SES043")
def twin_not_allowed(ctx):
    denied = set().union(*(ctx.covered(st) for st in ctx.statements if st.deny and not st.conditions))
    yield from _twin_findings(ctx, [st for st in ctx.statements if st.allow], "allows",
                              "clients that use the other API are denied", denied)


@rule("SES044")
def deny_not_resource_blocks_configuration_set(ctx):
    sends = send_actions()
    cset = ctx.matrix.resource_types.get("configuration-set")
    for st in ctx.statements:
        if not st.deny or not st.not_resources or st.conditions or not (ctx.covered(st) & sends):
            continue
        if not any(fits(arn, cset) for arn in st.not_resources):
            yield join(st.pointer, "NotResource"), ("Deny with 'NotResource' that lists no configuration-set ARN: "
                                                    "sends that use a configuration set (named, or the identity's "
                                                    "default) are also checked against its ARN, so they are denied")


@rule("SES045")
def send_authorization_incomplete(ctx):
    allowed = set().union(*(ctx.covered(st) for st in ctx.statements if st.allow)) if ctx.statements else set()
    if not allowed:
        return
    api_v2 = any(str(v) == "2" for st in ctx.statements if st.allow
                 for c in st.conditions_on("ses:ApiVersion") if not c.negated for _, v in c.items())
    template = _template_in_play(ctx)
    for spec in ("sesv2:SendEmail", "sesv2:SendBulkEmail"):
        for variant in _variants(spec):
            needed = {a["action"].partition(":")[2].lower() for a in variant["authorizes"]}
            kind = variant["variant"]
            # bulk: the caller asked for SendBulkEmail; template and raw are only info: a policy for simple
            # content (SendEmail alone, maybe pinned to ses:ApiVersion "2") is legitimate
            intent = {"bulk": "sendbulkemail" in allowed,
                      "template": template,
                      "raw": "sendemail" in allowed and api_v2}.get(kind, False)
            missing = needed - allowed
            if intent and missing:
                st = next((s for s in ctx.statements if s.allow and ctx.covered(s) & (needed | {"sendemail"})),
                          ctx.statements[0])
                yield _entry(ctx, st, (needed & ctx.covered(st)) or {"sendemail"}), (
                    f"v2 {spec.partition(':')[2]} with {kind} content is authorized as {_names(ctx, needed)}; "
                    f"this policy does not allow {_names(ctx, missing)}, so those sends are denied"), \
                    "warning" if kind == "bulk" else "info"


def _template_in_play(ctx) -> bool:
    """An Allow for SendEmail names a template ARN by its type (`template/...`), not by a wildcard."""
    for st in ctx.statements:
        if st.allow and "sendemail" in ctx.covered(st):
            for arn in resource_list(st) or ():
                parts = split_arn(arn)
                if len(parts) == 6 and parts[5].lower().startswith("template/"):
                    return True
    return False


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
        for pointer, arn in st.items("Resource") or ():
            if arn != "*" and "${" not in arn and not fits(arn, identity):
                yield pointer, (f"resource '{arn}' in an SES identity policy: the policy is attached to one identity "
                                f"and its 'Resource' must be that identity's ARN")


@rule("SES056")
def allow_not_resource_on_send(ctx):
    sends = send_actions() | {"sendbulkemail", "sendbounce", "sendcustomverificationemail"}
    for st in ctx.statements:
        covered = ctx.covered(st) & sends
        if st.allow and st.not_resources and covered:
            yield join(st.pointer, "NotResource"), (f"Allow with 'NotResource' grants {_names(ctx, covered)} on "
                                                    f"every identity, configuration set and template except those "
                                                    f"listed, now and in future: name the ARNs you send with in "
                                                    f"'Resource'")


@rule("SES057")
def guardrail_misses_actions_without_recipients(ctx):
    allowed = set().union(*(ctx.covered(st) for st in ctx.statements if st.allow)) if ctx.statements else set()
    for st in ctx.statements:
        if not st.deny or not any(c.set_op == "ForAnyValue" for c in st.conditions_on("ses:Recipients")):
            continue
        from_wildcards = {a.name.lower() for _, pattern, found in ctx.ses_patterns(st) if has_wildcard(pattern)
                          for a in found}
        missed = {n for n in from_wildcards if n.startswith("send") and not carries(n, "ses:Recipients")}
        if missed:
            reachable = _reaching(ctx, st, missed & allowed)
            yield _entry(ctx, st, missed), (f"this 'ses:Recipients' guardrail's wildcard covers {_names(ctx, missed)}, which "
                                f"never carry 'ses:Recipients': the Deny never fires for them"
                                + (f", and this policy allows {_names(ctx, reachable)}" if reachable else "")
                                + "; deny them separately or list the send actions"), \
                "warning" if reachable else "info"


def _reaching(ctx, guardrail, candidates: set) -> set:
    """The `candidates` (allowed actions the guardrail never restricts) through which a send the policy
    allows reaches a recipient outside the guardrail's patterns, as the prover decides it for an identity
    policy (another send action that carries the key may still be denied: v2 bulk sends are also checked
    as ses:SendBulkTemplatedEmail). Elsewhere every candidate counts."""
    from seslint.lint.checks.reach import negated_patterns, outside_send

    conditions = guardrail.conditions_on("ses:Recipients")
    if not candidates or ctx.policy_type != "identity" or len(guardrail.conditions) != len(conditions):
        return candidates
    patterns = [negated_patterns(c) for c in conditions if c.set_op == "ForAnyValue"]
    if len(patterns) != 1 or patterns[0] is None:
        return candidates
    reach = outside_send(ctx, "ses:Recipients", patterns[0])
    if reach is None:
        return set()
    if reach.unknown:
        return candidates
    return candidates & {a.split(":", 1)[1].lower() for a in reach.actions | reach.outside}