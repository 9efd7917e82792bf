"""Benchmark: IAM wildcard matching time against pattern length and value length (issue 25).

    python tests/bench/bench_match.py [--repeat 20]

For adversarial pattern shapes (runs of `*?`, many `*`-separated pieces that almost match, ARN
patterns), times `seslint.core.patterns` (compile excluded: the evaluator compiles a pattern once
per policy) on values of growing length with the pattern fixed, and on patterns of growing length
with the value fixed; then the evaluator end to end (`evaluate` of a scenario whose From pattern is
adversarial). Each row doubles the size: a ratio column near 2 (at most 2 plus noise) is linear
growth. Prints CPU time (`time.process_time`), medians of --repeat runs. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from seslint.core.patterns import arn_glob, glob  # noqa: E402 - after the sys.path line, run as a script

ARN = "arn:aws:ses:us-east-1:111122223333:identity/"
# name -> (pattern of size k, value of length n, ignore case, ARN: "" no, "condition" or "resource")
SHAPES = {
    "*? pairs, then a suffix": (lambda k: "*?" * k + "@example.com", lambda n: "a" * n, False, ""),
    "*ab pieces, last fails": (lambda k: "*ab" * k + "*ac", lambda n: "ab" * (n // 2), False, ""),
    "*a? pieces (ignore case)": (lambda k: "*a?" * k + "*b", lambda n: "A" * n, True, ""),
    "ARN resource pieces": (lambda k: ARN + "*a" * k + "*b", lambda n: ARN + "a" * n, False, "condition"),
    "Resource ARN, a * across colons before others (automaton)": (
        lambda k: "arn:aws:ses:*:1*" + "a*" * k + "b:identity/*", lambda n: "arn:aws:ses:" + "x:" * (n // 4) + "1"
        + "a" * (n // 2), False, "resource"),
}


def cpu(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        runs.append(time.process_time() - start)
    return statistics.median(runs)


def matcher(shape, k: int):
    pattern, _, ignore_case, arn = SHAPES[shape]
    rx = arn_glob(pattern(k), arn == "resource") if arn else glob(pattern(k), ignore_case=ignore_case)
    assert rx is not None
    return rx


def series(label: str, sizes, time_one) -> None:
    print(f"  {label}")
    last = None
    for size in sizes:
        t = time_one(size)
        ratio = f"{t / last:5.2f}x" if last else "      "
        print(f"    {size:>8,}  {t * 1e6:>10.1f} us  {ratio}")
        last = t


def bench_core(repeat: int) -> None:
    for shape, (_, value, _, _) in SHAPES.items():
        print(f"{shape}:")

        def by_value(n, shape=shape, value=value):
            rx, v = matcher(shape, 50), value(n)
            return cpu(lambda: [rx.fullmatch(v) for _ in range(10)], repeat) / 10

        def by_pattern(k, shape=shape, value=value):
            rx, v = matcher(shape, k), value(4000)
            return cpu(lambda: [rx.fullmatch(v) for _ in range(10)], repeat) / 10

        series("value length (pattern of 50 pieces)", (1000, 2000, 4000, 8000, 16000, 32000), by_value)
        series("pattern pieces (value of 4,000 characters)", (25, 50, 100, 200, 400, 800), by_pattern)


def bench_evaluator(repeat: int) -> None:
    from seslint.evaluate import evaluate, load_scenario

    def scenario(k: int, n: int):
        return load_scenario({
            "identity_policies": [{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*",
                 "Condition": {"StringLike": {"ses:FromAddress": "*?" * k + "@example.com"}}}]}],
            "request": {"action": "ses:SendEmail", "resource": ARN + "example.com",
                        "context": {"ses:FromAddress": "a" * n}}})

    print("evaluate (simulate) with a From pattern of k `*?` pairs:")
    series("From length (k = 12; 25 s at 30 characters before issue 25)", (30, 60, 120, 240, 480, 960),
           lambda n: cpu(lambda: evaluate(scenario(12, n)), repeat))
    series("pairs k (From of 100 characters)", (12, 25, 50, 100, 200, 400),
           lambda k: cpu(lambda: evaluate(scenario(k, 100)), repeat))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    bench_core(args.repeat)
    bench_evaluator(args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
