"""Properties over every possible send, and the difference between two policy sets.

`prove` asks the solver for an allowed send that breaks a property. None: proven. One: a
counterexample, whose every request is re-evaluated by the evaluator before it is reported.
The answer is unknown (with the reason) when the encoding cannot express a policy faithfully,
when a witness sets a free key (a key neither the principal nor the send fixes, such as
`aws:SourceIp`: whether real requests carry such a value is outside the model), or when the
evaluator does not confirm the witness.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import z3

from seslint.names import in_policies, undecided
from seslint.prove.budget import question
from seslint.prove.decision import Inputs, at, decide
from seslint.prove.sends import (
    ALTERNATIVE_ROLES,
    PARENT_ROLE,
    Kind,
    Send,
    merged_usage,
    plans,
    recipient_bound,
)
from seslint.prove.solve import Lazy, check
from seslint.prove.strings import FALSE, TRUE, Unknown, View, all_, any_, glob_re, not_
from seslint.prove.witness import Witness, recheck_request, recheck_send, witness
from seslint.scope import Scope, scope_of

PROVEN, COUNTEREXAMPLE, UNKNOWN, VACUOUS = "proven", "counterexample", "unknown", "vacuous"
TIME_KEYS = ("aws:currenttime", "aws:epochtime")   # set by the send's time, free unless `Inputs.when` fixes it


@dataclass
class Outcome:
    """A verdict with its reason; `allows_nothing`: no send at all is allowed (a proof is then vacuous);
    `outside`: kinds of send the policies allow that the property's model leaves out, each with why."""

    verdict: str
    reason: str = ""
    witness: Witness | None = None
    free_keys: list[str] = field(default_factory=list)
    allows_nothing: bool = False
    outside: list[dict] = field(default_factory=list)
    scope: Scope | None = None

    def to_json(self) -> dict:
        out: dict[str, object] = {"verdict": self.verdict, "reason": self.reason, "outside": self.outside}
        if self.witness is not None:
            out["counterexample"] = self.witness.to_json()
        if self.free_keys:
            out["free_keys"] = self.free_keys
        if self.scope is not None:
            out["scope"] = self.scope.to_json()
        return out


def clear_caches() -> None:
    """Forget the content caches (regex nodes and derivatives, pattern regexes): a cold start."""
    from seslint.prove import regex, strings

    regex.reset_if_large(0)
    strings.clear_caches()


def outside(value, patterns) -> object:
    """z3 Bool: `value` matches none of the IAM-style patterns (case-insensitive, as addresses are)."""
    from seslint.core import variables as V

    if not patterns:
        return TRUE
    union = [glob_re(V.parse_template(p, False, True), True) for p in patterns]
    return not_(value.member(union[0] if len(union) == 1 else z3.Union(*union)))


def prove(inputs: Inputs, *, recipients_within=(), senders_within=(), no_send: bool = False,
          within=None, restrict=None) -> Outcome:
    """Is there an allowed send that breaks a property, in the account and region of `inputs`?
    `within(send)` may add a custom violation; `restrict(send)` constraints on the send (tests use it to
    compare with enumeration). Unknown when a policy names an action or key SES does not know where it
    decides sends (`seslint.names`)."""
    reason = undecided(unknown_names(inputs))
    if reason:
        return Outcome(UNKNOWN, reason)
    try:
        with question():   # one budget for the property: encoding, and every question its answer needs
            session = Session(inputs, 1 if recipients_within or within else 0, restrict)
            if not session.formulas:   # no statement allows any kind of send here
                return Outcome(PROVEN, "no allowed send breaks the property", allows_nothing=True)
            outcome = session.ask(session.violation(recipients_within=recipients_within,
                                                    senders_within=senders_within, no_send=no_send, within=within))
            if outcome.verdict == PROVEN:
                outcome.allows_nothing = no_send or session.lazy.check()[0] == z3.unsat
            if outcome.verdict != UNKNOWN:
                outcome.outside = session.outside(recipients_within=recipients_within)
        return outcome
    except (Unknown, z3.Z3Exception) as exc:
        return Outcome(UNKNOWN, str(exc))


def unknown_names(inputs: Inputs) -> list:
    """The actions and condition keys SES does not know in the inputs' policies (`seslint.names`)."""
    return in_policies(cp.policy for cp in inputs.all_policies())


