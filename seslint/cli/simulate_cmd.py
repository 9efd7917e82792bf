"""`seslint simulate` and `seslint can-send`: evaluate requests against policies as IAM would."""

from __future__ import annotations

import click

from seslint.cli.aws_options import aws_options
from seslint.cli.common import (
    at_option,
    echo_json,
    format_option,
    load_document as _load,
    principal_documents,
    scp_option,
    warn_unknown_names,
    warn_unknown_regions,
)

KINDS = (("Resources", "a CloudFormation template"), ("format_version", "a Terraform plan"),
         ("UserDetailList", "get-account-authorization-details output"))


def _load_policy(path: str):
    """A raw policy document; a template, plan or authorization-details file gets a hint, not a parse error."""
    from seslint.errors import InputError

    if path.lower().endswith((".yaml", ".yml", ".template")):
        raise InputError("--policy takes one raw policy JSON document, not YAML", source=path,
                         help="put the policy's JSON in a file of its own; `seslint lint` reads templates")
    doc = _load(path)
    if isinstance(doc.value, dict) and "Statement" not in doc.value:
        kind = next((k for key, k in KINDS if key in doc.value), None)
        if kind:
            help = ("use --auth-details FILE --principal NAME" if "authorization" in kind else
                    "put the policy's JSON in a file of its own; `seslint lint` reads this file as it is")
            raise InputError(f"--policy takes one raw policy JSON document, and this is {kind}", source=path,
                             help=help)
    return doc


def _check_principal(ctx, param, value):
    import re

    if value is not None and not re.fullmatch(r"arn:aws[a-z-]*:(iam|sts)::(\d{12}|aws):\S+", value):
        raise click.BadParameter(f"'{value}' is not an IAM principal ARN "
                                 "(e.g. arn:aws:iam::111122223333:role/ci)")
    return value


@click.command()
@click.option("--scenario", "scenario_path", metavar="FILE", help="One scenario (JSON, see README).")
@click.option("--scenarios", "batch_path", metavar="FILE.jsonl",
              help="Many scenarios, one JSON object per line; one result per line, streamed.")
@click.option("--policy", "policies", multiple=True, metavar="FILE", help="Identity-based policy (repeatable).")
@click.option("--resource-policy", metavar="FILE", help="Resource-based policy (e.g. an SES sending authorization policy).")
@click.option("--boundary", metavar="FILE", help="Permissions boundary.")
@click.option("--session-policy", "session_policies", multiple=True, metavar="FILE", help="Session policy (repeatable).")
@scp_option
@click.option("--principal", metavar="ARN", callback=_check_principal, help="The calling principal's ARN.")
@click.option("--action", help="The IAM action, e.g. ses:SendEmail.")
@click.option("--resource", default="*", show_default=True, help="The resource ARN.")
@click.option("--resource-account", metavar="ID",
              help="The account that owns the resource, for ARNs without a numeric account (S3, 'aws'); "
                   "with --scenario(s), for the requests that do not name one.")
@click.option("--context", "contexts", multiple=True, metavar="KEY=VALUE",
              help="A request context value (repeat a key for a multivalued key; KEY=[] for an empty set).")
@click.option("--explain", is_flag=True, help="Show which statements matched and why each condition held or failed.")
@click.option("--jobs", type=click.IntRange(min=1), metavar="N",
              help="Worker processes for --scenarios, on Linux (default: one per CPU; results keep the input order).")
@aws_options(conflicts=("scenario_path", "batch_path", "principal"))
@format_option("text", "json")
@click.pass_context
def simulate(ctx, scenario_path, batch_path, policies, resource_policy, boundary, session_policies, scps,
             principal, action, resource, resource_account, contexts, explain, jobs, fmt, aws):
    """Evaluate a request against IAM policies, as IAM would.

    Exit 0 when allowed, 1 when denied, 3 when a scenario cannot be evaluated faithfully.
    """
    from seslint.evaluate import evaluate, load_scenario
    from seslint.evaluate.batch import check_action, run_batch

    chosen = [x for x in (scenario_path, batch_path, action) if x]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --scenario FILE, --scenarios FILE.jsonl or --action ACTION")
    from seslint.core.arn import ACCOUNT

    if resource_account is not None and not ACCOUNT.fullmatch(resource_account):
        raise click.BadParameter(f"'{resource_account}' is not a 12-digit account id", param_hint="--resource-account")
    if batch_path:
        ctx.exit(run_batch(batch_path, explain, fmt, resource_account, jobs))
    if scenario_path:
        doc = _load(scenario_path)
        scenario = load_scenario(doc.value, doc.source)
        check_action(scenario.request.action)
        if scenario.request.account is None:
            scenario.request.account = resource_account
    else:
        check_action(action)
        scenario = _flags_scenario(policies, resource_policy, boundary, session_policies, scps,
                                   aws.principal().arn if aws else principal, action, resource, contexts,
                                   resource_account)
        if aws is not None:
            aws.apply(scenario)
    result = evaluate(scenario, explain=explain)
    from seslint.names import in_policies

    warnings = warn_unknown_names(in_policies(cp.policy for cp in scenario.policies.every()))
    if fmt == "json":
        echo_json(dict(result.to_json(), warnings=warnings) if warnings else result.to_json())
    else:
        from seslint.evaluate.render import render_result

        click.echo(render_result(result))
    ctx.exit(0 if result.allowed else 1)


