"""IAM condition operators: names, value types and the modifiers, for the linter's grammar checks.

Kept minimal and local until the evaluator's operator table exists (see the lint report).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

# base operator -> the type of value it compares
BASES = {
    **{f"String{s}": "string" for s in ("Equals", "NotEquals", "EqualsIgnoreCase", "NotEqualsIgnoreCase", "Like", "NotLike")},
    **{f"Numeric{s}": "numeric" for s in ("Equals", "NotEquals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")},
    **{f"Date{s}": "date" for s in ("Equals", "NotEquals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")},
    "Bool": "bool",
    "BinaryEquals": "binary",
    "IpAddress": "ip", "NotIpAddress": "ip",
    **{f"Arn{s}": "arn" for s in ("Equals", "Like", "NotEquals", "NotLike")},
    "Null": "bool",
}
SET_OPERATORS = ("ForAllValues", "ForAnyValue")

_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


@dataclass(frozen=True)
class Operator:
    text: str
    base: str
    set_op: str | None
    if_exists: bool

    @property
    def negated(self) -> bool:
        return "Not" in self.base

    @property
    def value_type(self) -> str:
        return BASES[self.base]

    @property
    def like(self) -> bool:
        return self.base.endswith("Like")


def parse(text: str) -> Operator | None:
    """Split `ForAnyValue:StringLikeIfExists` into its parts; None when the base is unknown."""
    set_op, _, rest = text.rpartition(":")
    if set_op and set_op not in SET_OPERATORS:
        return None
    if_exists = rest.endswith("IfExists")
    base = rest[: -len("IfExists")] if if_exists else rest
    if base not in BASES:
        return None
    return Operator(text, base, set_op or None, if_exists)


def value_problem(value_type: str, value) -> str | None:
    """Why `value` cannot be compared as `value_type`, or None when it fits."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = str(value)
    elif isinstance(value, str):
        text = value
    else:
        return "is not a string, number or boolean"
    if "${" in text:
        return None  # a policy variable: known only at request time
    if value_type == "bool" and text.lower() not in ("true", "false"):
        return "is not a boolean (\"true\" or \"false\")"
    if value_type == "numeric" and not _NUMBER.fullmatch(text):
        return "is not a number"
    if value_type == "date" and not (_DATE.fullmatch(text) or _NUMBER.fullmatch(text)):
        return "is not a date (ISO 8601 such as 2025-01-31T00:00:00Z, or epoch seconds)"
    if value_type == "ip":
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            return "is not an IP address or CIDR range"
    if value_type == "binary" and not _BASE64.fullmatch(text):
        return "is not base64"
    if value_type == "arn" and not (text.startswith("arn:") or text == "*"):
        return "is not an ARN"
    return None
