"""`seslint simulate` and `seslint can-send`: evaluate requests against policies as IAM would."""

from __future__ import annotations

import functools
import json
import sys

import click

from seslint.cli.aws_options import aws_options
from seslint.cli.common import echo_json, format_option, warn_unknown_regions


def _load(path: str):
    from seslint.jsondoc import load_path

    return load_path(path)


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


def _check_action(action: str) -> None:
    """An unknown ses: action is an error with a did-you-mean, never a silent implicit deny."""
    from seslint.errors import UnknownNameError
    from seslint.matrix import load_matrix

    prefix, _, name = action.partition(":")
    if prefix.lower() in ("sesv2", "pinpoint-email", "mailmanager"):
        raise UnknownNameError(f"'{action}' is not an IAM action: IAM actions of every SES API are named ses:",
                               help=f"`seslint explain {action}` shows the IAM actions that API call is authorized as")
    # the names alone (a dict lookup) keep batch start-up lean; the full matrix only for a did-you-mean
    if prefix.lower() == "ses" and "*" not in name and "?" not in name and name.lower() not in _action_names():
        load_matrix().require_action(action)


@functools.lru_cache(maxsize=1)
def _action_names() -> frozenset[str]:
    from seslint import data

    return frozenset(n.lower() for n in data.load("matrix.json")["actions"])


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
@click.option("--scp", "scps", multiple=True, metavar="FILE",
              help="Service control policy, one organization level per option, from the root down.")
@click.option("--principal", metavar="ARN", callback=_check_principal, help="The calling principal's ARN.")
@click.option("--action", help="The IAM action, e.g. ses:SendEmail.")
@click.option("--resource", default="*", show_default=True, help="The resource ARN.")
@click.option("--context", "contexts", multiple=True, metavar="KEY=VALUE",
              help="A request context value (repeat a key for a multivalued key; KEY=[] for an empty set).")
@click.option("--explain", is_flag=True, help="Show which statements matched and why each condition held or failed.")
@aws_options(conflicts=("scenario_path", "batch_path", "principal"))
@format_option("text", "json")
@click.pass_context
def simulate(ctx, scenario_path, batch_path, policies, resource_policy, boundary, session_policies, scps,
             principal, action, resource, contexts, explain, fmt, aws):
    """Evaluate a request against IAM policies, as IAM would.

    Exit 0 when allowed, 1 when denied, 3 when a scenario cannot be evaluated faithfully.
    """
    from seslint.evaluate import evaluate, load_scenario

    chosen = [x for x in (scenario_path, batch_path, action) if x]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --scenario FILE, --scenarios FILE.jsonl or --action ACTION")
    if batch_path:
        ctx.exit(_batch(batch_path, explain, fmt))
    if scenario_path:
        doc = _load(scenario_path)
        scenario = load_scenario(doc.value, doc.source)
        _check_action(scenario.request.action)
    else:
        _check_action(action)
        scenario = _flags_scenario(policies, resource_policy, boundary, session_policies, scps,
                                   aws.principal().arn if aws else principal, action, resource, contexts)
        if aws is not None:
            aws.apply(scenario)
    result = evaluate(scenario, explain=explain)
    if fmt == "json":
        echo_json(result.to_json())
    else:
        click.echo(_render(result))
    ctx.exit(0 if result.allowed else 1)


def _flags_scenario(policies, resource_policy, boundary, session_policies, scps, principal, action, resource,
                    contexts):
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
    if principal:
        value["principal"] = {"arn": principal}
    scenario = load_scenario(value, "<command line>")
    p = scenario.policies
    p.identity = [read(f, "identity") for f in policies]
    p.session = [read(f, "session") for f in session_policies]
    p.scps = [(f, [read(f, "scp")]) for f in scps]
    p.resources = [read(resource_policy, "resource")] if resource_policy else []
    p.boundary = read(boundary, "boundary") if boundary else None
    if p.resources and not principal:
        raise click.UsageError("--resource-policy needs --principal ARN")
    return scenario


