"""Find the policies in files: raw policy JSON, CloudFormation (JSON/YAML), Terraform plan JSON and
`aws iam get-account-authorization-details` output.

Every policy becomes a `PolicyUnit` whose pointer and position function refer to the ORIGINAL file,
including policies embedded as JSON strings (Terraform), whose positions map into the string.
"""

from __future__ import annotations

import bisect
import json
import os
import re
from dataclasses import dataclass, field

from seslint import jsondoc
from seslint.errors import InputError
from seslint.jsondoc import join
from seslint.lint import containers
from seslint.lint.model import IDENTITY, RESOURCE, UNREADABLE, PolicyUnit, Unresolved
from seslint.policy import VERSIONS

EXTENSIONS = (".json", ".yaml", ".yml", ".template")
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".terraform", ".venv", "venv", "__pycache__", ".tox"}

CFN_POLICY_TYPES = {
    "AWS::IAM::ManagedPolicy": "managed",
    "AWS::IAM::Policy": None,  # size quota depends on who it is attached to
    "AWS::IAM::RolePolicy": "role-inline",
    "AWS::IAM::UserPolicy": "user-inline",
    "AWS::IAM::GroupPolicy": "group-inline",
}
CFN_INLINE = {"AWS::IAM::Role": "role-inline", "AWS::IAM::User": "user-inline", "AWS::IAM::Group": "group-inline"}
TF_POLICY_TYPES = {
    "aws_iam_policy": ("managed", IDENTITY),
    "aws_iam_role_policy": ("role-inline", IDENTITY),
    "aws_iam_user_policy": ("user-inline", IDENTITY),
    "aws_iam_group_policy": ("group-inline", IDENTITY),
    "aws_ses_identity_policy": ("ses-identity-policy", RESOURCE),
    "aws_sesv2_email_identity_policy": ("ses-identity-policy", RESOURCE),
}


@dataclass
class Loaded:
    """What one file yielded: its policies, and a file-level problem (`invalid-json`) if any."""

    source: str
    units: list[PolicyUnit] = field(default_factory=list)
    broken: InputError | None = None
    value: object = None   # the parsed document (None when it could not be parsed)


def discover(paths: list[str]) -> list[tuple[str, bool]]:
    """(path, named) for every file to read; `named` is False for files found inside a directory."""
    out = []
    for path in paths:
        if path != "-" and os.path.isdir(path):
            found = []
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
                found += [os.path.join(root, f) for f in files if f.lower().endswith(EXTENSIONS)]
            if not found:
                raise InputError(f"no {', '.join(EXTENSIONS)} files in this folder", source=path,
                                 help="name policy files or a folder that holds them")
            out += [(f, False) for f in sorted(found)]
        elif path == "-" or os.path.exists(path):
            out.append((path, True))
        else:
            raise InputError("no such file or directory", source=path)
    return out


def load(path: str, named: bool) -> Loaded:
    """Read one file and find its policies. A named file that holds no policy raises InputError;
    a file that cannot be read or parsed is `broken` (reported as a finding, the other files go on)."""
    try:
        text, source = jsondoc.read_path(path)
    except InputError as exc:
        return Loaded(exc.source or path, broken=exc)
    return parse(text, source, path, named)


def parse(text: str, source: str, path: str, named: bool) -> Loaded:
    """`load` for a text already read (`path` decides JSON or YAML by its extension; `source` names it)."""
    result = Loaded(source)
    looks_yaml = path.lower().endswith((".yaml", ".yml")) or (
        path.lower().endswith(".template") or path == "-") and not text.lstrip().startswith(("{", "["))
    if looks_yaml:
        _load_yaml(text, source, named, result)
    else:
        try:
            doc = jsondoc.loads(text, source)
        except InputError as exc:
            if named or '"Statement"' in text:
                result.broken = exc  # reported as a finding: it may well be a policy
            return result
        result.value = doc.value
        try:
            units = _classify(doc.value, source, doc.position, doc.text)
        except InputError as exc:  # a policy string (Terraform, authorization details) that is no JSON
            result.broken = exc
            return result
        if units is None:
            if named:
                raise InputError("not an IAM policy, CloudFormation template, Terraform plan or "
                                 "authorization details document", source=source,
                                 help="pass policy files, or use --skip-unrecognized")
            return result
        result.units = _with_duplicates(units, doc.duplicates)
    return result


def _with_duplicates(units: list[PolicyUnit], duplicates: list[str]) -> list[PolicyUnit]:
    """Attach each repeated member name to the policy that contains it."""
    if not duplicates:
        return units
    return [u._replace(duplicates=u.duplicates + tuple(
        p for p in duplicates if u.pointer == "" or p.startswith(u.pointer + "/"))) for u in units]


