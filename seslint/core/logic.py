"""The truth values IAM's semantics are written over, so that they are written once.

`seslint.core.decision` (the decision table) and `seslint.core.operators.condition_holds` (the
condition modifiers) take a `Logic`: the evaluator passes `KLEENE`, whose values are True, False and
UNKNOWN (an outcome IAM does not define); the prover passes its own logic over z3 terms
(`seslint.prove.strings.Z3`). Strong Kleene logic is exact here: every statement's applicability
occurs once in the decision, positively for an Allow and negatively for a Deny, so the decision is
UNKNOWN exactly when the statements IAM leaves undefined could tip it either way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from seslint.core.mypyc_hints import mypyc_attr

UNKNOWN = "unknown"   # the third truth value: the outcome is one IAM does not document


# The prover's logic (seslint.prove.strings.Z3Logic) subclasses Logic in interpreted code; the compiled
# build calls the methods of a compiled Logic directly.
@mypyc_attr(allow_interpreted_subclasses=True)
class Logic:
    """Connectives over some truth values; `undefined` is what IAM leaves undefined."""

    true: Any = True
    false: Any = False

    def all(self, items: Iterable[Any]) -> Any:
        raise NotImplementedError

    def any(self, items: Iterable[Any]) -> Any:
        raise NotImplementedError

    def not_(self, x: Any) -> Any:
        raise NotImplementedError

    def ite(self, cond: Any, then: Any, other: Any) -> Any:
        raise NotImplementedError

    def undefined(self, why: str) -> Any:
        raise NotImplementedError


class Kleene(Logic):
    """True, False and UNKNOWN, by strong Kleene logic."""

    def all(self, items: Iterable[Any]) -> Any:
        out: Any = True
        for x in items:
            if x is False:
                return False
            if x is not True:
                out = UNKNOWN
        return out

    def any(self, items: Iterable[Any]) -> Any:
        out: Any = False
        for x in items:
            if x is True:
                return True
            if x is not False:
                out = UNKNOWN
        return out

    def not_(self, x: Any) -> Any:
        return x if x is UNKNOWN else not x

    def ite(self, cond: Any, then: Any, other: Any) -> Any:
        if cond is True:
            return then
        if cond is False:
            return other
        return then if then == other else UNKNOWN

    def undefined(self, why: str) -> Any:
        return UNKNOWN


KLEENE = Kleene()
