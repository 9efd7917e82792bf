"""The audit of many accounts: each distinct policy set decided once, on the process pool.

A principal's verdict depends on its effective policy set: its identity policies (as a set), its
permissions boundary, the SCP levels above its account and its account's sending authorization
policies. The set is keyed by a hash of the normalised documents (compact JSON, sorted keys, the
identity policies sorted), plus the account when a document names an account id, plus the
principal itself when a document could tell callers apart (a policy variable, an
aws:Principal*/aws:username/aws:userid key, a sending authorization policy that names it).

Each distinct set is decided once (`audit_principal`, by the prover) with its policies named by
placeholders; each principal's finding then names its own policies, and its witness its own ARN
and account (which, by the key, the decision does not depend on).

Accounts stream through: while the pool's workers decide the sets of one chunk, the next account is
read; an account's findings are handed out as soon as every set it uses is decided, and its
documents are then dropped. So memory holds one account's documents, one finding per distinct set,
and (for the reports that sort every principal: json, text, html) the findings.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from seslint.audit.sources import Account, ScpTree
from seslint.policy import PolicyDoc

JOBS_PER_CHUNK = 4      # distinct policy sets a worker decides per round trip
_ACCOUNT_ID = re.compile(rb"(?<![0-9])[0-9]{12}(?![0-9])")
PERSONAL = re.compile(rb"\$\{|\"aws:(principal|username|userid)", re.I)
_BOUNDARY = "<permissions boundary>"


def _placeholder(i: int) -> str:
    return f"<policy #{i}>"


@dataclass
class Job:
    """One distinct policy set to decide, its policies named by placeholders."""

    key: bytes
    principal: Any              # evaluate.authdetails.Principal
    scps: list | None
    resource_policies: dict
    region: str


@dataclass
class Record:
    """One principal waiting for its set's verdict: what its own finding needs."""

    arn: str
    account: str
    kind: str
    name: str
    key: bytes
    labels: dict[str, str]      # placeholder -> the principal's own policy name


class Decider:
    """The pool's worker: decides a chunk of jobs (`seslint.evaluate.batch.pooled`)."""

    def chunk(self, jobs: list[Job]) -> list[tuple[bytes, object]]:
        from seslint.audit import audit_principal

        return [(job.key, audit_principal(_docs(job.principal), region=job.region,
                                          resource_policies={a: _docs(ds) for a, ds in job.resource_policies.items()},
                                          scps=[(level, _docs(ds)) for level, ds in job.scps] if job.scps is not None
                                          else None)) for job in jobs]


def _plain(value):
    """PolicyDoc objects as (value, source, pointer) tuples, for the pipe to a worker: the compiled
    build's PolicyDoc does not unpickle."""
    if isinstance(value, PolicyDoc):
        return ("PolicyDoc", value.value, value.source, value.pointer)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, identity_policies=_plain(value.identity_policies),
                                   permission_boundary=_plain(value.permission_boundary))
    return value


