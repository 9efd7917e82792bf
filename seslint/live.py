"""What live AWS knows, for `--role/--user`: a principal's policies (`LiveSource`), and a send completed
with the sandbox status, the verified identity and the identities' sending-authorization policies
(`live_send`). boto3 stays in seslint/aws.py, imported only when AWS is read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from seslint.errors import UsageError

if TYPE_CHECKING:
    from seslint.aws import Connection
    from seslint.sendmodel import Send


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
            from seslint.evaluate.authdetails import label_policies, load_auth_details

            details = self.reader.principal(self.kind, self.value)
            entry = (details["UserDetailList"] or details["RoleDetailList"])[0]
            found = load_auth_details(details, f"aws {self.kind} {entry['Arn']}").principal(entry["Arn"])
            self._principal = label_policies(found, details)
        return self._principal

    def identity_policies(self, identities, *, region: str, account: str) -> dict:
        """{identity arn: [PolicyDoc]}: the sending-authorization policies of `identities` in
        `region` of `account` (identities without policies left out)."""
        from seslint.policy import PolicyDoc

        docs = self._reader_for(region, account).identity_policies(identities)
        return {arn: [PolicyDoc(doc, f"{arn} sending authorization policy '{name}'") for name, doc in ds.items()]
                for arn, ds in docs.items()}

    def identity_status(self, *, region: str, account: str) -> dict[str, str]:
        """{identity name: verification status} of the SES identities in `region` of `account`."""
        return self._reader_for(region, account).identity_status()

    def account_status(self, *, region: str, account: str):
        """`seslint.aws.AccountStatus`: sandbox and paused sending in `region` of `account`."""
        return self._reader_for(region, account).account_status()

    def simulate(self, principal_arn: str, action: str, resource: str, context: dict, **extra) -> str:
        """IAM's own answer for one request (iam:SimulatePrincipalPolicy)."""
        return self.reader.simulate(principal_arn, action, resource, context, **extra)

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
                raise UsageError(f"--boundary: the {self.kind} has its own permissions boundary")
            d = found.permission_boundary
            policies.boundary = cache.get(d.value, d.source, d.pointer, "boundary")
        from seslint.core.arn import parse

        arn = parse(scenario.request.resource)
        if arn is not None and arn.service == "ses" and arn.resource.startswith("identity/"):
            docs = self.identity_policies([arn.resource[len("identity/"):]], region=arn.region, account=arn.account)
            policies.resources += [cache.get(d.value, d.source, d.pointer, "resource")
                                   for ds in docs.values() for d in ds]


@dataclass
class LiveSend:
    """A send completed with what AWS knows, and SES's own refusals that no policy changes."""

    send: Send
    resource_policies: dict
    notes: list = field(default_factory=list)
    rejected: list = field(default_factory=list)          # reasons SES rejects the send whatever IAM says
    sandbox_rejects: list = field(default_factory=list)   # reasons that hold only in the sandbox
    sandbox_unknown: bool = False    # the sandbox status could not be read: evaluate both ways


def live_send(aws, send, resource_policies, sandbox: bool | None) -> LiveSend:
    """The send with what AWS knows: the account's status (sandbox, paused sending), the verified
    identity, the recipients' verification (in the sandbox) and the identities' policies.
    `sandbox` is the --sandbox/--no-sandbox flag (None: read it)."""
    import dataclasses

    from seslint.aws import verified_identity
    from seslint.sendmodel import SIMULATOR_DOMAIN, identity_candidates, parse_address, parse_addresses, plan

    out = LiveSend(send, resource_policies)
    where = {"region": send.region, "account": send.account}
    status = aws.account_status(**where)
    if status.sending_enabled is False:
        out.rejected.append(f"sending paused: SES sending is disabled for account {send.account} in {send.region} "
                            "(GetAccount SendingEnabled is false)")
    if sandbox is None:
        if status.sandbox is None:
            out.sandbox_unknown = True
            out.notes.append(f"live: cannot tell whether the account is in the SES sandbox ({status.why}): "
                             "evaluated both in and out of it; --sandbox or --no-sandbox picks one")
        else:
            sandbox = status.sandbox
            out.notes.append(f"live: the account is {'in' if sandbox else 'out of'} the SES sandbox in {send.region}")
    verified = aws.identity_status(**where)
    if send.source_arn:
        pass  # delegated sending: the owner's identity, in the owner's account
    elif send.identity:
        name = send.identity.rsplit(":identity/", 1)[-1].lower()
        if verified.get(name) != "SUCCESS":
            out.rejected.append(f"identity not verified: {name} is not a verified SES identity in {send.region}")
    else:
        candidates = identity_candidates(parse_address(send.sender, "from")[1])
        found = verified_identity(candidates, verified)
        if found:
            send = dataclasses.replace(send, identity=found)
            out.notes.append(f"live: SES uses the verified identity {found}")
        else:
            out.rejected.append(f"identity not verified: none of {', '.join(candidates)} is a verified SES identity "
                                f"in {send.region}")
    recipients = [a for values in (send.to, send.cc, send.bcc) for _, a in parse_addresses(values, "to")]
    for rcpt in dict.fromkeys(recipients):
        if not rcpt.endswith("@" + SIMULATOR_DOMAIN) and not verified_identity(identity_candidates(rcpt), verified):
            out.sandbox_rejects.append(f"recipient not verified: {rcpt} is not a verified SES identity, and the "
                                       f"account is in the SES sandbox in {send.region}")
    if sandbox:
        out.rejected += out.sandbox_rejects
    out.send = dataclasses.replace(send, sandbox=bool(sandbox))
    if "*" not in resource_policies:
        planned = plan(dataclasses.replace(out.send, sandbox=bool(sandbox) or out.sandbox_unknown))
        own = [r.resource for r in planned.requests
               if r.role in ("address identity", "domain identity", "return-path identity")]
        names = sorted({arn.split(":identity/", 1)[1] for arn in own if arn.split(":")[4] == send.account})
        if any(arn.split(":")[4] != send.account for arn in own if ":identity/" in arn):
            raise UsageError("live, seslint reads only the sending account's identities: give the owner's "
                             "policy with --identity-policy FILE")
        out.resource_policies = aws.identity_policies(names, **where)
    return out