def _batch(path: str, explain: bool, fmt: str) -> int:
    """Stream one result per line; a bad line yields an error object and the rest go on."""
    from seslint.errors import InputError, SeslintError
    from seslint.evaluate import evaluate, load_scenario
    from seslint.evaluate.scenario import PolicyCache, split_object
    from seslint.jsondoc import loads

    cache = PolicyCache()
    known: set[str] = set()  # actions already checked
    denied = errors = 0
    out = sys.stdout
    dumps = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode
    try:
        handle = sys.stdin.buffer if path == "-" else open(path, "rb")
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", source=path) from None
    source = "<stdin>" if path == "-" else path
    first = True
    with handle:
        for number, data in enumerate(handle, 1):
            sid = None
            undecodable: InputError | None = None
            try:
                line = _decoded(data, number)
            except InputError as exc:
                line, undecodable = "", exc
            else:
                if line.isspace() or not line:
                    continue
            first, was_first = False, first
            if was_first and line.strip() in ("{", "["):
                raise InputError("this looks like one pretty-printed scenario, not one JSON object per line",
                                 source=source, line=number, help="use --scenario FILE for a single scenario")
            try:
                if undecodable is not None:
                    raise undecodable
                parsed = split_object(line)
                # Not a strict JSON object: the strict parser words the error (or gives the non-object).
                value, raw = parsed if parsed is not None else (loads(line, source).value, None)
                if isinstance(value, dict) and not isinstance(value.get("id"), (dict, list)):
                    sid = value.get("id")
                scenario = load_scenario(value, source, cache=cache, raw=raw)
                if scenario.request.action not in known:
                    _check_action(scenario.request.action)
                    known.add(scenario.request.action)
                result = evaluate(scenario, explain=explain)
            except SeslintError as exc:
                errors += 1
                if isinstance(exc, InputError) and exc.source in (source, None):
                    exc.source, exc.line = source, number
                message = str(exc) if isinstance(exc, InputError) else f"{source}:{number}: {exc}"
                if exc.help:
                    message += f" (help: {exc.help})"
                if fmt == "json":
                    out.write(dumps({"id": sid, "error": message}) + "\n")
                else:
                    out.write(f"{_label(sid, number)}: error: {message}\n")
                continue
            if not result.allowed:
                denied += 1
            if fmt == "json":
                out.write(result.json_line() + "\n")
            else:
                out.write(f"{_label(sid, number)}: {result.decision} ({result.reason})\n")
    out.flush()
    return 3 if errors else 1 if denied else 0


def _decoded(data: bytes, number: int) -> str:
    """One line of a scenarios file as text (UTF-8, a BOM allowed on the first line)."""
    from seslint.errors import InputError

    try:
        return data.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text: byte 0x{data[exc.start]:02x}", column=exc.start + 1,
                         help="save the file as UTF-8") from None


def _label(sid, number) -> str:
    return f"{sid}" if sid is not None else f"line {number}"


def _render(result) -> str:
    lines = [f"{result.decision}: {result.reason}"]
    for h in result.hits:
        lines.append(f"  {h.effect.lower():5} {h.kind}: {h.describe()}")
    if result.trace is not None:
        lines.append("explain:")
        for policy in result.trace:
            level = f" (level {policy['scp_level']})" if "scp_level" in policy else ""
            at = f" at {policy['pointer']}" if policy["pointer"] else ""
            lines.append(f"  {policy['policy_type']} policy {policy['file']}{at}{level}")
            for st in policy["statements"]:
                name = st["sid"] or st["pointer"]
                verdict = "applies" if st["applies"] else "does not apply"
                lines.append(f"    {st['effect']} {name}: {verdict}")
                steps = [f"action {_yes(st.get('action'))}"]
                if "resource" in st:
                    steps.append(f"resource {_yes(st['resource'])}")
                if "principal" in st:
                    steps.append(f"principal {st['principal'] or 'no match'}")
                lines.append("      " + ", ".join(steps))
                for c in st.get("conditions", []):
                    lines.append(f"      {c['operator']} {c['key']} {json.dumps(c['policy_values'])} vs "
                                 f"{json.dumps(c['request_value'])}: {'holds' if c['holds'] else 'fails'}")
                if st.get("note"):
                    lines.append(f"      {st['note']}")
    return "\n".join(lines)


def _yes(value) -> str:
    return "matches" if value else "no match"


