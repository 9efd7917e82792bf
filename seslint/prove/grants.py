"""Does a policy set grant an action at all? Over every resource of the action's types and every
request context: the question of Access Analyzer's check-access-not-granted, for lint's
`[[never-granted]]` settings (SES069). The request is `prove.decision`'s symbolic one; the answer a
proof, or a witness resource with the condition keys a grant depends on."""

from __future__ import annotations

from dataclasses import dataclass, field

import z3

from seslint.prove.budget import question
from seslint.prove.conditions import concrete
from seslint.prove.decision import Inputs, SymRequest, decide
from seslint.prove.sends import Ctx, Send
from seslint.prove.solve import check
from seslint.prove.strings import Unknown, View

GRANTED, NOT_GRANTED, UNKNOWN = "granted", "not granted", "unknown"


@dataclass
class Grant:
    verdict: str
    resource: str = ""          # a resource the action is allowed on (GRANTED)
    keys: list[str] = field(default_factory=list)   # condition keys the grant depends on
    reason: str = ""


def grants(inputs: Inputs, action: str, prefix: str | None, types: tuple[str, ...] = ()) -> Grant:
    """Is some request for `action` allowed? On an ARN starting with `prefix` (the first five ARN
    segments with their colons) whose resource part starts with one of `types` ("identity/"), or on
    "*" when `prefix` is None (an action without resource-level permissions). Every context key is
    free but the caller's."""
    try:
        with question():   # one budget: the encoding and the solver question
            send = Send(inputs, 1)
            ctx = Ctx({k.lower(): concrete(v) for k, v in send.caller.items()}, send)
            suffix = z3.String("resource")
            # "*" (no resource-level permissions): only a Resource "*" matches it; no account of its own
            account = prefix.split(":")[4] if prefix else None
            allowed = decide(inputs, SymRequest(action, prefix or "*::::", View(suffix), ctx, False, account))
            anything = z3.Plus(z3.AllChar(z3.ReSort(z3.StringSort())))
            shapes = [z3.Concat(z3.Re(t), anything) for t in types] or [anything]
            shape = z3.InRe(suffix, shapes[0] if len(shapes) == 1 else z3.Union(*shapes))
            answer, model, why = check([*send.constraints, shape, allowed])
    except (Unknown, z3.Z3Exception) as exc:
        return Grant(UNKNOWN, reason=str(exc))
    if answer == z3.unsat:
        return Grant(NOT_GRANTED)
    if answer != z3.sat:
        return Grant(UNKNOWN, reason=f"the solver gave up ({why})")
    resource = prefix + str(model.eval(suffix).as_string()) if prefix else "*"
    keys = sorted(send.names.get(k, k) for k in send.free)
    return Grant(GRANTED, resource, keys)
