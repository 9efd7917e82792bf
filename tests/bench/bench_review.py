"""Benchmark: `seslint review` on a pull request that changes 100 SES policy files, and on ones that change none.

    python tests/bench/bench_review.py [--files 100] [--repeat 3]

Builds a git repository under tests/bench/.work/review/ from the change corpus (tests/review/corpus.py):
the base commit holds the old side of every pair plus each base policy once more, unchanged; then
- `policies`: a head commit that widens, narrows, adds or removes --files policy files (JSON,
  CloudFormation YAML, Terraform plans, sending authorization policies);
- `no-ses`: a head commit that changes a README and an application file only;
- `same-reach`: a head commit that rewrites --files policy files without changing what they allow
  (statements reordered or split, Sids renamed, other resources of templates and plans edited).
Times whole processes (`python -m seslint review --base B --head H`, interpreter start-up included),
median of --repeat runs (and the CPU time of the process and its workers), in the json format and in the markdown one (which also asks each changed
policy's audit verdict before and after). Not part of the test suite (pytest does not collect this file).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WORK = HERE / ".work" / "review"
sys.path.insert(0, str(ROOT))

from tests.review import corpus  # noqa: E402 - after the path is set
from tests.review.conftest import Repo  # noqa: E402


def build(files: int) -> tuple[Repo, dict[str, str]]:
    """The repository, and the head commit of each scenario (each a child of the same base)."""
    shutil.rmtree(WORK, ignore_errors=True)
    repo = Repo(WORK)
    pairs = corpus.pairs()
    changing = [p for p in pairs if p.kind in ("widen", "narrow", "added", "removed")][:files]
    same = [p for p in pairs if p.kind in ("equivalent", "unrelated")][:files]
    for p in changing + same:
        if p.old is not None:
            repo.write(p.path, p.old)
    for name, doc in corpus.bases():   # policies the change does not touch
        repo.write(f"unchanged/{name}.json", corpus.as_json(doc))
    repo.write("README.md", "# mail service\n")
    repo.write("app/send.py", "def send():\n    pass\n")
    base = repo.commit("base")
    heads = {}
    for scenario, chosen in (("policies", changing), ("same-reach", same)):
        repo.git("checkout", "-q", "--detach", base)
        for p in chosen:
            if p.new is None:
                repo.remove(p.path)
            elif p.old is not None or p.kind == "added":
                repo.write(p.path, p.new)
        heads[scenario] = repo.commit(scenario)
        repo.git("branch", "-f", scenario)
    repo.git("checkout", "-q", "--detach", base)
    repo.write("README.md", "# mail service\n\nNow with retries.\n")
    repo.write("app/send.py", "def send(retries=3):\n    pass\n")
    heads["no-ses"] = repo.commit("no SES change")
    repo.git("branch", "-f", "no-ses")
    repo.git("checkout", "-q", "--detach", base)
    heads["base"] = base
    repo.git("branch", "-f", "base", base)
    return repo, heads


def run(repo: Repo, base: str, head: str, fmt: str) -> tuple[float, float, dict | str]:
    """Wall-clock and CPU seconds (the process and its workers) of one review, and its output."""
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "seslint", "review", "--base", base, "--head", head, "--format", fmt],
                          cwd=repo.path, capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"seslint review failed ({done.returncode}): {done.stderr}")
    used = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    return took, used, json.loads(done.stdout) if fmt == "json" else done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    repo, heads = build(args.files)
    base = heads.pop("base")
    for scenario, head in heads.items():
        changed = repo.git("diff", "--name-only", "--no-renames", base, head).split()
        for fmt in ("json", "markdown"):
            times, cpus, out = [], [], None
            for _ in range(args.repeat):
                took, used, out = run(repo, base, head, fmt)
                times.append(took)
                cpus.append(used)
            detail = ""
            if fmt == "json":
                detail = (f", {len(out['changes'])} policies changed reach, "
                          f"{sum(len(c['gained']) for c in out['changes'])} gained")
            print(f"{scenario:10} {fmt:8} {len(changed):3} files changed: median {statistics.median(times):6.2f} s "
                  f"(runs: {', '.join(f'{t:.2f}' for t in times)}; CPU {statistics.median(cpus):.2f} s){detail}",
                  flush=True)
    print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
