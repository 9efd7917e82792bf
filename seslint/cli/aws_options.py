"""`--role/--user/--profile/--region/--endpoint-url`: a live principal instead of files.

`aws_options()` adds the flags to a command and hands it one `aws` argument: None when no
AWS flag is given, else a `LiveSource` that fetches the principal and the SES identities'
sending-authorization policies, and returns them as the same inputs the `--auth-details FILE
--principal NAME` path takes (identity policies, permission boundary, resource policies).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from seslint.aws import Connection

_FLAGS = ("aws_role", "aws_user", "aws_profile", "aws_endpoint_url", "aws_region")


def _endpoint_url(_ctx, _param, value: str | None) -> str | None:
    """botocore needs a scheme and a host; say so before it raises deep inside a call."""
    from urllib.parse import urlsplit

    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise click.BadParameter(f"'{value}' is not an http:// or https:// URL (e.g. http://{value})"
                                 if "://" not in value else f"'{value}' is not an http:// or https:// URL")
    return value


def connection_options(*, region: bool = True):
    """--profile, --endpoint-url and (unless the command has its own) --region."""
    def decorate(f):
        if region:
            f = click.option("--region", "aws_region", metavar="REGION",
                             help="AWS region (default: the profile's or AWS_REGION).")(f)
        f = click.option("--endpoint-url", "aws_endpoint_url", metavar="URL", callback=_endpoint_url,
                         help="Talk to this endpoint (LocalStack, moto, another emulator) instead of AWS.")(f)
        return click.option("--profile", "aws_profile", metavar="NAME", help="AWS profile for credentials.")(f)
    return decorate


def aws_options(*, region: bool = True, conflicts: tuple[str, ...] = ()):
    """Add --role/--user and the connection flags; the command receives `aws` (LiveSource|None).

    `region=False` for a command whose own --region (parameter `region`) names the SES region;
    `conflicts` are parameters that cannot be combined with --role/--user."""
    def decorate(f):
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            values = {name: kwargs.pop(name, None) for name in _FLAGS}
            kwargs["aws"] = _source(values, kwargs.get("region"), conflicts, kwargs)
            return f(*args, **kwargs)

        wrapper = connection_options(region=region)(wrapper)
        wrapper = click.option("--user", "aws_user", metavar="NAME|ARN",
                               help="Fetch this IAM user's policies from AWS (with its groups).")(wrapper)
        return click.option("--role", "aws_role", metavar="NAME|ARN",
                            help="Fetch this IAM role's policies from AWS.")(wrapper)
    return decorate


def _source(values: dict, command_region, conflicts, kwargs) -> LiveSource | None:
    role, user = values["aws_role"], values["aws_user"]
    connection_flags = [n for n in ("aws_profile", "aws_endpoint_url", "aws_region") if values[n]]
    if not role and not user:
        if connection_flags:
            flag = "--" + connection_flags[0][4:].replace("_", "-")
            raise click.UsageError(f"{flag} needs --role or --user")
        return None
    if role and user:
        raise click.UsageError("give --role or --user, not both")
    for name in conflicts:
        if kwargs.get(name):
            raise click.UsageError(f"--role/--user cannot be combined with --{name.replace('_', '-')}")
    from seslint.aws import Connection  # only here: commands without AWS flags start without it

    conn = Connection(values["aws_profile"], values["aws_region"] or command_region, values["aws_endpoint_url"])
    return LiveSource(conn, "role" if role else "user", role or user)


@dataclass
class LiveSource:
    """A user or role read from AWS; fetched once, on first use."""

    conn: Connection
    kind: str
    value: str
    _reader: object = field(default=None, repr=False)
    _principal: object = field(default=None, repr=False)

    @property
    def reader(self):
        from seslint.aws import Reader

        if self._reader is None:
            self._reader = Reader(self.conn)
        return self._reader

    def principal(self):
        """The principal as `seslint.evaluate.authdetails.Principal` (policies, boundary, arn)."""
        if self._principal is None:
            from seslint.audit import label_policies
            from seslint.evaluate.authdetails import load_auth_details

            details = self.reader.principal(self.kind, self.value)
            entry = (details["UserDetailList"] or details["RoleDetailList"])[0]
            found = load_auth_details(details, f"aws {self.kind} {entry['Arn']}").principal(entry["Arn"])
            self._principal = label_policies(found, details)
        return self._principal

    def identity_policies(self, identities, *, region: str, account: str) -> dict:
        """{identity arn: [PolicyDoc]}: the sending-authorization policies of `identities` in
        `region` of `account` (identities without policies left out)."""
        from seslint.evaluate.sending import PolicyDoc

        docs = self._reader_for(region, account).identity_policies(identities)
        return {arn: [PolicyDoc(doc, f"{arn} sending authorization policy '{name}'") for name, doc in ds.items()]
                for arn, ds in docs.items()}

    def identity_status(self, *, region: str, account: str) -> dict[str, str]:
        """{identity name: verification status} of the SES identities in `region` of `account`."""
        return self._reader_for(region, account).identity_status()

    def in_sandbox(self, *, region: str, account: str) -> bool:
        return self._reader_for(region, account).in_sandbox()

    def _reader_for(self, region: str, account: str):
        from seslint.aws import Connection, Reader
        from seslint.errors import SeslintError

        reader = self.reader
        if region != reader.session.region_name:
            reader = Reader(Connection(self.conn.profile, region, self.conn.endpoint_url))
        if account != reader.account:
            raise SeslintError(f"the SES identities are in account {account}, but the credentials are for account "
                               f"{reader.account}: seslint cannot read them",
                               help="pass --profile for the identities' account, or give --identity-policy FILE")
        return reader

    def apply(self, scenario) -> None:
        """Add the principal's policies, its boundary, and (for an SES identity resource) the
        identity's sending-authorization policies to a flags-built scenario."""
        from seslint.evaluate.scenario import PolicyCache

        found = self.principal()
        cache = PolicyCache()
        policies = scenario.policies
        policies.identity += [cache.get(d.value, d.source, d.pointer, "identity") for d in found.identity_policies]
        if found.permission_boundary is not None:
            if policies.boundary is not None:
                raise click.UsageError(f"--boundary: the {self.kind} has its own permissions boundary")
            d = found.permission_boundary
            policies.boundary = cache.get(d.value, d.source, d.pointer, "boundary")
        from seslint.core.arn import parse

        arn = parse(scenario.request.resource)
        if arn is not None and arn.service == "ses" and arn.resource.startswith("identity/"):
            docs = self.identity_policies([arn.resource[len("identity/"):]], region=arn.region, account=arn.account)
            policies.resources += [cache.get(d.value, d.source, d.pointer, "resource")
                                   for ds in docs.values() for d in ds]
