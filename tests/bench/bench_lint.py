"""Benchmark: `seslint lint` against parliament on the same SES policies.

    python tests/bench/bench_lint.py [--count 1000] [--repeat 5] [--seed 7]

Two sets of --count files, SES060 (guardrail proofs) on as by default:
- generated: realistic SES policies (senders with recipient and From conditions, guardrail denies,
  identity management, wildcards, some with defects) in tests/bench/.work/corpus/;
- cycled: 55 distinct policies, every raw policy of tests/realworld/corpus and tests/lint/fixtures
  that holds a recipient or From guardrail and the first others, repeated in turn over --count files
  (as a repository of many accounts' copies of a few policies) in tests/bench/.work/cycled/.
Both tools are
installed the same way, each into its own virtual environment under tests/bench/.work/ (gitignored)
with `pip install` (as pre-commit installs a hook; pip also compiles their bytecode): parliament
from PyPI, seslint from this checkout (reinstalled on every run, so the current code is measured).
Times whole processes through each tool's console script (interpreter start-up included), median
of --repeat runs:
- one file: `seslint lint FILE` vs `parliament --file FILE` (a sender policy, a guardrail the shape
  check closes, and one only the solver can judge, which loads z3);
- each set: `seslint lint DIR` vs `parliament --directory DIR` (one process each over all files).
Prints both times and the ratio. Not part of the test suite (pytest does not collect this file).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
ACCOUNT = "111122223333"
DOMAINS = ["example.com", "shop.example.com", "mail.example.org"]
SENDS = ["ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail"]


def identity(domain: str) -> str:
    return f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/{domain}"


def policy(rng: random.Random, i: int) -> dict:
    domain = rng.choice(DOMAINS)
    kind = i % 6
    if kind == 0:  # CI: mailbox simulator only
        statements = [{"Sid": "Simulator", "Effect": "Allow", "Action": SENDS[:2], "Resource": identity(domain),
                       "Condition": {"ForAllValues:StringLike": {"ses:Recipients": "*@simulator.amazonses.com"},
                                     "Null": {"ses:Recipients": "false"}}}]
    elif kind == 1:  # app sender with From restriction
        statements = [{"Sid": "Send", "Effect": "Allow", "Action": rng.sample(SENDS, rng.randint(1, 4)),
                       "Resource": [identity(domain), f"arn:aws:ses:us-east-1:{ACCOUNT}:configuration-set/prod"],
                       "Condition": {"StringLike": {"ses:FromAddress": f"*@{domain}"}}}]
    elif kind == 2:  # guardrail, sometimes the leaky ForAllValues form
        op = rng.choice(["ForAnyValue:StringNotLike", "ForAllValues:StringNotLike"])
        statements = [{"Sid": "Send", "Effect": "Allow", "Action": "ses:Send*", "Resource": "*"},
                      {"Sid": "Guard", "Effect": "Deny", "Action": SENDS, "Resource": "*",
                       "Condition": {op: {"ses:Recipients": [f"*@{domain}"]}}}]
    elif kind == 3:  # identity management, sometimes with dead ARNs
        resource = rng.choice(["*", identity(domain)])
        statements = [{"Sid": "Manage", "Effect": "Allow", "Resource": resource, "Action": rng.sample(
            ["ses:VerifyDomainIdentity", "ses:DeleteIdentity", "ses:GetIdentityVerificationAttributes",
             "ses:SetIdentityDkimEnabled", "ses:CreateEmailIdentity", "ses:DeleteEmailIdentity",
             "ses:GetEmailIdentity", "ses:PutEmailIdentityDkimAttributes"], 4)}]
    elif kind == 4:  # templates and configuration sets
        statements = [{"Sid": "Templates", "Effect": "Allow", "Action": ["ses:CreateEmailTemplate",
                                                                          "ses:UpdateEmailTemplate", "ses:GetEmailTemplate"],
                       "Resource": f"arn:aws:ses:us-east-1:{ACCOUNT}:template/*"},
                      {"Sid": "Sets", "Effect": "Allow", "Action": "ses:CreateConfigurationSet*",
                       "Resource": f"arn:aws:ses:us-east-1:{ACCOUNT}:configuration-set/*"}]
    else:  # a typo and a wrong prefix
        statements = [{"Sid": "Typos", "Effect": "Allow", "Action": ["ses:SendEmails", "sesv2:SendEmail"],
                       "Resource": identity(domain)}]
    return {"Version": "2012-10-17", "Statement": statements}


def corpus(count: int, seed: int) -> Path:
    out = WORK / "corpus"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    rng = random.Random(seed)
    for i in range(count):
        (out / f"policy-{i:04d}.json").write_text(json.dumps(policy(rng, i), indent=2))
    return out


def cycled(count: int, distinct: int = 55) -> Path:
    """`count` files cycling `distinct` raw policies from the repository's corpora, guardrails first."""
    out = WORK / "cycled"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    sources = sorted(HERE.parent.glob("realworld/corpus/*/*.json")) + sorted(HERE.parent.glob("lint/fixtures/rules/*/*.json"))
    policies, seen = [], set()
    for path in sources:
        try:
            value = json.loads(path.read_text())
        except ValueError:
            continue
        text = json.dumps(value, sort_keys=True)
        if isinstance(value, dict) and "Statement" in value and text not in seen:
            seen.add(text)
            policies.append((not ('"Deny"' in text and ("ses:Recipients" in text or "ses:FromAddress" in text)), value))
    chosen = [value for _, value in sorted(policies, key=lambda p: p[0])][:distinct]   # stable: guardrails first
    for i in range(count):
        (out / f"policy-{i:04d}.json").write_text(json.dumps(chosen[i % len(chosen)], indent=2))
    return out


