"""What prove says, as text and as the pieces of its JSON: the counterexample's scenario (the scenario-file
form of DESIGN.md §3, with its policies) and a pasteable `seslint simulate` command that evaluates it."""

from __future__ import annotations

import json
import shlex


def inputs_at(inputs, witness):
    """The inputs in the account and region of a witness (its requests' ARNs name them)."""
    from seslint.prove.decision import at

    parts = witness.main["resource"].split(":")
    return at(inputs, parts[4], parts[3]) if len(parts) > 5 else inputs


def scenario(inputs, files, request: dict) -> dict:
    """The scenario-file form of a witness request, with its policies."""
    return _scenario(inputs, files, request)


def command(inputs, files, witness) -> str:
    """A pasteable `seslint simulate` command that evaluates the witness request (`files`: the files the
    policies came from, None when they came from authorization details)."""
    return _command(inputs, files, witness)


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


def render(out: dict) -> str:
    props = out["properties"]
    wanted = []
    if props["recipients_within"]:
        wanted.append(f"every recipient matches {' or '.join(props['recipients_within'])}")
    if props["senders_within"]:
        wanted.append(f"every From address matches {' or '.join(props['senders_within'])}")
    if props["no_send"]:
        wanted.append("no send is allowed")
    head = {"proven": "PROVEN", "counterexample": "COUNTEREXAMPLE", "unknown": "UNKNOWN",
            "vacuous": "VACUOUS"}[out["verdict"]]
    lines = [f"{head}: {'; '.join(wanted)}", f"  {out['reason']}"]
    scope = out.get("scope")
    if scope:
        lines.append(f"  asked in account{'s' if len(scope['accounts']) > 1 else ''} {', '.join(scope['accounts'])}, "
                     f"region{'s' if len(scope['regions']) > 1 else ''} {', '.join(scope['regions'])}"
                     + (f" ({' and '.join(scope['defaults'])} by default: the policies name none)"
                        if scope.get("defaults") else ""))
    for o in out.get("outside", []):
        lines.append(f"  outside the property: {o['operation']} is allowed: {o['why']}")
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
