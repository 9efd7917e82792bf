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
