"""Emptiness of regex intersections, by Brzozowski derivatives, without calling the solver.

Every string question of the lazy loop (`prove.solve`) is: do these memberships and
non-memberships of one string variable hold together, and for which string? z3 answers each in
milliseconds; the regexes of policies (IAM globs, address shapes, SES name limits) are small,
and walking their derivatives answers in microseconds. Derivatives of extended regexes
(with intersection and complement) under ACI normalization of union and intersection have
finitely many states (Brzozowski 1964, "Derivatives of regular expressions"), so a breadth-first
walk decides emptiness exactly and gives a shortest witness. A regex this module does not read,
or a walk past MAX_STATES, raises `TooHard` and the caller asks z3 instead.

The alphabet is z3's: code points 0 to 0x2FFFF (z3's default unicode encoding).
"""

from __future__ import annotations

import ctypes
from collections import deque
from functools import cache
from itertools import count

import z3

MAX_CHAR = 0x2FFFF
MAX_STATES = 5000
MAX_NODES = 200_000
# Readable witnesses: among characters that lead to the same state, the first of these.
_NICE = "abcdefghijklmnopqrstuvwxyz.@0123456789-_ABCDEFGHIJKLMNOPQRSTUVWXYZ+!#$%&'*/=?^`{|}~ ()<>[]:;,\"\\"
_RANK = {ord(c): rank for rank, c in enumerate(_NICE)}
_WORST = len(_NICE)


_UNSET = object()


class TooHard(Exception):
    """A regex this module does not read, or too many states: ask z3."""


class Node:
    """A hash-consed regex: equal regexes are the same object, so identity is equality."""

    __slots__ = ("op", "args", "nullable", "uid", "firsts", "classes", "example")

    def __init__(self, op: str, args: tuple, nullable: bool, uid: int):
        self.op, self.args, self.nullable, self.uid = op, args, nullable, uid
        self.firsts: tuple | None = None
        self.classes: list | None = None
        self.example: object = _UNSET   # witness(), once computed


_table: dict = {}
_derivs: dict = {}
_from_z3: dict = {}
_ids = count()


def _mk(op: str, args: tuple, nullable: bool) -> Node:
    key = (op, args)
    found = _table.get(key)
    if found is None:
        found = _table[key] = Node(op, args, nullable, next(_ids))
    return found


def reset_if_large(limit: int = MAX_NODES) -> None:
    """Forget every node when the tables have grown past `limit` (they are content caches)."""
    if len(_table) + len(_derivs) > limit:
        _table.clear()
        _derivs.clear()
        _from_z3.clear()
        _init()


def _init() -> None:
    global EMPTY, EPS, ANY, FULL
    EMPTY, EPS = _mk("empty", (), False), _mk("eps", (), True)
    ANY = _mk("chars", ((0, MAX_CHAR),), False)
    FULL = _mk("star", (ANY,), True)


EMPTY = EPS = ANY = FULL = Node("", (), False, -1)
_init()


def chars(ranges) -> Node:
    merged: list = []
    for lo, hi in sorted(r for r in ranges if r[0] <= r[1]):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return _mk("chars", tuple(merged), False) if merged else EMPTY


def cat(a: Node, b: Node) -> Node:
    if a is EMPTY or b is EMPTY:
        return EMPTY
    if a is EPS:
        return b
    if b is EPS:
        return a
    if a.op == "cat":
        return cat(a.args[0], cat(a.args[1], b))
    return _mk("cat", (a, b), a.nullable and b.nullable)


def union(items) -> Node:
    parts: dict = {}
    ranges: list = []
    for x in items:
        for y in (x.args if x.op == "or" else (x,)):
            if y is FULL:
                return FULL
            if y.op == "chars":
                ranges += y.args
            elif y is not EMPTY:
                parts[y.uid] = y
    if ranges:
        c = chars(ranges)
        parts[c.uid] = c
    return _flat("or", parts, EMPTY, any)