def prove_in(inputs: Inputs, scope: Scope, *, recipients_within=(), senders_within=(), no_send: bool = False,
             within=None) -> Outcome:
    """`prove` in every (account, region) pair of `scope`, as one verdict: a counterexample in any pair,
    unknown if any pair is, else proven; `vacuous` when no send at all is allowed in any pair (so nothing
    was proven), with where the policies do allow sends, if anywhere."""
    props = dict(recipients_within=recipients_within, senders_within=senders_within, no_send=no_send,
                 within=within)
    outcomes = []
    for account, region in scope.pairs:
        outcome = prove(at(inputs, account, region), **props)
        outcome.scope = scope
        if outcome.verdict == COUNTEREXAMPLE:
            return outcome
        outcomes.append(outcome)
    outside = [o for outcome in outcomes for o in outcome.outside]
    unknown = next((o for o in outcomes if o.verdict == UNKNOWN), None)
    if unknown is not None:
        return unknown
    if not no_send and all(o.allows_nothing for o in outcomes):
        return Outcome(VACUOUS, vacuous_reason(inputs, scope), scope=scope)
    return Outcome(PROVEN, outcomes[0].reason, outside=list({o["operation"]: o for o in outside}.values()),
                   scope=scope)


def vacuous_reason(inputs: Inputs, asked: Scope) -> str:
    """Why a proof is vacuous: no send at all is allowed where it was asked; and where the policies do allow
    sends (the pairs their own ARNs tell apart that were not asked), if anywhere."""
    where = f"account{'s' if len(asked.accounts) > 1 else ''} {', '.join(asked.accounts)}, " \
            f"region{'s' if len(asked.regions) > 1 else ''} {', '.join(asked.regions)}"
    reason = f"no send at all is allowed in {where}, so nothing was proven"
    own = scope_of(inputs)
    elsewhere = []
    for account, region in own.pairs:
        if (account, region) in asked.pairs:
            continue
        try:
            if Session(at(inputs, account, region), 0).ask(TRUE).verdict == COUNTEREXAMPLE:
                elsewhere.append(f"{region} (account {account})")
        except (Unknown, z3.Z3Exception):
            continue
    if elsewhere:
        return reason + f"; the policies do allow sends in {', '.join(elsewhere)}: ask there"
    return reason + "; the policies allow no send anywhere (check the SCPs, the boundary and the Deny statements)"


def send_formulas(send: Send) -> list[tuple[Kind, object]]:
    """(kind, z3 Bool: this kind of send is allowed) for each kind of send."""
    out = []
    inputs = send.inputs
    decided: dict = {}   # kinds of send share most requests: decide each once
    uses_cs = {True: send.has_cs, False: not_(send.has_cs)}
    for plan in plans(inputs.region, inputs.account, inputs.when):
        api, with_cs, requests = plan.api, plan.with_cs, plan.requests
        need: list = []
        alt: dict[str, list] = {role: [] for role in ALTERNATIVE_ROLES}
        for action, arn, role, context in requests:
            req = send.request(api, action, arn, role, context)
            key = (action, arn, req.on_identity, req.ctx.signature)
            f = decided.get(key)
            if f is None:
                f = decided[key] = decide(inputs, req)
            (alt[role] if role in alt else need).append(f)
        if alt[PARENT_ROLE]:   # the parent route exists only for a From whose domain has a parent
            alt[PARENT_ROLE].append(send.has_parent)
        ok = all_([all_(need), any_(all_(fs) for fs in alt.values() if fs) if any(alt.values()) else TRUE])
        out.append((plan, all_([uses_cs[with_cs], ok])))
    return out


