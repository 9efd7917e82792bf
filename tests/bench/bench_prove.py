"""Benchmark: `seslint prove` per property, and `seslint audit` of 1,000 principals.

    python tests/bench/bench_prove.py [--rounds 20] [--principals 1000] [--policies 60] [--seed 7]

1. Per property: each example policy (examples/policies/) and each generated sending recipe,
   against --recipients-within, --senders-within and --no-send, --rounds times each, in-process
   (compile + encode + solve + re-check, a fresh Inputs and empty content caches every time).
   Prints p50 and p95.
2. Audit: an account of --principals roles and users, each with one or two of --policies distinct
   generated SES policies (as real accounts attach shared managed policies), some with inline
   policies of their own. Prints the wall time of `audit()` and how many distinct policy sets it held.
Targets (issue 14): p95 <= 50 ms per property, audit of 1,000 principals <= 30 s.
Not part of the test suite (pytest does not collect this file).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "111122223333"
PROPERTIES = ({"recipients_within": ["*@simulator.amazonses.com", "*@example.com"]},
              {"senders_within": ["*@example.com"]}, {"no_send": True})


def typical_policies() -> list[tuple[str, dict]]:
    from seslint.generate import generate

    out = [(p.name, json.loads(p.read_text())) for p in sorted((ROOT / "examples" / "policies").glob("*.json"))]
    out = [(n, v) for n, v in out if "Principal" not in json.dumps(v)]
    for name, values in (("ci-simulator-only", {}), ("restricted-sender", {"from": "noreply@example.com",
                                                                           "recipient-domain": ["example.com"]}),
                         ("templated-sender", {"template": "welcome", "from": "a@example.com"})):
        out.append((f"recipe {name}", generate(name, values)))
    return out


def bench_properties(rounds: int) -> tuple[list[float], list[float]]:
    """(wall seconds, CPU seconds) per property, each asked as `seslint prove` asks it: in every
    (account, region) class the policy's ARNs tell apart (seslint.scope)."""
    from seslint.prove.api import clear_caches, prove_in
    from seslint.prove.decision import build_inputs
    from seslint.scope import scope_of

    times, cpu = [], []
    for _ in range(rounds):
        for _, policy in typical_policies():
            for prop in PROPERTIES:
                clear_caches()   # cold, as one `seslint prove` run: no answer carried over by content
                start, start_cpu = time.perf_counter(), time.process_time()
                inputs = build_inputs([policy], account=ACCOUNT)
                prove_in(inputs, scope_of(inputs), **prop)
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
    return times, cpu


def statement(rng: random.Random) -> dict:
    domain = rng.choice(("example.com", "corp.example", "shop.example", "news.example"))
    st = {"Effect": "Allow", "Action": rng.choice((["ses:SendEmail", "ses:SendRawEmail"], "ses:Send*", "ses:*")),
          "Resource": rng.choice(("*", f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/{domain}",
                                  [f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/{domain}",
                                   f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/*@{domain}"]))}
    kind = rng.random()
    if kind < 0.3:
        st["Condition"] = {"ForAllValues:StringLike": {"ses:Recipients": [f"*@{domain}"]},
                           "Null": {"ses:Recipients": "false"}}
    elif kind < 0.5:
        st["Condition"] = {"StringEquals": {"ses:FromAddress": f"noreply@{domain}"}}
    elif kind < 0.6:
        st["Condition"] = {"ForAllValues:StringLike": {"ses:Recipients": "*@simulator.amazonses.com"}}
    return st


def guard(rng: random.Random) -> dict:
    return {"Effect": "Deny", "Action": "ses:Send*", "Resource": "*",
            "Condition": {rng.choice(("ForAnyValue:StringNotLike", "ForAllValues:StringNotLike")):
                          {"ses:Recipients": ["*@example.com", "*@simulator.amazonses.com"]}}}


def policy(rng: random.Random) -> dict:
    statements = [statement(rng) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.3:
        statements.append(guard(rng))
    if rng.random() < 0.2:
        statements.append({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"})
    return {"Version": "2012-10-17", "Statement": statements}


def account(principals: int, distinct: int, seed: int) -> dict:
    rng = random.Random(seed)
    managed = [{"PolicyName": f"ses-{i}", "Arn": f"arn:aws:iam::{ACCOUNT}:policy/ses-{i}", "DefaultVersionId": "v1",
                "PolicyVersionList": [{"Document": policy(rng), "VersionId": "v1", "IsDefaultVersion": True}]}
               for i in range(distinct)]
    roles, users = [], []
    for i in range(principals):
        attached = [{"PolicyName": p["PolicyName"], "PolicyArn": p["Arn"]} for p in rng.sample(managed, rng.randint(1, 2))]
        inline = [{"PolicyName": "own", "PolicyDocument": policy(rng)}] if rng.random() < 0.05 else []
        if i % 4:
            roles.append({"RoleName": f"r{i}", "Arn": f"arn:aws:iam::{ACCOUNT}:role/r{i}", "RolePolicyList": inline,
                          "AttachedManagedPolicies": attached})
        else:
            users.append({"UserName": f"u{i}", "Arn": f"arn:aws:iam::{ACCOUNT}:user/u{i}", "UserPolicyList": inline,
                          "AttachedManagedPolicies": attached, "GroupList": []})
    return {"UserDetailList": users, "GroupDetailList": [], "RoleDetailList": roles, "Policies": managed}


def bench_audit(principals: int, distinct: int, seed: int) -> tuple[float, dict]:
    from seslint.audit import audit
    from seslint.evaluate.authdetails import load_auth_details

    details = load_auth_details(account(principals, distinct, seed), "<bench account>")
    start = time.perf_counter()
    report = audit(details)
    return time.perf_counter() - start, report.counts()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--principals", type=int, default=1000)
    ap.add_argument("--policies", type=int, default=60)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    bench_properties(1)   # warm-up: imports, matrix, send plans
    wall, cpu = (sorted(t) for t in bench_properties(args.rounds))

    def pct(times, q):
        return times[int(q * (len(times) - 1))] * 1000

    print(f"prove: {len(wall)} property checks over {len(typical_policies())} typical policies: "
          f"p50 {pct(wall, 0.5):.1f} ms, p95 {pct(wall, 0.95):.1f} ms wall; p50 {pct(cpu, 0.5):.1f} ms, "
          f"p95 {pct(cpu, 0.95):.1f} ms CPU (target p95 <= 50 ms)")
    elapsed, counts = bench_audit(args.principals, args.policies, args.seed)
    print(f"audit: {args.principals} principals ({args.policies} shared managed policies, some inline ones): "
          f"{elapsed:.1f} s (target <= 30 s); verdicts {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
