"""IAM string patterns as z3 constraints.

Templates come from `seslint.core.variables.parse_template` (the evaluator's own parser), so
wildcards and policy variables mean here what they mean to the evaluator:
- `*` any run of characters, `?` exactly one ("IAM JSON policy elements: Condition operators",
  string condition operators);
- in an ARN, a wildcard before the fifth colon stays inside its segment (`arn_regex`);
- a policy variable is replaced by the request's value of its key, as a literal; with no value
  (key absent or multivalued, no default) the pattern matches nothing ("Policy variables with no
  value": positive operators do not match, negated operators do).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import z3

from seslint.core import variables as V
from seslint.core.logic import Logic
from seslint.core.patterns import arn_glob, glob

_S = z3.StringSort()
_R = z3.ReSort(_S)
ALL = z3.AllChar(_R)
ANYTHING = z3.Star(ALL)
NOT_COLON = z3.Union(z3.Range(chr(0), "9"), z3.Range(";", chr(0x2FFFF)))
NOT_AT = z3.Union(z3.Range(chr(0), "?"), z3.Range("A", chr(0x2FFFF)))
_LOCAL_AT = z3.Concat(z3.Plus(NOT_AT), z3.Re("@"))            # what a domain view's address has before its domain
_DOTTED = z3.Concat(ANYTHING, z3.Re("."), ANYTHING)


class Unknown(Exception):
    """Something the encoding cannot express faithfully; the message names it."""


class NoValue:
    """A policy variable without a value in this request."""


NO_VALUE = NoValue()
MULTIVALUED = NoValue()   # a policy variable naming a multivalued key: IAM does not define the result


def lit(text: str):
    """A z3 string literal, character for character (z3.StringVal reads `\\u{..}` as an escape)."""
    ctx = z3.main_ctx()
    codes = (ctypes.c_uint * len(text))(*[ord(c) for c in text])
    return z3.SeqRef(z3.z3core.Z3_mk_u32string(ctx.ref(), len(text), codes), ctx)


@lru_cache(maxsize=4096)
def glob_re(parts: tuple, ignore_case: bool = False, arn: bool = False, lowered: bool = False):
    """A z3 regex for wildcard template parts without variables, each run of wildcards as its
    minimum length and at most one star (`*?*?` is `??*`: the derivative automaton of `.*.*` grows
    with every pair, that of `..*` does not). `lowered`: the regex of the strings whose lower case
    matches (the preimage under lower-casing ASCII letters), for a value the request carries
    lower-cased, such as a domain identity's name."""
    items: list = []
    ones, star, colons = 0, False, 0
    for p in (*parts, ""):
        if p == V.ANY or p == V.ONE:
            ones += p == V.ONE
            star = star or p == V.ANY
            continue
        char = NOT_COLON if arn and colons < 5 else ALL   # before the fifth colon a wildcard stays in its segment
        if ones:
            items.append(char if ones == 1 else z3.Loop(char, ones, ones))
        if star:
            items.append(z3.Star(char))
        ones, star = 0, False
        if p:
            colons += p.count(":")
            items.append(_ci(p) if ignore_case else _lowered(p) if lowered else z3.Re(lit(p)))
    if not items:
        return z3.Re(lit(""))
    return items[0] if len(items) == 1 else z3.Concat(*items)


def _ci(text: str):
    chars = [_cased(c) for c in text]
    return chars[0] if len(chars) == 1 else z3.Concat(*chars)


def _lowered(text: str):
    """The strings whose lower case is `text`: a lower-case ASCII letter stands for either case, an
    upper-case one for nothing (lower-casing never gives it)."""
    if any("A" <= c <= "Z" for c in text):
        return z3.Empty(_R)
    chars = [_cased(c) if "a" <= c <= "z" else _char(c) for c in text]
    return chars[0] if len(chars) == 1 else z3.Concat(*chars)


@cache
def _cased(c: str):
    """A z3 regex for the character `c` in either case (once per character: z3's Python API takes
    tens of microseconds a term, and patterns repeat their characters)."""
    lower, upper = c.lower(), c.upper()
    return z3.Union(z3.Re(lit(lower)), z3.Re(lit(upper))) if lower != upper else z3.Re(lit(c))


@cache
def _char(c: str):
    return z3.Re(lit(c))


