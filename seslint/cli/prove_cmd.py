"""`seslint prove` and `seslint diff`: exact answers over every possible send (z3, imported here only)."""

from __future__ import annotations

import click

from seslint.cli.common import (
    at_option,
    echo_json,
    format_option,
    load_document as _load,
    principal_documents,
    scp_option,
    warn_unknown_names,
)


@click.command()
@click.option("--policy", "policies", multiple=True, metavar="FILE", help="Identity-based policy (repeatable).")
@click.option("--auth-details", metavar="FILE", help="Output of 'aws iam get-account-authorization-details'.")
@click.option("--principal", metavar="NAME|ARN", help="User or role in --auth-details, or the caller's ARN.")
@click.option("--boundary", metavar="FILE", help="Permissions boundary.")
@scp_option
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
@at_option("Every send is made at this instant (aws:CurrentTime, aws:EpochTime), e.g. 2030-01-01T00:00:00Z "
           "(default: any time).")
@format_option("text", "json")
@click.pass_context
def prove(ctx, policies, auth_details, principal, boundary, scps, identity_policies, account, region, recipients,
          senders, no_send, at, fmt):
    """Prove a property of every possible send, or show a send that breaks it.

    Exit 0 proven, 1 counterexample, 3 unknown (with the reason).
    """
    from seslint.prove.api import COUNTEREXAMPLE, PROVEN, prove_in, unknown_names
    from seslint.prove.report import command, inputs_at, render, scenario
    from seslint.scope import scope_of

    if not (recipients or senders or no_send):
        raise click.UsageError("give a property: --recipients-within PATTERN, --senders-within PATTERN or --no-send")
    inputs, files = _inputs(policies, auth_details, principal, boundary, scps, identity_policies, at)
    outcome = prove_in(inputs, scope_of(inputs, account=account, region=region), recipients_within=recipients,
                       senders_within=senders, no_send=no_send)
    out = outcome.to_json()
    # names that decide a send are the reason of an unknown verdict; the others are warnings
    out["warnings"] = warn_unknown_names([u for u in unknown_names(inputs) if not u.sends])
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


def _inputs(policies, auth_details, principal, boundary, scps, identity_policies, at=None):
    """The compiled inputs (in the default scope: `prove_in` asks the scope), and the files they came from
    (None when from --auth-details)."""
    from seslint.policy import PolicyDoc
    from seslint.prove.decision import build_inputs
    from seslint.scope import DEFAULT_ACCOUNT, DEFAULT_REGION

    boundary_doc = PolicyDoc(*_pair(_load(boundary))) if boundary else None
    files = None if auth_details else {"policy": list(policies), "boundary": boundary, "scp": [level for level, _ in scps],
                                       "resource-policy": list(identity_policies)}
    docs, found_boundary, principal_arn = principal_documents(
        [PolicyDoc(d.value, d.source) for d in map(_load, policies)], auth_details, principal)
    boundary_doc = boundary_doc or found_boundary
    if not docs:
        raise click.UsageError("give --policy FILE or --auth-details FILE --principal NAME")
    levels = [(level, [PolicyDoc(*_pair(_load(path))) for path in files]) for level, files in scps]
    resources = {None: [PolicyDoc(*_pair(_load(path))) for path in identity_policies]} if identity_policies else None
    if resources and not principal_arn:
        raise click.UsageError("--identity-policy needs --principal ARN (who the sending authorization names)")
    inputs = build_inputs(docs, account=DEFAULT_ACCOUNT, region=DEFAULT_REGION, principal_arn=principal_arn,
                          permission_boundary=boundary_doc, scps=levels, resource_policies=resources, when=at)
    return inputs, files


def _pair(doc):
    return doc.value, doc.source


@click.command()
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("--account", metavar="ID", help="Account that owns the SES identities (default: each the policies name).")
@click.option("--region", help="Region of the SES identities the sends use (default: each the policies tell apart).")
@scp_option
@format_option("text", "json", "github")
@click.pass_context
def diff(ctx, old, new, account, region, scps, fmt):
    """Which kinds of SES send request NEW allows that OLD does not (gained), and the reverse (lost).

    OLD and NEW are any lint input (policy JSON, CloudFormation/SAM, Terraform plan, serverless.yml,
    authorization details); their policies pair by where they live. Exit 0, 1 when something is
    gained, 3 when a kind of request cannot be decided.
    """
    from seslint.policy import PolicyDoc
    from seslint.review import render
    from seslint.review.run import diff_files

    levels = [(level, [PolicyDoc(*_pair(_load(path))) for path in files]) for level, files in scps]
    changes, old_names, new_names = diff_files(old, new, account, region, levels or None)
    # names SES does not know: in NEW where they decide sends, the change is undecided; else warnings
    deciding = [u for u in new_names if u.sends]
    warnings = warn_unknown_names([u for u in old_names + new_names if u not in deciding])
    undecided = [{"action": u.name, "resource": "policy", "file": u.source, "pointer": u.pointer,
                  "reason": f"NEW does not say what was meant where it decides sends: {u.describe()}"}
                 for u in deciding]
    if fmt == "json":
        out = render.diff_json(changes)
        out["unknown"] += undecided
        out["warnings"] = warnings
        echo_json(out)
    elif fmt == "github":
        lines = [render.diff_github(changes)] + [
            f"::warning file={u['file']},title=seslint diff: undecided {u['action']}::{u['reason']}" for u in undecided]
        if any(lines):
            click.echo("\n".join(line for line in lines if line))
    else:
        if changes or not undecided:
            click.echo(render.diff_text(changes))
        for u in undecided:
            click.echo(f"UNKNOWN {u['action']}: {u['reason']}")
    gained = any(c.gained for c in changes)
    ctx.exit(1 if gained else 3 if undecided or any(c.unknown for c in changes) else 0)
