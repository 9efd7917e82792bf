"""Principals of SES identity (sending-authorization) policies: who may send as the identity."""

from __future__ import annotations

from functools import lru_cache

from seslint.lint.checks import rule
from seslint.lint.checks.statements import send_actions
from seslint.lint.model import RESOURCE

# global keys that name or bound the caller (IAM "AWS global condition context keys"); policyuniverse
# knows most of them, not the source-org ones (2023 snapshot)
CALLER_KEYS = ("aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:principalorgid",
               "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn", "aws:sourceorgid",
               "aws:sourceorgpaths", "aws:userid", "aws:sourceip", "aws:sourcevpc", "aws:sourcevpce")
SOURCE_KEYS = ("aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths")
POSITIVE = ("StringEquals", "StringLike", "StringEqualsIgnoreCase", "ArnEquals", "ArnLike", "IpAddress")


def _binding(cond) -> bool:
    """A condition that holds only when the key is present and matches: no IfExists, no ForAllValues
    (both are true when the key is absent), no negation."""
    return cond.base in POSITIVE and not cond.if_exists and cond.set_op != "ForAllValues"


def _restricting(st, keys) -> list:
    return [c for c in st.conditions if c.lowered in keys and _binding(c)]


def _open_principals(st) -> list[tuple[str, str]]:
    """(pointer, text) of principals that stand for every AWS account."""
    out = []
    for pointer, kind, value in st.principals or ():
        if kind == "*" or (kind == "AWS" and (value == "*" or _arn_account(value) == "*")):
            out.append((pointer, value))
    return out


def _arn_account(value: str) -> str | None:
    parts = value.split(":")
    return parts[4] if len(parts) >= 6 and parts[0] == "arn" else value if value.isdigit() else None


def _still_open(st, conds) -> bool:
    """Whether the caller conditions still admit anyone: policyuniverse judges the keys it knows
    (wildcard account, `o-*` organization, `/0` CIDR); the source-org keys are judged here."""
    if not conds:
        return True
    from policyuniverse.statement import Statement as PUStatement

    known: dict[str, dict[str, list]] = {}
    own: list[bool] = []
    for c in conds:
        values = [v for _, v in c.items()]
        if c.lowered in ("aws:sourceorgid", "aws:sourceorgpaths"):
            own.append(all(isinstance(v, str) and v.strip("*?/") in ("", "o-") for v in values))
        else:
            known.setdefault(c.base, {})[c.key] = values
    if own and not all(own):
        return False
    if not known:
        return bool(own)
    judged = PUStatement({"Effect": "Allow", "Principal": "*", "Action": "ses:SendEmail", "Condition": known})
    return judged.is_internet_accessible()


@rule("SES049")
def sending_authorization_open_to_everyone(ctx):
    if ctx.policy_type != RESOURCE:
        return
    for st in ctx.statements:
        if not st.allow:
            continue
        opened = _open_principals(st)
        if opened and _still_open(st, _restricting(st, CALLER_KEYS)):
            yield opened[0][0], (f"principal '{opened[0][1]}' with no condition that restricts the caller "
                                 f"(aws:SourceAccount, aws:SourceArn, aws:PrincipalOrgID, aws:PrincipalAccount, "
                                 f"aws:PrincipalArn, ...): any AWS account can use this identity")


def _services(st):
    return [(p, v) for p, kind, v in st.principals or () if kind == "Service" and isinstance(v, str)]


@rule("SES050")
def service_principal_without_source_condition(ctx):
    if ctx.policy_type != RESOURCE:
        return  # a Principal in an identity policy is principal-in-identity-policy (SES018)
    known = sending_services()
    for st in ctx.statements:
        # a service that never sends is service-principal-never-sends (SES051): no deputy to confuse
        services = [(p, v) for p, v in _services(st) if v.lower() in known or "${" in v]
        if not st.allow or not services or _restricting(st, SOURCE_KEYS):
            continue
        pointer, service = services[0]
        yield pointer, (f"service principal '{service}' without an aws:SourceAccount or aws:SourceArn condition: "
                        f"the service can be made to send as this identity for any of its customers "
                        f"(confused deputy)")


@lru_cache(maxsize=1)
def sending_services() -> frozenset[str]:
    from seslint import data

    return frozenset(s["principal"] for s in data.load("sending-services.json")["services"])


@rule("SES051")
def service_principal_never_sends(ctx):
    if ctx.policy_type != RESOURCE:
        return
    known = sending_services()
    for st in ctx.statements:
        if not st.allow or not (ctx.covered(st) & send_actions()):
            continue
        for pointer, service in _services(st):
            if "${" not in service and service.lower() not in known:
                yield pointer, (f"'{service}' does not send email through SES identities on anyone's behalf "
                                f"(seslint knows {', '.join(sorted(known))}): this grant is a mistake, or meant "
                                f"for a role that service uses")


@rule("SES052")
def source_condition_on_same_account_grant(ctx):
    for st in ctx.statements:
        if not st.allow:
            continue
        kinds = {kind for _, kind, _ in st.principals or ()}
        if st.principals is not None and (not kinds or kinds - {"AWS"} or _open_principals(st)):
            continue  # services (and "*", which includes them) do carry the source keys
        for cond in _restricting(st, ("aws:sourcearn", "aws:sourceaccount")):
            who = "the role or user this policy is attached to" if st.principals is None else "these principals"
            yield cond.pointer, (f"'{cond.key}' is set only when an AWS service calls on behalf of one of its "
                                 f"resources, never when {who} call SES directly: this Allow never grants")
