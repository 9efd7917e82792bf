"""`seslint audit`: what SES sending every user and role has (files, iam-collect's store, or a live account)."""

from __future__ import annotations

import sys

import click

from seslint.cli.aws_options import connection_options
from seslint.cli.common import echo_json, format_option

#: --fail-on LEVEL: the verdicts that make the audit exit 1.
FAIL_ON = {"anyone": ("anyone",), "unknown": ("anyone", "unknown"),
           "restricted": ("anyone", "unknown", "restricted"), "never": ()}


def org_inputs(f):
    """--auth-details, --iam-collect and --scps: the inputs `audit` and `who-can-send` share."""
    f = click.option("--scps", metavar="FILE", help="The organization's SCP tree (rules/schemas/scp-tree.schema.json).")(f)
    f = click.option("--iam-collect", "iam_collect", metavar="PATH", help="iam-collect's SQLite store.")(f)
    f = click.option("--auth-details", multiple=True, metavar="FILE_OR_DIR",
                     help="Output of 'aws iam get-account-authorization-details', one file per account; a folder "
                          "stands for its .json files (repeatable).")(f)
    return f


def read_org(auth_details, iam_collect, scps):
    """(accounts iterator, SCP tree or None, whether identity policies are read)."""
    import itertools

    from seslint.audit import sources

    files = sources.auth_details_files(auth_details)
    tree = sources.load_scp_tree(scps) if scps else None
    accounts = sources.read_auth_details(files)
    if iam_collect:
        accounts = itertools.chain(accounts, sources.read_iam_collect(iam_collect))
    return accounts, tree, bool(iam_collect)


class Progress:
    """A one-line counter on stderr, only when stderr is a terminal."""

    def __init__(self, noun: str):
        self.on = sys.stderr.isatty()
        self.noun, self.done, self.read = noun, 0, 0

    def __call__(self, done: int, read: int) -> None:
        self.done += done
        self.read += read
        if self.on:
            click.echo(f"\r{self.noun}: {self.done:,} of {self.read:,} principals read", nl=False, err=True)

    def close(self) -> None:
        if self.on and self.read:
            click.echo(err=True)


@click.command()
@org_inputs
@click.option("--jobs", type=click.IntRange(min=1), metavar="N", help="Worker processes (default: one per core).")
@click.option("--live", is_flag=True, help="Read the account through the AWS API (and the SES identities' "
                                           "sending authorization policies of --region).")
@connection_options()
@click.option("--fail-on", type=click.Choice(list(FAIL_ON)), default="anyone", show_default=True,
              help="Exit 1 when a principal has this verdict (unknown: anyone or unknown; restricted: any of "
                   "anyone, unknown, restricted).")
@format_option("text", "json", "jsonl", "html")
@click.pass_context
def audit(ctx, auth_details, iam_collect, scps, jobs, live, aws_profile, aws_endpoint_url, aws_region, fail_on, fmt):
    """For every user and role of one or many accounts: may it send through SES to anyone, only to
    some recipients, only to the mailbox simulator, or not at all, and which statements decide it.

    Exit 0, or 1 when a principal's verdict is at --fail-on (default: anyone), 3 on bad input.
    """
    from seslint import audit as A

    if bool(auth_details or iam_collect) == bool(live):
        raise click.UsageError("give --auth-details FILE_OR_DIR (or --iam-collect PATH), or --live")
    region = aws_region or "us-east-1"
    progress = Progress("auditing")
    if live:
        if scps:
            raise click.UsageError("--scps needs --auth-details or --iam-collect")
        details, resource_policies, region = _live(aws_profile, aws_region, aws_endpoint_url)
        reports = [A.audit(details, region=region, resource_policies=resource_policies, progress=progress, jobs=jobs)]
        found = iter([(None, reports[0].findings)])
        sources, notes = [details.source], reports[0].notes
    else:
        if aws_profile or aws_endpoint_url:
            raise click.UsageError("--profile and --endpoint-url need --live")
        accounts, tree, read_policies = read_org(auth_details, iam_collect, scps)
        found = A.audit_accounts(accounts, region=region, scps=tree, jobs=jobs, progress=progress)
        sources, notes = [], A.notes(read_policies)
    failed = False
    findings = []
    for account, account_findings in found:
        if account is not None:
            sources.append(account.source)
        failed = failed or any(f.verdict in FAIL_ON[fail_on] for f in account_findings)
        if fmt == "jsonl":
            for f in account_findings:
                click.echo(A.jsonl_line(f))
        else:
            findings += account_findings
    progress.close()
    if fmt != "jsonl":
        report = A.Report(sources[0] if len(sources) == 1 else f"{len(sources)} accounts", region, findings, notes)
        if fmt == "json":
            echo_json(report.to_json())
        elif fmt == "html":
            click.echo(A.render_html(report, A.provenance(_now())), nl=False)
        else:
            click.echo(A.render_text(report))
    else:
        for note in notes:
            click.echo(f"seslint: note: {note}", err=True)
    ctx.exit(1 if failed else 0)


#: --fail-on of who-can-send: which paths make it exit 1
PATH_FAIL_ON = {"chain": 1, "any": 0, "never": None}


@click.command("who-can-send")
@click.argument("identity", metavar="IDENTITY|ADDRESS")
@org_inputs
@click.option("--region", "aws_region", metavar="REGION", help="The region of the sends (default us-east-1; an "
                                                               "identity ARN names its own).")
@click.option("--max-hops", type=click.IntRange(min=0), default=5, show_default=True,
              help="The longest chain followed; the output lists the principals it cuts.")
@click.option("--fail-on", type=click.Choice(list(PATH_FAIL_ON)), default="chain", show_default=True,
              help="Exit 1 when a principal can send through a chain of hops (chain), at all (any), or never.")
@format_option("text", "json", "jsonl")
@click.pass_context
def who_can_send(ctx, identity, auth_details, iam_collect, scps, aws_region, max_hops, fail_on, fmt):
    """Every user and role that can send as IDENTITY (an address, a domain or an identity ARN): directly,
    or by assuming a role, passing one to a service that sends, creating a user's access key (its SMTP
    credentials) or editing its own permissions; each with its hops, the statements that allow each, and
    a witness send.

    Exit 0, 1 when a path is at --fail-on (default: a chain of at least one hop), 3 on bad input.
    """
    from seslint.audit.chains import render_text, who_can_send as find

    if not (auth_details or iam_collect):
        raise click.UsageError("give --auth-details FILE_OR_DIR or --iam-collect PATH")
    accounts, tree, _ = read_org(auth_details, iam_collect, scps)
    answer = find(accounts, identity, region=aws_region or "us-east-1", scps=tree, max_hops=max_hops)
    if fmt == "json":
        echo_json(answer.to_json())
    elif fmt == "jsonl":
        import orjson

        for path in answer.paths:
            click.echo(orjson.dumps(path.to_json(), option=orjson.OPT_SORT_KEYS).decode())
    else:
        click.echo(render_text(answer))
    least = PATH_FAIL_ON[fail_on]
    ctx.exit(1 if least is not None and any(len(p.hops) >= least for p in answer.paths) else 0)


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
