"""ARNs: `arn:partition:service:region:account:resource` ("IAM identifiers", "Amazon Resource
Names (ARNs)" in the AWS General Reference), and the partition a region belongs to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Each partition's region pattern, as botocore's endpoint data gives it
# (botocore/data/partitions.json, `regionRegex`; botocore 1.44.8). tests/foundation/test_core.py
# compares this table with the installed botocore so that a new partition is noticed.
PARTITION_REGIONS: tuple[tuple[str, str], ...] = (
    ("aws", r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$"),
    ("aws-cn", r"^cn\-\w+\-\d+$"),
    ("aws-eusc", r"^eusc\-(de)\-\w+\-\d+$"),
    ("aws-iso", r"^us\-iso\-\w+\-\d+$"),
    ("aws-iso-b", r"^us\-isob\-\w+\-\d+$"),
    ("aws-iso-e", r"^eu\-isoe\-\w+\-\d+$"),
    ("aws-iso-f", r"^us\-isof\-\w+\-\d+$"),
    ("aws-us-gov", r"^us\-gov\-\w+\-\d+$"),
)
PARTITIONS: tuple[str, ...] = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f",
                               "aws-eusc")
_REGIONS = tuple((name, re.compile(rx)) for name, rx in PARTITION_REGIONS)
#: An AWS account id ("IAM identifiers": twelve digits).
ACCOUNT = re.compile(r"\d{12}")
# The shape every partition's region pattern above shares (`eusc-de-east-1` has a four-letter prefix).
REGION = re.compile(r"[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}")


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str


def split(text: str) -> list[str]:
    """The colon-separated parts of an ARN (at most six; the resource keeps its colons), not
    splitting inside `${...}` (policy variables, CloudFormation substitutions)."""
    if "${" not in text:
        return text.split(":", 5)
    parts: list[str] = []
    current, i = "", 0
    while i < len(text):
        if text.startswith("${", i):
            end = text.find("}", i)
            end = len(text) if end < 0 else end + 1
            current += text[i:end]
            i = end
            continue
        if text[i] == ":" and len(parts) < 5:
            parts.append(current)
            current = ""
        else:
            current += text[i]
        i += 1
    parts.append(current)
    return parts


def parse(text: str) -> Arn | None:
    """The six parts of an ARN, or None when `text` is not `arn:` followed by five more parts."""
    parts = split(text)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return Arn(*parts[1:])


def ses_identity(text: str) -> str | None:
    """The identity name (address or domain, maybe a pattern) of an SES identity ARN, else None."""
    arn = parse(text)
    if arn is None or arn.service != "ses" or not arn.resource.startswith("identity/"):
        return None
    return arn.resource[len("identity/"):]


@lru_cache(maxsize=4096)   # the same ARNs recur in every request of a batch
def account_of(text: str) -> str | None:
    """The account part of an ARN; None when it has none (S3) or `text` is no ARN."""
    arn = parse(text)
    return arn.account or None if arn is not None else None


def identity_policy_applies(attached: str | None, arn: str, sender: bool) -> bool:
    """Whether an SES identity's sending-authorization policy applies to a request on `arn` ("Sending
    authorization"): `attached` names the identity it is attached to, by ARN or by name, or is None for
    whichever identity the sender uses (`sender`: the request is on the sender's identity)."""
    if attached is None:
        return sender
    return attached == arn or (":identity/" in arn and attached == arn.split(":identity/", 1)[1])


def resource_account(resource: str, given: str | None = None) -> str | None:
    """The account a request's resource belongs to, which decides same- vs cross-account evaluation:
    `given` (a scenario's `request.resource_account`), else the ARN's account when it is a 12-digit id.
    None when unknown (S3 ARNs have none, AWS-managed policy ARNs say `aws`): it counts as the caller's."""
    if given is not None:
        return given
    found = account_of(resource)
    return found if found is not None and ACCOUNT.fullmatch(found) else None


@dataclass(frozen=True)
class Principal:
    """An IAM or STS principal ARN ("IAM identifiers": IAM ARNs; "AWS JSON policy elements: Principal").

    `kind` is root, user, role, assumed-role, federated-user or other; `name` is the user's or role's
    name without its path (for an assumed-role session, its role's), or the federated user's name."""

    partition: str
    service: str
    account: str
    kind: str
    name: str | None


@lru_cache(maxsize=4096)   # the same principals recur in every request of a batch
def principal(text: str) -> Principal | None:
    """The principal an `arn:PARTITION:iam|sts::ACCOUNT:...` ARN names; None for any other text."""
    arn = parse(text)
    if (arn is None or not arn.partition or arn.service not in ("iam", "sts") or arn.region
            or not ACCOUNT.fullmatch(arn.account)):
        return None
    kind, _, rest = arn.resource.partition("/")
    name: str | None = None
    if arn.service == "iam" and arn.resource == "root":
        kind = "root"
    elif arn.service == "iam" and kind in ("user", "role") and rest:
        name = rest.rsplit("/", 1)[1] if "/" in rest else rest
    elif arn.service == "sts" and kind == "assumed-role" and rest.count("/") >= 1:
        name = rest.split("/", 1)[0]
    elif arn.service == "sts" and kind == "federated-user" and rest:
        name = rest
    else:
        kind = "other"
    return Principal(arn.partition, arn.service, arn.account, kind, name)


def partition_of(region: str) -> str:
    """The partition that holds `region`; `aws` for a region no pattern knows, as botocore does."""
    for name, rx in _REGIONS:
        if rx.match(region):
            return name
    return "aws"
