"""The batch protocol of `seslint simulate --scenarios`: one scenario per line in, one result per line out.

Lines are independent: a line that cannot be evaluated yields `{"id": ..., "error": ...}` and the
rest go on. The first line being a lone `{` means a pretty-printed scenario was given instead.
"""

from __future__ import annotations

import functools
import json
import sys

from seslint.errors import InputError, SeslintError, UnknownNameError


def check_action(action: str) -> None:
    """An unknown ses: action is an error with a did-you-mean, never a silent implicit deny."""
    from seslint.matrix import load_matrix

    prefix, _, name = action.partition(":")
    if prefix.lower() in ("sesv2", "pinpoint-email", "mailmanager"):
        raise UnknownNameError(f"'{action}' is not an IAM action: IAM actions of every SES API are named ses:",
                               help=f"`seslint explain {action}` shows the IAM actions that API call is authorized as")
    # the names alone (a dict lookup) keep batch start-up lean; the full matrix only for a did-you-mean
    if prefix.lower() == "ses" and "*" not in name and "?" not in name and name.lower() not in _action_names():
        load_matrix().require_action(action)


@functools.lru_cache(maxsize=1)
def _action_names() -> frozenset[str]:
    from seslint import data

    return frozenset(n.lower() for n in data.load("matrix.json")["actions"])


def run_batch(path: str, explain: bool, fmt: str, resource_account: str | None = None) -> int:
    """Stream one result per line to stdout; a bad line yields an error object and the rest go on.

    Returns the exit code: 3 when a line could not be evaluated, else 1 when one was denied, else 0."""
    from orjson import JSONDecodeError, loads as fast_loads  # about twice json's speed, per line

    from seslint.evaluate import evaluate, load_scenario
    from seslint.evaluate.scenario import PolicyCache
    from seslint.jsondoc import loads

    cache = PolicyCache()
    known: set[str] = set()  # actions already checked
    denied = errors = 0
    # A batch allocates many small objects and frees them by reference counting; the cyclic
    # collector's frequent passes over the policy cache cost ~15%. Collect far less often.
    import gc

    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    out = sys.stdout
    pending: list[str] = []   # results written 256 lines at a time: one write per line costs more
    dumps = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode
    try:
        handle = sys.stdin.buffer if path == "-" else open(path, "rb")
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", source=path) from None
    source = "<stdin>" if path == "-" else path
    first = True
    with handle:
        for number, data in enumerate(handle, 1):
            sid = None
            undecodable: InputError | None = None
            try:
                line = _decoded(data, number)
            except InputError as exc:
                line, undecodable = "", exc
            else:
                if line.isspace() or not line:
                    continue
            first, was_first = False, first
            if was_first and line.strip() in ("{", "["):
                raise InputError("this looks like one pretty-printed scenario, not one JSON object per line",
                                 source=source, line=number, help="use --scenario FILE for a single scenario")
            try:
                if undecodable is not None:
                    raise undecodable
                try:
                    value = fast_loads(line)
                except JSONDecodeError:  # not strict JSON: the strict parser words the error
                    value = loads(line, source).value
                if isinstance(value, dict) and not isinstance(value.get("id"), (dict, list)):
                    sid = value.get("id")
                scenario = load_scenario(value, source, cache=cache)
                if scenario.request.action not in known:
                    check_action(scenario.request.action)
                    known.add(scenario.request.action)
                if resource_account is not None and scenario.request.account is None:
                    scenario.request.account = resource_account
                result = evaluate(scenario, explain=explain)
            except SeslintError as exc:
                errors += 1
                if isinstance(exc, InputError) and exc.source in (source, None):
                    exc.source, exc.line = source, number
                message = str(exc) if isinstance(exc, InputError) else f"{source}:{number}: {exc}"
                if exc.help:
                    message += f" (help: {exc.help})"
                if fmt == "json":
                    pending.append(dumps({"id": sid, "error": message}))
                else:
                    pending.append(f"{_label(sid, number)}: error: {message}")
            else:
                if not result.allowed:
                    denied += 1
                if fmt == "json":
                    pending.append(result.json_line())
                else:
                    pending.append(f"{_label(sid, number)}: {result.decision} ({result.reason})")
            if len(pending) >= 256:
                out.write("\n".join(pending) + "\n")
                pending.clear()
    if pending:
        out.write("\n".join(pending) + "\n")
    out.flush()
    return 3 if errors else 1 if denied else 0


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
