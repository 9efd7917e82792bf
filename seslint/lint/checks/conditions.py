"""Conditions: keys the actions never carry, set operators, guards, IfExists, address patterns."""

from __future__ import annotations

from functools import lru_cache

from seslint.core.patterns import has_wildcard
from seslint.lint.checks import carries, condition_key, rule
from seslint.lint.checks.resources import explicit

ADDRESS_KEYS = ("ses:recipients", "ses:fromaddress", "ses:feedbackaddress")
SENDER_KEYS = ("ses:fromaddress", "ses:feedbackaddress", "ses:fromdisplayname")
# multivalued keys whose absence means "not via / not in": a negated ForAnyValue Deny lets those requests through
ABSENT_BYPASS_KEYS = ("aws:calledvia", "aws:principalorgpaths", "aws:resourceorgpaths", "aws:sourceorgpaths",
                      "aws:vpceorgpaths", "aws:principalservicenameslist")
SIMULATOR_DOMAIN = "simulator.amazonses.com"


def _known_key(ctx, cond):
    prefix = cond.key.partition(":")[0].lower()
    return condition_key(cond.key) if prefix in ("ses", "aws") else None


def _absent_result(cond) -> bool | None:
    """What the condition evaluates to when the key is absent (None: depends on the Null value)."""
    from seslint.core.operators import when_absent

    return None if cond.base == "Null" else when_absent(cond.set_op, cond.if_exists, cond.negated)


def _non_carriers(ctx, st, cond):
    """Actions of the statement that never carry the key: every explicit one, or all of a wildcard's."""
    out = [(p, a) for p, a in explicit(ctx, st) if not carries(a.name, cond.key)]
    named = {a.name.lower() for _, a in explicit(ctx, st)}
    rest = [ctx.matrix.actions[n] for n in ctx.covered(st) if n not in named]
    if rest and not any(carries(a.name, cond.key) for a in rest):
        anchor = (st.items("Action") or st.items("NotAction") or (("", ""),))[0][0]
        out += [(anchor, a) for a in sorted(rest, key=lambda a: a.name)]
    return out


def _null_guard(st, key: str, value: str) -> bool:
    for cond in st.conditions_on(key):
        if cond.base == "Null" and any(str(v).lower() == value for _, v in cond.items()):
            return True
    return False


@rule("SES029")
def key_not_carried(ctx):
    for st in ctx.statements:
        if st.effect is None:
            continue
        for cond in st.conditions:
            if cond.if_exists or _known_key(ctx, cond) is None:
                continue
            absent = _absent_result(cond)
            bad = _non_carriers(ctx, st, cond)
            if not bad:
                continue
            if absent is None:
                consequence = "the 'Null' test always sees it missing"
            elif st.allow:
                consequence = "this Allow never grants it" if not absent else "the condition does not restrict it"
            else:
                consequence = "this Deny never fires for it" if not absent else "this Deny always denies it"
            names = ", ".join(a.full_name for _, a in bad[:3]) + (f" and {len(bad) - 3} more" if len(bad) > 3 else "")
            yield cond.pointer, f"{names} never carries '{cond.key}': {consequence}"


@rule("SES030")
def unknown_condition_key(ctx):
    return ctx.unknown("SES030")


@rule("SES031")
def missing_set_operator(ctx):
    for st in ctx.statements:
        for cond in st.conditions:
            key = _known_key(ctx, cond)
            if key and key.multivalued and cond.set_op is None and cond.base != "Null":
                yield cond.pointer, (f"'{cond.key}' is multivalued but '{cond.operator}' has no set operator: "
                                     f"use ForAllValues: (every value must match) or ForAnyValue: (one must)")


