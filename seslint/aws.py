"""Read a principal's policies and SES sending-authorization policies from AWS, read-only.

Everything comes back as an IAM *authorization-details* document (the shape of
`aws iam get-account-authorization-details`), so the live path and the `--auth-details FILE`
path feed the same loader. boto3 is imported only here, and only when AWS is called.

Errors become one-line `SeslintError`s that name the IAM permission seslint lacked; the
read-only policy seslint needs is `READER_ACTIONS` (also the recipe `seslint-reader`).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

from seslint.core.arn import principal, split
from seslint.core.decode import decode_document
from seslint.errors import InputError, SeslintError, UnknownNameError

#: Every AWS permission seslint uses (sts:GetCallerIdentity needs none). Resource "*": these
#: are reads, and ses:GetIdentityPolicies ignores resource ARNs.
READER_ACTIONS = (
    "iam:GetAccountAuthorizationDetails",
    "iam:GetGroupPolicy",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:GetUser",
    "iam:GetUserPolicy",
    "iam:ListAttachedGroupPolicies",
    "iam:ListAttachedRolePolicies",
    "iam:ListAttachedUserPolicies",
    "iam:ListGroupPolicies",
    "iam:ListGroupsForUser",
    "iam:ListRolePolicies",
    "iam:ListUserPolicies",
    "iam:SimulatePrincipalPolicy",
    "ses:GetAccount",
    "ses:GetAccountSendingEnabled",
    "ses:GetEmailIdentityPolicies",
    "ses:GetIdentityPolicies",
    "ses:ListEmailIdentities",
    "ses:ListIdentityPolicies",
)

ACCESS_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}
THROTTLED = {"Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException",
             "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException", "SlowDown"}
BAD_CREDENTIALS = {"InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException", "SignatureDoesNotMatch",
                   "UnrecognizedClientException", "InvalidAccessKeyId", "InvalidToken"}
NOT_FOUND = {"NoSuchEntity", "NotFoundException", "NoSuchEntityException"}
#: What an endpoint answers for an operation it does not implement: try the SES v1 API instead.
UNSUPPORTED = {"NotImplemented", "InvalidAction", "UnknownOperationException", "UnknownOperation",
               "InternalFailure", "InternalError", "500", "501", "404"}

class AwsError(SeslintError):
    """An AWS call that failed; `code` is AWS's error code ("" for transport errors)."""

    def __init__(self, message: str, *, code: str = "", help: str | None = None):
        super().__init__(message, help=help)
        self.code = code


@dataclass(frozen=True)
class Connection:
    """How to reach AWS: the standard credential chain, optionally a profile, region and endpoint."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None


@dataclass(frozen=True)
class AccountStatus:
    """What SES says of the account in one region; None where the endpoint cannot tell (`why` says why)."""

    sandbox: bool | None
    sending_enabled: bool | None
    why: str | None = None


def chosen_region(conn: Connection) -> str | None:
    """The region the AWS CLI would use: --region, then AWS_REGION, then AWS_DEFAULT_REGION and the
    profile's `region` (botocore reads those two itself, not AWS_REGION)."""
    return conn.region or os.environ.get("AWS_REGION") or None