def _flags_scenario(policies, resource_policy, boundary, session_policies, scps, principal, action, resource,
                    contexts, resource_account=None):
    """A scenario from flags; each policy keeps its file name for error locations and explanations."""
    from seslint.evaluate import load_scenario
    from seslint.evaluate.scenario import PolicyCache

    cache = PolicyCache()

    def read(path, kind):
        doc = _load_policy(path)
        return cache.get(doc.value, doc.source, "", kind)

    context: dict = {}
    for item in contexts:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"'{item}' is not KEY=VALUE", param_hint="--context")
        if value == "[]":
            context.setdefault(key, [])
            continue
        if key in context:
            prev = context[key]
            context[key] = (prev if isinstance(prev, list) else [prev]) + [value]
        else:
            context[key] = value
    value = {"request": {"action": action, "resource": resource, "context": context}}
    if resource_account:
        value["request"]["resource_account"] = resource_account
    if principal:
        value["principal"] = {"arn": principal}
    scenario = load_scenario(value, "<command line>")
    p = scenario.policies
    p.identity = [read(f, "identity") for f in policies]
    p.session = [read(f, "session") for f in session_policies]
    p.scps = [(level, [read(f, "scp") for f in files]) for level, files in scps]
    p.resources = [read(resource_policy, "resource")] if resource_policy else []
    p.boundary = read(boundary, "boundary") if boundary else None
    if p.resources and not principal:
        raise click.UsageError("--resource-policy needs --principal ARN")
    return scenario


@click.command("can-send")
@click.option("--from", "sender", required=True, metavar="ADDRESS", help="From address (may be 'Name <addr>').")
@click.option("--to", "to", multiple=True, metavar="ADDRESSES",
              help="To addresses: one or a comma-separated list, with display names (repeatable).")
@click.option("--cc", multiple=True, metavar="ADDRESSES", help="Cc addresses (as --to).")
@click.option("--bcc", multiple=True, metavar="ADDRESSES", help="Bcc addresses (as --to).")
@click.option("--api", type=click.Choice(["v1", "v2", "smtp"]), default="v2", show_default=True,
              help="How the app sends: SES API v1 (ses), v2 (sesv2) or the SMTP interface.")
@click.option("--content", type=click.Choice(["simple", "raw", "template", "bulk", "bounce", "verification"]),
              default="simple", show_default=True,
              help="The message: simple (subject and body), raw (MIME), a stored template, a bulk send of a "
                   "template; or the other mail SES sends for a caller: a bounce (v1 SendBounce, --from the bounce "
                   "sender) or a custom verification email (SendCustomVerificationEmail, --template the "
                   "verification template, --to the address being verified).")
@click.option("--configuration-set", metavar="NAME", help="Configuration set that applies to the send.")
@click.option("--template", metavar="NAME", help="Stored template (template and bulk sends; verification template).")
@click.option("--region", help="Region of the SES endpoint and identities (default: each region class the "
                                "policies tell apart; live, the configured region).")
@click.option("--account", metavar="ID", help="The sending account (default: the principal's).")
@click.option("--identity", metavar="NAME|ARN",
              help="The verified identity SES uses (default: every identity SES could use, or, live, the verified one).")
@click.option("--sandbox/--no-sandbox", default=None,
              help="The account is in the SES sandbox: recipients' identities are checked too (live: read from AWS).")
@click.option("--source-arn", metavar="ARN", help="Delegated sending: the identity owner's identity (SourceArn, "
                                                   "FromArn, FromEmailAddressIdentityArn).")
@click.option("--return-path-arn", metavar="ARN", help="Delegated sending: the identity of the return path.")
@click.option("--identity-policy", "identity_policy", metavar="FILE",
              help="The identity's sending-authorization policy (the owner's, for delegated sending).")
@click.option("--feedback-address", metavar="ADDRESS", help="Feedback (Return-Path) address.")
@click.option("--tenant", metavar="NAME", help="SES tenant (TenantName; X-SES-TENANT header for SMTP).")
@click.option("--tracking-override", "tracking", multiple=True, metavar="open|click=ENABLED|DISABLED",
              help="Override open or click tracking in the send (v2; repeatable).")
