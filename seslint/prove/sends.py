"""A symbolic send: every send SES could be asked to make, as IAM requests.

Which requests one send makes comes from the send model, `seslint.sendmodel.plan`,
called once per kind of send (API, content, with or without a configuration set) with
placeholder values; the placeholders are then replaced by symbolic ones. The coupling is that
one call: whatever requests, ARNs and keys the send model derives, the proofs use.

The symbolic send: a From address `local@domain` (domain in lower case: the send model names the
domain identity in lower case, and the model has no lower-case function), a display name,
recipients (a bounded list, see `recipient_bound`), a configuration set name or none, a template
name. Names follow the SES limits (letters, digits, `_`, `-`, up to 64 characters: SES API
Reference, CreateConfigurationSet and CreateTemplate). Region and account are fixed.
"""

from __future__ import annotations

import re
from functools import lru_cache

import z3

from seslint.core.arn import resource_account as arn_account
from seslint.core.operators import MISSING
from seslint.prove.conditions import Val, concrete, decimals, free_kind, make_free
from seslint.prove.decision import Inputs, SymRequest
from seslint.prove.strings import MULTIVALUED, NO_VALUE, Unknown, View
from seslint.sendmodel import SEND_KINDS

VARIANTS = SEND_KINDS
_DOMAIN = "seslint-prove.invalid"
FROM = f"seslint-prove-from@{_DOMAIN}"
DISPLAY = "Seslint Prove Display"
TO = "seslint-prove-to@seslint-prove-rcpt.invalid"
CS = "seslint-prove-configuration-set"
TPL = "seslint-prove-template"
_HOLES = re.compile("|".join(re.escape(p) for p in (FROM, CS, TPL, _DOMAIN)))
MAX_RECIPIENTS = 50   # SES: "The message may not include more than 50 recipients" (SendEmail)
ALTERNATIVE_ROLES = ("address identity", "domain identity")


@lru_cache(maxsize=64)
def plans(region: str, account: str) -> tuple:
    """((api, content, with_cs, operation, ((action, arn, role, context), ...)), ...).

    The identity alternatives of the placeholder From address are its address and its domain
    (a two-label domain has no parent the send model would add). A key whose presence the
    sources dispute (`uncertain`, e.g. ses:ApiVersion on v1) gives a second plan with it present,
    so a proof holds under either reading."""
    from seslint.sendmodel import Send, plan

    out = []
    for api, content in VARIANTS:
        for with_cs in (False, True):
            planned = plan(Send(sender=f"{DISPLAY} <{FROM}>", to=(TO,), api=api, content=content,
                                configuration_set=CS if with_cs else None,
                                template=TPL if content in ("template", "bulk") else None,
                                region=region, account=account))
            readings: list[dict] = [{}]
            if any(r.uncertain for r in planned.requests):
                readings.append({k: v for r in planned.requests for k, v in r.uncertain.items()})
            for extra in readings:
                requests = tuple((r.action, r.resource, r.role,
                                  {**r.context, **{k: v for k, v in extra.items() if k in r.uncertain}})
                                 for r in planned.requests)
                out.append((api, content, with_cs, planned.operation, requests))
    return tuple(out)


def send_keys(region: str, account: str) -> frozenset:
    return frozenset(k.lower() for *_, reqs in plans(region, account) for r in reqs for k in r[3])


def _chars(excluded: str, low: int = 0x21, high: int = 0x7E):
    """A regex for one printable ASCII character not in `excluded`."""
    ranges, start = [], None
    for code in range(low, high + 2):
        ok = code <= high and chr(code) not in excluded
        if ok and start is None:
            start = code
        elif not ok and start is not None:
            ranges.append(z3.Range(chr(start), chr(code - 1)))
            start = None
    return z3.Union(*ranges) if len(ranges) > 1 else ranges[0]


