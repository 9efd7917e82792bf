"""Conditions compiled for the evaluator: the operator rows of `seslint.core.operators` applied to
concrete request values, with the modifiers handled once in `CompiledCondition.holds`."""

from __future__ import annotations

from seslint.core import variables as V
from seslint.core.logic import KLEENE, UNKNOWN
from seslint.core.operators import (
    MISSING,
    OPERATORS,
    KeyValue,
    Operator,
    ValueProblem,
    any_value_matches,
    condition_holds,
    parse_bool,
    parse_string,
    unknown_operator_help,
)
from seslint.core.patterns import arn_glob, glob
from seslint.errors import InputError
from seslint.policy import SET_OPERATORS, Condition, Policy


class CompiledCondition:
    """A Condition with its operator looked up and its policy values parsed once."""

    __slots__ = ("cond", "op", "key", "values", "templates", "null_wants", "source")

    def __init__(self, cond: Condition, policy: Policy):
        self.cond = cond
        self.key = cond.key.lower()
        self.source = policy.source
        op = self.op = _operator(cond, policy)
        self.templates: tuple | None = None
        self.values: tuple = ()      # set unless `templates` or `null_wants` is
        self.null_wants: frozenset[bool] = frozenset()   # Null only
        try:
            if op.type == "Null":
                self.null_wants = frozenset(parse_bool(v) for v in cond.values)
            elif op.type in ("String", "ARN"):
                templates = tuple(V.parse_template(parse_string(v), policy.variables_enabled, op.wildcards)
                                  for v in cond.values)
                if any(V.has_variables(t) for t in templates):
                    self.templates = templates
                else:
                    self.values = tuple(self._concrete(t) for t in templates)
            else:
                self.values = tuple(op.policy_value(v) for v in cond.values)
        except ValueProblem as exc:
            raise _policy_error(f"{exc} (for {op.name})", source=policy.source, pointer=cond.pointer) from None

    def _concrete(self, parts: tuple):
        op = self.op
        if op.type == "ARN":
            rx = arn_glob(parts)
            if rx is None:
                raise ValueProblem(f"'{V.text(parts)}' is not an ARN")
            return rx
        if op.wildcards:
            return glob(parts, ignore_case=False)
        return V.text(parts)

    def policy_values(self, context: dict) -> tuple[tuple, bool]:
        """The concrete policy values, and whether one of them is unknown (a multivalued variable).
        A value whose variable has no value is left out: it matches nothing."""
        if self.templates is None:
            return self.values, False
        out = []
        unknown = False
        try:
            for t in self.templates:
                parts = V.resolve(t, context)
                if parts is V.MULTI:
                    unknown = True
                elif isinstance(parts, tuple):   # NULL: a variable without a value matches nothing
                    out.append(self._concrete(parts))
        except ValueProblem as exc:
            raise _policy_error(f"{exc} after resolving policy variables", source=self.source,
                                pointer=self.cond.pointer) from None
        return tuple(out), unknown

    def holds(self, context: dict, names: dict):
        """True, False or UNKNOWN: whether the condition holds for the request `context` (keys
        lower-cased). `names` maps lower-cased keys to the names the request used (for errors)."""
        raw = context.get(self.key, MISSING)
        listed = type(raw) is list
        value = KeyValue(raw is not MISSING, listed and not raw, listed,
                         [(True, v) for v in raw] if listed else ((True, raw),))
        if self.op.type == "Null" or raw is MISSING:
            return condition_holds(KLEENE, self.op, self.cond.set_op, self.cond.if_exists, self.null_wants, value,
                                   _no_test, None, "")
        values, unknown = self.policy_values(context)

        def test(_, item):
            return self._one(self._request_value(item, names), values, unknown)

        return condition_holds(KLEENE, self.op, self.cond.set_op, self.cond.if_exists, self.null_wants, value, test,
                               None, self.cond.operator)

    def _one(self, value, values, unknown=False):
        test = self.op.test
        hits = [test(value, p) for p in values]
        if unknown:
            hits.append(UNKNOWN)
        return any_value_matches(KLEENE, self.op.negated, hits)

    def unknown_error(self, context: dict) -> InputError:
        """The refusal for a condition that gave UNKNOWN, when the decision depends on it."""
        cond = self.cond
        if isinstance(context.get(self.key), list) and cond.set_op is None:
            return _policy_error(
                f"'{cond.operator}' has no ForAllValues/ForAnyValue but the request gives '{cond.key}' as a list: "
                "IAM does not define the result, and the decision depends on it", source=self.source,
                pointer=cond.pointer, help=f"use 'ForAnyValue:{cond.operator}' or 'ForAllValues:{cond.operator}'")
        return _policy_error(f"a policy variable in '{cond.operator}' names a multivalued key: IAM does not define "
                             "the result, and the decision depends on it", source=self.source, pointer=cond.pointer,
                             help="give the variable a default, or compare the key with ForAnyValue/ForAllValues")

    def _request_value(self, value, names):
        try:
            return self.op.request_value(value)
        except ValueProblem as exc:
            from seslint.jsondoc import join

            raise InputError(f"request value {exc} (compared by {self.op.name} in {self.cond.pointer})",
                             pointer=join("/request/context", names.get(self.key, self.cond.key))) from None


def _operator(cond: Condition, policy: Policy) -> Operator:
    """The operator row of a condition; InputError for an unknown operator or modifier."""
    op = OPERATORS.get(cond.base)
    if op is not None and (cond.set_op is None or cond.set_op in SET_OPERATORS) and \
            not (op.type == "Null" and (cond.set_op or cond.if_exists)):
        return op
    where = dict(source=policy.source, pointer=cond.pointer)
    if cond.set_op is not None and cond.set_op not in SET_OPERATORS:
        raise _policy_error(f"unknown set operator '{cond.set_op}' in '{cond.operator}'",
                            help="set operators are ForAllValues and ForAnyValue", **where)
    if op is None:
        raise _policy_error(f"unknown condition operator '{cond.operator}'", help=unknown_operator_help(cond.base),
                            **where)
    raise _policy_error(f"'{cond.operator}' is not a valid operator: Null takes no modifiers", **where)


def check_condition(cond: Condition, policy: Policy) -> None:
    """Raise what CompiledCondition(cond, policy) would raise, without building it (cheaper: for
    the statements a request never reaches)."""
    op = _operator(cond, policy)
    if op.type == "String":
        return   # any text is a valid string pattern
    if op.type == "ARN":
        for v in cond.values:
            text = parse_string(v)
            if (not policy.variables_enabled or "${" not in text) and text.count(":") >= 5:
                continue
            CompiledCondition(cond, policy)   # the full path words the error, if any
            return
        return
    try:
        for v in cond.values:
            (parse_bool if op.type == "Null" else op.policy_value)(v)
    except ValueProblem as exc:
        raise _policy_error(f"{exc} (for {op.name})", source=policy.source, pointer=cond.pointer) from None


def _policy_error(message: str, *, source=None, pointer=None, help=None) -> InputError:
    """A policy that cannot be evaluated faithfully, located by source and JSON pointer."""
    return InputError(message, source=source, pointer=pointer, help=help)


def _no_test(state, item):
    raise AssertionError("the operator is not applied to an absent key or by Null")
