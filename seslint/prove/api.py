"""Properties over every possible send, and the difference between two policy sets.

`prove` asks the solver for an allowed send that breaks a property. None: proven. One: a
counterexample, whose every request is re-evaluated by the evaluator before it is reported.
The answer is unknown (with the reason) when the encoding cannot express a policy faithfully,
when a witness sets a free key (a key neither the principal nor the send fixes, such as
`aws:SourceIp`: whether real requests carry such a value is outside the model), or when the
evaluator does not confirm the witness.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import z3

from seslint.prove.decision import Inputs, decide
from seslint.prove.sends import (
    ALTERNATIVE_ROLES,
    Send,
    merged_usage,
    plans,
    recipient_bound,
)
from seslint.prove.solve import Lazy, check
from seslint.prove.strings import TRUE, Unknown, View, all_, any_, glob_re, not_
from seslint.prove.witness import Witness, recheck_request, recheck_send, witness

PROVEN, COUNTEREXAMPLE, UNKNOWN = "proven", "counterexample", "unknown"


@dataclass
class Outcome:
    verdict: str
    reason: str = ""
    witness: Witness | None = None
    free_keys: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        out: dict[str, object] = {"verdict": self.verdict, "reason": self.reason}
        if self.witness is not None:
            out["counterexample"] = self.witness.to_json()
        if self.free_keys:
            out["free_keys"] = self.free_keys
        return out


def clear_caches() -> None:
    """Forget the content caches (regex nodes and derivatives, pattern regexes): a cold start."""
    from seslint.prove import regex

    regex.reset_if_large(0)
    glob_re.cache_clear()


def outside(value, patterns) -> object:
    """z3 Bool: `value` matches none of the IAM-style patterns (case-insensitive, as addresses are)."""
    from seslint.core import variables as V

    if not patterns:
        return TRUE
    union = [glob_re(V.parse_template(p, False, True), True) for p in patterns]
    return not_(value.member(union[0] if len(union) == 1 else z3.Union(*union)))


def prove(inputs: Inputs, *, recipients_within=(), senders_within=(), no_send: bool = False,
          within=None, restrict=None) -> Outcome:
    """Is there an allowed send that breaks a property? `within(send)` may add a custom violation;
    `restrict(send)` constraints on the send (tests use it to compare with enumeration)."""
    try:
        session = Session(inputs, 1 if recipients_within or within else 0, restrict)
        outcome = session.ask(session.violation(recipients_within=recipients_within, senders_within=senders_within,
                                                no_send=no_send, within=within))
        if outcome.verdict == PROVEN and not no_send and session.ask(TRUE).verdict == PROVEN:
            outcome.reason = vacuous(inputs)
        if outcome.verdict == PROVEN and (caveat := parent_caveat(inputs)):
            outcome.reason += "; " + caveat
        return outcome
    except (Unknown, z3.Z3Exception) as exc:
        return Outcome(UNKNOWN, str(exc))


def vacuous(inputs: Inputs) -> str:
    """The reason of a proof that holds because no send at all is allowed, with the regions the
    policies' SES ARNs name (a policy for another region proves anything in this one)."""
    from seslint.core.arn import parse

    named = sorted({arn.region for cp in inputs.all_policies() for cs in cp.statements
                    for text in (cs.stmt.resources or cs.stmt.not_resources or ())
                    for arn in [parse(text)] if arn is not None and arn.service == "ses" and arn.region
                    and not any(c in arn.region for c in "*?$") and arn.region != inputs.region})
    reason = f"no send at all is allowed in {inputs.region} (account {inputs.account}), so the property holds vacuously"
    if named:
        reason += f"; the policies name {', '.join(named)}: try --region {named[0]}"
    return reason


def parent_domains(inputs: Inputs) -> list[str]:
    """The domain identities the policies name (in an Allow's Resource, or as the identity a sending
    authorization policy is attached to), other than `*`."""
    from seslint.core.arn import ses_identity

    texts = {at for at, _ in inputs.resources if at}
    texts.update(text for cp in inputs.identity + [cp for _, cp in inputs.resources] for cs in cp.statements
                 if cs.stmt.effect == "Allow" for text in cs.stmt.resources or ())
    names = {name for text in texts if (name := ses_identity(text)) is not None and "@" not in name and name.strip("*")}
    return sorted(names)


def parent_caveat(inputs: Inputs) -> str:
    """What a proof does not cover when the policies name domain identities (README: what the proofs
    assume), or "" when they name none."""
    names = parent_domains(inputs)
    if not names:
        return ""
    sub = names[0].lstrip("*.") or "example.com"
    return (f"assumed: SES checks the From address's own identity or its own domain's; a verified parent domain "
            f"such as {', '.join(names)} also authorizes its subdomains' sends (From a@mail.{sub}), a route this "
            f"proof does not model: check such a send with `seslint can-send`")


