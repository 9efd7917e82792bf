"""The change corpus (tests/review/corpus.py) reviewed in one `seslint review`, against brute-force
enumeration through the evaluator: 0 wrong answers.

A wrong answer is any of: a gained or lost witness that the evaluator does not confirm (the new side
allows it and the old denies it, or the reverse); a kind of request the enumeration finds gained or lost
that the review does not report; a widening with nothing gained, a narrowing with anything gained, an
equivalent rewrite or an unrelated edit reported at all, an added or removed file not reported as such;
an undecided answer (every base policy here is within the model).

The default run checks every other pair (SESLINT_CORPUS_STEP, default 2); `pytest -m corpus` and
`python -m tests.review.test_corpus` (which prints the figures) check them all.
"""

from __future__ import annotations

import collections
import json
import os
import time

import pytest

from tests.conftest import invoke
from tests.review import corpus
from tests.review.conftest import Repo

STEP = int(os.environ.get("SESLINT_CORPUS_STEP", "2"))


def build(path, step: int = 1) -> tuple[Repo, str, str, list[corpus.Pair]]:
    """A repository whose first commit holds every `step`th pair's old side and whose second the new sides."""
    repo = Repo(path)
    pairs = corpus.pairs()[::step]
    for p in pairs:
        if p.old is not None:
            repo.write(p.path, p.old)
    base = repo.commit("base")
    for p in pairs:
        if p.new is None:
            repo.remove(p.path)
        else:
            repo.write(p.path, p.new)
    return repo, base, repo.commit("head"), pairs


def review(repo: Repo, base: str, head: str) -> tuple[dict, float]:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(repo.path)
        start = time.perf_counter()
        result = invoke("review", "--base", base, "--head", head, "--format", "json")
        took = time.perf_counter() - start
    assert result.code in (0, 1), result.err
    return json.loads(result.out), took


def subject(text: str | None, path: str):
    from seslint.lint import inputs
    from seslint.review import sides

    if text is None:
        return None
    found = sides.read(inputs.parse(text, path, path, False), path)
    assert len(found) == 1, path
    return found[0]


def confirmed(item: dict, old, new, side: str) -> bool:
    """The evaluator allows the witness on the side that gained it and denies it on the other."""
    from seslint.core.arn import parse
    from seslint.evaluate.engine import Policies, decide
    from seslint.evaluate.matching import Request

    request = item["request"]
    arn = parse(request["resource"])
    allowed = []
    for s in (old, new):
        policies, caller = corpus._policies(s, arn.account, arn.region, item.get("principal"))
        if ":identity/" not in request["resource"]:
            policies = Policies(identity=policies.identity)
        context = {k.lower(): v for k, v in request["context"].items()}
        for key, value in caller.context_defaults().items():
            if value is not None:
                context.setdefault(key, value)
        allowed.append(decide(policies, caller, Request(request["action"], request["resource"], context, {})).allowed)
    return allowed == ([False, True] if side == "gained" else [True, False])


def check(pair: corpus.Pair, changes: list[dict]) -> list[str]:
    """The wrong answers of the review for one pair (module docstring)."""
    old, new = subject(pair.old, pair.path), subject(pair.new, pair.path)
    truth = corpus.truth(old, new)
    wrong = [f"{pair.path}: undecided {u['action']}: {u['reason']}" for c in changes for u in c["unknown"]]
    got = {side: {(i["action"], i["resource"], i.get("principal")) for c in changes for i in c[side]}
           for side in ("gained", "lost")}
    for side in ("gained", "lost"):
        wrong += [f"{pair.path}: {side} {kind} is not reported" for kind in sorted(truth[side] - got[side], key=str)]
        wrong += [f"{pair.path}: {side} witness {i['request']} is not confirmed by the evaluator"
                  for c in changes for i in c[side] if not confirmed(i, old, new, side)]
    expected = {"widen": bool(truth["gained"]) and not truth["lost"],
                "narrow": not truth["gained"] and bool(truth["lost"]),
                "equivalent": not truth["gained"] and not truth["lost"],
                "unrelated": not truth["gained"] and not truth["lost"],
                "added": bool(truth["gained"]), "removed": bool(truth["lost"])}
    if not expected[pair.kind]:
        wrong.append(f"{pair.path}: the corpus is wrong: enumeration finds {truth} for a change labelled {pair.kind}")
    if pair.kind == "widen" and not got["gained"] or pair.kind == "narrow" and got["gained"]:
        wrong.append(f"{pair.path}: {pair.kind}, reported gained {sorted(got['gained'], key=str)}")
    if pair.kind in ("equivalent", "unrelated") and changes:
        wrong.append(f"{pair.path}: {pair.kind}, reported as a change")
    status = {"added": "added", "removed": "removed"}.get(pair.kind, "modified")
    if pair.kind not in ("equivalent", "unrelated") and [c["status"] for c in changes] != [status]:
        wrong.append(f"{pair.path}: {pair.kind}, reported {[c['status'] for c in changes]}")
    return wrong


def measure(path, step: int = 1) -> dict:
    repo, base, head, pairs = build(path, step)
    report, took = review(repo, base, head)
    by_file = collections.defaultdict(list)
    for change in report["changes"]:
        by_file[change["file"]].append(change)
    start = time.perf_counter()
    wrong = [w for p in pairs for w in check(p, by_file.get(p.path, []))]
    return {"pairs": len(pairs), "kinds": collections.Counter(p.kind for p in pairs),
            "formats": collections.Counter(p.fmt for p in pairs), "real-world": sum(p.base in _realworld() for p in pairs),
            "wrong": wrong, "review_seconds": took, "enumeration_seconds": time.perf_counter() - start}


def _realworld() -> set[str]:
    return {name for name, _ in corpus.bases() if name not in corpus.WRITTEN}


def test_corpus_size():
    pairs = corpus.pairs()
    assert len(pairs) >= 200 and sum(p.base in _realworld() for p in pairs) >= 150
    assert {p.kind for p in pairs} == {"widen", "narrow", "equivalent", "unrelated", "added", "removed"}
    assert {p.fmt for p in pairs} == {"json", "cloudformation", "terraform", "sending-authorization"}
    assert len({p.path for p in pairs}) == len(pairs)


def test_corpus_sample_has_no_wrong_answers(tmp_path):
    figures = measure(tmp_path / "corpus", STEP)
    assert figures["pairs"] >= 100 and figures["wrong"] == []


@pytest.mark.corpus
def test_whole_corpus_has_no_wrong_answers(tmp_path):
    assert measure(tmp_path / "corpus")["wrong"] == []


if __name__ == "__main__":
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        figures = measure(Path(folder) / "corpus")
    for line in figures.pop("wrong"):
        print("WRONG", line)
    print(json.dumps(figures, indent=2, default=dict))