def inter(items) -> Node:
    parts: dict = {}
    for x in items:
        for y in (x.args if x.op == "and" else (x,)):
            if y is EMPTY:
                return EMPTY
            if y is not FULL:
                parts[y.uid] = y
    return _flat("and", parts, FULL, all)


def _flat(op: str, parts: dict, identity: Node, nullable) -> Node:
    """The `op` node of the distinct `parts` (by uid, in uid order): `identity` for none, the part for one."""
    if not parts:
        return identity
    if len(parts) == 1:
        return next(iter(parts.values()))
    ordered = tuple(parts[k] for k in sorted(parts))
    return _mk(op, ordered, nullable(p.nullable for p in ordered))


def compl(a: Node) -> Node:
    if a.op == "not":
        return a.args[0]
    if a is EMPTY:
        return FULL
    if a is FULL:
        return EMPTY
    return _mk("not", (a,), not a.nullable)


def star(a: Node) -> Node:
    if a is EMPTY or a is EPS:
        return EPS
    if a.op == "star":
        return a
    return _mk("star", (a,), True)


def loop(a: Node, lo: int, hi: int | None) -> Node:
    if hi is None and lo == 0:
        return star(a)
    if hi == 0 or a is EPS:
        return EPS
    if a is EMPTY:
        return EPS if lo == 0 else EMPTY
    return _mk("loop", (a, lo, hi), lo == 0 or a.nullable)


def deriv(n: Node, c: int) -> Node:
    """The derivative of `n` by the character `c`."""
    key = (n, c)
    found = _derivs.get(key)
    if found is not None:
        return found
    op, args = n.op, n.args
    if op == "chars":
        out = EPS if any(lo <= c <= hi for lo, hi in args) else EMPTY
    elif op == "cat":
        out = cat(deriv(args[0], c), args[1])
        if args[0].nullable:
            out = union((out, deriv(args[1], c)))
    elif op == "or":
        out = union([deriv(x, c) for x in args])
    elif op == "and":
        out = inter([deriv(x, c) for x in args])
    elif op == "not":
        out = compl(deriv(args[0], c))
    elif op == "star":
        out = cat(deriv(args[0], c), n)
    elif op == "loop":
        a, lo, hi = args
        out = cat(deriv(a, c), loop(a, max(lo - 1, 0), None if hi is None else hi - 1))
    else:
        out = EMPTY
    _derivs[key] = out
    return out


def _firsts(n: Node) -> tuple:
    """The character ranges whose characters may start a word of `n` (each range boundary splits
    the alphabet into classes that lead to the same derivative)."""
    if n.firsts is None:
        op, args = n.op, n.args
        if op == "chars":
            out: tuple = args
        elif op == "cat":
            out = _firsts(args[0]) + (_firsts(args[1]) if args[0].nullable else ())
        elif op in ("or", "and"):
            out = tuple(r for x in args for r in _firsts(x))
        elif op in ("not", "star", "loop"):
            out = _firsts(args[0])
        else:
            out = ()
        n.firsts = tuple(sorted(set(out)))
    return n.firsts


def _classes(n: Node) -> list[tuple[int, int]]:
    """(rank, nicest character) per class of characters with one derivative, nicest first."""
    if n.classes is None:
        points = {0, MAX_CHAR + 1}
        for lo, hi in _firsts(n):
            points.add(lo)
            points.add(hi + 1)
        bounds = sorted(points)
        out = [_nicest(lo, nxt - 1) for lo, nxt in zip(bounds, bounds[1:], strict=False)]
        out.sort()
        n.classes = out
    return n.classes


def _nicest(lo: int, hi: int) -> tuple[int, int]:
    if lo > 0x7F:
        return _WORST + lo, lo
    return _nicest_ascii(lo, min(hi, 0x7F))