def _load_yaml(text: str, source: str, named: bool, result: Loaded) -> None:
    from seslint.lint import cfn_yaml

    try:
        value, positions, duplicates = cfn_yaml.load(text, source)
    except InputError as exc:
        if named or re.search(r"^(AWSTemplateFormatVersion|Resources|Statement)\s*:", text, re.MULTILINE):
            result.broken = exc  # reported as a finding: it may well be a template
        return
    position = _lookup(positions)
    result.value = value
    try:
        units = _classify(value, source, position, None)
    except InputError as exc:
        result.broken = exc
        return
    if units is None:
        if named:
            raise InputError("not an IAM policy or CloudFormation template", source=source,
                             help="pass policy files, or use --skip-unrecognized")
        return
    result.units = _with_duplicates(units, duplicates)


def _lookup(positions: dict[str, tuple[int, int]]):
    def position(pointer: str) -> tuple[int, int]:
        while pointer not in positions and pointer:
            pointer = pointer.rsplit("/", 1)[0]
        return positions.get(pointer, (1, 1))
    return position


# -- classification ----------------------------------------------------------------------------

def is_policy(value) -> bool:
    return isinstance(value, dict) and ("Statement" in value or value.get("Version") in VERSIONS)


def is_auth_details(value) -> bool:
    """Whether a parsed document is `aws iam get-account-authorization-details` output."""
    return isinstance(value, dict) and (any(k in value for k in ("UserDetailList", "RoleDetailList", "GroupDetailList"))
                                        or isinstance(value.get("Policies"), list) and "IsTruncated" in value)


def _classify(value, source: str, position, text: str | None) -> list[PolicyUnit] | None:
    """The policies in a parsed document, or None when it is no kind of document we know."""
    if not isinstance(value, dict):
        return None
    if is_policy(value):
        return [PolicyUnit(source, "", value, position)]
    if isinstance(value.get("Resources"), dict) and (
            "AWSTemplateFormatVersion" in value or any(
                isinstance(r, dict) and str(r.get("Type", "")).startswith(("AWS::", "Custom::"))
                for r in value["Resources"].values())):
        return list(_cloudformation(value, source, position))
    if containers.is_serverless(value):
        return list(_serverless(value, source, position))
    if "format_version" in value and ("planned_values" in value or "values" in value):
        return list(_terraform(value, source, position, text))
    if is_auth_details(value):
        return list(_authorization_details(value, source, position, text))
    return None


def _cloudformation(template: dict, source: str, position, base: str = ""):
    mentions = None  # whether the template mentions SES at all (computed when first needed)
    for name, resource in sorted(template["Resources"].items()):
        if not isinstance(resource, dict) or not isinstance(resource.get("Properties"), dict):
            continue
        kind, props = resource.get("Type"), resource["Properties"]
        rp = join(base, "Resources", name)
        pp = join(rp, "Properties")
        found: list[containers.Found] = []
        if kind in CFN_POLICY_TYPES and "PolicyDocument" in props:
            size_kind = CFN_POLICY_TYPES[kind] or (
                "user-inline" if props.get("Users") else "group-inline" if props.get("Groups") else "role-inline")
            found = [f._replace(name=name) for f in _documents(props["PolicyDocument"], join(pp, "PolicyDocument"))]
        elif kind in CFN_INLINE:
            size_kind = CFN_INLINE[kind]
            # AssumeRolePolicyDocument is a trust policy, not an SES policy: skipped on purpose
            for i, item in enumerate(props.get("Policies") if isinstance(props.get("Policies"), list) else []):
                for p, ip, label in containers.alternatives(item, join(pp, "Policies", i)):
                    if isinstance(p, dict) and "PolicyDocument" in p:
                        found += [f._replace(name=f"{name}/{p.get('PolicyName', i)}",
                                             note=_join_notes(label, f.note))
                                  for f in _documents(p["PolicyDocument"], join(ip, "PolicyDocument"))]
            found += containers.managed_policy_notes(props, pp)
        elif kind == "AWS::Organizations::Policy" and props.get("Type") == "SERVICE_CONTROL_POLICY" \
                and isinstance(props.get("Content"), dict):
            size_kind = "scp"
            found = [f._replace(name=name) for f in _documents(props["Content"], join(pp, "Content"))]
        elif kind in SAM_FUNCTIONS and "Policies" in props:
            size_kind = "role-inline"
            found = list(containers.sam_policies(name, props["Policies"], join(pp, "Policies")))
        else:
            action = containers.unread_ses_actions(resource, rp)
            if action is not None:
                found = [containers.Found(rp, None, f"resource type '{kind}' is not read by seslint, and it names "
                                                    f"'{action}': its SES grants are not checked")]
            size_kind = "policy"
        for f in found:
            if f.value is None:
                if mentions is None and not f.certain:
                    mentions = containers.mentions_ses(json.dumps(template, default=str))
                if f.certain or mentions:
                    yield PolicyUnit(source, f.pointer, None, position, None, UNREADABLE, name, note=f.note)
            else:
                yield from _variants(source, f, position, IDENTITY, size_kind)


