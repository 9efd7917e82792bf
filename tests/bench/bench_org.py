"""Benchmark: `seslint audit` over an organization, one authorization-details file per account.

    python tests/bench/bench_org.py [--principals 100000] [--sets 2000] [--accounts 20] [--scale 10]

Principals are roles drawn from --sets distinct policy sets whose verdicts are known by
construction (one of anyone, restricted, simulator-only, none; each set its own From address, so
no two sets are alike), spread over --accounts files. The audit runs as a whole process
(`--format jsonl`, every core); every line's verdict is checked. Prints the wall time, principals
per minute and the peak memory (max RSS of the process and its workers). With --scale K, it also
runs K times fewer principals over the same sets and prints the ratio of the times (the issue's
bound: ten times the principals at most twelve times the time). Not collected by pytest.

The issue's checks: 100,000 principals / 2,000 sets in 10 minutes or less; 20 accounts x 1,000
roles / 400 sets in 120 s or less (`--principals 20000 --sets 400`).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEND = ["ses:SendEmail", "ses:SendRawEmail"]
SIM = "*@simulator.amazonses.com"
KINDS = ("anyone", "restricted", "simulator-only", "none")


def policy_set(i: int) -> tuple[dict, str]:
    """The i-th policy set and its verdict."""
    kind = KINDS[i % len(KINDS)]
    sender = {"StringEquals": {"ses:FromAddress": f"app{i}@example.com"}}
    if kind == "anyone":
        statement = {"Effect": "Allow", "Action": SEND, "Resource": "*", "Condition": sender}
    elif kind == "restricted":
        statement = {"Effect": "Allow", "Action": SEND, "Resource": "*", "Condition": {
            **sender, "ForAllValues:StringLike": {"ses:Recipients": f"*@team{i}.example"},
            "Null": {"ses:Recipients": "false"}}}
    elif kind == "simulator-only":
        statement = {"Effect": "Allow", "Action": SEND, "Resource": "*", "Condition": {
            **sender, "ForAllValues:StringLike": {"ses:Recipients": SIM}, "Null": {"ses:Recipients": "false"}}}
    else:
        statement = {"Sid": f"Read{i}", "Effect": "Allow", "Action": ["ses:GetAccount", "ses:ListEmailIdentities"],
                     "Resource": "*"}
    return {"Version": "2012-10-17", "Statement": [statement]}, kind


def write_org(folder: Path, principals: int, sets: int, accounts: int) -> dict[str, str]:
    """The account files; returns principal ARN -> expected verdict."""
    expected = {}
    per = -(-principals // accounts)
    made = 0
    for a in range(accounts):
        account = f"{100000000000 + a + 1}"
        roles = []
        for r in range(min(per, principals - made)):
            i = (made + r) % sets
            doc, kind = policy_set(i)
            arn = f"arn:aws:iam::{account}:role/role-{made + r}"
            roles.append({"RoleName": f"role-{made + r}", "Arn": arn, "Path": "/",
                          "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []},
                          "RolePolicyList": [{"PolicyName": "send", "PolicyDocument": doc}],
                          "AttachedManagedPolicies": []})
            expected[arn] = kind
        made += len(roles)
        (folder / f"{account}.json").write_text(json.dumps({"UserDetailList": [], "RoleDetailList": roles,
                                                            "GroupDetailList": [], "Policies": []}))
    return expected


def run(principals: int, sets: int, accounts: int) -> tuple[float, float]:
    """(seconds, peak MiB) of one audit; exits non-zero when a verdict is wrong."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        expected = write_org(folder, principals, sets, accounts)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "seslint", "audit", "--auth-details", str(folder),
                              "--format", "jsonl", "--fail-on", "never"], capture_output=True, text=True)
        seconds = time.perf_counter() - start
        peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    if out.returncode != 0:
        sys.exit(f"audit failed ({out.returncode}): {out.stderr}")
    got = {line["principal"]: line["verdict"] for line in map(json.loads, out.stdout.splitlines())}
    wrong = {arn: (got.get(arn), kind) for arn, kind in expected.items() if got.get(arn) != kind}
    if wrong or len(got) != len(expected):
        sys.exit(f"{len(wrong)} wrong verdicts, e.g. {list(wrong.items())[:3]}")
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--principals", type=int, default=100_000)
    parser.add_argument("--sets", type=int, default=2_000)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--scale", type=int, default=0, help="also run PRINCIPALS/SCALE principals, same sets")
    args = parser.parse_args()
    seconds, peak = run(args.principals, args.sets, args.accounts)
    print(f"{args.principals:,} principals, {args.sets:,} distinct policy sets, {args.accounts} accounts: "
          f"{seconds:.1f} s ({args.principals / seconds * 60:,.0f} principals/min), peak RSS {peak:,.0f} MiB, "
          "every verdict right")
    if args.scale:
        small = args.principals // args.scale
        small_seconds, small_peak = run(small, args.sets, args.accounts)
        print(f"{small:,} principals: {small_seconds:.1f} s, peak RSS {small_peak:,.0f} MiB; "
              f"{args.scale}x the principals cost {seconds / small_seconds:.2f}x the time")


if __name__ == "__main__":
    main()
