"""Maintainer script: diff `seslint simulate` against @cloud-copilot/iam-simulate on generated scenarios.

    python tests/evaluate/differential.py [--count 5000] [--seed 1] [--show 3]

Installs iam-simulate with npm into tests/bench/.work/ (gitignored; not a CI dependency), runs
both on the same scenarios (tests/evaluate/scenario_gen.py) and prints the disagreements grouped
by the KNOWN table below: each row names the doc that settles it and which side the doc favours.
Rows of `unexplained` need a look (and a new row, or a fix). Not collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WORK = ROOT / "tests" / "bench" / ".work"
sys.path.insert(0, str(ROOT))

from tests.evaluate.scenario_gen import scenarios  # noqa: E402

UG = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
# name -> (doc that settles it, side the doc favours, test that pins it)
KNOWN = {
    "variable-without-value": (UG + "reference_policies_variables.html#policy-vars-no-value", "seslint",
                               "cases/policy-variables.json"),
    "variable-before-fifth-colon": (UG + "reference_policies_variables.html#policy-vars-wheretouse", "seslint",
                                    "cases/policy-variables.json"),
    "epoch-seconds": (UG + "reference_policies_elements_condition_operators.html#Conditions_Date", "seslint",
                      "cases/peer-disagreements.json"),
    "ipv4-against-ipv6": (UG + "reference_policies_elements_condition_operators.html#Conditions_IPAddress",
                          "seslint", "cases/peer-disagreements.json"),
    "null-on-empty-list": (UG + "reference_policies_condition-single-vs-multi-valued-context-keys.html",
                           "seslint", "cases/peer-disagreements.json"),
    "version-2008-literal-variables": (UG + "reference_policies_elements_version.html", "seslint",
                                       "cases/peer-disagreements.json"),
    "session-arn-in-resource-policy": (UG + "reference_policies_evaluation-logic-cross-account.html", "seslint",
                                       "cases/peer-disagreements.json"),
    "root-user": (UG + "id_root-user.html", "seslint", "cases/peer-disagreements.json"),
    "single-valued-operator-on-list": (UG + "reference_policies_condition-single-vs-multi-valued-context-keys.html",
                                       "neither (undefined; seslint answers only when it cannot matter)",
                                       "cases/multivalued-context-keys.json"),
    "negated-operator-on-absent-key": (UG + "reference_policies_elements_condition_operators.html", "seslint",
                                       "cases/condition-operators.json"),
    "request-resource-star": (UG + "reference_policies_elements_resource.html", "seslint",
                              "cases/policy-evaluation-logic.json"),
    "notprincipal-same-account": (UG + "reference_policies_elements_notprincipal.html", "seslint",
                                  "cases/cross-account.json"),
}

DRIVER = r"""
import { runSimulation } from '@cloud-copilot/iam-simulate'
import { readFileSync } from 'node:fs'

// Per line: parse, build the request, evaluate, serialise one result (what seslint does per line).
const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter(l => l.trim())
function toSimulation(s) {
  const ctx = {}
  for (const [k, v] of Object.entries(s.request.context || {})) ctx[k] = Array.isArray(v) ? v.map(String) : String(v)
  const p = s.principal || {}
  for (const [k, v] of Object.entries(p.tags || {})) ctx[`aws:PrincipalTag/${k}`] = v
  // The keys IAM derives from the principal, as seslint derives them (the peer leaves some out).
  const m = /^arn:aws:(iam|sts)::(\d{12}):(user|assumed-role|role|root)\/?([^/]*)/.exec(p.arn || '')
  if (m) {
    ctx['aws:PrincipalAccount'] ??= m[2]
    ctx['aws:PrincipalArn'] ??= m[3] === 'assumed-role' ? `arn:aws:iam::${m[2]}:role/${m[4]}` : p.arn
    if (m[3] === 'user') ctx['aws:username'] ??= m[4]
  }
  const res = s.request.resource || '*'
  const acct = s.request.resource_account || (/^\d{12}$/.test(res.split(':')[4] || '') ? res.split(':')[4] : p.account)
  return {
    request: { principal: p.arn, action: s.request.action, resource: { resource: res, accountId: acct },
               contextVariables: ctx },
    identityPolicies: (s.identity_policies || []).map((q, i) => ({ name: `p${i}`, policy: q })),
    serviceControlPolicies: (s.scps || []).map(l => ({ orgIdentifier: l.level,
      policies: l.policies.map((q, i) => ({ name: `scp${i}`, policy: q })) })),
    resourceControlPolicies: [],
    resourcePolicy: s.resource_policy || undefined,
    sessionPolicy: (s.session_policies || [])[0],
    permissionBoundaryPolicies: s.permission_boundary ? [{ name: 'pb', policy: s.permission_boundary }] : undefined,
  }
}
const words = { Allowed: 'allowed', ExplicitlyDenied: 'explicitDeny', ImplicitlyDenied: 'implicitDeny' }
const rounds = Number(process.argv[3] || 1)
const times = []
let out
for (let round = 0; round < rounds; round++) {
  out = []
  const start = process.hrtime.bigint()
  for (const line of lines) {
    const s = JSON.parse(line)
    let decision
    try {
      const r = await runSimulation(toSimulation(s), {})
      decision = r.resultType === 'error' ? 'error' : (words[r.overallResult] || r.overallResult)
    } catch (e) { decision = 'error' }
    const result = { id: s.id, decision }
    JSON.stringify(result)
    out.push(result)
  }
  times.push(Number(process.hrtime.bigint() - start) / 1e9)
}
console.log(JSON.stringify({ times, results: out }))
"""


def install() -> Path:
    """iam-simulate under tests/bench/.work (npm, once); the driver script written beside it."""
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "package.json").write_text(json.dumps({"name": "seslint-bench", "private": True, "type": "module"}))
    if not (WORK / "node_modules" / "@cloud-copilot" / "iam-simulate").is_dir():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "@cloud-copilot/iam-simulate"], cwd=WORK,
                       check=True)
    (WORK / "driver.mjs").write_text(DRIVER)
    return WORK / "driver.mjs"


def peer(path: Path, rounds: int = 1) -> dict:
    """iam-simulate's {"times": [...], "results": [{"id", "decision"}]} for a JSONL file."""
    driver = install()
    proc = subprocess.run(["node", str(driver), str(path), str(rounds)], cwd=WORK, capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout)


