"""Benchmark: `seslint simulate --scenarios` against @cloud-copilot/iam-simulate, in one run.

    python tests/bench/bench_simulate.py [--count 10000] [--big 50000] [--seed 7] [--rounds 3]

Scenarios come from tests/evaluate/scenario_gen.py, in two workloads of --count lines each:
- unique: every line carries its own policies (Sids and contents drawn per line), as an audit of
  many principals sees them;
- repeated: the lines draw their policies from a pool of 40 sets, with varied requests.
Each side runs --rounds times per workload, as a whole process (interpreter or node start-up,
reading, parsing, evaluating and writing every result); iam-simulate's in-process loop
(runSimulation per line, module load excluded) is reported beside it. Ratios compare medians.
Then seslint alone runs --big unique lines, for the time and the peak memory (streamed: it must
stay flat as the batch grows). iam-simulate is installed with npm into tests/bench/.work/
(gitignored). Not collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from statistics import median

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WORK = HERE / ".work"
sys.path.insert(0, str(ROOT))

from tests.evaluate.differential import install  # noqa: E402 - after the sys.path line, run as a script
from tests.evaluate.scenario_gen import scenarios  # noqa: E402


def run(command: list[str], cwd: Path) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (user + system), peak RSS (MB) and stdout of one process."""
    start = time.perf_counter()
    with open(WORK / "out.txt", "w") as out:
        proc = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1, 3):
        raise SystemExit(f"{command[0]} exited {code}")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss // 1024, (WORK / "out.txt").read_text()


def write(path: Path, items) -> Path:
    with open(path, "w") as f:
        f.writelines(json.dumps(s) + "\n" for s in items)
    return path


def ours_cmd(path: Path) -> list[str]:
    return [sys.executable, "-m", "seslint", "simulate", "--scenarios", str(path), "--format", "json"]


def workload(name: str, path: Path, n: int, rounds: int, driver: Path) -> None:
    ours, theirs, loops, ours_cpu, theirs_cpu = [], [], [], [], []
    for _ in range(rounds):
        seconds, cpu, _, out = run(ours_cmd(path), ROOT)
        ours.append(seconds)
        ours_cpu.append(cpu)
        mine = {r["id"]: r.get("decision", "error") for r in map(json.loads, out.splitlines())}
        seconds, cpu, _, out = run(["node", str(driver), str(path), "1"], WORK)
        theirs.append(seconds)
        theirs_cpu.append(cpu)
        data = json.loads(out)
        loops += data["times"]
    peer = {r["id"]: r["decision"] for r in data["results"]}
    differ = sum(1 for k in mine if mine[k] != peer.get(k) and "error" not in (mine[k], peer.get(k)))

    def rate(t):
        return f"{median(t):6.2f} s = {n / median(t):8,.0f}/s"

    print(f"{name} ({n:,} lines, {rounds} rounds, medians):")
    print(f"  seslint, whole process:        {rate(ours)}")
    print(f"  iam-simulate, whole process:   {rate(theirs)}")
    print(f"  iam-simulate, in-process loop: {rate(loops)}")
    print(f"  CPU time (user + system), whole process: seslint {median(ours_cpu):.2f} s, iam-simulate "
          f"{median(theirs_cpu):.2f} s: {median(theirs_cpu) / median(ours_cpu):.1f}x (steadier on a shared machine)")
    print(f"  ratio, whole process vs whole process: {median(theirs) / median(ours):.1f}x; "
          f"seslint whole process vs iam-simulate's loop: {median(loops) / median(ours):.1f}x")
    print(f"  decisions that differ: {differ} (python tests/evaluate/differential.py explains them)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--big", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    try:
        driver = install()
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"npm install of iam-simulate failed ({exc}): no comparison")
        return 1
    unique = write(WORK / "unique.jsonl", scenarios(args.seed, args.count))
    repeated = write(WORK / "repeated.jsonl", scenarios(args.seed, args.count, unique=False))
    workload("unique policies", unique, args.count, args.rounds, driver)
    workload("repeated policies", repeated, args.count, args.rounds, driver)
    big = write(WORK / "big.jsonl", scenarios(args.seed + 1, args.big))
    small_rss = run(ours_cmd(unique), ROOT)[2]
    times, cpus, rss = [], [], 0
    for _ in range(args.rounds):
        seconds, cpu, peak, _ = run(ours_cmd(big), ROOT)
        times.append(seconds)
        cpus.append(cpu)
        rss = max(rss, peak)
    print(f"seslint, {args.big:,} unique lines, whole process: median {median(times):.2f} s "
          f"({args.big / median(times):,.0f}/s), CPU {median(cpus):.2f} s; peak memory {rss} MB "
          f"({small_rss} MB for {args.count:,} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
