"""Emptiness of regex intersections, by Brzozowski derivatives, without calling the solver.

Every string question of the lazy loop (`prove.solve`) is: do these memberships and
non-memberships of one string variable hold together, and for which string? z3 answers each in
milliseconds; the regexes of policies (IAM globs, address shapes, SES name limits) are small,
and walking their derivatives answers in microseconds. Derivatives of extended regexes
(with intersection and complement) under ACI normalization of union and intersection have
finitely many states (Brzozowski 1964, "Derivatives of regular expressions"), so a breadth-first
walk decides emptiness exactly and gives a shortest witness. A regex this module does not read,
or a walk past MAX_STATES (the size bound of one automaton), raises `TooHard` and the caller asks
z3 instead, if the regexes are small enough for z3 to take at all (`z3_size`).

Bounded by design: concatenation moves a fixed-length part ahead of a star of it (`.*.` is `..*`,
so the `*?*?` of a wildcard pattern is `??*`), which keeps a wildcard pattern's automaton linear in
its length; every walk counts the steps of its derivatives against the question's `Budget`; and nothing here
recurses on the length of a pattern (a 330-character value once overflowed Python's stack): z3's
terms are converted with an explicit stack, and a concatenation is walked as the chain it is.
Recursion is left only on the nesting of regex operators, which the encoding keeps shallow.

The alphabet is z3's: code points 0 to 0x2FFFF (z3's default unicode encoding).
"""

from __future__ import annotations

import ctypes
from collections import deque
from functools import cache
from itertools import count

import z3
import z3.z3core as C

from seslint.prove import terms as T
from seslint.prove.budget import Budget

MAX_CHAR = 0x2FFFF
MAX_STATES = 20_000
MAX_Z3_TERMS = 2_000   # past this many terms z3 may spend minutes just simplifying a regex
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

    __slots__ = ("op", "args", "nullable", "uid", "size", "firsts", "classes", "example", "cost")

    def __init__(self, op: str, args: tuple, nullable: bool, uid: int):
        self.op, self.args, self.nullable, self.uid = op, args, nullable, uid
        # What taking a derivative costs, whatever is memoized: the parts `deriv` walks (of a
        # concatenation, its head, and what follows while the heads may be empty).
        parts = [a for a in args if type(a) is Node]
        if op == "cat" and not parts[0].nullable:
            parts = parts[:1]
        self.size: int = 1 + sum(a.size for a in parts)
        self.firsts: tuple | None = None
        self.classes: list | None = None
        self.example: object = _UNSET   # witness(), once computed
        self.cost = 0                   # what computing it spent: spent again when it is reused


_table: dict = {}
_derivs: dict = {}
_from_z3: dict = {}
_partitions: dict = {}   # character sets -> `_classes` (by content)
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
        _partitions.clear()
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
    """`a` then `b`, as a chain: the first part of a "cat" node is never itself a "cat"."""
    if a is EMPTY or b is EMPTY:
        return EMPTY
    heads = []
    while a.op == "cat":
        heads.append(a.args[0])
        a = a.args[1]
    out = _cat(a, b)
    for x in reversed(heads):
        out = _cat(x, out)
    return out


