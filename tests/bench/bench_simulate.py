"""Benchmark: `seslint simulate --scenarios` against @cloud-copilot/iam-simulate on the same SES scenarios.

    python tests/bench/bench_simulate.py [--count 2000] [--seed 7] [--rounds 5]

Generates realistic SES send scenarios (identity policies with recipient/from-address conditions,
guardrail denies, boundaries, SCP levels, cross-account sending authorization), installs
@cloud-copilot/iam-simulate with npm into tests/bench/.work/ (gitignored), and measures in the same run,
each side --rounds times (the machine is shared, so one round can be slowed by other work):
- seslint, twice: the whole CLI process (`python -m seslint simulate --scenarios FILE --format json`,
  interpreter start-up included), and the same batch code in a warm process (imports done; each round
  a fresh batch with an empty policy cache, timing reading, JSON parsing, evaluation and JSON output of
  every line);
- iam-simulate: the loop of runSimulation calls inside one node process (start-up, module load and
  input conversion excluded), and the whole node process.
The headline ratio compares the two in-process loops (median round against median round); the best
and first rounds and the whole-process figures are printed beside it. It also prints how many
decisions differ.
Not part of the test suite (pytest does not collect this file).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from statistics import median

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
ROOT = HERE.parents[1]
ACCOUNT, OTHER = "111122223333", "444455556666"
DOMAINS = ["example.com", "shop.example.com", "mail.example.org"]
RECIPIENTS = ["success@simulator.amazonses.com", "bounce@simulator.amazonses.com", "customer@gmail.com",
              "ops@example.com", "boss@example.org", "a.b@outlook.com", "ooto@simulator.amazonses.com"]
ACTIONS = ["ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail"]

WARM = """
import json, os, sys, time
from seslint.cli.simulate_cmd import _batch
import seslint.evaluate.engine, seslint.evaluate.scenario, seslint.jsondoc  # _batch imports these lazily
real, sys.stdout = sys.stdout, open(os.devnull, "w")
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    _batch(sys.argv[1], False, "json")
    times.append(time.perf_counter() - start)
sys.stdout = real
print(json.dumps(times))
"""

DRIVER = r"""
import { runSimulation } from '@cloud-copilot/iam-simulate'
import { readFileSync } from 'node:fs'

