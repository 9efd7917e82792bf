"""Solving: a lazy split between the Boolean structure and the string memberships.

Every string constraint the encoding makes is a regular membership of one string variable
(`strings.View` keeps it so). z3's string solver is slow on disjunctions of such memberships.
So each membership atom becomes a Boolean; a SAT model of the Boolean problem is accepted when,
for each string variable, the memberships it assigns can hold together (decided on that variable
alone by `prove.regex`, or by z3 past its limits); otherwise the conflicting atoms (an unsat
core) are blocked and the search goes on. This is the standard lazy SMT loop, so answers are
exact.

A policy variable whose value the send does not fix (`${aws:username}` with no principal) makes an
equation between strings: `from == u ++ "@example.com"`. Where such a free symbol `u` occurs in no
other atom, it is eliminated exactly: some `u` makes the equation true when `from` matches
`*@example.com`, and some `u` makes it false always, so the equation becomes a Boolean that implies
that membership, and `u` is read back from `from` for the witness. Formulas with other string terms
go to z3 whole. Every question spends one `Budget` (`prove.budget`): past it, the answer is unknown
at once, with the reason.
"""

from __future__ import annotations

import z3
import z3.z3core as C

from seslint.core import variables as V
from seslint.prove import regex as R, terms as T
from seslint.prove.budget import Budget, OutOfBudget, current
from seslint.prove.strings import FALSE, View, all_, glob_re, lit

_IN_RE = z3.Z3_OP_SEQ_IN_RE
# Readable witnesses first: letters, then common address characters, then anything.
NICE = (z3.Star(z3.Union(z3.Range("a", "z"), z3.Re("."), z3.Re("@"))),
        z3.Star(z3.Union(z3.Range("a", "z"), z3.Range("A", "Z"), z3.Range("0", "9"), z3.Re("."), z3.Re("-"),
                         z3.Re("@"), z3.Re("_"), z3.Re("/"), z3.Re(" "))))
MAX_ROUNDS = 500


class Model:
    """A model: the Boolean problem's model plus a value for each string variable. `abstraction`
    pairs each string atom with the Boolean that stands for it: an expression is evaluated through
    them, since the strings were chosen to make exactly those Booleans true (z3 deciding a long
    string's membership in a large regex can take minutes)."""

    def __init__(self, model, strings: dict, eliminated=(), abstraction=()):
        self.model = model
        self.abstraction = list(abstraction)
        values = {vid: value for vid, (_, value) in strings.items()}
        for e in eliminated:
            values.update(e.values(values, z3.is_true(model.eval(e.name, model_completion=True))))
        found = {var.get_id(): var for var, _ in strings.values()}
        found.update((u.get_id(), u) for e in eliminated for u in e.symbols)
        self.pairs = [(found[vid], lit(value)) for vid, value in values.items()]
        self.values = {var.get_id(): value for var, value in self.pairs}

    def eval(self, expr, model_completion=True):
        value = self.values.get(expr.get_id())
        if value is not None:
            return value
        for pairs in (self.abstraction, self.pairs):
            if pairs:
                expr = substitute(expr, pairs)
        return self.model.eval(expr, model_completion=model_completion)


def _atoms(formulas) -> tuple[dict, dict, bool]:
    """Membership atoms by id, equations between strings by id, and whether any other string term
    occurs (through the C API: this walks every formula of a principal)."""
    atoms: dict = {}
    equations: dict = {}
    if not formulas:
        return atoms, equations, False
    ctx = formulas[0].ctx
    ref = ctx.ref()
    seen: set = set()
    other = False
    stack = [f.as_ast() for f in formulas]
    while stack:
        a = stack.pop()
        aid = T.Z3_get_ast_id(ref, a)
        if aid in seen:
            continue
        seen.add(aid)
        if T.Z3_get_ast_kind(ref, a) != z3.Z3_APP_AST:
            continue
        kind = T.Z3_get_decl_kind(ref, T.Z3_get_app_decl(ref, a))
        if kind == _IN_RE and _variable(ref, a) is not None:
            atoms[aid] = z3.BoolRef(a, ctx)
            continue
        if kind == z3.Z3_OP_EQ and \
                T.Z3_get_sort_kind(ref, T.Z3_get_sort(ref, T.Z3_get_app_arg(ref, a, 0))) == z3.Z3_SEQ_SORT:
            equations[aid] = z3.BoolRef(a, ctx)
            continue
        if T.Z3_get_sort_kind(ref, T.Z3_get_sort(ref, a)) in (z3.Z3_SEQ_SORT, z3.Z3_RE_SORT):
            other = True
            continue
        stack.extend(T.Z3_get_app_arg(ref, a, i) for i in range(T.Z3_get_app_num_args(ref, a)))
    return atoms, equations, other


