"""The work one question may take: bounded by design, then UNKNOWN with the reason at once.

One answer gets one Budget (`question()`), shared by every solver question it needs and counting
the encoding of the policies: a property in `prove` (with whether anything is allowed at all, and a
smaller witness), a kind of request in `diff` (both directions), one question of `audit` in one
region (anyone, restricted, simulator-only, bounces), and all that an audit verdict reports (the
APIs, the From patterns, the recipients reached).

Work is counted, not timed, so the same input gets the same answer on a busy machine as on an idle
one, and after any other question: the derivative engine counts the steps a derivative takes with
nothing memoized (`regex.Node.size`), and a memoized answer costs what it cost the first time; z3
counts its own resource units (`rlimit`, about a microsecond of string solving each on the
project's 2-core machine, so STEPS_PER_SOLVER_UNIT steps). WORK is sized so that the heaviest
ordinary question found (an audited principal of tests/bench/bench_prove.py: 6.3 million steps)
passes with room, and an answer that spends it all takes at most about 1.5 s here
(tests/bench/bench_adversarial.py), leaving room for encoding the policies. SECONDS of this
process's CPU time back it up (checked between derivatives and before each solver call; z3's own
`timeout` is a wall-clock one: what is left, stretched by how much slower than the CPU time the wall
clock has run in this process, so a z3 call on an idle machine stops with the budget and one on a
busy machine still gets its share), so no answer runs past it even where the count underestimates
the work. CPU time, not wall-clock time: other load on the machine does not shorten a budget.
"""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from contextvars import ContextVar

SECONDS = 2.0
WORK = 10_000_000
STEPS_PER_SOLVER_UNIT = 8
_CHECK_EVERY = 16   # derivatives between two looks at the clock
WALL_FACTOR = 4     # at most this much wall-clock time per millisecond of CPU time left, for z3's timeout
_STARTED = (time.perf_counter(), time.process_time())


class OutOfBudget(Exception):
    """The question needs more than its budget: the answer is unknown (the message says why)."""


class Budget:
    """What is left of one question's work and time."""

    def __init__(self, work: int | None = None, seconds: float | None = None):
        self.work = WORK if work is None else work
        self.seconds = SECONDS if seconds is None else seconds
        self.left = self.work
        self.deadline = time.process_time() + self.seconds
        self._ticks = 0

    def reason(self, doing: str) -> str:
        return (f"the question needs more than its budget ({self.seconds:g} s of CPU time, {self.work:,} steps of "
                f"work) while {doing}: seslint answers unknown rather than keep on")

    def spend(self, steps: int, doing: str) -> None:
        """Count `steps` of work; raise OutOfBudget when none is left or the time is up."""
        self.left -= steps
        self._ticks += 1
        if self.left < 0 or (self._ticks % _CHECK_EVERY == 0 and time.process_time() > self.deadline):
            raise OutOfBudget(self.reason(doing))

    def solver_limits(self, doing: str) -> tuple[int, int]:
        """(z3 rlimit, z3 timeout in wall-clock ms) for one solver call; OutOfBudget when nothing is left."""
        ms = int((self.deadline - time.process_time()) * 1000)
        if self.left <= 0 or ms <= 0:
            raise OutOfBudget(self.reason(doing))
        return max(1, self.left // STEPS_PER_SOLVER_UNIT), int(ms * _stretch())

    def spent_by_solver(self, units: int) -> None:
        self.left -= units * STEPS_PER_SOLVER_UNIT

    def exhausted(self) -> bool:
        return self.left <= 0 or time.process_time() > self.deadline


def _stretch() -> float:
    """Wall-clock time per unit of this process's CPU time so far (1 on an idle machine), within 1 and
    WALL_FACTOR: how long a z3 call may run by the wall clock to spend a given CPU time."""
    wall, cpu = time.perf_counter() - _STARTED[0], time.process_time() - _STARTED[1]
    return min(WALL_FACTOR, max(1.0, wall / cpu)) if cpu > 0 else WALL_FACTOR


_current: ContextVar[Budget | None] = ContextVar("seslint_prove_budget", default=None)


@contextmanager
def question():
    """Every solver question asked inside spends one Budget (an enclosing `question()`'s, if any).
    Python's cyclic garbage collector waits until the answer is done: an answer allocates tens of
    thousands of small objects that form no cycles (regex nodes, tuples, z3 wrappers), which the
    collector would scan again and again (a tenth of a proof's time), and the budget bounds what one
    answer allocates."""
    if _current.get() is not None:
        yield
        return
    token = _current.set(Budget())
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
        _current.reset(token)


def current() -> Budget:
    """The budget of the answer being computed, or a fresh one for a question asked on its own."""
    return _current.get() or Budget()
