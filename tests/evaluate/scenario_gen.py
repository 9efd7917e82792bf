"""Random valid SES scenarios (the scenario-file form of the README), for differential testing.

`scenarios(seed, count)` yields scenario dicts, the same ones for the same seed. They cover every
policy type (identity, resource, boundary, session, SCP levels), every condition operator
family with the IfExists and ForAllValues/ForAnyValue modifiers, policy variables (with values,
without, with defaults, in Resource and in conditions) and recipient lists that are absent,
empty, all-internal, all-external or mixed. Every line carries its own policies: Sids and
domains are drawn per line, so no two policies repeat (the "unique" benchmark).
"""

from __future__ import annotations

import random

ACCOUNT, OTHER = "111122223333", "444455556666"
REGIONS = ["us-east-1", "eu-west-1"]
DOMAINS = ["example.com", "shop.example.com", "mail.example.org"]
RECIPIENTS = ["success@simulator.amazonses.com", "bounce@simulator.amazonses.com", "customer@gmail.com",
              "ops@example.com", "boss@example.org", "a.b@outlook.com"]
SEND_ACTIONS = ["ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail"]
OTHER_ACTIONS = ["ses:GetAccount", "ses:ListIdentities", "ses:CreateEmailIdentity", "ses:GetEmailIdentity"]


def scenarios(seed: int, count: int, unique: bool = True):
    """`count` scenarios from `seed`; with unique=False the policies come from a small fixed pool."""
    rng = random.Random(seed)
    for i in range(count):
        if unique:
            yield scenario(rng, i, rng)
        else:
            pool = rng.randrange(40)
            yield scenario(random.Random(pool), i, rng, pool)


def scenario(prng: random.Random, i: int, rng: random.Random, pool: int | None = None) -> dict:
    """One scenario: `prng` draws the principal, resource and policies, `rng` the request context (so a
    pool of 40 policy sets, `pool` naming one, still meets varied requests)."""
    request_rng, rng = rng, prng
    domain = rng.choice(DOMAINS)
    region = rng.choice(REGIONS)
    cross = rng.random() < 0.15
    account = OTHER if cross else ACCOUNT
    principal = _principal(rng, account, domain)
    action = rng.choice(SEND_ACTIONS if rng.random() < 0.85 else OTHER_ACTIONS)
    if action in SEND_ACTIONS:
        resource = rng.choice([f"arn:aws:ses:{region}:{ACCOUNT}:identity/{domain}",
                               f"arn:aws:ses:{region}:{ACCOUNT}:identity/noreply@{domain}",
                               f"arn:aws:ses:{region}:{ACCOUNT}:configuration-set/transactional",
                               f"arn:aws:ses:{region}:{ACCOUNT}:template/welcome"])
    elif action in ("ses:GetEmailIdentity", "ses:CreateEmailIdentity"):
        resource = f"arn:aws:ses:{region}:{ACCOUNT}:identity/{domain}"
    else:
        resource = "*"
    context = _context(request_rng, action, region)
    ctx = _Ctx(prng, domain, region, action, resource, principal, i if pool is None else pool)
    out = {"id": f"s{i}", "principal": principal,
           "identity_policies": [ctx.policy() for _ in range(prng.randint(1, 3))],
           "request": {"action": action, "resource": resource, "context": context}}
    if prng.random() < 0.25:
        out["permission_boundary"] = ctx.policy(loose=True)
    if prng.random() < 0.15 and principal["arn"].startswith("arn:aws:sts"):
        out["session_policies"] = [ctx.policy(loose=True)]
    if prng.random() < 0.3:
        out["scps"] = [{"level": "r-root", "policies": [{"Version": "2012-10-17", "Statement": [
                           {"Effect": "Allow", "Action": "*", "Resource": "*"}]}]},
                       {"level": account, "policies": [ctx.policy(loose=True)]}]
    if cross or prng.random() < 0.2:
        out["resource_policy"] = ctx.resource_policy(account)
    return out