SAM_FUNCTIONS = ("AWS::Serverless::Function", "AWS::Serverless::StateMachine")


def _documents(document, pointer: str):
    """A policy document, or a note when an intrinsic function other than Fn::If hides it."""
    if isinstance(document, dict) and len(document) == 1:
        (key, _), = document.items()
        if key != "Fn::If" and (key.startswith("Fn::") or key == "Ref"):
            yield containers.Found(pointer, None, f"policy document given by '{key}' is known only at deploy "
                                                  f"time: its SES grants are not checked", certain=False)
            return
    yield containers.Found(pointer, document)


def _join_notes(*notes) -> str | None:
    return ", ".join(n for n in notes if n) or None


def _variants(source, found, position, policy_type, kind):
    """One unit per Fn::If choice inside the document (intrinsics resolved); notes say which branch."""
    options = containers.branches(found.value, found.pointer)
    for label, value, remap in options:
        note = " | ".join(n for n in (found.note, label) if n) or None
        yield PolicyUnit(source, found.pointer, resolve_intrinsics(value), position, policy_type, kind, found.name,
                         note=note, remap=_compose(found.remap, remap), variants=len(options))


def _compose(outer, inner):
    """Pointer maps applied inner first (Fn::If choice), then outer (the container's own layout)."""
    if outer is None or inner is None:
        return outer or inner
    return lambda pointer: outer(inner(pointer))


def _serverless(value: dict, source: str, position):
    for found in containers.serverless(value):
        yield from _variants(source, found, position, IDENTITY, "role-inline")
    resources = value.get("resources")
    if isinstance(resources, dict) and isinstance(resources.get("Resources"), dict):
        yield from _cloudformation(resources, source, position, "/resources")


def _terraform(plan: dict, source: str, position, text):
    for top in ("planned_values", "values"):
        module = plan.get(top, {}).get("root_module") if isinstance(plan.get(top), dict) else None
        if isinstance(module, dict):
            yield from _tf_module(module, join("", top, "root_module"), source, position, text)


def _tf_module(module: dict, pointer: str, source, position, text):
    for i, res in enumerate(module.get("resources") or []):
        if not isinstance(res, dict) or not isinstance(res.get("values"), dict):
            continue
        values, rp = res["values"], join(pointer, "resources", i, "values")
        address = res.get("address", res.get("type"))
        if res.get("type") in TF_POLICY_TYPES:
            kind, ptype = TF_POLICY_TYPES[res["type"]]
            unit = _embedded(values.get("policy"), join(rp, "policy"), source, position, text, ptype, kind, address)
            if unit:
                yield unit._replace(note=address)
        elif res.get("type") == "aws_iam_role":
            for j, inline in enumerate(values.get("inline_policy") or []):
                if isinstance(inline, dict):
                    unit = _embedded(inline.get("policy"), join(rp, "inline_policy", j, "policy"), source, position,
                                     text, IDENTITY, "role-inline", address)
                    if unit:
                        yield unit._replace(note=address)
    for j, child in enumerate(module.get("child_modules") or []):
        if isinstance(child, dict):
            yield from _tf_module(child, join(pointer, "child_modules", j), source, position, text)


def _authorization_details(details: dict, source: str, position, text):
    lists = (("UserDetailList", "UserPolicyList", "user-inline", "UserName"),
             ("GroupDetailList", "GroupPolicyList", "group-inline", "GroupName"),
             ("RoleDetailList", "RolePolicyList", "role-inline", "RoleName"))
    for top, inner, kind, name_key in lists:
        for i, entity in enumerate(details.get(top) or []):
            if not isinstance(entity, dict):
                continue
            for j, p in enumerate(entity.get(inner) or []):
                if isinstance(p, dict) and "PolicyDocument" in p:
                    unit = _embedded(p["PolicyDocument"], join("", top, i, inner, j, "PolicyDocument"), source,
                                     position, text, IDENTITY, kind, f"{entity.get(name_key)}/{p.get('PolicyName')}")
                    if unit:
                        yield unit
    for i, policy in enumerate(details.get("Policies") or []):
        if not isinstance(policy, dict) or ":iam::aws:policy/" in str(policy.get("Arn", "")):
            continue  # AWS managed policies are not the account's to fix
        for j, version in enumerate(policy.get("PolicyVersionList") or []):
            if isinstance(version, dict) and "Document" in version:
                unit = _embedded(version["Document"], join("", "Policies", i, "PolicyVersionList", j, "Document"),
                                 source, position, text, IDENTITY, "managed",
                                 f"{policy.get('PolicyName')}@{version.get('VersionId')}")
                if unit:
                    yield unit