def send_formulas(send: Send) -> list[tuple[tuple, object]]:
    """(plan, z3 Bool: this kind of send is allowed) for each kind of send."""
    out = []
    inputs = send.inputs
    decided: dict = {}   # kinds of send share most requests: decide each once
    for plan in plans(inputs.region, inputs.account):
        api, content, with_cs, operation, requests = plan
        need: list = []
        alt: dict[str, list] = {role: [] for role in ALTERNATIVE_ROLES}
        for action, arn, role, context in requests:
            req = send.request(api, action, arn, role, context)
            key = (action, arn, req.on_identity, id(req.ctx))
            f = decided.get(key)
            if f is None:
                f = decided[key] = decide(inputs, req)
            (alt[role] if role in alt else need).append(f)
        ok = all_([all_(need), any_(all_(fs) for fs in alt.values() if fs) if any(alt.values()) else TRUE])
        out.append((plan, all_([send.has_cs == with_cs, ok])))
    return out


class Session:
    """One principal's possible sends, encoded once and asked several questions (`ask`), each a
    violation over the same symbolic send. `extra` recipients: one per recipient property a
    question asks about (see `recipient_bound`). Raises Unknown for what cannot be encoded."""

    def __init__(self, inputs: Inputs, extra: int = 1, restrict=None):
        started = time.process_time()   # the first question's budget counts the encoding
        self.send = Send(inputs, recipient_bound([inputs], extra))
        # One Boolean per kind of send, equal to its formula: questions name kinds by it, small.
        formulas = send_formulas(self.send)
        self.formulas = [(plan, z3.Bool(f"allowed!{i}")) for i, (plan, _) in enumerate(formulas)]
        base = [*self.send.constraints, *(restrict(self.send) if restrict else []),
                *[b == f for (_, b), (_, f) in zip(self.formulas, formulas, strict=True)],
                any_(b for _, b in self.formulas)]
        self.lazy = Lazy(base, started)

    def violation(self, *, recipients_within=(), senders_within=(), no_send=False, within=None):
        send = self.send
        violations = []
        if no_send:
            violations.append(TRUE)
        if recipients_within:
            r = send.recipients
            violations.append(any_(all_([r.length > i, outside(x, recipients_within)]) for i, x in enumerate(r.items)))
        if senders_within:
            violations.append(outside(View(send.address), senders_within))
        if within is not None:
            violations.append(within(send))
        return any_(violations)

    def reaching(self, pattern: str):
        """z3 Bool: some recipient matches `pattern` (case-insensitively, as `outside`)."""
        r = self.send.recipients
        return any_(all_([r.length > i, not_(outside(x, [pattern]))]) for i, x in enumerate(r.items))

    def kind(self, api: str, content: str):
        """z3 Bool: the send is of this API and content and allowed."""
        return any_(f for p, f in self.formulas if p[:2] == (api, content))

    def kinds(self, violation) -> list[tuple[str, str]]:
        """Every (api, content) of which some send breaks the property, each with a witness the
        evaluator confirms and that sets no free key. One question usually answers several kinds:
        every kind the model's send is allowed as counts."""
        found: set = set()
        left = {plan[:2] for plan, _ in self.formulas}
        while left:
            answer, model, _ = self.lazy.check([violation, any_(b for p, b in self.formulas if p[:2] in left)])
            if answer != z3.sat:
                break
            for plan, b in self.formulas:
                if plan[:2] in left and z3.is_true(model.eval(b, model_completion=True)):
                    w = witness(self.send, model, plan)
                    if recheck_send(self.send.inputs, w) is None and not w.free_values:
                        found.add(plan[:2])
                    left.discard(plan[:2])
        return sorted(found)

    def _without_configuration_set(self, model, assumptions: list):
        """A witness as small as is cheap: the same question without a configuration set, when
        one is not needed (one more check, only when the first witness used one)."""
        try:
            answer, smaller, _ = self.lazy.check([*assumptions, z3.Not(self.send.has_cs)])
        except z3.Z3Exception:
            return model
        return smaller if answer == z3.sat else model

    def ask(self, violation, *assumptions) -> Outcome:
        send = self.send
        try:
            answer, model, why = self.lazy.check([violation, *assumptions])
        except z3.Z3Exception as exc:
            return Outcome(UNKNOWN, str(exc))
        if answer == z3.unsat:
            free = sorted(send.free)
            reason = "no allowed send breaks the property"
            if free:
                reason += f" (whatever the values of {', '.join(free)})"
            return Outcome(PROVEN, reason)
        if answer != z3.sat:
            return Outcome(UNKNOWN, f"the solver gave up ({why})")
        if z3.is_true(model.eval(send.has_cs, model_completion=True)):
            model = self._without_configuration_set(model, [violation, *assumptions])
        plan = next(p for p, f in self.formulas if z3.is_true(model.eval(f, model_completion=True)))
        found = witness(send, model, plan)
        problem = recheck_send(send.inputs, found)
        if problem:
            return Outcome(UNKNOWN, f"the evaluator does not confirm the solver's witness: {problem}", found)
        used = sorted(send.names.get(k, k) for k in send.free if send.names.get(k, k) in found.free_values)
        if used:
            return Outcome(UNKNOWN, f"depends on {', '.join(used)}: a send breaks the property when "
                                    f"{_keys(found, used)}; the model treats "
                                    f"{'this key' if len(used) == 1 else 'these keys'} as free, so whether real "
                                    "requests can carry such values is not known", found, used)
        return Outcome(COUNTEREXAMPLE, "an allowed send breaks the property", found)


