"""A moto server on 127.0.0.1 (real HTTP; boto3 is not patched), a stub proxy in front of it
that answers chosen operations with chosen errors, and helpers that build an account in it."""

from __future__ import annotations

import json
import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

ACCOUNT = "123456789012"


@pytest.fixture(scope="session")
def moto_url(tmp_path_factory):
    """Start one moto server for the session on a free port; stop it at the end."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(monkeypatch, tmp_path):
    """Fake credentials in the environment, and no shared config from the machine."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")


@pytest.fixture
def moto(moto_url, aws_env):
    """A clean moto account for one test: the endpoint URL and boto3 clients bound to it."""
    import boto3

    urllib.request.urlopen(urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST")).read()
    return Account(moto_url, lambda service: boto3.client(service, endpoint_url=moto_url, region_name="us-east-1"))


class Account:
    """Builds users, roles, groups, policies and SES identities in moto through boto3."""

    def __init__(self, url, client):
        self.url = url
        self.iam = client("iam")
        self.sesv2 = client("sesv2")

    def policy(self, name, *statements, versions=()):
        """A managed policy; `versions` adds later versions, the last one becoming the default."""
        arn = self.iam.create_policy(PolicyName=name, PolicyDocument=doc(*statements))["Policy"]["Arn"]
        for version in versions:
            self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(*version), SetAsDefault=True)
        return arn

    def role(self, name, *, inline=(), attached=(), boundary=None):
        extra = {"PermissionsBoundary": boundary} if boundary else {}
        self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST), **extra)
        for i, statements in enumerate(inline):
            self.iam.put_role_policy(RoleName=name, PolicyName=f"{name}-inline-{i}", PolicyDocument=doc(*statements))
        for arn in attached:
            self.iam.attach_role_policy(RoleName=name, PolicyArn=arn)
        return f"arn:aws:iam::{ACCOUNT}:role/{name}"

    def user(self, name, *, inline=(), attached=(), groups=()):
        self.iam.create_user(UserName=name)
        for i, statements in enumerate(inline):
            self.iam.put_user_policy(UserName=name, PolicyName=f"{name}-inline-{i}", PolicyDocument=doc(*statements))
        for arn in attached:
            self.iam.attach_user_policy(UserName=name, PolicyArn=arn)
        for group in groups:
            self.iam.add_user_to_group(GroupName=group, UserName=name)
        return f"arn:aws:iam::{ACCOUNT}:user/{name}"

    def group(self, name, *, inline=(), attached=()):
        self.iam.create_group(GroupName=name)
        for i, statements in enumerate(inline):
            self.iam.put_group_policy(GroupName=name, PolicyName=f"{name}-inline-{i}", PolicyDocument=doc(*statements))
        for arn in attached:
            self.iam.attach_group_policy(GroupName=name, PolicyArn=arn)

    def identity(self, name, **policies):
        self.sesv2.create_email_identity(EmailIdentity=name)
        for policy_name, statements in policies.items():
            self.sesv2.create_email_identity_policy(EmailIdentity=name, PolicyName=policy_name,
                                                    Policy=doc(*statements))
        return f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/{name}"


TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **condition):
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def deny(action, resource="*", **condition):
    return {**allow(action, resource, **condition), "Effect": "Deny"}


@pytest.fixture
def stub(moto):
    """An HTTP proxy in front of moto: `stub.answer(operation, status, body, ...)` queues canned
    answers for an operation; every other request goes through to moto unchanged."""
    proxy = Stub(moto.url)
    yield proxy
    proxy.close()


class Stub:
    def __init__(self, upstream):
        self.upstream = upstream
        self.queued: dict[str, list[tuple[int, dict, bytes]]] = {}
        self.seen: list[str] = []
        handler = type("Handler", (_Handler,), {"stub": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def answer(self, operation, status, body, *, times=1, headers=None):
        """Answer the next `times` calls of `operation` with this response."""
        payload = body.encode() if isinstance(body, str) else body
        self.queued.setdefault(operation, []).extend([(status, headers or {"Content-Type": "text/xml"}, payload)] * times)

    def query_error(self, operation, code, message="", *, status=400, times=1):
        """An error as the query protocol (IAM, SES v1, STS) sends it."""
        self.answer(operation, status, QUERY_ERROR.format(code=code, message=message), times=times)

    def json_error(self, operation, code, message="", *, status=400, times=1):
        """An error as the REST-JSON protocol (SES v2) sends it."""
        self.answer(operation, status, json.dumps({"message": message}), times=times,
                    headers={"Content-Type": "application/json", "x-amzn-ErrorType": code})

    def close(self):
        self.server.shutdown()
        self.server.server_close()


QUERY_ERROR = ('<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>'
               '</Error><RequestId>stub</RequestId></ErrorResponse>')


class _Handler(BaseHTTPRequestHandler):
    stub: Stub

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def do_PUT(self):
        self.handle_any()

    def handle_any(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        operation = self.operation(body)
        self.stub.seen.append(operation)
        queued = self.stub.queued.get(operation)
        if queued:
            status, headers, payload = queued.pop(0)
        else:
            status, headers, payload = self.forward(body)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def operation(self, body: bytes) -> str:
        """The API operation: the query protocol's Action, or SES v2's REST route."""
        action = urllib.parse.parse_qs(body.decode(errors="replace")).get("Action")
        if action:
            return action[0]
        path = urllib.parse.urlparse(self.path).path
        if path == "/v2/email/list-identities":   # botocore's newer route for the same operation
            return "ListEmailIdentities"
        if path.startswith("/v2/email/identities"):
            if path.endswith("/policies"):
                return "GetEmailIdentityPolicies"
            return "ListEmailIdentities" if path.rstrip("/") == "/v2/email/identities" else "GetEmailIdentity"
        return f"{self.command} {path}"

    def forward(self, body: bytes):
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        request = urllib.request.Request(self.stub.upstream + self.path, data=body or None,
                                         headers=headers, method=self.command)
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, _keep(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, _keep(error.headers), error.read()


def _keep(headers) -> dict:
    return {k: v for k, v in headers.items() if k.lower() not in ("content-length", "transfer-encoding", "connection")}
