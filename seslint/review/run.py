"""Pairing and the two commands' runs: `diff_files` (two lint inputs) and `review` (two revisions)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from seslint.errors import InputError
from seslint.lint import inputs
from seslint.lint.model import RANK, Finding
from seslint.review import sides
from seslint.review.compare import Change, compare, verdicts
from seslint.review.sides import Subject


def pair(old: list[Subject], new: list[Subject]) -> list[tuple[Subject | None, Subject | None]]:
    """The subjects of two sides matched by where they live; an `Fn::If` branch that only one side has
    pairs with the other side's unbranched policy of the same place; the rest pair with nothing."""
    by_key = {s.key: s for s in old}
    out: list[tuple[Subject | None, Subject | None]] = []
    used: set = set()
    for s in new:
        partner = by_key.get(s.key)
        if partner is None and s.key[1:] and s.key[1] is not None:
            partner = by_key.get((s.key[0], None))
        out.append((partner, s))
        if partner is not None:
            used.add(partner.key)
    new_places = {s.key[0] for s in new if len(s.key) == 2 and s.key[1] is None}
    for s in old:
        if s.key in used:
            continue
        if len(s.key) == 2 and s.key[1] is not None and s.key[0] in new_places:
            twin = next(n for n in new if n.key == (s.key[0], None))
            out.append((s, twin))
        else:
            out.append((s, None))
    return out


PAIRS_PER_JOB = 8   # pairs per worker process below which a second process costs more than it saves


def changes(pairs, account: str | None = None, region: str | None = None, reach: bool = False,
            scps=None) -> list[Change]:
    """Every pair whose send reach differs, in file order; `reach`: with the audit's verdicts before and
    after (`compare.verdicts`). Many pairs are shared among worker processes, one per core."""
    import os

    from seslint.lint.engine import cores, in_processes

    jobs = max(1, min(cores(), len(pairs) // PAIRS_PER_JOB)) if hasattr(os, "fork") else 1

    def work(chunk: list[int]) -> list[tuple[int, Change]]:
        out = []
        for i in chunk:
            old, new = pairs[i]
            change = compare(old, new, account, region, scps)
            if change is not None:
                if reach:
                    verdicts(change)
                change.old = change.new = None   # their places do not cross a pipe: put back below
                out.append((i, change))
        return out

    found = []
    for i, change in (x for done in in_processes(work, [list(range(k, len(pairs), jobs)) for k in range(jobs)])
                      for x in done):
        change.old, change.new = pairs[i]
        found.append(change)
    return sorted(found, key=lambda c: (c.file, c.line, c.location))


def read_file(path: str) -> list[Subject]:
    """The subjects of a named lint input (`InputError` when it holds no policy or cannot be parsed)."""
    loaded = inputs.load(path, True)
    if loaded.broken is not None:
        raise loaded.broken
    return sides.read(loaded, path)


def diff_files(old_path: str, new_path: str, account: str | None = None, region: str | None = None,
               scps=None) -> tuple[list[Change], list, list]:
    """`seslint diff OLD NEW`: the changes between the subjects of two lint inputs, paired by where they
    live; and the `ses:` actions and condition keys SES does not know in OLD's and in NEW's policies."""
    from seslint.names import in_policies
    from seslint.policy import read_policy

    old, new = read_file(old_path), read_file(new_path)

    def unknown(subjects):
        return in_policies(read_policy(d.value, d.source, d.pointer) for s in subjects for d in s.docs)

    return changes(pair(old, new), account, region, scps=scps), unknown(old), unknown(new)


# -- review -----------------------------------------------------------------------------------

@dataclass
class Review:
    base: str
    head: str                              # a SHA, or "worktree"
    files: int = 0                         # changed lint inputs read
    changes: list[Change] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)   # new at head

    @property
    def gained(self) -> int:
        return sum(len(c.gained) for c in self.changes)

    @property
    def undecided(self) -> int:
        return sum(len(c.unknown) for c in self.changes)

    def exit_code(self, fail_on: str) -> int:
        threshold = RANK[fail_on]
        if self.gained or any(RANK[f.severity] >= threshold for f in self.findings):
            return 1
        return 3 if self.undecided else 0

    def to_json(self) -> dict:
        return {"version": 1, "base": self.base, "head": self.head,
                "changes": [c.to_json() for c in self.changes], "findings": [f.as_json() for f in self.findings]}


def review(paths: list[str], base: str, head: str | None = None, *, config=None, rules=None,
           policy_type: str = "auto", reach: bool = False) -> Review:
    """Every lint input under `paths` that changed between `base` and `head` (None: the work tree);
    `reach`: also the audit's verdicts before and after for each changed policy (the markdown table)."""
    import os

    from seslint.jsondoc import decode
    from seslint.lint import engine
    from seslint.lint.config import Config
    from seslint.review.git import WORKTREE, Repository

    repo = Repository()
    base_sha = repo.commit(base)
    head_rev = repo.commit(head) if head else WORKTREE
    files = repo.changes(base_sha, head_rev, repo.pathspecs(paths))
    old_text = repo.read(base_sha, [c.old for c in files if c.old])
    new_text = repo.read(head_rev, [c.new for c in files if c.new])
    config = config or Config()
    rules = rules if rules is not None else engine.enabled_rules(config)
    result = Review(base_sha, head_rev, len(files))
    pairs: list = []

    def load(path: str, data: bytes | None):
        if data is None:
            return None
        absolute = os.path.join(repo.top, path)
        try:
            loaded = inputs.parse(decode(data, absolute), absolute, path, False)
        except InputError as exc:
            loaded = inputs.Loaded(absolute, broken=exc)
        return loaded

    for c in files:
        before = load(c.old, old_text.get(c.old)) if c.old else None
        after = load(c.new, new_text.get(c.new)) if c.new else None
        old_subjects = sides.read(before, c.old) if before is not None and c.old else []
        if c.new and after is not None and after.broken is not None:   # unreadable at head: its reach is not known
            pairs += [(s, dataclasses.replace(s, file=c.new, error=f"{c.new}: {after.broken.message}"))
                      for s in old_subjects]
        else:   # a renamed file's policies pair with their old selves
            pairs += pair(old_subjects, sides.read(after, c.new) if after is not None and c.new else [])
        if after is not None and c.new:
            result.findings += _new_findings(before, after, config, rules, policy_type, c.new)
    result.changes = changes(pairs, reach=reach)
    result.findings.sort(key=Finding.place)
    return result


def _new_findings(before, after, config, rules, policy_type, path: str) -> list[Finding]:
    """The findings at head that base does not have: matched by rule, Sid and message (lines move)."""
    from collections import Counter

    from seslint.lint import engine

    now = engine.loaded_findings(after, config, rules, policy_type)
    was = Counter((f.rule, f.sid, f.message) for f in engine.loaded_findings(before, config, rules, policy_type)) \
        if before is not None and now else Counter()
    out = []
    for f in now:
        key = (f.rule, f.sid, f.message)
        if was[key]:
            was[key] -= 1
        else:
            out.append(f._replace(file=path))
    return out
