"""`seslint audit`: what SES sending every user and role has (file or live account)."""

from __future__ import annotations

import sys

import click

from seslint.cli.aws_options import connection_options
from seslint.cli.common import echo_json, format_option

#: --fail-on LEVEL: the verdicts that make the audit exit 1.
FAIL_ON = {"anyone": ("anyone",), "unknown": ("anyone", "unknown"),
           "restricted": ("anyone", "unknown", "restricted"), "never": ()}


@click.command()
@click.option("--auth-details", metavar="FILE", help="Output of 'aws iam get-account-authorization-details'.")
@click.option("--live", is_flag=True, help="Read the account through the AWS API (and the SES identities' "
                                           "sending authorization policies of --region).")
@connection_options()
@click.option("--fail-on", type=click.Choice(list(FAIL_ON)), default="anyone", show_default=True,
              help="Exit 1 when a principal has this verdict (unknown: anyone or unknown; restricted: any of "
                   "anyone, unknown, restricted).")
@format_option("text", "json", "html")
@click.pass_context
def audit(ctx, auth_details, live, aws_profile, aws_endpoint_url, aws_region, fail_on, fmt):
    """For every user and role: may it send through SES to anyone, only to some recipients, only to
    the mailbox simulator, or not at all, and which statements decide it.

    Exit 0, or 1 when a principal's verdict is at --fail-on (default: anyone), 3 on bad input.
    """
    from seslint import audit as A
    from seslint.evaluate.authdetails import load_auth_details

    if bool(auth_details) == bool(live):
        raise click.UsageError("give exactly one of --auth-details FILE or --live")
    resource_policies = None
    if live:
        details, resource_policies, region = _live(aws_profile, aws_region, aws_endpoint_url)
    else:
        if aws_profile or aws_endpoint_url:
            raise click.UsageError("--profile and --endpoint-url need --live")
        from seslint.jsondoc import load_path

        doc = load_path(auth_details)
        details, region = load_auth_details(doc.value, doc.source), aws_region or "us-east-1"
    total = sum(1 for _ in details.principals())
    if sys.stderr.isatty() and total:
        with click.progressbar(length=total, label="auditing", file=sys.stderr) as bar:
            report = A.audit(details, region=region, resource_policies=resource_policies, progress=bar.update)
    else:
        report = A.audit(details, region=region, resource_policies=resource_policies)
    if fmt == "json":
        echo_json(report.to_json())
    elif fmt == "html":
        click.echo(A.render_html(report, A.provenance(_now())), nl=False)
    else:
        click.echo(A.render_text(report))
    ctx.exit(1 if any(f.verdict in FAIL_ON[fail_on] for f in report.findings) else 0)


def _now() -> str:
    """UTC time of the report; SOURCE_DATE_EPOCH (reproducible builds) fixes it."""
    import os
    from datetime import datetime, timezone

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch and epoch.isdigit() else datetime.now(timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M:%S UTC")


def _live(profile, region, endpoint_url):
    """The account's authorization details and its SES identities' sending authorization policies."""
    from seslint.aws import Connection, Reader
    from seslint.evaluate.authdetails import load_auth_details
    from seslint.policy import PolicyDoc

    reader = Reader(Connection(profile, region, endpoint_url))
    details = load_auth_details(reader.authorization_details(), f"aws account {reader.account}")
    policies = reader.identity_policies(reader.identities())
    resource_policies = {arn: [PolicyDoc(doc, f"{arn} sending authorization policy '{name}'")
                               for name, doc in docs.items()] for arn, docs in policies.items()}
    return details, resource_policies, reader.region
