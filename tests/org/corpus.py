"""The who-can-send corpus: one organization with seeded escalation paths and near misses.

Each case adds principals to the org and says what `who-can-send` must find: for a path, the hop
kinds of its shortest chain; for a near miss, nothing. Cases are kept apart by naming only their
own principals (no statement of one case reaches another's principals).
"""

from __future__ import annotations

MAIL, APPS, SANDBOX, LOCKED, EXTERNAL = "100000000001", "100000000002", "100000000003", "100000000004", "100000000005"
IDENTITY = f"arn:aws:ses:us-east-1:{MAIL}:identity/example.com"
V = "2012-10-17"


def pol(*statements) -> dict:
    return {"Version": V, "Statement": list(statements)}


def allow(action, resource="*", sid=None, effect="Allow", **condition) -> dict:
    out = {"Effect": effect, "Action": action, "Resource": resource}
    if sid:
        out["Sid"] = sid
    if condition:
        out["Condition"] = condition
    return out


def trust(principal, effect="Allow", action="sts:AssumeRole", **condition) -> dict:
    out = {"Effect": effect, "Principal": principal, "Action": action}
    if condition:
        out["Condition"] = condition
    return pol(out)


def arn(account, kind, name) -> str:
    return f"arn:aws:iam::{account}:{kind}/{name}"


SEND = pol(allow(["ses:SendEmail", "ses:SendRawEmail"], IDENTITY, "Send"))
SMTP = pol(allow("ses:SendRawEmail", IDENTITY, "Smtp"))


class Org:
    def __init__(self):
        self.accounts: dict[str, dict] = {}
        self.expected: dict[str, list[str]] = {}      # principal ARN -> hop kinds
        self.misses: list[str] = []
        self.cut: list[str] = []

    def _account(self, account) -> dict:
        return self.accounts.setdefault(account, {"UserDetailList": [], "RoleDetailList": [], "GroupDetailList": [],
                                                  "Policies": []})

    def role(self, account, name, policy=None, trusted=None, profile=False, boundary=None, managed=()) -> str:
        entry = {"RoleName": name, "Arn": arn(account, "role", name), "Path": "/",
                 "AssumeRolePolicyDocument": trusted or trust({"AWS": f"arn:aws:iam::{account}:root"}),
                 "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": policy}] if policy else [],
                 "AttachedManagedPolicies": [{"PolicyName": m.rsplit("/", 1)[1], "PolicyArn": m} for m in managed],
                 "InstanceProfileList": [{"Arn": arn(account, "instance-profile", name)}] if profile else []}
        if boundary:
            entry["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
        self._account(account)["RoleDetailList"].append(entry)
        return entry["Arn"]

    def user(self, account, name, policy=None, groups=(), managed=()) -> str:
        entry = {"UserName": name, "Arn": arn(account, "user", name), "Path": "/", "GroupList": list(groups),
                 "UserPolicyList": [{"PolicyName": "inline", "PolicyDocument": policy}] if policy else [],
                 "AttachedManagedPolicies": [{"PolicyName": m.rsplit("/", 1)[1], "PolicyArn": m} for m in managed]}
        self._account(account)["UserDetailList"].append(entry)
        return entry["Arn"]

    def group(self, account, name, policy) -> str:
        entry = {"GroupName": name, "Arn": arn(account, "group", name), "Path": "/",
                 "GroupPolicyList": [{"PolicyName": "inline", "PolicyDocument": policy}], "AttachedManagedPolicies": []}
        self._account(account)["GroupDetailList"].append(entry)
        return entry["Arn"]

    def managed(self, account, name, document) -> str:
        policy_arn = f"arn:aws:iam::{account}:policy/{name}"
        self._account(account)["Policies"].append(
            {"PolicyName": name, "Arn": policy_arn, "DefaultVersionId": "v1",
             "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": True, "Document": document}]})
        return policy_arn

    def path(self, principal: str, *kinds: str) -> None:
        self.expected[principal] = list(kinds)

    def miss(self, principal: str) -> None:
        self.misses.append(principal)


