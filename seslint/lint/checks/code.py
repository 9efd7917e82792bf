"""Checks against the application's code (`seslint lint --code PATH`): what the code calls that
the policy does not allow, and what the policy grants that the code never calls. Without `--code`
they report nothing."""

from __future__ import annotations

from seslint.lint.checks import rule


@rule("SES062")
def code_call_not_allowed(ctx):
    if ctx.code is None:
        return
    from seslint.fromcode.coverage import denied

    for planned, why in denied(ctx.code, ctx.value):
        site = planned.site
        yield "", (f"{site.where} calls {site.operation}" + (f" ({', '.join(site.contents)})" if site.contents else "")
                   + f", which this policy does not allow: {why}")


@rule("SES063")
def grant_unused_by_code(ctx):
    if ctx.code is None:
        return
    used = ctx.code.actions
    for st in ctx.statements:
        if st.deny or st.has_principal:
            continue
        if st.not_actions is not None:
            yield st.pointer, "NotAction grants every action but a few; the code calls only " + \
                ", ".join(sorted(f"ses:{a}" for a in used))
            continue
        for pointer, pattern, matched in ctx.ses_patterns(st):
            names = {a.name.lower(): a.full_name for a in matched}
            unused = sorted(full for low, full in names.items() if low not in used)
            if not unused:
                continue
            if len(unused) == len(names):
                yield pointer, f"grants {pattern}, which the code never calls"
            else:
                yield pointer, (f"{pattern} also grants {len(unused)} action(s) the code never calls "
                                f"({', '.join(unused[:3])}{', ...' if len(unused) > 3 else ''})")
