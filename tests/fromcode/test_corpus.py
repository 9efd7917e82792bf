"""The generator scored on real public application code (tests/fromcode/corpus/).

Each folder holds a snippet of a public repository (`case.json`: repository, path, commit) and
its labels, written from the AWS references (the SES API references and "Controlling access to
Amazon SES"), not from seslint's output: per send call site the API, the content kind, the From
(null when the code computes it), the configuration set, template and region where literal, and
the IAM actions the send needs; per other call its action.

Scores, printed (`pytest -s`):
- allowed: every labelled send is allowed by the generated policy (can-send, request by request);
- strictly least privilege, per case: no action beyond the labelled ones, no call site beyond the
  labelled ones, a literal From pins the sender (the same send from another address is denied), and
  literal configuration sets and templates are named (no `configuration-set/*`, `template/*`).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from seslint.cansend import check_send
from seslint.sendmodel import Send

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir())
ACCOUNT = "111122223333"
PROBE_FROM = "probe@probe-sender.example"
INTRUDER = "intruder@elsewhere.example"


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
    extra = sorted(granted - wanted)
    strict = not extra and found <= lines and all(pinned) and named and all(allowed)
    return {"allowed": allowed, "strict": strict, "extra": extra, "beyond": sorted(found - lines),
            "pinned": pinned, "named": named}


def test_corpus_cases_are_labelled_and_sourced():
    for folder in CASES:
        label = _label(folder)
        assert label["repository"].count("/") == 1 and label["path"] and len(label["commit"]) == 40, folder.name
        for s in label["sends"] + label["calls"]:
            assert (folder / s["file"]).is_file() and s["actions"], (folder.name, s)


def test_corpus_scores():
    results = {folder.name: score(folder) for folder in CASES}
    sends = [ok for r in results.values() for ok in r["allowed"]]
    strict = [r["strict"] for r in results.values()]
    allowed_share = sum(sends) / len(sends)
    strict_share = sum(strict) / len(strict)
    print(f"\ncorpus: {len(CASES)} snippets, {len(sends)} labelled sends: {sum(sends)} allowed "
          f"({allowed_share:.0%}); {sum(strict)} of {len(strict)} cases strictly least privilege ({strict_share:.0%})")
    for name, r in sorted(results.items()):
        if not r["strict"]:
            print(f"  not strict: {name}: {r}")
    assert allowed_share >= 0.95
    assert strict_share >= 0.85


@pytest.mark.parametrize("folder", CASES, ids=lambda p: p.name)
def test_every_labelled_send_is_allowed(folder):
    assert all(score(folder)["allowed"]), folder.name
