"""A local IAM evaluator that agrees with AWS, explains itself and never guesses.

Public API (others build on it; pinned by tests/evaluate/test_api.py):

    load_scenario(value, source="<scenario>", pointer="") -> Scenario
        Check and compile one scenario (shared/DESIGN.md §3). Raises seslint.errors.InputError
        naming the source and the JSON pointer of what is wrong.
    evaluate(scenario, explain=False) -> Result
        Result.decision is "allowed", "explicitDeny" or "implicitDeny"; Result.to_json() is the
        DESIGN.md decision object; Result.trace (with explain=True) says, per policy and statement,
        whether action, resource, principal and each condition matched. Policies that cannot be
        evaluated faithfully (unknown operator, malformed value, a value list where IAM defines no
        result) raise InputError instead of returning a decision.
    load_auth_details(value, source) -> AuthDetails
        The output of `aws iam get-account-authorization-details` (see authdetails.py).

Policies passed as Python values are dicts (parsed JSON); `seslint.policy.parse_policy` gives the
parsed model with JSON pointers.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from seslint.evaluate.authdetails import load_auth_details
    from seslint.evaluate.engine import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, Hit, Result, evaluate
    from seslint.evaluate.scenario import PolicyCache, Scenario, load_scenario

__all__ = ["ALLOWED", "EXPLICIT_DENY", "IMPLICIT_DENY", "Hit", "PolicyCache", "Result", "Scenario",
           "evaluate", "load_auth_details", "load_scenario"]

# Public name -> submodule that defines it. Resolved on first use, so importing one submodule
# (the linter imports seslint.evaluate.operators) costs only that submodule.
_LAZY = {"ALLOWED": "engine", "EXPLICIT_DENY": "engine", "IMPLICIT_DENY": "engine", "Hit": "engine",
         "Result": "engine", "evaluate": "engine", "PolicyCache": "scenario", "Scenario": "scenario",
         "load_scenario": "scenario", "load_auth_details": "authdetails"}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value   # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