def live_can_send(aws, send, identity_policies, *, principal_arn: str, permission_boundary=None,
                  resource_policies: dict | None = None, scps=None, sandbox: bool | None = None,
                  cross_check: bool = False):
    """can-send for a principal read from AWS, answered as SES would: the IAM requests, then SES's own
    refusals (identity not verified, sending paused, an unverified recipient in the sandbox). When the
    sandbox status cannot be read, both readings are evaluated and `sandbox_readings` holds both answers.
    Returns the result and the sending authorization policies read."""
    import dataclasses

    from seslint.cansend import check_send

    live = live_send(aws, send, dict(resource_policies or {}), sandbox)

    def run(s, rejected):
        result = check_send(s, identity_policies, principal_arn=principal_arn, scps=scps,
                            permission_boundary=permission_boundary, resource_policies=live.resource_policies)
        result.rejected = list(rejected)
        return result

    result = run(live.send, live.rejected)
    if live.sandbox_unknown:
        inside = run(dataclasses.replace(live.send, sandbox=True), live.rejected + live.sandbox_rejects)
        readings = {"in the sandbox": inside.decision, "out of the sandbox": result.decision}
        if inside.decision != result.decision:
            result = inside
            live.notes.append("the answer depends on the sandbox: " + "; ".join(f"{k}: {v}" for k, v in readings.items())
                              + "".join(f"; {reason}" for reason in live.sandbox_rejects))
        else:
            live.notes.append(f"the same answer in and out of the sandbox: {result.decision}")
        result.sandbox_readings = readings
    result.notes[:0] = live.notes
    if cross_check:
        result.cross_check = cross_check_requests(aws, result, principal_arn, live.resource_policies)
    return result, live.resource_policies


#: What IAM's simulator cannot judge (IAM User Guide, "Testing IAM policies with the IAM policy simulator";
#: IAM API Reference, SimulatePrincipalPolicy: CallerArn "can only be an IAM user").
ROLE_RESOURCE_POLICY = ("IAM's simulator evaluates a resource-based policy only with an IAM user as the caller: "
                        "it cannot speak for a request the identity's sending authorization policy takes part in")


def cross_check_requests(aws, result, principal_arn: str, resource_policies: dict) -> list[dict]:
    """Each request of `result` asked again of IAM's own simulator (iam:SimulatePrincipalPolicy), with
    seslint's answer beside it; `agree` is None where the simulator cannot speak (`why`)."""
    from seslint.core.arn import principal

    caller = principal(principal_arn)
    user = caller is not None and caller.kind == "user"
    out = []
    for r in result.requests:
        entry = {"action": r.action, "resource": r.resource, "checks": r.role, "seslint": r.result.decision}
        policies = []
        if ":identity/" in r.resource:
            name = r.resource.split(":identity/", 1)[1]
            policies = [d for key in (r.resource, name, "*") for d in resource_policies.get(key, [])
                        if key != "*" or r.role != "recipient identity"]
        if policies and not user:
            out.append({**entry, "iam": None, "agree": None, "why": ROLE_RESOURCE_POLICY})
            continue
        resource = None
        if policies:
            resource = {"Version": "2012-10-17", "Statement": [
                st for d in policies for st in _statements(getattr(d, "value", d))]}
        answer = aws.simulate(principal_arn, r.action, r.resource, r.context, resource_policy=resource,
                              caller_arn=principal_arn if policies else None)
        out.append({**entry, "iam": answer, "agree": answer == r.result.decision})
    return out


def _statements(doc) -> list:
    statements = doc.get("Statement", []) if isinstance(doc, dict) else []
    return statements if isinstance(statements, list) else [statements]