@click.option("--endpoint-id", metavar="ID", help="Multi-region endpoint id (v2 EndpointId).")
@at_option("When the send is made (aws:CurrentTime, aws:EpochTime), e.g. 2030-01-01T00:00:00Z (default: now).")
@click.option("--policy", "policies", multiple=True, metavar="FILE", help="Identity-based policy (repeatable).")
@click.option("--auth-details", metavar="FILE", help="Output of 'aws iam get-account-authorization-details'.")
@click.option("--principal", metavar="NAME|ARN", help="User or role in --auth-details, or the caller's ARN.")
@click.option("--boundary", metavar="FILE", help="Permissions boundary (instead of the one in --auth-details).")
@scp_option
@aws_options(region=False, conflicts=("auth_details", "principal"))
@format_option("text", "json")
@click.pass_context
def can_send(ctx, sender, to, cc, bcc, api, content, configuration_set, template, region, account, identity, sandbox,
             source_arn, return_path_arn, identity_policy, feedback_address, tenant, tracking, endpoint_id, at,
             policies, auth_details, principal, boundary, scps, fmt, aws):
    """May this principal send this email? Evaluates every IAM request SES makes for the send.

    Without --identity, every identity SES could check (the address, its domain, parent
    domains) is evaluated: allowed when the send is allowed for one, saying for which.
    Exit 0 when allowed, 1 when denied, 3 on bad input or when the sources leave it undecided.
    """
    from seslint.cansend import check_send, check_send_in
    from seslint.policy import PolicyDoc
    from seslint.scope import DEFAULT_ACCOUNT, DEFAULT_REGION
    from seslint.sendmodel import Send

    warn_unknown_regions(region)

    docs, found_boundary, principal_arn = principal_documents(
        [PolicyDoc(d.value, d.source) for d in map(_load_policy, policies)], auth_details, principal)
    if aws is not None:
        live = aws.principal()
        docs += live.identity_policies
        found_boundary, principal_arn = live.permission_boundary, live.arn
    boundary_doc = _policy_doc(boundary) if boundary else found_boundary
    scp_docs = [(level, [_policy_doc(f) for f in files]) for level, files in scps]
    if not policies and not auth_details and aws is None:
        raise click.UsageError("give --policy FILE or --auth-details FILE --principal NAME")
    if account is None and principal_arn:
        from seslint.core.arn import account_of

        account = account_of(principal_arn)
    if aws is not None and not account:
        raise click.UsageError("give --account ID (the sending account)")
    send = Send(sender=sender, account=account or DEFAULT_ACCOUNT, to=to, cc=cc, bcc=bcc, api=api, content=content,
                configuration_set=configuration_set, template=template, region=region or DEFAULT_REGION,
                identity=identity,
                sandbox=bool(sandbox), source_arn=source_arn, return_path_arn=return_path_arn,
                feedback_address=feedback_address, tenant=tenant, tracking=_tracking(tracking), endpoint_id=endpoint_id,
                at=at)
    resource_policies, notes = {}, []
    if identity_policy:
        doc = _load(identity_policy)
        resource_policies["*"] = [PolicyDoc(doc.value, doc.source)]
    if aws is not None:
        from seslint.live import live_send

        send, resource_policies, notes = live_send(aws, send, resource_policies, sandbox is None)
    policies_in = dict(principal_arn=principal_arn, permission_boundary=boundary_doc,
                       resource_policies=resource_policies, scps=scp_docs)
    if aws is not None:
        result = check_send(send, docs, **policies_in)
    else:
        result = check_send_in(send, docs, account=account, region=region, **policies_in)
    if not result.allowed and result.send is not None:
        from seslint.advice import advise

        result.advised = advise(result, result.send, docs, **policies_in)
    result.notes[:0] = notes
    warn_unknown_names(result.names)
    if fmt == "json":
        echo_json(result.to_json())
    else:
        from seslint.evaluate.render import render_send

        click.echo(render_send(result))
    ctx.exit(0 if result.allowed else 3 if result.decision == "unknown" else 1)


def _policy_doc(path: str):
    from seslint.policy import PolicyDoc

    doc = _load_policy(path)
    return PolicyDoc(doc.value, doc.source)


def _tracking(values) -> tuple[tuple[str, str], ...]:
    out = []
    for value in values:
        kind, sep, setting = value.partition("=")
        if not sep:
            raise click.BadParameter(f"'{value}' is not open|click=ENABLED|DISABLED", param_hint="--tracking-override")
        out.append((kind.strip().lower(), setting.strip().upper()))
    return tuple(out)
