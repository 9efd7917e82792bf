"""Which accounts and regions a question about sends is asked in: those the policies' own ARNs name.

Without --account and --region, a question is asked in every class of (account, region) that the
statements tell apart: the account and region parts of the SES ARNs the policies name (wildcards such
as `eu-*` included) and the regions their `aws:RequestedRegion` conditions compare. Regions (or
accounts) that every such part matches alike get the same answers, so one of each class decides for all.
Only inputs that name none fall back to a default, and the scope says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from seslint.core.arn import ACCOUNT as ACCOUNT_ID, parse
from seslint.core.patterns import matches

DEFAULT_ACCOUNT, DEFAULT_REGION = "111122223333", "us-east-1"


@dataclass
class Scope:
    """The (account, region) pairs asked, and which of the two fell back to a default."""

    accounts: list[str]
    regions: list[str]
    defaults: list[str] = field(default_factory=list)
    named: set[str] = field(default_factory=set)   # the regions and accounts the policies name literally

    def label(self, value: str) -> str:
        """A region or account as asked: itself when the policies name it, else as one of its class."""
        return value if value in self.named or len(self.regions) == 1 else f"{value} (and the regions like it)"

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return [(a, r) for a in self.accounts for r in self.regions]

    def to_json(self) -> dict:
        out: dict = {"accounts": self.accounts, "regions": self.regions}
        if self.defaults:
            out["defaults"] = self.defaults
        return out

    def note(self) -> str | None:
        """What a reader must know about a default: the inputs named no account or no region."""
        said = []
        if "account" in self.defaults:
            said.append(f"account {self.accounts[0]} (the policies name none: any account answers alike)")
        if "region" in self.defaults:
            said.append(f"region {self.regions[0]} (the policies name none: any region answers alike)")
        return f"asked in {' and '.join(said)}" if said else None


def named_parts(statements, arns=()) -> tuple[set[str], set[str]]:
    """(account parts, region parts) of the SES ARNs the `statements` (`seslint.policy.Statement`) name
    (and `arns`), and the regions their aws:RequestedRegion conditions compare (policy variables, literal
    text there, match no region)."""
    accounts: set[str] = set()
    regions: set[str] = set()
    texts = list(arns)
    for st in statements:
        texts += st.resources or st.not_resources or ()
        for c in st.conditions_on("aws:RequestedRegion"):
            regions.update(str(v) for v in c.values if "${" not in str(v))
    for text in texts:
        arn = parse(text)
        if arn is None or not matches(arn.service, "ses", ignore_case=True):
            continue
        if arn.account and "${" not in arn.account:
            accounts.add(arn.account)
        if arn.region and "${" not in arn.region:
            regions.add(arn.region)
    return accounts, regions


def _classes(parts: set[str], candidates: set[str], first: str) -> list[str]:
    """`first`, then one candidate of each other class of values that `parts` (patterns) tell apart."""
    ordered = sorted(parts)

    def signature(value: str) -> tuple[bool, ...]:
        return tuple(matches(p, value, ignore_case=False) for p in ordered)

    seen = {signature(first)}
    out = [first]
    for value in sorted(candidates - {first}):
        if (sig := signature(value)) not in seen:
            seen.add(sig)
            out.append(value)
    return out


def scope_of(inputs, *, account: str | None = None, region: str | None = None) -> Scope:
    """The scope of a question over a principal's compiled inputs (`prove.decision.Inputs`: policies,
    caller, sending-authorization ARNs); a caller known only by the policies, with no ARN, is in whichever
    account is asked."""
    return scope([cp.policy for cp in inputs.all_policies()], account=account, region=region,
                 arns=[at for at, _ in inputs.resources if at],
                 principal_account=inputs.caller.account if inputs.caller.arn else None)


def scope_of_both(old, new, *, account: str | None = None, region: str | None = None) -> Scope:
    """The scope of a question comparing two principals' inputs: what either names."""
    both = [cp.policy for cp in (*old.all_policies(), *new.all_policies())]
    arns = [at for inputs in (old, new) for at, _ in inputs.resources if at]
    principal = old.caller.account if old.caller.arn else new.caller.account if new.caller.arn else None
    return scope(both, account=account, region=region, arns=arns, principal_account=principal)


def scope(policies, *, account: str | None = None, region: str | None = None,
          principal_account: str | None = None, arns=()) -> Scope:
    """The scope of a question over `policies` (`seslint.policy.Policy`) and `arns`, with --account and
    --region when given."""
    from seslint.regions import known_regions

    account_parts, region_parts = named_parts([st for p in policies for st in p.statements], arns)
    defaults = []
    if account:
        accounts = [account]
    else:
        literal = {p for p in account_parts if ACCOUNT_ID.fullmatch(p)}
        candidates = literal | ({principal_account} if principal_account else set())
        if not candidates:
            candidates, defaults = {DEFAULT_ACCOUNT}, ["account"]
        first = principal_account or sorted(candidates)[0]
        accounts = _classes(account_parts, candidates, first)
    if region:
        regions = [region]
    else:
        literal = {p for p in region_parts if "*" not in p and "?" not in p}
        if not region_parts:
            defaults.append("region")
        first = sorted(literal)[0] if literal else DEFAULT_REGION
        regions = _classes(region_parts, set(known_regions(first)) | literal, first)
    return Scope(accounts, regions, defaults, {p for p in account_parts | region_parts if "*" not in p and "?" not in p})


def region_classes(statements, first: str) -> list[str]:
    """`first`, then one region of each other class the statements tell apart (the audit asks these)."""
    from seslint.regions import known_regions

    _, parts = named_parts(statements)
    return _classes(parts, set(known_regions(first)) | {p for p in parts if "*" not in p and "?" not in p}, first)