def _principal(rng, account, domain) -> dict:
    kind = rng.random()
    if kind < 0.35:
        arn = f"arn:aws:iam::{account}:role/ci"
    elif kind < 0.65:
        arn = f"arn:aws:sts::{account}:assumed-role/ci/build-{rng.randint(1, 3)}"
    elif kind < 0.95:
        arn = f"arn:aws:iam::{account}:user/alice"
    else:
        arn = f"arn:aws:iam::{account}:root"
    out = {"arn": arn, "account": account}
    if rng.random() < 0.6:
        out["tags"] = {"domain": domain}
    return out


def _context(rng, action, region) -> dict:
    ctx: dict = {"aws:SecureTransport": rng.choice(["true", "false"]),
                 "aws:SourceIp": rng.choice(["203.0.113.9", "198.51.100.4", "2001:db8::1"]),
                 "aws:CurrentTime": rng.choice(["2026-01-15T10:00:00Z", "2031-06-01T00:00:00Z"]),
                 "aws:EpochTime": rng.choice(["1768471200", "1956528000"]),
                 "aws:RequestedRegion": region if rng.random() < 0.8 else "us-west-2",
                 "aws:MultiFactorAuthAge": rng.choice(["30", "7200"])}
    if action in SEND_ACTIONS:
        ctx["ses:FromAddress"] = rng.choice(["noreply@example.com", "ceo@shop.example.com", "x@other.com"])
        ctx["ses:ApiVersion"] = rng.choice(["1", "2"])
        if rng.random() < 0.5:
            ctx["ses:FromDisplayName"] = rng.choice(["", "Shop", "Ops Team"])
        shape = rng.random()
        if shape < 0.1:
            pass                                     # absent
        elif shape < 0.2:
            ctx["ses:Recipients"] = []               # present but empty
        else:
            ctx["ses:Recipients"] = rng.sample(RECIPIENTS, rng.randint(1, 4))
    else:
        ctx["ses:ApiVersion"] = "2"
    if rng.random() < 0.2:
        del ctx["aws:SourceIp"]
    return ctx


