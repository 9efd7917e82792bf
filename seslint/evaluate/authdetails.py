"""IAM account authorization details: the JSON of `aws iam get-account-authorization-details`.

A principal's identity-based policies are its inline policies, the default version of each
attached managed policy, and the inline and attached policies of its groups (users only); its
permissions boundary is the default version of the boundary policy. Policy documents may be
JSON objects (as the CLI prints them) or URL-encoded JSON strings (as the API returns them).
An attached policy that the file does not contain is an error: evaluating without it would guess.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from dataclasses import dataclass, field
from typing import NoReturn

from seslint.core.arn import account_of
from seslint.core.decode import decode_document
from seslint.errors import InputError, UnknownNameError
from seslint.jsondoc import join
from seslint.policy import PolicyDoc


@dataclass(frozen=True)
class Principal:
    arn: str
    account: str
    name: str
    kind: str                                   # "user" or "role"
    identity_policies: list[PolicyDoc] = field(default_factory=list)
    permission_boundary: PolicyDoc | None = None
    tags: dict = field(default_factory=dict)
    error: InputError | None = None             # a policy of it could not be read (e.g. a missing managed policy)


@dataclass
class AuthDetails:
    source: str
    value: dict
    _principals: list[Principal] | None = None

    def principals(self):
        """Every user and role, users first, each in file order."""
        if self._principals is None:
            self._principals = [self._build_or_mark(kind, i) for kind in ("user", "role")
                                for i in range(len(self.value.get(_LISTS[kind], [])))]
        return iter(self._principals)

    def _build_or_mark(self, kind: str, index: int) -> Principal:
        """The principal, or, when one of its policies cannot be read, a principal that carries the error."""
        try:
            return self._build(kind, index)
        except InputError as exc:
            entry = self.value[_LISTS[kind]][index]
            arn = entry.get("Arn") if isinstance(entry, dict) else None
            name = entry.get("UserName" if kind == "user" else "RoleName") if isinstance(entry, dict) else None
            if not isinstance(arn, str) or not isinstance(name, str):
                raise
            parts = arn.split(":")
            return Principal(arn, parts[4] if len(parts) > 5 else "", name, kind, error=exc)

    def principal(self, name_or_arn: str) -> Principal:
        """A user or role by ARN or by name (an error when the name is both a user and a role)."""
        found = [p for p in self.principals() if name_or_arn in (p.arn, p.name)]
        if len(found) > 1:
            raise InputError(f"'{name_or_arn}' is both a user and a role", source=self.source,
                             help="give the ARN instead")
        if found and found[0].error is not None:
            raise found[0].error
        if not found:
            names = [p.name for p in self.principals()] + [p.arn for p in self.principals()]
            close = difflib.get_close_matches(name_or_arn, names, n=1)
            raise UnknownNameError(f"no user or role '{name_or_arn}' in {self.source}",
                                   help=f"did you mean '{close[0]}'?" if close else None)
        return found[0]

    def _build(self, kind: str, index: int) -> Principal:
        at = join("", _LISTS[kind], index)
        entry = self.value[_LISTS[kind]][index]
        if not isinstance(entry, dict):
            self._fail("expected an object", at)
        name_key = "UserName" if kind == "user" else "RoleName"
        arn, name = entry.get("Arn"), entry.get(name_key)
        if not isinstance(arn, str) or not isinstance(name, str):
            self._fail(f"entry needs Arn and {name_key}", at)
        account = account_of(arn) or ""
        policies = self._inline(entry, "UserPolicyList" if kind == "user" else "RolePolicyList", at)
        policies += self._attached(entry, at)
        if kind == "user":
            for g, group_name in enumerate(entry.get("GroupList", [])):
                gi, group = self._group(group_name, join(at, "GroupList", g))
                gat = join("", "GroupDetailList", gi)
                policies += self._inline(group, "GroupPolicyList", gat) + self._attached(group, gat)
        boundary = None
        pb = entry.get("PermissionsBoundary")
        if pb:
            boundary = self._managed(pb.get("PermissionsBoundaryArn"), join(at, "PermissionsBoundary"))
        tags = {t["Key"]: t["Value"] for t in entry.get("Tags", []) if isinstance(t, dict) and "Key" in t}
        return Principal(arn, account, name, kind, policies, boundary, tags)

    def _inline(self, entry, list_name, at) -> list[PolicyDoc]:
        out = []
        for i, item in enumerate(entry.get(list_name, [])):
            out.append(self._document(item.get("PolicyDocument") if isinstance(item, dict) else None,
                                      join(at, list_name, i, "PolicyDocument")))
        return out

    def _attached(self, entry, at) -> list[PolicyDoc]:
        return [self._managed(item.get("PolicyArn") if isinstance(item, dict) else None,
                              join(at, "AttachedManagedPolicies", i))
                for i, item in enumerate(entry.get("AttachedManagedPolicies", []))]

    def _group(self, name, at):
        for i, g in enumerate(self.value.get("GroupDetailList", [])):
            if isinstance(g, dict) and g.get("GroupName") == name:
                return i, g
        self._fail(f"group '{name}' is not in GroupDetailList", at)

    def _managed(self, arn, at) -> PolicyDoc:
        for i, p in enumerate(self.value.get("Policies", [])):
            if isinstance(p, dict) and p.get("Arn") == arn:
                default = p.get("DefaultVersionId")
                for v, version in enumerate(p.get("PolicyVersionList", [])):
                    if version.get("IsDefaultVersion") or version.get("VersionId") == default:
                        return self._document(version.get("Document"),
                                              join("", "Policies", i, "PolicyVersionList", v, "Document"))
                self._fail(f"managed policy '{arn}' has no default version in the file", join("", "Policies", i))
        from seslint.managed import aws_managed_name, find

        bundled = find(arn) if isinstance(arn, str) and aws_managed_name(arn) else None
        if bundled is not None:   # an AWS managed policy the file leaves out (--filter): seslint's copy
            return PolicyDoc(bundled.document, bundled.label, "")
        self._fail(f"managed policy '{arn}' is attached but not in the file's Policies", at,
                   help="run get-account-authorization-details without --filter so it includes managed policies")

    def _document(self, doc, at) -> PolicyDoc:
        if isinstance(doc, str):
            try:
                doc = json.loads(decode_document(doc))
            except ValueError:
                self._fail("policy document is neither JSON nor URL-encoded JSON", at)
        if not isinstance(doc, dict):
            self._fail("missing policy document", at)
        return PolicyDoc(doc, self.source, at)

    def _fail(self, message, at, help=None) -> NoReturn:
        raise InputError(message, source=self.source, pointer=at, help=help)


_LISTS = {"user": "UserDetailList", "role": "RoleDetailList"}


def load_auth_details(value, source: str = "<auth-details>") -> AuthDetails:
    """Wrap a parsed authorization-details document (checked lazily, per principal)."""
    if not isinstance(value, dict) or not any(k in value for k in ("UserDetailList", "RoleDetailList")):
        raise InputError("not the output of 'aws iam get-account-authorization-details' "
                         "(no UserDetailList or RoleDetailList)", source=source)
    for name in ("UserDetailList", "RoleDetailList", "GroupDetailList", "Policies"):
        if not isinstance(value.get(name, []), list):
            raise InputError(f"{name} must be a list", source=source, pointer=join("", name))
    return AuthDetails(source, value)


# Names for the policies in authorization details: one label per policy, and its parts back.

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
    def relabel(doc):
        if not doc.pointer:
            return doc   # not in the file: seslint's bundled copy of an AWS managed policy, labelled so
        return PolicyDoc(doc.value, policy_label(details, doc.pointer), "")

    boundary = principal.permission_boundary
    return dataclasses.replace(principal, identity_policies=[relabel(d) for d in principal.identity_policies],
                               permission_boundary=relabel(boundary) if boundary is not None else None)
