"""Lint checks: small functions, each registered for one catalog rule id.

A check takes a `Context` and yields `(pointer, message)` pairs; the pointer is relative to the
policy root. Checks never print and never see files: the engine places and filters findings.
"""

from __future__ import annotations

import importlib
from functools import cached_property, lru_cache
from types import MappingProxyType

from seslint.core.patterns import has_wildcard, matches
from seslint.policy import Policy, Problem, Statement, kind_problems, read_policy

MODULES = ("grammar", "actions", "resources", "conditions", "statements", "principals", "values", "proofs", "code")


def rule(rule_id: str):
    """Mark a function as the check for `rule_id`."""
    def mark(fn):
        fn.rule_id = rule_id
        return fn
    return mark


@lru_cache(maxsize=1)
def registry() -> MappingProxyType:
    """Rule id -> check function, collected from the check modules."""
    found = {}
    for name in MODULES:
        module = importlib.import_module(f"seslint.lint.checks.{name}")
        for fn in vars(module).values():
            rule_id = getattr(fn, "rule_id", None)
            if rule_id is not None and callable(fn):
                if rule_id in found:
                    raise RuntimeError(f"two checks for {rule_id}")
                found[rule_id] = fn
    return MappingProxyType(dict(sorted(found.items())))


@lru_cache(maxsize=4096)
def expand(pattern: str) -> tuple:
    """The ses: actions an Action pattern matches (cached: policies repeat the same patterns)."""
    from seslint.matrix import load_matrix

    matrix = load_matrix()
    if not has_wildcard(pattern):
        found = matrix.action(pattern)
        return (found,) if found is not None else ()
    return tuple(matrix.expand(pattern))


@lru_cache(maxsize=4096)
def condition_key(name: str):
    """The matrix's ConditionKey for `name` (service or global), or None."""
    from seslint.matrix import load_matrix

    return load_matrix().key(name)


@lru_cache(maxsize=16384)
def carries(action_name: str, key: str) -> bool:
    """Whether requests for the ses: action `action_name` can carry condition key `key`."""
    from seslint.matrix import load_matrix

    matrix = load_matrix()
    return matrix.carries(matrix.actions[action_name.lower()], key)


def _deploy_time(value, pointer: str) -> bool:
    """Whether the value at `pointer` (relative to `value`) is a CloudFormation intrinsic (Unresolved)."""
    from seslint.lint.model import Unresolved

    for token in pointer.split("/")[1:]:
        key = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return False
    return isinstance(value, Unresolved)


class Context:
    """One policy as the checks see it: the raw value, its type, and derived views (computed once)."""

    def __init__(self, value, policy_type: str, kind: str = "policy", duplicates: tuple[str, ...] = (), code=None):
        self.value = value
        self.code = code   # the application's SES calls (`lint --code`: seslint.fromcode.coverage.CodeUse), or None
        self.policy_type = policy_type
        self.kind = kind
        self.duplicates = duplicates  # pointers relative to the policy root
        self._covered: dict[str, frozenset[str]] = {}
        self._patterns: dict[tuple[str, str], tuple] = {}   # several checks ask for each statement's

    @cached_property
    def matrix(self):
        from seslint.matrix import load_matrix

        return load_matrix()

    @cached_property
    def _read(self) -> tuple[Policy, list[Problem]]:
        problems: list[Problem] = []
        return read_policy(self.value, problems=problems), problems

    @cached_property
    def statements(self) -> tuple[Statement, ...]:
        """The policy's well-formed statements (the grammar rules report the rest)."""
        return self._read[0].statements

    @cached_property
    def problems(self) -> list[Problem]:
        """What IAM refuses in this policy, for its type (`seslint.policy`): problems at a value known
        only at deploy time (a CloudFormation intrinsic) are left out."""
        from seslint.lint.model import RESOURCE

        policy, found = self._read
        found = found + kind_problems(policy, "resource" if self.policy_type == RESOURCE else "identity")
        return [p for p in found if not _deploy_time(self.value, p.pointer)]

    @cached_property
    def unknown_names(self) -> list:
        """The `ses:` actions and condition keys SES does not know (`seslint.names`: every command's wording)."""
        from seslint.names import unknown_names

        return unknown_names(self.statements)

    def unknown(self, rule_id: str):
        """(pointer, message) of each unknown name that rule `rule_id` reports."""
        return [(u.pointer, u.message) for u in self.unknown_names if u.rule == rule_id]

    @cached_property
    def raw_statements(self) -> list[tuple[str, object]]:
        """(pointer, value) of each statement, whatever its type (CloudFormation placeholders left out)."""
        from seslint.lint.model import Unresolved

        raw = self.value.get("Statement") if isinstance(self.value, dict) else None
        if isinstance(raw, list):
            return [(f"/Statement/{i}", s) for i, s in enumerate(raw) if not isinstance(s, Unresolved)]
        if isinstance(raw, dict):
            return [("/Statement", raw)]
        return []

    @cached_property
    def object_statements(self) -> list[tuple[str, dict]]:
        """(pointer, value) of each statement that is an object."""
        return [(p, s) for p, s in self.raw_statements if isinstance(s, dict)]

    def ses_patterns(self, st: Statement, element: str = "Action") -> tuple:
        """(pointer, pattern, matched actions) for each `ses:` pattern (or `*`) in Action/NotAction."""
        key = (st.pointer, element)
        found = self._patterns.get(key)
        if found is None:
            out = []
            for pointer, pattern in st.items(element) or ():
                if "${" in pattern:
                    continue
                prefix = pattern.partition(":")[0]
                if pattern == "*" or (":" in pattern and matches(prefix, "ses", ignore_case=True)):
                    out.append((pointer, pattern, expand(pattern)))
            found = self._patterns[key] = tuple(out)
        return found

    def covered(self, st: Statement) -> frozenset[str]:
        """Lower-case names of the ses: actions the statement applies to (Action or NotAction)."""
        if st.pointer not in self._covered:
            if st.actions is not None:
                names = {a.name.lower() for _, _, found in self.ses_patterns(st) for a in found}
            elif st.not_actions is not None:
                excluded = {a.name.lower() for _, _, found in self.ses_patterns(st, "NotAction") for a in found}
                names = set(self.matrix.actions) - excluded
            else:
                names = set()
            self._covered[st.pointer] = frozenset(names)
        return self._covered[st.pointer]

    def actions(self, names) -> list:
        return sorted((self.matrix.actions[n] for n in names), key=lambda a: a.name)
