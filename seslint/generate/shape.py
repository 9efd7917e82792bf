"""The matrix checks and shapes each expanded statement; policies from recipes and from API operations."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from seslint.core.arn import split
from seslint.errors import InputError
from seslint.generate.recipes import STATEMENT_ORDER, VERSION, Recipe, _as_tuple, load_recipe, resolve_parameters
from seslint.generate.template import DROP, _filter, arn, expand, policy_env
from seslint.names import action_problem, key_problem

# -- shaping statements with the matrix ------------------------------------------------

def _resource_type_of(resource: str, matrix) -> str | None:
    """The resource type an `arn:...:ses:...` ARN names, by the prefix of its resource part."""
    parts = split(resource)
    if len(parts) < 6:
        return None
    for name, rt in matrix.resource_types.items():
        if parts[5].startswith(split(rt.arn)[5].split("$", 1)[0]):
            return name
    return None


def _camel(name: str) -> str:
    return "".join(w.capitalize() for w in re.split(r"[^A-Za-z0-9]+", name) if w)


def shape_statement(statement: dict, matrix, *, where: str) -> list[dict]:
    """Check one expanded statement against the matrix and split it by resource scoping."""
    actions = statement.get("Action")
    if not actions:
        raise ValueError(f"{where}: statement has no Action")
    actions = _as_tuple(actions)
    resources = _as_tuple(statement.get("Resource", "*"))
    keys = [k for op in statement.get("Condition", {}).values() for k in op]
    services = set(statement.get("$services", ()))
    groups: dict[tuple[str, ...], list[str]] = {}
    for name in actions:
        if name.partition(":")[0] in services:
            _check_other_service_action(name, keys, statement.get("$wildcards", False), matrix, where=where)
            groups.setdefault(tuple(sorted(set(resources))), []).append(name)
            continue
        action = matrix.action(name)
        if action is None or "*" in name or "?" in name:
            service = name.partition(":")[0]
            hint = (f" (actions of other services need \"$services\": [\"{service}\"] on their statement)"
                    if ":" in name and service.lower() != "ses" else "")
            raise ValueError(f"{where}: {action_problem(name) or f'{name!r} is not one ses: action'}{hint}")
        missing = [k for k in keys if not matrix.carries(action, k)]
        if missing:
            raise ValueError(f"{where}: {key_problem(missing[0]) or f'{action.full_name} never carries {missing[0]}'}")
        fitting: tuple[str, ...]
        if not action.resource_level:
            fitting = ("*",)
        else:
            own = {rt.name for rt in action.resource_types}
            fitting = tuple(sorted(r for r in resources if r == "*" or _resource_type_of(r, matrix) in own))
            if not fitting:
                raise ValueError(f"{where}: no resource fits {action.full_name} (types: {', '.join(sorted(own))})")
        groups.setdefault(fitting, []).append(action.full_name)
    scoped = [g for g in groups if g != ("*",)]
    out = []
    for fitting in sorted(groups, key=lambda g: (g == ("*",), g)):
        piece = dict(statement, Action=sorted(set(groups[fitting])), Resource=list(fitting))
        sid = statement.get("Sid", "")
        if fitting == ("*",) and scoped:
            piece["Sid"] = sid + "AnyResource"
        elif len(scoped) > 1:
            types = sorted({_resource_type_of(r, matrix) or "any" for r in fitting})
            piece["Sid"] = sid + "On" + "".join(_camel(t) for t in types)
        out.append(piece)
    return out


def _check_other_service_action(name: str, keys: list[str], wildcards: bool, matrix, *, where: str) -> None:
    """A declared non-ses action: the matrix knows only ses:, so check its form and its condition keys."""
    form = r"[a-z0-9-]+:[A-Za-z0-9*?]+" if wildcards else r"[a-z0-9-]+:[A-Za-z0-9]+"
    if not re.fullmatch(form, name):
        raise ValueError(f"{where}: '{name}' is not one service:Action" + ("" if wildcards else
                         " (wildcards need \"$wildcards\": true on the statement)"))
    unknown = [k for k in keys if not (k.lower().startswith("aws:") and matrix.key(k))]
    if unknown:
        raise ValueError(f"{where}: {name} is not in the SES matrix, so only global aws: keys can be "
                         f"checked, not {unknown[0]}")


def canonical(statement: dict) -> dict:
    """A statement with IAM's usual key order and sorted condition values."""
    out = {k: statement[k] for k in STATEMENT_ORDER if k in statement}
    if "Condition" in out:
        out["Condition"] = {op: {key: sorted(v) if isinstance(v, list) else v for key, v in sorted(block.items())}
                            for op, block in sorted(out["Condition"].items())}
    return out


