"""`--role/--user/--profile/--region/--endpoint-url`: a live principal instead of files.

`aws_options()` adds the flags to a command and hands it one `aws` argument: None when no
AWS flag is given, else a `seslint.live.LiveSource` that fetches the principal and the SES identities'
sending-authorization policies, and returns them as the same inputs the `--auth-details FILE
--principal NAME` path takes (identity policies, permission boundary, resource policies).
"""

from __future__ import annotations

import functools

import click

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


def _source(values: dict, command_region, conflicts, kwargs):
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
    from seslint.live import LiveSource

    conn = Connection(values["aws_profile"], values["aws_region"] or command_region, values["aws_endpoint_url"])
    return LiveSource(conn, "role" if role else "user", role or user)
