"""Errors seslint reports to users, each mapped to an exit code.

    SeslintError            exit 3: input that could not be processed
    ├── InputError          a file, document or value that is broken (names file and JSON pointer)
    ├── UnknownNameError    an action, operation, rule or recipe that does not exist
    ├── UnsupportedError    something the evaluator cannot decide faithfully
    └── UsageError          exit 2: options that cannot work together, found past parsing

Other usage errors (exit 2) are click's own.
"""

from __future__ import annotations


class SeslintError(Exception):
    """Base class: one line for the user, an optional fix in `help`."""

    exit_code = 3

    def __init__(self, message: str, *, help: str | None = None):
        super().__init__(message)
        self.message = message
        self.help = help

    def __str__(self) -> str:
        return self.message


class InputError(SeslintError):
    """A broken input: names the source, the JSON pointer and where known line and column."""

    def __init__(self, message: str, *, source: str | None = None, pointer: str | None = None,
                 line: int | None = None, column: int | None = None, help: str | None = None):
        super().__init__(message, help=help)
        self.source = source
        self.pointer = pointer
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = self.source or "<input>"
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        at = f" at {self.pointer}" if self.pointer else ""
        return f"{where}{at}: {self.message}"


class UnknownNameError(SeslintError):
    """An action, operation, rule id or recipe that does not exist; `help` has a did-you-mean."""


class UsageError(SeslintError):
    """Options that cannot work together, found past option parsing (exit 2, as click's own)."""

    exit_code = 2


class UnsupportedError(SeslintError):
    """Input that the evaluator cannot decide faithfully (fails closed, never guesses)."""
