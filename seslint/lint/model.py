"""What the linter works on and what it produces: policies found in a file, and findings."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

SEVERITIES = ("error", "warning", "info")
RANK = {"error": 3, "warning": 2, "info": 1, "never": 99}

IDENTITY = "identity"
RESOURCE = "resource"
UNREADABLE = "unreadable"


class Unresolved(str):
    """A CloudFormation intrinsic function (`!Ref`, `Fn::If`, ...) whose value is known only at deploy time.

    Its text keeps the `${...}` form so messages stay readable; checks skip what they cannot judge.
    """


class PolicyUnit(NamedTuple):
    """One policy inside a file.

    `pointer` is where the policy stands in the outer document; `position(pointer)` maps an absolute
    pointer (after `remap`) to (line, column) in the original file. `policy_type` is None when the container does not
    fix it (a raw policy file); `kind` names the container for size quotas.
    """

    source: str
    pointer: str
    value: object
    position: Callable[[str], tuple[int, int]]
    policy_type: str | None = None
    kind: str = "policy"
    name: str | None = None
    duplicates: tuple[str, ...] = ()   # absolute pointers of repeated member names
    note: str | None = None            # appended to each message: the Fn::If branch, SAM template, Terraform address
    remap: Callable[[str], str] | None = None  # absolute pointer in `value` -> pointer in the file
    variants: int = 1                  # how many Fn::If variants of the policy at `pointer` there are

    @property
    def unreadable(self) -> bool:
        """A place with SES grants seslint cannot read; `note` says which (reported as SES059)."""
        return self.kind == UNREADABLE


class Finding(NamedTuple):
    """One finding; findings sort by `place()` (file, line, column, rule, pointer)."""

    file: str
    line: int
    column: int
    rule: str
    pointer: str = ""
    message: str = ""
    severity: str = "error"
    name: str = ""
    sid: str | None = None

    def place(self) -> tuple:
        return self[:5]

    def as_json(self) -> dict:
        return {"rule": self.rule, "name": self.name, "severity": self.severity, "message": self.message,
                "file": self.file, "line": self.line, "column": self.column, "pointer": self.pointer}
