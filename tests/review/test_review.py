"""`seslint review --base REV [--head REV]` in a git work tree, end to end through the CLI."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from tests.conftest import invoke
from tests.review.conftest import ARN, only_to, policy, send

SARIF_SCHEMA = Path(__file__).resolve().parents[1] / "lint" / "sarif-schema-2.1.0.json"


def review(*args):
    result = invoke("review", *args)
    return result.code, result.out, result.err


def report(*args):
    code, out, err = review(*args, "--format", "json")
    assert not err, err
    return code, json.loads(out)


@pytest.fixture
def base(repo):
    """A repository whose first commit holds a simulator-only policy, a scoped sender and a README."""
    repo.write("policies/ci.json", policy(send("Ci", condition=only_to("*@simulator.amazonses.com"))))
    repo.write("policies/app.json", policy(send("App", condition=only_to("*@example.com"))))
    repo.write("README.md", "# app\n")
    return repo.commit("base")


def test_a_widening_in_the_work_tree(repo, base):
    repo.write("policies/app.json", policy(send("App")))
    before = repo.status()
    code, out = report("--base", "HEAD")
    assert code == 1
    assert (out["version"], out["base"], out["head"]) == (1, base, "worktree")
    (change,) = out["changes"]
    assert (change["file"], change["location"], change["status"]) == ("policies/app.json", "/", "modified")
    assert change["gained"] and change["lost"] == []
    for item in change["gained"]:
        assert (item["line"], item["sid"]) == (4, "App")
        assert set(item["request"]) == {"action", "resource", "context"}
    assert repo.status() == before   # nothing written, staged or checked out


def test_head_revision_and_paths(repo, base):
    repo.write("policies/app.json", policy(send("App")))
    repo.write("other/x.json", policy(send("X")))
    head = repo.commit("widen")
    repo.write("policies/app.json", policy())   # the work tree differs from head: not read
    code, out = report("--base", base, "--head", head, "policies")
    assert code == 1 and out["head"] == head
    assert [c["file"] for c in out["changes"]] == ["policies/app.json"]
    assert out["changes"][0]["gained"]


def test_narrowing_equivalent_rewrite_and_unrelated_edits(repo, base):
    repo.write("policies/app.json", policy(send("App", condition=only_to("noreply@example.com"))))
    # the same grant, rewritten: statements split, Sids renamed, keys reordered
    repo.write("policies/ci.json", policy(
        {"Condition": only_to("*@simulator.amazonses.com"), "Resource": f"{ARN}:identity/example.com",
         "Action": "ses:SendRawEmail", "Effect": "Allow", "Sid": "Raw"},
        send("Simple", ["ses:SendEmail"], condition=only_to("*@simulator.amazonses.com"))))
    repo.write("README.md", "# app, edited\n")
    code, out = report("--base", "HEAD")
    assert code == 0
    (change,) = out["changes"]
    assert change["file"] == "policies/app.json" and change["gained"] == [] and change["lost"]


def test_added_and_removed_files_count(repo, base):
    repo.remove("policies/ci.json")
    repo.write("policies/new.json", policy(send("New", ["ses:SendTemplatedEmail"], "*")))
    code, out = report("--base", "HEAD")
    assert code == 1
    status = {c["file"]: (c["status"], bool(c["gained"]), bool(c["lost"])) for c in out["changes"]}
    assert status == {"policies/ci.json": ("removed", False, True), "policies/new.json": ("added", True, False)}


def test_a_renamed_file_pairs_with_its_old_self(repo, base):
    repo.git("mv", "policies/app.json", "policies/sender.json")
    assert report("--base", "HEAD") == (0, {"version": 1, "base": base, "head": "worktree", "changes": [],
                                            "findings": []})


def test_only_new_findings(repo, base):
    repo.write("policies/old-bug.json", policy(send("Typo", ["ses:SendEmial"], condition=only_to("*@example.com"))))
    base2 = repo.commit("a finding at base")
    repo.write("policies/old-bug.json", policy(send("Typo", ["ses:SendEmial"], condition=only_to("*@example.com")),
                                               send("Dead", ["ses:DeleteIdentity"], f"{ARN}:identity/x.com")))
    code, out = report("--base", base2)
    assert code == 1
    # SES021 (the typo) is at base too: not reported
    assert [(f["rule"], f["file"], f["line"]) for f in out["findings"]] == [
        ("SES025", "policies/old-bug.json", 26), ("SES043", "policies/old-bug.json", 26)]
    assert invoke("review", "--base", base2, "--fail-on", "never").code == 0


def test_undecidable_is_exit_3(repo, base):
    ip = {"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}
    repo.write("policies/ip.json", policy(send("Ip", condition=ip)))
    base2 = repo.commit("ipv6")
    repo.write("policies/ip.json", policy(send("Ip", condition=ip), send("More", resource=f"{ARN}:identity/x.org")))
    code, out = report("--base", base2, "--fail-on", "never")
    assert code == 3 and out["changes"][0]["unknown"]
    assert all("IPv6" in u["reason"] for u in out["changes"][0]["unknown"])


def test_usage_errors(tmp_path, monkeypatch, repo, base):
    assert invoke("review", "--base", "no-such-branch").code == 2
    assert "unknown revision 'no-such-branch'" in invoke("review", "--base", "no-such-branch").err
    assert invoke("review").code == 2   # --base is required
    outside = tmp_path / "outside"
    outside.mkdir()
    monkeypatch.chdir(outside)
    result = invoke("review", "--base", "HEAD")
    assert result.code == 2 and "not inside a git work tree" in result.err and "Traceback" not in result.output


def test_markdown_comment(repo, base):
    repo.write("policies/app.json", policy(send("App")))
    code, out, _ = review("--base", "HEAD", "--format", "markdown")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "<!-- seslint-review -->"
    header = next(line for line in lines if line.startswith("| principal or policy"))
    assert header == "| principal or policy | allowed before | allowed now | witness |"
    row = lines[lines.index(header) + 2]
    assert row.startswith("| `app.json` | only `*@example.com` | anyone | gained: `echo ")
    command = re.search(r"`(echo .*\\\| seslint simulate --scenario - --explain)`", row).group(1).replace("\\|", "|")
    words = shlex.split(command)
    scenario = words[1]
    assert words[2:] == ["|", "seslint", "simulate", "--scenario", "-", "--explain"]
    result = invoke("simulate", "--scenario", "-", "--format", "json", input=scenario)
    assert (result.code, json.loads(result.out)["decision"]) == (0, "allowed")


def test_github_annotations_at_most_ten_per_level(repo, base):
    for n in range(12):
        repo.write(f"policies/p{n:02}.json", policy(send(f"P{n}", condition=only_to("*@example.com"))))
    base2 = repo.commit("twelve")
    for n in range(12):
        repo.write(f"policies/p{n:02}.json", policy(send(f"P{n}")))
    code, out, _ = review("--base", base2, "--format", "github")
    assert code == 1
    lines = out.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == 10 and all(re.match(r"::error file=policies/p\d\d\.json,line=4,", e) for e in errors)
    summary = lines[-1]
    assert summary.startswith("::notice title=seslint review::")
    assert "24 errors" in summary and "24 gained" in summary


def test_sarif(repo, base):
    jsonschema = pytest.importorskip("jsonschema")
    repo.write("policies/app.json", policy(send("App"), send("Dead", ["ses:DeleteIdentity"], f"{ARN}:identity/x.com")))
    code, out, _ = review("--base", "HEAD", "--format", "sarif")
    log = json.loads(out)
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()))
    rules = {r["ruleId"] for r in log["runs"][0]["results"]}
    assert code == 1 and "gained-send" in rules and any(r.startswith("SES") for r in rules)


def test_markdown_fits_the_comment_limit(repo, base):
    """Past the limit the comment drops the witness commands, then lists only the first policies."""
    from seslint.review import render
    from seslint.review.run import review as run

    for n in range(6):
        repo.write(f"policies/p{n}.json", policy(send(f"P{n}")))
    result = run([], "HEAD", reach=True)
    full = render.review_markdown(result)
    assert "seslint simulate --scenario -" in full
    for limit in (len(full) - 1, 2500):
        text = render.review_markdown(result, limit)
        assert len(text) < limit and text.startswith("<!-- seslint-review -->\n")
        assert "seslint simulate --scenario -" not in text
    assert "more changed policies" in render.review_markdown(result, 2500)


def test_a_file_broken_at_head_is_undecided_not_removed(repo, base):
    repo.write("policies/app.json", '{"Version": "2012-10-17", "Statement": [')
    code, out = report("--base", "HEAD")
    assert code == 1   # SES001, an error, is new at head
    (change,) = out["changes"]
    assert (change["file"], change["status"], change["lost"]) == ("policies/app.json", "modified", [])
    assert "cannot be read" in change["unknown"][0]["reason"]
    assert [f["rule"] for f in out["findings"]] == ["SES001"]
