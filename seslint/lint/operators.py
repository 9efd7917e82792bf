"""Condition operators for the linter, read from the evaluator's operator table (the single source
of which operators exist and which values fit them)."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from seslint.policy import SET_OPERATORS, known_operator, split_operator


def table() -> dict:
    from seslint.core.operators import OPERATORS

    return OPERATORS


class Operator(NamedTuple):
    text: str
    base: str
    set_op: str | None
    if_exists: bool


@lru_cache(maxsize=1024)
def parse(text: str) -> Operator | None:
    """Split `ForAnyValue:StringLikeIfExists` into its parts; None when IAM has no such operator."""
    set_op, base, if_exists = split_operator(text)
    return Operator(text, base, set_op, if_exists) if known_operator(set_op, base) else None


@lru_cache(maxsize=1)
def names() -> tuple[str, ...]:
    bases = tuple(table())
    return bases + tuple(f"{s}:{b}" for s in SET_OPERATORS for b in bases)


@lru_cache(maxsize=8192, typed=True)  # typed: True and 1 are different condition values
def value_problem(op: Operator, key: str, value, version: str | None) -> str | None:
    """Why the evaluator could not use `value` under `op`, or None when it fits."""
    if type(value) is str and "$" not in value and op.base.startswith("String"):
        return None  # any plain string fits a string operator: skip compiling its pattern
    from seslint.errors import InputError
    from seslint.evaluate.operators import CompiledCondition
    from seslint.policy import Condition, Policy

    cond = Condition("", op.text, op.base, op.set_op, op.if_exists, key, (value,))
    try:
        CompiledCondition(cond, Policy("<lint>", "", version, None, ()))
    except InputError as exc:
        return exc.message
    return None
