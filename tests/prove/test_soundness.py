"""prove and diff against brute-force enumeration through the evaluator.

Random policies over small finite domains (a few actions, ARNs, addresses, patterns, one free
key). For each policy set the test enumerates every send over the domain (each API and content,
with and without a configuration set, each From, each recipient list, each value of the free key)
and asks the evaluator. The engine answers the same questions restricted to the same domain
(`restrict`), so both directions are compared exactly: 0 disagreements. The engine also answers
unrestricted: a proof then must hold on the domain too, and every witness is re-checked by the
evaluator (the engine does it; the test does it again).

The default run checks SAMPLE policy sets (deterministic seeds); `pytest -m soundness` runs FULL.
"""

from __future__ import annotations

import functools
import itertools
import os
import random

import pytest

z3 = pytest.importorskip("z3")
# ruff: noqa: E402 - the imports below need z3

from seslint.evaluate.engine import Policies, decide
from seslint.evaluate.matching import Request
from seslint.prove.api import COUNTEREXAMPLE, PROVEN, UNKNOWN, diff, prove
from seslint.prove.decision import build_inputs
from seslint.prove.sends import ALTERNATIVE_ROLES, VARIANTS
from seslint.prove.witness import decisions
from seslint.sendmodel import Send, plan

SAMPLE = int(os.environ.get("SESLINT_SOUNDNESS_SAMPLE", "60"))
FULL = 5000
ACCOUNT = "111122223333"
PRINCIPAL = f"arn:aws:iam::{ACCOUNT}:user/a"
ARN = f"arn:aws:ses:us-east-1:{ACCOUNT}"
FROMS = ("a@example.com", "b@example.com", "A@other.org")
RECIPIENTS = ("a@example.com", "s@simulator.amazonses.com", "z@other.org")
LISTS = tuple(list(c) for n in (1, 2) for c in itertools.combinations(RECIPIENTS, n))
FREE_KEY = "aws:SourceVpc"
FREE = (None, "vpc-1", "vpc-2")
CS, TEMPLATE = "cs1", "t1"
ACTIONS = ("ses:SendEmail", "ses:SendRawEmail", "ses:Send*", "ses:SendTemplatedEmail", "ses:SendBulk*", "ses:*")
RESOURCES = ("*", f"{ARN}:identity/example.com", f"{ARN}:identity/*@example.com", f"{ARN}:identity/a@example.com",
             f"{ARN}:identity/${{aws:username}}@example.com", f"{ARN}:identity/other.org", f"{ARN}:configuration-set/*",
             f"{ARN}:template/t?", "arn:aws:ses:*:*:identity/*")
PATTERNS = ("*@example.com", "*@simulator.amazonses.com", "a@*", "*", "z@other.org", "?@example.com",
            "${aws:username}@example.com")
OPERATORS = ("StringLike", "StringNotLike", "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
             "StringNotEqualsIgnoreCase", "StringLikeIfExists")


def random_statement(rng: random.Random, effect=None) -> dict:
    st = {"Effect": effect or rng.choice(("Allow", "Allow", "Deny"))}
    actions = rng.sample(ACTIONS, rng.randint(1, 2))
    st["NotAction" if rng.random() < 0.1 else "Action"] = actions
    resources = rng.sample(RESOURCES, rng.randint(1, 2))
    st["NotResource" if rng.random() < 0.1 else "Resource"] = resources
    conditions: dict = {}
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        kind = rng.random()
        if kind < 0.45:
            op = rng.choice(("ForAllValues:", "ForAnyValue:")) + rng.choice(OPERATORS[:4])
            conditions.setdefault(op, {})["ses:Recipients"] = rng.sample(PATTERNS, rng.randint(1, 2))
        elif kind < 0.75:
            op = rng.choice(OPERATORS)
            key = rng.choice(("ses:FromAddress", "ses:FeedbackAddress"))
            values = rng.sample(FROMS + PATTERNS, rng.randint(1, 2))
            if "IgnoreCase" in op or "Equals" in op:
                values = [v for v in values if "$" not in v] or ["a@example.com"]
            conditions.setdefault(op, {})[key] = values
        elif kind < 0.85:
            conditions.setdefault(rng.choice(("StringEquals", "StringNotEquals")), {})["ses:ApiVersion"] = \
                rng.choice(("1", "2", ["1", "2"]))
        elif kind < 0.92:
            conditions.setdefault("Null", {})[rng.choice(("ses:Recipients", "ses:FromAddress", FREE_KEY))] = \
                rng.choice(("true", "false"))
        else:
            conditions.setdefault(rng.choice(("StringEquals", "StringNotEquals", "StringLike")), {})[FREE_KEY] = \
                rng.sample(("vpc-1", "vpc-*", "vpc-2"), rng.randint(1, 2))
    if conditions:
        st["Condition"] = conditions
    return st


