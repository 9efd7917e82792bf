"""Least-privilege SES policies: from recipes (rules/recipes/*.json) and from API operations.

A recipe is data: typed parameters, a statements template and the requests the generated
policy must allow and must deny. Templates hold `{{expr}}` placeholders, where `expr` is
`source|filter|filter or source|filter or 'literal'` (the first alternative that yields a
value wins). A source is a parameter name, a quoted literal or `quirk.<id>.<field>`; filters:

    identities   an address and its domain; a domain and `*@domain` (on a send IAM checks
                 the address identity when it is verified, else the domain's)
    domain       the domain of an address
    pattern      an address as is, a domain as `*@domain` (for StringLike)
    address      a concrete address: a domain becomes `user@domain` (for proofs)
    first        the first value only
    concrete     a name pattern made concrete (`orders-*` -> `orders-sample`, for proofs)
    arn:TYPE     the ARN of resource TYPE (format from the matrix), from the `region`,
                 `account` and `partition` parameters

A string expands to one value per combination of its placeholders' values (none when an
optional parameter is unset, and then its key, or its condition operator, is dropped).
`"$when": "param"` / `"$unless": "param"` (or a list: any of them) keep a statement or a
proof only when the user did / did not give that parameter.

After expansion, the matrix checks and shapes each statement: unknown actions and condition
keys that an action never carries are recipe errors; actions without resource-level
permissions (including the documented-but-dead ARNs) move to a sibling statement on `"*"`;
each action keeps only the ARNs of resource types it has.

A statement names actions of other services only when it declares them, `"$services":
["iam"]`: those get a syntactic check (`service:Action`, wildcards only with `"$wildcards":
true`, condition keys only global `aws:` ones) and keep the statement's resources as given.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from seslint import data
from seslint.core.arn import REGION, partition_of, split
from seslint.errors import InputError, UnknownNameError, UnsupportedError

VERSION = "2012-10-17"
FORMATS = ("json", "yaml", "terraform", "cloudformation")
POLICY_TYPES = ("identity", "resource", "guardrail")
STATEMENT_ORDER = ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                   "Resource", "NotResource", "Condition")
PROOF_PRINCIPAL = "seslint-proof"

_PLACEHOLDER = re.compile(r"\{\{(.+?)\}\}")
_DOMAIN = r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]"
_LOCAL = r"[A-Za-z0-9!#%&'+/=^_`{|}~.-]{1,64}"
_PATTERNS = {
    "email": re.compile(rf"{_LOCAL}@{_DOMAIN}"),
    "domain": re.compile(_DOMAIN),
    "email-or-domain": re.compile(rf"(?:{_LOCAL}@)?{_DOMAIN}"),
    "region": REGION,
    "account": re.compile(r"[0-9]{12}"),
    "name": re.compile(r"[A-Za-z0-9_-]{1,64}"),
    "name-pattern": re.compile(r"[A-Za-z0-9_-]{1,64}\*?"),
    "display-name": re.compile(r"[^\x00-\x1f\x7f\"*?$<>]{1,100}"),
}
_TYPE_HELP = {
    "email": "an email address such as ci@example.com",
    "domain": "a domain name such as example.com",
    "email-or-domain": "an email address (ci@example.com) or a domain (example.com)",
    "region": "an AWS region such as us-east-1",
    "account": "a 12-digit AWS account id",
    "name": "a resource name: letters, digits, '_' and '-', at most 64",
    "name-pattern": "a resource name, or a name prefix ending in '*' (orders-*)",
    "display-name": "a display name without quotes, '<', '>', '*', '?' or '$'",
}


# -- recipes as data -------------------------------------------------------------------

@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    help: str
    required: bool = False
    repeatable: bool = False
    default: tuple[str, ...] = ()
    sample: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()

    @property
    def option(self) -> str:
        return f"--{self.name}"


@dataclass(frozen=True)
class Recipe:
    name: str
    summary: str
    description: str
    policy_type: str
    parameters: tuple[Parameter, ...]
    statements: tuple[dict, ...]
    must_allow: tuple[dict, ...]
    must_deny: tuple[dict, ...]
    examples: tuple[dict, ...] = ()


def _as_tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


@cache
def recipe_names() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in (data.rules_dir() / "recipes").glob("*.json")))


@cache
def load_recipe(name: str) -> Recipe:
    """The recipe `name` from rules/recipes/; unknown names raise with a did-you-mean."""
    if name not in recipe_names():
        import difflib

        close = difflib.get_close_matches(name, recipe_names(), n=1, cutoff=0.5)
        raise UnknownNameError(f"unknown recipe '{name}'",
                               help=f"did you mean '{close[0]}'?" if close else "see `seslint generate --list`")
    raw = data.load(f"recipes/{name}.json")
    params = tuple(Parameter(name=p["name"], type=p["type"], help=p["help"], required=p.get("required", False),
                             repeatable=p.get("repeatable", False), default=_as_tuple(p.get("default")),
                             sample=_as_tuple(p.get("sample")), choices=tuple(p.get("choices", ())))
                   for p in raw["parameters"])
    return Recipe(name=raw["name"], summary=raw["summary"], description=raw["description"],
                  policy_type=raw["policy_type"], parameters=params, statements=tuple(raw["statements"]),
                  must_allow=tuple(raw["proof"]["must_allow"]), must_deny=tuple(raw["proof"]["must_deny"]),
                  examples=tuple(raw.get("examples", ())))


def recipes() -> list[Recipe]:
    return [load_recipe(n) for n in recipe_names()]


# -- parameters ------------------------------------------------------------------------

def validate_value(param: Parameter, value: str) -> str:
    """One user value, checked against the parameter's type and normalised (domains lower-case)."""
    value = value.strip()
    if param.choices:
        if value not in param.choices:
            allowed = (f"the only value is '{param.choices[0]}'" if len(param.choices) == 1 else
                       "use one of " + ", ".join(f"'{c}'" for c in param.choices))
            raise InputError(f"'{value}' is not allowed: {allowed}", source=param.option)
        return value
    pattern = _PATTERNS[param.type]
    if not pattern.fullmatch(value.lower() if param.type in ("email", "domain", "email-or-domain") else value):
        raise InputError(f"'{value}' is not {_TYPE_HELP[param.type]}", source=param.option)
    if "@" in value or param.type == "domain" or param.type == "email-or-domain":
        local, at, domain = value.rpartition("@")
        return f"{local}{at}{domain.lower()}"
    return value