def clear_caches() -> None:
    """Forget the regexes built for patterns and characters, and the quotients of ARN patterns."""
    for cached in (glob_re, _cased, _char, _text_arn_quotient):
        cached.cache_clear()


def has_wildcards(parts: tuple) -> bool:
    return any(p in (V.ANY, V.ONE) for p in parts)


def resolve(parts: tuple, lookup) -> tuple | NoValue:
    """Resolve variables: `lookup(key)` gives a str, NO_VALUE, MULTIVALUED, or (present, z3 string) for a
    symbolic value. The result keeps z3 pieces as ("sym", present, expr) tuples; NO_VALUE or MULTIVALUED
    when a variable without a default has no value or several (`seslint.core.variables.resolve`)."""
    out: list = []
    for p in parts:
        if not isinstance(p, V.Var):
            out.append(p)
            continue
        value = lookup(p.key)
        if value is NO_VALUE or value is MULTIVALUED:
            if p.default is None:
                return value
            out.append(p.default)
        elif isinstance(value, str):
            out.append(value)
        else:
            present, expr = value
            if p.default is not None:
                out.append(("sym", True, z3.If(present, expr.expr() if isinstance(expr, View) else expr,
                                                lit(p.default))))
            else:
                out.append(("sym", present, expr))
    if all(not isinstance(p, tuple) for p in out):
        return tuple(V._merge(out))
    return tuple(out)


def is_symbolic(parts) -> bool:
    return any(isinstance(p, tuple) for p in parts)


@dataclass(frozen=True)
class View:
    """A symbolic string: `pre` + the variable, or + the domain part of the variable (an address
    `local@domain` whose parts hold no `@`), lower-cased (`lowered`), or + a parent of that domain of two
    labels at least (`parent`: some suffix after a dot that holds a dot). Matching a view becomes a
    membership of the variable alone, which keeps every string constraint on one variable (see
    `prove.solve`)."""

    var: Any
    pre: str = ""
    domain: bool = False
    lowered: bool = False
    parent: bool = False

    def expr(self):
        """The string as one z3 term (for patterns with symbolic policy variables)."""
        if self.lowered:
            raise Unknown("a policy variable whose value the send does not fix, compared with a lower-cased domain")
        base = self.var
        if self.domain:
            at = z3.IndexOf(self.var, lit("@"), 0)
            base = z3.SubString(self.var, at + 1, z3.Length(self.var) - at - 1)
        return z3.Concat(lit(self.pre), base) if self.pre else base

    def member(self, regex):
        if self.parent:
            regex = z3.Concat(_LOCAL_AT, z3.Plus(NOT_AT), z3.Re("."), z3.Intersect(regex, _DOTTED))
        elif self.domain:
            regex = z3.Concat(_LOCAL_AT, regex)
        return z3.InRe(self.var, regex)


def match(value, parts, mode: str, what: str):
    """z3 Bool (or Python bool for a concrete value): `value` (a View or a str) matches template
    `parts` (resolved) in `mode`: 'exact', 'ci' (ignore case), 'glob' (StringLike) or 'arn'."""
    if parts is NO_VALUE:
        return False
    if parts is MULTIVALUED:
        return Z3.undefined(f"a policy variable in {what} names a multivalued key")
    if not is_symbolic(parts):
        if mode == "arn" and arn_glob(parts) is None:
            raise Unknown(f"'{V.text(parts)}' in {what} is not an ARN")
        if isinstance(value, str):
            return _concrete(value, parts, mode)
        if mode == "exact":
            parts = tuple(V._merge([V.text(parts)]))
        if value.pre:
            if mode == "arn":
                raise Unknown(f"an ARN pattern on a composed value in {what}")
            suffixes = quotient(parts, value.pre, mode == "ci")
            if not suffixes:
                return False
            return any_(value.member(glob_re(p, mode == "ci", lowered=value.lowered)) for p in suffixes)
        return value.member(glob_re(parts, mode == "ci", mode == "arn", value.lowered))
    if mode == "ci" or (mode != "exact" and has_wildcards(parts)):
        raise Unknown(f"a policy variable whose value is not fixed, inside a {_MODES[mode]} pattern in {what}")
    if not isinstance(value, str) and _never_equal(value, parts):
        return False
    terms, presents = [], []
    for p in parts:
        if isinstance(p, tuple):
            _, present, expr = p
            terms.append(expr.expr() if isinstance(expr, View) else expr)
            if present is not True:
                presents.append(present)
        else:
            terms.append(lit("*" if p == V.ANY else "?" if p == V.ONE else p))
    joined = terms[0] if len(terms) == 1 else z3.Concat(*terms)
    target = lit(value) if isinstance(value, str) else value.expr()
    return all_([*presents, target == joined])


