"""Run the checks over every policy in the inputs and turn their results into placed findings."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache

from seslint import gcpause
from seslint.errors import InputError, SeslintError
from seslint.jsondoc import join
from seslint.lint import inputs
from seslint.lint.catalog import load_catalog
from seslint.lint.checks import Context, registry
from seslint.lint.config import Config
from seslint.lint.containers import AWS_MANAGED
from seslint.lint.model import IDENTITY, RANK, RESOURCE, Finding, PolicyUnit

# rules the engine itself reports (the rest are checks in seslint/lint/checks/)
INTERNAL_ERROR, INVALID_JSON, UNUSED_SUPPRESSION, NOT_READABLE = "SES000", "SES001", "SES048", "SES059"
NEVER_GRANTED = "SES069"   # the configuration's [[never-granted]] entries (seslint/lint/never.py)
ENGINE_RULES = (INTERNAL_ERROR, INVALID_JSON, UNUSED_SUPPRESSION, NOT_READABLE, NEVER_GRANTED)


@dataclass
class Result:
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    policies: int = 0
    errors: list[InputError] = field(default_factory=list)  # named files that hold no policy (exit 3)


def detect_type(statements) -> str:
    """A policy with a Principal anywhere is resource-based (an SES sending-authorization policy)."""
    return RESOURCE if any(st.has_principal for st in statements) else IDENTITY


def resolve_rules(name: str) -> list[str]:
    """Rule ids for an id, an id prefix (`SES0`) or a kebab-case name; raises on no match."""
    catalog = load_catalog()
    rule = catalog.find(name)
    if rule is not None:
        return [rule.id]
    ids = [i for i in catalog.rules if i.startswith(name.upper())] if name.upper().startswith("SES") else []
    if not ids:
        catalog.require(name)  # raises with a did-you-mean
    return ids


def enabled_rules(config: Config, select=(), ignore=(), extend=()) -> set[str]:
    """`select` (else the config's, else every rule but the opt-in ones), plus `extend` and the config's
    extend-select, minus the ignored ones."""
    catalog = load_catalog()
    chosen = select or config.select
    ids = ({i for name in chosen for i in resolve_rules(name)} if chosen else
           {i for i, r in catalog.rules.items() if not r.opt_in})
    ids |= {i for name in tuple(config.extend_select) + tuple(extend) for i in resolve_rules(name)}
    for name in tuple(config.ignore) + tuple(ignore):
        ids -= set(resolve_rules(name))
    return ids


def check_unit(unit: PolicyUnit, policy_type: str, rules: set[str], code=None,
               never=()) -> list[tuple[str, str, str, str | None, str]]:
    """(rule, absolute pointer, message, Sid, severity) for one policy; a crashing check becomes SES000.

    `policy_type` "auto" detects it: a Principal means an SES sending-authorization policy. A check
    may yield a third item, a lower severity for that finding; "" means the catalog's. A policy whose
    text a run has checked already (many files of a repository hold the same policy) is not checked
    again: the checks see nothing but the policy, its type and kind, and where its names repeat."""
    relative_dups = tuple(p[len(unit.pointer):] for p in unit.duplicates)
    document = _document(unit.value) if code is None else None
    if document is not None:
        found = _checked(document, policy_type, unit.kind, relative_dups, frozenset(rules), tuple(never))
    else:
        found = tuple(_check(unit.value, policy_type, unit.kind, relative_dups, rules, code, never))
    return [(rule_id, unit.pointer + pointer, message, sid, severity) for rule_id, pointer, message, sid, severity in found]


def _document(value) -> str | None:
    """`value` as JSON text when it is plain JSON (no CloudFormation placeholder, no YAML date: what
    parsing the text gives back is the same value), else None."""
    stack = [value]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is dict:
            if any(type(k) is not str for k in v):
                return None
            stack.extend(v.values())
        elif t is list:
            stack.extend(v)
        elif t not in (str, int, float, bool) and v is not None:
            return None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@lru_cache(maxsize=1024)
def _checked(document: str, policy_type: str, kind: str, duplicates: tuple[str, ...], rules: frozenset[str],
             never: tuple) -> tuple:
    return tuple(_check(json.loads(document), policy_type, kind, duplicates, rules, None, never))


def _check(value, policy_type: str, kind: str, duplicates: tuple[str, ...], rules, code, never) -> list:
    """(rule, pointer relative to the policy, message, Sid, severity) for one policy."""
    ctx = Context(value, policy_type, kind, duplicates, code)
    if policy_type == "auto":
        ctx.policy_type = detect_type(ctx.statements)
    out = []
    applicable = _applicable(ctx.policy_type)
    for rule_id, check in registry().items():
        if rule_id not in rules or rule_id not in applicable or kind == AWS_MANAGED:
            continue   # an AWS managed policy is AWS's to write: only the team's never-granted rules apply
        try:
            found = list(check(ctx))
        except Exception as exc:  # noqa: BLE001 - a broken check must not hide the others
            if INTERNAL_ERROR in rules:
                out.append((INTERNAL_ERROR, "", f"rule {rule_id} crashed on this policy ({type(exc).__name__}: "
                                                f"{exc}); please report it", ""))
            continue
        out += [(rule_id, item[0], item[1], item[2] if len(item) > 2 else "") for item in found]
    if never and NEVER_GRANTED in rules and ctx.policy_type == IDENTITY and kind != "scp":
        from seslint.lint.never import findings

        out += [(NEVER_GRANTED, pointer, message, "") for pointer, message in findings(ctx, never)]
    sids = {st.pointer: st.sid for st in ctx.statements if st.sid}
    return [(rule_id, pointer, message, _sid_at(sids, "", pointer), severity) for rule_id, pointer, message, severity in out]


@lru_cache(maxsize=8)
def _applicable(policy_type: str) -> frozenset[str]:
    """The rules whose catalog entry lists `policy_type` (every rule for a type none lists)."""
    rules = load_catalog().rules
    known = {t for r in rules.values() for t in r.policy_types}
    return frozenset(i for i, r in rules.items() if policy_type not in known or policy_type in r.policy_types)


# files per worker process below which a second process costs more than it saves
FILES_PER_JOB = 150


# A large input makes a great many objects: the collector's passes over them made linting cost more
# than linear time. Lint makes little cyclic garbage (about ten objects a file), collected after the run.
@gcpause.paused()
def run(paths: list[str], config: Config, policy_type: str = "auto", select=(), ignore=(),
        skip_unrecognized: bool = False, jobs: int | None = None, code=None, extend=()) -> Result:
    """Lint every policy in `paths`. `jobs` processes share the files (None: one per core for large inputs);
    `code` (seslint.fromcode.coverage.CodeUse) the application's SES calls, for the rules that compare."""
    catalog = load_catalog()
    rules = enabled_rules(config, select, ignore, extend)
    _checked.cache_clear()   # what a run has checked, it reuses within the run
    result = Result()
    used: set[int] = set()
    files = inputs.discover(paths)
    if jobs is None:
        from seslint.pool import cpus

        jobs = min(cpus(), len(files) // FILES_PER_JOB) if hasattr(os, "fork") else 1
    jobs = max(1, min(jobs, len(files)))
    if jobs > 1:  # load the shared data once, before the workers fork
        from seslint.matrix import load_matrix

        load_matrix()
        registry()
    size = -(-len(files) // jobs)  # contiguous chunks: the first error is the one a single process meets
    chunks = [files[k:k + size] for k in range(0, len(files), size)] if files else []
    outcomes = in_processes(_lint_files, chunks, policy_type, rules, skip_unrecognized, code, config.never)
    for raw, files_done, policies, errors in outcomes:
        result.files += files_done
        result.policies += policies
        result.errors += errors
        for f in raw:
            hit = next((s for s in config.suppress if s.matches(f.file, f.rule, f.sid, config.base)), None)
            if hit is not None:
                used.add(hit.number)
                continue
            result.findings.append(_placed(f, catalog, config))
    if UNUSED_SUPPRESSION in rules:
        folders = [p for p in paths if p != "-" and os.path.isdir(p)]
        linted = [f for f, _ in files]
        for s in config.suppress:
            if s.number not in used and s.covered(linted, folders, config.base):
                message = (f"suppression of {s.rule} for '{s.path}'" + (f" (Sid '{s.sid}')" if s.sid else "")
                           + " matched no finding: remove it")
                result.findings.append(_placed(Finding(_shown(config.source or ""), s.line, 1, UNUSED_SUPPRESSION,
                                                       f"{config.pointer_base}/suppress/{s.number}", message),
                                               catalog, config))
    result.findings.sort(key=Finding.place)
    return result


def _shown(path: str) -> str:
    """A path as findings name files: relative to the working directory when it lies inside it
    (code scanning places results by their repository-relative path)."""
    if not path:
        return path
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _lint_files(files, policy_type: str, rules: set[str], skip_unrecognized: bool, code=None, never=()):
    """Unplaced findings (no severity yet, suppressions not applied), files and policies read."""
    raw: list[Finding] = []
    errors: list[InputError] = []
    policies = 0
    for path, named in files:
        try:
            loaded = inputs.load(path, named and not skip_unrecognized)
        except InputError as exc:  # a named file that holds no policy: reported after the others' findings
            errors.append(exc)
            continue
        found, read = _loaded_findings(loaded, policy_type, rules, code, never)
        try:
            raw += _inline_ignored(found, loaded)
        except InputError as exc:
            errors.append(exc)
            raw += found
        policies += read
    return raw, len(files), policies, errors


def _loaded_findings(loaded, policy_type: str, rules: set[str], code=None, never=()) -> tuple[list[Finding], int]:
    """`_file_findings`, and SES001 when the file could not be read or parsed."""
    raw: list[Finding] = []
    if loaded.broken is not None and INVALID_JSON in rules:
        broken = loaded.broken
        message = broken.message + (f"; {broken.help}" if broken.help else "")
        raw.append(Finding(loaded.source, broken.line or 1, broken.column or 1, INVALID_JSON, "", message))
    found, read = _file_findings(loaded, policy_type, rules, code, never)
    return raw + found, read


def loaded_findings(loaded, config: Config, rules: set[str], policy_type: str = "auto") -> list[Finding]:
    """The placed findings of one file already read (`inputs.parse`), suppressions applied, sorted;
    an unused suppression is not judged here (one file is not the whole run)."""
    catalog = load_catalog()
    raw, _ = _loaded_findings(loaded, policy_type, rules)
    out = [_placed(f, catalog, config) for f in raw
           if not any(s.matches(f.file, f.rule, f.sid, config.base) for s in config.suppress)]
    return sorted(out, key=Finding.place)


def _file_findings(loaded, policy_type: str, rules: set[str], code=None, never=()) -> tuple[list[Finding], int]:
    """The findings of one file's policies, and how many policies it holds (Fn::If variants count once).

    A finding that every variant of a policy has is reported once; the others name their branch."""
    raw: list[Finding] = []
    branched: dict[tuple, list] = {}
    policies, variant_policies = 0, set()
    for unit in loaded.units:
        if unit.unreadable:
            if NOT_READABLE in rules:
                line, column = unit.position(unit.pointer)
                raw.append(Finding(loaded.source, line, column, NOT_READABLE, unit.pointer, unit.note or ""))
            continue
        if unit.kind != AWS_MANAGED and (unit.variants == 1 or unit.pointer not in variant_policies):
            policies += 1
            variant_policies.add(unit.pointer)
        for rule_id, pointer, message, sid, severity in check_unit(unit, unit.policy_type or policy_type, rules, code,
                                                                   never):
            pointer = unit.remap(pointer) if unit.remap else pointer
            line, column = unit.position(pointer)
            finding = Finding(loaded.source, line, column, rule_id, pointer, message, severity, sid=sid)
            if unit.variants > 1:
                branched.setdefault((unit.pointer, rule_id, pointer, message), []).append((unit, finding))
            else:
                raw.append(_noted(finding, unit.note))
    for hits in branched.values():
        if len({id(u) for u, _ in hits}) == hits[0][0].variants:
            raw.append(_noted(hits[0][1], _common_note(hits[0][0])))
        else:
            raw += [_noted(f, u.note) for u, f in hits]
    return raw, policies


def _inline_ignored(found: list[Finding], loaded) -> list[Finding]:
    """The findings no `ignore_checks` of the template's Metadata covers (template-wide or its resource)."""
    if not loaded.ignores:
        return found
    covers = []
    for pointer, names, at in loaded.ignores:
        ids: set[str] = set()
        for i, name in enumerate(names):
            try:
                ids.update(resolve_rules(name))
            except SeslintError as exc:
                raise InputError(exc.message, source=loaded.source, pointer=join(at, i), help=exc.help) from None
        covers.append((pointer, ids))
    return [f for f in found if not any(f.rule in ids and (not pointer or f.pointer == pointer or
                                                           f.pointer.startswith(pointer + "/"))
                                        for pointer, ids in covers)]


def _common_note(unit) -> str | None:
    """The note of a variant without its branch (what every variant of the policy shares)."""
    return unit.note.split(" | ", 1)[0] if unit.note and " | " in unit.note else None


def _noted(f: Finding, note: str | None) -> Finding:
    return f._replace(message=f"{f.message} [{note.replace(' | ', ', ')}]") if note else f


def in_processes(fn, chunks, *args):
    """fn(chunk, *args) for each chunk, in chunk order, on seslint's one worker pool
    (`seslint.evaluate.batch.pooled`): one forked worker per chunk, which inherits the loaded matrix and
    catalog; an error in a worker is reported as a bug (exit 4)."""
    from seslint.pool import pooled

    return list(pooled(iter(chunks), _Call(fn, args), len(chunks)))


class _Call:
    """A function and its extra arguments, as the pool's worker (`Worker.chunk`)."""

    def __init__(self, fn, args: tuple):
        self.fn, self.args = fn, args

    def chunk(self, chunk):
        return self.fn(chunk, *self.args)


def _placed(f: Finding, catalog, config: Config) -> Finding:
    rule = catalog.rules[f.rule]
    severity = config.severity.get(f.rule) or (f.severity if f.severity in ("warning", "info") and
                                               RANK[f.severity] < RANK[rule.severity] else rule.severity)
    return Finding(f.file, f.line, f.column, f.rule, f.pointer, f.message, severity, rule.name, f.sid)


def _sid_at(sids: dict[str, str], base: str, pointer: str) -> str | None:
    """The Sid of the statement that holds `pointer` (a dict lookup: findings can be many)."""
    tokens = pointer[len(base):].split("/", 3)
    if len(tokens) < 2 or tokens[1] != "Statement":
        return None
    return sids.get("/".join(tokens[:3])) or sids.get("/Statement")