def random_policy(rng: random.Random) -> dict:
    return {"Version": "2012-10-17", "Statement": [random_statement(rng) for _ in range(rng.randint(1, 3))]}


def random_inputs(rng: random.Random):
    identity = [random_policy(rng)]
    boundary = random_policy(rng) if rng.random() < 0.2 else None
    scps = [("root", [random_policy(rng)])] if rng.random() < 0.15 else None
    return dict(identity_policies=identity, permission_boundary=boundary, scps=scps)


def build(spec):
    return build_inputs(spec["identity_policies"], account=ACCOUNT, principal_arn=PRINCIPAL,
                        permission_boundary=spec["permission_boundary"], scps=spec["scps"])


def restrict(send) -> list:
    """The engine's sends, cut down to the enumerated domain."""
    def one_of(var, values):   # memberships, not equalities: the solver's fast path (prove.solve)
        return z3.InRe(var, z3.Union(*[z3.Re(z3.StringVal(v)) for v in values]) if len(values) > 1
                       else z3.Re(z3.StringVal(values[0])))

    out = [one_of(send.address, FROMS), one_of(send.display, [""]), send.recipients.length <= 2,
           one_of(send.cs, [CS]), one_of(send.template, [TEMPLATE])]
    # A list with a repeated address decides as the list without the repeat, which LISTS has.
    out += [one_of(r.var, RECIPIENTS) for r in send.recipients.items]
    for key, val in send.free.items():
        if key == FREE_KEY.lower():
            out.append(z3.Implies(val.present, one_of(val.value.var, [v for v in FREE if v])))
    return out


def sends():
    """Every send over the domain, in each reading of the keys whose presence the sources dispute
    (reading 1: present; `sendmodel.PlannedRequest.uncertain`), as the engine takes both."""
    for (api, content), with_cs, sender, to, free, reading in itertools.product(
            VARIANTS, (False, True), FROMS, LISTS, FREE, (0, 1)):
        if reading == 0 or any(r.uncertain for r in _plan(api, content, with_cs, sender, tuple(to)).requests):
            yield api, content, with_cs, sender, to, free, reading


@functools.cache
def _plan(api, content, with_cs, sender, to: tuple):
    return plan(Send(sender=sender, to=tuple(to), api=api, content=content,
                     configuration_set=CS if with_cs else None,
                     template=TEMPLATE if content in ("template", "bulk") else None, account=ACCOUNT))


def requests_of(api, content, with_cs, sender, to, free, reading):
    planned = _plan(api, content, with_cs, sender, tuple(to))
    extra = {k: v for r in planned.requests for k, v in r.uncertain.items()} if reading else {}
    out = []
    for r in planned.requests:
        action, arn, role = r.action, r.resource, r.role
        context = {**r.context, **{k: v for k, v in extra.items() if k in r.uncertain}}
        if free:
            context[FREE_KEY] = free
        out.append((action, arn, role, context))
    return out


def evaluate(inputs, action, arn, role, context) -> bool:
    policies = Policies(identity=inputs.identity, boundary=inputs.boundary, scps=inputs.scps,
                        resources=inputs.resources_for(arn) if role in ALTERNATIVE_ROLES else [])
    ctx = {k.lower(): v for k, v in context.items()}
    for key, value in inputs.caller.context_defaults().items():
        if value is not None:
            ctx.setdefault(key, value)
    return decide(policies, inputs.caller, Request(action, arn, ctx, {})).allowed


def allowed_sends(inputs) -> list[tuple]:
    out = []
    for send in sends():
        results = [(role, evaluate(inputs, *r)) for r in requests_of(*send) for role in [r[2]]]
        others = all(ok for role, ok in results if role not in ALTERNATIVE_ROLES)
        alts = [all(ok for role, ok in results if role == alt) for alt in ALTERNATIVE_ROLES]
        if others and any(alts):
            out.append(send)
    return out