def _domains(formulas) -> dict:
    """Variable id -> the ids of the membership atoms on it that hold unconditionally (conjuncts at
    the top of `formulas`)."""
    out: dict = {}
    if not formulas:
        return out
    ref = formulas[0].ctx.ref()
    stack = [f.as_ast() for f in formulas]
    while stack:
        a = stack.pop()
        if T.Z3_get_ast_kind(ref, a) != z3.Z3_APP_AST:
            continue
        kind = T.Z3_get_decl_kind(ref, T.Z3_get_app_decl(ref, a))
        if kind == z3.Z3_OP_AND:
            stack.extend(T.Z3_get_app_arg(ref, a, i) for i in range(T.Z3_get_app_num_args(ref, a)))
        elif kind == _IN_RE and (var := _variable(ref, a)) is not None:
            out.setdefault(T.Z3_get_ast_id(ref, var), set()).add(T.Z3_get_ast_id(ref, a))
    return out


def _variable(ref, membership):
    """The string variable a membership `membership` (an AST) is on, or None when it is on another term."""
    var = T.Z3_get_app_arg(ref, membership, 0)
    if T.Z3_get_app_num_args(ref, var) == 0 and \
            T.Z3_get_decl_kind(ref, T.Z3_get_app_decl(ref, var)) == z3.Z3_OP_UNINTERPRETED:
        return var
    return None


def substitute(formula, pairs):
    """`z3.substitute` through the C API, in one call for many pairs."""
    if not pairs:
        return formula
    n = len(pairs)
    old = (z3.Ast * n)(*[a.as_ast() for a, _ in pairs])
    new = (z3.Ast * n)(*[b.as_ast() for _, b in pairs])
    return z3.z3._to_expr_ref(C.Z3_substitute(formula.ctx.ref(), formula.as_ast(), n, old, new), formula.ctx)


# -- equations with free symbols ------------------------------------------------------------------

class Eliminated:
    """An equation `target == parts` whose symbols occur nowhere else, replaced by the Boolean
    `name` and the lemma `name -> target matches parts`. `target` is a string variable or the domain
    part of one (a View); `parts` are literal texts and None for each symbol (a `*` in the lemma)."""

    def __init__(self, name, target: View, parts: list, symbols: list):
        self.name, self.target, self.parts, self.symbols = name, target, parts, symbols

    def lemma(self):
        glob = tuple(V.ANY if p is None else p for p in self.parts)
        return z3.Implies(self.name, self.target.member(glob_re(glob)))

    def values(self, strings: dict, holds: bool) -> dict:
        """A value for each symbol (by id): read from the target's value where the equation holds,
        else one that makes it false (a character too many)."""
        text = strings.get(self.target.var.get_id(), "")
        if self.target.domain:
            text = text.split("@", 1)[1] if "@" in text else ""
        found = _split(text, self.parts)
        if found is None:
            return {u.get_id(): "" for u in self.symbols}
        if not holds:
            found[0] += "x"
        return {u.get_id(): v for u, v in zip(self.symbols, found, strict=True)}


def _split(text: str, parts: list) -> list[str] | None:
    """The values of the symbols (None in `parts`) when `text` is `parts` in order, each literal
    at its leftmost place (exact for wildcard patterns); None when it cannot be."""
    out: list[str] = []
    at, pending = 0, False
    for piece in parts:
        if piece is None:
            if pending:
                out.append("")
            pending = True
            continue
        found = text.find(piece, at) if pending else (at if text.startswith(piece, at) else -1)
        if found < 0:
            return None
        if pending:
            out.append(text[at:found])
            pending = False
        at = found + len(piece)
    if pending:
        out.append(text[at:])
    elif at != len(text):
        return None
    return out


def _leaves(term) -> list | None:
    """A string term as a list of literal texts and leaf terms (variables, domain views), or None
    for anything else."""
    out: list = []
    stack = [term]
    while stack:
        t = stack.pop()
        if z3.is_string_value(t):
            text = R.text_of(t)
            if out and isinstance(out[-1], str):
                out[-1] += text
            elif text:
                out.append(text)
        elif z3.is_app_of(t, z3.Z3_OP_SEQ_CONCAT):
            stack.extend(t.arg(i) for i in reversed(range(t.num_args())))
        elif z3.is_const(t) and t.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            out.append(View(t))
        elif z3.is_app_of(t, z3.Z3_OP_SEQ_EXTRACT) and z3.is_const(t.arg(0)) and \
                View(t.arg(0), "", True).expr().get_id() == t.get_id():
            out.append(View(t.arg(0), "", True))
        else:
            return None
    return out


