"""Actions: unknown names, empty wildcards, wrong prefixes and wildcards that grant more than it seems."""

from __future__ import annotations

from seslint.core.patterns import has_wildcard
from seslint.jsondoc import join
from seslint.lint.checks import expand, rule
from seslint.lint.model import RESOURCE

WRONG_PREFIXES = ("sesv2", "ses-v2", "email", "pinpoint-email", "mailmanager", "amazonses", "simpleemail")
WRITE_LEVELS = ("Write", "Permissions management", "Tagging")
READ_PREFIXES = ("Get", "List", "Describe")


def _entries(ctx):
    """(statement, pointer, prefix, name) for every Action and NotAction string."""
    for st in ctx.statements:
        for pointer, text in (st.items("Action") or ()) + (st.items("NotAction") or ()):
            if "${" not in text and ":" in text:
                prefix, _, name = text.partition(":")
                yield st, pointer, prefix, name


@rule("SES021")
def unknown_action(ctx):
    return ctx.unknown("SES021")


@rule("SES061")
def action_not_in_data(ctx):
    return ctx.unknown("SES061")


@rule("SES022")
def wildcard_matches_nothing(ctx):
    for _, pointer, prefix, name in _entries(ctx):
        if prefix.lower() == "ses" and has_wildcard(name) and not expand(f"ses:{name}"):
            yield pointer, f"'{prefix}:{name}' matches no SES action: the statement never applies to it"


@rule("SES023")
def wrong_action_prefix(ctx):
    for _, pointer, prefix, name in _entries(ctx):
        if prefix.lower() in WRONG_PREFIXES:
            yield pointer, (f"'{prefix}:{name}' uses prefix '{prefix}': every SES, SES v2, Pinpoint Email and "
                            f"Mail Manager action is 'ses:{name}', so this entry matches nothing")


def _surprise(action) -> tuple:
    """Sort key: the actions a reader least expects a wildcard to include come first."""
    level = action.access_level
    return (0 if level == "Permissions management" else 1 if action.name.startswith("Delete") else
            2 if action.name in ("SendBounce", "SendCustomVerificationEmail") else 3 if level == "Write" else 4,
            action.name)


def _dedicated_to_ses(ctx) -> bool:
    """A resource policy, or a policy that allows nothing outside ses: but reads: a deliberate SES grant."""
    if ctx.policy_type == RESOURCE:
        return True
    for st in ctx.statements:
        for text in (st.actions or ()) if st.allow else ():
            prefix, _, name = text.partition(":")
            if text == "*" or (prefix.lower() != "ses" and not name.startswith(READ_PREFIXES)):
                return False
    return True


@rule("SES024")
def broad_wildcard(ctx):
    # ses:* in a policy that grants SES alone is a stated choice (full SES access, as in AmazonSESFullAccess):
    # info; in a workload's policy next to other services it is a sender given too much. A partial wildcard
    # (ses:Send*) stays a warning: it was meant for some actions and includes others
    dedicated = None
    for st in ctx.statements:
        if not st.allow:
            continue
        for pointer, pattern, found in ctx.ses_patterns(st):
            if not has_wildcard(pattern):
                continue
            risky = sorted((a for a in found if a.access_level in WRITE_LEVELS), key=_surprise)
            if not risky:
                continue
            named = ", ".join(a.full_name for a in risky[:4])
            more = f" and {len(risky) - 4} more write actions" if len(risky) > 4 else ""
            what = "every action of every service" if pattern == "*" else f"{len(found)} SES actions"
            full = pattern.lower() == "ses:*"
            if full and dedicated is None:
                dedicated = _dedicated_to_ses(ctx)
            yield pointer, (f"'{pattern}' allows {what}, including {named}{more}: "
                            f"list only the actions you need"), "info" if full and dedicated else ""
        if st.not_actions and st.resources and "*" in st.resources:
            excluded = ", ".join(f"'{a}'" for a in st.not_actions[:3])
            yield join(st.pointer, "NotAction"), (f"'NotAction' in an Allow on \"Resource\": \"*\" allows every "
                                                  f"action of every service except {excluded}: list the actions you "
                                                  f"need in 'Action'")