PROPERTIES = (("no-send", dict(no_send=True), lambda s: True),
              ("recipients", dict(recipients_within=["*@simulator.amazonses.com", "a@example.com"]),
               lambda s: any(r not in ("s@simulator.amazonses.com", "a@example.com") for r in s[4])),
              ("senders", dict(senders_within=["a@example.com"]), lambda s: s[3] != "a@example.com"))


def check_one(seed: int) -> list[str]:
    """Disagreements for one random policy set (an empty list when prove and diff agree)."""
    rng = random.Random(seed)
    spec = random_inputs(rng)
    inputs = build(spec)
    allowed = allowed_sends(inputs)
    problems = []
    for name, kwargs, breaks in PROPERTIES:
        expected = any(breaks(s) for s in allowed)
        exact = prove(inputs, restrict=restrict, **kwargs)
        free = UNKNOWN and exact.free_keys
        got = exact.verdict == COUNTEREXAMPLE or bool(exact.verdict == UNKNOWN and exact.witness and free)
        if exact.verdict == UNKNOWN and not (exact.witness and free):
            problems.append(f"seed {seed} {name}: unknown ({exact.reason})")
        elif got != expected:
            problems.append(f"seed {seed} {name}: engine {exact.verdict}, enumeration {expected} {spec}")
        if exact.witness is not None and not all(r.allowed for r in _chosen(inputs, exact.witness)):
            problems.append(f"seed {seed} {name}: witness not allowed by the evaluator")
        if seed % 4:
            continue
        open_ = prove(inputs, **kwargs)
        if open_.verdict == PROVEN and expected:
            problems.append(f"seed {seed} {name}: unrestricted proof, but enumeration finds a send")
        if open_.witness is not None and not all(r.allowed for r in _chosen(inputs, open_.witness)):
            problems.append(f"seed {seed} {name}: unrestricted witness not allowed by the evaluator")
    if seed % 4 == 1:
        problems += check_diff(seed, rng, spec, inputs)
    return problems


def _chosen(inputs, witness):
    results = decisions(inputs, witness)
    return [res for res, r in zip(results, witness.requests, strict=False)
            if r["role"] not in ALTERNATIVE_ROLES or r["role"] == witness.identity]


def check_diff(seed, rng, spec, old) -> list[str]:
    new_spec = dict(spec, identity_policies=[random_policy(rng)])
    new = build(new_spec)
    got = diff(old, new, restrict=restrict)
    problems = [f"seed {seed} diff unknown: {c.reason}" for c in got["unknown"] if "free" not in c.reason]
    kinds = {"gained": set(), "lost": set()}
    for send in sends():
        for action, arn, role, context in requests_of(*send):
            a, b = evaluate(old, action, arn, role, context), evaluate(new, action, arn, role, context)
            kind = (action, "identity" if role in ALTERNATIVE_ROLES else role)
            if b and not a:
                kinds["gained"].add(kind)
            if a and not b:
                kinds["lost"].add(kind)
    for side in ("gained", "lost"):
        engine = {(c.action, c.role) for c in got[side]} | {(c.action, c.role) for c in got["unknown"]
                                                            if "free" in c.reason}
        reported = {(c.action, c.role) for c in got[side]}
        if not reported <= kinds[side] or not kinds[side] <= engine:
            problems.append(f"seed {seed} diff {side}: engine {sorted(reported)}, enumeration {sorted(kinds[side])}")
    return problems


@pytest.mark.parametrize("batch", range(max(1, SAMPLE // 20)))
def test_prove_and_diff_agree_with_enumeration(batch):
    problems = []
    for seed in range(batch * 20, batch * 20 + 20):
        problems += check_one(seed)
    assert problems == []


@pytest.mark.soundness
def test_full_soundness_run():
    problems = []
    for seed in range(FULL):
        problems += check_one(seed)
    assert problems == [], f"{len(problems)} disagreements, first: {problems[:5]}"


if __name__ == "__main__":   # python -m tests.prove.test_soundness START STOP: one slice of the full run
    import sys

    start, stop = int(sys.argv[1]), int(sys.argv[2])
    found = 0
    for seed in range(start, stop):
        for problem in check_one(seed):
            found += 1
            print(problem, flush=True)
    print(f"seeds {start}..{stop - 1}: {stop - start} policy sets, {found} disagreements", flush=True)
