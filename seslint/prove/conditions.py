"""Condition keys and operators over a symbolic request.

The operator rows (value type, positive test, negation, wildcards, value parsers) are the
evaluator's own table (`seslint.core.operators.OPERATORS`), and the modifiers (Null, an absent key,
IfExists, ForAllValues/ForAnyValue, the values of one key ORed) are written once,
`seslint.core.operators.condition_holds`, which the evaluator runs over concrete values.

A key's value in a request is one of:
- concrete: fixed by the principal or the send (`ses:ApiVersion` of a v2 send), or absent;
- symbolic: a string, or a bounded list of strings (`ses:Recipients`), from the send model;
- free: any other key a condition names. It may be absent or hold any value of the sort its
  operators compare (string, list of strings, number, date, Bool, IPv4 address). Answers that
  depend on a free key say so (see `prove.api`).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import z3

from seslint.core import variables as V
from seslint.core.logic import KLEENE
from seslint.core.operators import MISSING, KeyValue, ValueProblem, any_value_matches, condition_holds
from seslint.prove.regex import text_of
from seslint.prove.strings import FALSE, TRUE, Z3, B, Unknown, View, all_, match, resolve

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MODE = {"StringEquals": "exact", "StringNotEquals": "exact", "StringEqualsIgnoreCase": "ci",
         "StringNotEqualsIgnoreCase": "ci", "StringLike": "glob", "StringNotLike": "glob"}


@dataclass
class Val:
    """A context key's value: `kind` is concrete, str, list, num, date, bool or ip."""

    kind: str
    present: Any = True             # Python bool or z3 Bool
    value: Any = MISSING            # the concrete value, or a z3 expression
    items: tuple = ()               # list: z3 strings
    length: Any = None              # list: z3 Int
    scale: int = 1                  # num: value is an Int of units of 1/scale


def concrete(value) -> Val:
    return Val("concrete", value is not MISSING, value)


def micros(dt: datetime) -> int:
    return (dt - _EPOCH) // _MICRO


_MICRO = datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=timezone.utc) - _EPOCH


def free_kind(uses: set, key: str) -> tuple[str, int]:
    """The sort of a free key from the operators used on it: (kind, list bound)."""
    types = {t for t, _, _ in uses if t != "Null"}
    set_ops = sum(1 for _, s, _ in uses if s)
    plain = any(not s for t, s, _ in uses if t != "Null")
    if types <= {"String", "ARN"}:
        if set_ops and plain:
            raise Unknown(f"'{key}' is compared both with and without ForAllValues/ForAnyValue")
        return ("list", set_ops) if set_ops else ("str", 0)
    if len(types) > 1:
        raise Unknown(f"'{key}' is compared as {' and '.join(sorted(types))}")
    kind = {"Numeric": "num", "Date": "date", "Bool": "bool", "IPAddress": "ip"}.get(types.pop())
    if kind is None:
        raise Unknown(f"'{key}' is compared with Binary operators")
    return kind, 0


def make_free(key: str, kind: str, bound: int, scale: int, prefix: str) -> tuple[Val, list]:
    """A fresh free key and its domain constraints."""
    name = f"{prefix}{key}"
    present = z3.Bool(f"{name}?")
    if kind == "str":
        return Val("str", present, View(z3.String(name))), []
    if kind == "list":
        n = max(1, bound)
        length = z3.Int(f"{name}#")
        return Val("list", present, items=tuple(View(z3.String(f"{name}[{i}]")) for i in range(n)), length=length), \
            [length >= 0, length <= n]
    if kind == "num":
        return Val("num", present, z3.Int(name), scale=scale), []
    if kind == "date":
        v = z3.Int(name)
        return Val("date", present, v), [v >= micros(datetime(1, 1, 2, tzinfo=timezone.utc)),
                                         v <= micros(datetime(9999, 12, 30, tzinfo=timezone.utc))]
    if kind == "bool":
        return Val("bool", present, z3.Bool(name)), []
    v = z3.Int(name)
    return Val("ip", present, v), [v >= 0, v < 2 ** 32]