def recipient_bound(sides: list[Inputs], extra: int) -> int:
    """How many recipients the proofs need. Each ForAllValues/ForAnyValue condition on
    ses:Recipients asks whether some recipient has a property (ForAllValues: some recipient fails
    it). A list that makes the decision come out one way keeps doing so when cut down to one
    witness per property that holds (at least one recipient): the other conditions see a subset
    of the same recipients, and no such property can newly hold. So the number of distinct
    conditions (plus `extra` for the property proven) recipients suffice, never more than SES's 50."""
    conditions = {(cc.cond.set_op, cc.cond.base, cc.cond.values) for inputs in sides for cp in inputs.all_policies()
                  for cs in cp.statements for cc in cs.conditions
                  if cc.key == "ses:recipients" and cc.cond.set_op}
    return min(MAX_RECIPIENTS, max(1, len(conditions) + extra))


class Send:
    """The symbolic values of one send, shared by all its requests, and the free keys."""

    def __init__(self, inputs: Inputs, n_recipients: int, prefix: str = "", uses: dict | None = None):
        self.inputs = inputs
        self.prefix = prefix
        self.address = z3.String(f"{prefix}from")
        self.display = z3.String(f"{prefix}display")
        self.recipients = Val("list", True, items=tuple(View(z3.String(f"{prefix}to[{i}]")) for i in range(n_recipients)),
                              length=z3.Int(f"{prefix}to#"))
        self.cs, self.has_cs, self.template = z3.String(f"{prefix}cs"), z3.Bool(f"{prefix}cs?"), z3.String(f"{prefix}tpl")
        name = z3.Union(z3.Range("a", "z"), z3.Range("A", "Z"), z3.Range("0", "9"), z3.Re("_"), z3.Re("-"))
        box = _chars("@")
        self.constraints = [
            z3.InRe(self.address, z3.Concat(z3.Plus(box), z3.Re("@"), z3.Plus(_chars("@ABCDEFGHIJKLMNOPQRSTUVWXYZ")))),
            z3.InRe(self.display, z3.Star(_chars('"<>', 0x20))),
            z3.InRe(self.cs, z3.Loop(name, 1, 64)), z3.InRe(self.template, z3.Loop(name, 1, 64)),
            self.recipients.length >= 1, self.recipients.length <= n_recipients]
        self.constraints += [z3.InRe(r.var, z3.Concat(z3.Plus(box), z3.Re("@"), z3.Plus(box)))
                             for r in self.recipients.items]
        self.free: dict[str, Val] = {}
        self.contexts: dict = {}     # (api, context) -> Ctx, so statements are encoded once per context
        self.applies: dict = {}      # (statement, ARN prefix, resource view, Ctx) -> z3 Bool
        self.uses = uses if uses is not None else _usage(inputs)
        keys = send_keys(inputs.region, inputs.account)
        self.send_keys = keys
        self.caller = {k: v for k, v in inputs.caller.context_defaults().items() if v is not None}
        self.names = key_names(inputs)

    def hole(self, text: str) -> View:
        """A string from the send model with its placeholder replaced by a symbolic value."""
        m = _HOLES.search(text)
        if m is None or m.end() != len(text):
            raise Unknown(f"the send model gives '{text}', which the proofs cannot relate to a send's values")
        var = {FROM: self.address, CS: self.cs, TPL: self.template, _DOMAIN: self.address}[m.group(0)]
        return View(var, text[:m.start()], m.group(0) == _DOMAIN)

    def context(self, api: str, context: dict) -> Ctx:
        key = (api, repr(sorted(context.items())))
        found = self.contexts.get(key)
        if found is None:
            found = self.contexts[key] = self._context(api, context)
        return found

    def _context(self, api: str, context: dict) -> Ctx:
        fixed: dict = {k.lower(): concrete(v) for k, v in self.caller.items()}
        if self.inputs.caller.kind in ("role", "session", "root", "federated-user", "service"):
            # "AWS global condition context keys", aws:username: only IAM users' requests carry it.
            fixed.setdefault("aws:username", concrete(MISSING))
        for key in self.send_keys:
            fixed[key] = concrete(MISSING)
        if api == "smtp":
            fixed.pop("ses:apiversion", None)   # no source gives its value for SMTP: free
        for key, value in context.items():
            if value == [TO]:
                fixed[key.lower()] = self.recipients
            elif value == DISPLAY:
                fixed[key.lower()] = Val("str", True, View(self.display))
            elif isinstance(value, str) and _HOLES.search(value):
                fixed[key.lower()] = Val("str", True, self.hole(value))
            else:
                fixed[key.lower()] = concrete(value)
        return Ctx(fixed, self)

    def request(self, api: str, action: str, arn: str, role: str, context: dict) -> SymRequest:
        parts = arn.split(":", 5)
        return SymRequest(action, ":".join(parts[:5]) + ":", self.hole(parts[5]), self.context(api, context),
                          role in ALTERNATIVE_ROLES, arn_account(arn))

    def free_key(self, key: str) -> Val:
        found = self.free.get(key)
        if found is None:
            uses = self.uses.get(key, {("String", False, None)})
            kind, bound = free_kind(uses, key)
            scale = 10 ** (max([decimals(d) for _, _, d in uses if d is not None] or [0]) + 1)
            found, constraints = make_free(key, kind, bound, scale, self.prefix + "key:")
            self.constraints += constraints
            self.free[key] = found
        return found