@click.command("can-send")
@click.option("--from", "sender", required=True, metavar="ADDRESS", help="From address (may be 'Name <addr>').")
@click.option("--to", "to", multiple=True, metavar="ADDRESS", help="To address (repeatable).")
@click.option("--cc", multiple=True, metavar="ADDRESS", help="Cc address (repeatable).")
@click.option("--bcc", multiple=True, metavar="ADDRESS", help="Bcc address (repeatable).")
@click.option("--api", type=click.Choice(["v1", "v2", "smtp"]), default="v2", show_default=True,
              help="How the app sends: SES API v1 (ses), v2 (sesv2) or the SMTP interface.")
@click.option("--content", type=click.Choice(["simple", "raw", "template", "bulk"]), default="simple",
              show_default=True, help="The message: simple (subject and body), raw (MIME), a stored template, "
                                      "or a bulk send of a template.")
@click.option("--configuration-set", metavar="NAME", help="Configuration set that applies to the send.")
@click.option("--template", metavar="NAME", help="Stored template (template and bulk sends).")
@click.option("--region", default="us-east-1", show_default=True, help="Region of the SES endpoint and identities.")
@click.option("--account", metavar="ID", help="Account that owns the SES identities (default: the principal's).")
@click.option("--policy", "policies", multiple=True, metavar="FILE", help="Identity-based policy (repeatable).")
@click.option("--auth-details", metavar="FILE", help="Output of 'aws iam get-account-authorization-details'.")
@click.option("--principal", metavar="NAME|ARN", help="User or role in --auth-details, or the caller's ARN.")
@aws_options(region=False, conflicts=("auth_details", "principal"))
@format_option("text", "json")
@click.pass_context
def can_send(ctx, sender, to, cc, bcc, api, content, configuration_set, template, region, account, policies,
             auth_details, principal, fmt, aws):
    """May this principal send this email? Evaluates every IAM request SES makes for the send.

    Exit 0 when every request is allowed, 1 when any is denied, 3 on bad input.
    """
    from seslint.evaluate.sending import PolicyDoc, can_send as run

    warn_unknown_regions(region)

    docs = [PolicyDoc(d.value, d.source) for d in map(_load_policy, policies)]
    boundary = None
    principal_arn = None
    if auth_details:
        from seslint.evaluate.authdetails import load_auth_details

        if not principal:
            raise click.UsageError("--auth-details needs --principal NAME|ARN")
        doc = _load(auth_details)
        found = load_auth_details(doc.value, doc.source).principal(principal)
        docs += found.identity_policies
        boundary = found.permission_boundary
        principal_arn = found.arn
    elif principal:
        if not principal.startswith("arn:"):
            raise click.UsageError("without --auth-details, --principal must be an ARN")
        principal_arn = principal
    if aws is not None:
        live = aws.principal()
        docs += live.identity_policies
        boundary, principal_arn = live.permission_boundary, live.arn
    if not policies and not auth_details and aws is None:
        raise click.UsageError("give --policy FILE or --auth-details FILE --principal NAME")
    if account is None and principal_arn:
        from seslint.core.arn import account_of

        account = account_of(principal_arn)
    if not account:
        raise click.UsageError("give --account ID (the account that owns the SES identity)")
    result = run(docs, sender=sender, to=to, cc=cc, bcc=bcc, api=api, content=content,
                 configuration_set=configuration_set, template=template, region=region, account=account,
                 principal_arn=principal_arn, permission_boundary=boundary,
                 resource_policies=aws.sending_policies(sender, region=region, account=account) if aws else None)
    if fmt == "json":
        echo_json(result.to_json())
    else:
        click.echo(_render_send(result, sender, len(to) + len(cc) + len(bcc)))
        if ctx.get_parameter_source("region") is click.core.ParameterSource.DEFAULT:
            click.echo(f"note: region {region} assumed; give --region for another")
    ctx.exit(0 if result.allowed else 1)


def _render_send(result, sender, count) -> str:
    verdict = "ALLOWED" if result.allowed else "DENIED"
    lines = [f"{verdict}: {result.operation} from {sender} to {count} recipient{'s' if count != 1 else ''}"]
    for r in result.requests:
        res = r.result
        line = f"  {res.decision:12} {r.action} on {r.resource} ({r.role})"
        if res.allowed and res.deciding:
            line += f" by {res.deciding[0].describe()}"
        elif not res.allowed:
            line += f": {res.reason}"
        lines.append(line)
    advice = result.advice()
    if advice:
        lines.append("to allow it:")
        lines += [f"  - {a}" for a in advice]
    lines += [f"note: {n}" for n in result.notes]
    return "\n".join(lines)
