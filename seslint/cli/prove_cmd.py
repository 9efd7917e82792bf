"""`seslint prove` and `seslint diff`: exact answers over every possible send (z3, imported here only)."""

from __future__ import annotations

import json

import click

from seslint.cli.common import echo_json, format_option, load_document as _load, principal_documents


@click.command()
@click.option("--policy", "policies", multiple=True, metavar="FILE", help="Identity-based policy (repeatable).")
@click.option("--auth-details", metavar="FILE", help="Output of 'aws iam get-account-authorization-details'.")
@click.option("--principal", metavar="NAME|ARN", help="User or role in --auth-details, or the caller's ARN.")
@click.option("--boundary", metavar="FILE", help="Permissions boundary.")
@click.option("--scp", "scps", multiple=True, metavar="FILE",
              help="Service control policy, one organization level per option, from the root down.")
@click.option("--identity-policy", "identity_policies", multiple=True, metavar="FILE",
              help="Sending authorization policy of the SES identities (repeatable).")
@click.option("--account", metavar="ID",
              help="Account that owns the SES identities (default: the principal's and each the policies name).")
@click.option("--region", help="Region of the SES identities the sends use (default: each the policies tell apart).")
@click.option("--recipients-within", "recipients", multiple=True, metavar="PATTERN",
              help="Property: every recipient of every allowed send matches one PATTERN (repeatable; * and ?).")
@click.option("--senders-within", "senders", multiple=True, metavar="PATTERN",
              help="Property: every From address of every allowed send matches one PATTERN.")
@click.option("--no-send", is_flag=True, help="Property: no send is allowed at all.")
@format_option("text", "json")
@click.pass_context
def prove(ctx, policies, auth_details, principal, boundary, scps, identity_policies, account, region, recipients,
          senders, no_send, fmt):
    """Prove a property of every possible send, or show a send that breaks it.

    Exit 0 proven, 1 counterexample, 3 unknown (with the reason).
    """
    from seslint.prove.api import COUNTEREXAMPLE, PROVEN, prove_in
    from seslint.prove.report import command, inputs_at, render, scenario
    from seslint.scope import scope_of

    if not (recipients or senders or no_send):
        raise click.UsageError("give a property: --recipients-within PATTERN, --senders-within PATTERN or --no-send")
    inputs, files = _inputs(policies, auth_details, principal, boundary, scps, identity_policies)
    outcome = prove_in(inputs, scope_of(inputs, account=account, region=region), recipients_within=recipients,
                       senders_within=senders, no_send=no_send)
    out = outcome.to_json()
    out["properties"] = {"recipients_within": list(recipients), "senders_within": list(senders), "no_send": no_send}
    if outcome.witness is not None:
        witnessed = inputs_at(inputs, outcome.witness)
        out["counterexample"]["scenario"] = scenario(witnessed, files, outcome.witness.request_json())
        out["counterexample"]["command"] = command(witnessed, files, outcome.witness)
    if fmt == "json":
        echo_json(out)
    else:
        click.echo(render(out))
    ctx.exit(0 if outcome.verdict == PROVEN else 1 if outcome.verdict == COUNTEREXAMPLE else 3)


def _inputs(policies, auth_details, principal, boundary, scps, identity_policies):
    """The compiled inputs (in the default scope: `prove_in` asks the scope), and the files they came from
    (None when from --auth-details)."""
    from seslint.policy import PolicyDoc
    from seslint.prove.decision import build_inputs
    from seslint.scope import DEFAULT_ACCOUNT, DEFAULT_REGION

    boundary_doc = PolicyDoc(*_pair(_load(boundary))) if boundary else None
    files = None if auth_details else {"policy": list(policies), "boundary": boundary, "scp": list(scps),
                                       "resource-policy": list(identity_policies)}
    docs, found_boundary, principal_arn = principal_documents(
        [PolicyDoc(d.value, d.source) for d in map(_load, policies)], auth_details, principal)
    boundary_doc = boundary_doc or found_boundary
    if not docs:
        raise click.UsageError("give --policy FILE or --auth-details FILE --principal NAME")
    scp_levels = [(path, [PolicyDoc(*_pair(_load(path)))]) for path in scps]
    resources = {None: [PolicyDoc(*_pair(_load(path))) for path in identity_policies]} if identity_policies else None
    if resources and not principal_arn:
        raise click.UsageError("--identity-policy needs --principal ARN (who the sending authorization names)")
    inputs = build_inputs(docs, account=DEFAULT_ACCOUNT, region=DEFAULT_REGION, principal_arn=principal_arn,
                          permission_boundary=boundary_doc, scps=scp_levels, resource_policies=resources)
    return inputs, files


def _pair(doc):
    return doc.value, doc.source


@click.command()
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("--account", metavar="ID", help="Account that owns the SES identities (default: each the policies name).")
@click.option("--region", help="Region of the SES identities the sends use (default: each the policies tell apart).")
@format_option("text", "json", "github")
@click.pass_context
def diff(ctx, old, new, account, region, fmt):
    """Which kinds of SES send request NEW allows that OLD does not (gained), and the reverse (lost).

    OLD and NEW are identity-based policy files. Exit 0, 1 when something is gained, 3 when a kind
    of request cannot be decided.
    """
    from seslint.prove.api import diff_in
    from seslint.prove.decision import build_inputs
    from seslint.scope import DEFAULT_ACCOUNT, DEFAULT_REGION, scope_of_both

    sides = []
    for path in (old, new):
        doc = _load(path)
        sides.append(build_inputs([_doc(doc)], account=DEFAULT_ACCOUNT, region=DEFAULT_REGION))
    asked = scope_of_both(*sides, account=account, region=region)
    result = diff_in(*sides, asked)
    out = {side: [c.to_json() for c in result[side]] for side in ("gained", "lost", "unknown")}
    out["scope"] = asked.to_json()
    if fmt == "json":
        echo_json(out)
    elif fmt == "github":
        for c in out["gained"]:
            click.echo(f"::error file={new},title=seslint diff: gained {c['action']}::{new} allows {c['action']} on "
                       f"the {c['resource']} that {old} does not, e.g. {json.dumps(c['request'], sort_keys=True)}")
        for c in out["lost"]:
            click.echo(f"::notice file={new},title=seslint diff: lost {c['action']}::{new} no longer allows "
                       f"{c['action']} on the {c['resource']}, e.g. {json.dumps(c['request'], sort_keys=True)}")
        for c in out["unknown"]:
            click.echo(f"::warning file={new},title=seslint diff: undecided {c['action']}::{c['reason']}")
    else:
        for side in ("gained", "lost"):
            for c in out[side]:
                click.echo(f"{side.upper():7} {c['action']} on the {c['resource']}")
                click.echo(f"        e.g. {json.dumps(c['request'], sort_keys=True)}")
        for c in out["unknown"]:
            click.echo(f"UNKNOWN {c['action']} on the {c['resource']}: {c['reason']}")
        if not any(out[side] for side in ("gained", "lost", "unknown")):
            click.echo("no change: both allow the same SES send requests")
    if fmt == "text" and (note := asked.note()):
        click.echo(f"note: {note}")
    ctx.exit(1 if out["gained"] else 3 if out["unknown"] else 0)


def _doc(doc):
    from seslint.policy import PolicyDoc

    return PolicyDoc(doc.value, doc.source)