def _strip(a: list, b: list) -> tuple[list, list] | None:
    """Both sides without their common literal start and end; None when the literals differ there
    (the equation is false)."""
    a, b = list(a), list(b)
    for end in (0, -1):
        while a and b and isinstance(a[end], str) and isinstance(b[end], str):
            x, y = a[end], b[end]
            n = min(len(x), len(y))
            if (x[:n] != y[:n]) if end == 0 else (x[len(x) - n:] != y[len(y) - n:]):
                return None
            x, y = (x[n:], y[n:]) if end == 0 else (x[:len(x) - n], y[:len(y) - n])
            for side, rest in ((a, x), (b, y)):
                if rest:
                    side[end] = rest
                else:
                    side.pop(end)
    return a, b


def _eliminate(equations: dict, atoms: dict) -> dict | None:
    """For each equation (by id): FALSE when its literals differ, else an Eliminated; None when one
    of them has a symbol that occurs elsewhere or a term this does not read (z3 then takes it all)."""
    sides: dict = {}
    uses: dict = {}
    for eid, eq in equations.items():
        left, right = _leaves(eq.arg(0)), _leaves(eq.arg(1))
        if left is None or right is None:
            return None
        sides[eid] = stripped = _strip(left, right)
        for part in (stripped[0] + stripped[1]) if stripped else ():
            if isinstance(part, View):
                uses[part.var.get_id()] = uses.get(part.var.get_id(), 0) + 1
    for atom in atoms.values():
        vid = atom.arg(0).get_id()
        uses[vid] = uses.get(vid, 0) + 1
    out: dict = {}
    for eid, stripped in sides.items():
        if stripped is None:
            out[eid] = FALSE
            continue
        for target, other in (stripped, stripped[::-1]):
            views = [p for p in other if isinstance(p, View)]
            if len(target) == 1 and isinstance(target[0], View) and \
                    all(not v.domain and uses[v.var.get_id()] == 1 and v.var.get_id() != target[0].var.get_id()
                        for v in views):
                parts = [None if isinstance(p, View) else p for p in other]
                out[eid] = Eliminated(z3.Bool(f"eq!{eid}"), target[0], parts, [v.var for v in views])
                break
        else:
            return None
    return out


