"""Template expansion: `{{expr}}` placeholders, filters and `$when`/`$unless` (see the package docstring)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping

from seslint.core.arn import partition_of
from seslint.generate.recipes import _PLACEHOLDER, Recipe, _as_tuple

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
        items: list = []
        for item in node:
            if isinstance(item, str):
                items.extend(expand_string(item, env))
            else:
                expanded = expand(item, env, given)
                if expanded is not DROP:
                    items.append(expanded)
        return list(dict.fromkeys(items)) if all(isinstance(x, str) for x in items) and items else (items or DROP)
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
