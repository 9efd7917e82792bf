"""`seslint who-can-send` on the corpus (tests/org/corpus.py): every seeded path found with the hop
kinds of its shortest chain, no near miss reported, the bound's cut listed, SCPs and boundaries
cutting hops; and the example org of the README."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from seslint.cli import cli as main
from tests.org import corpus

ROOT = Path(__file__).resolve().parents[2]


def write_org(tmp_path: Path, org: corpus.Org, scps: dict | None) -> list[str]:
    folder = tmp_path / "accounts"
    folder.mkdir()
    for account, value in org.accounts.items():
        (folder / f"{account}.json").write_text(json.dumps(value))
    args = ["--auth-details", str(folder)]
    if scps is not None:
        (tmp_path / "scps.json").write_text(json.dumps(scps))
        args += ["--scps", str(tmp_path / "scps.json")]
    return args


@pytest.fixture(scope="module")
def answer(tmp_path_factory):
    org = corpus.build()
    args = write_org(tmp_path_factory.mktemp("corpus"), org, corpus.scp_tree())
    run = CliRunner().invoke(main, ["who-can-send", corpus.IDENTITY, *args, "--format", "json"])
    assert run.exit_code == 1, run.output
    return org, json.loads(run.output)


def test_the_corpus_is_large_enough():
    org = corpus.build()
    chains = [p for p, kinds in org.expected.items() if kinds]
    assert len(chains) >= 20 and len(org.misses) >= 20
    kinds = {k for ks in org.expected.values() for k in ks}
    assert kinds == {"assume-role", "pass-role", "create-access-key", "self-edit"}


def test_every_path_is_found_and_none_invented(answer):
    org, found = answer
    got = {p["principal"]: [h["kind"] for h in p["via"]] for p in found["paths"]}
    assert got == org.expected
    assert not set(got) & set(org.misses)


def test_the_bound_cuts_the_six_hop_chain(answer):
    org, found = answer
    assert [c["principal"] for c in found["cut_by_bound"]] == org.cut
    assert found["max_hops"] == 5


def test_each_hop_names_the_statements_that_allow_it(answer):
    _, found = answer
    for path in found["paths"]:
        for hop in path["via"]:
            assert hop["statements"], hop
        assert path["witness"]["send"]["from"].endswith("@example.com")
        assert path["witness"]["request"]["action"].startswith("ses:")


def test_external_id_is_supplied_and_said(answer):
    _, found = answer
    hop = next(p for p in found["paths"] if p["principal"].endswith("role/p07-vendor"))["via"][0]
    assert "ExternalId 'p07-secret'" in hop["detail"]


def test_without_the_scps_the_denied_hops_go_through(tmp_path):
    org = corpus.build()
    args = write_org(tmp_path, org, None)
    run = CliRunner().invoke(main, ["who-can-send", corpus.IDENTITY, *args, "--format", "json"])
    got = {p["principal"] for p in json.loads(run.output)["paths"]}
    assert "arn:aws:iam::100000000003:role/n03-scp-denied" in got          # SCP: no sts:AssumeRole
    assert "arn:aws:iam::100000000004:role/n15-scp-no-iam-writes" in got   # SCP: no iam:Put*
    assert "arn:aws:iam::100000000001:role/n14-bounded" not in got         # the boundary still cuts


def test_max_hops_zero_lists_direct_senders_only(tmp_path):
    org = corpus.build()
    args = write_org(tmp_path, org, corpus.scp_tree())
    run = CliRunner().invoke(main, ["who-can-send", corpus.IDENTITY, *args, "--max-hops", "0", "--format", "jsonl",
                                    "--fail-on", "any"])
    assert run.exit_code == 1
    lines = [json.loads(line) for line in run.output.splitlines()]
    assert {p["principal"] for p in lines} == {p for p, kinds in org.expected.items() if not kinds}


def test_example_org(tmp_path):
    run = CliRunner().invoke(main, ["who-can-send", "example.com", "--auth-details", str(ROOT / "examples/org/accounts"),
                                    "--scps", str(ROOT / "examples/org/scps.json")])
    assert run.exit_code == 1, run.output
    assert "arn:aws:iam::222222222222:user/dev: through 2 hops" in run.output
    assert "role/sandbox" not in run.output   # the Partners OU's SCP denies its hop
    assert "ExternalId 'acme-7731'" in run.output


@pytest.mark.parametrize("identity, message", [
    ("*.example.com", "neither an email address nor a domain"),
    ("arn:aws:ses:us-east-1:111111111111:configuration-set/x", "is not an SES identity ARN"),
])
def test_bad_identity_is_one_line(identity, message):
    run = CliRunner().invoke(main, ["who-can-send", identity, "--auth-details", str(ROOT / "examples/org/accounts")])
    assert run.exit_code == 3 and message in run.output and "Traceback" not in run.output