def parliament() -> Path:
    venv = WORK / "parliament-venv"
    exe = venv / "bin" / "parliament"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "parliament"], check=True)
    return exe


def seslint() -> Path:
    venv = WORK / "seslint-venv"
    pip = venv / "bin" / "pip"
    if not pip.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(pip), "install", "--quiet", str(HERE.parents[1])], check=True)
    else:  # dependencies are there: refresh seslint itself
        subprocess.run([str(pip), "install", "--quiet", "--no-deps", "--force-reinstall", str(HERE.parents[1])],
                       check=True)
    return venv / "bin" / "seslint"


def timed(cmd: list[str], repeat: int) -> float:
    import os

    runs = []
    _, tty = os.openpty()  # parliament refuses --file when stdin is not a terminal
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, stdin=tty)
        runs.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{cmd[0]} failed ({done.returncode}): {done.stderr[-500:]}")
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    folder = corpus(args.count, args.seed)
    repeated = cycled(args.count)
    closed_guardrail = str(HERE.parent / "lint" / "fixtures" / "rules" / "SES060" / "good.json")
    solver_guardrail = WORK / "solver-guardrail.json"   # every action, but StringLike lets upper case through
    solver_guardrail.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "ses:*", "Resource": "*",
         "Condition": {"ForAnyValue:StringLike": {"ses:Recipients": "*@competitor.example"}}}]}))
    ours = [str(seslint()), "lint", "--fail-on", "never"]
    par = str(parliament())
    rows = [(name, timed(ours + [path], args.repeat), timed([par, "--file", path], args.repeat))
            for name, path in (("1 file", str(folder / "policy-0001.json")), ("1 guardrail", closed_guardrail),
                               ("1 solved", str(solver_guardrail)))]
    rows += [(f"{args.count} {name}", timed(ours + [str(path)], args.repeat),
              timed([par, "--directory", str(path)], args.repeat))
             for name, path in (("generated", folder), ("cycled", repeated))]
    print(f"{'input':<16} {'seslint':>10} {'parliament':>12} {'ratio':>7}")
    for name, s, p in rows:
        print(f"{name:<16} {s:>9.3f}s {p:>11.3f}s {p / s:>6.1f}x")


if __name__ == "__main__":
    main()
