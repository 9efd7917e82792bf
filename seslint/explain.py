"""Structured descriptions of actions and API operations, for `actions` and `explain`."""

from __future__ import annotations

import json

from seslint.matrix import Action, Matrix

OPERATION_SERVICES = ("ses", "sesv2", "pinpoint-email", "mailmanager", "smtp")


def action_row(matrix: Matrix, action: Action, family: str | None = None) -> dict:
    """One matrix row (the `actions --format json` contract), for one family of the action."""
    return {
        "action": action.full_name,
        "family": family if family is not None else (action.families[0] if action.families else None),
        "families": list(action.families),
        "access_level": action.access_level,
        "description": action.description,
        "resource_level": action.resource_level,
        "resource_types": [{"name": r.name, "arn": r.arn, "required": r.required,
                            "condition_keys": list(r.condition_keys)} for r in action.resource_types],
        "condition_keys": [_key(matrix, k) for k in action.condition_keys],
        "operations": list(action.operations),
        "quirks": list(action.quirks),
    }


def _key(matrix: Matrix, name: str) -> dict:
    key = matrix.key(name)
    return {"key": name, "type": key.type if key else None, "multivalued": bool(key and key.multivalued)}


def equivalents_of(matrix: Matrix, action: Action) -> list[dict]:
    full = action.full_name.lower()
    return [p for p in matrix.equivalents if full in (p["v1"].lower(), p["v2"].lower())]


def describe_action(matrix: Matrix, action: Action) -> dict:
    row = action_row(matrix, action)
    del row["family"]
    row["quirk_details"] = matrix.quirks_for(action)
    row["equivalents"] = equivalents_of(matrix, action)
    return row


def is_operation_spec(name: str) -> bool:
    return name.partition(":")[0].lower() in OPERATION_SERVICES and ":" in name


def render_action_text(d: dict) -> str:
    lines = [f"{d['action']}  [{', '.join(d['families'])}]  access level: {d['access_level']}",
             f"  {d['description']}"]
    if d["resource_types"]:
        if d["resource_level"]:
            lines.append("  resources:")
        else:
            lines.append("  resources: none that IAM checks; use \"Resource\": \"*\" (the reference once listed:)")
        lines += [f"    {r['name']}{' (required)' if r['required'] else ''}  {r['arn']}" for r in d["resource_types"]]
    else:
        lines.append("  resources: no resource-level permissions; use \"Resource\": \"*\"")
    if d["condition_keys"]:
        lines.append("  condition keys:")
        lines += [f"    {k['key']}  {k['type']}{'  (multivalued: use ForAllValues/ForAnyValue)' if k['multivalued'] else ''}"
                  for k in d["condition_keys"]]
    if d["operations"]:
        lines.append(f"  API operations: {', '.join(d['operations'])}")
    for p in d["equivalents"]:
        pair = (f"the same action in v1 and v2: {p['v1']}" if p["v1"] == p["v2"] else
                f"v1/v2 twins: {p['v1']} <-> {p['v2']}")
        lines.append(f"  {pair}" + (f"  ({p['note']})" if p.get("note") else ""))
    for q in d["quirk_details"]:
        lines += render_quirk(q)
    return "\n".join(lines)


def render_quirk(q: dict) -> list[str]:
    lines = [f"  quirk {q['id']} ({q['kind']}): {q['summary']}", f"    why: {q['reason']}"]
    lines += [f"    source: {s['title']} <{s['url']}>" for s in q["sources"]]
    return lines


def render_operation_text(variants: list[dict], matrix: Matrix) -> str:
    lines = []
    for v in variants:
        title = v["operation"] + (f" with {v['variant']} content" if v["variant"] else "")
        lines.append(f"{title} is authorized as:")
        for a in v["authorizes"]:
            resources = ", ".join(a["resources"]) or "*"
            lines.append(f"  {a['action']} on {resources}")
        for q in v["also"]:
            lines.append(f"  also {', '.join(q['requires'])} when {q['when']}")
        for qid in v["quirks"]:
            lines += render_quirk(matrix.quirks[qid])
    return "\n".join(lines)


SHOWN_ACTIONS = 12


def describe_key(matrix: Matrix, name: str, values: list[dict] | None) -> dict:
    """A condition key: its type, what it holds (the Reference's words), the actions whose requests carry
    it, its value on an example send through each API (`values`, from the send model; None for a key
    no send sets) and the quirks that name it."""
    key = matrix.key(name)
    assert key is not None
    is_global = any(k.name == key.name for k in matrix.global_keys.values())
    carriers = [] if is_global else sorted(a.full_name for a in matrix.actions.values() if matrix.carries(a, key.name))
    lowered = key.name.lower()
    quirks = [q for q in matrix.quirks.values() if q.get("kind") == "condition-key" and lowered in q["summary"].lower()]
    return {"key": key.name, "type": key.type, "multivalued": key.type.startswith("ArrayOf"),
            "description": key.description, "global": is_global, "actions": carriers,
            "values": values, "quirks": quirks}


def render_key_text(d: dict) -> str:
    lines = [f"{d['key']}  {d['type']}" + ("  (multivalued: use ForAllValues/ForAnyValue)" if d["multivalued"] else "")]
    if d["description"]:
        lines.append(f"  holds: {d['description']}")
    if d["global"]:
        lines.append("  carried by: any request that has it (a global key, set by AWS from the request)")
    elif len(d["actions"]) > SHOWN_ACTIONS:
        lines.append(f"  carried by: {len(d['actions'])} actions, from {d['actions'][0]} to {d['actions'][-1]} "
                     "(`--format json` lists them); absent on every other action")
    else:
        lines.append(f"  carried by: {', '.join(d['actions'])}; absent on every other action")
    if d["values"]:
        lines.append("  on a send From 'Shop <noreply@example.com>' To a@example.net, Cc b@example.org, "
                     "Bcc c@example.com (tenant acme; on v2, multi-region endpoint abcd1234.xyz):")
        for v in d["values"]:
            value = v["value"]
            shown = (f"present or absent ({json.dumps(value['uncertain'])} if present): the sources disagree"
                     if isinstance(value, dict) else "absent" if value == "absent" else json.dumps(value))
            lines.append(f"    {v['api']:5} {v['operation']} ({v['action']}): {shown}")
    for q in d["quirks"]:
        lines += render_quirk(q)
    return "\n".join(lines)
