"""`seslint review`: what a git change does to SES sending, for a pull request."""

from __future__ import annotations

import click

from seslint.cli.common import echo_json, format_option


@click.command()
@click.argument("paths", nargs=-1)
@click.option("--base", required=True, metavar="REV", help="The revision to compare with (a branch, tag or SHA).")
@click.option("--head", metavar="REV", help="The revision under review (default: the work tree as it is).")
@format_option("text", "json", "markdown", "github", "sarif")
@click.option("--fail-on", type=click.Choice(("error", "warning", "info", "never")), default="error",
              show_default=True, help="Exit 1 when a new lint finding has this severity or a higher one.")
@click.option("--policy-type", type=click.Choice(("auto", "identity", "resource")), default="auto",
              show_default=True, help="How to lint raw policy files (as seslint lint).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Lint config file (default: nearest .seslint.toml or pyproject.toml with [tool.seslint]).")
@click.pass_context
def review(ctx, paths, base, head, fmt, fail_on, policy_type, config_path):
    """Review a change to SES permissions: every lint input under PATHS (default: .) at --base and at
    --head, paired by where each policy lives; what sends each changed policy gains and loses, with
    proven witness requests, and the lint findings that are new at head. Run it in a git work tree.

    Exit 0, 1 when a send is gained or a new finding is at --fail-on, 3 when a change cannot be decided.
    """
    import os

    from seslint.lint import config, engine
    from seslint.review import render
    from seslint.review.run import review as run

    cfg = config.load(config_path or config.find(os.getcwd()), engine.resolve_rules)
    result = run(list(paths), base, head, config=cfg, policy_type=policy_type, reach=fmt == "markdown")
    if fmt == "json":
        echo_json(render.review_json(result))
    elif fmt == "markdown":
        click.echo(render.review_markdown(result))
    elif fmt == "github":
        click.echo(render.review_github(result))
    elif fmt == "sarif":
        click.echo(render.review_sarif(result))
    else:
        click.echo(render.review_text(result))
    ctx.exit(result.exit_code(fail_on))
