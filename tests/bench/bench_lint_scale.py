"""Benchmark: lint time grows linearly with the input (issue 13, "Scale").

    python tests/bench/bench_lint_scale.py [--repeat 3]

Times `engine.run` in this process (start-up excluded) on generated inputs, each with findings on
most statements so that position lookup is exercised:
- one policy with 2,000 and 20,000 statements (pretty-printed JSON);
- `get-account-authorization-details` output with 300 and 3,000 roles;
- a CloudFormation YAML template with 200 and 2,000 roles.
Prints the median CPU time of this process (`time.process_time`: other load on a shared machine
does not count) over --repeat runs and the ratio for 10x the input; the targets are a ratio of at
most 12 and at most 2 s for 20,000 statements. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

ID = "arn:aws:ses:us-east-1:111122223333:identity/example.com"


def statement(i: int) -> dict:
    """A sender with a finding (a dead ARN for GetIdentityVerificationAttributes) every time."""
    return {"Sid": f"S{i}", "Effect": "Allow", "Resource": ID,
            "Action": ["ses:SendEmail", "ses:SendRawEmail", "ses:GetIdentityVerificationAttributes"],
            "Condition": {"StringLike": {"ses:FromAddress": f"user{i}@example.com"}}}


def big_policy(n: int) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [statement(i) for i in range(n)]}, indent=2)


def auth_details(roles: int) -> str:
    doc = {"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": [
        {"RoleName": f"r{i}", "Arn": f"arn:aws:iam::111122223333:role/r{i}", "RolePolicyList": [
            {"PolicyName": "send", "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement(i)]}}]}
        for i in range(roles)]}
    return json.dumps(doc, indent=2)


def cfn_yaml(roles: int) -> str:
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Resources:"]
    for i in range(roles):
        lines += [f"  Role{i}:", "    Type: AWS::IAM::Role", "    Properties:", "      Policies:",
                  "        - PolicyName: send", "          PolicyDocument:", "            Version: '2012-10-17'",
                  "            Statement:", "              - Effect: Allow", f"                Resource: {ID}",
                  "                Action: [ses:SendEmail, ses:GetIdentityVerificationAttributes]"]
    return "\n".join(lines) + "\n"


CASES = [("policy statements", big_policy, 2000, ".json"),
         ("authorization-details roles", auth_details, 300, ".json"),
         ("CloudFormation YAML roles", cfn_yaml, 200, ".yaml")]


def timed(path: Path, repeat: int) -> tuple[float, int]:
    from seslint.lint import engine
    from seslint.lint.config import Config

    times, found = [], 0
    for _ in range(repeat):
        start = time.process_time()
        found = len(engine.run([str(path)], Config(), jobs=1).findings)
        times.append(time.process_time() - start)
    return statistics.median(times), found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    timed(ROOT / "examples" / "policies" / "app-sender.json", 1)  # load matrix and catalog once
    worst, slowest_20k = 0.0, 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for label, make, n, ext in CASES:
            results = []
            for size in (n, n * 10):
                path = Path(tmp) / f"input-{size}{ext}"
                path.write_text(make(size))
                seconds, found = timed(path, args.repeat)
                results.append(seconds)
                print(f"{label:30} {size:>6}: {seconds:7.3f} s  ({found} findings)")
                if label == "policy statements" and size == 20000:
                    slowest_20k = seconds
            ratio = results[1] / results[0]
            worst = max(worst, ratio)
            print(f"{label:30} 10x input -> {ratio:.1f}x time")
    ok = worst <= 12 and slowest_20k <= 2
    print(f"worst ratio {worst:.1f} (target <= 12), 20,000 statements {slowest_20k:.2f} s (target <= 2 s): "
          f"{'ok' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