def _keys(found: Witness, keys) -> str:
    import json

    return " and ".join(f"{k} is {json.dumps(found.free_values[k])}" for k in keys)


@dataclass
class Change:
    action: str
    role: str
    witness: dict | None = None
    reason: str = ""

    def to_json(self) -> dict:
        out: dict[str, object] = {"action": self.action, "resource": self.role}
        if self.witness is not None:
            out["request"] = self.witness
        if self.reason:
            out["reason"] = self.reason
        return out


def diff(old: Inputs, new: Inputs, restrict=None) -> dict[str, list[Change]]:
    """The kinds of send request (action, resource role) one side allows and the other does not."""
    out: dict[str, list[Change]] = {"gained": [], "lost": [], "unknown": []}
    seen: dict = {}
    for api, _content, _with_cs, _operation, requests in plans(new.region, new.account):
        for action, arn, role, context in requests:
            kind = (action, "identity" if role in ALTERNATIVE_ROLES else role)
            variant = (api, arn, role, context)
            if variant not in seen.setdefault(kind, []):
                seen[kind].append(variant)
    for (action, role), variants in sorted(seen.items()):
        for side, change in zip(("gained", "lost"), _changes(old, new, action, role, variants, restrict), strict=False):
            if change is not None:
                out["unknown" if change.witness is None or change.reason else side].append(change)
    return out


def _changes(old: Inputs, new: Inputs, action, role, variants, restrict) -> tuple:
    """(gained, lost) for one kind of request: a Change with a witness, or None."""
    started = time.process_time()   # each kind's budget counts its encoding
    try:
        # Both sides over the same symbolic values: z3 constants are identified by name and sort.
        uses, n = merged_usage(old, new), recipient_bound([old, new], 0)
        so, sn = Send(old, n, uses=uses), Send(new, n, uses=uses)
        pairs = [(decide(old, so.request(api, action, arn, r, context)),
                  decide(new, sn.request(api, action, arn, r, context))) for api, arn, r, context in variants]
        base = [*so.constraints, *sn.constraints, *([*restrict(so), *restrict(sn)] if restrict else [])]
    except (Unknown, z3.Z3Exception) as exc:
        change = Change(action, role, reason=str(exc))
        return change, change
    out: list[Change | None] = []
    for allows, denies, a, b, send in ((1, 0, new, old, sn), (0, 1, old, new, so)):
        picks = [all_([p[allows], not_(p[denies])]) for p in pairs]
        try:
            answer, model, why = check([*base, any_(picks)], started)
        except z3.Z3Exception as exc:
            out.append(Change(action, role, reason=str(exc)))
            continue
        if answer == z3.unsat:
            out.append(None)
            continue
        if answer != z3.sat:
            out.append(Change(action, role, reason=f"the solver gave up ({why})"))
            continue
        api, arn, r, context = next(v for v, f in zip(variants, picks, strict=False) if z3.is_true(model.eval(f)))
        send.free.update({k: v for k, v in (so if send is sn else sn).free.items() if k not in send.free})
        request = witness(send, model, None, (api, action, arn, r, context))
        problem = recheck_request(a, request, True) or recheck_request(b, request, False)
        used = sorted(send.names.get(k, k) for k in send.free if send.names.get(k, k) in request.free_values)
        if problem:
            out.append(Change(action, role, request.request_json(), f"the evaluator does not confirm: {problem}"))
        elif used:
            out.append(Change(action, role, request.request_json(),
                              f"depends on {', '.join(used)}, which the model treats as free"))
        else:
            out.append(Change(action, role, request.request_json()))
    return tuple(out)