def _cat(a: Node, b: Node) -> Node:
    """`a` (no "cat") then `b`. X*X is XX* and X*X* is X*: every X a star of X is followed by moves
    ahead of it, so `.*.*.` becomes `..*`."""
    if a is EMPTY or b is EMPTY:
        return EMPTY
    if a is EPS:
        return b
    if b is EPS:
        return a
    if a.op != "star" or a.args[0].op == "cat":
        return _mk("cat", (a, b), a.nullable and b.nullable)
    x, ahead = a.args[0], 0
    while b is not EPS:
        head = b.args[0] if b.op == "cat" else b
        if head is not x and head is not a:
            break
        ahead += head is x
        b = b.args[1] if b.op == "cat" else EPS
    out = a if b is EPS else _mk("cat", (a, b), b.nullable)
    for _ in range(ahead):
        out = _mk("cat", (x, out), x.nullable and out.nullable)
    return out


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
        # d(x1 x2 ... xn) = d(x1) x2...xn, or also d(x2 ... xn) while the heads are nullable: along
        # the chain, not by recursion on its length.
        parts, at = [], n
        while True:
            head, rest = at.args
            parts.append(cat(deriv(head, c), rest))
            if not head.nullable:
                break
            if rest.op != "cat":
                parts.append(deriv(rest, c))
                break
            at = rest
        out = union(parts)
    elif op == "or":
        out = union([deriv(x, c) for x in args])
    elif op == "and":
        parts = []
        for x in args:   # a part without the character makes it EMPTY: the others' derivatives are not needed
            parts.append(deriv(x, c))
            if parts[-1] is EMPTY:
                break
        out = inter(parts)
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
    """The character sets (each a "chars" node's ranges) a word of `n` may start with: a character's
    derivative depends only on which of them hold it."""
    if n.firsts is None:
        op, args = n.op, n.args
        if op == "chars":
            out: tuple = (args,)
        elif op == "cat":
            out, at = (), n
            while at.op == "cat":
                out += _firsts(at.args[0])
                if not at.args[0].nullable:
                    break
                at = at.args[1]
            else:
                out += _firsts(at)
        elif op in ("or", "and"):
            out = tuple(r for x in args for r in _firsts(x))
        elif op in ("not", "star", "loop"):
            out = _firsts(args[0])
        else:
            out = ()
        n.firsts = tuple(sorted(set(out)))
    return n.firsts


def _classes(n: Node) -> list[tuple[int, int]]:
    """(rank, nicest character) per class of characters with one derivative, nicest first: the
    classes are the cells of the partition of the alphabet by the sets `_firsts` gives (the
    characters no set holds are one class, however many gaps they fill)."""
    if n.classes is None:
        n.classes = _partition(_firsts(n))
    return n.classes


def _partition(sets: tuple) -> list[tuple[int, int]]:
    """`_classes` of states that start with these character sets: one sweep over their bounds, each
    stretch between two bounds in the class of the sets that hold it."""
    found = _partitions.get(sets)
    if found is None:
        bounds = sorted((at, 1 << j) for j, ranges in enumerate(sets) for lo, hi in ranges for at in (lo, hi + 1))
        nicest: dict = {}   # which sets hold a stretch (a bit mask) -> the nicest character of the class
        inside, at, k = 0, 0, 0
        while at <= MAX_CHAR:
            while k < len(bounds) and bounds[k][0] == at:
                inside ^= bounds[k][1]
                k += 1
            end = bounds[k][0] - 1 if k < len(bounds) else MAX_CHAR
            best = _nicest(at, end)
            if inside not in nicest or best < nicest[inside]:
                nicest[inside] = best
            at = end + 1
        found = _partitions[sets] = sorted(nicest.values())
    return found


def _nicest(lo: int, hi: int) -> tuple[int, int]:
    if lo > 0x7F:
        return _WORST + lo, lo
    return _nicest_ascii(lo, min(hi, 0x7F))


@cache
def _nicest_ascii(lo: int, hi: int) -> tuple[int, int]:
    """(rank, code) of the nicest ASCII character from `lo` to `hi` (a fixed table, filled lazily)."""
    return min((_RANK.get(c, _WORST + c), c) for c in range(lo, hi + 1))


def witness(n: Node, budget: Budget | None = None) -> str | None:
    """A shortest string of `n` (readable characters first), or None when `n` is empty. The walk
    spends from `budget` (OutOfBudget past it) what it would cost with nothing memoized, and a reused
    answer what it cost: so the same question costs the same whatever was asked before it."""
    budget = budget or Budget()
    if n.example is _UNSET:
        before = budget.left
        n.example = _walk(n, budget)
        n.cost = before - budget.left
    else:
        budget.spend(n.cost, "deciding string memberships by derivatives")
    return n.example  # type: ignore[return-value]


def accepts(n: Node, text: str, budget: Budget) -> bool:
    """Whether `text` is a word of `n` (derivatives along it)."""
    for ch in text:
        budget.spend(n.size, "deciding string memberships by derivatives")
        n = deriv(n, ord(ch))
        if n is EMPTY:
            return False
    return n.nullable


