"""Each recipe's promises: the requests its policy must allow and must deny, run through the evaluator."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from seslint.generate.recipes import PROOF_PRINCIPAL, VERSION, Recipe, _as_tuple, load_recipe, resolve_parameters
from seslint.generate.shape import policy_for
from seslint.generate.template import DROP, _filter, _one, arn, expand, proof_env

# -- proofs ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ProofCase:
    """One declared request (or API call) of a recipe, expanded, with the expected outcome."""

    name: str
    expect: str  # "allowed" | "denied"
    alternatives: tuple[tuple[dict, ...], ...]  # per identity ARN choice: the IAM requests SES makes
    principal_account: str
    quirks: tuple[str, ...] = ()  # the quirks it rests on: its operation's mapping, the quirk data it uses


def proof_cases(recipe: Recipe, given: Mapping[str, tuple[str, ...]], matrix) -> list[ProofCase]:
    """The recipe's must_allow and must_deny entries, expanded for these parameters."""
    env = proof_env(recipe, given)
    outsiders = _outsiders(env)
    cases = []
    for expect, items in (("allowed", recipe.must_allow), ("denied", recipe.must_deny)):
        for item in (x for template in items for x in _per_operation(template)):
            uses = _QUIRK_DATA.findall(json.dumps(item))
            item = expand(_swap(item, outsiders), env, given)  # the template's own probes, not the user's values
            if item is DROP:
                continue
            account = item.get("principal_account") or _one(env, "account", "111122223333")
            if item.get("delegate"):
                account = _one(env, "delegate-account", account)
            call = item.get("send") or item.get("call")
            quirks = {*uses, *(matrix.operation(call["operation"])[0]["quirks"] if call else ())}
            cases.append(ProofCase(item["name"], expect, _requests(item, env, matrix), account, tuple(sorted(quirks))))
    return cases


_QUIRK_DATA = re.compile(r"\{\{quirk\.([a-z0-9-]+)\.")   # a template value taken from a quirk's data


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
    call: dict = item.get("send") or item["call"]
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
        from seslint.sendmodel import api_of, context_values

        if sender is None:
            raise ValueError(f"proof '{item['name']}': a send needs 'from'")
        to = None if call.get("to") == "absent" else _as_tuple(call.get("to") or [])
        context = context_values(api_of(spec), sender, display=call.get("display_name", ""), recipients=to)
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
    """A scenario (README, "Scenario format") that puts `policy` where its type belongs."""
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
            bad: list   # the denied requests, or the alternatives whose every request was allowed
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
