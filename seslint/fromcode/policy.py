"""From call sites to the IAM requests they make: from the send model (`plan(Send(...))`) for sends
and from the matrix's operation mappings for other calls (seslint.generate.fromcode builds the policy).

A part the code computes at run time widens only that part: a From gives `identity/*` and no
`ses:FromAddress` condition, a configuration set `configuration-set/*`, a template `template/*`,
a region `*`. Each widening is a `Widening` naming the call site.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from seslint.fromcode.model import CallSite, Value

#: Stand-ins for the parts a plan needs and the code does not fix; never printed.
PLACEHOLDER_ACCOUNT = "000000000000"
PLACEHOLDER_REGION = "us-east-1"
#: The account the proofs and `lint --code` evaluate in when none is given.
DEFAULT_ACCOUNT = "111122223333"
_RUNTIME_DOMAIN = "from-code.invalid"
RUNTIME_FROM = f"runtime@{_RUNTIME_DOMAIN}"
RUNTIME_NAME = "from-code-runtime"
_RECIPIENT = "recipient@example.com"


@dataclass(frozen=True)
class Request:
    """One IAM request a call site makes, as the policy grants it."""

    action: str
    resource: str
    conditions: tuple[tuple[str, str, str], ...] = ()   # (operator, key, value)
    role: str = ""


@dataclass
class Widening:
    site: CallSite
    part: str
    why: str

    def __str__(self) -> str:
        return f"{self.site.where}: {self.part} is computed at run time ({self.why}): {self._effect()}"

    def _effect(self) -> str:
        return {"From": "any identity, no ses:FromAddress condition",
                "identity ARN": "any identity", "configuration set": "any configuration set",
                "template": "any template", "region": "any region"}.get(self.part, f"any {self.part}")


@dataclass
class Planned:
    """The requests of one call site (for a send: per content kind), and what was widened."""

    site: CallSite
    requests: list[Request] = field(default_factory=list)
    widened: list[Widening] = field(default_factory=list)
    sends: list = field(default_factory=list)   # the concrete Send of each content kind (for the proofs)


def _where(site: CallSite, region: str | None, account: str | None, widened: list[Widening]) -> tuple[str, str]:
    """(region, account) for the ARNs: the client's region, else --region, else `*`."""
    if site.region is not None and site.region.literal and site.region.text:
        return site.region.text, account or "*"
    if site.region is not None and not site.region.literal and not region:
        widened.append(Widening(site, "region", site.region.describe()))
    return region or "*", account or "*"


def _prefix(region: str, account: str) -> str:
    from seslint.core.arn import partition_of

    partition = partition_of(region) if region != "*" else "aws"
    return f"arn:{partition}:ses:{region}:{account}"


def plan_site(site: CallSite, *, region: str | None = None, account: str | None = None) -> Planned:
    out = Planned(site)
    where_region, where_account = _where(site, region, account, out.widened)
    prefix = _prefix(where_region, where_account)
    if site.sends:
        _plan_send(site, out, prefix, where_region, where_account)
    else:
        _plan_call(site, out, where_region, where_account)
    return out


def _name(value: Value | None, part: str, site: CallSite, widened: list[Widening]) -> str | None:
    if value is None:
        return None
    if value.literal and value.text:
        return value.text
    widened.append(Widening(site, part, value.describe()))
    return RUNTIME_NAME


def _plan_send(site: CallSite, out: Planned, prefix: str, region: str, account: str) -> None:
    from seslint.sendmodel import Send, parse_address, plan

    sender_text = site.sender.text if site.sender is not None and site.sender.literal else None
    if sender_text is not None:
        try:
            parse_address(sender_text, "from")
        except Exception:   # noqa: BLE001 - a literal that is no address: treat it as computed
            out.widened.append(Widening(site, "From", f"{sender_text!r} is no address"))
            sender_text = None
    elif site.sender is not None:
        out.widened.append(Widening(site, "From", site.sender.describe()))
    source_arn = site.source_arn.text if site.source_arn is not None and site.source_arn.literal else None
    if site.source_arn is not None and source_arn is None:
        out.widened.append(Widening(site, "identity ARN", site.source_arn.describe()))
    identity_name = source_arn.split(":identity/", 1)[1] if source_arn and ":identity/" in source_arn else None
    if sender_text is None and identity_name:
        sender_text_for_plan = identity_name if "@" in identity_name else f"runtime@{identity_name}"
    else:
        sender_text_for_plan = sender_text or RUNTIME_FROM
    configuration_set = _name(site.configuration_set, "configuration set", site, out.widened)
    template = _name(site.template, "template", site, out.widened)
    plan_region = region if region != "*" else PLACEHOLDER_REGION
    plan_prefix = f"{_prefix(plan_region, PLACEHOLDER_ACCOUNT)}"
    for content in site.contents:
        send = Send(sender=sender_text_for_plan, account=PLACEHOLDER_ACCOUNT, to=(_RECIPIENT,), api=site.api,
                    content=content, configuration_set=configuration_set,
                    template=template if content in ("template", "bulk") else None,
                    region=plan_region, source_arn=source_arn if source_arn and identity_name else None)
        planned = plan(send)
        out.sends.append(send)
        for r in planned.requests:
            resource = r.resource.replace(plan_prefix, prefix, 1) if r.resource.startswith(plan_prefix) else r.resource
            if r.alternative is not None and not source_arn and sender_text is None:
                resource = f"{prefix}:identity/*"
            resource = resource.replace(f"/{RUNTIME_NAME}", "/*")
            conditions = []
            if sender_text is not None and "ses:FromAddress" in r.context:
                conditions.append(("StringEquals", "ses:FromAddress", str(r.context["ses:FromAddress"])))
            if "ses:ApiVersion" in r.context:
                conditions.append(("StringEquals", "ses:ApiVersion", str(r.context["ses:ApiVersion"])))
            out.requests.append(Request(r.action, resource, tuple(conditions), r.role))


def _arn(rtype: str, name: str, region: str, account: str) -> str:
    """The ARN of a resource of `rtype` in the matrix's format (its first variable is the name)."""
    import re

    from seslint.matrix import load_matrix

    fmt = load_matrix().resource_types[rtype].arn
    fixed = {"Partition": _prefix(region, account).split(":")[1], "Region": region, "Account": account}
    names = [v for v in re.findall(r"\$\{([^}]+)\}", fmt) if v not in fixed]
    return re.sub(r"\$\{([^}]+)\}", lambda m: fixed.get(m[1]) or (name if m[1] == names[0] else "*"), fmt)


def _plan_call(site: CallSite, out: Planned, region: str, account: str) -> None:
    from seslint.matrix import load_matrix

    matrix = load_matrix()
    names = dict(site.resources)
    for variant in matrix.operation(site.operation):
        for grant in variant["authorizes"]:
            action = matrix.require_action(grant["action"])
            resources = []
            if action.resource_level:
                for rtype in grant["resources"]:
                    name = _name(names.get(rtype), rtype, site, out.widened) if rtype in names else None
                    resources.append(_arn(rtype, "*" if name in (None, RUNTIME_NAME) else name, region, account))
            for resource in resources or ["*"]:
                out.requests.append(Request(action.full_name, resource, (), "call"))


__all__ = ["DEFAULT_ACCOUNT", "Planned", "Request", "Widening", "plan_site"]
