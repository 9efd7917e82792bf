"""The derivative engine (`prove.regex`) against z3 on random regexes: the same emptiness answer,
and every witness a member (z3 evaluates the membership)."""

from __future__ import annotations

import random

import pytest

z3 = pytest.importorskip("z3")
# ruff: noqa: E402 - the imports below need z3

from seslint.prove import regex as R

ATOMS = ("a", "b", "@", "ab", "a@b", "")


def random_regex(rng: random.Random, depth: int):
    if depth == 0 or rng.random() < 0.25:
        kind = rng.randrange(4)
        if kind == 0:
            return z3.Re(rng.choice(ATOMS))
        if kind == 1:
            return z3.Range(rng.choice("a@"), rng.choice("bz"))
        if kind == 2:
            return z3.AllChar(z3.ReSort(z3.StringSort()))
        return z3.Union(z3.Range(chr(0), "9"), z3.Range(";", chr(R.MAX_CHAR)))
    kind = rng.randrange(8)
    sub = [random_regex(rng, depth - 1) for _ in range(2)]
    if kind == 0:
        return z3.Concat(*sub)
    if kind == 1:
        return z3.Union(*sub)
    if kind == 2:
        return z3.Intersect(*sub)
    if kind == 3:
        return z3.Complement(sub[0])
    if kind == 4:
        return z3.Star(sub[0])
    if kind == 5:
        return z3.Plus(sub[0])
    if kind == 6:
        return z3.Option(sub[0])
    lo = rng.randint(0, 2)
    return z3.Loop(sub[0], lo, rng.choice((0, lo + rng.randint(0, 3))))


@pytest.mark.parametrize("seed", range(300))
def test_agrees_with_z3(seed):
    rng = random.Random(seed)
    literals = [(random_regex(rng, 3), rng.random() < 0.7) for _ in range(rng.randint(1, 3))]
    regexes = [r if positive else z3.Complement(r) for r, positive in literals]
    both = z3.Intersect(*regexes) if len(regexes) > 1 else regexes[0]
    x = z3.String("x")
    solver = z3.Solver()
    solver.add(z3.InRe(x, both))
    expected = solver.check()
    found = R.witness(R.inter([R.from_z3(r) for r in regexes]))
    assert (found is not None) == (expected == z3.sat)
    if found is not None:
        assert z3.is_true(z3.simplify(z3.InRe(z3.StringVal(found), both)))


@pytest.mark.parametrize("states", [1, R.MAX_STATES])
def test_z3_answers_past_the_state_limit(monkeypatch, states):
    """With the walk cut short, z3 decides the memberships instead: the same verdicts."""
    import json
    from pathlib import Path

    from seslint.prove.api import clear_caches, prove
    from seslint.prove.decision import build_inputs

    monkeypatch.setattr(R, "MAX_STATES", states)
    clear_caches()
    policies = Path(__file__).resolve().parents[2] / "examples" / "policies"
    got = []
    for name in ("ci-simulator-only.json", "leaky-guardrail.json"):
        inputs = build_inputs([json.loads((policies / name).read_text())], account="111122223333")
        got.append(prove(inputs, recipients_within=["*@simulator.amazonses.com"]).verdict)
    clear_caches()
    assert got == ["proven", "counterexample"]


def _member(text: str, regex) -> bool:
    return z3.is_true(z3.simplify(z3.InRe(z3.StringVal(text), regex)))


@pytest.mark.parametrize("seed", range(100))
def test_accepts_is_membership(seed):
    rng = random.Random(seed)
    regex = random_regex(rng, 3)
    node = R.from_z3(regex)
    for _ in range(20):
        text = "".join(rng.choice("ab@z;") for _ in range(rng.randint(0, 5)))
        assert R.accepts(node, text, R.Budget()) == _member(text, regex)


def test_characters_in_no_set_are_one_class():
    """The gaps between an address's allowed characters are one class, not one class each."""
    from seslint.prove.sends import ADDRESS

    assert len(R._classes(R.from_z3(ADDRESS))) == 2


@pytest.mark.parametrize("seed", range(100))
def test_classes_are_the_cells_of_the_partition(seed):
    """`_partition` against the definition: two characters are in one class exactly when the same sets
    hold them, and each class is named by its nicest character. The sets lie below 300, plus one reaching
    the last character, so 300 stands for every character after it."""
    rng = random.Random(seed)
    sets = []
    for _ in range(rng.randint(0, 5)):
        bounds = sorted(rng.sample(range(300), 2 * rng.randint(1, 3)))
        ranges = list(zip(bounds[::2], bounds[1::2], strict=True))
        if rng.random() < 0.3:
            ranges.append((299, R.MAX_CHAR))
        sets.append(R.chars(ranges).args)
    sets = tuple(sorted(set(sets)))
    cells: dict = {}
    for c in range(301):
        held = tuple(any(lo <= c <= hi for lo, hi in ranges) for ranges in sets)
        best = R._nicest(c, c if c < 300 else R.MAX_CHAR)
        cells[held] = min(cells.get(held, best), best)
    R._partitions.clear()
    assert R._partition(sets) == sorted(cells.values())


def random_formula(rng: random.Random, atoms: list, depth: int):
    if depth == 0 or rng.random() < 0.3:
        return rng.choice(atoms)
    kind = rng.randrange(3)
    if kind == 0:
        return z3.Not(random_formula(rng, atoms, depth - 1))
    parts = [random_formula(rng, atoms, depth - 1) for _ in range(2)]
    return z3.And(*parts) if kind == 1 else z3.Or(*parts)


@pytest.mark.parametrize("seed", range(200))
def test_the_lazy_loop_agrees_with_z3(seed):
    """Memberships of one variable under a domain it always holds (as a send's values do): the lazy loop
    (literals realized in turn, the domain first, cores) answers as z3 does, and its value satisfies every
    formula."""
    from seslint.prove.solve import Lazy

    rng = random.Random(seed)
    x = z3.String("x")
    domain = z3.InRe(x, random_regex(rng, 2))
    atoms = [z3.InRe(x, random_regex(rng, 3)) for _ in range(rng.randint(2, 4))]
    formulas = [domain, random_formula(rng, atoms, 3)]
    extra = [random_formula(rng, atoms, 2)] if rng.random() < 0.5 else []
    solver = z3.Solver()
    solver.add(*formulas, *extra)
    expected = solver.check()
    answer, model, _ = Lazy(formulas).check(extra)
    assert answer == expected
    if answer == z3.sat:
        value = model.eval(x)
        for f in (*formulas, *extra):
            assert z3.is_true(z3.simplify(z3.substitute(f, (x, value))))
