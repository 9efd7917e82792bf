"""seslint.aws.Reader against a moto server (real HTTP) and a stub that injects AWS errors."""

from __future__ import annotations

import pytest

from seslint.aws import Connection, Reader, parse_principal, verified_identity
from seslint.errors import InputError, SeslintError, UnknownNameError

from .conftest import ACCOUNT, allow, deny

SEND = allow("ses:SendEmail")
OLD = allow("ses:*")


def reader(url, **kw):
    return Reader(Connection(endpoint_url=url, region="us-east-1", **kw))


def test_role_inline_attached_default_version_and_boundary(moto):
    managed = moto.policy("send", OLD, versions=[(SEND,)])
    boundary = moto.policy("boundary", allow("ses:Send*"))
    moto.role("ci", inline=[(deny("ses:SendRawEmail"),)], attached=[managed], boundary=boundary)
    details = reader(moto.url).principal("role", "ci")
    (role,) = details["RoleDetailList"]
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/ci"
    assert role["RolePolicyList"] == [{"PolicyName": "ci-inline-0", "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [deny("ses:SendRawEmail")]}}]
    assert role["AttachedManagedPolicies"] == [{"PolicyName": "send", "PolicyArn": managed}]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary
    policies = {p["Arn"]: p for p in details["Policies"]}
    assert set(policies) == {managed, boundary}
    (version,) = policies[managed]["PolicyVersionList"]
    assert version["VersionId"] == "v2" and version["Document"]["Statement"] == [SEND]
    assert details["UserDetailList"] == [] and details["GroupDetailList"] == []


def test_user_with_groups(moto):
    managed = moto.policy("group-send", SEND)
    moto.group("senders", inline=[(allow("ses:SendRawEmail"),)], attached=[managed])
    moto.group("empty")
    moto.user("app", inline=[(allow("ses:SendTemplatedEmail"),)], groups=["senders", "empty"])
    details = reader(moto.url).principal("user", f"arn:aws:iam::{ACCOUNT}:user/app")
    (user,) = details["UserDetailList"]
    assert sorted(user["GroupList"]) == ["empty", "senders"]
    groups = {g["GroupName"]: g for g in details["GroupDetailList"]}
    assert groups["senders"]["GroupPolicyList"][0]["PolicyDocument"]["Statement"] == [allow("ses:SendRawEmail")]
    assert groups["senders"]["AttachedManagedPolicies"] == [{"PolicyName": "group-send", "PolicyArn": managed}]
    assert [p["Arn"] for p in details["Policies"]] == [managed]


def test_many_attached_policies_are_paginated(moto):
    """IAM lists at most 100 attached policies a page (ListAttachedRolePolicies, MaxItems): 101 need two pages."""
    arns = [moto.policy(f"p{i:03}", allow(f"ses:Get{i}")) for i in range(101)]
    moto.role("many", attached=arns)
    assert moto.iam.list_attached_role_policies(RoleName="many")["IsTruncated"]
    assert sorted(p["Arn"] for p in reader(moto.url).principal("role", "many")["Policies"]) == sorted(arns)


def test_unknown_role_is_unknown_name(moto):
    with pytest.raises(UnknownNameError, match=f"unknown role 'ghost' in account {ACCOUNT}"):
        reader(moto.url).principal("role", "ghost")


def test_arn_of_another_account(moto):
    with pytest.raises(SeslintError, match="in account 999999999999, but the credentials are for account"):
        reader(moto.url).principal("role", "arn:aws:iam::999999999999:role/ci")


@pytest.mark.parametrize(("kind", "value", "expected"), [
    ("role", "ci", ("ci", None)),
    ("role", "arn:aws:iam::111122223333:role/ci", ("ci", "111122223333")),
    ("role", "arn:aws:iam::111122223333:role/path/to/ci", ("ci", "111122223333")),
    ("role", "arn:aws:sts::111122223333:assumed-role/ci/session-1", ("ci", "111122223333")),
    ("user", "arn:aws-cn:iam::111122223333:user/app", ("app", "111122223333")),
])
def test_parse_principal(kind, value, expected):
    assert parse_principal(kind, value) == expected


@pytest.mark.parametrize(("kind", "value", "message"), [
    ("role", "arn:aws:iam::111122223333:user/app", "is a user arn, not a role"),
    ("user", "arn:aws:s3:::bucket", "neither a user name nor an iam user arn"),
    ("role", "path/ci", "neither a role name"),
])
def test_parse_principal_rejects(kind, value, message):
    with pytest.raises(InputError, match=message):
        parse_principal(kind, value)


def test_verified_identity_is_the_most_specific_verified_candidate():
    candidates = ["a@mail.example.com", "mail.example.com", "example.com"]
    assert verified_identity(candidates, {"example.com": "SUCCESS", "mail.example.com": "PENDING"}) == "example.com"
    assert verified_identity(candidates, {"a@mail.example.com": "SUCCESS", "example.com": "SUCCESS"}) == candidates[0]
    assert verified_identity(candidates, {"other.com": "SUCCESS"}) is None


def test_identity_policies_v2(moto):
    arn = moto.identity("example.com", cross=[allow("ses:SendEmail")])
    moto.identity("other.example")
    policies = reader(moto.url).identity_policies(["noreply@example.com", "example.com", "other.example"])
    assert policies == {arn: {"cross": {"Version": "2012-10-17", "Statement": [allow("ses:SendEmail")]}}}


def test_identity_policies_fall_back_to_v1_when_v2_is_denied(stub):
    stub.json_error("GetEmailIdentityPolicies", "AccessDeniedException", status=403)
    stub.answer("ListIdentityPolicies", 200, V1_LIST)
    stub.answer("GetIdentityPolicies", 200, V1_GET)
    policies = reader(stub.url).identity_policies(["example.com"])
    assert policies == {f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/example.com": {"p1": {"Statement": []}}}
    assert stub.seen[-3:] == ["GetEmailIdentityPolicies", "ListIdentityPolicies", "GetIdentityPolicies"]


def test_identity_policies_fall_back_to_v1_when_v2_is_not_implemented(stub):
    stub.json_error("GetEmailIdentityPolicies", "InternalFailure", "not yet implemented", status=501, times=2)
    stub.answer("ListIdentityPolicies", 200, V1_LIST.replace("<member>p1</member>", ""))
    assert reader(stub.url).identity_policies(["example.com"]) == {}


def test_identity_policies_denied_on_both_apis(stub):
    stub.json_error("GetEmailIdentityPolicies", "AccessDeniedException", status=403)
    stub.query_error("ListIdentityPolicies", "AccessDenied", status=403)
    with pytest.raises(SeslintError) as caught:
        reader(stub.url).identity_policies(["example.com"])
    assert str(caught.value) == (
        "access denied calling ses:GetEmailIdentityPolicies: seslint needs ses:GetEmailIdentityPolicies on "
        f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/example.com (or ses:ListIdentityPolicies and ses:GetIdentityPolicies)")


def test_access_denied_names_the_permission(stub, moto):
    moto.role("ci")
    stub.query_error("ListAttachedRolePolicies", "AccessDenied", "User: x is not authorized", status=403)
    with pytest.raises(SeslintError) as caught:
        reader(stub.url).principal("role", "ci")
    assert str(caught.value) == ("access denied calling iam:ListAttachedRolePolicies: seslint needs "
                                 f"iam:ListAttachedRolePolicies on arn:aws:iam::{ACCOUNT}:role/ci")
    assert "read-only policy that `seslint generate seslint-reader` prints" in caught.value.help


def test_throttling_is_retried_then_reported(stub, moto):
    moto.role("ci")
    stub.query_error("GetRole", "Throttling", "Rate exceeded", times=2)
    with pytest.raises(SeslintError, match=r"^aws throttled iam:GetRole after 2 attempt\(s\)$"):
        reader(stub.url).principal("role", "ci")
    assert stub.seen.count("GetRole") == 2


def test_throttling_once_then_success(stub, moto):
    moto.role("ci")
    stub.query_error("GetRole", "Throttling", "Rate exceeded")
    assert reader(stub.url).principal("role", "ci")["RoleDetailList"][0]["RoleName"] == "ci"


def test_bad_credentials(stub):
    stub.query_error("GetCallerIdentity", "InvalidClientTokenId", "The security token is invalid", status=403)
    with pytest.raises(SeslintError, match=r"aws rejected the credentials calling sts:GetCallerIdentity"):
        reader(stub.url).principal("role", "ci")


def test_unreachable_endpoint(aws_env):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(SeslintError, match=rf"^cannot reach http://127.0.0.1:{port} calling sts:GetCallerIdentity$"):
        reader(f"http://127.0.0.1:{port}").principal("role", "ci")


def test_no_credentials(aws_env, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(SeslintError, match="^no aws credentials found$"):
        reader("http://127.0.0.1:9").principal("role", "ci")


def test_unknown_profile(aws_env):
    with pytest.raises(SeslintError, match="^aws profile 'nope' not found$"):
        reader("http://127.0.0.1:9", profile="nope")


def test_profile_from_shared_credentials(moto, tmp_path, monkeypatch):
    (tmp_path / "aws-credentials").write_text("[audit]\naws_access_key_id = a\naws_secret_access_key = b\n")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    moto.role("ci")
    assert reader(moto.url, profile="audit").principal("role", "ci")["RoleDetailList"][0]["RoleName"] == "ci"


def test_no_region_for_ses(aws_env, monkeypatch, moto):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(SeslintError, match="^no aws region configured$"):
        Reader(Connection(endpoint_url=moto.url)).identities()


def test_authorization_details_merges_pages(stub, moto):
    moto.role("one")
    moto.role("two")
    first = AUTH_PAGE.format(truncated="true", marker="<Marker>m1</Marker>", name="zero")
    stub.answer("GetAccountAuthorizationDetails", 200, first)
    details = reader(stub.url).authorization_details()
    assert sorted(r["RoleName"] for r in details["RoleDetailList"]) == ["one", "two", "zero"]
    assert stub.seen.count("GetAccountAuthorizationDetails") == 2
    assert isinstance(details["RoleDetailList"][0]["CreateDate"], str)


def test_identities(moto):
    moto.identity("b.example")
    moto.identity("a@a.example")
    assert reader(moto.url).identities() == ["a@a.example", "b.example"]


V1_LIST = ('<ListIdentityPoliciesResponse><ListIdentityPoliciesResult><PolicyNames><member>p1</member>'
           '</PolicyNames></ListIdentityPoliciesResult></ListIdentityPoliciesResponse>')
V1_GET = ('<GetIdentityPoliciesResponse><GetIdentityPoliciesResult><Policies><entry><key>p1</key>'
          '<value>{"Statement": []}</value></entry></Policies></GetIdentityPoliciesResult></GetIdentityPoliciesResponse>')
AUTH_PAGE = ('<GetAccountAuthorizationDetailsResponse><GetAccountAuthorizationDetailsResult>'
             '<IsTruncated>{truncated}</IsTruncated>{marker}<RoleDetailList><member><RoleName>{name}</RoleName>'
             '<Arn>arn:aws:iam::123456789012:role/{name}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate>'
             '</member></RoleDetailList></GetAccountAuthorizationDetailsResult></GetAccountAuthorizationDetailsResponse>')


def test_user_permission_boundary(stub, moto):
    """moto neither stores nor returns a user's boundary, so the stub answers GetUser as IAM does."""
    boundary = moto.policy("user-boundary", allow("ses:SendEmail"))
    moto.user("app")
    stub.answer("GetUser", 200, GET_USER.format(boundary=boundary))
    details = reader(stub.url).principal("user", "app")
    assert details["UserDetailList"][0]["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary
    assert [p["Arn"] for p in details["Policies"]] == [boundary]


GET_USER = ('<GetUserResponse><GetUserResult><User><Path>/</Path><UserName>app</UserName><UserId>AIDAX</UserId>'
            f'<Arn>arn:aws:iam::{ACCOUNT}:user/app</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate>'
            '<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType>'
            '<PermissionsBoundaryArn>{boundary}</PermissionsBoundaryArn></PermissionsBoundary>'
            '</User></GetUserResult></GetUserResponse>')


@pytest.mark.parametrize("value", [
    {"Statement": []}, '{"Statement": []}', "%7B%22Statement%22%3A%20%5B%5D%7D",
])
def test_policy_documents_as_object_json_or_url_encoded(value):
    from seslint.aws import _document

    assert _document(value, "x") == {"Statement": []}


def test_broken_identity_policy_is_an_input_error():
    from seslint.aws import _document

    with pytest.raises(InputError, match="^p:1:17: invalid JSON: trailing comma"):
        _document('{"Statement": [],}', "p")
