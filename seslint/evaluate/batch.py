"""The batch protocol of `seslint simulate --scenarios`: one scenario per line in, one result per line out.

Lines are independent: a line that cannot be evaluated yields `{"id": ..., "error": ...}` and the
rest go on. The first line being a lone `{` means a pretty-printed scenario was given instead.
"""

from __future__ import annotations

import collections
import functools
import gc
import itertools
import os
import sys
from collections.abc import Iterator
from typing import Protocol, TypeVar

from orjson import JSONDecodeError, dumps as fast_dumps, loads as fast_loads  # about twice json's speed

from seslint import gcpause
from seslint.errors import InputError, SeslintError, UnknownNameError
from seslint.evaluate import evaluate, load_scenario
from seslint.evaluate.engine import Result, compact_json
from seslint.evaluate.scenario import PolicyCache
from seslint.jsondoc import loads


def check_action(action: str) -> None:
    """An unknown ses: action is an error with a did-you-mean, never a silent implicit deny."""
    prefix, _, name = action.partition(":")
    if prefix.lower() in ("sesv2", "pinpoint-email", "mailmanager"):
        raise UnknownNameError(f"'{action}' is not an IAM action: IAM actions of every SES API are named ses:",
                               help=f"`seslint explain {action}` shows the IAM actions that API call is authorized as")
    # the names alone (a dict lookup) keep batch start-up lean; the full matrix only for a did-you-mean
    if prefix.lower() == "ses" and "*" not in name and "?" not in name and name.lower() not in _action_names():
        from seslint.matrix import load_matrix

        load_matrix().require_action(action)


@functools.lru_cache(maxsize=1)
def _action_names() -> frozenset[str]:
    from seslint import data

    return frozenset(n.lower() for n in data.load("matrix.json")["actions"])


def run_batch(path: str, explain: bool, fmt: str, resource_account: str | None = None,
              jobs: int | None = None) -> int:
    """Stream one result per line to stdout; a bad line yields an error object and the rest go on.

    Lines are evaluated in chunks, by `jobs` worker processes (default: one per CPU) when the
    input is longer than one chunk; results come out in input order whatever the number of jobs.
    Returns the exit code: 3 when a line could not be evaluated, else 1 when one was denied, else 0."""
    try:
        handle = sys.stdin.buffer if path == "-" else open(path, "rb")
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", source=path) from None
    source = "<stdin>" if path == "-" else path
    evaluator = Evaluator(source, explain, fmt, resource_account)
    denied = errors = 0
    out = sys.stdout
    # The collector is paused for the batch (workers inherit it; a batch makes no cyclic garbage:
    # tests/evaluate/test_batch_jobs.py checks it); Evaluator.chunk collects every COLLECT_EVERY chunks.
    with handle, gcpause.paused():
        for text, chunk_denied, chunk_errors in pooled(_chunks(handle, source), evaluator, jobs or cpus()):
            out.write(text)
            denied += chunk_denied
            errors += chunk_errors
    out.flush()
    return 3 if errors else 1 if denied else 0


Chunk = list[tuple[int, bytes]]   # (line number, raw line)
T = TypeVar("T", contravariant=True)
R = TypeVar("R", covariant=True)
CHUNK_LINES = 250
COLLECT_EVERY = 40   # chunks between two runs of the cyclic collector while it is paused: a safety net


