"""`seslint lint`: lint IAM policies that touch SES (files, folders or `-` for stdin)."""

from __future__ import annotations

import click

from seslint.cli.common import format_option


def _start(paths) -> str | None:
    """Where the search for a config file begins: the deepest folder holding every linted path."""
    import os

    named = [os.path.abspath(p) for p in paths if p != "-"]
    if not named:
        return None
    return os.path.commonpath([p if os.path.isdir(p) else os.path.dirname(p) for p in named])


def _names(ctx, param, values):
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


@click.command()
@click.argument("paths", nargs=-1, required=True)
@format_option("text", "json", "sarif", "github")
@click.option("--fail-on", type=click.Choice(("error", "warning", "info", "never")), default="error",
              show_default=True, help="Exit 1 when a finding has this severity or a higher one.")
@click.option("--policy-type", type=click.Choice(("auto", "identity", "resource")), default="auto",
              show_default=True, help="Treat raw policy files as identity or SES sending-authorization policies "
                                      "(auto: a Principal means resource-based).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Config file (default: nearest .seslint.toml or pyproject.toml with [tool.seslint]).")
@click.option("--select", multiple=True, callback=_names, help="Only these rules (ids, id prefixes or names).")
@click.option("--ignore", multiple=True, callback=_names, help="Skip these rules.")
@click.option("--code", "code_paths", multiple=True, metavar="PATH",
              help="The application's source (repeatable): also report what the code calls that a policy does not "
                   "allow (SES062) and what a policy grants that the code never calls (SES063).")
@click.option("--skip-unrecognized", is_flag=True,
              help="Skip named files that hold no policy instead of failing (for pre-commit).")
@click.pass_context
def lint(ctx, paths, fmt, fail_on, policy_type, config_path, select, ignore, code_paths, skip_unrecognized):
    """Lint the policies in PATHS: policy JSON, CloudFormation JSON/YAML, Terraform plan JSON
    (`terraform show -json`) or `aws iam get-account-authorization-details` output.
    Folders are searched for *.json, *.yaml, *.yml and *.template; `-` reads standard input."""
    from seslint.lint import config, engine, report
    from seslint.lint.model import RANK

    for name in select + ignore:
        engine.resolve_rules(name)
    cfg = config.load(config_path or config.find(_start(paths)), engine.resolve_rules)
    code = None
    if code_paths:
        from seslint.fromcode.coverage import load

        code = load(list(code_paths))
    result = engine.run(list(paths), cfg, policy_type, select, ignore, skip_unrecognized, code=code)
    out = report.render(result.findings, fmt, result.files, result.policies)
    if out:
        click.echo(out)
    if result.errors:  # after the other files' findings, so that one bad file never empties the report
        for exc in result.errors:
            click.echo(f"seslint: error: {exc}", err=True)
        click.echo(f"  help: {result.errors[0].help}", err=True)
        ctx.exit(result.errors[0].exit_code)
    threshold = RANK[fail_on]
    ctx.exit(1 if any(RANK[f.severity] >= threshold for f in result.findings) else 0)