@rule("SES032")
def set_operator_on_single_valued_key(ctx):
    for st in ctx.statements:
        for cond in st.conditions:
            key = _known_key(ctx, cond)
            if key and not key.multivalued and cond.set_op:
                extra = (": ForAllValues is also true when the key is absent"
                         if cond.set_op == "ForAllValues" else "")
                yield cond.pointer, (f"'{cond.key}' is single-valued, so '{cond.set_op}' is wrong here"
                                     f"{extra}; use '{cond.operator.split(':', 1)[1]}'")


@rule("SES033")
def for_all_values_without_guard(ctx):
    for st in ctx.statements:
        if not st.allow:
            continue
        for cond in st.conditions:
            if cond.set_op != "ForAllValues":
                continue
            guarded = _null_guard(st, cond.key, "false") or any(
                c.set_op == "ForAnyValue" for c in st.conditions_on(cond.key))
            if not guarded:
                yield cond.pointer, (f"'{cond.operator}' on '{cond.key}' in an Allow is also true when the key "
                                     f"is absent or empty: add \"Null\": {{\"{cond.key}\": \"false\"}} to this "
                                     f"statement")


@rule("SES034")
def deny_for_all_values_negated(ctx):
    for st in ctx.statements:
        if not st.deny:
            continue
        for cond in st.conditions:
            if cond.set_op == "ForAllValues" and cond.negated:
                fix = f"ForAnyValue:{cond.base}{'IfExists' if cond.if_exists else ''}"
                message = (f"'{cond.key}' uses ForAllValues in a Deny: a list that mixes allowed and other values is "
                           f"not denied; use '{fix}'")
                if cond.lowered == "ses:recipients" and ctx.policy_type == "identity":
                    # the send model carries the key: the prover decides whether a mixed list gets through
                    from seslint.lint.checks.reach import negated_patterns, outside_send

                    patterns = negated_patterns(cond)
                    reach = outside_send(ctx, cond.key, patterns, alone=st) if patterns else None
                    if patterns and (reach is None or not (reach.send or reach.unknown)):
                        continue   # no mixed list gets through
                    if reach is not None and reach.send:
                        message += f" ({reach.send} gets through)"
                yield cond.pointer, message


@rule("SES067")
def for_any_value_in_allow(ctx):
    if ctx.policy_type != "identity":
        return
    for st in ctx.statements:
        if not st.allow:
            continue
        for cond in st.conditions_on("ses:Recipients"):
            if cond.set_op != "ForAnyValue":
                continue
            from seslint.lint.checks.reach import outside_send, patterns_of

            patterns = patterns_of(cond)
            reach = outside_send(ctx, cond.key, patterns) if patterns else None
            if reach is not None and reach.send and st.pointer in reach.allowing:
                yield cond.pointer, (f"'{cond.operator}' on '{cond.key}' in an Allow holds once one recipient matches: "
                                     f"{reach.send} is allowed through this statement; use 'ForAllValues:{cond.base}' "
                                     f"with a Null guard to limit every recipient")


@rule("SES035")
def deny_for_any_value_absent_key(ctx):
    guarded = {c.lowered for st in ctx.statements if st.deny for c in st.conditions
               if c.base == "Null" and any(str(v).lower() == "true" for _, v in c.items())}
    for st in ctx.statements:
        if not st.deny:
            continue
        for cond in st.conditions:
            if (cond.set_op == "ForAnyValue" and cond.negated and cond.lowered in ABSENT_BYPASS_KEYS
                    and cond.lowered not in guarded):
                yield cond.pointer, (f"'{cond.operator}' on '{cond.key}' in a Deny is false when the key is absent, so "
                                     f"requests without it are not denied; add a Deny statement with "
                                     f"\"Null\": {{\"{cond.key}\": \"true\"}}")


def if_exists_free(ctx, st, cond) -> list:
    """The statement's actions that never carry the key of an IfExists condition."""
    return [a for a in ctx.actions(ctx.covered(st)) if not carries(a.name, cond.key)]