class Lazy:
    """A base problem asserted once, asked `check(extra)` for several `extra` formulas in turn
    (push/pop). The blocked combinations are facts about strings, so they are kept for the next
    questions. Each check spends the Budget of the answer being computed (`prove.budget.question`)."""

    def __init__(self, base: list):
        R.reset_if_large()
        self.base = base
        self.unsat = any(f is FALSE for f in base)
        if self.unsat:
            return
        self.names: dict = {}       # atom id -> (atom, its Boolean name, regex id, variable, regex)
        self.cache: dict = {}       # ((regex id, wanted), ...) -> _realize's answer
        self.scanned: dict = {}     # ids of formulas asked -> their `_atoms`
        atoms, equations, self.other = _atoms(base)
        self.eliminated: list[Eliminated] = []
        replaced: list = []
        if equations and not self.other:
            found = _eliminate(equations, atoms)
            if found is None:
                self.other = True
            else:
                replaced = [(equations[eid], e if e is FALSE else e.name) for eid, e in found.items()]
                self.eliminated = [e for e in found.values() if e is not FALSE]
                lemmas = [e.lemma() for e in self.eliminated]
                atoms.update(_atoms(lemmas)[0])
                base = [*base, *lemmas]
        self.symbols = {u.get_id() for e in self.eliminated for u in e.symbols}
        self.replaced = replaced
        self.active = self._register(atoms)
        self.domains = _domains(base)   # variable id -> its memberships that always hold: realized first
        self.solver = z3.Solver()
        if not self.other:
            self.solver.add(*self._abstract(base, atoms, replaced))

    def _scan(self, extra) -> tuple:
        """`_atoms` of formulas asked before, once (each question of a session asks a few)."""
        key = tuple(f.get_id() for f in extra)
        found = self.scanned.get(key)
        if found is None:
            found = self.scanned[key] = (_atoms(extra), list(extra))   # held: their ids stay theirs
        return found[0]

    def _register(self, atoms: dict) -> set:
        for eid, atom in atoms.items():
            if eid not in self.names:
                ctx, ref = atom.ctx, atom.ctx.ref()   # a membership: (string variable, regex), read directly
                var, regex = (T.Z3_get_app_arg(ref, atom.as_ast(), i) for i in (0, 1))
                self.names[eid] = (atom, z3.Bool(f"atom!{eid}"), T.Z3_get_ast_id(ref, regex),
                                   z3.SeqRef(var, ctx), z3.ReRef(regex, ctx))
        return set(atoms)

    def _abstract(self, formulas, atoms: dict, replaced=()) -> list:
        pairs = [(atom, self.names[eid][1]) for eid, atom in atoms.items()] + list(replaced)
        return [substitute(all_(formulas), pairs)] if formulas else []

    def check(self, extra=()):
        """(z3.sat / z3.unsat / z3.unknown, Model or None, reason) for the base and `extra`, within
        one Budget (past it: z3.unknown and the reason)."""
        if self.unsat:
            return z3.unsat, None, ""
        budget = current()
        try:
            atoms, equations, other = self._scan(extra)
            on_symbols = self.symbols and any(a.arg(0).get_id() in self.symbols for a in atoms.values())
            if self.other or other or equations or on_symbols or not (self.active or atoms):
                solver = z3.Solver()
                solver.add(*self.base, *extra)
                answer = _solve(solver, budget, "solving strings with z3")
                return answer, (Model(solver.model(), {}) if answer == z3.sat else None), solver.reason_unknown()
            active = self.active | self._register(atoms)
            lemmas: list = []
            self.solver.push()
            try:
                self.solver.add(*self._abstract(extra, atoms))
                return self._loop(active, lemmas, budget)
            finally:
                self.solver.pop()
                for lemma in lemmas:
                    self.solver.add(lemma)
        except OutOfBudget as exc:
            return z3.unknown, None, str(exc)

    def _loop(self, active: set, lemmas: list, budget: Budget):
        by_var: dict = {}
        for eid in sorted(active):
            rid, var = self.names[eid][2:4]
            by_var.setdefault(var.get_id(), (var, []))[1].append((rid, eid))
        main = self.solver
        for _ in range(MAX_ROUNDS):
            answer = _solve(main, budget, "searching the policies' Boolean structure")
            if answer != z3.sat:
                return answer, None, main.reason_unknown()
            m = main.model()
            truth = _truths(m, [self.names[eid][1] for _, items in by_var.values() for _, eid in items])
            strings, blocked = {}, False
            for vid, (var, items) in by_var.items():
                lits = sorted((rid, next(truth), eid) for rid, eid in items)
                key = tuple((r, v) for r, v, _ in lits)
                found = self.cache.get(key)
                if found is None:
                    domain = self.domains.get(vid, ())
                    found = self.cache[key] = _realize(var, [(self.names[i][4], v) for _, v, i in lits], budget,
                                                       [k for k, (_, _, i) in enumerate(lits) if i in domain])
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
                abstraction = [self.names[eid][:2] for eid in active] + self.replaced
                return z3.sat, Model(m, strings, self.eliminated, abstraction), ""
        return z3.unknown, None, f"no answer after {MAX_ROUNDS} refinement rounds"


def _truths(model, booleans):
    """Whether each of `booleans` is true in `model`, in order (through the C API: a round of the
    loop reads every atom's Boolean, and z3's Python wrappers cost more than the search)."""
    ref, found = model.ctx.ref(), (z3.Ast * 1)()
    for b in booleans:
        C.Z3_model_eval(ref, model.model, b.as_ast(), True, found)
        yield T.Z3_get_bool_value(ref, found[0]) == z3.Z3_L_TRUE


def check(formulas):
    """(z3.sat / z3.unsat / z3.unknown, Model or None, reason): one question."""
    return Lazy(list(formulas)).check()


def _rlimit(solver) -> int:
    return int(solver.statistics().get_key_value("rlimit count"))


def _solve(solver, budget: Budget, doing: str):
    """`solver.check()` within what is left of `budget` (z3's resource units and time); OutOfBudget
    when z3 stopped for want of them."""
    units, ms = budget.solver_limits(doing)
    solver.set("rlimit", units)
    solver.set("timeout", ms)
    before = _rlimit(solver)
    answer = solver.check()
    budget.spent_by_solver(_rlimit(solver) - before)
    if answer == z3.unknown and budget.exhausted():
        raise OutOfBudget(budget.reason(doing))
    return answer