# -- policies embedded as JSON strings -------------------------------------------------------

def _embedded(value, pointer, source, position, text, policy_type, kind, name) -> PolicyUnit | None:
    """A policy given as an object, or as a JSON string (maybe URL-encoded) inside the document."""
    if isinstance(value, dict):
        return PolicyUnit(source, pointer, value, position, policy_type, kind, name)
    if not isinstance(value, str) or not value.strip():
        return None  # unknown until apply, or empty
    from seslint.core.decode import decode_document

    decoded = decode_document(value)
    try:
        inner = jsondoc.loads(decoded, source)
    except InputError as exc:
        line, column = position(pointer)
        raise InputError(f"policy string is not valid JSON: {exc.message}", source=source, pointer=pointer,
                         line=line, column=column) from None
    # URL-encoded, or in YAML: places inside the string are not mapped (None), so findings stand at the string
    inner_position = _string_mapper(text, position(pointer), inner) if text is not None and decoded == value else None
    return PolicyUnit(source, pointer, inner.value, _nested(pointer, position, inner_position), policy_type, kind,
                      name, tuple(pointer + p for p in inner.duplicates))


def _nested(outer_pointer: str, outer_position, inner_position):
    """Positions for pointers that continue `outer_pointer` into the embedded document."""
    def position(pointer: str) -> tuple[int, int]:
        if pointer.startswith(outer_pointer + "/") or pointer == outer_pointer:
            return inner_position(pointer[len(outer_pointer):]) if inner_position else outer_position(outer_pointer)
        return outer_position(pointer)
    return position


_ESCAPE = re.compile(r'\\u[0-9a-fA-F]{4}|\\.|[^\\"]', re.S)


def _string_mapper(text: str, where: tuple[int, int], inner: jsondoc.Document):
    """Map positions in the decoded string `inner` to positions of the string literal in `text`."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    literal_start = starts[where[0] - 1] + where[1] - 1
    raw_offsets = []  # raw_offsets[k] = offset in `text` of decoded character k
    i = literal_start + 1
    while i < len(text) and text[i] != '"':
        m = jsondoc.token(_ESCAPE, text, i)
        raw_offsets.append(i)
        if m.group().startswith("\\u") and 0xD800 <= int(m.group()[2:], 16) < 0xDC00:
            i = m.end() + 6  # a surrogate pair decodes to one character
        else:
            i = m.end()
    inner_starts = [0] + [m.end() for m in re.finditer("\n", inner.text)]

    def position(pointer: str) -> tuple[int, int]:
        line, column = inner.position(pointer)
        k = inner_starts[line - 1] + column - 1
        offset = raw_offsets[k] if k < len(raw_offsets) else literal_start
        outer_line = bisect.bisect_right(starts, offset)
        return outer_line, offset - starts[outer_line - 1] + 1
    return position


# -- CloudFormation intrinsic functions ------------------------------------------------------

def resolve_intrinsics(value):
    """Replace intrinsic functions by strings: `Fn::Sub`/`Fn::Join` keep their text with `${...}`
    for the unknown parts; anything else becomes an `Unresolved` placeholder at the same pointer."""
    if isinstance(value, list):
        return [resolve_intrinsics(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (name, arg), = value.items()
        if name == "Ref":
            return Unresolved(f"${{{arg}}}")
        if name == "Fn::GetAtt":
            return Unresolved("${" + (".".join(map(str, arg)) if isinstance(arg, list) else str(arg)) + "}")
        if name == "Fn::Sub":
            template = arg[0] if isinstance(arg, list) and arg else arg
            return template.replace("${!", "${") if isinstance(template, str) else Unresolved("${Fn::Sub}")
        if name == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            parts = [resolve_intrinsics(p) for p in arg[1]]
            if all(isinstance(p, str) for p in parts) and isinstance(arg[0], str):
                return arg[0].join(parts)
            return Unresolved("${Fn::Join}")
        if name.startswith("Fn::") or name == "Condition":
            return Unresolved(f"${{{name}}}")
    return {k: resolve_intrinsics(v) for k, v in value.items()}