class Reader:
    """Read-only AWS access for one seslint run: one boto3 session, its clients, and every
    call's errors translated. Retries are botocore's standard mode (AWS_MAX_ATTEMPTS applies)."""

    def __init__(self, conn: Connection):
        import boto3
        import botocore.exceptions as bx
        from botocore.config import Config
        from botocore.parsers import ResponseParserError

        self.bx = bx
        self.parser_error = ResponseParserError   # an answer that is not AWS's (an emulator's HTML page)
        self.conn = conn
        try:
            self.session = boto3.Session(profile_name=conn.profile, region_name=chosen_region(conn))
        except bx.ProfileNotFound:
            raise SeslintError(f"aws profile '{conn.profile}' not found",
                               help="list profiles with `aws configure list-profiles`") from None
        self.config = Config(retries={"mode": "standard"}, connect_timeout=10, read_timeout=60,
                             user_agent_extra="seslint")
        self.clients: dict = {}
        self.caller: tuple[str, str] | None = None

    # -- plumbing -------------------------------------------------------------------------

    @property
    def region(self) -> str:
        if not self.session.region_name:
            raise SeslintError("no aws region configured",
                               help="pass --region, set AWS_REGION or AWS_DEFAULT_REGION, or give the profile a region")
        return self.session.region_name

    def client(self, service: str):
        if service not in self.clients:
            global_service = service in ("iam", "sts")
            region = (self.session.region_name or "us-east-1") if global_service else self.region
            self.clients[service] = self.session.client(service, region_name=region, config=self.config,
                                                        endpoint_url=self.conn.endpoint_url)
        return self.clients[service]

    def call(self, service: str, operation: str, resource: str, **params):
        """Call one operation; `resource` is the ARN an access-denied message names."""
        method = getattr(self.client(service), _snake(operation))
        try:
            return method(**params)
        except (self.bx.BotoCoreError, self.bx.ClientError, self.parser_error) as exc:
            raise self.translate(exc, service, operation, resource) from None

    def pages(self, service: str, operation: str, resource: str, **params):
        """Every page of a paginated operation."""
        paginator = self.client(service).get_paginator(_snake(operation))
        try:
            yield from paginator.paginate(**params)
        except (self.bx.BotoCoreError, self.bx.ClientError, self.parser_error) as exc:
            raise self.translate(exc, service, operation, resource) from None

    def translate(self, exc: Exception, service: str, operation: str, resource: str) -> AwsError:
        """A botocore exception as a one-line error that names the permission or the cause."""
        bx = self.bx
        action = f"{'ses' if service in ('ses', 'sesv2') else service}:{operation}"
        endpoint = self.conn.endpoint_url or f"the {service} endpoint"
        if isinstance(exc, bx.NoCredentialsError):
            return AwsError("no aws credentials found",
                            help="configure the standard credential chain (AWS_PROFILE, ~/.aws), or pass --profile")
        if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectTimeoutError)):
            return AwsError(f"cannot reach {endpoint} calling {action}",
                            help="check --endpoint-url, --region and the network")
        if isinstance(exc, bx.ReadTimeoutError):
            return AwsError(f"{endpoint} did not answer calling {action}")
        if isinstance(exc, self.parser_error):
            return AwsError(f"{endpoint} gave no AWS answer calling {action} (it does not implement it?)",
                            code="InternalFailure")
        if not isinstance(exc, bx.ClientError):
            return AwsError(f"aws call {action} failed: {' '.join(str(exc).split())}")
        error = exc.response.get("Error", {})
        meta = exc.response.get("ResponseMetadata", {})
        code = str(error.get("Code") or meta.get("HTTPStatusCode", ""))
        if code in ACCESS_DENIED:
            return AwsError(f"access denied calling {action}: seslint needs {action} on {resource}", code=code,
                            help="grant seslint the read-only policy that `seslint generate seslint-reader` prints")
        if code in THROTTLED:
            return AwsError(f"aws throttled {action} after {meta.get('RetryAttempts', 0) + 1} attempt(s)",
                            code=code, help="retry later, or allow more retries with AWS_MAX_ATTEMPTS")
        if code in BAD_CREDENTIALS:
            return AwsError(f"aws rejected the credentials calling {action} ({code})", code=code,
                            help="refresh the credentials or pass another --profile")
        message = " ".join(str(error.get("Message") or "").split())
        if "<html" in message.lower() or "<!doctype" in message.lower():
            message = "an HTML page, not an AWS error: the endpoint does not implement it?"
        return AwsError(f"aws error calling {action}: {code}" + (f": {message}" if message else ""), code=code)

    @property
    def account(self) -> str:
        return self._caller()[1]

    @property
    def partition(self) -> str:
        return self._caller()[0]

    def _caller(self) -> tuple[str, str]:
        if self.caller is None:
            arn = split(self.call("sts", "GetCallerIdentity", "*")["Arn"])
            self.caller = (arn[1], arn[4])
        return self.caller

    # -- IAM ------------------------------------------------------------------------------

    def principal(self, kind: str, value: str) -> dict:
        """An authorization-details document holding one user or role, its groups and every
        managed policy they use (default version only), the permission boundary included."""
        name, account = parse_principal(kind, value)
        if account is not None and account != self.account:
            raise SeslintError(f"{kind} '{value}' is in account {account}, but the credentials are for "
                               f"account {self.account}", help="pass a --profile for that account")
        Kind = kind.capitalize()
        arn = f"arn:{self.partition}:iam::{self.account}:{kind}/{name}"
        try:
            entity = self.call("iam", f"Get{Kind}", arn, **{f"{Kind}Name": name})[Kind]
        except AwsError as exc:
            if exc.code in NOT_FOUND:
                raise UnknownNameError(f"unknown {kind} '{value}' in account {self.account}",
                                       help="check the name, --profile and --endpoint-url") from None
            raise
        arn = entity["Arn"]
        detail = {f"{Kind}Name": name, "Arn": arn, "Path": entity.get("Path", "/"), f"{Kind}Id": entity.get(f"{Kind}Id"),
                  f"{Kind}PolicyList": self._inline(kind, name, arn),
                  "AttachedManagedPolicies": self._attached(kind, name, arn)}
        if entity.get("PermissionsBoundary"):
            detail["PermissionsBoundary"] = entity["PermissionsBoundary"]
        groups = []
        if kind == "user":
            groups = [g for page in self.pages("iam", "ListGroupsForUser", arn, UserName=name) for g in page["Groups"]]
            detail["GroupList"] = [g["GroupName"] for g in groups]
        group_details = [{"GroupName": g["GroupName"], "Arn": g["Arn"], "GroupId": g.get("GroupId"),
                          "GroupPolicyList": self._inline("group", g["GroupName"], g["Arn"]),
                          "AttachedManagedPolicies": self._attached("group", g["GroupName"], g["Arn"])}
                         for g in groups]
        managed = {p["PolicyArn"] for d in [detail, *group_details] for p in d["AttachedManagedPolicies"]}
        if detail.get("PermissionsBoundary"):
            managed.add(detail["PermissionsBoundary"]["PermissionsBoundaryArn"])
        return {"UserDetailList": [detail] if kind == "user" else [],
                "RoleDetailList": [detail] if kind == "role" else [],
                "GroupDetailList": group_details,
                "Policies": [self._managed(p) for p in sorted(managed)]}

    def _inline(self, kind: str, name: str, arn: str) -> list[dict]:
        Kind = kind.capitalize()
        names = [n for page in self.pages("iam", f"List{Kind}Policies", arn, **{f"{Kind}Name": name})
                 for n in page["PolicyNames"]]
        out = []
        for policy in names:
            doc = self.call("iam", f"Get{Kind}Policy", arn, **{f"{Kind}Name": name, "PolicyName": policy})
            out.append({"PolicyName": policy,
                        "PolicyDocument": _document(doc["PolicyDocument"], f"{arn} inline policy '{policy}'")})
        return out

    def _attached(self, kind: str, name: str, arn: str) -> list[dict]:
        Kind = kind.capitalize()
        return [{"PolicyName": p["PolicyName"], "PolicyArn": p["PolicyArn"]}
                for page in self.pages("iam", f"ListAttached{Kind}Policies", arn, **{f"{Kind}Name": name})
                for p in page["AttachedPolicies"]]

    def _managed(self, arn: str) -> dict:
        """A managed policy with only its default version, as authorization details list it."""
        policy = self.call("iam", "GetPolicy", arn, PolicyArn=arn)["Policy"]
        version = policy["DefaultVersionId"]
        doc = self.call("iam", "GetPolicyVersion", arn, PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
        return {"PolicyName": policy["PolicyName"], "Arn": arn, "Path": policy.get("Path", "/"),
                "DefaultVersionId": version,
                "PolicyVersionList": [{"VersionId": version, "IsDefaultVersion": True,
                                       "Document": _document(doc, f"{arn} version {version}")}]}

    def authorization_details(self) -> dict:
        """`iam:GetAccountAuthorizationDetails`, every page merged, dates as ISO strings."""
        merged: dict[str, list] = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
        for page in self.pages("iam", "GetAccountAuthorizationDetails", "*"):
            for key, items in merged.items():
                items.extend(page.get(key, []))
        return json.loads(json.dumps(merged, default=lambda value: value.isoformat()))

    # -- SES ------------------------------------------------------------------------------

    def identity_arn(self, identity: str) -> str:
        return f"arn:{self.partition}:ses:{self.region}:{self.account}:identity/{identity}"

    def identities(self) -> list[str]:
        """Every SES identity (address or domain) in the region (SES v2 ListEmailIdentities)."""
        return sorted(self.identity_status())

    def identity_status(self) -> dict[str, str]:
        """{identity name: verification status} of every SES identity in the region."""
        out: dict[str, str] = {}
        token: dict[str, str] = {}
        while True:  # botocore has no paginator for this operation
            page = self.call("sesv2", "ListEmailIdentities", "*", **token)
            for i in page.get("EmailIdentities", []):
                out[i["IdentityName"].lower()] = i.get("VerificationStatus", "")
            if not page.get("NextToken"):
                return out
            token = {"NextToken": page["NextToken"]}

    def account_status(self) -> AccountStatus:
        """Whether the account is in the SES sandbox and may send in the region (SES v2 GetAccount;
        where the endpoint lacks it, SES v1 GetAccountSendingEnabled for the second)."""
        try:
            account = self.call("sesv2", "GetAccount", "*")
            return AccountStatus(not account.get("ProductionAccessEnabled", False),
                                 bool(account.get("SendingEnabled", True)))
        except AwsError as exc:
            if exc.code not in UNSUPPORTED:
                raise
            why = f"{self.conn.endpoint_url or 'the endpoint'} does not answer ses:GetAccount ({exc.code})"
        try:
            enabled = self.call("ses", "GetAccountSendingEnabled", "*").get("Enabled", True)
        except AwsError as exc:
            if exc.code not in UNSUPPORTED:
                raise
            enabled = None
        return AccountStatus(None, enabled, why)

    def simulate(self, principal_arn: str, action: str, resource: str, context: dict,
                 resource_policy: dict | None = None, caller_arn: str | None = None) -> str:
        """IAM's own answer (iam:SimulatePrincipalPolicy): allowed, explicitDeny or implicitDeny."""
        entries = [{"ContextKeyName": key, "ContextKeyType": "stringList" if isinstance(value, list) else "string",
                    "ContextKeyValues": [str(v) for v in value] if isinstance(value, list) else [str(value)]}
                   for key, value in sorted(context.items())]
        params: dict = {"PolicySourceArn": principal_arn, "ActionNames": [action], "ResourceArns": [resource],
                        "ContextEntries": entries}
        if resource_policy is not None:
            params["ResourcePolicy"] = json.dumps(resource_policy)
            if caller_arn:
                params["CallerArn"] = caller_arn
        results = self.call("iam", "SimulatePrincipalPolicy", principal_arn, **params)["EvaluationResults"]
        return str(results[0]["EvalDecision"])

    def identity_policies(self, identities) -> dict[str, dict[str, dict]]:
        """Sending-authorization policies: {identity arn: {policy name: document}}, identities
        without policies (or that do not exist in the region) left out."""
        out = {}
        for identity in sorted(set(identities)):
            arn = self.identity_arn(identity)
            policies = self._identity_policies(identity, arn)
            if policies:
                out[arn] = {name: _document(text, f"{arn} policy '{name}'") for name, text in sorted(policies.items())}
        return out

    def _identity_policies(self, identity: str, arn: str) -> dict[str, str]:
        """SES v2 GetEmailIdentityPolicies; SES v1 where the endpoint lacks v2 or seslint may only call v1."""
        try:
            return self.call("sesv2", "GetEmailIdentityPolicies", arn, EmailIdentity=identity).get("Policies", {})
        except AwsError as v2_error:
            if v2_error.code in NOT_FOUND:
                return {}
            if v2_error.code not in ACCESS_DENIED | UNSUPPORTED:
                raise
            try:
                names = self.call("ses", "ListIdentityPolicies", arn, Identity=identity)["PolicyNames"]
                if not names:
                    return {}
                return self.call("ses", "GetIdentityPolicies", arn, Identity=identity, PolicyNames=names)["Policies"]
            except AwsError as v1_error:
                if v2_error.code in ACCESS_DENIED and v1_error.code in ACCESS_DENIED:
                    raise AwsError(f"{v2_error.message} (or ses:ListIdentityPolicies and ses:GetIdentityPolicies)",
                                   code=v2_error.code, help=v2_error.help) from None
                raise


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def parse_principal(kind: str, value: str) -> tuple[str, str | None]:
    """(name, account or None) from a user or role NAME or ARN; an assumed-role ARN names its role."""
    arn = principal(value)
    if arn is None or arn.kind not in ("user", "role", "assumed-role"):
        if value.startswith("arn:") or "/" in value or not value:
            raise InputError(f"'{value}' is neither a {kind} name nor an iam {kind} arn",
                             help=f"pass a name (ci) or an arn (arn:aws:iam::111122223333:{kind}/ci)")
        return value, None
    found = "role" if arn.kind == "assumed-role" else arn.kind
    if found != kind or arn.name is None:
        raise InputError(f"'{value}' is a {found} arn, not a {kind}", help=f"use --{found}")
    return arn.name, arn.account


def _document(value, source: str):
    """A policy document as a value: IAM may send it URL-encoded, SES sends a JSON string."""
    if isinstance(value, str):
        from seslint.jsondoc import loads

        return loads(decode_document(value), source).value
    return value


def verified_identity(candidates, status: dict[str, str]) -> str | None:
    """The identity SES uses among `candidates` (most specific first): the first one verified."""
    return next((c for c in candidates if status.get(c.lower()) == "SUCCESS"), None)
