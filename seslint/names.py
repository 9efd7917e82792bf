"""Names a policy uses that SES and IAM do not know: `ses:` actions and `ses:`/`aws:` condition keys.

One detection and one wording for every command: lint reports them as SES021 (an unknown action, with
the closest known one when there is one), SES061 (a well-formed action the bundled data lacks) and SES030
(an unknown condition key); simulate, can-send, prove, diff and audit name them with the same message.
IAM never matches an unknown action and never has an unknown key in a request, so each answer is right
for the policy as written; `governs` says which send actions the name would decide once fixed, so the
commands that prove things about sends can refuse to answer for a policy that does not say what was meant.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from seslint.core.patterns import has_wildcard, matches
from seslint.matrix import load_matrix, send_actions

UNKNOWN_ACTION, NOT_IN_DATA, UNKNOWN_KEY = "SES021", "SES061", "SES030"
#: An action name as AWS writes them: one PascalCase word.
WELL_FORMED = re.compile(r"[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*")


@dataclass(frozen=True)
class UnknownName:
    rule: str                   # the lint rule that reports it
    pointer: str                # JSON pointer of the name, relative to the policy
    name: str                   # as written
    suggestion: str | None      # the known name closest to it
    message: str                # lint's message
    effect: str | None          # the statement's Effect
    governs: tuple[str, ...]    # send actions the name would decide once fixed (sorted)
    source: str = ""            # the policy's file, when known

    @property
    def sends(self) -> bool:
        return bool(self.governs)

    def describe(self) -> str:
        return f"{self.source} at {self.pointer}: {self.message}" if self.source else f"{self.pointer}: {self.message}"


def unknown_names(statements, source: str = "") -> list[UnknownName]:
    """The unknown names of `statements` (the policy model's, `seslint.policy`), statement by statement:
    actions, then condition keys."""
    out: list[UnknownName] = []
    for st in statements:
        fixed: dict[str, str] = {}     # misspelt action (lower case) -> its suggestion
        for pointer, text in (st.items("Action") or ()) + (st.items("NotAction") or ()):
            name = _ses_name(text)
            found = _action(name) if name is not None else None
            if found is not None:
                rule, suggestion, message = found
                governs: tuple[str, ...] = ()
                if suggestion:
                    fixed[text.lower()] = suggestion
                    governs = (suggestion,) if rule == UNKNOWN_ACTION and suggestion in send_actions() else ()
                out.append(UnknownName(rule, pointer, text, suggestion, message, st.effect, governs, source))
        covered = None
        for cond in st.conditions:
            key = _key(cond.key)
            if key is not None:
                covered = _covered(st, fixed) if covered is None else covered
                out.append(UnknownName(UNKNOWN_KEY, cond.pointer, cond.key, key[0], key[1], st.effect, covered, source))
    return out


def in_policies(policies) -> list[UnknownName]:
    """The unknown names of parsed policies (`seslint.policy.Policy`), each with its policy's file; a
    policy given twice counts once."""
    seen: dict[tuple[str, str, str], UnknownName] = {}
    for policy in policies:
        for u in unknown_names(policy.statements, policy.source):
            seen.setdefault((u.source, u.pointer, u.rule), u)
    return list(seen.values())


def undecided(names) -> str | None:
    """The reason a question about sends cannot be answered as meant: the names that would decide
    some send once fixed; None when there are none."""
    deciding = [u for u in names if u.sends]
    if not deciding:
        return None
    return ("a policy names what SES does not know where it decides sends, so any answer would be about another "
            "policy than the one meant (fix it, then ask again): " + " | ".join(u.describe() for u in deciding))


def action_problem(text: str) -> str | None:
    """Lint's message for an `ses:` action SES does not know (`ses:SendEmial`), else None."""
    name = _ses_name(text)
    found = _action(name) if name is not None else None
    return found[2] if found else None


def key_problem(key: str) -> str | None:
    """Lint's message for a `ses:` or `aws:` condition key SES and IAM do not know, else None."""
    found = _key(key)
    return found[1] if found else None


def _ses_name(text: str) -> str | None:
    """The name after `ses:` of an action entry without wildcards or policy variables, else None."""
    prefix, colon, name = text.partition(":")
    if prefix.lower() != "ses" or not colon or "${" in text or has_wildcard(name):
        return None
    return name


@lru_cache(maxsize=4096)
def _action(name: str) -> tuple[str, str | None, str] | None:
    """(rule, suggestion, message) for an unknown `ses:` action name (the part after `ses:`)."""
    matrix = load_matrix()
    if matrix.action(name) is not None:
        return None
    near = matrix.closest_action(name, cutoff=0.85)    # one slip away: SendEmial
    if near or not WELL_FORMED.fullmatch(name):
        suggestion = near or matrix.closest_action(name)
        hint = f"; did you mean '{suggestion}'?" if suggestion else ""
        return UNKNOWN_ACTION, suggestion, f"unknown action 'ses:{name}': the statement never matches it{hint}"
    return NOT_IN_DATA, None, (f"'ses:{name}' is not in seslint's SES data (Service Authorization Reference of "
                               f"{matrix.data_date}): if AWS added it since, update seslint; if not, the "
                               "statement never matches it")


@lru_cache(maxsize=4096)
def _key(key: str) -> tuple[str | None, str] | None:
    """(suggestion, message) for an unknown `ses:` or `aws:` condition key, None for any other key."""
    if key.partition(":")[0].lower() not in ("ses", "aws") or "${" in key:
        return None
    matrix = load_matrix()
    if matrix.key(key) is not None:
        return None
    close = difflib.get_close_matches(key, list(matrix.condition_keys) + list(matrix.global_keys), n=1, cutoff=0.7)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return (close[0] if close else None), f"unknown condition key '{key}': it is never in a request{hint}"


def _covered(st, fixed: dict) -> tuple[str, ...]:
    """The send actions the statement applies to, each misspelt action read as its suggestion."""
    def read(patterns):
        return [fixed.get(p.lower(), p) for p in patterns]

    if st.actions is not None:
        patterns = read(st.actions)
        return tuple(a for a in send_actions() if any(matches(p, a, ignore_case=True) for p in patterns))
    patterns = read(st.not_actions or ())
    return tuple(a for a in send_actions() if not any(matches(p, a, ignore_case=True) for p in patterns))