def _docs(value):
    """`_plain` undone."""
    if isinstance(value, tuple) and len(value) == 4 and value[0] == "PolicyDoc":
        return PolicyDoc(value[1], value[2], value[3])
    if isinstance(value, list):
        return [_docs(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, identity_policies=_docs(value.identity_policies),
                                   permission_boundary=_docs(value.permission_boundary))
    return value


def audit_accounts(accounts: Iterable[Account], *, region: str, scps: ScpTree | None = None, jobs: int | None = None,
                   progress: Callable[[int, int], object] | None = None) -> Iterator[tuple[Account, list]]:
    """(account, its findings sorted by verdict then ARN) for each account, in input order.
    `progress(done, more)`: `done` principals were decided, `more` were read."""
    from seslint.evaluate.batch import cpus, pooled

    decided: dict[bytes, object] = {}
    chunk_of: dict[bytes, int] = {}          # key -> index of the chunk that decides it
    finished: collections.deque = collections.deque()   # (account, records, last chunk index needed)
    produced = [0]                           # chunks handed to the pool so far

    def chunks() -> Iterator[list[Job]]:
        pending: list[Job] = []
        for account in accounts:
            records = []
            encoded: dict[int, tuple] = {}   # the account's documents' normal form, each computed once
            for principal in account.details.principals():
                record, make = _record(principal, account, scps, encoded)
                records.append(record)
                if record.key in chunk_of or record.key in decided:
                    continue
                found = make(region)
                if not isinstance(found, Job):   # decided without the prover
                    decided[record.key] = found
                    continue
                chunk_of[record.key] = produced[0]
                pending.append(found)
                if len(pending) == JOBS_PER_CHUNK:
                    yield pending
                    pending = []
                    produced[0] += 1
            if progress:
                progress(0, len(records))
            needed = max((chunk_of.get(r.key, -1) for r in records), default=-1)
            finished.append((account, records, needed))
            account.details = None   # its documents are no longer needed here (jobs hold what they use)
        if pending:
            yield pending
            produced[0] += 1

    def ready(done: int) -> Iterator[tuple[Account, list]]:
        while finished and finished[0][2] < done:
            account, records, _ = finished.popleft()
            findings = [_finding(decided[r.key], r) for r in records]
            findings.sort(key=_order)
            if progress:
                progress(len(findings), 0)
            yield account, findings

    done = 0
    for results in pooled(chunks(), Decider(), jobs or cpus()):
        decided.update(results)
        done += 1
        yield from ready(done)
    yield from ready(done + 1)


def _order(finding) -> tuple:
    from seslint.audit import VERDICTS

    return VERDICTS.index(finding.verdict), finding.arn


def _record(principal, account: Account, scps: ScpTree | None, encoded: dict) -> tuple[Record, Callable]:
    """The principal's record, and a function of the region that makes the job deciding its set
    (or, for a principal whose policies cannot be read, its finding)."""
    from seslint.audit import Finding
    from seslint.evaluate.authdetails import policy_label

    if principal.error is not None:   # no set to decide: the finding says why
        key = b"error:" + str(principal.error).encode()
        finding = Finding(principal.arn, principal.kind, principal.name, "unknown",
                          f"a policy cannot be read: {principal.error}", account=principal.account)
        return Record(principal.arn, principal.account, principal.kind, principal.name, key, {}), lambda _: finding

    def normal(doc) -> bytes:
        found = encoded.get(id(doc.value))
        if found is None:   # the value is kept with its text, so its id is not reused meanwhile
            found = encoded[id(doc.value)] = (doc.value, orjson.dumps(doc.value, option=orjson.OPT_SORT_KEYS))
        return found[1]

    value = account.details.value
    docs = sorted(((normal(d), d) for d in principal.identity_policies), key=lambda pair: pair[0])
    labels = {_placeholder(i): policy_label(value, d.pointer) for i, (_, d) in enumerate(docs)}
    parts = [b"[" + b",".join(text for text, _ in docs) + b"]"]
    boundary = principal.permission_boundary
    if boundary is not None:
        labels[_BOUNDARY] = policy_label(value, boundary.pointer)
        parts.append(normal(boundary))
    levels = scps.levels(principal.account or account.id) if scps is not None else None
    if levels is not None:
        parts.append(orjson.dumps([[name, [[d.source, d.value] for d in ds]] for name, ds in levels],
                                  option=orjson.OPT_SORT_KEYS))
    resource_policies = account.identity_policies or {}
    if resource_policies:
        parts.append(orjson.dumps([[arn, [[d.source, d.value] for d in ds]] for arn, ds in sorted(resource_policies.items())],
                                  option=orjson.OPT_SORT_KEYS))
    text = b"\n".join(parts)
    key = hashlib.sha256(text).digest()
    if PERSONAL.search(text) or (resource_policies and principal.arn.lower().encode() in text.lower()):
        key += principal.arn.encode()
    elif _ACCOUNT_ID.search(text):
        key += principal.account.encode()
    record = Record(principal.arn, principal.account, principal.kind, principal.name, key, labels)

    def job(region: str) -> Job:
        named = dataclasses.replace(
            principal, identity_policies=[PolicyDoc(d.value, _placeholder(i), "") for i, (_, d) in enumerate(docs)],
            permission_boundary=PolicyDoc(boundary.value, _BOUNDARY, "") if boundary is not None else None)
        return Job(key, _plain(named), [(level, _plain(ds)) for level, ds in levels] if levels is not None else None,
                   {a: _plain(ds) for a, ds in resource_policies.items()}, region)

    return record, job


def _finding(shared, record: Record):
    """The principal's own finding from its set's: its name, its policies' names, its witness."""
    def named(text: str) -> str:
        for placeholder, label in record.labels.items():
            text = text.replace(placeholder, label)
        return text

    statements = [dataclasses.replace(s, policy=record.labels.get(s.policy, s.policy)) for s in shared.statements]
    return dataclasses.replace(shared, arn=record.arn, kind=record.kind, name=record.name, account=record.account,
                               reason=named(shared.reason), notes=[named(n) for n in shared.notes],
                               statements=statements,
                               witness=_retarget(shared.witness, shared.arn, shared.account, record))


def _retarget(witness: dict | None, arn: str, account: str, record: Record) -> dict | None:
    """The witness of the principal the set was decided for, made this principal's: by the key, the
    decision does not depend on the ARN (else the key holds it) nor on the account (likewise)."""
    if witness is None or (arn == record.arn and account == record.account):
        return witness
    text = orjson.dumps(witness).decode().replace(arn, record.arn)
    if account != record.account and account:
        text = text.replace(f":{account}:", f":{record.account}:").replace(f'"{account}"', f'"{record.account}"')
    return orjson.loads(text)
