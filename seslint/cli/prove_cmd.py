"""`seslint prove` and `seslint diff`: exact answers over every possible send (z3, imported here only)."""

from __future__ import annotations

import json
import shlex

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
@click.option("--account", metavar="ID", help="Account that owns the SES identities (default: the principal's).")
@click.option("--region", default="us-east-1", show_default=True, help="Region of the SES identities the sends use.")
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
    from seslint.prove.api import COUNTEREXAMPLE, PROVEN, prove as run

    if not (recipients or senders or no_send):
        raise click.UsageError("give a property: --recipients-within PATTERN, --senders-within PATTERN or --no-send")
    inputs, files = _inputs(policies, auth_details, principal, boundary, scps, identity_policies, account, region)
    outcome = run(inputs, recipients_within=recipients, senders_within=senders, no_send=no_send)
    out = outcome.to_json()
    out["properties"] = {"recipients_within": list(recipients), "senders_within": list(senders), "no_send": no_send}
    if outcome.witness is not None:
        out["counterexample"]["scenario"] = _scenario(inputs, files, outcome.witness.request_json())
        out["counterexample"]["command"] = _command(inputs, files, outcome.witness)
    if fmt == "json":
        echo_json(out)
    else:
        click.echo(_render(out))
    ctx.exit(0 if outcome.verdict == PROVEN else 1 if outcome.verdict == COUNTEREXAMPLE else 3)


def _inputs(policies, auth_details, principal, boundary, scps, identity_policies, account, region):
    """The compiled inputs, and the files they came from (None when from --auth-details)."""
    from seslint.policy import PolicyDoc
    from seslint.prove.decision import build_inputs

    boundary_doc = PolicyDoc(*_pair(_load(boundary))) if boundary else None
    files = None if auth_details else {"policy": list(policies), "boundary": boundary, "scp": list(scps),
                                       "resource-policy": list(identity_policies)}
    docs, found_boundary, principal_arn = principal_documents(
        [PolicyDoc(d.value, d.source) for d in map(_load, policies)], auth_details, principal)
    boundary_doc = boundary_doc or found_boundary
    if not docs:
        raise click.UsageError("give --policy FILE or --auth-details FILE --principal NAME")
    if account is None and principal_arn and principal_arn.count(":") >= 5:
        account = principal_arn.split(":")[4]
    if not account:
        raise click.UsageError("give --account ID (the account that owns the SES identities)")
    scp_levels = [(path, [PolicyDoc(*_pair(_load(path)))]) for path in scps]
    resources = {None: [PolicyDoc(*_pair(_load(path))) for path in identity_policies]} if identity_policies else None
    if resources and not principal_arn:
        raise click.UsageError("--identity-policy needs --principal ARN (who the sending authorization names)")
    inputs = build_inputs(docs, account=account, region=region, principal_arn=principal_arn,
                          permission_boundary=boundary_doc, scps=scp_levels, resource_policies=resources)
    return inputs, files


def _pair(doc):
    return doc.value, doc.source


def _scenario(inputs, files, request: dict) -> dict:
    """The scenario-file form (shared/DESIGN.md §3) of a witness request, with its policies."""
    caller = inputs.caller
    out = {"principal": {"arn": caller.arn} if caller.arn else {"account": inputs.account},
           "identity_policies": [inputs.document(cp) for cp in inputs.identity], "request": request}
    if inputs.boundary is not None:
        out["permission_boundary"] = inputs.document(inputs.boundary)
    if inputs.scps:
        out["scps"] = [{"level": level, "policies": [inputs.document(cp) for cp in cps]} for level, cps in inputs.scps]
    on_identity = ":identity/" in request["resource"]
    resources = inputs.resources_for(request["resource"]) if on_identity else []
    if resources:
        statements = [s for cp in resources for s in _statements(inputs.document(cp))]
        out["resource_policy"] = {"Version": "2012-10-17", "Statement": statements}
    return out


def _statements(doc) -> list:
    raw = doc.get("Statement", [])
    return raw if isinstance(raw, list) else [raw]