class Session:
    """One principal's possible sends, encoded once and asked several questions (`ask`), each a
    violation over the same symbolic send. `extra` recipients: one per recipient property a
    question asks about (see `recipient_bound`). Raises Unknown for what cannot be encoded."""

    def __init__(self, inputs: Inputs, extra: int = 1, restrict=None):
        self.send = Send(inputs, recipient_bound([inputs], extra))
        # One Boolean per kind of send, equal to its formula: questions name kinds by it, small.
        # A kind no statement allows (most kinds, in a region the policies' ARNs do not name) is left out.
        formulas = [(plan, f) for plan, f in send_formulas(self.send) if f is not FALSE]
        self.formulas = [(plan, z3.Bool(f"allowed!{i}")) for i, (plan, _) in enumerate(formulas)]
        base = [*self.send.constraints, *(restrict(self.send) if restrict else []),
                *[b == f for (_, b), (_, f) in zip(self.formulas, formulas, strict=True)],
                any_(b for _, b in self.formulas)]
        self.lazy = Lazy(base)
        # z3 Bool: the send is of a kind that carries ses:Recipients (a bounce does not: a recipient
        # property leaves it out and says so, see `outside`)
        self.send.mails_recipients = any_(b for kind, b in self.formulas if kind.carries_recipients)

    def violation(self, *, recipients_within=(), senders_within=(), no_send=False, within=None):
        send = self.send
        violations = []
        if no_send:
            violations.append(TRUE)
        if recipients_within:
            r = send.recipients
            violations.append(all_([send.mails_recipients, any_(all_([r.length > i, outside(x, recipients_within)])
                                                                for i, x in enumerate(r.items))]))
        if senders_within:
            violations.append(outside(View(send.address), senders_within))
        if within is not None:
            violations.append(within(send))
        return any_(violations)

    def outside(self, *, recipients_within=()) -> list[dict]:
        """The kinds of send the policies allow that mail someone but that a recipient property's model
        leaves out (a bounce carries no ses:Recipients: it goes to the sender of a message the account
        received), each with why."""
        if not recipients_within:
            return []
        out: list[dict] = []
        for kind, b in self.formulas:
            if kind.carries_recipients or kind.operation in {o["operation"] for o in out}:
                continue
            answer, _, _ = self.lazy.check([b])
            if answer != z3.unsat:
                actions = sorted({r[0] for r in kind.requests})
                out.append({"operation": kind.operation, "actions": actions,
                            "why": f"{', '.join(actions)} carries no ses:Recipients: a bounce goes to the sender of a "
                                   "message the account received, so no recipient property can limit it"
                            if answer == z3.sat else f"the solver could not decide whether {kind.operation} is allowed"})
        return out

    def reaching(self, pattern: str):
        """z3 Bool: some recipient matches `pattern` (case-insensitively, as `outside`)."""
        r = self.send.recipients
        return any_(all_([r.length > i, not_(outside(x, [pattern]))]) for i, x in enumerate(r.items))

    def kind(self, api: str, content: str):
        """z3 Bool: the send is of this API and content and allowed."""
        return any_(f for p, f in self.formulas if p[:2] == (api, content))

    def allowed_kinds(self) -> list[tuple[str, str]]:
        """Every (api, content) of which some send may be allowed (a question the solver leaves open counts)."""
        kinds = dict.fromkeys(plan[:2] for plan, _ in self.formulas)
        return [k for k in kinds if self.lazy.check([self.kind(*k)])[0] != z3.unsat]

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

    def _simpler(self, model, assumptions: list):
        """A witness as small as is cheap: the same question without a configuration set and with the
        feedback address the From, when the first witness needs neither (one more check, only then)."""
        send = self.send
        wishes = []
        if z3.is_true(model.eval(send.has_cs, model_completion=True)):
            wishes.append(z3.Not(send.has_cs))
        address = model.eval(send.address, model_completion=True)
        if not z3.is_true(model.eval(send.feedback == address, model_completion=True)):
            wishes.append(z3.InRe(send.feedback, z3.Re(address)))   # a membership: the solver's fast path
        for tried in ([*wishes], wishes[:1]) if len(wishes) > 1 else ([*wishes],) if wishes else ():
            try:
                answer, smaller, _ = self.lazy.check([*assumptions, *tried])
            except z3.Z3Exception:
                return model
            if answer == z3.sat:
                return smaller
        return model

    def ask(self, violation, *assumptions) -> Outcome:
        with question():   # a smaller witness, if one is sought, spends this question's budget
            return self._ask(violation, *assumptions)

    def _ask(self, violation, *assumptions) -> Outcome:
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
        model = self._simpler(model, [violation, *assumptions])
        # A kind that carries ses:Recipients first: a recipient property's violation holds only for those
        plan = next(p for p, f in sorted(self.formulas, key=lambda pf: not pf[0].carries_recipients)
                    if z3.is_true(model.eval(f, model_completion=True)))
        found = witness(send, model, plan)
        problem = recheck_send(send.inputs, found)
        if problem:
            return Outcome(UNKNOWN, f"the evaluator does not confirm the solver's witness: {problem}", found)
        used = sorted(send.names.get(k, k) for k in send.free if send.names.get(k, k) in found.free_values)
        if used:
            when = [k for k in used if k.lower() in TIME_KEYS]
            hint = (f"; {' and '.join(when)} {'is' if len(when) == 1 else 'are'} the time of the send, any time "
                    "unless it is fixed (prove --at TIME)") if when else ""
            return Outcome(UNKNOWN, f"depends on {', '.join(used)}: a send breaks the property when "
                                    f"{_keys(found, used)}; the model treats "
                                    f"{'this key' if len(used) == 1 else 'these keys'} as free, so whether real "
                                    f"requests can carry such values is not known{hint}", found, used)
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
    for send_kind in plans(new.region, new.account, new.when):
        for action, arn, role, context in send_kind.requests:
            kind = (action, "identity" if role in ALTERNATIVE_ROLES else role)
            variant = (send_kind.api, arn, role, context)
            if variant not in seen.setdefault(kind, []):
                seen[kind].append(variant)
    # Both sides over the same symbolic values (z3 constants are identified by name and sort), built
    # once for every kind: a kind's free keys add their constraints to the sends as it is decided.
    uses, n = merged_usage(old, new), recipient_bound([old, new], 0)
    sends = Send(old, n, uses=uses), Send(new, n, uses=uses)
    for (action, role), variants in sorted(seen.items()):
        changes = _changes(old, new, action, role, variants, restrict, sends)
        for side, change in zip(("gained", "lost"), changes, strict=False):
            if change is not None and (side == "gained" or change is not changes[0]):   # an unknown kind: once
                out["unknown" if change.witness is None or change.reason else side].append(change)
    return out


