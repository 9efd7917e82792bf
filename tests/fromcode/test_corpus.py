"""The generator scored on real public application code (tests/fromcode/corpus/, README.md there).

Each folder's `case.json` names a public repository, its commit and the files (path, line range,
sha256) of a snippet, and labels it from the references in `references.json`, not from seslint's
output: per send call site the API, the content kind, the From (null when the code computes it),
the configuration set, template and region where literal, and the IAM actions the send needs; per
other call its action. The snippets themselves are third-party code and stay out of git:
`python tests/fromcode/restore_corpus.py` brings them back (checked against the sha256).

Scores, printed (`pytest -s`):
- allowed: every labelled send is allowed by the generated policy (can-send, request by request);
- strictly least privilege, per case: every labelled action granted and no other, no call site
  beyond the labelled ones, a literal From pins the sender (the same send from another address is
  denied), and literal configuration sets and templates are named (no `configuration-set/*`,
  `template/*`).
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import json
from pathlib import Path

import pytest

from seslint.cansend import check_send
from seslint.sendmodel import Send

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir())
REFERENCES = json.loads((CORPUS / "references.json").read_text())
ACCOUNT = "111122223333"
PROBE_FROM = "probe@probe-sender.example"
INTRUDER = "intruder@elsewhere.example"
ALLOWED_TARGET, STRICT_TARGET = 0.95, 0.85
MISSING = [p.name for p in CASES if not all((p / f["file"]).is_file() for f in json.loads(
    (p / "case.json").read_text())["files"])]
needs_snippets = pytest.mark.skipif(bool(MISSING), reason=f"{len(MISSING)} corpus snippet(s) not present (third-party "
                                                          "code, kept out of git): python tests/fromcode/restore_corpus.py")


def _label(folder: Path) -> dict:
    return json.loads((folder / "case.json").read_text())


def _send(label: dict, sender: str) -> Send:
    region = label.get("region") or "us-east-1"
    cs = label.get("configuration_set")
    template = label.get("template")
    return Send(sender=sender, account=ACCOUNT, to=("someone@example.net",), api=label["api"],
                content=label["content"], configuration_set=cs or ("probe-set" if cs is None and
                                                                   label.get("configuration_set_runtime") else None),
                template=template or ("probe-template" if label["content"] in ("template", "bulk") else None),
                region=region, source_arn=label.get("source_arn"))


def score(folder: Path) -> dict:
    from seslint.errors import InputError
    from seslint.generate.fromcode import generate

    label = _label(folder)
    try:
        result = generate([str(folder)], account=ACCOUNT, display_root=str(folder), check=False)
        policy, sites = result.policy, result.scan.sites
    except InputError:   # no call found: nothing is allowed
        policy, sites = {"Version": "2012-10-17", "Statement": []}, []
    allowed, pinned = [], []
    for send_label in label["sends"]:
        send = _send(send_label, send_label.get("from") or PROBE_FROM)
        allowed.append(check_send(send, [policy], explain=False).allowed)
        if send_label.get("from"):
            intruder = dataclasses.replace(send, sender=INTRUDER, source_arn=None)
            pinned.append(not check_send(intruder, [policy], explain=False).allowed)
    wanted = {a for s in label["sends"] + label["calls"] for a in s["actions"]}
    granted = {a for s in policy["Statement"] for a in s["Action"]}
    lines = {(s["file"], s["line"]) for s in label["sends"] + label["calls"]}
    found = {(s.file, s.line) for s in sites}
    text = json.dumps(policy)
    named = all(not (s.get("configuration_set") and "configuration-set/*" in text) and
                not (s.get("template") and "template/*" in text) for s in label["sends"])
    extra, missing = sorted(granted - wanted), sorted(wanted - granted)
    strict = not extra and not missing and found <= lines and all(pinned) and named and all(allowed)
    return {"allowed": allowed, "strict": strict, "extra": extra, "missing": missing,
            "beyond": sorted(found - lines), "pinned": pinned, "named": named}


def test_every_case_is_sourced_and_labelled_from_the_references():
    from seslint.matrix import load_matrix

    actions = {a.full_name for a in load_matrix().actions.values()}
    assert len(CASES) >= 60
    for folder in CASES:
        label = _label(folder)
        assert label["repository"].count("/") == 1 and len(label["commit"]) == 40, folder.name
        assert label["language"] and label["library"], folder.name
        for f in label["files"]:
            a, b = f["lines"]
            assert f["path"] and 1 <= a <= b and len(f["sha256"]) == 64 and len(f.get("commit", "x" * 40)) == 40, \
                (folder.name, f)
        files = {f["file"] for f in label["files"]}
        assert label["sends"] or label["calls"] or "negative" in label["library"], folder.name
        for s in label["sends"]:
            kind = f"{s['api']} {s['content']}"
            assert s["file"] in files and s["line"] >= 1, (folder.name, s)
            assert sorted(s["actions"]) == sorted(REFERENCES["sends"][kind]["actions"]), (folder.name, kind)
        for c in label["calls"]:
            assert c["file"] in files and c["line"] >= 1 and set(c["actions"]) <= actions, (folder.name, c)


@needs_snippets
def test_the_snippets_are_the_recorded_lines():
    for folder in CASES:
        label = _label(folder)
        for f in label["files"]:
            text = (folder / f["file"]).read_text()
            a, b = f["lines"]
            assert hashlib.sha256(text.encode()).hexdigest() == f["sha256"], (folder.name, f["file"])
            assert len(text.splitlines()) == b - a + 1, (folder.name, f["file"])
        for s in label["sends"] + label["calls"]:
            assert s["line"] <= len((folder / s["file"]).read_text().splitlines()), (folder.name, s)


@needs_snippets
def test_corpus_scores():
    results = {folder.name: score(folder) for folder in CASES}
    labels = {folder.name: _label(folder) for folder in CASES}
    sends = [ok for r in results.values() for ok in r["allowed"]]
    strict = [r["strict"] for r in results.values()]
    allowed_share = sum(sends) / len(sends)
    strict_share = sum(strict) / len(strict)
    print(f"\ncorpus: {len(CASES)} snippets, {len(sends)} labelled sends: {sum(sends)} allowed "
          f"({allowed_share:.1%}); {sum(strict)} of {len(strict)} cases strictly least privilege ({strict_share:.1%})")
    by = collections.Counter((labels[n]["language"], labels[n]["library"]) for n in results)
    ok = collections.Counter((labels[n]["language"], labels[n]["library"]) for n, r in results.items() if r["strict"])
    for (language, library), n in sorted(by.items()):
        print(f"  {language:<10} {library:<28} {n:>3} case(s), {ok[(language, library)]:>3} strict")
    for name, r in sorted(results.items()):
        if not r["strict"]:
            print(f"  not strict: {name}: {r}")
    assert allowed_share >= ALLOWED_TARGET
    assert strict_share >= STRICT_TARGET
