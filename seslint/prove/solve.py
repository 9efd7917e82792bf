"""Solving: a lazy split between the Boolean structure and the string memberships.

Every string constraint the encoding makes is a regular membership of one string variable
(`strings.View` keeps it so). z3's string solver is slow on disjunctions of such memberships.
So each membership atom becomes a Boolean; a SAT model of the Boolean problem is accepted when,
for each string variable, the memberships it assigns can hold together (decided on that variable
alone by `prove.regex`, or by z3 past its limits); otherwise the conflicting atoms (an unsat
core) are blocked and the search goes on. This is the standard lazy SMT loop, so answers are
exact. Formulas with other string terms (symbolic policy variables) go to z3 whole.
"""

from __future__ import annotations

import z3
import z3.z3core as C

from seslint.prove import regex as R
from seslint.prove.strings import all_, lit

_IN_RE = z3.Z3_OP_SEQ_IN_RE
# Readable witnesses first: letters, then common address characters, then anything.
NICE = (z3.Star(z3.Union(z3.Range("a", "z"), z3.Re("."), z3.Re("@"))),
        z3.Star(z3.Union(z3.Range("a", "z"), z3.Range("A", "Z"), z3.Range("0", "9"), z3.Re("."), z3.Re("-"),
                         z3.Re("@"), z3.Re("_"), z3.Re("/"), z3.Re(" "))))
MAX_ROUNDS = 500


class Model:
    """A model: the Boolean problem's model plus a value for each string variable."""

    def __init__(self, model, strings: dict):
        self.model = model
        self.pairs = [(var, lit(value)) for var, value in strings.values()]
        self.values = {var.get_id(): value for var, value in self.pairs}

    def eval(self, expr, model_completion=True):
        value = self.values.get(expr.get_id())
        if value is not None:
            return value
        if self.pairs:
            expr = substitute(expr, self.pairs)
        return self.model.eval(expr, model_completion=model_completion)


def _atoms(formulas) -> tuple[dict, bool]:
    """Membership atoms by id, and whether any other string term occurs (through the C API: this
    walks every formula of a principal)."""
    atoms: dict = {}
    if not formulas:
        return atoms, False
    ctx = formulas[0].ctx
    ref = ctx.ref()
    seen: set = set()
    other = False
    stack = [f.as_ast() for f in formulas]
    while stack:
        a = stack.pop()
        aid = C.Z3_get_ast_id(ref, a)
        if aid in seen:
            continue
        seen.add(aid)
        if C.Z3_get_ast_kind(ref, a) != z3.Z3_APP_AST:
            continue
        kind = C.Z3_get_decl_kind(ref, C.Z3_get_app_decl(ref, a))
        if kind == _IN_RE:
            var = C.Z3_get_app_arg(ref, a, 0)
            if C.Z3_get_app_num_args(ref, var) == 0 and \
                    C.Z3_get_decl_kind(ref, C.Z3_get_app_decl(ref, var)) == z3.Z3_OP_UNINTERPRETED:
                atoms[aid] = z3.BoolRef(a, ctx)
                continue
        if C.Z3_get_sort_kind(ref, C.Z3_get_sort(ref, a)) in (z3.Z3_SEQ_SORT, z3.Z3_RE_SORT):
            other = True
            continue
        stack.extend(C.Z3_get_app_arg(ref, a, i) for i in range(C.Z3_get_app_num_args(ref, a)))
    return atoms, other


def substitute(formula, pairs):
    """`z3.substitute` through the C API, in one call for many pairs."""
    if not pairs:
        return formula
    n = len(pairs)
    old = (z3.Ast * n)(*[a.as_ast() for a, _ in pairs])
    new = (z3.Ast * n)(*[b.as_ast() for _, b in pairs])
    return z3.z3._to_expr_ref(C.Z3_substitute(formula.ctx.ref(), formula.as_ast(), n, old, new), formula.ctx)