def _realize(var, lits, budget: Budget, domain=()):
    """(True, a value) when the memberships of `var` (`lits`: (regex, whether it holds) pairs) can
    hold together, else (False, core positions). The derivative engine answers; z3 only for a regex
    it does not read or too many states. The literals are taken in turn, those at positions `domain`
    (the variable's domain, which holds always) first, then positive ones, keeping a value of those
    taken: a literal that value already satisfies costs one pass along it, and only the others a
    walk of the intersection so far. Most negative literals (patterns a send does not use) cost no
    walk."""
    try:
        nodes = [R.from_z3(regex) if value else R.compl(R.from_z3(regex)) for regex, value in lits]
        words: list[str] = []   # strings met on the way: one all of `keep` accept needs no walk

        def word(keep) -> str | None:
            """A string all the literals at `keep` accept: a word met (or it with a local part before it:
            an `*@domain` pattern's shortest word is `@domain`), else the shortest, by a walk."""
            for met in words:
                for w in (met, "a" + met):
                    if all(R.accepts(nodes[i], w, budget) for i in keep):
                        return w
            found = R.witness(R.inter([nodes[i] for i in keep]), budget)
            if found is not None:
                words.append(found)
            return found

        def empty(keep) -> bool:
            return word(keep) is None

        base = sorted(domain)
        taken: list[int] = []
        value = None
        for i in sorted(range(len(lits)), key=lambda k: (k not in domain, not lits[k][1])):
            if value is None or not R.accepts(nodes[i], value, budget):
                if i not in domain:
                    small = _small_core(empty, base, [k for k in taken if lits[k][1] and k not in domain], i)
                    if small:
                        return False, small
                value = word([*taken, i])
                if value is None:
                    return False, _core(empty, taken, i)
            taken.append(i)
        return True, value
    except R.TooHard:
        return _realize_z3(var, lits, budget)


def _realize_z3(var, lits, budget: Budget):
    """`_realize` by z3: one membership of the intersection is much easier for it than the
    literals one by one."""
    regexes = [regex if value else z3.Complement(regex) for regex, value in lits]
    doing = "solving string memberships with z3"
    if R.z3_size(regexes) > R.MAX_Z3_TERMS:
        raise OutOfBudget(budget.reason(f"deciding string memberships whose automaton has more than "
                                        f"{R.MAX_STATES:,} states"))

    def empty(keep) -> bool:
        side = z3.Solver()
        parts = [regexes[i] for i in keep]
        side.add(z3.InRe(var, z3.Intersect(*parts) if len(parts) > 1 else parts[0]))
        return _solve(side, budget, doing) == z3.unsat

    answer = None
    for extra in ([NICE[0]], [NICE[1]], []):
        side = z3.Solver()
        side.add(z3.InRe(var, z3.Intersect(*regexes, *extra) if len(regexes) + len(extra) > 1 else regexes[0]))
        answer = _solve(side, budget, doing)
        if answer == z3.sat:
            return True, R.text_of(side.model().eval(var, model_completion=True))
    if answer != z3.unsat:
        raise z3.Z3Exception(f"string solver gave up: {side.reason_unknown()}")
    return False, _core(empty, list(range(len(regexes) - 1)), len(regexes) - 1)


def _small_core(empty, base: list[int], taken: list[int], last: int) -> list[int]:
    """`last` alone or with one of `taken`, else with the literals at `base` (the domain) and at most
    one of `taken`, when those cannot hold together (small intersections, shared between questions;
    the domain's automaton is the largest, so it comes in last); [] when none is."""
    trials = [[last], *([i, last] for i in taken)]
    if base:
        trials += [[*base, last], *([*base, i, last] for i in taken)]
    return next((sorted(t) for t in trials if empty(sorted(t))), [])


def _core(empty, taken: list[int], last: int) -> list[int]:
    """A small set of literal positions that cannot hold together, when those at `taken` and `last`
    cannot (`empty(keep)` tells whether the literals at `keep` cannot): `last` alone, or with one of
    `taken` (small, shared intersections), else what deletion from all of them leaves."""
    small = _small_core(empty, [], taken, last)
    if small:
        return small
    keep = [*taken, last]
    for k in taken:
        trial = [i for i in keep if i != k]
        if empty(sorted(trial)):
            keep = trial
    return sorted(keep)