class Ctx:
    """The context of one request: fixed values, else the send's free keys."""

    def __init__(self, fixed: dict, send):
        self.fixed = fixed
        self.send = send

    def get(self, key: str) -> Val:
        found = self.fixed.get(key)
        return found if found is not None else self.send.free_key(key)

    def var(self, key: str):
        """A policy variable's value: str, NO_VALUE, MULTIVALUED or (present, z3 string)."""
        val = self.get(key)
        if val.kind == "concrete":
            if val.value is MISSING or val.value == []:
                return NO_VALUE
            if isinstance(val.value, list):
                return MULTIVALUED
            from seslint.core.variables import scalar_text

            return scalar_text(val.value)
        if val.kind == "list":
            return MULTIVALUED
        if val.kind != "str":
            raise Unknown(f"policy variable on '{key}', which is compared as a {val.kind}")
        return val.present, val.value


def key_names(inputs: Inputs) -> dict:
    """Lower-cased condition key -> the key as a policy writes it."""
    return {cc.key: cc.cond.key for cp in inputs.all_policies() for cs in cp.statements for cc in cs.conditions}


def merged_usage(*sides: Inputs) -> dict:
    out: dict = {}
    for inputs in sides:
        for key, uses in _usage(inputs).items():
            out.setdefault(key, set()).update(uses)
    return out


def _usage(inputs: Inputs) -> dict:
    """key -> {(operator type, has a set operator, a Numeric policy value or None)}."""
    from seslint.core import variables as V

    out: dict = {}
    for cp in inputs.all_policies():
        variables = cp.policy.variables_enabled
        for cs in cp.statements:
            texts = list(cs.stmt.resources or cs.stmt.not_resources or ())
            for cc in cs.conditions:
                numbers = cc.values if cc.op.type == "Numeric" else (None,)
                for d in numbers:
                    out.setdefault(cc.key, set()).add((cc.op.type, cc.cond.set_op is not None, d))
                if cc.op.type in ("String", "ARN"):
                    texts += [V.scalar_text(v) for v in cc.cond.values]
            for text in texts:
                for p in V.parse_template(text, variables, False):
                    if isinstance(p, V.Var):
                        out.setdefault(p.key, set()).add(("String", False, None))
    return out


class _Absent:
    """The `send` of a concrete request: no free keys (a key the request does not give is absent)."""

    def __init__(self):
        self.applies: dict = {}

    def free_key(self, key: str) -> Val:
        return concrete(MISSING)


def concrete_request(action: str, resource: str, context: dict, resource_account: str | None = None) -> SymRequest:
    """A request whose resource and context are all concrete (lower-cased keys), for `decide`: the prover
    then answers exactly what the evaluator answers for it (tests replay the evaluator's cases so)."""
    parts = resource.split(":", 5)
    prefix = ":".join(parts[:5]) + ":" if len(parts) == 6 else ""
    suffix = parts[5] if len(parts) == 6 else resource
    ctx = Ctx({k.lower(): concrete(v) for k, v in context.items()}, _Absent())
    return SymRequest(action, prefix, suffix, ctx, True, arn_account(resource, resource_account))
