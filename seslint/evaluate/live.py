"""A send completed with what live AWS knows (can-send --role/--user): the sandbox status, the
verified identity and the identities' sending-authorization policies. `aws` is the CLI's live
source (seslint.cli.aws_options.LiveSource); boto3 stays in seslint/aws.py."""

from __future__ import annotations

from seslint.errors import UsageError


def live_send(aws, send, resource_policies, read_sandbox: bool):
    """The send with what AWS knows: the sandbox status, the verified identity, the identity policies."""
    import dataclasses

    from seslint.evaluate.sendmodel import identity_candidates, parse_address, plan

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