@rule("SES036")
def if_exists_vacuous(ctx):
    for st in ctx.statements:
        if not st.allow:
            continue
        for cond in st.conditions:
            if not cond.if_exists or _known_key(ctx, cond) is None:
                continue
            free = if_exists_free(ctx, st, cond)
            if free:
                names = ", ".join(a.full_name for a in free[:3]) + (
                    f" and {len(free) - 3} more" if len(free) > 3 else "")
                yield cond.pointer, (f"'{cond.operator}' on '{cond.key}' does not restrict {names}, which never "
                                     f"carry the key: the statement allows them unconditionally")


def address_problem(pattern: str) -> str | None:
    """Why a Like pattern for an email address admits more than the intended domain."""
    if pattern == "*" or "${" in pattern:
        return None
    if "@" not in pattern:
        if has_wildcard(pattern):
            return f"has no '@', so it also matches addresses at other domains ending in '{pattern.lstrip('*?')}'"
        return "is not an address, so it matches nothing"
    domain = pattern.rsplit("@", 1)[1]
    rest = domain[2:] if domain.startswith("*.") else domain
    if has_wildcard(rest):
        if rest.startswith(("*", "?")):
            example = "attacker-" + rest.lstrip("*?")
        else:
            example = rest.replace("*", "").replace("?", "").rstrip(".") + ".attacker.example"
        return f"lets the domain part vary, so it also matches other domains such as '{example}'"
    return None


@rule("SES037")
def address_pattern_too_broad(ctx):
    for st in ctx.statements:
        for cond in st.conditions:
            if cond.lowered not in ADDRESS_KEYS or not cond.like:
                continue
            for pointer, value in cond.items():
                if isinstance(value, str):
                    problem = address_problem(value)
                    if problem:
                        yield pointer, f"'{cond.key}' pattern '{value}' {problem}"


@rule("SES038")
def api_version_contradicts_action(ctx):
    for st in ctx.statements:
        for cond in st.conditions_on("ses:ApiVersion"):
            if cond.base not in ("StringEquals", "StringNotEquals", "StringLike", "StringNotLike"):
                continue
            values = {str(v) for _, v in cond.items() if isinstance(v, (str, int)) and not has_wildcard(str(v))}
            if len(values) != len(cond.items()):
                continue
            for pointer, value in cond.items():
                if str(value) not in ("1", "2"):
                    yield pointer, f"'ses:ApiVersion' is '1' or '2', never '{value}': the condition never matches it"
            permitted = ({"1", "2"} - values) if cond.negated else values
            for pointer, action in explicit(ctx, st):
                versions = {v for v, fam in (("1", "v1"), ("2", "v2")) if fam in action.families}
                if versions and not versions & permitted:
                    effect = "this Allow never grants it" if st.allow else "this Deny never fires for it"
                    yield pointer, (f"'{action.full_name}' belongs to API version {' and '.join(sorted(versions))} "
                                    f"but the condition requires 'ses:ApiVersion' "
                                    f"{'not ' if cond.negated else ''}{' or '.join(sorted(values))}: {effect}")


@lru_cache(maxsize=1)
def _simulator_mailboxes() -> frozenset[str]:
    from seslint.matrix import load_matrix

    quirk = next((q for q in load_matrix().quirks.values() if q["kind"] == "mailbox-simulator"), None)
    return frozenset(a.split("@")[0].lower() for a in quirk["addresses"]) if quirk else frozenset()


@rule("SES039")
def unknown_simulator_address(ctx):
    known = _simulator_mailboxes()
    if not known:
        return
    for st in ctx.statements:
        for cond in st.conditions_on("ses:Recipients"):
            for pointer, value in cond.items():
                if not isinstance(value, str) or "@" not in value:
                    continue
                local, domain = value.rsplit("@", 1)
                base = local.split("+", 1)[0].lower()
                if domain.lower() == SIMULATOR_DOMAIN and not has_wildcard(base) and base not in known:
                    yield pointer, (f"'{value}' is not a mailbox simulator address (success@, bounce@, ooto@, "
                                    f"complaint@, suppressionlist@): check the spelling")