def _never_equal(value: View, parts: tuple) -> bool:
    """Whether the view can equal no value of symbolic `parts`, by their literal text alone: the
    pattern starts with other text than the view's fixed start (a template ARN against an identity
    ARN), or puts an `@` in a domain part."""
    first = next((i for i, p in enumerate(parts) if isinstance(p, tuple)), len(parts))
    lead = "".join(parts[:first])
    later = [p for p in parts[first:] if not isinstance(p, tuple)]
    pre = value.pre
    if not (lead.startswith(pre) or pre.startswith(lead)):
        return True
    return value.domain and ("@" in lead[len(pre):] or any("@" in t for t in later))


def _concrete(value: str, parts: tuple, mode: str) -> bool:
    """The evaluator's own matching of a concrete value."""
    if mode == "exact":
        return value == V.text(parts)
    if mode == "ci":
        return glob(tuple(p.lower() if p not in (V.ANY, V.ONE) else p for p in parts), ignore_case=False).fullmatch(
            value.lower()) is not None
    if mode == "arn":
        pattern = arn_glob(parts)
        return pattern is not None and pattern.fullmatch(value) is not None
    return glob(parts, ignore_case=False).fullmatch(value) is not None


def quotient(parts: tuple, pre: str, ignore_case: bool) -> list[tuple]:
    """The patterns the rest of a string must match once `pre` has matched its start (a left
    quotient, by simulating the pattern as an automaton on `pre`)."""
    tokens: list = []
    for p in parts:
        tokens.extend([p] if p in (V.ANY, V.ONE) else list(p))

    def closure(states):
        out = set()
        for i in states:
            while True:
                out.add(i)
                if i < len(tokens) and tokens[i] == V.ANY:
                    i += 1
                else:
                    break
        return out

    states = closure({0})
    for c in pre:
        step = set()
        for i in states:
            if i >= len(tokens):
                continue
            t = tokens[i]
            if t == V.ANY:
                step.add(i)
            elif t == V.ONE or t == c or (ignore_case and t.lower() == c.lower()):
                step.add(i + 1)
        states = closure(step)
    return [tuple(V._merge(tokens[i:])) for i in sorted(states)]


_MODES = {"ci": "case-insensitive", "glob": "wildcard", "arn": "wildcard ARN", "exact": "exact"}


_CROSSING, _IN_SEGMENT, _ONE_IN_SEGMENT = object(), object(), object()


def arn_quotient(parts: tuple, prefix: str, what: str) -> list[tuple]:
    """The patterns an ARN's resource part must match once its concrete `prefix` (the first five
    segments, with the fifth colon) has matched the start of an ARN pattern: a left quotient, with the
    evaluator's wildcard rules (`seslint.core.patterns.arn_glob`: before the fifth colon a wildcard stays
    in its segment unless it is a `*` that ends its segment). The resource part of a send's ARN holds no
    colon, so what is left of the pattern matches it as a plain wildcard pattern. A symbolic piece (a
    policy variable whose value the send does not fix) must not be reached inside the prefix."""
    head = parts[0] if parts and isinstance(parts[0], str) and parts[0] not in (V.ANY, V.ONE) else ""
    if len(head) > len(prefix):   # the prefix ends inside the pattern's literal head (most ARNs): no wildcard reached
        return [tuple(V._merge([head[len(prefix):], *parts[1:]]))] if head.startswith(prefix) else []
    if any(isinstance(p, tuple) for p in parts):   # a symbolic piece: its z3 term is no key to a cache
        return _arn_quotient(parts, prefix, what)
    return list(_text_arn_quotient(parts, prefix))


@lru_cache(maxsize=4096)
def _text_arn_quotient(parts: tuple, prefix: str) -> tuple:
    """`_arn_quotient` of a pattern of text and wildcards (the same ARN pattern recurs in every request
    on its kind of resource)."""
    return tuple(_arn_quotient(parts, prefix, ""))


