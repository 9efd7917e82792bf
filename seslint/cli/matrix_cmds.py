"""`seslint actions` and `seslint explain`: query the SES matrix and its quirks."""

from __future__ import annotations

import re

import click

from seslint.cli.common import echo_json, format_option
from seslint.matrix import FAMILIES


@click.command()
@click.argument("pattern", required=False, default="ses:*")
@click.option("--family", type=click.Choice(FAMILIES), help="Only actions of this API family.")
@click.option("--access-level", help="Only actions of this access level (e.g. Write, Read, List, Tagging).")
@format_option("text", "json")
def actions(pattern, family, access_level, fmt):
    """List the ses: actions that PATTERN matches, as IAM expands it (default ses:*)."""
    from seslint import explain
    from seslint.core.patterns import has_wildcard
    from seslint.errors import UnknownNameError
    from seslint.matrix import load_matrix

    matrix = load_matrix()
    if ":" not in pattern and pattern != "*":
        pattern = f"ses:{pattern}"
    found = matrix.expand(pattern)
    if not found:
        if has_wildcard(pattern):
            raise UnknownNameError(f"pattern '{pattern}' matches no ses: action")
        raise UnknownNameError(f"unknown action '{pattern}'", help=matrix.did_you_mean(pattern))
    rows = [explain.action_row(matrix, a, f) for a in found for f in a.families]
    if family:
        rows = [r for r in rows if r["family"] == family]
    if access_level:
        rows = [r for r in rows if access_level.lower() in r["access_level"].lower()]
    if fmt == "json":
        echo_json(rows)
        return
    seen = set()
    for r in rows:  # text: one line per action, its families joined
        if r["action"] in seen:
            continue
        seen.add(r["action"])
        families = ",".join(f for f in r["families"] if not family or f == family)
        resources = ",".join(x["name"] + ("*" if x["required"] else "") for x in r["resource_types"]) or "*"
        flags = f"  quirks: {','.join(r['quirks'])}" if r["quirks"] else ""
        click.echo(f"{r['action']:<48} {families:<28} {r['access_level']:<28} {resources}{flags}")


@click.command()
@click.argument("name")
@format_option("text", "json")
def explain(name, fmt):
    """Explain NAME: an action (ses:SendEmail), an API operation (sesv2:SendEmail,
    sesv2:SendEmail:raw, smtp:SendRawEmail) or a lint rule (SES012)."""
    from seslint import explain as ex
    from seslint.errors import UnknownNameError
    from seslint.matrix import load_matrix

    if re.fullmatch(r"SES\d{3}", name, re.I) or re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", name):
        from seslint.lint.catalog import explain_rule

        click.echo(explain_rule(name, fmt))
        return
    matrix = load_matrix()
    action = matrix.action(name) if name.lower().startswith("ses:") or ":" not in name else None
    variants = None
    if ex.is_operation_spec(name):
        try:
            variants = matrix.operation(name)
        except UnknownNameError:
            if action is None:
                raise
    if action is None and variants is None:
        matrix.require_action(name)
    if fmt == "json":
        out = {}
        if action is not None:
            out["action"] = ex.describe_action(matrix, action)
        if variants is not None:
            out["operation"] = variants
        echo_json(out)
        return
    parts = []
    if action is not None:
        parts.append(ex.render_action_text(ex.describe_action(matrix, action)))
    if variants is not None:
        parts.append(ex.render_operation_text(variants, matrix))
    click.echo("\n\n".join(parts))