def value_text(val: Val, model) -> object:
    """The JSON value of a symbolic key in a z3 model (MISSING when absent)."""
    if val.kind == "concrete":
        return val.value
    if not z3.is_true(model.eval(val.present, model_completion=True)):
        return MISSING
    def ev(e):
        return model.eval(e, model_completion=True)

    if val.kind == "str":
        return text_of(ev(val.value.var))
    if val.kind == "list":
        n = ev(val.length).as_long()
        return [text_of(ev(x.var)) for x in val.items[:n]]
    if val.kind == "bool":
        return "true" if z3.is_true(ev(val.value)) else "false"
    number = ev(val.value).as_long()
    if val.kind == "num":
        return str(Decimal(number) / val.scale)
    if val.kind == "date":
        return (_EPOCH + number * _MICRO).isoformat()
    return str(ipaddress.IPv4Address(number))


def decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def condition(cc, ctx, variables: bool):
    """z3 Bool: whether the compiled condition `cc` holds in the symbolic context `ctx` (the one set of
    modifiers, `seslint.core.operators.condition_holds`, over z3)."""
    cond = cc.cond
    val = ctx.get(cc.key)
    what = f"{cond.operator} on '{cond.key}' ({cc.source} at {cond.pointer})"
    if val.kind == "concrete":
        raw = val.value
        listed = isinstance(raw, list)
        value = KeyValue(B(raw is not MISSING), B(listed and not raw), listed,
                         [(TRUE, v) for v in raw] if listed else [(TRUE, raw)])
        if cc.op.type in ("String", "ARN"):
            def test(_, item):
                return one(cc, V.scalar_text(item), ctx, variables, what)
        else:
            def test(_, item):
                return B(_concrete_one(cc, item, what))
    elif val.kind == "list":
        value = KeyValue(val.present, val.length == 0, True,
                         [(val.length > i, x) for i, x in enumerate(val.items)])

        def test(_, item):
            return one(cc, item, ctx, variables, what)
    else:
        value = KeyValue(val.present, FALSE, False, [(TRUE, val)])

        def test(_, item):
            return one(cc, item, ctx, variables, what)
    return B(condition_holds(Z3, cc.op, cond.set_op, cond.if_exists, cc.null_wants, value, test, None, what))


def one(cc, value, ctx, variables: bool, what: str):
    """z3 Bool: the operator (negation included) holds for one request value."""
    op = cc.op
    if isinstance(value, Val):
        if op.type in ("String", "ARN"):
            if value.kind != "str":
                raise Unknown(f"{what} compares a {value.kind} value as a string")
            value = value.value
        else:
            return _typed(cc, value, what)
    if op.type not in ("String", "ARN"):
        raise Unknown(f"{what} compares a string from the send as {op.type}")
    mode = "arn" if op.type == "ARN" else _MODE[op.name]
    hits = []
    for raw in cc.cond.values:
        parts = V.parse_template(V.scalar_text(raw), variables, op.wildcards)
        hits.append(match(value, resolve(parts, ctx.var), mode, what))
    return any_value_matches(Z3, op.negated, hits)


def _typed(cc, val: Val, what: str):
    op = cc.op
    kinds = {"Numeric": "num", "Date": "date", "Bool": "bool", "IPAddress": "ip"}
    if kinds.get(op.type) != val.kind:
        raise Unknown(f"{what} compares a {val.kind} value as {op.type}")
    hits = []
    for p in cc.values:
        if op.type == "Numeric":
            scaled = p * val.scale
            if scaled != int(scaled):
                raise Unknown(f"{what}: '{p}' has more decimals than the model keeps")
            hits.append(op.test(val.value, int(scaled)))
        elif op.type == "Date":
            hits.append(op.test(val.value, micros(p)))
        elif op.type == "Bool":
            hits.append(val.value == z3.BoolVal(p))
        else:
            if p.version != 4:
                raise Unknown(f"{what}: IPv6 networks are not modelled")
            hits.append(all_([val.value >= int(p.network_address), val.value <= int(p.broadcast_address)]))
    return any_value_matches(Z3, op.negated, hits)


def _concrete_one(cc, raw, what: str) -> bool:
    """The evaluator's own test on a concrete request value of a non-string type."""
    try:
        value = cc.op.request_value(raw)
    except ValueProblem as exc:
        raise Unknown(f"{what}: request value {exc}") from None
    return any_value_matches(KLEENE, cc.op.negated, (cc.op.test(value, p) for p in cc.values))
