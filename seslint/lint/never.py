"""`[[never-granted]]` in the lint configuration (rule SES069): grants no identity policy may make,
proven over every request with the engine of `seslint prove`, like Access Analyzer's
check-access-not-granted. z3 is imported only when a configuration has such an entry.

    actions = ["ses:PutIdentityPolicy"]        # no request for these actions is allowed
    recipients-within = ["*@example.com"]      # every recipient of every allowed send matches one
    senders-within = ["noreply@example.com"]   # every From address of every allowed send matches one
"""

from __future__ import annotations

import json
import re

from seslint.errors import InputError
from seslint.lint.checks import Context, expand

DEFAULT_SCOPE = ("111122223333", "us-east-1")
_SES_ARN = re.compile(r"arn:aws[\w-]*:ses:([a-z0-9-]+):(\d{12}):")


def check_entries(config) -> None:
    """Every action of every entry names known ses: actions; raises InputError naming the setting."""
    for entry in config.never:
        for i, pattern in enumerate(entry.actions):
            if not pattern.lower().startswith("ses:") or not expand(pattern):
                raise InputError(f"never-granted {entry.number + 1}: '{pattern}' names no ses: action",
                                 source=config.source, pointer=f"{config.pointer_base}/never-granted/{entry.number}"
                                                               f"/actions/{i}",
                                 help="seslint decides SES actions: e.g. ses:PutIdentityPolicy or ses:Send*")


def scopes(value) -> list[tuple[str, str]]:
    """(account, region) pairs the policy's SES ARNs name, or a default: each is asked on its own."""
    found = sorted({(m[2], m[1]) for m in _SES_ARN.finditer(json.dumps(value, default=str))})
    return found or [DEFAULT_SCOPE]


def findings(ctx: Context, entries) -> list[tuple[str, str]]:
    """(pointer, message) for each entry the identity policy breaks, in the first scope that shows it."""
    from seslint.errors import SeslintError
    from seslint.prove.decision import build_inputs

    out = []
    for entry in entries:
        for account, region in scopes(ctx.value):
            try:
                inputs = build_inputs([ctx.value], account=account, region=region)
            except SeslintError:
                break   # the grammar and condition rules report what is broken
            found = _actions(ctx, inputs, entry) or _sends(ctx, inputs, entry)
            if found:
                pointer, what = found
                out.append((pointer, f"never-granted {entry.number + 1} ({entry.reason}): {what}"))
                break
    return out


def _actions(ctx: Context, inputs, entry):
    from seslint.prove.grants import GRANTED, UNKNOWN, grants
    from seslint.sendmodel import partition_of

    prefix = f"arn:{partition_of(inputs.region)}:ses:{inputs.region}:{inputs.account}:"
    for action in sorted({a.name.lower(): a for p in entry.actions for a in expand(p)}.values(), key=lambda a: a.name):
        types = [rt.arn.split(":", 5)[5].split("${")[0] for rt in action.resource_types] if action.resource_level else []
        grant = grants(inputs, action.full_name, prefix if types else None, tuple(types))
        if grant.verdict == GRANTED:
            when = f" when {', '.join(grant.keys)} allow it" if grant.keys else ""
            return _statement(ctx, action.name.lower()), f"this policy grants {action.full_name} on {grant.resource}{when}"
        if grant.verdict == UNKNOWN:
            return _statement(ctx, action.name.lower()), (f"seslint cannot prove that {action.full_name} is never "
                                                          f"granted: {grant.reason}")
    return None


def _sends(ctx: Context, inputs, entry):
    from seslint.prove.api import COUNTEREXAMPLE, UNKNOWN, prove

    if not entry.recipients_within and not entry.senders_within:
        return None
    outcome = prove(inputs, recipients_within=entry.recipients_within, senders_within=entry.senders_within)
    limits = " and ".join(filter(None, [
        f"recipients outside {', '.join(entry.recipients_within)}" if entry.recipients_within else "",
        f"a From address outside {', '.join(entry.senders_within)}" if entry.senders_within else ""]))
    if outcome.verdict == COUNTEREXAMPLE and outcome.witness is not None:
        w = outcome.witness
        return (_statement(ctx, w.main["action"].partition(":")[2].lower()),
                f"this policy allows a send with {limits}: a {w.operation} send from {json.dumps(w.sender)} to "
                f"{json.dumps(w.recipients)}")
    if outcome.verdict == UNKNOWN:
        return "", f"seslint cannot prove this policy never allows a send with {limits}: {outcome.reason}"
    return None


def _statement(ctx: Context, action: str) -> str:
    """The first Allow statement that covers `action` (the policy root when none does by name)."""
    return next((st.pointer for st in ctx.statements if st.allow and action in ctx.covered(st)), "")
