"""The inputs of an organization audit: accounts, one at a time, and the SCP tree.

Accounts come from authorization-details files (`aws iam get-account-authorization-details`, one
file per account, the account read from the ARNs; a folder stands for the `.json` files under it,
in name order) or from iam-collect's SQLite store (table `resource_metadata`, one row per
resource and kind of data, JSON in `data`). Accounts are read lazily, so an audit holds one
account's documents at a time.

The SCP tree (`rules/schemas/scp-tree.schema.json`) gives each account the levels from the root
down; a request must be allowed at every level.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn

from seslint.errors import InputError
from seslint.jsondoc import join
from seslint.policy import PolicyDoc


@dataclass
class Account:
    """One account: its authorization details and its SES identities' sending authorization policies
    (identity ARN -> PolicyDoc list; None: not read)."""

    id: str
    source: str
    details: Any                                     # AuthDetails; None once the audit is done with it
    identity_policies: dict | None = None
    identities: list[str] = field(default_factory=list)   # verified SES identity ARNs, where known


# Authorization-details files

def auth_details_files(paths) -> list[str]:
    """The files named, and the `.json` files under each folder named (sorted)."""
    out = []
    for path in paths:
        if os.path.isdir(path):
            found = sorted(os.path.join(d, f) for d, _, files in os.walk(path) for f in files if f.endswith(".json"))
            if not found:
                raise InputError("folder holds no .json file", source=path)
            out += found
        else:
            out.append(path)
    return out


def read_auth_details(paths) -> Iterator[Account]:
    """One Account per authorization-details file, read when it is reached."""
    for path in auth_details_files(paths):
        yield load_account(path)


def load_account(path: str) -> Account:
    from seslint.evaluate.authdetails import load_auth_details

    value = _read_json(path)
    details = load_auth_details(value, path)
    return Account(account_of_details(value, path), path, details)


def _read_json(path: str):
    """The parsed file: orjson for speed (an account's file can be large); jsondoc words the error."""
    import orjson

    from seslint.jsondoc import MAX_BYTES, decode, loads

    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", source=path) from None
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if len(data) <= MAX_BYTES:
            loads(decode(data, path), path)   # raises with line and column
        raise InputError(f"invalid JSON: {exc}", source=path) from None


def account_of_details(value: dict, source: str) -> str:
    """The one account whose users, roles, groups and customer managed policies the file lists."""
    from seslint.core.arn import account_of

    found: dict[str, str] = {}
    for name in ("UserDetailList", "RoleDetailList", "GroupDetailList", "Policies"):
        for i, entry in enumerate(value.get(name, [])):
            arn = entry.get("Arn") if isinstance(entry, dict) else None
            account = account_of(arn) if isinstance(arn, str) else None
            if account and account.isdigit():
                found.setdefault(account, join("", name, i, "Arn"))
    if len(found) > 1:
        first, second = sorted(found)[:2]
        raise InputError(f"holds principals of several accounts ({first} and {second})", source=source,
                         pointer=found[second], help="give one authorization-details file per account")
    return next(iter(found), "")


# iam-collect's SQLite store

#: resource_metadata kinds (metadata_type) seslint reads, per IAM resource type (iam-collect's
#: src/syncs/iam/authorizationDetails.ts and src/syncs/ses/identities.ts write them)
_KINDS = ("metadata", "inline-policies", "managed-policies", "trust-policy", "instance-profiles", "groups",
          "current-policy", "tags", "policies")


def read_iam_collect(path: str) -> Iterator[Account]:
    """One Account per account of the store (sorted by id), rebuilt as authorization details, with
    the sending authorization policies of the SES identities the store holds."""
    import sqlite3

    from seslint.evaluate.authdetails import load_auth_details

    if not os.path.isfile(path):
        raise InputError("no such file", source=path)
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        accounts = [row[0] for row in db.execute(
            "SELECT DISTINCT account_id FROM resource_metadata ORDER BY account_id")]
    except sqlite3.DatabaseError as exc:
        raise InputError(f"not an iam-collect SQLite store: {exc}", source=path,
                         help="give the file of iam-collect's sqlite storage (table resource_metadata)") from None
    try:
        for account in accounts:
            value, policies, identities = _account_from_store(db, path, account)
            source = f"{path} (account {account})"
            yield Account(account, source, load_auth_details(value, source), policies, identities)
    finally:
        db.close()


def _account_from_store(db, path: str, account: str) -> tuple[dict, dict, list[str]]:
    import json

    resources: dict[str, dict] = {}
    marks = ",".join("?" * len(_KINDS))
    query = ("SELECT arn, metadata_type, data, service, resource_type FROM resource_metadata "
             f"WHERE account_id = ? AND metadata_type IN ({marks}) ORDER BY arn")
    for arn, kind, data, service, rtype in db.execute(query, (account, *_KINDS)):
        try:
            parsed = json.loads(data)
        except (TypeError, ValueError):
            _fail(path, f"resource_metadata row ({arn}, {kind}): data is not JSON")
        resources.setdefault(arn, {"service": service, "type": rtype})[kind] = parsed

    def fail(arn: str, message: str) -> NoReturn:
        _fail(path, f"resource_metadata {arn}: {message}")

    def real_arn(arn: str, entry: dict) -> str:   # the store lower-cases its arn column; metadata keeps the case
        meta = entry.get("metadata")
        if not isinstance(meta, dict) or not isinstance(meta.get("arn"), str):
            fail(arn, "no metadata row with the resource's arn")
        return meta["arn"]

    policies_by_arn: dict[str, str] = {}
    value: dict = {"UserDetailList": [], "RoleDetailList": [], "GroupDetailList": [], "Policies": []}
    groups: dict[str, str | None] = {}
    sending: dict = {}
    identities = []
    for arn, entry in resources.items():
        service, rtype = entry["service"], entry["type"]
        if service == "iam" and rtype == "policy":
            real = real_arn(arn, entry)
            policies_by_arn[arn] = real
            document = entry.get("current-policy")
            value["Policies"].append({"Arn": real, "PolicyName": entry["metadata"].get("name"),
                                      "DefaultVersionId": "v1", "PolicyVersionList": [
                                          {"VersionId": "v1", "IsDefaultVersion": True, "Document": document}]})
        elif service == "iam" and rtype == "group":
            groups[arn] = entry["metadata"].get("name") if isinstance(entry.get("metadata"), dict) else None
        elif service == "ses" and rtype == "identity":
            real = real_arn(arn, entry)
            identities.append(real)
            docs = entry.get("policies") or {}
            if not isinstance(docs, dict):
                fail(arn, "policies is not an object")
            sending[real] = [PolicyDoc(doc, f"{real} sending authorization policy '{name}'")
                             for name, doc in sorted(docs.items())]

    def attached(entry: dict) -> list[dict]:
        arns = entry.get("managed-policies") or []
        return [{"PolicyArn": policies_by_arn.get(str(a).lower(), a)} for a in arns]

    def inline(entry: dict) -> list[dict]:
        return [{"PolicyName": p.get("PolicyName"), "PolicyDocument": p.get("PolicyDocument")}
                for p in entry.get("inline-policies") or [] if isinstance(p, dict)]

    for arn, entry in resources.items():
        if entry["service"] != "iam" or entry["type"] not in ("user", "role", "group"):
            continue
        real = real_arn(arn, entry)
        meta = entry["metadata"]
        tags = [{"Key": k, "Value": v} for k, v in sorted((entry.get("tags") or {}).items())]
        item: dict = {"Arn": real, "AttachedManagedPolicies": attached(entry), "Tags": tags}
        boundary = meta.get("permissionBoundary")
        if boundary:
            item["PermissionsBoundary"] = {"PermissionsBoundaryArn": policies_by_arn.get(boundary.lower(), boundary)}
        if entry["type"] == "role":
            item.update(RoleName=meta.get("name"), RolePolicyList=inline(entry),
                        AssumeRolePolicyDocument=entry.get("trust-policy"),
                        InstanceProfileList=[{"Arn": a} for a in entry.get("instance-profiles") or []])
            value["RoleDetailList"].append(item)
        elif entry["type"] == "user":
            item.update(UserName=meta.get("name"), UserPolicyList=inline(entry),
                        GroupList=[groups.get(str(g).lower()) or str(g).rsplit("/", 1)[-1]
                                   for g in entry.get("groups") or []])
            value["UserDetailList"].append(item)
        else:
            item.update(GroupName=meta.get("name"), GroupPolicyList=inline(entry))
            value["GroupDetailList"].append(item)
    return value, sending, identities


def _fail(path: str, message: str) -> NoReturn:
    raise InputError(message, source=path)


# The SCP tree

@dataclass
class ScpTree:
    """Each account's SCP levels, from the root down: [(level name, [PolicyDoc, ...]), ...]."""

    source: str
    accounts: dict[str, list[tuple[str, list[PolicyDoc]]]]

    def levels(self, account: str) -> list[tuple[str, list[PolicyDoc]]] | None:
        """The account's levels, or None when the tree does not hold it (no SCP applies)."""
        return self.accounts.get(account)


def load_scp_tree(path: str) -> ScpTree:
    """Read and check an SCP tree file (errors name the file and the JSON pointer)."""
    from seslint.jsondoc import load_path

    doc = load_path(path)
    value = doc.value

    def fail(message: str, at: str) -> NoReturn:
        raise InputError(message, source=path, pointer=at or None,
                         help="see rules/schemas/scp-tree.schema.json for the format")

    if not isinstance(value, dict) or value.get("version") != 1 or not isinstance(value.get("root"), dict):
        fail('an SCP tree is {"version": 1, "root": {"name": ..., "policies": [...], "children": [...]}}', "")
    accounts: dict = {}

    def policies(node: dict, at: str) -> list[PolicyDoc]:
        items = node.get("policies")
        if not isinstance(items, list):
            fail("policies must be a list (an empty list denies everything)", join(at, "policies"))
        out = []
        for i, p in enumerate(items):
            pat = join(at, "policies", i)
            if not isinstance(p, dict) or not isinstance(p.get("name"), str) or "document" not in p:
                fail("a policy is {\"name\": ..., \"document\": {...}}", pat)
            document = p["document"]
            if isinstance(document, str):
                import json

                try:
                    document = json.loads(document)
                except ValueError:
                    fail("the document is not JSON text", join(pat, "document"))
            if not isinstance(document, dict):
                fail("the document must be a JSON object", join(pat, "document"))
            out.append(PolicyDoc(document, f"SCP '{p['name']}'", ""))
        return out

    def walk(node, at: str, above: list) -> None:
        if not isinstance(node, dict):
            fail("a node must be an object", at)
        if "account" in node:
            account = node["account"]
            if not isinstance(account, str) or not (len(account) == 12 and account.isdigit()):
                fail("account must be a 12-digit account id", join(at, "account"))
            if account in accounts:
                fail(f"account {account} appears twice", join(at, "account"))
            accounts[account] = [*above, (account, policies(node, at))]
            return
        name = node.get("name")
        if not isinstance(name, str) or not name:
            fail("an organizational unit needs a name (or an account node its account)", at)
        level = [*above, (name, policies(node, at))]
        children = node.get("children", [])
        if not isinstance(children, list):
            fail("children must be a list", join(at, "children"))
        for i, child in enumerate(children):
            walk(child, join(at, "children", i), level)

    walk(value["root"], "/root", [])
    return ScpTree(path, accounts)
