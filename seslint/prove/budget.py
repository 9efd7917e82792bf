"""The work one question may take: bounded by design, then UNKNOWN with the reason at once.

Each question the solver is asked (a property in `prove`, a kind of request and direction in
`diff`, a verdict question in `audit`) gets one Budget. Work is counted, not timed, so the same
input gets the same answer on a busy machine as on an idle one: z3 spends its own resource units
(`rlimit`, about one per microsecond of string solving on the project's 2-core machine), and the
derivative engine spends UNITS_PER_DERIVATIVE per derivative it takes. WORK is sized so that the
slowest question seslint's benchmarks find (tests/bench/bench_prove.py, adversarial section)
stays within 2 s here. A wall-clock deadline of SECONDS backs it up (z3's `timeout`, and checked
between derivatives), so no question runs past it even where the count underestimates the work.
"""

from __future__ import annotations

import time

SECONDS = 2.0
WORK = 2_000_000
UNITS_PER_DERIVATIVE = 40
_CHECK_EVERY = 256   # derivatives between two looks at the clock


class OutOfBudget(Exception):
    """The question needs more than its budget: the answer is unknown (the message says why)."""


class Budget:
    """What is left of one question's work and time."""

    def __init__(self, work: int = WORK, seconds: float = SECONDS):
        self.work, self.seconds = work, seconds
        self.left = work
        self.deadline = time.monotonic() + seconds
        self._ticks = 0

    def reason(self, doing: str) -> str:
        return (f"the question needs more than its budget ({self.seconds:g} s, {self.work:,} work units) "
                f"while {doing}: seslint answers unknown rather than keep on")

    def spend(self, units: int, doing: str) -> None:
        """Count `units` of work; raise OutOfBudget when none is left or the time is up."""
        self.left -= units
        self._ticks += 1
        if self.left < 0 or (self._ticks % _CHECK_EVERY == 0 and time.monotonic() > self.deadline):
            raise OutOfBudget(self.reason(doing))

    def solver_limits(self, doing: str) -> tuple[int, int]:
        """(z3 rlimit, z3 timeout in ms) for one solver call; OutOfBudget when nothing is left."""
        ms = int((self.deadline - time.monotonic()) * 1000)
        if self.left <= 0 or ms <= 0:
            raise OutOfBudget(self.reason(doing))
        return self.left, ms

    def spent_by_solver(self, units: int) -> None:
        self.left -= units

    def exhausted(self) -> bool:
        return self.left <= 0 or time.monotonic() > self.deadline
