"""What live AWS knows, for `--role/--user`: a principal's policies (`LiveSource`), and a send completed
with the sandbox status, the verified identity and the identities' sending-authorization policies
(`live_send`). boto3 stays in seslint/aws.py, imported only when AWS is read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from seslint.errors import UsageError

if TYPE_CHECKING:
    from seslint.aws import Connection


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
                raise UsageError(f"--boundary: the {self.kind} has its own permissions boundary")
            d = found.permission_boundary
            policies.boundary = cache.get(d.value, d.source, d.pointer, "boundary")
        from seslint.core.arn import parse

        arn = parse(scenario.request.resource)
        if arn is not None and arn.service == "ses" and arn.resource.startswith("identity/"):
            docs = self.identity_policies([arn.resource[len("identity/"):]], region=arn.region, account=arn.account)
            policies.resources += [cache.get(d.value, d.source, d.pointer, "resource")
                                   for ds in docs.values() for d in ds]


def live_send(aws, send, resource_policies, read_sandbox: bool):
    """The send with what AWS knows: the sandbox status, the verified identity, the identity policies."""
    import dataclasses

    from seslint.sendmodel import identity_candidates, parse_address, plan

    notes = []
    where = {"region": send.region, "account": send.account}
    if read_sandbox:
        send = dataclasses.replace(send, sandbox=aws.in_sandbox(**where))
        notes.append(f"live: the account is {'in' if send.sandbox else 'out of'} the SES sandbox in {send.region}")
    if not send.identity and not send.source_arn:
        from seslint.aws import verified_identity

        candidates = identity_candidates(parse_address(send.sender, "from")[1])
        found = verified_identity(candidates, aws.identity_status(**where))
        if found:
            send = dataclasses.replace(send, identity=found)
            notes.append(f"live: SES uses the verified identity {found}")
        else:
            notes.append(f"live: none of {', '.join(candidates)} is a verified identity in {send.region}; "
                         "every one is evaluated")
    if "*" not in resource_policies:
        own = [r.resource for r in plan(send).requests
               if r.role in ("address identity", "domain identity", "return-path identity")]
        names = sorted({arn.split(":identity/", 1)[1] for arn in own if arn.split(":")[4] == send.account})
        if any(arn.split(":")[4] != send.account for arn in own):
            raise UsageError("live, seslint reads only the sending account's identities: give the owner's "
                             "policy with --identity-policy FILE")
        resource_policies = aws.identity_policies(names, **where)
    return send, resource_policies, notes
