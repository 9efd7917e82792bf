"""The one process pool of seslint: lint, simulate's batches, the org audit and review run on it.

`pooled(chunks, worker, jobs)` hands each chunk to one of `jobs` forked worker processes (which inherit
what was loaded before the fork), one chunk at a time, and yields the results in input order; an error in a
worker comes back as a `WorkerError` (a bug: exit 4). Fork is safe on Linux only; elsewhere, and for one job,
the chunks run in this process.
"""

from __future__ import annotations

import collections
import itertools
import os
import sys
from collections.abc import Iterator
from typing import Protocol, TypeVar

T = TypeVar("T", contravariant=True)
R = TypeVar("R", covariant=True)


def cpus() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class Worker(Protocol[T, R]):
    """What the pool runs: `chunk(items)` in a worker process (state set before the fork is shared)."""

    def chunk(self, items: T, /) -> R: ...


def pooled(chunks: Iterator[T], evaluator: Worker[T, R], jobs: int) -> Iterator[R]:
    """Each chunk's `evaluator.chunk` result, in order: in this process for one job or a one-chunk
    input, else by `jobs` forked workers, each holding one chunk at a time (so memory stays flat).
    The one process pool of seslint: simulate's batches and the org audit run on it. Chunks are
    pulled lazily, so a producer may read its input while the workers decide earlier chunks."""
    head = list(itertools.islice(chunks, 2))
    if jobs < 2 or len(head) < 2 or not sys.platform.startswith("linux"):  # fork is safe on Linux only
        yield from map(evaluator.chunk, itertools.chain(head, chunks))
        return
    import multiprocessing

    chunks = itertools.chain(head, chunks)
    context = multiprocessing.get_context("fork")
    workers: list = []      # the parent's end of each worker's pipe
    processes: list = []
    finished = False
    try:
        for _ in range(jobs):
            mine, theirs = context.Pipe()
            process = context.Process(target=_work, args=(theirs, evaluator, [*workers, mine]), daemon=True)
            process.start()
            theirs.close()
            workers.append(mine)
            processes.append(process)
        busy: collections.deque = collections.deque()   # workers holding a chunk, in input order
        for conn in workers:
            if (chunk := next(chunks, None)) is None:
                break
            conn.send(chunk)
            busy.append(conn)
        while busy:
            conn = busy.popleft()
            yield _received(conn)
            if (chunk := next(chunks, None)) is not None:
                conn.send(chunk)
                busy.append(conn)
        finished = True
    finally:
        for conn in workers:
            conn.close()   # an idle worker ends when its pipe closes
        for process in processes:
            process.join(timeout=5 if finished else 0)
            if process.is_alive():  # interrupted mid-chunk: its result is not wanted
                process.terminate()
                process.join()


def _work(conn, evaluator: Worker, parent_ends: list) -> None:
    """A worker process: evaluate each chunk it is sent, until its pipe closes."""
    import signal
    import traceback

    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the parent handles Ctrl-C and closes the pipes
    for end in parent_ends:  # inherited by the fork: closed, so that only the parent holds them
        end.close()
    while True:
        try:
            chunk = conn.recv()
        except EOFError:
            return
        result: object
        try:
            result = evaluator.chunk(chunk)
        except Exception as exc:  # a bug: the parent reports it (exit 4)
            result = WorkerError(f"{type(exc).__name__}: {exc}", traceback.format_exc())
        try:
            conn.send(result)
        except OSError:  # the parent has gone
            return


class WorkerError(RuntimeError):
    """An internal error in a batch worker process; `details` is its traceback."""

    def __init__(self, message: str, details: str):
        super().__init__(message)
        self.details = details

    def __reduce__(self):
        return WorkerError, (self.args[0], self.details)

    def __str__(self) -> str:
        return self.args[0] + ("\n" + self.details if os.environ.get("SESLINT_TRACEBACK") else "")


def _received(conn):
    try:
        result = conn.recv()
    except EOFError:
        raise WorkerError("a batch worker process ended unexpectedly", "") from None
    if isinstance(result, WorkerError):
        raise result
    return result
