"""The shared model of an SES call site, whatever the language that makes it.

A scanner (one module per language family) finds calls and hands over what it could read:
the API operation, and each parameter either as a literal or as the source text of what
computes it at run time. `sites.py` turns that into a `CallSite`; `policy.py` derives the IAM
requests from the send model (seslint.sendmodel), never from a table of its own.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Value:
    """A string the code passes: `text` when it is a literal (or a constant, or a setting the code
    reads), else None with `expr`, the source text of what computes it at run time."""

    text: str | None
    expr: str = ""

    @property
    def literal(self) -> bool:
        return self.text is not None

    def describe(self) -> str:
        return repr(self.text) if self.text is not None else (self.expr or "a value computed at run time")


def runtime(expr: str) -> Value:
    """A value the code computes at run time (its source text, shortened)."""
    expr = " ".join(expr.split())
    return Value(None, expr if len(expr) <= 60 else expr[:57] + "...")


@dataclass(frozen=True)
class CallSite:
    """One SES call in the code: `operation` is `service:Operation` (`sesv2:SendEmail`,
    `ses:GetSendQuota`, `smtp:SendRawEmail` for a message handed to the SMTP interface).

    For a send, `contents` lists the content kinds the call may send (`simple`, `raw`, `template`,
    `bulk`: several when the code chooses at run time); `sender`, `source_arn`, `configuration_set`
    and `template` are None when the call names none. For other calls, `resources` gives the
    resource names it takes, per resource type of the matrix."""

    file: str
    line: int
    library: str
    operation: str
    contents: tuple[str, ...] = ()
    sender: Value | None = None
    source_arn: Value | None = None
    configuration_set: Value | None = None
    template: Value | None = None
    region: Value | None = None
    resources: tuple[tuple[str, Value], ...] = ()

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def api(self) -> str:
        """v1, v2 or smtp for a send; "" for another call."""
        return {"ses": "v1", "sesv2": "v2", "smtp": "smtp"}.get(self.operation.split(":", 1)[0], "") \
            if self.contents else ""

    @property
    def sends(self) -> bool:
        return bool(self.contents)

    def label(self) -> str:
        kinds = f" ({', '.join(self.contents)})" if self.contents else ""
        return f"{self.operation}{kinds} via {self.library}"