class Evaluator:
    """Turns chunks of scenario lines into output text; one per process, so the compiled policies
    of its cache serve every chunk that process sees."""

    def __init__(self, source: str, explain: bool, fmt: str, resource_account: str | None):
        self.source, self.explain, self.fmt, self.resource_account = source, explain, fmt, resource_account
        self.cache = PolicyCache()
        self.known: set[str] = set()  # actions already checked
        self.chunks = 0

    def chunk(self, lines: Chunk) -> tuple[str, int, int]:
        """The output text of some lines, and how many of them were denied and were errors."""
        self.chunks += 1
        if self.chunks % COLLECT_EVERY == 0:
            gc.collect()
        self.cache.next_round()
        denied = errors = 0
        pending = []
        for number, data in lines:
            found = self.line(number, data)
            if found is None:
                continue
            sid, result = found
            if isinstance(result, str):
                errors += 1
                pending.append(compact_json({"id": sid, "error": result}) if self.fmt == "json"
                               else f"{_label(sid, number)}: error: {result}")
            else:
                denied += not result.allowed
                pending.append(result.json_line() if self.fmt == "json"
                               else f"{_label(sid, number)}: {result.decision} ({result.reason})")
        return "".join(p + "\n" for p in pending), denied, errors

    def line(self, number: int, data: bytes) -> tuple[object, Result | str] | None:
        """(id, result or error message) of one line; None for a blank line."""
        source, sid = self.source, None
        try:
            line = _decoded(data, number)
            if line.isspace() or not line:
                return None
            try:
                value = fast_loads(line)
            except JSONDecodeError:  # not strict JSON: the strict parser words the error
                value = None
            cached = self.cache.enabled
            members = None if value is None else encoded_members(data, value, split=cached)
            if members is None:
                doc = loads(line, source)   # words a syntax error, and finds repeated members
                if doc.has_duplicates:
                    raise InputError("member name repeated in one object", source=source, pointer=doc.duplicates[0],
                                     help="remove the repeated member: which value counts is undefined")
                value = doc.value
            if isinstance(value, dict) and not isinstance(value.get("id"), (dict, list)):
                sid = value.get("id")
            scenario = load_scenario(value, source, cache=self.cache, encoded=members)
            if scenario.request.action not in self.known:
                check_action(scenario.request.action)
                self.known.add(scenario.request.action)
            if self.resource_account is not None and scenario.request.account is None:
                scenario.request.account = self.resource_account
            return sid, evaluate(scenario, explain=self.explain)
        except SeslintError as exc:
            if isinstance(exc, InputError) and exc.source in (source, None):
                exc.source, exc.line = source, number
            message = str(exc) if isinstance(exc, InputError) else f"{source}:{number}: {exc}"
            if exc.help:
                message += f" (help: {exc.help})"
            return sid, message


def encoded_members(data: bytes, value, split: bool = True) -> dict[str, bytes] | None:
    """The compact JSON of each top-level member of the scenario line `data` parsed as `value`
    (load_scenario's cache keys; with split=False, {}: only the check is wanted), or None when an
    object of the line may repeat a member name.

    Decided without a second parse where that is exact (orjson keeps the last of repeated members
    silently; the strict parser costs twice as much). With no backslash in the line every '"'
    delimits a string, so once whitespace is deleted, '":' occurs once per member name written, once
    per string that begins with ':', and once per string that begins with whitespace and ':'. The
    compact encoding has one per member kept and one per string that begins with ':'. So the counts
    agree exactly when no member was dropped and no string begins with whitespace and ':'. None
    means: check with the strict parser (a repeat, or a line this shortcut cannot judge)."""
    if b"\\" in data or type(value) is not dict:
        return None
    try:
        if split:
            members = {name: fast_dumps(item) for name, item in value.items()}
            kept = len(members) + sum(text.count(b'":') for text in members.values())
        else:
            members, kept = {}, fast_dumps(value).count(b'":')
    except TypeError:  # a value orjson reads but does not write (an integer past 64 bits)
        return None
    return members if data.translate(None, b" \t\r\n").count(b'":') == kept else None


def _chunks(handle, source: str) -> Iterator[Chunk]:
    """The lines of a scenarios file, CHUNK_LINES at a time; refuses a pretty-printed scenario."""
    chunk: Chunk = []
    first = True
    for number, data in enumerate(handle, 1):
        if first and data.strip():
            first = False
            if data.removeprefix(b"\xef\xbb\xbf").strip() in (b"{", b"["):
                raise InputError("this looks like one pretty-printed scenario, not one JSON object per line",
                                 source=source, line=number, help="use --scenario FILE for a single scenario")
        chunk.append((number, data))
        if len(chunk) == CHUNK_LINES:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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


def _decoded(data: bytes, number: int) -> str:
    """One line of a scenarios file as text (UTF-8, a BOM allowed on the first line)."""
    from seslint.errors import InputError

    try:
        return data.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text: byte 0x{data[exc.start]:02x}", column=exc.start + 1,
                         help="save the file as UTF-8") from None


def _label(sid, number) -> str:
    return f"{sid}" if sid is not None else f"line {number}"