_FOR_PARAMETERS = (Parameter("identity", "email-or-domain", ""), Parameter("configuration-set", "name-pattern", ""),
                   Parameter("template", "name-pattern", ""), Parameter("region", "region", ""),
                   Parameter("account", "account", ""))


def validate_parameter(name: str, value: str) -> str:
    """Check a `generate --for` option value (identity, configuration-set, template, region, account)."""
    return validate_value(next(p for p in _FOR_PARAMETERS if p.name == name), value)


def identity_arn(recipe_name: str, values: Mapping[str, Any]) -> str | None:
    """The ARN of the identity a resource (identity) policy recipe is attached to."""
    recipe = load_recipe(recipe_name)
    given = resolve_parameters(recipe, values)
    if recipe.policy_type != "resource":
        return None
    return arn("identity", given["identity"][0], policy_env(recipe, given))


def resolve_parameters(recipe: Recipe, values: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """User values (str, list or None per parameter name; commas split lists) -> validated tuples."""
    unknown = sorted(set(values) - {p.name for p in recipe.parameters})
    if unknown:
        raise InputError(f"recipe '{recipe.name}' has no parameter '{unknown[0]}'", source=f"--{unknown[0]}",
                         help=f"see `seslint generate {recipe.name} --help`")
    given: dict[str, tuple[str, ...]] = {}
    for p in recipe.parameters:
        raw = values.get(p.name)
        if p.type == "flag":
            if raw:
                given[p.name] = ("true",)
            continue
        items = [v for item in _as_tuple(raw) if item is not None for v in str(item).split(",") if v.strip()]
        if not items:
            if p.required:
                raise InputError(f"recipe '{recipe.name}' needs {p.option}", source=p.option, help=p.help)
            continue
        if len(items) > 1 and not p.repeatable:
            raise InputError(f"takes one value, got {len(items)}", source=p.option)
        given[p.name] = tuple(dict.fromkeys(validate_value(p, v) for v in items))
    _check_semantics(recipe, given)
    return given


def _check_semantics(recipe: Recipe, given: Mapping[str, tuple[str, ...]]) -> None:
    """Cross-parameter checks: a sending-authorization `--from` must belong to `--identity`."""
    if recipe.policy_type != "resource":
        return
    identity = given.get("identity", ("",))[0]
    for sender in given.get("from", ()):
        if sender != identity and ("@" in identity or _domain(sender) != identity):
            raise InputError(f"'{sender}' is not an address of identity '{identity}'", source="--from",
                             help="an identity policy can only authorize From addresses of its own identity")


# -- template expansion ----------------------------------------------------------------

class _Drop:
    """Marks a template value that expanded to nothing (an unset optional parameter)."""


DROP = _Drop()


def _domain(value: str) -> str:
    return value.rpartition("@")[2]


def _filter(name: str, values: list[str], env: Mapping[str, tuple[str, ...]]) -> list[str]:
    if name == "identities":
        return [x for v in values for x in ((v, _domain(v)) if "@" in v else (v, f"*@{v}") if v != "*" else (v,))]
    if name == "domain":
        return [_domain(v) for v in values]
    if name == "pattern":
        return [v if "@" in v else f"*@{v}" for v in values]
    if name == "address":
        return [v if "@" in v else f"user@{v}" for v in values]
    if name == "first":
        return values[:1]
    if name == "concrete":
        return [v.replace("*", "sample") for v in values]
    if name.startswith("arn:"):
        return [arn(name[4:], v, env) for v in values]
    raise ValueError(f"unknown template filter '{name}'")


def arn(resource_type: str, name: str, env: Mapping[str, tuple[str, ...]]) -> str:
    """The ARN of a resource of `resource_type` named `name`, in the matrix's ARN format."""
    from seslint.matrix import load_matrix

    fmt = load_matrix().resource_types[resource_type].arn
    region = _one(env, "region", "*")
    fixed = {"Partition": _one(env, "partition", partition_of(region) if region != "*" else "aws"), "Region": region,
             "Account": _one(env, "account", "*")}
    variables = re.findall(r"\$\{([^}]+)\}", fmt)
    names = [v for v in variables if v not in fixed]
    out = fmt
    for var in variables:
        out = out.replace("${" + var + "}", fixed[var] if var in fixed else (name if var == names[0] else "*"), 1)
    return out


def _one(env: Mapping[str, tuple[str, ...]], name: str, default: str) -> str:
    return (env.get(name) or (default,))[0]


def _source(token: str, env: Mapping[str, tuple[str, ...]]) -> list[str]:
    if token.startswith("'") and token.endswith("'"):
        return [token[1:-1]]
    if token.startswith("quirk."):
        from seslint.matrix import load_matrix

        _, qid, fieldname = token.split(".", 2)
        return list(_as_tuple(load_matrix().quirks[qid][fieldname]))
    if token not in env and token not in ("region", "account", "partition"):
        raise ValueError(f"template names unknown parameter '{token}'")
    return list(env.get(token, ()))


def evaluate_expression(expr: str, env: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The values of one `{{...}}` expression (see the module docstring)."""
    for alternative in expr.split(" or "):
        source, *filters = [t.strip() for t in alternative.split("|")]
        values = _source(source, env)
        for f in filters:
            values = _filter(f, values, env)
        if values:
            return list(dict.fromkeys(values))
    return []


def expand_string(text: str, env: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Every value of `text`: one per combination of its placeholders' values."""
    parts = _PLACEHOLDER.split(text)
    if len(parts) == 1:
        return [text]
    choices = [[p] if i % 2 == 0 else evaluate_expression(p, env) for i, p in enumerate(parts)]
    return list(dict.fromkeys("".join(combo) for combo in itertools.product(*choices)))


def expand(node, env: Mapping[str, tuple[str, ...]], given: Mapping[str, tuple[str, ...]]):
    """Expand a template node; DROP when it expanded to nothing."""
    if isinstance(node, dict):
        if "$when" in node and not any(n in given for n in _as_tuple(node["$when"])):
            return DROP
        if "$unless" in node and any(n in given for n in _as_tuple(node["$unless"])):
            return DROP
        out = {}
        for key, value in node.items():
            if key in ("$when", "$unless"):
                continue
            expanded = expand(value, env, given)
            if expanded is not DROP:
                out[key] = expanded
        return out if out or not node else DROP
    if isinstance(node, list):
        out = []
        for item in node:
            if isinstance(item, str):
                out.extend(expand_string(item, env))
            else:
                expanded = expand(item, env, given)
                if expanded is not DROP:
                    out.append(expanded)
        return list(dict.fromkeys(out)) if all(isinstance(x, str) for x in out) and out else (out or DROP)
    if isinstance(node, str):
        values = expand_string(node, env)
        return DROP if not values else values[0] if len(values) == 1 else values
    return node


def policy_env(recipe: Recipe, given: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Parameter values for the policy: what the user gave, else the default."""
    return {p.name: given.get(p.name) or p.default for p in recipe.parameters}


def proof_env(recipe: Recipe, given: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Concrete parameter values for proof requests: what the user gave, else the sample."""
    return {p.name: given.get(p.name) or p.sample or p.default for p in recipe.parameters}


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
            raise ValueError(f"{where}: '{name}' is not one ses: action{hint}")
        missing = [k for k in keys if not matrix.carries(action, k)]
        if missing:
            raise ValueError(f"{where}: {action.full_name} never carries {missing[0]}")
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
    names = {k: list(v) for k, v in (names or {}).items() if v}
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
                         for n in (_filter("identities", names.get(t, ["*"]), env) if t == "identity"
                                   else names.get(t, ["*"]))]
        statements.append({"Effect": "Allow", "Action": [action.full_name], "Resource": resources})
    merged: dict[tuple[str, ...], list[str]] = {}
    for s in statements:
        merged.setdefault(tuple(sorted(set(s["Resource"]))), []).extend(s["Action"])
    policy_statements = []
    for resources in sorted(merged, key=lambda r: (r == ("*",), r)):
        types = sorted({_resource_type_of(r, matrix) or "any" for r in resources})
        sid = "AnyResource" if resources == ("*",) else "On" + "".join(_camel(t) for t in types)
        policy_statements.append({"Sid": sid, "Effect": "Allow", "Action": merged[resources],
                                  "Resource": list(resources)})
    return build_policy(policy_statements, matrix, where="--for")


# -- proofs ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ProofCase:
    """One declared request (or API call) of a recipe, expanded, with the expected outcome."""

    name: str
    expect: str  # "allowed" | "denied"
    alternatives: tuple[tuple[dict, ...], ...]  # per identity ARN choice: the IAM requests SES makes
    principal_account: str


def proof_cases(recipe: Recipe, given: Mapping[str, tuple[str, ...]], matrix) -> list[ProofCase]:
    """The recipe's must_allow and must_deny entries, expanded for these parameters."""
    env = proof_env(recipe, given)
    outsiders = _outsiders(env)
    cases = []
    for expect, items in (("allowed", recipe.must_allow), ("denied", recipe.must_deny)):
        for item in (x for template in items for x in _per_operation(template)):
            item = expand(_swap(item, outsiders), env, given)  # the template's own probes, not the user's values
            if item is DROP:
                continue
            account = item.get("principal_account") or _one(env, "account", "111122223333")
            if item.get("delegate"):
                account = _one(env, "delegate-account", account)
            cases.append(ProofCase(item["name"], expect, _requests(item, env, matrix), account))
    return cases


# Probe values of the recipes' proofs (an unrelated account and domain), each with stand-ins for
# when the user's own parameters use it: a probe must never be one of the user's values.
OUTSIDERS = {"444455556666": ("555566667777", "666677778888", "777788889999"),
             "outsider.invalid": ("elsewhere.invalid", "stranger.invalid", "faraway.invalid")}


def _outsiders(env: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    used = " ".join(v for values in env.values() for v in values).lower()
    return {probe: next(c for c in (probe, *spares) if c not in used)
            for probe, spares in OUTSIDERS.items() if probe in used}


def _swap(node, outsiders: dict[str, str]):
    if not outsiders:
        return node
    if isinstance(node, str):
        for probe, stand_in in outsiders.items():
            node = node.replace(probe, stand_in)
        return node
    if isinstance(node, dict):
        return {k: _swap(v, outsiders) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return type(node)(_swap(v, outsiders) for v in node)
    return node


def _per_operation(item: dict) -> list[dict]:
    """A proof naming several operations (or request actions) is one case per operation."""
    kind = next(k for k in ("send", "call", "request") if k in item)
    field = "action" if kind == "request" else "operation"
    if isinstance(item[kind][field], str):
        return [item]
    return [dict(item, name=f"{item['name']} ({op})", **{kind: dict(item[kind], **{field: op})})
            for op in item[kind][field]]


def _requests(item: dict, env, matrix) -> tuple[tuple[dict, ...], ...]:
    if "request" in item:
        r = item["request"]
        return (({"action": r["action"], "resource": r.get("resource", "*"), "context": r.get("context", {})},),)
    call = item.get("send") or item.get("call")
    spec = call["operation"]
    variants = matrix.operation(spec)
    if len(variants) != 1:
        raise ValueError(f"proof '{item['name']}': name one variant of {spec}")
    variant = variants[0]
    region, account = _one(env, "region", "us-east-1"), call.get("owner") or _one(env, "account", "111122223333")
    where = {"region": (region,), "account": (account,)}
    given_names = {t: call.get(t.replace("-", "_")) for t in ("identity", "configuration-set", "template",
                                                               "custom-verification-email-template")}
    sender = call.get("from")
    identities = ([call["identity"]] if call.get("identity") else
                  _filter("identities", [sender], where) if sender else [None])
    context = {}
    if "send" in item:
        context = {"ses:FromAddress": sender, "ses:FeedbackAddress": sender,
                   "ses:FromDisplayName": call.get("display_name", "")}
        if call.get("to") != "absent":
            context["ses:Recipients"] = _as_tuple(call.get("to") or [])
        if spec.startswith("sesv2:"):
            context["ses:ApiVersion"] = "2"
    context.update(call.get("context", {}))
    alternatives = []
    for identity in identities:
        requests = []
        for grant in variant["authorizes"]:
            action = matrix.require_action(grant["action"])
            ctx = {k: list(v) if isinstance(v, tuple) else v for k, v in context.items() if matrix.carries(action, k)}
            if not action.resource_level:
                requests.append({"action": action.full_name, "resource": "*", "context": ctx})
                continue
            before = len(requests)
            for rtype in grant["resources"]:
                value = identity if rtype == "identity" else given_names.get(rtype)
                if value:
                    requests.append({"action": action.full_name, "resource": arn(rtype, value, where), "context": ctx})
            if len(requests) == before and not any(rt.required for rt in action.resource_types):
                requests.append({"action": action.full_name, "resource": "*", "context": ctx})
            elif len(requests) == before:
                raise ValueError(f"proof '{item['name']}' names no resource for {action.full_name}")
        alternatives.append(tuple(requests))
    return tuple(alternatives)


def scenario(recipe: Recipe, policy: dict, request: dict, principal_account: str, attach: str) -> dict:
    """A scenario (docs/scenarios.md) that puts `policy` where its type belongs."""
    principal = {"arn": f"arn:aws:iam::{principal_account}:role/{PROOF_PRINCIPAL}", "account": principal_account}
    base = {"id": f"{recipe.name}:{request['action']}", "principal": principal, "request": request}
    allow_ses = {"Version": VERSION, "Statement": [{"Effect": "Allow", "Action": "ses:*", "Resource": "*"}]}
    if recipe.policy_type == "identity":
        return dict(base, identity_policies=[policy])
    if recipe.policy_type == "resource":
        return dict(base, identity_policies=[allow_ses], resource_policy=policy)
    allow_all = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    if attach == "permission_boundary":
        return dict(base, identity_policies=[allow_ses],
                    permission_boundary={"Version": VERSION, "Statement": [allow_all, *policy["Statement"]]})
    return dict(base, identity_policies=[allow_ses],
                scps=[{"level": "root", "policies": [{"Version": VERSION, "Statement": [allow_all]}, policy]}])


def attachments(recipe: Recipe) -> tuple[str, ...]:
    return ("scp", "permission_boundary") if recipe.policy_type == "guardrail" else ("direct",)


@dataclass(frozen=True)
class ProofResult:
    case: ProofCase
    attach: str
    ok: bool
    detail: str


def prove(recipe_name: str, values: Mapping[str, Any] | None = None, policy: dict | None = None) -> list[ProofResult]:
    """Run each declared request of the recipe through the evaluator (seslint.evaluate).

    A case expected allowed holds when, for every identity ARN SES may check, every request
    is allowed; expected denied, when for every identity ARN some request is denied.
    """
    from seslint.evaluate import evaluate, load_scenario
    from seslint.matrix import load_matrix

    matrix = load_matrix()
    recipe = load_recipe(recipe_name)
    given = resolve_parameters(recipe, values or {})
    policy = policy if policy is not None else policy_for(recipe, given, matrix)
    results = []
    for case in proof_cases(recipe, given, matrix):
        for attach in attachments(recipe):
            verdicts = []
            for requests in case.alternatives:
                decisions = []
                for i, request in enumerate(requests):
                    sc = scenario(recipe, policy, request, case.principal_account, attach)
                    decision = evaluate(load_scenario(sc, f"{recipe.name}: {case.name}", f"/{i}")).decision
                    decisions.append((request, decision))
                verdicts.append(decisions)
            if case.expect == "allowed":
                bad = [(r, d) for v in verdicts for r, d in v if d != "allowed"]
                ok = not bad
            else:
                bad = [v for v in verdicts if all(d == "allowed" for _, d in v)]
                ok = not bad and bool(verdicts)
            detail = "" if ok else _failure(case.expect, bad)
            results.append(ProofResult(case, attach, ok, detail))
    return results


def _failure(expect: str, bad: list) -> str:
    """Why a proof failed, as a sentence."""
    if expect == "allowed":
        said = [f"{r['action']} on {r['resource']} was {d}" for r, d in bad]
    else:
        said = ["every request was allowed: " + ", ".join(f"{r['action']} on {r['resource']}" for r, _ in v)
                for v in bad]
    more = f" (and {len(said) - 3} more)" if len(said) > 3 else ""
    return "; ".join(said[:3]) + more


# -- output formats --------------------------------------------------------------------

def render(policy: dict, fmt: str, *, name: str, summary: str, policy_type: str = "identity",
           identity: str | None = None) -> str:
    """The policy as `json`, `yaml`, `terraform` (HCL) or `cloudformation` (a YAML template)."""
    if fmt == "json":
        return json.dumps(policy, indent=2, ensure_ascii=False)
    import yaml

    if fmt == "yaml":
        return yaml.safe_dump(policy, sort_keys=False, default_flow_style=False, allow_unicode=True).rstrip("\n")
    if fmt == "terraform":
        return _terraform(policy, name, summary, policy_type, identity)
    if fmt == "cloudformation":
        return _cloudformation(policy, name, summary, policy_type)
    raise InputError(f"unknown format '{fmt}'", help=f"formats: {', '.join(FORMATS)}")


def _hcl(value, indent: int = 0) -> str:
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, dict):
        body = "".join(f"{inner}{json.dumps(k)} = {_hcl(v, indent + 1)}\n" for k, v in value.items())
        return "{\n" + body + pad + "}"
    if isinstance(value, list):
        return "[\n" + "".join(f"{inner}{_hcl(v, indent + 1)},\n" for v in value) + pad + "]"
    # Terraform interpolates ${...} and %{...} inside strings: escape them.
    return json.dumps(value, ensure_ascii=False).replace("${", "$${").replace("%{", "%%{")


def _terraform(policy: dict, name: str, summary: str, policy_type: str, identity: str | None) -> str:
    label = re.sub(r"[^a-z0-9_]", "_", name.lower())
    if policy_type == "resource":
        head = [f'resource "aws_ses_identity_policy" "{label}" {{', f"  identity = {_hcl(identity or '')}",
                f"  name     = {_hcl(name)}", f"  policy   = jsonencode({_hcl(policy, 1)})"]
    elif policy_type == "guardrail":
        head = [f'resource "aws_organizations_policy" "{label}" {{', f"  name        = {_hcl(name)}",
                f"  description = {_hcl(summary)}", '  type        = "SERVICE_CONTROL_POLICY"',
                f"  content     = jsonencode({_hcl(policy, 1)})"]
    else:
        head = [f'resource "aws_iam_policy" "{label}" {{', f"  name        = {_hcl(name)}",
                f"  description = {_hcl(summary)}", f"  policy      = jsonencode({_hcl(policy, 1)})"]
    return "\n".join(head + ["}"])


def _cloudformation(policy: dict, name: str, summary: str, policy_type: str) -> str:
    import yaml

    logical = _camel(name) + "Policy"
    if policy_type == "resource":
        raise UnsupportedError("CloudFormation has no resource type for SES identity (sending authorization) policies",
                               help="use --format json with `aws sesv2 create-email-identity-policy`, or --format terraform")
    if policy_type == "guardrail":
        resource = {"Type": "AWS::Organizations::Policy",
                    "Properties": {"Name": name, "Description": summary, "Type": "SERVICE_CONTROL_POLICY",
                                   "Content": policy}}
    else:
        resource = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"Description": summary, "PolicyDocument": policy}}
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Description": f"seslint generate {name}: {summary}",
                "Resources": {logical: resource}}
    return yaml.safe_dump(template, sort_keys=False, default_flow_style=False, allow_unicode=True).rstrip("\n")