def ours(path: Path, root: Path = ROOT) -> dict:
    proc = subprocess.run([sys.executable, "-m", "seslint", "simulate", "--scenarios", str(path), "--format", "json"],
                          cwd=root, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1, 3):
        raise SystemExit(proc.stderr)
    return {r["id"]: r.get("decision", "error") for r in map(json.loads, proc.stdout.splitlines())}


_VAR = re.compile(r"\$\{([^},]+)")


def classify(s: dict) -> str:
    """The KNOWN row that explains a disagreement on scenario `s`, or 'unexplained'."""
    text = json.dumps({k: v for k, v in s.items() if k != "request"})   # the policies
    ctx = {k.lower() for k in s["request"].get("context", {})}
    tags = {f"aws:principaltag/{k.lower()}" for k in s.get("principal", {}).get("tags", {})}
    have = ctx | tags | {"aws:username"} if ":user/" in s["principal"]["arn"] else ctx | tags
    if s["principal"]["arn"].endswith(":root"):
        return "root-user"
    if '"2008-10-17"' in text and "${" in text:
        return "version-2008-literal-variables"
    if "NotIpAddress" in text and "aws:SourceIp" not in s["request"]["context"]:
        return "negated-operator-on-absent-key"
    if any(v.strip().lower() not in have for v in _VAR.findall(text)):
        return "variable-without-value"
    if "aws:EpochTime" in text:
        return "epoch-seconds"
    if s["request"]["context"].get("aws:SourceIp", "").count(":") and '"198.51.100.4"' in text:
        return "ipv4-against-ipv6"
    if s["request"]["context"].get("ses:Recipients") == [] and '"Null"' in text:
        return "null-on-empty-list"
    if re.search(r'"(String[A-Za-z]*)": \{"ses:Recipients"', text):
        return "single-valued-operator-on-list"
    if s["request"]["resource"] == "*":
        return "request-resource-star"
    rp = json.dumps(s.get("resource_policy") or {})
    if ":assumed-role/" in s["principal"]["arn"] and s["principal"]["arn"] in rp:
        return "session-arn-in-resource-policy"
    if "NotPrincipal" in rp:
        return "notprincipal-same-account"
    return "unexplained"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=3, help="unexplained scenarios to print")
    parser.add_argument("--seslint-root", type=Path, default=ROOT,
                        help="the checkout whose seslint to run (e.g. a worktree of an older commit)")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    items = list(scenarios(args.seed, args.count))
    path = WORK / "differential.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in items))
    mine = ours(path, args.seslint_root)
    theirs = {r["id"]: r["decision"] for r in peer(path)["results"]}
    by_id = {s["id"]: s for s in items}
    groups: Counter = Counter()
    examples: dict = {}
    errors = Counter(("seslint" if mine[k] == "error" else "") + ("iam-simulate" if theirs.get(k) == "error" else "")
                     for k in mine if "error" in (mine[k], theirs.get(k)))
    for key in mine:
        if mine[key] == "error" or theirs.get(key) in ("error", None) or mine[key] == theirs[key]:
            continue
        row = classify(by_id[key])
        groups[row] += 1
        examples.setdefault(row, []).append(key)
    agree = sum(1 for k in mine if mine[k] == theirs.get(k))
    undefined = [k for k, s in by_id.items() if isinstance(s["request"]["context"].get("ses:Recipients"), list)
                 and re.search(r'"(String[A-Za-z]*)": \{"ses:Recipients"', json.dumps(s))]
    refused = sum(1 for k in undefined if mine[k] == "error")
    print(f"single-valued operator on the recipient list (undefined in IAM): {len(undefined)} scenarios, "
          f"{len(undefined) - refused} answered because the decision is the same either way, {refused} refused")
    print(f"scenarios: {len(items)} (seed {args.seed}); same decision: {agree}; errors: {dict(errors)}")
    for row, n in groups.most_common():
        doc, side, pinned = KNOWN.get(row, ("-", "?", "-"))
        print(f"  {n:6}  {row:34} docs favour {side:12} {doc}  (pinned in {pinned}; e.g. {examples[row][0]})")
    for key in examples.get("unexplained", [])[: args.show]:
        print(f"unexplained {key}: seslint {mine[key]}, iam-simulate {theirs[key]}\n  {json.dumps(by_id[key])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