def _walk(n: Node, budget: Budget) -> str | None:
    if n.nullable:
        return ""
    seen: dict = {n: None}
    queue = deque([n])
    while queue:
        state = queue.popleft()
        classes = _classes(state)
        budget.spend(state.size * len(classes), "deciding string memberships by derivatives")
        for _, char in classes:
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
    """The node of a z3 regex, memoized by AST id (the root's Python object is kept, so neither its
    id nor its subterms' ids are reused while the memo holds them). Children first, from an
    explicit stack, through z3's C API; a concatenation, which z3 nests one level per part, as the
    flat list of its parts, joined once from the right (linear in its length)."""
    ref = r.ctx.ref()
    root = r.as_ast()
    rid = T.Z3_get_ast_id(ref, root)
    found = _from_z3.get(rid)
    if found is not None:
        return found[1]
    stack = [(root, False)]
    parts: dict = {}   # term id -> ids of its children (of a concatenation: all its parts)
    while stack:
        term, ready = stack.pop()
        tid = T.Z3_get_ast_id(ref, term)
        if tid in _from_z3:
            continue
        kind = T.Z3_get_decl_kind(ref, T.Z3_get_app_decl(ref, term))
        if not ready:
            kids = [] if kind in (z3.Z3_OP_SEQ_TO_RE, z3.Z3_OP_RE_RANGE) else _children(ref, term, kind)
            parts[tid] = [T.Z3_get_ast_id(ref, kid) for kid in kids]
            stack.append((term, True))
            stack.extend((kid, False) for kid in kids)
            continue
        _from_z3[tid] = (r, _convert(ref, term, kind, [_from_z3[kid][1] for kid in parts.pop(tid)]))
    return _from_z3[rid][1]


def z3_size(regexes, limit: int = MAX_Z3_TERMS) -> int:
    """The number of distinct terms of z3 regexes, counted up to `limit` (then `limit` + 1)."""
    seen: set = set()
    stack = [r.as_ast() for r in regexes]
    ref = regexes[0].ctx.ref() if regexes else None
    while stack and len(seen) <= limit:
        term = stack.pop()
        tid = T.Z3_get_ast_id(ref, term)
        if tid not in seen:
            seen.add(tid)
            if T.Z3_get_ast_kind(ref, term) == z3.Z3_APP_AST:
                stack.extend(_args(ref, term))
    return len(seen)


def _args(ref, term) -> list:
    return [T.Z3_get_app_arg(ref, term, i) for i in range(T.Z3_get_app_num_args(ref, term))]


def _children(ref, term, kind: int) -> list:
    """The children of a z3 regex; of a concatenation, its parts in order, nested ones included."""
    if kind != z3.Z3_OP_RE_CONCAT:
        return _args(ref, term)
    out, stack = [], [term]
    while stack:
        t = stack.pop()
        if T.Z3_get_decl_kind(ref, T.Z3_get_app_decl(ref, t)) == z3.Z3_OP_RE_CONCAT:
            stack.extend(reversed(_args(ref, t)))
        else:
            out.append(t)
    return out


def _codes(ref, ast) -> list[int]:
    if not T.Z3_is_string(ref, ast):
        raise TooHard("a regex over a non-literal string")
    n = T.Z3_get_string_length(ref, ast)
    buf = (ctypes.c_uint * n)()
    T.Z3_get_string_contents(ref, ast, n, buf)
    return list(buf)


def text_of(s) -> str:
    """The characters of a z3 string value (`as_string` escapes some)."""
    return "".join(map(chr, _codes(s.ctx_ref(), s.as_ast())))


def _convert(ref, r, k: int, kids: list) -> Node:
    """The node of z3 regex `r` (an AST) of kind `k`, whose children are the nodes `kids`."""
    if k == z3.Z3_OP_SEQ_TO_RE:
        out = EPS
        for c in reversed(_codes(ref, T.Z3_get_app_arg(ref, r, 0))):
            out = cat(chars(((c, c),)), out)
        return out
    if k == z3.Z3_OP_RE_RANGE:
        lo, hi = (_codes(ref, T.Z3_get_app_arg(ref, r, i)) for i in (0, 1))
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
    decl = T.Z3_get_app_decl(ref, r)
    if k == z3.Z3_OP_RE_LOOP:
        params = [T.Z3_get_decl_int_parameter(ref, decl, i) for i in range(T.Z3_get_decl_num_parameters(ref, decl))]
        return loop(kids[0], params[0], params[1] if len(params) > 1 else None)
    raise TooHard(f"regex operator {C.Z3_get_symbol_string(ref, C.Z3_get_decl_name(ref, decl))}")