def _command(inputs, files, witness) -> str:
    """A pasteable `seslint simulate` command that evaluates the witness request."""
    request = witness.request_json()
    if files is None:
        scenario = json.dumps(_scenario(inputs, None, request), sort_keys=True, separators=(",", ":"))
        return f"echo {shlex.quote(scenario)} | seslint simulate --scenario - --explain"
    words = ["seslint", "simulate"]
    for path in files["policy"]:
        words += ["--policy", path]
    if files["boundary"]:
        words += ["--boundary", files["boundary"]]
    for path in files["scp"]:
        words += ["--scp", path]
    if files["resource-policy"] and ":identity/" in request["resource"]:
        if len(files["resource-policy"]) > 1:
            scenario = json.dumps(_scenario(inputs, files, request), sort_keys=True, separators=(",", ":"))
            return f"echo {shlex.quote(scenario)} | seslint simulate --scenario - --explain"
        words += ["--resource-policy", files["resource-policy"][0]]
    if inputs.caller.arn:
        words += ["--principal", inputs.caller.arn]
    words += ["--action", request["action"], "--resource", request["resource"]]
    context = dict(request["context"])
    if not inputs.caller.arn:
        context.setdefault("aws:PrincipalAccount", inputs.account)
    for key, value in context.items():
        if isinstance(value, list):
            words += [item for v in value for item in ("--context", f"{key}={v}")] or ["--context", f"{key}=[]"]
        else:
            words += ["--context", f"{key}={value}"]
    return " ".join(shlex.quote(w) for w in words + ["--explain"])


def _render(out: dict) -> str:
    props = out["properties"]
    wanted = []
    if props["recipients_within"]:
        wanted.append(f"every recipient matches {' or '.join(props['recipients_within'])}")
    if props["senders_within"]:
        wanted.append(f"every From address matches {' or '.join(props['senders_within'])}")
    if props["no_send"]:
        wanted.append("no send is allowed")
    head = {"proven": "PROVEN", "counterexample": "COUNTEREXAMPLE", "unknown": "UNKNOWN"}[out["verdict"]]
    lines = [f"{head}: {'; '.join(wanted)}", f"  {out['reason']}"]
    cx = out.get("counterexample")
    if cx:
        send = cx["send"]
        extras = "".join(f", {k.replace('_', ' ')} {send[k]}" for k in ("configuration_set", "template") if send[k])
        lines.append(f"  {'possible ' if out['verdict'] == 'unknown' else ''}counterexample: {send['operation']} "
                     f"from {json.dumps(send['from'])} to {json.dumps(send['to'])}{extras}")
        if send["identity_checked"]:
            lines.append(f"  allowed when SES checks the {send['identity_checked']}; its requests:")
        for r in cx["requests"]:
            lines.append(f"    {r['action']} on {r['resource']} ({r['checks']})")
        lines.append("  reproduce:")
        lines.append(f"    {cx['command']}")
    return "\n".join(lines)


@click.command()
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("--account", metavar="ID", help="Account that owns the SES identities (default: from the policies' ARNs).")
@click.option("--region", help="Region of the SES identities the sends use (default: from the policies' ARNs).")
@format_option("text", "json", "github")
@click.pass_context
def diff(ctx, old, new, account, region, fmt):
    """Which kinds of SES send request NEW allows that OLD does not (gained), and the reverse (lost).

    OLD and NEW are any lint input (policy JSON, CloudFormation/SAM, Terraform plan, serverless.yml,
    authorization details); their policies pair by where they live. Exit 0, 1 when something is
    gained, 3 when a kind of request cannot be decided.
    """
    from seslint.review import render
    from seslint.review.run import diff_files

    changes = diff_files(old, new, account, region)
    if fmt == "json":
        echo_json(render.diff_json(changes))
    elif fmt == "github":
        out = render.diff_github(changes)
        if out:
            click.echo(out)
    else:
        click.echo(render.diff_text(changes))
    gained = any(c.gained for c in changes)
    ctx.exit(1 if gained else 3 if any(c.unknown for c in changes) else 0)