def build_policy(statements: Iterable[dict], matrix, *, where: str) -> dict:
    shaped = [canonical(piece) for i, s in enumerate(statements)
              for piece in shape_statement(s, matrix, where=f"{where}/Statement/{i}")]
    sids = [s.get("Sid") for s in shaped if s.get("Sid")]
    if len(sids) != len(set(sids)):
        raise ValueError(f"{where}: duplicate Sid in {sids}")
    return {"Version": VERSION, "Statement": shaped}


def generate(recipe_name: str, values: Mapping[str, Any] | None = None) -> dict:
    """The policy document of recipe `recipe_name` with parameter `values` (by name)."""
    from seslint.matrix import load_matrix

    recipe = load_recipe(recipe_name)
    given = resolve_parameters(recipe, values or {})
    return policy_for(recipe, given, load_matrix())


def policy_for(recipe: Recipe, given: Mapping[str, tuple[str, ...]], matrix) -> dict:
    env = policy_env(recipe, given)
    statements = [s for s in (expand(t, env, given) for t in recipe.statements) if s is not DROP]
    policy = build_policy(statements, matrix, where=f"recipes/{recipe.name}.json")
    if recipe.policy_type == "resource":
        _check_identity_policy(policy, matrix)
    return policy


def _check_identity_policy(policy: dict, matrix) -> None:
    """An SES identity policy may grant only the actions the sending-authorization quirks list."""
    allowed = {a.lower() for q in matrix.quirks.values() if q["kind"] == "sending-authorization"
               for a in q["allowed_actions"]}
    for s in policy["Statement"]:
        if "Principal" not in s:
            raise ValueError(f"identity policy statement {s.get('Sid')} has no Principal")
        bad = [a for a in s["Action"] if a.lower() not in allowed]
        if bad:
            raise ValueError(f"identity policies cannot grant {bad[0]}")


# -- from API operations ---------------------------------------------------------------

def for_operations(specs: Iterable[str], *, region: str = "*", account: str = "*",
                   names: Mapping[str, Iterable[str]] | None = None, extras: bool = True) -> dict:
    """The minimal policy for API operations (`sesv2:SendEmail:raw`, `ses:VerifyEmailIdentity`).

    Each operation's variants (all of them when none is named) add the IAM actions the matrix
    maps them to, on the resource types of that mapping; `names` gives resource names per
    type (default `*`; an identity address also yields its domain). With `extras`, the
    operations' extra authorizations (tags, tracking overrides) are granted too.
    """
    from seslint.matrix import load_matrix

    matrix = load_matrix()
    given = {k: list(v) for k, v in (names or {}).items() if v}
    env = {"region": (region,), "account": (account,)}
    wanted: dict[str, set[str]] = {}
    for spec in specs:
        service, _, rest = spec.partition(":")
        whole = matrix.operation(f"{service}:{rest.partition(':')[0]}")
        operation_actions = {a["action"] for v in whole for a in v["authorizes"]}
        for variant in matrix.operation(spec):
            for grant in variant["authorizes"]:
                wanted.setdefault(grant["action"], set()).update(grant["resources"])
            for quirk in variant["also"] if extras else ():
                if operation_actions & set(quirk["requires"]):
                    continue  # the same send action checked on another resource type: in the mapping already
                for extra in quirk["requires"]:
                    action = matrix.require_action(extra)
                    own = {rt.name for rt in action.resource_types}
                    related = own & {r for g in variant["authorizes"] for r in g["resources"]}
                    wanted.setdefault(action.full_name, set()).update(related or own)
    if not wanted:
        raise InputError("no operation given", source="--for", help="e.g. --for sesv2:SendEmail:raw")
    statements = []
    for name in sorted(wanted):
        action = matrix.require_action(name)
        resources = ["*"]
        if action.resource_level and wanted[name]:
            resources = [arn(t, n, env) for t in sorted(wanted[name])
                         for n in (_filter("identities", given.get(t, ["*"]), env) if t == "identity"
                                   else given.get(t, ["*"]))]
        statements.append({"Effect": "Allow", "Action": [action.full_name], "Resource": resources})
    merged: dict[tuple[str, ...], list[str]] = {}
    for s in statements:
        merged.setdefault(tuple(sorted(set(s["Resource"]))), []).extend(s["Action"])
    policy_statements = []
    for group in sorted(merged, key=lambda r: (r == ("*",), r)):
        types = sorted({_resource_type_of(r, matrix) or "any" for r in group})
        sid = "AnyResource" if group == ("*",) else "On" + "".join(_camel(t) for t in types)
        policy_statements.append({"Sid": sid, "Effect": "Allow", "Action": merged[group], "Resource": list(group)})
    return build_policy(policy_statements, matrix, where="--for")


def identity_arn(recipe_name: str, values: Mapping[str, Any]) -> str | None:
    """The ARN of the identity a resource (identity) policy recipe is attached to."""
    recipe = load_recipe(recipe_name)
    given = resolve_parameters(recipe, values)
    if recipe.policy_type != "resource":
        return None
    return arn("identity", given["identity"][0], policy_env(recipe, given))