// The timed loop does what `seslint simulate --scenarios` does per line: parse the JSON line,
// build the request, evaluate, serialise one result line.
const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter(l => l.trim())
function toSimulation(s) {
  const ctx = {}
  for (const [k, v] of Object.entries(s.request.context || {})) ctx[k] = Array.isArray(v) ? v.map(String) : String(v)
  for (const [k, v] of Object.entries(s.principal.tags || {})) ctx[`aws:PrincipalTag/${k}`] = v
  const res = s.request.resource
  return {
    request: { principal: s.principal.arn, action: s.request.action,
               resource: { resource: res, accountId: res.split(':')[4] || s.principal.account }, contextVariables: ctx },
    identityPolicies: (s.identity_policies || []).map((p, i) => ({ name: `p${i}`, policy: p })),
    serviceControlPolicies: (s.scps || []).map(l => ({ orgIdentifier: l.level, policies: l.policies.map((p, i) => ({ name: `scp${i}`, policy: p })) })),
    resourceControlPolicies: [],
    resourcePolicy: s.resource_policy || undefined,
    permissionBoundaryPolicies: s.permission_boundary ? [{ name: 'pb', policy: s.permission_boundary }] : undefined,
  }
}
const words = { Allowed: 'allowed', ExplicitlyDenied: 'explicitDeny', ImplicitlyDenied: 'implicitDeny' }
const rounds = Number(process.argv[3])
const times = []
let out
for (let round = 0; round < rounds; round++) {
  out = []
  const start = process.hrtime.bigint()
  for (const line of lines) {
    const s = JSON.parse(line)
    const r = await runSimulation(toSimulation(s), {})
    const result = { id: s.id, decision: r.resultType === 'error' ? 'error' : (words[r.overallResult] || r.overallResult) }
    JSON.stringify(result)
    out.push(result)
  }
  times.push(Number(process.hrtime.bigint() - start) / 1e9)
}
console.log(JSON.stringify({ times, results: out }))
"""


def statement(effect, actions, resources, condition=None, sid=None):
    s = {"Effect": effect, "Action": actions, "Resource": resources}
    if sid:
        s["Sid"] = sid
    if condition:
        s["Condition"] = condition
    return s


def identity_policy(rng: random.Random, domain: str) -> dict:
    ident = f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/{domain}"
    kinds = [
        [statement("Allow", ["ses:SendEmail", "ses:SendRawEmail"], [ident, f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/*@{domain}"],
                   {"ForAllValues:StringLike": {"ses:Recipients": "*@simulator.amazonses.com"},
                    "Null": {"ses:Recipients": "false"}}, "SimulatorOnly")],
        [statement("Allow", "ses:Send*", "*", {"StringEquals": {"ses:FromAddress": f"noreply@{domain}"}}, "FromNoreply")],
        [statement("Allow", "ses:*", "*"),
         statement("Deny", "ses:Send*", "*", {"ForAnyValue:StringNotLike": {"ses:Recipients": ["*@example.com", "*@example.org"]}},
                   "OnlyInternal")],
        [statement("Allow", ["ses:SendEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail"],
                   [ident, f"arn:aws:ses:us-east-1:{ACCOUNT}:template/*", f"arn:aws:ses:us-east-1:{ACCOUNT}:configuration-set/*"],
                   {"StringLike": {"ses:FromAddress": f"*@{domain}"}, "StringEqualsIfExists": {"ses:ApiVersion": "2"}})],
        [statement("Allow", "ses:SendRawEmail", ident, {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}}),
         statement("Allow", "ses:SendEmail", ident, {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}})],
        [statement("Allow", "ses:Send*", f"arn:aws:ses:*:{ACCOUNT}:identity/${{aws:PrincipalTag/domain}}")],
        [statement("Allow", "ses:SendEmail", "*",
                   {"ForAllValues:StringLike": {"ses:Recipients": ["*@gmail.com", "*@outlook.com"]},
                    "Bool": {"aws:SecureTransport": "true"}})],
    ]
    return {"Version": "2012-10-17", "Statement": rng.choice(kinds)}


def scenario(rng: random.Random, i: int) -> dict:
    domain = rng.choice(DOMAINS)
    cross = rng.random() < 0.15
    account = OTHER if cross else ACCOUNT
    role = rng.choice(["app", "ci", "newsletter"])
    principal = {"arn": f"arn:aws:iam::{account}:role/{role}", "account": account, "tags": {"domain": domain}}
    action = rng.choice(ACTIONS)
    kind = rng.random()
    if kind < 0.75:
        resource = f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/{domain}"
    elif kind < 0.9:
        resource = f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/noreply@{domain}"
    else:
        resource = f"arn:aws:ses:us-east-1:{ACCOUNT}:configuration-set/transactional"
    recipients = rng.sample(RECIPIENTS, rng.randint(1, 4))
    context = {"ses:FromAddress": rng.choice([f"noreply@{domain}", f"ceo@{domain}", "x@other.com"]),
               "ses:Recipients": recipients, "ses:FromDisplayName": rng.choice(["", "Shop"]),
               "ses:ApiVersion": rng.choice(["1", "2"]), "aws:SecureTransport": "true",
               "aws:SourceIp": rng.choice(["203.0.113.9", "198.51.100.4", "2001:db8::1"]),
               "aws:CurrentTime": "2026-01-15T10:00:00Z"}
    out = {"id": f"s{i}", "principal": principal,
           "identity_policies": [identity_policy(rng, domain) for _ in range(rng.randint(1, 3))],
           "request": {"action": action, "resource": resource, "context": context}}
    if rng.random() < 0.3:
        out["permission_boundary"] = {"Version": "2012-10-17", "Statement": [statement("Allow", ["ses:*", "logs:*"], "*")]}
    if rng.random() < 0.4:
        out["scps"] = [{"level": "r-root", "policies": [{"Version": "2012-10-17", "Statement": [statement("Allow", "*", "*")]}]},
                       {"level": account, "policies": [{"Version": "2012-10-17", "Statement": [
                           statement("Allow", "*", "*"),
                           statement("Deny", "ses:*", "*", {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}})]}]}]
        context["aws:RequestedRegion"] = rng.choice(["us-east-1", "us-west-2"])
    if cross or rng.random() < 0.2:
        out["resource_policy"] = {"Version": "2012-10-17", "Statement": [
            {"Sid": "Delegate", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:role/newsletter"},
             "Action": ["ses:SendEmail", "ses:SendRawEmail"], "Resource": resource,
             "Condition": {"StringLike": {"ses:FromAddress": f"*@{domain}"}}}]}
    return out


def install() -> None:
    if (WORK / "node_modules" / "@cloud-copilot" / "iam-simulate").is_dir():
        return
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "package.json").write_text(json.dumps({"name": "seslint-bench", "private": True, "type": "module"}))
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "@cloud-copilot/iam-simulate"], cwd=WORK, check=True)


def timed(command, **kw) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, **kw)
    return time.perf_counter() - start, proc


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    n, rounds = args.count, max(1, args.rounds)
    WORK.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    path = WORK / "scenarios.jsonl"
    path.write_text("".join(json.dumps(scenario(rng, i)) + "\n" for i in range(n)))

    cli = [sys.executable, "-m", "seslint", "simulate", "--scenarios", str(path), "--format", "json"]
    ours_whole = []
    for _ in range(rounds):
        seconds, proc = timed(cli, cwd=ROOT)
        if proc.returncode not in (0, 1, 3):
            print(proc.stderr, file=sys.stderr)
            return 2
        ours_whole.append(seconds)
    ours = {}
    for line in proc.stdout.splitlines():
        r = json.loads(line)
        ours[r["id"]] = r.get("decision", "error")
    warm = subprocess.run([sys.executable, "-c", WARM, str(path), str(rounds)], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    ours_warm = json.loads(warm.stdout)

    try:
        install()
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"seslint: {n / median(ours_warm):,.0f} scenarios/s; npm install of iam-simulate failed ({exc}): "
              "no comparison")
        return 1
    (WORK / "package.json").write_text(json.dumps({"name": "seslint-bench", "private": True, "type": "module"}))
    (WORK / "driver.mjs").write_text(DRIVER)
    theirs_whole, node = timed(["node", "driver.mjs", str(path), "1"], cwd=WORK, check=True)
    node = subprocess.run(["node", "driver.mjs", str(path), str(rounds)], cwd=WORK, capture_output=True, text=True,
                          check=True)
    theirs_data = json.loads(node.stdout)
    theirs_loop = theirs_data["times"]
    theirs = {r["id"]: r["decision"] for r in theirs_data["results"]}

    def rate(seconds):
        return n / seconds

    def show(label, times):
        print(f"{label:47} median {median(times):.3f} s = {rate(median(times)):7,.0f}/s; "
              f"best {min(times):.3f} s = {rate(min(times)):7,.0f}/s; first {rate(times[0]):7,.0f}/s")

    differ = sorted((k for k in ours if ours[k] != theirs.get(k)), key=lambda k: int(k[1:]))
    counts = {d: list(ours.values()).count(d) for d in sorted(set(ours.values()))}
    print(f"scenarios: {n} (seed {args.seed}), {rounds} rounds each; seslint decisions: {counts}")
    show("seslint batch loop (warm process):", ours_warm)
    show("iam-simulate runSimulation loop (in-process):", theirs_loop)
    show("seslint simulate --scenarios (whole process):", ours_whole)
    print(f"{'iam-simulate whole node process (1 round):':47} {theirs_whole:.3f} s = {rate(theirs_whole):7,.0f}/s")
    print(f"ratio, in-process loops: {median(theirs_loop) / median(ours_warm):.1f}x median, "
          f"{min(theirs_loop) / min(ours_warm):.1f}x best, {theirs_loop[0] / ours_warm[0]:.1f}x first round "
          "(node's JIT is still warming up in its first round)")
    print(f"ratio, whole seslint process vs their loop: {median(theirs_loop) / median(ours_whole):.1f}x median; "
          f"whole process vs whole process: {theirs_whole / median(ours_whole):.1f}x")
    print(f"decisions that differ: {len(differ)}" + (f" (first: {', '.join(differ[:5])})" if differ else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
