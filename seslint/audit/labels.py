"""Names for the policies in authorization details: one label per policy, and its parts back."""

from __future__ import annotations

import dataclasses
import re


def policy_label(details: dict, pointer: str) -> str:
    """A readable name for a policy document inside authorization details, from its pointer."""
    parts = pointer.strip("/").split("/")
    try:
        if parts[0] == "Policies":
            policy = details["Policies"][int(parts[1])]
            version = policy["PolicyVersionList"][int(parts[3])]
            return f"{policy['Arn']} ({version.get('VersionId', 'default')})"
        entry = details[parts[0]][int(parts[1])]
        inline = entry[parts[2]][int(parts[3])]
        return f"{entry['Arn']} inline policy '{inline['PolicyName']}'"
    except (KeyError, IndexError, ValueError, TypeError):
        return pointer


_LABELS = (re.compile(r"(?P<policy>arn:\S+) \((?P<version>[^)]+)\)"),
           re.compile(r"(?P<policy>arn:\S+) (?:inline|sending authorization) policy '(?P<name>.*)'"))


def split_label(label: str) -> dict:
    """The parts of a label that `policy_label` (or the live reader) wrote: policy (ARN or file),
    policy_version (managed policies) and policy_name (inline and sending authorization policies)."""
    for pattern in _LABELS:
        m = pattern.fullmatch(label)
        if m:
            parts = m.groupdict()
            return {"policy": parts["policy"], "policy_version": parts.get("version"), "policy_name": parts.get("name")}
    return {"policy": label, "policy_version": None, "policy_name": None}


def label_policies(principal, details: dict):
    """The principal with each policy named (ARN and version, or owner and inline name)."""
    from seslint.evaluate.sending import PolicyDoc

    def relabel(doc):
        return PolicyDoc(doc.value, policy_label(details, doc.pointer), "")

    boundary = principal.permission_boundary
    return dataclasses.replace(principal, identity_policies=[relabel(d) for d in principal.identity_policies],
                               permission_boundary=relabel(boundary) if boundary is not None else None)