class Lazy:
    """A base problem asserted once, asked `check(extra)` for several `extra` formulas in turn
    (push/pop). The blocked combinations are facts about strings, so they are kept for the next
    questions."""

    def __init__(self, base: list, timeout_ms: int):
        R.reset_if_large()
        self.base = base
        self.timeout = timeout_ms
        self.names: dict = {}       # atom id -> (atom, its Boolean name, regex id, variable)
        self.cache: dict = {}       # ((regex id, wanted), ...) -> _realize's answer
        atoms, self.other = _atoms(base)
        self.active = self._register(atoms)
        self.solver = z3.Solver()
        self.solver.set("timeout", timeout_ms)
        if not self.other:
            self.solver.add(*self._abstract(base, atoms))

    def _register(self, atoms: dict) -> set:
        for eid, atom in atoms.items():
            if eid not in self.names:
                self.names[eid] = (atom, z3.Bool(f"atom!{eid}"), atom.arg(1).get_id(), atom.arg(0))
        return set(atoms)

    def _abstract(self, formulas, atoms: dict) -> list:
        pairs = [(atom, self.names[eid][1]) for eid, atom in atoms.items()]
        return [substitute(all_(formulas), pairs)] if formulas else []

    def check(self, extra=()):
        """(z3.sat / z3.unsat / z3.unknown, Model or None, reason) for the base and `extra`."""
        atoms, other = _atoms(extra)
        if self.other or other or not (self.active or atoms):
            solver = z3.Solver()
            solver.set("timeout", self.timeout)
            solver.add(*self.base, *extra)
            answer = solver.check()
            return answer, (Model(solver.model(), {}) if answer == z3.sat else None), solver.reason_unknown()
        active = self.active | self._register(atoms)
        lemmas: list = []
        self.solver.push()
        try:
            self.solver.add(*self._abstract(extra, atoms))
            return self._loop(active, lemmas)
        finally:
            self.solver.pop()
            for lemma in lemmas:
                self.solver.add(lemma)

    def _loop(self, active: set, lemmas: list):
        by_var: dict = {}
        for eid in sorted(active):
            _, name, rid, var = self.names[eid]
            by_var.setdefault(var.get_id(), (var, []))[1].append((rid, eid))
        main = self.solver
        for _ in range(MAX_ROUNDS):
            answer = main.check()
            if answer != z3.sat:
                return answer, None, main.reason_unknown()
            m = main.model()
            strings, blocked = {}, False
            for vid, (var, items) in by_var.items():
                lits = sorted((rid, z3.is_true(m.eval(self.names[eid][1], model_completion=True)), eid)
                              for rid, eid in items)
                key = tuple((r, v) for r, v, _ in lits)
                found = self.cache.get(key)
                if found is None:
                    found = self.cache[key] = _realize(var, [(self.names[i][0], v) for _, v, i in lits],
                                                       self.timeout)
                ok, value = found
                if ok:
                    strings[vid] = (var, value)
                    continue
                # value: positions of the core among the literals; block that combination.
                names = [self.names[lits[k][2]][1] for k in value]
                lemma = z3.Or(*[z3.Not(n) if lits[k][1] else n for n, k in zip(names, value, strict=True)])
                main.add(lemma)
                lemmas.append(lemma)
                blocked = True
            if not blocked:
                return z3.sat, Model(m, strings), ""
        return z3.unknown, None, f"no answer after {MAX_ROUNDS} refinement rounds"


def check(formulas, timeout_ms: int):
    """(z3.sat / z3.unsat / z3.unknown, Model or None, reason): one question, no base."""
    return Lazy([], timeout_ms).check(formulas)


def _realize(var, lits, timeout_ms: int):
    """(True, a value) when the memberships can hold together, else (False, core positions).
    The derivative engine answers; z3 only for a regex it does not read or too many states."""
    try:
        nodes = [R.from_z3(atom.arg(1)) if value else R.compl(R.from_z3(atom.arg(1))) for atom, value in lits]

        def empty(keep) -> bool:
            return R.witness(R.inter([nodes[i] for i in keep])) is None

        # A conflict between two literals is found on small (and shared) intersections, before
        # walking the product of all of them.
        positive = [i for i, (_, value) in enumerate(lits) if value]
        small = _small_core(empty, len(nodes), positive)
        if small:
            return False, small
        value = R.witness(R.inter(nodes))
        if value is not None:
            return True, value
        return False, _core(empty, len(nodes))
    except R.TooHard:
        return _realize_z3(var, lits, timeout_ms)


def _realize_z3(var, lits, timeout_ms: int):
    """`_realize` by z3: one membership of the intersection is much easier for it than the
    literals one by one."""
    regexes = [atom.arg(1) if value else z3.Complement(atom.arg(1)) for atom, value in lits]

    def empty(keep, timeout=timeout_ms) -> bool:
        side = z3.Solver()
        side.set("timeout", timeout)
        parts = [regexes[i] for i in keep]
        side.add(z3.InRe(var, z3.Intersect(*parts) if len(parts) > 1 else parts[0]))
        return side.check() == z3.unsat

    answer = None
    for extra in ([NICE[0]], [NICE[1]], []):
        side = z3.Solver()
        side.set("timeout", timeout_ms)
        side.add(z3.InRe(var, z3.Intersect(*regexes, *extra) if len(regexes) + len(extra) > 1 else regexes[0]))
        answer = side.check()
        if answer == z3.sat:
            return True, R.text_of(side.model().eval(var, model_completion=True))
    if answer != z3.unsat:
        raise z3.Z3Exception(f"string solver gave up: {side.reason_unknown()}")
    return False, _core(lambda keep: empty(keep, 1000), len(regexes))


def _small_core(empty, n: int, positive) -> list[int]:
    """One literal, or two with a positive one, that cannot hold (two negative ones conflict only
    when their patterns cover every string: left to `_core`); [] when there is none."""
    for i in range(n):
        if empty([i]):
            return [i]
    for i in positive:
        for j in range(n):
            if j != i and empty(sorted((i, j))):
                return sorted((i, j))
    return []


def _core(empty, n: int) -> list[int]:
    """A small set of literal positions that cannot hold together (deletion-based): `empty(keep)`
    tells whether the literals at positions `keep` cannot."""
    keep = list(range(n))
    for k in range(n):
        trial = [i for i in keep if i != k]
        if trial and empty(trial):
            keep = trial
    return keep