def _arn_quotient(parts: tuple, prefix: str, what: str) -> list[tuple]:
    """`arn_quotient` by simulating the pattern, as an automaton, on the prefix."""
    tokens: list = []
    colons = 0
    for i, p in enumerate(parts):
        if isinstance(p, tuple):
            tokens.append(p)
        elif p == V.ANY:
            follows = parts[i + 1] if i + 1 < len(parts) else ":"
            crossing = colons >= 5 or (isinstance(follows, str) and follows.startswith(":"))
            tokens.append(_CROSSING if crossing else _IN_SEGMENT)
        elif p == V.ONE:
            tokens.append(V.ONE if colons >= 5 else _ONE_IN_SEGMENT)
        else:
            for ch in p:
                colons += ch == ":"
                tokens.append(ch)

    def closure(states):
        out, todo = set(), list(states)
        while todo:
            i = todo.pop()
            if i in out:
                continue
            out.add(i)
            if i < len(tokens) and (tokens[i] is _CROSSING or tokens[i] is _IN_SEGMENT):
                todo.append(i + 1)
        return out

    states = closure({0})
    for c in prefix:
        step = set()
        for i in states:
            if i >= len(tokens):
                continue
            t = tokens[i]
            if isinstance(t, tuple):
                raise Unknown(f"{what} has a policy variable before the resource part")
            if t is _CROSSING or (t is _IN_SEGMENT and c != ":"):
                step.add(i)
            elif t == c or (t is _ONE_IN_SEGMENT and c != ":") or t == V.ONE:
                step.add(i + 1)
        states = closure(step)
        if not states:
            return []
    plain = {_CROSSING: V.ANY, _IN_SEGMENT: V.ANY, _ONE_IN_SEGMENT: V.ONE}
    out = []
    for i in sorted(states):
        rest = [plain.get(t, t) if not isinstance(t, tuple) else t for t in tokens[i:]]
        out.append(tuple(V._merge(rest)))
    return out


TRUE, FALSE = z3.BoolVal(True), z3.BoolVal(False)


def B(x):
    """A z3 Bool from a z3 Bool or a Python bool."""
    if x is True:
        return TRUE
    if x is False:
        return FALSE
    return x


# And/Or/Not straight through the C API, folding the constants: building formulas is most of a
# proof's time, and z3.And/z3.Or spend it coercing and checking sorts.
def _build(fn, items: list):
    ctx = items[0].ctx
    args = (z3.Ast * len(items))(*[x.as_ast() for x in items])
    return z3.BoolRef(fn(ctx.ref(), len(items), args), ctx)


def all_(items):
    return _fold(items, True, TRUE, FALSE, z3.z3core.Z3_mk_and)


def any_(items):
    return _fold(items, False, FALSE, TRUE, z3.z3core.Z3_mk_or)


def _fold(items, neutral: bool, neutral_ref, absorbing_ref, make):
    """And (neutral True) or Or (neutral False) of `items`, folding constants and repeats."""
    out: list = []
    seen: set = set()
    for x in items:
        if x is neutral or x is neutral_ref:
            continue
        if x is (not neutral) or x is absorbing_ref:
            return absorbing_ref
        if id(x) not in seen:
            seen.add(id(x))
            out.append(x)
    if not out:
        return neutral_ref
    return out[0] if len(out) == 1 else _build(make, out)


def not_(x):
    if x is True or x is TRUE:
        return FALSE
    if x is False or x is FALSE:
        return TRUE
    return z3.BoolRef(z3.z3core.Z3_mk_not(x.ctx.ref(), x.as_ast()), x.ctx)


def if_(cond, then, other):
    """z3 Bool: `then` when `cond` holds, else `other` (Python bools or z3 Bools)."""
    if cond is True or cond is TRUE:
        return B(then)
    return any_([all_([cond, then]), all_([not_(cond), other])])


class Z3Logic(Logic):
    """The logic of `seslint.core.logic` over z3 Bools (constants folded). What IAM leaves undefined is a
    fresh Bool, free to go either way: a proof then holds whichever way IAM decides, and a witness that
    needs one way is refused by the evaluator's re-check (the answer is then unknown)."""

    true: Any = TRUE
    false: Any = FALSE

    def all(self, items):
        return all_(items)

    def any(self, items):
        return any_(items)

    def not_(self, x):
        return not_(x)

    def ite(self, cond, then, other):
        return if_(cond, then, other)

    def undefined(self, why: str):
        return z3.Bool(f"undefined: {why}")


Z3 = Z3Logic()
