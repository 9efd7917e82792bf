"""Recipes as data (rules/recipes/*.json) and their typed parameters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from seslint import data
from seslint.core.arn import REGION
from seslint.errors import InputError, UnknownNameError

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
        if sender != identity and ("@" in identity or sender.rpartition("@")[2] != identity):
            raise InputError(f"'{sender}' is not an address of identity '{identity}'", source="--from",
                             help="an identity policy can only authorize From addresses of its own identity")
