"""`generate --from-code`: the least-privilege policy for the SES calls of an application's code, and
its proofs: every send a call site makes is allowed (can-send, request by request), and where the From
is a literal the policy pins the sender (prove, over every possible send).

The call sites and their requests come from seslint.fromcode; this module groups the requests into
statements and shapes them with the matrix as every generated policy is shaped.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

from seslint.fromcode import Scan
from seslint.fromcode.policy import DEFAULT_ACCOUNT, PLACEHOLDER_REGION, Planned


@dataclass
class Generated:
    """The outcome of `generate --from-code`."""

    scan: Scan
    planned: list
    policy: dict
    proofs: list

    @property
    def widened(self) -> list:
        return [w for p in self.planned for w in p.widened]

    @property
    def proven(self) -> bool:
        return all(p.ok for p in self.proofs)


def generate(paths, *, region: str | None = None, account: str | None = None, display_root: str | None = None,
             check: bool = True) -> Generated:
    """Scan `paths`, plan every call site, build the policy and (with `check`) prove it."""
    from seslint.errors import InputError
    from seslint.fromcode import scan
    from seslint.fromcode.policy import plan_site

    found = scan(paths, display_root=display_root)
    if not found.sites:
        why = "; ".join(found.skipped)
        raise InputError(f"no SES call found in {found.files} source file(s)" + (f" ({why})" if why else ""),
                         source=" ".join(paths),
                         help="seslint reads boto3, the AWS SDKs for JavaScript, Go, Java/Kotlin, PHP and Ruby, "
                              "nodemailer, Django and Rails mail settings, and SMTP to SES endpoints")
    planned = [plan_site(s, region=region, account=account) for s in found.sites]
    policy = build(planned)
    proofs = prove_policy(planned, policy, account) if check else []
    return Generated(found, planned, policy, proofs)


def build(planned: list[Planned]) -> dict:
    """The policy that grants exactly the planned requests: one statement per set of conditions and
    resources, shaped by the matrix as generate does (actions IAM checks on no ARN move to `*`)."""
    from seslint.generate.shape import build_policy
    from seslint.matrix import load_matrix

    grants: dict[tuple[str, tuple], set[str]] = {}
    for p in planned:
        for r in p.requests:
            grants.setdefault((r.action, r.conditions), set()).add(r.resource)
    _drop_covered(grants)
    merged: dict[tuple[tuple[str, ...], tuple], list[str]] = {}
    for (action, conditions), resources in grants.items():
        merged.setdefault((tuple(sorted(resources)), conditions), []).append(action)
    statements = []
    for i, ((group, conditions), actions) in enumerate(sorted(merged.items(), key=_order), start=1):
        statement: dict = {"Sid": f"{'Send' if conditions else 'Call'}{i}", "Effect": "Allow",
                           "Action": sorted(set(actions)), "Resource": list(group)}
        if conditions:
            block: dict[str, dict[str, list[str]]] = {}
            for op, key, value in conditions:
                block.setdefault(op, {}).setdefault(key, []).append(value)
            statement["Condition"] = {op: {k: sorted(set(v)) for k, v in keys.items()} for op, keys in block.items()}
        statements.append(statement)
    policy = build_policy(statements, load_matrix(), where="--from-code")
    for n, statement in enumerate(policy["Statement"], start=1):   # Sids numbered in the final order
        statement["Sid"] = _sid(statement, n)
    return policy


def _order(item) -> tuple:
    (resources, conditions), actions = item
    return (not conditions, resources == ("*",), sorted(actions), resources, conditions)


def _sid(statement: dict, n: int) -> str:
    kind = "Send" if any(a.startswith("ses:Send") for a in statement["Action"]) else "Call"
    return f"{kind}{n}"


def _drop_covered(grants: dict) -> None:
    """A grant on `type/*` covers the same action's grants on names of that type (same conditions)."""
    for resources in grants.values():
        wild = {r.rsplit("/", 1)[0] for r in resources if r.endswith("/*")}
        resources -= {r for r in resources if not r.endswith("/*") and r.rsplit("/", 1)[0] in wild}




@dataclass
class Proof:
    name: str
    ok: bool
    detail: str = ""


def concrete_sends(planned: Planned, account: str | None):
    """The sends of a call site with the account filled in (for can-send)."""
    return [dataclasses.replace(s, account=account or DEFAULT_ACCOUNT) for s in planned.sends]


