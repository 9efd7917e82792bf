"""Benchmark: `seslint simulate --scenarios` against @cloud-copilot/iam-simulate, in one run.

    python tests/bench/bench_simulate.py [--count 10000] [--big 50000] [--seed 7] [--rounds 3]

Scenarios come from tests/evaluate/scenario_gen.py, in two workloads of --count lines each:
- unique: every line carries its own policies (Sids and contents drawn per line), as an audit of
  many principals sees them;
- repeated: the lines draw their policies from a pool of 40 sets, with varied requests.
Each side runs --rounds times per workload, as a whole process (interpreter or node start-up,
reading, parsing, evaluating and writing every result); iam-simulate's in-process loop
(runSimulation per line, module load excluded) is reported beside it. Ratios compare medians.
seslint runs twice: the sources as they are (the default install), and the compiled build
(`HATCH_BUILD_HOOK_ENABLE_MYPYC=1`), built here from a copy of the tree into tests/bench/.work/
(skipped, with --pure-only, where no C compiler is at hand). Then seslint alone runs --big unique
lines, for the time and the peak memory (streamed: it must stay flat as the batch grows).
iam-simulate is installed with npm into tests/bench/.work/ (gitignored). Not collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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


def compiled_build() -> Path:
    """The compiled build's files, unpacked from a wheel built from a copy of the tree (a build
    leaves compiled modules beside the sources it compiles). Run `python -m seslint` from there."""
    target, src, wheels = WORK / "compiled", WORK / "compiled-src", WORK / "compiled-wheel"
    for d in (target, src, wheels):
        shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", ".ci", "tests", "*.egg-info", "__pycache__",
                                                             "build", "*.so"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(src)], check=True,
                   env={**os.environ, "HATCH_BUILD_HOOK_ENABLE_MYPYC": "1",
                        "PIP_BUILD_CONSTRAINT": str(HERE.parent / "build-constraints.txt")})
    [wheel] = wheels.glob("*.whl")
    shutil.unpack_archive(wheel, target, "zip")
    return target


def workload(name: str, path: Path, n: int, rounds: int, driver: Path, builds: dict[str, Path]) -> None:
    ours: dict[str, list] = {b: [] for b in builds}
    ours_cpu: dict[str, list] = {b: [] for b in builds}
    theirs, loops, theirs_cpu = [], [], []
    mine: dict = {}
    for _ in range(rounds):
        for build, where in builds.items():
            seconds, cpu, _, out = run(ours_cmd(path), where)
            ours[build].append(seconds)
            ours_cpu[build].append(cpu)
            mine[build] = {r["id"]: r.get("decision", "error") for r in map(json.loads, out.splitlines())}
        seconds, cpu, _, out = run(["node", str(driver), str(path), "1"], WORK)
        theirs.append(seconds)
        theirs_cpu.append(cpu)
        data = json.loads(out)
        loops += data["times"]
    peer = {r["id"]: r["decision"] for r in data["results"]}
    first = mine[next(iter(builds))]
    assert all(m == first for m in mine.values()), "the builds decided differently"
    differ = sum(1 for k in first if first[k] != peer.get(k) and "error" not in (first[k], peer.get(k)))

    def rate(t):
        return f"{median(t):6.2f} s = {n / median(t):8,.0f}/s"

    print(f"{name} ({n:,} lines, {rounds} rounds, medians):")
    for build in builds:
        print(f"  seslint ({build}), whole process: {rate(ours[build])}; CPU {median(ours_cpu[build]):.2f} s")
    print(f"  iam-simulate, whole process:   {rate(theirs)}; CPU {median(theirs_cpu):.2f} s")
    print(f"  iam-simulate, in-process loop: {rate(loops)}")
    for build in builds:
        print(f"  ratio ({build}), whole process vs whole process: {median(theirs) / median(ours[build]):.1f}x "
              f"(CPU time: {median(theirs_cpu) / median(ours_cpu[build]):.1f}x); "
              f"vs iam-simulate's loop: {median(loops) / median(ours[build]):.1f}x")
    print(f"  decisions that differ: {differ} (python tests/evaluate/differential.py explains them)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--big", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pure-only", action="store_true", help="skip the compiled build")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    try:
        driver = install()
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"npm install of iam-simulate failed ({exc}): no comparison")
        return 1
    unique = write(WORK / "unique.jsonl", scenarios(args.seed, args.count))
    repeated = write(WORK / "repeated.jsonl", scenarios(args.seed, args.count, unique=False))
    builds = {"sources": ROOT} if args.pure_only else {"sources": ROOT, "compiled": compiled_build()}
    workload("unique policies", unique, args.count, args.rounds, driver, builds)
    workload("repeated policies", repeated, args.count, args.rounds, driver, builds)
    big = write(WORK / "big.jsonl", scenarios(args.seed + 1, args.big))
    for build, where in builds.items():
        small_rss = run(ours_cmd(unique), where)[2]
        times, cpus, rss = [], [], 0
        for _ in range(args.rounds):
            seconds, cpu, peak, _ = run(ours_cmd(big), where)
            times.append(seconds)
            cpus.append(cpu)
            rss = max(rss, peak)
        print(f"seslint ({build}), {args.big:,} unique lines, whole process: median {median(times):.2f} s "
              f"({args.big / median(times):,.0f}/s), CPU {median(cpus):.2f} s; peak memory {rss} MB "
              f"({small_rss} MB for {args.count:,} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
