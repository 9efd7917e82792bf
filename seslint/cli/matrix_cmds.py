"""`seslint actions` and `seslint explain`: query the SES matrix and its quirks."""

from __future__ import annotations

import re

import click

from seslint.cli.common import echo_json, format_option
from seslint.matrix import FAMILIES

ACCESS_LEVELS = ("List", "Permissions management", "Read", "Tagging", "Write")
WIDTH = 100  # text lines stay readable in a terminal and in CI logs
QUIRKS_SHOWN = 3


def _access_level(ctx, param, value):
    if value is None:
        return None
    for level in ACCESS_LEVELS:
        if level.lower() == value.strip().lower():
            return level
    raise click.BadParameter(f"'{value}' is not an access level; use one of: {', '.join(ACCESS_LEVELS)}")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 3].rstrip() + "..."


@click.command()
@click.argument("pattern", required=False, default="ses:*")
@click.option("--family", type=click.Choice(FAMILIES), help="Only actions of this API family.")
@click.option("--access-level", callback=_access_level, metavar="LEVEL",
              help=f"Only actions of this access level: {', '.join(ACCESS_LEVELS)}.")
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
        prefix = pattern.partition(":")[0].lower()
        if prefix in explain.OPERATION_SERVICES and prefix != "ses":
            raise UnknownNameError(
                f"'{pattern}' is not an IAM action: IAM actions of every SES API are named ses:",
                help=f"try 'ses:{pattern.partition(':')[2]}'" + (" --family v2" if prefix == "sesv2" else "")
                     + f"; `seslint explain {prefix}:OPERATION` shows what one API call is authorized as")
        if has_wildcard(pattern):
            raise UnknownNameError(f"pattern '{pattern}' matches no ses: action")
        raise UnknownNameError(f"unknown action '{pattern}'", help=matrix.did_you_mean(pattern))
    rows = [explain.action_row(matrix, a, f) for a in found for f in a.families]
    if family:
        rows = [r for r in rows if r["family"] == family]
    if access_level:
        rows = [r for r in rows if access_level in r["access_level"].split(", ")]
    if fmt == "json":
        echo_json(rows)
        return
    import textwrap

    unique = list({r["action"]: r for r in reversed(rows)}.values())[::-1]
    cells = [(r["action"], ",".join(f for f in r["families"] if not family or f == family), r["access_level"])
             for r in unique]
    widths = [max(len(c[i]) for c in cells) for i in range(3)]
    narrow = sum(widths) + 3 > WIDTH // 2  # then the resources go on lines of their own
    indent = " " * (8 if narrow else sum(widths) + 3)
    for r, cell in zip(unique, cells, strict=True):  # text: one line per action (wrapped resources), then its quirks
        resources = ", ".join(x["name"] + ("*" if x["required"] else "") for x in r["resource_types"]) or "*"
        head = " ".join(c.ljust(w) for c, w in zip(cell, widths, strict=True))
        if narrow:
            click.echo(head.rstrip())
        click.echo(textwrap.fill(resources, WIDTH, initial_indent=indent if narrow else head + " ",
                                 subsequent_indent=indent, break_on_hyphens=False, break_long_words=False))
        for qid in r["quirks"][:QUIRKS_SHOWN]:
            click.echo(_clip(f"    quirk: {matrix.quirks[qid]['summary']}", WIDTH))
        if len(r["quirks"]) > QUIRKS_SHOWN:
            click.echo(f"    ... {len(r['quirks']) - QUIRKS_SHOWN} more: seslint explain {r['action']}")


@click.command()
@click.argument("name")
@format_option("text", "json")
def explain(name, fmt):
    """Explain NAME: an action (ses:SendEmail), an API operation (sesv2:SendEmail,
    sesv2:SendEmail:raw, smtp:SendRawEmail), a condition key (ses:Recipients, aws:SourceIp)
    or a lint rule (SES012)."""
    from seslint import explain as ex
    from seslint.errors import UnknownNameError
    from seslint.matrix import load_matrix

    if re.fullmatch(r"SES\d{3}", name, re.I) or re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", name):
        from seslint.lint.catalog import explain_rule

        click.echo(explain_rule(name, fmt))
        return
    matrix = load_matrix()
    action = matrix.action(name) if name.lower().startswith("ses:") or ":" not in name else None
    if action is None and ":" in name and matrix.key(name) is not None:
        from seslint.sendmodel import key_values

        described = ex.describe_key(matrix, name, key_values(name))
        if fmt == "json":
            echo_json({"key": described})
        else:
            click.echo(ex.render_key_text(described))
        return
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


@click.command()
@format_option("text", "json")
def rules(fmt):
    """List every lint rule (`seslint explain ID` shows one in full)."""
    from seslint.lint.catalog import list_rules

    click.echo(list_rules(fmt))
