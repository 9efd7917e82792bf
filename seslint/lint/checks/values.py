"""Condition values and names that can never do what they say: literal wildcards, regular expressions,
IfExists on sender keys, and names in a case IAM does not use."""

from __future__ import annotations

import re

from seslint.core.patterns import has_wildcard
from seslint.lint.checks import condition_key, expand, rule
from seslint.lint.checks.conditions import ADDRESS_KEYS, SENDER_KEYS, if_exists_free

EQUALS = ("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase")
# regular-expression idioms that IAM's StringLike takes literally (it knows only * and ?)
_REGEX = ((re.compile(r"\.\*|\.\+"), "'.*' (IAM's wildcard is '*' alone)"),
          (re.compile(r"\\[.+*?@\-]"), "a backslash escape"),
          (re.compile(r"^\^"), "a '^' anchor"),
          (re.compile(r"(?<!\\)\$$"), "a '$' anchor"),
          (re.compile(r"\[[^\]]+\]"), "a '[...]' character class"))


@rule("SES053")
def wildcard_in_string_equals(ctx):
    for st in ctx.statements:
        for cond in st.conditions:
            if cond.lowered not in ADDRESS_KEYS or cond.base not in EQUALS:
                continue
            for pointer, value in cond.items():
                if isinstance(value, str) and "${" not in value and has_wildcard(value):
                    effect = _literal_effect(st, cond)
                    like = cond.operator.replace("Equals", "Like").replace("IgnoreCase", "")
                    yield pointer, (f"'{cond.base}' compares '{value}' literally: '*' and '?' are "
                                    f"wildcards only in StringLike, so {effect}; use '{like}'")


def _literal_effect(st, cond) -> str:
    """What comparing real addresses against a literal '*...' text does (they never equal it)."""
    return {(True, False): "this Allow never grants real addresses",
            (True, True): "the condition restricts nothing",
            (False, False): "this Deny never fires for real addresses",
            (False, True): "this Deny fires for every address"}[(st.allow, cond.negated)]


@rule("SES054")
def regex_in_string_like(ctx):
    for st in ctx.statements:
        for cond in st.conditions:
            if not cond.like or "${" in cond.key:
                continue
            for pointer, value in cond.items():
                if not isinstance(value, str) or "${" in value:
                    continue
                found = [what for rx, what in _REGEX if rx.search(value)]
                if found:
                    yield pointer, (f"'{value}' looks like a regular expression ({', '.join(found)}): "
                                    f"'{cond.base}' knows only '*' (any run) and '?' (one character) "
                                    f"and takes everything else literally")


@rule("SES055")
def if_exists_on_sender_key_in_allow(ctx):
    for st in ctx.statements:
        if not st.allow:
            continue
        for cond in st.conditions:
            # when some actions never carry the key, if-exists-vacuous (SES036) already says so
            if cond.if_exists and cond.lowered in SENDER_KEYS and not if_exists_free(ctx, st, cond):
                yield cond.pointer, (f"'{cond.operator}' on '{cond.key}' is also true when the request has no "
                                     f"such value, so this Allow admits those sends unchecked; drop 'IfExists'")


@rule("SES058")
def noncanonical_case(ctx):
    for st in ctx.statements:
        for pointer, text in (st.items("Action") or ()) + (st.items("NotAction") or ()):
            prefix, _, name = text.partition(":")
            if prefix.lower() != "ses" or has_wildcard(name) or "${" in text:
                continue
            found = expand(f"ses:{name}")
            if found and text != found[0].full_name:
                yield pointer, f"'{text}' is written '{found[0].full_name}' in the AWS reference"
        for cond in st.conditions:
            if cond.key.partition(":")[0].lower() not in ("ses", "aws") or "${" in cond.key or "/" in cond.key:
                continue
            key = condition_key(cond.key)
            if key is not None and "${" not in key.name and cond.key != key.name:
                yield cond.pointer, f"'{cond.key}' is written '{key.name}' in the AWS reference"
