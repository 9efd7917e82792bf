"""prove and diff against brute-force enumeration through the send model and the evaluator.

Random policy sets over small finite domains: identity policies, sending-authorization (resource) policies
with Principal and NotPrincipal, permissions boundaries, session policies, SCP levels of several policies,
for same-account users, role sessions and callers from another account. For each policy set the test
enumerates every send over the domain, through the send model can-send uses (`seslint.sendmodel.plan`):
each API and content (bounces and verification emails included), with and without a configuration set,
each From (upper-case domains and subdomains included), feedback address, display name (non-ASCII
included), recipient list, value of the free key, reading of a disputed key and of a disputed operation
mapping, and each identity SES may check (the address, its domain, a parent domain). The evaluator decides
each request. The engine answers the same questions restricted to the same domain (`restrict`), so both
directions are compared exactly: 0 disagreements. The engine also answers unrestricted: a proof then must
hold on the domain too, and every witness is re-checked by the evaluator (the engine does it; the test does
it again).

The default run checks SAMPLE policy sets (deterministic seeds); `pytest -m soundness` runs FULL;
`python -m tests.prove.test_soundness START STOP` runs one slice.
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
from seslint.prove.witness import alternative, decisions
from seslint.sendmodel import Send, plan

SAMPLE = int(os.environ.get("SESLINT_SOUNDNESS_SAMPLE", "40"))
FULL = 5000
ACCOUNT = "111122223333"
OTHER = "444455556666"
CALLERS = (f"arn:aws:iam::{ACCOUNT}:user/a", f"arn:aws:sts::{ACCOUNT}:assumed-role/sender/s",
           f"arn:aws:iam::{OTHER}:role/delegate")
ARN = f"arn:aws:ses:us-east-1:{ACCOUNT}"
FROMS = ("a@example.com", "B@Example.COM", "c@mail.example.com", "z@other.org")
FEEDBACKS = ("fb@example.com",)
DISPLAYS = ("Müller",)
RECIPIENTS = ("a@example.com", "s@simulator.amazonses.com", "z@other.org")
# every list restrict() admits (up to two of RECIPIENTS; order and repeats change no decision)
LISTS = tuple(c for n in (1, 2) for c in itertools.combinations(RECIPIENTS, n))
FREE_KEY = "aws:SourceVpc"
FREE = ("vpc-1",)
CS, TEMPLATE = "cs1", "t1"
ACTIONS = ("ses:SendEmail", "ses:SendRawEmail", "ses:Send*", "ses:SendTemplatedEmail", "ses:SendBulk*", "ses:*",
           "ses:SendBounce", "ses:SendCustomVerificationEmail")
RESOURCES = ("*", f"{ARN}:identity/example.com", f"{ARN}:identity/*@example.com", f"{ARN}:identity/a@example.com",
             f"{ARN}:identity/${{aws:username}}@example.com", f"{ARN}:identity/other.org", f"{ARN}:configuration-set/*",
             f"{ARN}:template/t?", "arn:aws:ses:*:*:identity/*", f"{ARN}:identity/mail.example.com",
             f"{ARN}:identity/B@Example.COM", f"{ARN}:custom-verification-email-template/*", "arn:aws:ses:*")
PATTERNS = ("*@example.com", "*@simulator.amazonses.com", "a@*", "*", "z@other.org", "?@example.com",
            "${aws:username}@example.com", "*@*.example.com", "*@EXAMPLE.COM")
OPERATORS = ("StringLike", "StringNotLike", "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
             "StringNotEqualsIgnoreCase", "StringLikeIfExists")
PRINCIPALS = ({"AWS": "*"}, {"AWS": ACCOUNT}, {"AWS": OTHER}, {"AWS": f"arn:aws:iam::{OTHER}:role/delegate"},
              {"AWS": [f"arn:aws:iam::{OTHER}:role/delegate", f"arn:aws:iam::{OTHER}:root"]},
              {"AWS": f"arn:aws:iam::{ACCOUNT}:user/a"}, {"AWS": f"arn:aws:iam::{ACCOUNT}:role/sender"})


def random_statement(rng: random.Random, effect=None, principal=False) -> dict:
    st = {"Effect": effect or rng.choice(("Allow", "Allow", "Deny"))}
    if principal:
        st["NotPrincipal" if rng.random() < 0.25 else "Principal"] = rng.choice(PRINCIPALS)
    actions = rng.sample(ACTIONS, rng.randint(1, 2))
    st["NotAction" if rng.random() < 0.1 else "Action"] = actions
    resources = rng.sample(RESOURCES, rng.randint(1, 2))
    st["NotResource" if rng.random() < 0.1 else "Resource"] = resources
    conditions: dict = {}
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        kind = rng.random()
        if kind < 0.35:
            op = rng.choice(("ForAllValues:", "ForAnyValue:")) + rng.choice(OPERATORS[:4])
            conditions.setdefault(op, {})["ses:Recipients"] = rng.sample(PATTERNS, rng.randint(1, 2))
        elif kind < 0.65:
            op = rng.choice(OPERATORS)
            key = rng.choice(("ses:FromAddress", "ses:FromAddress", "ses:FeedbackAddress"))
            values = rng.sample(FROMS + FEEDBACKS + PATTERNS, rng.randint(1, 2))
            if "IgnoreCase" in op or "Equals" in op:
                values = [v for v in values if "$" not in v] or ["a@example.com"]
            conditions.setdefault(op, {})[key] = values
        elif kind < 0.72:
            op = rng.choice(("StringEquals", "StringNotEquals", "StringLike"))
            conditions.setdefault(op, {})["ses:FromDisplayName"] = rng.choice(("Müller", "M*", "", "*"))
        elif kind < 0.8:
            conditions.setdefault(rng.choice(("StringEquals", "StringNotEquals")), {})["ses:ApiVersion"] = \
                rng.choice(("1", "2", ["1", "2"]))
        elif kind < 0.88:
            conditions.setdefault("Null", {})[rng.choice(("ses:Recipients", "ses:FromAddress", FREE_KEY))] = \
                rng.choice(("true", "false"))
        else:
            conditions.setdefault(rng.choice(("StringEquals", "StringNotEquals", "StringLike")), {})[FREE_KEY] = \
                rng.sample(("vpc-1", "vpc-*", "vpc-2"), rng.randint(1, 2))
    if conditions:
        st["Condition"] = conditions
    return st


def random_policy(rng: random.Random, principal=False) -> dict:
    return {"Version": "2012-10-17",
            "Statement": [random_statement(rng, principal=principal) for _ in range(rng.randint(1, 3))]}


def random_inputs(rng: random.Random) -> dict:
    caller = rng.choice(CALLERS)
    spec = dict(principal=caller, identity_policies=[random_policy(rng)],
                permission_boundary=random_policy(rng) if rng.random() < 0.2 else None,
                session_policies=[random_policy(rng)] if "assumed-role" in caller and rng.random() < 0.4 else [],
                resource_policies=[random_policy(rng, principal=True)]
                if rng.random() < (0.8 if OTHER in caller else 0.3) else [],
                scps=None)
    if rng.random() < 0.2:
        spec["scps"] = [(level, [random_policy(rng) for _ in range(rng.randint(1, 2))])
                        for level in ("root", "ou")[:rng.randint(1, 2)]]
    return spec


def build(spec):
    return build_inputs(spec["identity_policies"], account=ACCOUNT, principal_arn=spec["principal"],
                        permission_boundary=spec["permission_boundary"], session_policies=spec["session_policies"],
                        scps=spec["scps"],
                        resource_policies={None: spec["resource_policies"]} if spec["resource_policies"] else None)


class Domain:
    """The values a policy set's sends range over: a dimension the policies never compare stays at one value
    (one feedback address, no display name, no free key), so enumeration stays small and both sides still
    range over exactly the same sends."""

    def __init__(self, spec):
        text = repr(spec)
        self.feedbacks = (*FROMS, *FEEDBACKS) if "ses:FeedbackAddress" in text else FEEDBACKS
        self.displays = ("", *DISPLAYS) if "ses:FromDisplayName" in text else ("",)
        self.free = (None, *FREE) if FREE_KEY in text else (None,)

    def sends(self):
        for (api, content), with_cs, sender, feedback, display, to, free in itertools.product(
                VARIANTS, (False, True), FROMS, self.feedbacks, self.displays, LISTS, self.free):
            yield api, content, with_cs, sender, feedback, display, to, free

    def restrict(self, send) -> list:
        """The engine's sends, cut down to the domain (memberships: the solver's fast path, prove.solve)."""
        def one_of(var, values):
            return z3.InRe(var, z3.Union(*[z3.Re(z3.StringVal(v)) for v in values]) if len(values) > 1
                           else z3.Re(z3.StringVal(values[0])))

        out = [one_of(send.address, FROMS), one_of(send.display, list(self.displays)), send.recipients.length <= 2,
               one_of(send.cs, [CS]), one_of(send.template, [TEMPLATE]), one_of(send.feedback, list(self.feedbacks))]
        # A list with a repeated address decides as the list without the repeat, which LISTS has.
        out += [one_of(r.var, RECIPIENTS) for r in send.recipients.items]
        for key, val in send.free.items():
            if key == FREE_KEY.lower():
                out.append(z3.Implies(val.present, one_of(val.value.var, list(FREE))) if self.free != (None,)
                           else z3.Not(val.present))
        return out


@functools.cache
def _plan(api, content, with_cs, sender, feedback, display, to: tuple):
    return plan(Send(sender=f'"{display}" <{sender}>' if display else sender, to=to, api=api, content=content,
                     configuration_set=CS if with_cs else None, feedback_address=feedback,
                     template=TEMPLATE if content in ("template", "bulk", "verification") else None, account=ACCOUNT))


def worlds(planned):
    """(reading of the disputed keys: 0 absent, 1 present; reading of a disputed mapping) of one send."""
    keys = (0, 1) if any(r.uncertain for r in planned.requests) else (0,)
    return list(itertools.product(keys, planned.readings or (None,)))


def requests_of(planned, world, free):
    keys, reading = world
    extra = {k: v for r in planned.requests for k, v in r.uncertain.items()} if keys else {}
    out = []
    for r in planned.made_in(reading):
        context = {**r.context, **{k: v for k, v in extra.items() if k in r.uncertain}}
        if free:
            context[FREE_KEY] = free
        out.append((r, context))
    return out


class Oracle:
    """The evaluator's decision on one request of one policy set. A context key that the policy set
    never names (in a condition or a policy variable) cannot change a decision, so requests that differ
    only there are decided once (exact; it cuts the enumeration's time about fourfold)."""

    def __init__(self, inputs, spec):
        self.inputs, self.named, self.memo = inputs, repr(spec).lower(), {}

    def __call__(self, action, arn, on_identity, context) -> bool:
        inputs = self.inputs
        ctx = {k.lower(): v for k, v in context.items()}
        for key, value in inputs.caller.context_defaults().items():
            if value is not None:
                ctx.setdefault(key, value)
        ctx = {k: v for k, v in ctx.items() if k in self.named}
        key = (action, arn, on_identity, tuple(sorted((k, tuple(v) if isinstance(v, list) else v)
                                                      for k, v in ctx.items())))
        found = self.memo.get(key)
        if found is None:
            policies = Policies(identity=inputs.identity, boundary=inputs.boundary, session=inputs.session,
                                scps=inputs.scps, resources=inputs.resources_for(arn) if on_identity else [])
            found = self.memo[key] = decide(policies, inputs.caller, Request(action, arn, ctx, {})).allowed
        return found


def allowed_sends(evaluate, domain) -> list[tuple]:
    """Every send of the domain that goes through in some world, for one of the identities SES may check."""
    out = []
    for send in domain.sends():
        api, content, with_cs, sender, feedback, display, to, free = send
        planned = _plan(api, content, with_cs, sender, feedback, display, to)
        for world in worlds(planned):
            results = [(r.alternative, evaluate(r.action, r.resource, r.alternative is not None, ctx))
                       for r, ctx in requests_of(planned, world, free)]
            others = all(ok for alt, ok in results if alt is None)
            alts = [all(ok for a, ok in results if a == alt) for _, group in planned.groups for alt in group]
            if others and (any(alts) or not planned.groups):
                out.append(send)
                break
    return out


def _mails_recipients(send) -> bool:
    return send[1] != "bounce"   # a bounce carries no recipient key: outside a recipient property


PROPERTIES = (("no-send", dict(no_send=True), lambda s: True),
              ("recipients", dict(recipients_within=["*@simulator.amazonses.com", "a@example.com"]),
               lambda s: _mails_recipients(s) and any(r not in ("s@simulator.amazonses.com", "a@example.com")
                                                      for r in s[6])),
              ("senders", dict(senders_within=["a@example.com"]), lambda s: s[3].lower() != "a@example.com"))


def check_one(seed: int) -> list[str]:
    """Disagreements for one random policy set (an empty list when prove and diff agree)."""
    rng = random.Random(seed)
    spec = random_inputs(rng)
    inputs = build(spec)
    domain = Domain(spec)
    allowed = allowed_sends(Oracle(inputs, spec), domain)
    problems = []
    for name, kwargs, breaks in PROPERTIES:
        expected = any(breaks(s) for s in allowed)
        exact = prove(inputs, restrict=domain.restrict, **kwargs)
        free = exact.free_keys
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
        problems += check_diff(seed, rng, spec, inputs, domain)
    return problems


def _chosen(inputs, witness):
    results = decisions(inputs, witness)
    return [res for res, r in zip(results, witness.requests, strict=True)
            if r["role"] not in ALTERNATIVE_ROLES or alternative(r) == witness.identity]


def check_diff(seed, rng, spec, old, domain) -> list[str]:
    new_spec = dict(spec, identity_policies=[random_policy(rng)])
    new = build(new_spec)
    both = Domain({"old": spec, "new": new_spec})
    got = diff(old, new, restrict=both.restrict)
    old_says, new_says = Oracle(old, spec), Oracle(new, new_spec)
    problems = [f"seed {seed} diff unknown: {c.reason}" for c in got["unknown"] if "free" not in c.reason]
    kinds = {"gained": set(), "lost": set()}
    for send in both.sends():
        api, content, with_cs, sender, feedback, display, to, free = send
        planned = _plan(api, content, with_cs, sender, feedback, display, to)
        for world in worlds(planned):
            for r, context in requests_of(planned, world, free):
                on_identity = r.alternative is not None
                a = old_says(r.action, r.resource, on_identity, context)
                b = new_says(r.action, r.resource, on_identity, context)
                kind = (r.action, "identity" if on_identity else r.role)
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


@pytest.mark.parametrize("batch", range(max(1, SAMPLE // 10)))
def test_prove_and_diff_agree_with_enumeration(batch):
    problems = []
    for seed in range(batch * 10, batch * 10 + 10):
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
        if (seed - start + 1) % 25 == 0:
            print(f"... {seed - start + 1} policy sets, {found} disagreements", flush=True)
    print(f"seeds {start}..{stop - 1}: {stop - start} policy sets, {found} disagreements", flush=True)
