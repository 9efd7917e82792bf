"""Benchmark: prove, diff and audit on adversarial policies of up to 6,144 characters (issue 25).

    python tests/bench/bench_adversarial.py [--random 40] [--seed 7]

Each case is a policy at most IAM's inline limit (6,144 characters without white space) built to
be hard: wildcard runs (`*?` pairs) in From and recipient patterns, many `*`-separated pieces, long
case-insensitive values, policy variables without a principal, and random mixes that fill the
limit. For each, in this process and from a cold start (content caches emptied), times every
property of `prove` (recipients within, senders within with a long pattern, no send), `diff` against
a plain policy, and `audit` of one principal holding it. Prints each answer with its CPU time (what
the budget counts: seslint/prove/budget.py, 2 s per question) and wall time, and the slowest per
command; a question past its budget must answer unknown with the reason. `diff` asks one question
per kind of request (about 15), `audit` up to three per region. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

ACCOUNT = "111122223333"
ARN = f"arn:aws:ses:us-east-1:{ACCOUNT}"
LIMIT = 6144
PLAIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}]}
PROPERTIES = (("recipients within", {"recipients_within": ["*@example.com"]}),
              ("senders within (long pattern)", {"senders_within": ["a" * 330 + "*", "*@example.com"]}),
              ("no send", {"no_send": True}))


def doc(*statements) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def send(condition=None, resource="*", effect="Allow") -> dict:
    st = {"Effect": effect, "Action": ["ses:SendEmail", "ses:SendRawEmail"], "Resource": resource}
    if condition:
        st["Condition"] = condition
    return st


def size(policy: dict) -> int:
    from seslint.core.size import policy_size

    return policy_size(policy)


def largest(make) -> dict:
    """make(k) with the largest k whose policy fits the inline limit."""
    lo, hi = 1, 1
    while size(make(hi)) <= LIMIT:
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if size(make(mid)) <= LIMIT else (lo, mid)
    return make(lo)


def cases(count: int, seed: int) -> list[tuple[str, dict]]:
    out = [
        ("From: 25 *? pairs", doc(send({"StringLike": {"ses:FromAddress": "*?" * 25 + "@example.com"}}))),
        ("From and recipients: 25 *? pairs", doc(send({
            "StringLike": {"ses:FromAddress": "*?" * 25 + "@example.com"},
            "ForAllValues:StringLike": {"ses:Recipients": "*?" * 25 + "@example.org"}}))),
        ("From: *? pairs to the limit", largest(lambda k: doc(send({"StringLike": {
            "ses:FromAddress": "*?" * k + "@example.com"}})))),
        ("recipients: *a*b pieces to the limit", largest(lambda k: doc(send({
            "ForAllValues:StringLike": {"ses:Recipients": "*a*b" * k + "@example.com"}})))),
        ("guardrail: many *x*y patterns", largest(lambda k: doc(send(), send({
            "ForAnyValue:StringNotLike": {"ses:Recipients": [f"*{i % 7}*{i % 5}*@ex{i}.com" for i in range(k)]}},
            effect="Deny")))),
        ("StringEqualsIgnoreCase, 330 characters", doc(send({"StringEqualsIgnoreCase": {
            "ses:FromAddress": "a" * 330 + "@example.com"}}))),
        ("StringEqualsIgnoreCase to the limit", largest(lambda k: doc(send({"StringEqualsIgnoreCase": {
            "ses:FromAddress": "a" * k + "@example.com"}})))),
        ("${aws:username}, no principal", doc(send(resource=f"{ARN}:identity/${{aws:username}}@example.com"))),
        ("${aws:username} twice, no principal", doc(
            send(resource=f"{ARN}:identity/${{aws:username}}@example.com"),
            send({"StringNotEquals": {"ses:FromAddress": "${aws:username}@example.com"}}, effect="Deny"))),
        ("${aws:username} against a From pattern", doc(send(
            {"StringLike": {"ses:FromAddress": "*?" * 12 + "@example.com"}},
            resource=[f"{ARN}:identity/${{aws:username}}@example.com", f"{ARN}:configuration-set/${{aws:username}}"]))),
    ]
    for i in range(count):
        out.append((f"random mix {i}", largest(lambda k, i=i: doc(
            *[mixed(random.Random(f"{seed}-{i}-{j}")) for j in range(k)]))))
    return out


def pattern(rng: random.Random) -> str:
    pieces = ["*", "?", "*?", "a", "b", "@", ".", "example", "x"]
    return "".join(rng.choice(pieces) for _ in range(rng.randint(2, 14)))


def mixed(rng: random.Random) -> dict:
    key = rng.choice(("ses:FromAddress", "ses:Recipients", "ses:FromDisplayName", "ses:FeedbackAddress"))
    op = rng.choice(("StringLike", "StringNotLike", "StringEquals", "StringEqualsIgnoreCase"))
    if key == "ses:Recipients":
        op = rng.choice(("ForAllValues:", "ForAnyValue:")) + op
    values = [pattern(rng) for _ in range(rng.randint(1, 4))]
    if rng.random() < 0.05 and "Equals" in op:
        values.append("${aws:username}@example.com")
    resource = rng.choice(("*", f"{ARN}:identity/*", f"{ARN}:identity/{pattern(rng)}",
                           f"{ARN}:identity/${{aws:username}}@example.com"))
    return send({op: {key: values}}, resource, rng.choice(("Allow", "Allow", "Deny")))


def timed(fn):
    from seslint.prove.api import clear_caches

    clear_caches()
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn()
    return (time.process_time() - cpu, time.perf_counter() - wall), out


def audit_one(policy: dict):
    from seslint.audit import audit
    from seslint.evaluate.authdetails import load_auth_details

    details = load_auth_details({"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": [
        {"RoleName": "r", "Arn": f"arn:aws:iam::{ACCOUNT}:role/r", "AttachedManagedPolicies": [],
         "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": policy}]}]}, "<bench>")
    finding = audit(details).findings[0]
    return f"{finding.verdict}" + (f" ({finding.reason[:70]})" if finding.verdict == "unknown" else "")


def main(argv=None) -> int:
    from seslint.prove.api import diff, prove
    from seslint.prove.decision import build_inputs

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--random", type=int, default=40)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    worst: dict[str, tuple[float, float, str]] = {}

    def note(command: str, name: str, seconds: tuple[float, float], answer: str) -> None:
        cpu, wall = seconds
        print(f"  {command:<32} {cpu * 1000:7.0f} ms CPU {wall * 1000:7.0f} ms wall  {answer}")
        if cpu > worst.get(command, (0.0, 0.0, ""))[0]:
            worst[command] = (cpu, wall, name)

    timed(lambda: prove(build_inputs([PLAIN], account=ACCOUNT), no_send=True))   # warm-up: imports, send plans
    for name, policy in cases(args.random, args.seed):
        print(f"{name} ({size(policy):,} characters)")
        inputs = lambda p=policy: build_inputs([p], account=ACCOUNT)   # noqa: E731 - a fresh compile each time
        for label, prop in PROPERTIES:
            seconds, outcome = timed(lambda prop=prop, inputs=inputs: prove(inputs(), **prop))
            note(f"prove {label}", name, seconds, f"{outcome.verdict}: {outcome.reason[:70]}")
        seconds, changes = timed(lambda inputs=inputs: diff(build_inputs([PLAIN], account=ACCOUNT), inputs()))
        note("diff", name, seconds, json.dumps({k: len(v) for k, v in changes.items()}))
        seconds, verdict = timed(lambda p=policy: audit_one(p))
        note("audit (one principal)", name, seconds, verdict)
    print("slowest (CPU time):")
    for command, (cpu, wall, name) in sorted(worst.items()):
        print(f"  {command:<32} {cpu * 1000:7.0f} ms CPU {wall * 1000:7.0f} ms wall  ({name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
