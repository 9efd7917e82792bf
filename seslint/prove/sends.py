"""A symbolic send: every send SES could be asked to make, as IAM requests.

Which requests one send makes comes from the send model, `seslint.sendmodel.plan`, called once per
kind of send (API, content, with or without a configuration set; each reading of what the sources
dispute) with placeholder values; the placeholders are then replaced by symbolic ones. The coupling is
that one call: whatever requests, ARNs and keys the send model derives, the proofs use.

The symbolic send ranges over what SES accepts and can-send reads (`seslint.sendmodel.parse_address`):
- a From address `local@domain` in 7-bit ASCII (SES takes no other), any case: the local part of RFC
  5322 atext and dots, the domain of labels (letters, digits, `_`, inner `-`) joined by dots. SES checks
  the address identity (case kept), its domain or a verified parent domain of two labels at least, both
  lower-cased ("Creating and verifying identities in Amazon SES"): the domain identity is matched as the
  lower-cased domain, the parent as any such suffix of it (`View.lowered`, `View.parent`);
- a feedback (Return-Path) address of the same shape, independent of the From;
- a display name over Unicode (every character but the control characters and surrogates);
- recipients of the address shape (a bounded list, see `recipient_bound`);
- a configuration set name or none, a template name: names follow the SES limits (letters, digits, `_`,
  `-`, up to 64 characters: SES API Reference, CreateConfigurationSet and CreateTemplate).
Region and account are fixed per question. Deliberate bounds, said in the README: a local part holds no
quoted string (no `@` inside), and a display name no control character.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from typing import NamedTuple

import z3

from seslint.core.arn import resource_account as arn_account
from seslint.core.operators import MISSING
from seslint.prove.conditions import Val, concrete, decimals, free_kind, make_free
from seslint.prove.decision import Inputs, SymRequest
from seslint.prove.strings import MULTIVALUED, NO_VALUE, Unknown, View
from seslint.sendmodel import SEND_KINDS

VARIANTS = SEND_KINDS
_PARENT = "seslint-prove.invalid"
_DOMAIN = f"seslint-prove-sub.{_PARENT}"
FROM = f"seslint-prove-from@{_DOMAIN}"
FEEDBACK = "seslint-prove-feedback@seslint-prove-feedback.invalid"
DISPLAY = "Seslint Prove Display"
TO = "seslint-prove-to@seslint-prove-rcpt.invalid"
CS = "seslint-prove-configuration-set"
TPL = "seslint-prove-template"
_HOLES = re.compile("|".join(re.escape(p) for p in (FROM, FEEDBACK, CS, TPL, _DOMAIN, _PARENT)))
MAX_RECIPIENTS = 50   # SES: "The message may not include more than 50 recipients" (SendEmail)
PARENT_ROLE = "parent domain identity"
ALTERNATIVE_ROLES = ("address identity", "domain identity", PARENT_ROLE)


class Kind(NamedTuple):
    """One kind of send: its API and content, whether a configuration set applies, the operation, its
    requests ((action, arn, role, context), ...) and the reading of a disputed mapping it stands for."""

    api: str
    content: str
    with_cs: bool
    operation: str
    requests: tuple
    reading: str | None = None

    @property
    def carries_recipients(self) -> bool:
        """Whether its requests carry ses:Recipients (a bounce has none: it goes to a received message's sender)."""
        return any(k.lower() == "ses:recipients" for r in self.requests for k in r[3])


@lru_cache(maxsize=64)
def plans(region: str, account: str, at=None) -> tuple[Kind, ...]:
    """Every kind of send. The placeholder From's domain has a parent of two labels, so the send model
    gives three identity alternatives: the address, its domain and the parent. A key whose presence the
    sources dispute (`uncertain`, e.g. ses:ApiVersion on v1) gives a second kind with it present, and each
    reading of a disputed operation mapping a kind of its own, so a proof holds under every reading.
    `at` (a datetime) fixes the time of every send; None leaves it free."""
    from seslint.sendmodel import Send, plan

    out = []
    contexts: dict = {}   # equal contexts are one object: a Send encodes each once (`Send.context`)
    for api, content in VARIANTS:
        for with_cs in (False, True):
            planned = plan(Send(sender=f"{DISPLAY} <{FROM}>", to=(TO,), api=api, content=content,
                                configuration_set=CS if with_cs else None,
                                template=TPL if content in ("template", "bulk", "verification") else None,
                                region=region, account=account, feedback_address=FEEDBACK, at=at))
            if with_cs and not any(":configuration-set/" in r.resource for r in planned.requests):
                continue   # no request of this operation names the configuration set
            key_readings: list[dict] = [{}]
            if any(r.uncertain for r in planned.requests):
                key_readings.append({k: v for r in planned.requests for k, v in r.uncertain.items()})
            for reading in planned.readings or (None,):
                for extra in key_readings:
                    requests = tuple((r.action, r.resource, _role(r), _interned(contexts, {
                        **r.context, **{k: v for k, v in extra.items() if k in r.uncertain}}))
                        for r in planned.made_in(reading))
                    out.append(Kind(api, content, with_cs, planned.operation, requests, reading))
    return tuple(out)


def _interned(contexts: dict, context: dict) -> dict:
    return contexts.setdefault(repr(sorted(context.items())), context)


def _role(r) -> str:
    if r.alternative is not None and r.alternative.identity == _PARENT:
        return PARENT_ROLE
    return r.role


@lru_cache(maxsize=64)
def send_keys(region: str, account: str, at=None) -> frozenset:
    return frozenset(k.lower() for kind in plans(region, account, at) for r in kind.requests for k in r[3])


def _chars(chars: str):
    """A z3 regex for one of `chars`."""
    codes = sorted({ord(c) for c in chars})
    ranges, start = [], codes[0]
    for a, b in zip(codes, [*codes[1:], -1], strict=True):
        if b != a + 1:
            ranges.append(z3.Range(chr(start), chr(a)) if a > start else z3.Re(chr(a)))
            start = b
    return z3.Union(*ranges) if len(ranges) > 1 else ranges[0]


_ALNUM = string.ascii_letters + string.digits
# RFC 5322 atext and the dots of a dot-atom; a label of letters, digits and `_` (as can-send reads
# domains), with `-` inside.
_LOCAL = z3.Plus(_chars(_ALNUM + "!#$%&'*+/=?^_`{|}~-."))
_LABEL_END = _chars(_ALNUM + "_")
_LABEL = z3.Concat(_LABEL_END, z3.Option(z3.Concat(z3.Star(_chars(_ALNUM + "_-")), _LABEL_END)))
ADDRESS = z3.Concat(_LOCAL, z3.Re("@"), _LABEL, z3.Star(z3.Concat(z3.Re("."), _LABEL)))
# An address whose domain has three labels or more.
WITH_PARENT = z3.Concat(_LOCAL, z3.Re("@"), _LABEL, z3.Re("."), _LABEL, z3.Plus(z3.Concat(z3.Re("."), _LABEL)))
NAMES = z3.Loop(_chars(_ALNUM + "_-"), 1, 64)   # configuration set and template names
# Every character but the C0 and C1 controls, DEL and the surrogates.
DISPLAY_NAMES = z3.Star(z3.Union(z3.Range(" ", "~"), z3.Range(chr(0xA0), chr(0xD7FF)),
                                z3.Range(chr(0xE000), chr(0x2FFFF))))


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
        self.feedback = z3.String(f"{prefix}feedback")
        self.display = z3.String(f"{prefix}display")
        self.recipients = Val("list", True, items=tuple(View(z3.String(f"{prefix}to[{i}]")) for i in range(n_recipients)),
                              length=z3.Int(f"{prefix}to#"))
        self.cs, self.has_cs, self.template = z3.String(f"{prefix}cs"), z3.Bool(f"{prefix}cs?"), z3.String(f"{prefix}tpl")
        self.constraints = [
            z3.InRe(self.address, ADDRESS), z3.InRe(self.feedback, ADDRESS), z3.InRe(self.display, DISPLAY_NAMES),
            z3.InRe(self.cs, NAMES), z3.InRe(self.template, NAMES),
            self.recipients.length >= 1, self.recipients.length <= n_recipients]
        self.constraints += [z3.InRe(r.var, ADDRESS) for r in self.recipients.items]
        # z3 Bool: the From's domain has a parent of two labels at least (three labels or more)
        self.has_parent = z3.InRe(self.address, WITH_PARENT)
        self.mails_recipients: object = True   # set by prove.api.Session: the send's kind carries ses:Recipients
        self.free: dict[str, Val] = {}
        self.contexts: dict = {}     # (api, id(context)) -> (context, Ctx), so statements are encoded once per context
        self.holes: dict = {}        # text -> `hole(text)`
        self.applies: dict = {}      # (statement, ARN prefix, resource view, Ctx) -> z3 Bool
        self.resources: dict = {}    # (Resource entry, ARN prefix, resource view) -> z3 Bool
        self.conditions: dict = {}   # (condition, symbolic value) -> z3 Bool
        self.values: dict = {}       # placeholder text -> its symbolic Val
        self.uses = uses if uses is not None else _usage(inputs)
        self.used = sorted(self.uses)
        keys = send_keys(inputs.region, inputs.account, inputs.when)
        self.send_keys = keys
        self.caller = {k: v for k, v in inputs.caller.context_defaults().items() if v is not None}
        self.names = key_names(inputs)

    def hole(self, text: str) -> View:
        """A string from the send model with its placeholder replaced by a symbolic value (one View per text)."""
        found = self.holes.get(text)
        if found is None:
            found = self.holes[text] = self._hole(text)
        return found

    def _hole(self, text: str) -> View:
        m = _HOLES.search(text)
        if m is None or m.end() != len(text):
            raise Unknown(f"the send model gives '{text}', which the proofs cannot relate to a send's values")
        hole = m.group(0)
        var = {FROM: self.address, FEEDBACK: self.feedback, CS: self.cs, TPL: self.template, _DOMAIN: self.address,
               _PARENT: self.address}[hole]
        domain = hole in (_DOMAIN, _PARENT)
        return View(var, text[:m.start()], domain, lowered=domain, parent=hole == _PARENT)

    def context(self, api: str, context: dict) -> Ctx:
        """The Ctx of a send model's request context, one per context object (`plans` gives equal contexts
        as one object); the context is held, so its id stays its own."""
        found = self.contexts.get((api, id(context)))
        if found is None:
            found = self.contexts[(api, id(context))] = (context, self._context(api, context))
        return found[1]

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
            elif isinstance(value, str) and (value in (DISPLAY, FEEDBACK) or _HOLES.search(value)):
                fixed[key.lower()] = self.symbolic(value)
            else:
                fixed[key.lower()] = concrete(value)
        return Ctx(fixed, self, self.signature(fixed))

    def symbolic(self, text: str) -> Val:
        """The value of a key the send model gives as a placeholder: one object per placeholder, shared
        by every context (so conditions on it are encoded once, see `prove.decision`)."""
        found = self.values.get(text)
        if found is None:
            view = View(self.display) if text == DISPLAY else View(self.feedback) if text == FEEDBACK \
                else self.hole(text)
            found = self.values[text] = Val("str", True, view)
        return found

    def signature(self, fixed: dict) -> tuple:
        """What of a context's `fixed` values a decision can read: the values of the keys the policies'
        conditions and policy variables name (`uses`), concrete ones by value. Contexts alike in it are
        decided alike."""
        out = []
        for key in self.used:
            val = fixed.get(key)
            out.append(None if val is None else repr(val.value) if val.kind == "concrete" else id(val))
        return tuple(out)

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

    def __init__(self, fixed: dict, send, signature: tuple = ()):
        self.fixed = fixed
        self.send = send
        self.signature = signature   # `Send.signature` of it, from the send that made it

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
        self.resources: dict = {}
        self.conditions: dict = {}

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