# (operator family, key, candidate policy values); values may hold policy variables.
_CONDITIONS = [
    ("String", "ses:FromAddress", ["noreply@example.com", "*@example.com", "${aws:username}@example.com",
                                   "noreply@${aws:PrincipalTag/domain}", "*@${aws:PrincipalTag/team, 'example.com'}"]),
    ("String", "ses:FromDisplayName", ["Shop", "Ops*", ""]),
    ("String", "ses:ApiVersion", ["2", "1"]),
    ("String", "aws:RequestedRegion", ["us-east-1", "eu-west-1"]),
    ("Set", "ses:Recipients", ["*@simulator.amazonses.com", "*@example.com", "*@example.org", "customer@gmail.com"]),
    ("Arn", "aws:PrincipalArn", [f"arn:aws:iam::{ACCOUNT}:role/ci", "arn:aws:iam::*:role/*", f"arn:aws:iam::{OTHER}:*"]),
    ("Numeric", "aws:MultiFactorAuthAge", ["3600", "60"]),
    ("Date", "aws:CurrentTime", ["2030-01-01T00:00:00Z", "2020-01-01T00:00:00Z"]),
    ("Date", "aws:EpochTime", ["1893456000", "2030-01-01T00:00:00Z"]),
    ("Bool", "aws:SecureTransport", ["true", "false"]),
    ("Ip", "aws:SourceIp", ["203.0.113.0/24", "2001:db8::/32", "198.51.100.4"]),
    ("Null", "ses:Recipients", ["true", "false"]),
    ("Null", "aws:PrincipalTag/domain", ["true", "false"]),
]
_OPERATORS = {
    "String": ["StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "StringEqualsIgnoreCase"],
    "Set": ["StringLike", "StringNotLike", "StringEquals", "StringNotEquals"],
    "Arn": ["ArnLike", "ArnNotLike", "ArnEquals"],
    "Numeric": ["NumericLessThan", "NumericGreaterThanEquals", "NumericNotEquals"],
    "Date": ["DateLessThan", "DateGreaterThan"],
    "Bool": ["Bool"],
    "Ip": ["IpAddress", "NotIpAddress"],
    "Null": ["Null"],
}


class _Ctx:
    """Draws statements that fit one request (so they sometimes apply)."""

    def __init__(self, rng, domain, region, action, resource, principal, i):
        self.rng, self.domain, self.region, self.action, self.resource = rng, domain, region, action, resource
        self.principal, self.i, self.n = principal, i, 0

    def sid(self) -> str:
        self.n += 1
        return f"S{self.i}x{self.n}"

    def policy(self, loose: bool = False) -> dict:
        rng = self.rng
        statements = []
        if loose:
            statements.append({"Sid": self.sid(), "Effect": "Allow", "Action": rng.choice(["ses:*", "*", "ses:Send*"]),
                               "Resource": "*"})
        for _ in range(rng.randint(0 if loose else 1, 2)):
            statements.append(self.statement())
        version = "2008-10-17" if rng.random() < 0.05 else "2012-10-17"
        return {"Version": version, "Statement": statements}

    def statement(self, principal: dict | None = None) -> dict:
        rng = self.rng
        st: dict = {"Sid": self.sid(), "Effect": "Deny" if rng.random() < 0.3 else "Allow"}
        if principal is not None:
            st["Principal"] = principal
        r = rng.random()
        if r < 0.5:
            st["Action"] = rng.choice([self.action, [self.action, "ses:SendRawEmail"], "ses:Send*", "ses:*"])
        elif r < 0.9:
            st["Action"] = rng.sample(SEND_ACTIONS + OTHER_ACTIONS, 2)
        else:
            st["NotAction"] = rng.choice(["ses:Delete*", "iam:*"])
        st["Resource" if rng.random() < 0.9 else "NotResource"] = self.resources()
        if rng.random() < 0.75:
            st["Condition"] = self.condition()
        return st

    def resources(self):
        rng, region, domain = self.rng, self.region, self.domain
        pool = ["*", self.resource if self.resource != "*" else "*",
                f"arn:aws:ses:{region}:{ACCOUNT}:identity/*",
                f"arn:aws:ses:*:{ACCOUNT}:identity/{domain}",
                f"arn:aws:ses:{region}:{ACCOUNT}:identity/${{aws:PrincipalTag/domain}}",
                f"arn:aws:ses:{region}:{ACCOUNT}:configuration-set/*",
                f"arn:aws:ses:{region}:{ACCOUNT}:template/*",
                f"arn:aws:ses:{region}:{OTHER}:identity/*"]
        picked = rng.sample(pool, rng.randint(1, 3))
        return picked[0] if len(picked) == 1 and rng.random() < 0.5 else picked

    def condition(self) -> dict:
        rng = self.rng
        out: dict = {}
        for _ in range(rng.randint(1, 2)):
            family, key, values = rng.choice(_CONDITIONS)
            op = rng.choice(_OPERATORS[family])
            if family == "Set" and rng.random() < 0.95:   # else undefined in IAM: answered only if moot
                op = rng.choice(["ForAllValues:", "ForAnyValue:"]) + op
            if family not in ("Null", "Set") and rng.random() < 0.2:
                op += "IfExists"
            picked = rng.sample(values, rng.randint(1, min(2, len(values))))
            out.setdefault(op, {})[key] = picked[0] if len(picked) == 1 else picked
        return out

    def resource_policy(self, caller_account: str) -> dict:
        rng = self.rng
        arn = self.principal["arn"]
        names = [arn, f"arn:aws:iam::{caller_account}:role/ci", caller_account,
                 f"arn:aws:iam::{caller_account}:root", "*", f"arn:aws:iam::{caller_account}:user/bob"]
        statements = []
        for _ in range(rng.randint(1, 2)):
            picked = rng.sample(names, rng.randint(1, 2))
            statements.append(self.statement({"AWS": picked[0] if len(picked) == 1 else picked}))
        return {"Version": "2012-10-17", "Statement": statements}