def build() -> Org:
    o = Org()
    role, user = o.role, o.user

    # -- seeded paths -----------------------------------------------------------------------
    o.path(role(MAIL, "p01-direct-role", SEND))
    o.path(user(MAIL, "p02-direct-smtp-user", SMTP))
    role(MAIL, "p03-sender", SEND, trust({"AWS": arn(MAIL, "role", "p03-caller")}))
    o.path(role(MAIL, "p03-caller"), "assume-role")   # same account: the trust policy names it
    o.path(role(MAIL, "p04-caller", pol(allow("sts:AssumeRole", arn(MAIL, "role", "p04-sender")))), "assume-role")
    role(MAIL, "p04-sender", SEND)   # trusts its account's root: the caller's own allow is needed, and given
    o.path(role(APPS, "p05-cross", pol(allow("sts:AssumeRole", arn(MAIL, "role", "p05-sender")))), "assume-role")
    role(MAIL, "p05-sender", SEND, trust({"AWS": arn(APPS, "role", "p05-cross")}))
    o.path(role(EXTERNAL, "p06-cross-root", pol(allow("sts:AssumeRole", arn(MAIL, "role", "p06-sender")))), "assume-role")
    role(MAIL, "p06-sender", SEND, trust({"AWS": f"arn:aws:iam::{EXTERNAL}:root"}))
    o.path(role(APPS, "p07-vendor", pol(allow("sts:AssumeRole", arn(MAIL, "role", "p07-sender")))), "assume-role")
    role(MAIL, "p07-sender", SEND, trust({"AWS": arn(APPS, "role", "p07-vendor")},
                                         StringEquals={"sts:ExternalId": "p07-secret"}))
    o.path(user(APPS, "p08-dev", pol(allow("sts:AssumeRole", arn(APPS, "role", "p08-deployer")))),
           "assume-role", "assume-role")
    o.path(role(APPS, "p08-deployer", pol(allow("sts:AssumeRole", arn(MAIL, "role", "p08-sender"))),
                trust({"AWS": arn(APPS, "user", "p08-dev")})), "assume-role")
    role(MAIL, "p08-sender", SEND, trust({"AWS": arn(APPS, "role", "p08-deployer")}))
    o.path(user(EXTERNAL, "p09-contractor", pol(allow("sts:AssumeRole", arn(EXTERNAL, "role", "p09-hop")))),
           "assume-role", "assume-role", "assume-role")
    o.path(role(EXTERNAL, "p09-hop", pol(allow("sts:AssumeRole", arn(APPS, "role", "p09-bridge"))),
                trust({"AWS": arn(EXTERNAL, "user", "p09-contractor")})), "assume-role", "assume-role")
    o.path(role(APPS, "p09-bridge", pol(allow("sts:AssumeRole", arn(MAIL, "role", "p09-sender"))),
                trust({"AWS": arn(EXTERNAL, "role", "p09-hop")})), "assume-role")
    role(MAIL, "p09-sender", SEND, trust({"AWS": arn(APPS, "role", "p09-bridge")}))
    passed = {"iam:PassedToService": "lambda.amazonaws.com"}
    o.path(role(MAIL, "p10-lambda-deployer", pol(
        allow("iam:PassRole", arn(MAIL, "role", "p10-function"), StringEquals=passed),
        allow(["lambda:CreateFunction", "lambda:InvokeFunction"]))), "pass-role")
    role(MAIL, "p10-function", SEND, trust({"Service": "lambda.amazonaws.com"}))
    o.path(role(MAIL, "p11-ecs-deployer", pol(
        allow("iam:PassRole", arn(MAIL, "role", "p11-task")),
        allow(["ecs:RegisterTaskDefinition", "ecs:RunTask"]))), "pass-role")
    role(MAIL, "p11-task", SEND, trust({"Service": "ecs-tasks.amazonaws.com"}))
    o.path(role(MAIL, "p12-ec2-launcher", pol(
        allow("iam:PassRole", arn(MAIL, "role", "p12-instance")), allow("ec2:RunInstances"))), "pass-role")
    role(MAIL, "p12-instance", SEND, trust({"Service": "ec2.amazonaws.com"}), profile=True)
    o.path(user(MAIL, "p13-key-rotator", pol(allow("iam:CreateAccessKey", arn(MAIL, "user", "p13-smtp")))),
           "create-access-key")
    user(MAIL, "p13-smtp", SMTP)
    o.path(role(MAIL, "p14-put-own", pol(allow("iam:PutRolePolicy", arn(MAIL, "role", "p14-put-own")))), "self-edit")
    o.path(role(MAIL, "p15-attach-own", pol(allow("iam:AttachRolePolicy", arn(MAIL, "role", "p15-attach-own"),
                                                  ArnEquals={"iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonSESFullAccess"}))),
           "self-edit")
    p16 = o.managed(MAIL, "p16-app-policy", pol(allow("s3:GetObject")))
    o.path(role(MAIL, "p16-version", pol(allow("iam:CreatePolicyVersion", p16)), managed=[p16]), "self-edit")
    o.path(user(MAIL, "p17-put-own-user", pol(allow("iam:PutUserPolicy", arn(MAIL, "user", "p17-put-own-user")))),
           "self-edit")
    o.path(user(MAIL, "p18-attach-own-user", pol(allow("iam:AttachUserPolicy", arn(MAIL, "user", "p18-attach-own-user")))),
           "self-edit")
    o.group(MAIL, "p19-team", pol(allow("iam:PutGroupPolicy", arn(MAIL, "group", "p19-team"))))
    o.path(user(MAIL, "p19-member", groups=["p19-team"]), "self-edit")
    o.path(role(APPS, "p20-ci", pol(allow("sts:AssumeRole", arn(MAIL, "role", "p20-deployer")))),
           "assume-role", "pass-role")
    o.path(role(MAIL, "p20-deployer", pol(allow("iam:PassRole", arn(MAIL, "role", "p20-function")),
                                          allow(["lambda:CreateFunction", "lambda:InvokeFunction"])),
                trust({"AWS": arn(APPS, "role", "p20-ci")})), "pass-role")
    role(MAIL, "p20-function", SEND, trust({"Service": "lambda.amazonaws.com"}))
    o.path(role(APPS, "p21-ops", pol(allow("sts:AssumeRole", arn(MAIL, "role", "p21-keys")))),
           "assume-role", "create-access-key")
    o.path(role(MAIL, "p21-keys", pol(allow("iam:CreateAccessKey", arn(MAIL, "user", "p21-smtp"))),
                trust({"AWS": arn(APPS, "role", "p21-ops")})), "create-access-key")
    user(MAIL, "p21-smtp", SMTP)
    o.path(user(APPS, "p22-admin", pol(allow("sts:AssumeRole", arn(MAIL, "role", "p22-tuner")))),
           "assume-role", "self-edit")
    o.path(role(MAIL, "p22-tuner", pol(allow("iam:PutRolePolicy", arn(MAIL, "role", "p22-tuner"))),
                trust({"AWS": arn(APPS, "user", "p22-admin")})), "self-edit")
    # a chain of six hops: its first link is past the bound of five, the second is on it
    chain = [f"p23-link{i}" for i in range(1, 7)]
    for i, name in enumerate(chain):
        nxt = arn(EXTERNAL, "role", chain[i + 1]) if i + 1 < len(chain) else arn(MAIL, "role", "p23-sender")
        caller = arn(EXTERNAL, "role", chain[i - 1]) if i else f"arn:aws:iam::{EXTERNAL}:root"
        role(EXTERNAL, name, pol(allow("sts:AssumeRole", nxt)), trust({"AWS": caller}))
    role(MAIL, "p23-sender", SEND, trust({"AWS": arn(EXTERNAL, "role", chain[-1])}))
    o.cut.append(arn(EXTERNAL, "role", chain[0]))
    for j, name in enumerate(chain[1:], 1):
        o.path(arn(EXTERNAL, "role", name), *["assume-role"] * (len(chain) - j))

    # -- near misses ------------------------------------------------------------------------
    o.miss(role(MAIL, "n01-not-trusted", pol(allow("sts:AssumeRole", arn(MAIL, "role", "n01-sender")))))
    role(MAIL, "n01-sender", SEND, trust({"AWS": arn(MAIL, "role", "someone-else")}))
    o.miss(role(APPS, "n02-other-role", pol(allow("sts:AssumeRole", arn(MAIL, "role", "n02-sender")))))
    role(MAIL, "n02-sender", SEND, trust({"AWS": arn(APPS, "role", "n02-named")}))
    o.miss(role(APPS, "n02-named"))   # named by the trust policy, but its own policies allow no AssumeRole
    o.miss(role(SANDBOX, "n03-scp-denied", pol(allow("sts:AssumeRole", arn(MAIL, "role", "n03-sender")))))
    role(MAIL, "n03-sender", SEND, trust({"AWS": arn(SANDBOX, "role", "n03-scp-denied")}))
    o.miss(role(APPS, "n04-wrong-external-id", pol(allow("sts:AssumeRole", arn(MAIL, "role", "n04-sender"),
                                                         StringEquals={"sts:ExternalId": "not-the-one"}))))
    role(MAIL, "n04-sender", SEND, trust({"AWS": arn(APPS, "role", "n04-wrong-external-id")},
                                         StringEquals={"sts:ExternalId": "n04-secret"}))
    o.miss(role(MAIL, "n05-passrole-other", pol(allow("iam:PassRole", arn(MAIL, "role", "n05-unrelated")),
                                               allow(["lambda:CreateFunction", "lambda:InvokeFunction"]))))
    role(MAIL, "n05-function", SEND, trust({"Service": "lambda.amazonaws.com"}))
    role(MAIL, "n05-unrelated", None, trust({"Service": "lambda.amazonaws.com"}))
    o.miss(role(MAIL, "n06-passrole-wrong-service", pol(
        allow("iam:PassRole", arn(MAIL, "role", "n06-function"), StringEquals={"iam:PassedToService": "ec2.amazonaws.com"}),
        allow(["lambda:CreateFunction", "lambda:InvokeFunction", "ec2:RunInstances"]))))
    role(MAIL, "n06-function", SEND, trust({"Service": "lambda.amazonaws.com"}))
    o.miss(role(MAIL, "n07-no-create-function", pol(allow("iam:PassRole", arn(MAIL, "role", "n07-function")),
                                                   allow("lambda:InvokeFunction"))))
    role(MAIL, "n07-function", SEND, trust({"Service": "lambda.amazonaws.com"}))
    o.miss(role(MAIL, "n08-no-instance-profile", pol(allow("iam:PassRole", arn(MAIL, "role", "n08-instance")),
                                                    allow("ec2:RunInstances"))))
    role(MAIL, "n08-instance", SEND, trust({"Service": "ec2.amazonaws.com"}))
    o.miss(user(MAIL, "n09-key-for-other", pol(allow("iam:CreateAccessKey", arn(MAIL, "user", "n09-quiet")))))
    user(MAIL, "n09-quiet", pol(allow("s3:GetObject")))
    o.miss(user(MAIL, "n10-key-denied", pol(allow("iam:CreateAccessKey", arn(MAIL, "user", "n10-smtp")),
                                           allow("iam:CreateAccessKey", "*", effect="Deny"))))
    user(MAIL, "n10-smtp", SMTP)
    o.miss(role(MAIL, "n11-put-other", pol(allow("iam:PutRolePolicy", arn(MAIL, "role", "n11-target")))))
    role(MAIL, "n11-target", None, trust({"AWS": arn(MAIL, "role", "nobody")}))
    o.miss(arn(MAIL, "role", "n11-target"))
    o.miss(role(MAIL, "n12-attach-readonly", pol(allow("iam:AttachRolePolicy", arn(MAIL, "role", "n12-attach-readonly"),
                                                      ArnEquals={"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}))))
    n13 = o.managed(MAIL, "n13-not-mine", pol(allow("s3:GetObject")))
    o.miss(role(MAIL, "n13-version-unattached", pol(allow("iam:CreatePolicyVersion", n13))))
    boundary = o.managed(MAIL, "n14-boundary", pol(allow(["iam:PutRolePolicy", "s3:*"])))
    o.miss(role(MAIL, "n14-bounded", pol(allow("iam:PutRolePolicy", arn(MAIL, "role", "n14-bounded"))), boundary=boundary))
    # would write itself sts:AssumeRole for a role that trusts its account, but its OU's SCP denies iam:Put*
    o.miss(role(LOCKED, "n15-scp-no-iam-writes", pol(allow("iam:PutRolePolicy", arn(LOCKED, "role", "n15-scp-no-iam-writes")))))
    role(MAIL, "n15-sender", SEND, trust({"AWS": f"arn:aws:iam::{LOCKED}:root"}))
    o.miss(role(MAIL, "n16-other-domain", pol(allow("ses:SendEmail", f"arn:aws:ses:us-east-1:{MAIL}:identity/other.com"))))
    # Address identities keep the case of their domain (a@EXAMPLE.COM is an identity of its own, which a
    # pattern on *@example.com does not name): denying every address identity closes that route too.
    o.miss(role(MAIL, "n17-denied-domain", pol(allow("ses:SendEmail"), allow("ses:*", IDENTITY, effect="Deny"),
                                               allow("ses:*", "arn:aws:ses:*:*:identity/*@*", effect="Deny"))))
    o.miss(role(APPS, "n18-trust-denies", pol(allow("sts:AssumeRole", arn(MAIL, "role", "n18-sender")))))
    role(MAIL, "n18-sender", SEND, pol(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{APPS}:root"}, "Action": "sts:AssumeRole"},
        {"Effect": "Deny", "Principal": {"AWS": arn(APPS, "role", "n18-trust-denies")}, "Action": "sts:AssumeRole"}))
    o.miss(role(APPS, "n19-no-mfa", pol(allow("sts:AssumeRole", arn(MAIL, "role", "n19-sender")))))
    role(MAIL, "n19-sender", SEND, trust({"AWS": arn(APPS, "role", "n19-no-mfa")},
                                         Bool={"aws:MultiFactorAuthPresent": "true"}))
    o.miss(user(APPS, "n20-broken-chain", pol(allow("sts:AssumeRole", arn(APPS, "role", "n20-middle")))))
    role(APPS, "n20-middle", pol(allow("sts:AssumeRole", arn(MAIL, "role", "n20-sender"))),
         trust({"AWS": arn(APPS, "user", "someone-else")}))
    role(MAIL, "n20-sender", SEND, trust({"AWS": arn(APPS, "role", "n20-middle")}))
    o.path(arn(APPS, "role", "n20-middle"), "assume-role")
    o.miss(role(APPS, "n21-sends-elsewhere", pol(allow("ses:SendEmail"))))   # its own account's identity, not MAIL's
    o.miss(role(MAIL, "n22-simulator-identity", pol(allow(
        "ses:SendEmail", f"arn:aws:ses:us-east-1:{MAIL}:identity/simulator.amazonses.com"))))
    # every principal of MAIL whose own policy is a send grant sends directly (the cases' senders)
    for entry in o.accounts[MAIL]["RoleDetailList"] + o.accounts[MAIL]["UserDetailList"]:
        policies = [p["PolicyDocument"] for p in entry.get("RolePolicyList", entry.get("UserPolicyList", []))]
        if policies and all(p in (SEND, SMTP) for p in policies):
            o.expected.setdefault(entry["Arn"], [])
    return o


def scp_tree() -> dict:
    full = {"name": "FullAWSAccess", "document": pol(allow("*"))}
    no_assume = {"name": "NoAssumeRole", "document": pol(allow("sts:AssumeRole", effect="Deny"))}
    no_iam_writes = {"name": "NoIamWrites", "document": pol(allow(["iam:Put*", "iam:Attach*", "iam:Create*"],
                                                                  effect="Deny"))}
    return {"version": 1, "root": {"name": "Root", "policies": [full], "children": [
        {"name": "Workloads", "policies": [full], "children": [
            {"account": a, "policies": [full]} for a in (MAIL, APPS, EXTERNAL)]},
        {"name": "Sandbox", "policies": [full, no_assume], "children": [{"account": SANDBOX, "policies": [full]}]},
        {"name": "Locked", "policies": [full, no_iam_writes], "children": [{"account": LOCKED, "policies": [full]}]},
    ]}}