def diff_in(old: Inputs, new: Inputs, scope: Scope) -> dict[str, list[Change]]:
    """`diff` in every (account, region) pair of `scope`: each kind of request once, with the first witness
    found (its ARN names its account and region); a kind undecided in one pair and changed in another is
    reported changed."""
    out: dict[str, dict] = {"gained": {}, "lost": {}, "unknown": {}}
    if _documents(old) == _documents(new):
        return {side: [] for side in out}   # the same policies allow the same requests, whatever they say
    for account, region in scope.pairs:
        for side, changes in diff(at(old, account, region), at(new, account, region)).items():
            for change in changes:
                out[side].setdefault((change.action, change.role), change)
    for side in ("gained", "lost"):
        for key in out[side]:
            out["unknown"].pop(key, None)
    return {side: list(found.values()) for side, found in out.items()}


def _documents(inputs: Inputs) -> str:
    """The policies of `inputs` and where each applies, as one canonical text."""
    import json

    def docs(cps):
        return [inputs.document(cp) for cp in cps]

    return json.dumps([inputs.caller.arn, docs(inputs.identity), docs([inputs.boundary] if inputs.boundary else []),
                       docs(inputs.session), [(level, docs(cps)) for level, cps in inputs.scps],
                       [(at, inputs.document(cp)) for at, cp in inputs.resources]], sort_keys=True)


def _changes(old: Inputs, new: Inputs, action, role, variants, restrict, sends) -> tuple:
    """(gained, lost) for one kind of request: a Change with a witness, or None."""
    with question():   # one budget per kind: the encoding and both directions
        return _kind_changes(old, new, action, role, variants, restrict, sends)


def _kind_changes(old: Inputs, new: Inputs, action, role, variants, restrict, sends) -> tuple:
    so, sn = sends
    try:
        pairs = [(decide(old, so.request(api, action, arn, r, context)),
                  decide(new, sn.request(api, action, arn, r, context))) for api, arn, r, context in variants]
        base = [*so.constraints, *sn.constraints, *([*restrict(so), *restrict(sn)] if restrict else [])]
    except (Unknown, z3.Z3Exception) as exc:
        change = Change(action, role, reason=str(exc))
        return change, change
    # A parent-domain request is made only for a From whose domain has a parent (Send.has_parent): a
    # statement on "*" allows it whatever the From, and a witness From without one makes no such request.
    out: list[Change | None] = []
    for allows, denies, a, b, send in ((1, 0, new, old, sn), (0, 1, old, new, so)):
        picks = [all_([p[allows], not_(p[denies]), *([send.has_parent] if v[2] == PARENT_ROLE else [])])
                 for p, v in zip(pairs, variants, strict=True)]
        try:
            answer, model, why = check([*base, any_(picks)])
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
