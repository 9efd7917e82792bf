"""Bad input never crashes: one line naming the file (and where it can, the place), never a
traceback, never exit 1 for a failure, and exit 4 only for a real bug.

Each row runs the real `seslint` process, as a user or pre-commit would, so the terminal's
encoding and the exit code are the ones users see.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}]}'

# name: (files {relative path: bytes}, argv with {d} for the folder, exit code, text expected in the output)
CASES = {
    "empty folder": ({"empty/.keep": b""}, ["lint", "{d}/empty"], 3, "empty: no .json"),
    "folder without policies": ({"docs/readme.md": b"# hi"}, ["lint", "{d}/docs"], 3, "no .json"),
    "broken JSON, named": ({"p.json": b'{"Statement": [}'}, ["lint", "{d}/p.json"], 1, "p.json:1:16: SES001"),
    "broken YAML, named": ({"p.yaml": b"Statement:\n\t- a\n"}, ["lint", "{d}/p.yaml"], 1, "p.yaml:2:1: SES001"),
    "lone surrogate in a policy, text": (
        {"p.json": POLICY.replace("*", "\\ud800").encode()}, ["lint", "{d}/p.json"], 1, "SES064"),
    "lone surrogate in a policy, json": (
        {"p.json": POLICY.replace("*", "\\ud800").encode()}, ["lint", "--format", "json", "{d}/p.json"], 1, "SES064"),
    "lone surrogate in a policy, sarif": (
        {"p.json": POLICY.replace("*", "\\ud800").encode()}, ["lint", "--format", "sarif", "{d}/p.json"], 1,
        "SES064"),
    "lone surrogate in a scenario": (
        {"s.json": b'{"request": {"action": "ses:SendEmail", "resource": "arn:aws:ses:us-east-1:1:identity/\\ud800"}}'},
        ["simulate", "--scenario", "{d}/s.json"], 1, "implicitDeny"),
    "non-UTF-8 scenarios line": (
        {"s.jsonl": b'{"request": {"action": "ses:SendEmail", "resource": "\xff"}}\n'},
        ["simulate", "--scenarios", "{d}/s.jsonl"], 3, "s.jsonl:1:54: not UTF-8 text: byte 0xff"),
    "non-UTF-8 policy": ({"p.json": b'{"Statement": "\xc3\x28"}'}, ["lint", "{d}/p.json"], 1,
                         "p.json:1:1: SES001 error cannot read file: it is not UTF-8 text"),
    "endpoint URL without scheme, can-send": (
        {}, ["can-send", "--role", "ci", "--endpoint-url", "127.0.0.1:5055", "--from", "a@example.com",
             "--to", "b@example.com"], 2, "is not an http:// or https:// URL"),
    "endpoint URL without scheme, simulate": (
        {}, ["simulate", "--role", "ci", "--endpoint-url", "127.0.0.1:5055", "--action", "ses:SendEmail"], 2,
        "is not an http:// or https:// URL"),
    "endpoint URL without scheme, audit": (
        {}, ["audit", "--live", "--endpoint-url", "127.0.0.1:5055"], 2, "is not an http:// or https:// URL"),
    "docker-compose merge keys, named": (
        {"docker-compose.yml": b"x-base: &base\n  image: nginx\nservices:\n  web:\n    <<: *base\n"},
        ["lint", "{d}/docker-compose.yml"], 3, "docker-compose.yml: not an IAM policy"),
    "mkdocs python tag, named": (
        {"mkdocs.yml": b"markdown_extensions:\n  - x:\n      emoji_index: !!python/name:material.emoji.twemoji\n"},
        ["lint", "{d}/mkdocs.yml"], 3, "mkdocs.yml: not an IAM policy"),
    "recursive alias, named": ({"r.yaml": b"a: &a [*a]\n"}, ["lint", "{d}/r.yaml"], 1, "recursive YAML alias"),
    "alias bomb, named": (
        {"b.yaml": ("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 8))).encode()},
        ["lint", "{d}/b.yaml"], 1, "YAML aliases expand to more than"),
    "deeply nested YAML": ({"n.yaml": b"a: " + b"[" * 5000 + b"]" * 5000}, ["lint", "{d}/n.yaml"], 1,
                           "nesting is too deep"),
    "deeply nested JSON": ({"n.json": b"[" * 100000 + b"]" * 100000}, ["lint", "{d}/n.json"], 1,
                           "nesting is too deep"),
    "unknown operator": (
        {"p.json": POLICY.replace('"Resource": "*"', '"Resource": "*", "Condition": {"StringEqualz": {"a:b": "c"}}')
         .encode()}, ["lint", "{d}/p.json"], 1, "SES014"),
    "wrong types": ({"p.json": b'{"Version": "2012-10-17", "Statement": [{"Effect": 1, "Action": {}}]}'},
                    ["lint", "{d}/p.json"], 1, "SES003"),
    "repeated member in a scenario's policy": (
        {"s.json": b'{"identity_policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", '
                   b'"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}]}], '
                   b'"request": {"action": "ses:SendEmail", "resource": "*"}}'},
        ["simulate", "--scenario", "{d}/s.json"], 3, "s.json at /identity_policies/0/Statement/0/Effect: member name"),
    "scenario that is a list": ({"s.json": b"[]"}, ["simulate", "--scenario", "{d}/s.json"], 3, "s.json"),
}


def _run(tmp_path, files, argv):
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    args = [a.replace("{d}", str(tmp_path)) for a in argv]
    return subprocess.run([sys.executable, "-m", "seslint", *args], capture_output=True, timeout=120,
                          stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_gets_a_clear_answer(name, tmp_path):
    files, argv, code, expected = CASES[name]
    done = _run(tmp_path, files, argv)
    out = (done.stdout + done.stderr).decode("utf-8", "backslashreplace")
    assert "Traceback" not in out
    assert done.returncode == code, out
    assert expected in out.replace(str(tmp_path) + "/", ""), out


def test_a_crash_is_exit_4_in_one_line(tmp_path, monkeypatch):
    """A bug anywhere below the CLI: exit 4 with one line asking for a report, not exit 1."""
    from seslint.lint import engine
    from tests.conftest import invoke

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(engine, "run", broken)
    (tmp_path / "p.json").write_text(POLICY)
    result = invoke("lint", str(tmp_path / "p.json"))
    assert result.code == 4
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "internal error (ZeroDivisionError: boom)" in lines[0] and "report" in lines[0]


def test_ctrl_c_is_exit_130_not_1(tmp_path, monkeypatch):
    """An interrupted run must not read as "findings" (exit 1) to a script."""
    from seslint.lint import engine
    from tests.conftest import invoke

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "run", interrupted)
    (tmp_path / "p.json").write_text(POLICY)
    result = invoke("lint", str(tmp_path / "p.json"))
    assert (result.code, result.output) == (130, "seslint: interrupted\n")


def test_yaml_that_is_not_cloudformation_is_skipped_in_a_folder(tmp_path):
    files = {"docker-compose.yml": b"x-base: &base\n  image: nginx\nservices:\n  web:\n    <<: *base\n",
             "mkdocs.yml": b"nav:\n  - !!python/name:material.x\n",
             "r.yaml": b"a: &a [*a]\n",
             "policy.json": POLICY.replace("ses:SendEmail", "ses:SendEmial").encode()}
    done = _run(tmp_path, files, ["lint", "{d}"])
    out = done.stdout.decode()
    assert done.returncode == 1 and "SES021" in out and "yml" not in out and "r.yaml" not in out


def test_pre_commit_style_run_still_reports_the_real_findings(tmp_path):
    """The hook names every changed file: ordinary YAML among them must not hide a finding."""
    files = {"docker-compose.yml": b"x-base: &base\n  image: nginx\nservices:\n  web:\n    <<: *base\n",
             "r.yaml": b"a: &a [*a]\n",
             "policy.json": POLICY.replace("ses:SendEmail", "ses:SendEmial").encode()}
    done = _run(tmp_path, files, ["lint", "--skip-unrecognized", "{d}/docker-compose.yml", "{d}/r.yaml",
                                  "{d}/policy.json"])
    out = done.stdout.decode()
    assert done.returncode == 1 and "SES021" in out and "docker-compose" not in out and "r.yaml" not in out