def sends_allowed(planned: list[Planned], policy: dict, account: str | None) -> list[Proof]:
    from seslint.cansend import check_send
    from seslint.evaluate.scenario import PolicyCache

    cache = PolicyCache()
    out = []
    for p in planned:
        for send in concrete_sends(p, account):
            result = check_send(send, [policy], cache=cache, explain=False)
            what = f"{p.site.where} {p.site.operation} ({send.content})"
            detail = "; ".join(f"{r.action} on {r.resource} is {r.result.decision}" for r in result.blocking)
            out.append(Proof(f"allowed: {what}", result.allowed, detail or result.decision))
    return out


def senders_pinned(planned: list[Planned], account: str | None) -> list[Proof]:
    """For the call sites whose From is a literal: their statements allow no other From (per region).

    The statements that compare ses:FromAddress to the addresses themselves are decided without the
    solver (`pins`); the solver proves the rest. The split is exact: a statement that pins allows no
    request from another address, so a send from outside the addresses is allowed by the whole group
    exactly when the other statements alone allow it."""
    from email.utils import parseaddr

    pinned = [p for p in planned if p.sends and not any(w.part in ("From", "identity ARN") for w in p.widened)]
    by_region: dict[str, list[Planned]] = {}
    for p in pinned:
        region = p.sends[0].region if p.sends else PLACEHOLDER_REGION
        by_region.setdefault(region, []).append(p)
    out = []
    for region, group in sorted(by_region.items()):
        addresses = sorted({parseaddr(s.sender)[1] or s.sender for p in group for s in p.sends})
        ok, detail = _within(build(group), addresses, region, account or DEFAULT_ACCOUNT)
        sites = ", ".join(sorted({p.site.where for p in group}))
        out.append(Proof(f"pinned: the statements of {sites} allow no From but {', '.join(addresses)} ({region})",
                         ok, detail))
    return out


def _within(policy: dict, addresses: list[str], region: str, account: str) -> tuple[bool, str]:
    """(proven, why not): every send `policy` allows in `region` is from one of `addresses`."""
    from seslint.prove.api import PROVEN, prove
    from seslint.prove.decision import build_inputs

    rest = [s for s in policy["Statement"] if not pins(s, addresses)] if _keyed_by_sender(region, account) \
        else policy["Statement"]
    if not rest:
        return True, ""
    outcome = prove(build_inputs([{**policy, "Statement": rest}], account=account, region=region),
                    senders_within=addresses)
    if outcome.verdict == PROVEN:
        return True, ""
    detail = outcome.reason
    if outcome.witness is not None:
        detail += f": {outcome.witness.operation} from {outcome.witness.sender}"
    return False, detail


#: Operators under which a statement matches only requests whose ses:FromAddress is a listed value:
#: no wildcards, no ...IfExists and no set operator (those match a request without the key).
_PINNING = ("StringEquals", "StringEqualsIgnoreCase")
_GLOB = set("*?$")


def pins(statement: dict, addresses: list[str]) -> bool:
    """The statement allows only requests whose ses:FromAddress is one of `addresses`: an Allow whose
    Condition compares ses:FromAddress with StringEquals (or ...IgnoreCase) to plain addresses among
    them. Its other conditions, actions and resources only narrow it further."""
    if statement.get("Effect") != "Allow" or "NotPrincipal" in statement:
        return False
    wanted = {a.lower() for a in addresses if not _GLOB & set(a)}
    for operator, block in (statement.get("Condition") or {}).items():
        if operator not in _PINNING or not isinstance(block, dict):
            continue
        for key, values in block.items():
            values = values if isinstance(values, list) else [values]
            if key.lower() == "ses:fromaddress" and values and all(
                    isinstance(v, str) and not _GLOB & set(v) and v.lower() in wanted for v in values):
                return True
    return False


@lru_cache(maxsize=16)
def _keyed_by_sender(region: str, account: str) -> bool:
    """Every request of every kind of send carries ses:FromAddress as the send's From address, or not
    at all (the send model that the proofs use): what makes `pins` exact."""
    from seslint.prove.sends import FROM, plans

    return all(value == FROM for kind in plans(region, account) for _, _, _, context in kind.requests
               for key, value in context.items() if key.lower() == "ses:fromaddress")


def prove_policy(planned: list[Planned], policy: dict, account: str | None) -> list[Proof]:
    return sends_allowed(planned, policy, account) + senders_pinned(planned, account)
