"""Helpers shared by the command modules: output formats and JSON printing."""

from __future__ import annotations

import json

import click


def format_option(*choices: str, default: str = "text"):
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format.")


def echo_json(value) -> None:
    """Print JSON deterministically (sorted keys, two-space indent)."""
    click.echo(json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False))


def warn_unknown_regions(*regions) -> None:
    """One warning on stderr per region that no AWS partition knows (the command goes on)."""
    from seslint.regions import unknown_region_warning

    for region in regions:
        message = unknown_region_warning(region)
        if message:
            click.echo(f"seslint: warning: {message}", err=True)


SCP_HELP = ("Service control policies of one organization level, from the root down: one option per level; "
            "the policies attached at the same level separated by commas (e.g. full-access.json,guardrail.json).")


def scp_option(f):
    """--scp FILE[,FILE...]: one organization level per option; the command gets (level, [files])
    for each, from the root down, the level being the value as given."""
    return click.option("--scp", "scps", multiple=True, metavar="FILE[,FILE...]", help=SCP_HELP,
                        callback=_scp_levels)(f)


def _scp_levels(ctx, param, values) -> list[tuple[str, list[str]]]:
    levels = []
    for value in values:
        files = [part.strip() for part in value.split(",")]
        if not all(files):
            raise click.BadParameter(f"'{value}' has an empty file name: give FILE or FILE,FILE...")
        levels.append((value, files))
    return levels


class Instant(click.ParamType):
    """An ISO 8601 instant with its time zone (2030-01-01T00:00:00Z), as an aware datetime."""

    name = "TIME"

    def convert(self, value, param, ctx):
        from datetime import datetime

        if isinstance(value, datetime):
            return value
        try:
            found = datetime.fromisoformat(value.strip())
        except ValueError:
            found = None
        if found is None or found.tzinfo is None:
            self.fail(f"'{value}' is not an ISO 8601 instant with a time zone, e.g. 2030-01-01T00:00:00Z", param, ctx)
        return found


def at_option(help: str):
    return click.option("--at", type=Instant(), metavar="TIME", help=help)


def warn_unknown_names(names) -> list[str]:
    """One warning on stderr per action or condition key SES does not know (`seslint.names`, worded as
    lint words it); the lines, for JSON output."""
    lines = [u.describe() for u in names]
    for line in lines:
        click.echo(f"seslint: warning: {line}", err=True)
    return lines


def load_document(path: str):
    """A JSON document for the evaluator or the prover: a repeated member name is an error, for
    IAM keeps neither reading of it safe to guess (the linter reports it as SES002)."""
    from seslint.errors import InputError
    from seslint.jsondoc import load_path

    doc = load_path(path)
    if doc.has_duplicates:
        raise InputError("member name repeated in one object", source=doc.source, pointer=doc.duplicates[0],
                         help="remove the repeated member; `seslint lint` shows every one")
    return doc


def principal_documents(docs: list, auth_details: str | None, principal: str | None):
    """`docs` (from --policy) plus the policies of --auth-details --principal; returns
    (docs, boundary or None, principal ARN or None)."""
    boundary = principal_arn = None
    if auth_details:
        from seslint.evaluate.authdetails import load_auth_details

        if not principal:
            raise click.UsageError("--auth-details needs --principal NAME|ARN")
        doc = load_document(auth_details)
        found = load_auth_details(doc.value, doc.source).principal(principal)
        docs = [*docs, *found.identity_policies]
        boundary, principal_arn = found.permission_boundary, found.arn
    elif principal:
        if not principal.startswith("arn:"):
            raise click.UsageError("without --auth-details, --principal must be an ARN")
        principal_arn = principal
    return docs, boundary, principal_arn
