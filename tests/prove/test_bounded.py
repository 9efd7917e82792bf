"""Proofs bounded by design (issue 25): the inputs that hung, crashed or timed out answer, a question
past its budget answers unknown with the reason at once, nothing recurses on the length of a value,
and a free symbol that occurs once is eliminated exactly."""

from __future__ import annotations

import json
import random

import pytest

z3 = pytest.importorskip("z3")
# ruff: noqa: E402 - the imports below need z3

from seslint.prove import budget as B, regex as R, solve
from seslint.prove.api import clear_caches, diff, prove
from seslint.prove.decision import build_inputs
from seslint.prove.strings import glob_re, lit
from tests.conftest import invoke

ACCOUNT = "111122223333"
ARN = f"arn:aws:ses:us-east-1:{ACCOUNT}"


def policy(condition=None, resource="*") -> dict:
    st = {"Effect": "Allow", "Action": ["ses:SendEmail", "ses:SendRawEmail"], "Resource": resource}
    if condition:
        st["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [st]}


def inputs(p: dict):
    return build_inputs([p], account=ACCOUNT)


STARS = policy({"StringLike": {"ses:FromAddress": "*?" * 25 + "@example.com"}})
STARS_AND_RECIPIENTS = policy({"StringLike": {"ses:FromAddress": "*?" * 25 + "@example.com"},
                               "ForAllValues:StringLike": {"ses:Recipients": "*?" * 25 + "@example.org"}})
USERNAME = policy(resource=f"{ARN}:identity/${{aws:username}}@example.com")


@pytest.mark.parametrize(("p", "prop", "verdict"), [
    (STARS, {"senders_within": ["*@example.com"]}, "proven"),        # 55-62 s before, and > 10 min with
    (STARS, {"senders_within": ["*@example.org"]}, "counterexample"),  # a recipients condition
    (STARS_AND_RECIPIENTS, {"recipients_within": ["*@example.org"]}, "proven"),
    (STARS_AND_RECIPIENTS, {"recipients_within": ["*@example.com"]}, "counterexample"),
    (USERNAME, {"senders_within": ["*@example.com"]}, "proven"),      # 20 s and unknown before
    (policy({"StringEqualsIgnoreCase": {"ses:FromAddress": "a" * 2000 + "@example.com"}}),   # RecursionError
     {"senders_within": ["A" * 2000 + "@EXAMPLE.COM"]}, "proven"),
    (STARS, {"senders_within": ["a" * 2000 + "*", "*@example.com"]}, "proven"),
])
def test_what_hung_or_crashed_answers(p, prop, verdict):
    clear_caches()
    outcome = prove(inputs(p), **prop)
    assert outcome.verdict == verdict, outcome.reason


def test_a_free_symbol_is_answered_from_the_witness():
    """No principal: aws:username is free. The send from u@example.com needs aws:username = u, and
    the answer says so (with the value read back from the From address), instead of a solver timeout."""
    outcome = prove(inputs(USERNAME), no_send=True)
    assert outcome.verdict == "unknown" and "depends on aws:username" in outcome.reason
    local = outcome.witness.sender.split("@")[0]
    assert outcome.witness.free_values["aws:username"] == local


def test_diff_with_a_free_symbol_decides_every_kind():
    changes = diff(inputs(policy()), inputs(USERNAME))
    assert changes["lost"] and all("aws:username" in c.reason for c in changes["unknown"])


def test_past_its_budget_a_question_is_unknown_with_the_reason(monkeypatch):
    monkeypatch.setattr(B, "WORK", 1)
    clear_caches()
    outcome = prove(inputs(STARS), senders_within=["*@example.com"])
    assert outcome.verdict == "unknown" and "budget" in outcome.reason


def test_the_cli_says_unknown_past_the_budget(monkeypatch, tmp_path):
    monkeypatch.setattr(B, "WORK", 1)
    clear_caches()
    path = tmp_path / "p.json"
    path.write_text(json.dumps(STARS))
    run = invoke("prove", "--policy", str(path), "--account", ACCOUNT, "--senders-within", "*@example.com")
    assert run.code == 3 and "budget" in run.out


def test_long_values_do_not_recurse():
    """A z3 concatenation nests one level per part: 20,000 parts are converted and walked."""
    long = glob_re(("a" * 20_000,))
    node = R.from_z3(long)
    assert R.witness(node, B.Budget(work=10**9, seconds=60)) == "a" * 20_000
    assert R.witness(R.from_z3(z3.Concat(*[z3.Re(lit(c)) for c in "ab" * 3000])),
                     B.Budget(work=10**9, seconds=60)) == "ab" * 3000


def test_a_star_before_what_it_repeats_moves_behind_it():
    """`.*.` and `..*` are one node: the automaton of `*?*?...` stays linear in its length."""
    any_, star = R.ANY, R.star(R.ANY)
    assert R.cat(star, R.cat(any_, star)) is R.cat(any_, star)
    assert R.cat(star, R.cat(any_, R.cat(star, any_))) is R.cat(any_, R.cat(any_, star))


def test_split_and_strip():
    assert solve._split("bob@example.com", [None, "@example.com"]) == ["bob"]
    assert solve._split("a-b-c", ["a", None, "-", None]) == ["", "b-c"]
    assert solve._split("x@other.com", [None, "@example.com"]) is None
    x, u = solve.View(z3.String("x")), solve.View(z3.String("u"))
    assert solve._strip(["identity/", x], ["identity/", u, "@e"]) == ([x], [u, "@e"])
    assert solve._strip(["identity/a@e"], ["identity/", u, "@e"]) == (["a"], [u])
    assert solve._strip(["template/", x], ["identity/", u]) is None


@pytest.mark.parametrize("seed", range(40))
def test_eliminating_a_free_symbol_agrees_with_z3(seed):
    """x == A ++ u ++ B with u nowhere else, under random memberships of x: the lazy loop (u eliminated)
    and z3 on the whole formula give the same answer, and the model satisfies the original formula."""
    rng = random.Random(seed)

    def text():
        return "".join(rng.choice("ab@.") for _ in range(rng.randint(0, 3)))

    x, u = z3.String("x"), z3.String(f"u{seed}")
    glob = tuple(rng.choice((text(), "\x00*", "\x00?")) for _ in range(rng.randint(1, 4)))
    parts = [p for p in glob if p]
    before, after = text() or "a", text()
    equation = x == z3.Concat(lit(before), u, lit(after))
    membership = z3.InRe(x, glob_re(tuple(parts) or ("",)))
    around = z3.InRe(x, glob_re((before, "\x00*", after) if after else (before, "\x00*")))   # x could equal it
    formula = rng.choice((z3.And(equation, membership), z3.And(z3.Not(equation), membership),
                          z3.Or(equation, z3.Not(membership)), z3.And(equation, z3.Not(membership)),
                          z3.And(z3.Not(equation), around), z3.And(z3.Not(equation), around, membership)))
    plain = z3.Solver()
    plain.add(formula)
    expected = plain.check()
    answer, model, _ = solve.check([formula])
    assert answer == expected
    if answer == z3.sat:
        assert z3.is_true(z3.simplify(solve.substitute(formula, [(x, model.eval(x)), (u, model.eval(u))])))


def test_a_scope_class_the_policies_do_not_name_needs_no_solver(monkeypatch):
    """Asking every scope class does not multiply a proof's cost for policies that name one: in a region
    their ARNs do not name, no statement applies to any kind of send, and the answer needs no solver."""
    from seslint.prove.decision import at

    def asked(*_, **__):
        raise AssertionError("the solver was asked")

    monkeypatch.setattr(solve.Lazy, "check", asked)
    outcome = prove(at(inputs(policy(resource=f"{ARN}:identity/example.com")), ACCOUNT, "eu-west-1"),
                    recipients_within=["*@example.com"])
    assert (outcome.verdict, outcome.allows_nothing) == ("proven", True)


@pytest.mark.parametrize("seed", range(200))
def test_an_arns_literal_head_is_read_as_the_automaton_reads_it(seed):
    """`arn_quotient` skips the automaton when the ARN prefix ends inside the pattern's literal head: the
    rests are the automaton's."""
    from seslint.core import variables as V
    from seslint.prove.strings import _arn_quotient, arn_quotient

    rng = random.Random(seed)
    prefix = f"arn:aws:ses:{rng.choice(['us-east-1', 'eu-west-1'])}:{rng.choice([ACCOUNT, '444455556666'])}:"
    pieces = [prefix[:rng.choice([len(prefix), rng.randint(0, len(prefix))])],
              rng.choice(["", "identity/", "identity", "us-east-1:"]),
              rng.choice(["", "a", "example.com", "x:y"])]
    head = "".join(pieces)
    rest = [rng.choice([V.ANY, V.ONE, "@example.com", ":", "identity/"]) for _ in range(rng.randint(0, 3))]
    parts = tuple(V._merge([head, *rest] if head else rest))
    assert arn_quotient(parts, prefix, "test") == _arn_quotient(parts, prefix, "test")