@cache
def _nicest_ascii(lo: int, hi: int) -> tuple[int, int]:
    """(rank, code) of the nicest ASCII character from `lo` to `hi` (a fixed table, filled lazily)."""
    return min((_RANK.get(c, _WORST + c), c) for c in range(lo, hi + 1))


def witness(n: Node) -> str | None:
    """A shortest string of `n` (readable characters first), or None when `n` is empty."""
    if n.example is _UNSET:
        n.example = _walk(n)
    return n.example  # type: ignore[return-value]


def _walk(n: Node) -> str | None:
    if n.nullable:
        return ""
    seen: dict = {n: None}
    queue = deque([n])
    while queue:
        state = queue.popleft()
        for _, char in _classes(state):
            d = deriv(state, char)   # the nicest character: the same ones recur, so derivatives are shared
            if d is EMPTY or d in seen:
                continue
            seen[d] = (state, char)
            if d.nullable:
                out = []
                at = d
                while seen[at] is not None:
                    at, ch = seen[at]
                    out.append(chr(ch))
                return "".join(reversed(out))
            queue.append(d)
        if len(seen) > MAX_STATES:
            raise TooHard(f"more than {MAX_STATES} states")
    return None


def from_z3(r) -> Node:
    """The node of a z3 regex (memoized by AST id; the AST is kept so its id is not reused)."""
    rid = r.get_id()
    found = _from_z3.get(rid)
    if found is not None:
        return found[1]
    node = _convert(r)
    _from_z3[rid] = (r, node)
    return node


def _codes(s) -> list[int]:
    if not z3.is_string_value(s):
        raise TooHard("a regex over a non-literal string")
    ctx, ast = s.ctx_ref(), s.as_ast()
    n = z3.z3core.Z3_get_string_length(ctx, ast)
    buf = (ctypes.c_uint * n)()
    z3.z3core.Z3_get_string_contents(ctx, ast, n, buf)
    return list(buf)


def text_of(s) -> str:
    """The characters of a z3 string value (`as_string` escapes some)."""
    return "".join(map(chr, _codes(s)))


def _convert(r) -> Node:
    k = r.decl().kind()
    kids = [from_z3(r.arg(i)) for i in range(r.num_args())] if k != z3.Z3_OP_SEQ_TO_RE and k != z3.Z3_OP_RE_RANGE \
        else []
    if k == z3.Z3_OP_SEQ_TO_RE:
        out = EPS
        for c in reversed(_codes(r.arg(0))):
            out = cat(chars(((c, c),)), out)
        return out
    if k == z3.Z3_OP_RE_RANGE:
        lo, hi = _codes(r.arg(0)), _codes(r.arg(1))
        return chars(((lo[0], hi[0]),)) if len(lo) == 1 and len(hi) == 1 else EMPTY
    if k == z3.Z3_OP_RE_FULL_CHAR_SET:
        return ANY
    if k == z3.Z3_OP_RE_FULL_SET:
        return FULL
    if k == z3.Z3_OP_RE_EMPTY_SET:
        return EMPTY
    if k == z3.Z3_OP_RE_CONCAT:
        out = EPS
        for kid in reversed(kids):
            out = cat(kid, out)
        return out
    if k == z3.Z3_OP_RE_UNION:
        return union(kids)
    if k == z3.Z3_OP_RE_INTERSECT:
        return inter(kids)
    if k == z3.Z3_OP_RE_COMPLEMENT:
        return compl(kids[0])
    if k == z3.Z3_OP_RE_STAR:
        return star(kids[0])
    if k == z3.Z3_OP_RE_PLUS:
        return cat(kids[0], star(kids[0]))
    if k == z3.Z3_OP_RE_OPTION:
        return union((EPS, kids[0]))
    if k == z3.Z3_OP_RE_LOOP:
        params = r.decl().params()
        return loop(kids[0], params[0], params[1] if len(params) > 1 else None)
    raise TooHard(f"regex operator {r.decl().name()}")
