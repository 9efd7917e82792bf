"""Linter configuration: `[tool.seslint]` in pyproject.toml or a `.seslint.toml`, found from the
working directory upwards (or named with --config).

    select = ["SES0"]            # ids, id prefixes or names; default: every rule but the opt-in ones
    extend-select = ["SES028"]   # add rules (the opt-in ones) to the default set
    ignore = ["SES024"]
    severity = { SES024 = "error" }
    fail-on = "warning"          # the --fail-on and --format defaults
    format = "github"
    baseline = "seslint-baseline.json"   # as --baseline, relative to this file
    [[suppress]]                 # [[tool.seslint.suppress]] in pyproject.toml
    path = "policies/legacy/*.json"
    rule = "SES024"
    sid = "LegacyAdmin"          # optional
    reason = "owned by team X, tracked in JIRA-1"   # required
    [[never-granted]]            # proven over every request (SES069)
    actions = ["ses:PutIdentityPolicy"]
    recipients-within = ["*@example.com"]
    reason = "identity policies belong to the platform team; staging mails only us"
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from seslint.errors import InputError, UnknownNameError


class Suppression(NamedTuple):
    number: int   # its index in the suppress list
    path: str
    rule: str
    sid: str | None
    reason: str
    line: int

    def matches(self, file: str, rule: str, sid: str | None, base: str) -> bool:
        if rule != self.rule or (self.sid is not None and sid != self.sid):
            return False
        return self.names(file, base)

    def names(self, file: str, base: str) -> bool:
        """`path` matches this file (as given, or relative to the config's folder)."""
        import fnmatch

        relative = os.path.relpath(os.path.abspath(file), base) if file not in ("<stdin>", "-") else file
        return any(fnmatch.fnmatch(f.replace(os.sep, "/"), self.path) for f in (file, relative))

    def covered(self, files, folders, base: str) -> bool:
        """The linted paths cover `path`: a linted file matches it, or a linted folder holds every file it
        could match. pre-commit lints only the changed files, so a suppression of another file is not unused."""
        if any(self.names(f, base) for f in files):
            return True
        fixed = []
        for part in self.path.split("/"):
            if any(c in part for c in "*?["):
                break
            fixed.append(part)
        area = os.path.normpath(os.path.join(base, *fixed))
        return any(os.path.commonpath([area, os.path.abspath(d)]) == os.path.abspath(d) for d in folders)


class NeverGranted(NamedTuple):
    """A grant no policy may make: any of `actions`, or a send to a recipient (From) outside the patterns."""

    number: int
    actions: tuple[str, ...]
    recipients_within: tuple[str, ...]
    senders_within: tuple[str, ...]
    reason: str


class Config(NamedTuple):
    source: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = MappingProxyType({})
    suppress: tuple[Suppression, ...] = ()
    pointer_base: str = ""
    fail_on: str | None = None
    fmt: str | None = None
    baseline: str | None = None       # absolute path
    never: tuple[NeverGranted, ...] = ()
    extend_select: tuple[str, ...] = ()

    @property
    def base(self) -> str:
        return os.path.dirname(os.path.abspath(self.source)) if self.source else os.getcwd()


def find(start: str | None = None) -> str | None:
    """The nearest .seslint.toml, or pyproject.toml with a [tool.seslint] table, from `start` upwards."""
    here = os.path.abspath(start or os.getcwd())
    while True:
        candidate = os.path.join(here, ".seslint.toml")
        if os.path.isfile(candidate):
            return candidate
        candidate = os.path.join(here, "pyproject.toml")
        if os.path.isfile(candidate) and _has_table(candidate):
            return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _has_table(path: str) -> bool:
    try:
        with open(path, encoding="utf-8") as f:
            return "[tool.seslint" in f.read()
    except OSError:
        return False


def load(path: str | None, resolve) -> Config:
    """Read and validate a config file; `resolve(name_or_id_or_prefix)` returns rule ids or raises."""
    if path is None:
        return Config()
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as f:
            text = f.read()
        doc = tomllib.loads(text.decode("utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read config: {exc.strerror}", source=path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"invalid TOML: {str(exc).splitlines()[0]}", source=path) from None
    pyproject = os.path.basename(path) == "pyproject.toml"
    table = doc.get("tool", {}).get("seslint", {}) if pyproject else doc
    base = "/tool/seslint" if pyproject else ""

    def fail(message, pointer=""):
        raise InputError(message, source=path, pointer=base + pointer)

    def rules(name, pointer):
        try:
            return resolve(name)
        except UnknownNameError as exc:
            raise InputError(exc.message, source=path, pointer=base + pointer, help=exc.help) from None

    if not isinstance(table, dict):
        fail("[tool.seslint] must be a table")
    problem = structure_problem(table)
    if problem is not None:
        fail(*problem)
    lists = {}
    for key in ("select", "ignore", "extend-select"):
        value = table.get(key, [])
        for i, v in enumerate(value):
            rules(v, f"/{key}/{i}")
        lists[key] = tuple(value)
    overrides = {}
    for name, level in table.get("severity", {}).items():
        for rule_id in rules(name, f"/severity/{name}"):
            overrides[rule_id] = level
    entries = table.get("suppress", [])
    header_lines = _header_lines(text.decode("utf-8"), "tool.seslint.suppress" if pyproject else "suppress")
    suppressions = []
    for i, entry in enumerate(entries):
        where = f"/suppress/{i}"
        ids = rules(entry["rule"], f"{where}/rule")
        if len(ids) != 1:
            fail(f"suppression {i + 1}: 'rule' must name one rule, not '{entry['rule']}'", f"{where}/rule")
        line = header_lines[i] if i < len(header_lines) else 1
        suppressions.append(Suppression(i, entry["path"], ids[0], entry.get("sid"), entry["reason"], line))
    never = tuple(NeverGranted(i, tuple(e.get("actions", ())), tuple(e.get("recipients-within", ())),
                               tuple(e.get("senders-within", ())), e["reason"])
                  for i, e in enumerate(table.get("never-granted", [])))
    baseline = table.get("baseline")
    if baseline is not None:
        baseline = os.path.join(os.path.dirname(os.path.abspath(path)), baseline)
    return Config(path, lists["select"], lists["ignore"], overrides, tuple(suppressions), base,
                  table.get("fail-on"), table.get("format"), baseline, never, lists["extend-select"])


def structure_problem(table: dict) -> tuple[str, str] | None:
    """(message, pointer) for the first place, in document order, where `table` breaks
    rules/schemas/config.schema.json; None when it fits. jsonschema is imported only here."""
    import jsonschema

    from seslint import data

    schema = data.load("schemas/config.schema.json")
    found = []
    for error in jsonschema.Draft202012Validator(schema).iter_errors(table):
        path = list(error.absolute_path)
        if error.validator == "additionalProperties":
            path.append(next(k for k in error.instance if k not in error.schema["properties"]))
        found.append((_document_order(table, path), path, error))
    if not found:
        return None
    _, path, error = min(found, key=lambda f: f[0])
    pointer = "".join(f"/{p}" for p in path)
    key = "".join(f"[{p + 1}]" if isinstance(p, int) else f".{p}" if i else p for i, p in enumerate(path))
    if error.validator == "additionalProperties":
        parent = key.rpartition(".")[0] if len(path) > 1 else ""
        where = f"in '{parent}' " if parent else ""
        return f"unknown setting '{path[-1]}' {where}(known: {', '.join(error.schema['properties'])})", pointer
    if error.validator == "required":
        missing = next(k for k in error.validator_value if k not in error.instance)
        return f"'{key}' needs '{missing}' ({error.schema['properties'][missing]['description']})", pointer
    if error.validator == "enum":
        return f"'{key}' is '{error.instance}': use {error.schema['description']}", pointer
    return f"'{key}' must be {error.schema['description']}", pointer


def _document_order(value, path: list) -> list[int]:
    """Where `path` stands in the document: the position of each key or index along it."""
    order = []
    for part in path:
        order.append(list(value).index(part) if isinstance(value, dict) else part)
        value = value[part]
    return order


def _header_lines(text: str, table: str) -> list[int]:
    """Line numbers of each `[[table]]` header, to place unused-suppression findings."""
    wanted = f"[[{table}]]"
    return [n for n, line in enumerate(text.splitlines(), 1) if line.strip().replace(" ", "") == wanted]
