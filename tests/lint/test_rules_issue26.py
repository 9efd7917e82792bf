"""SES068 (aws:SourceIp with a private network), one row per behaviour."""

import pytest

from tests.lint.conftest import write


def policy(effect, operator, networks):
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": effect, "Action": "ses:SendRawEmail", "Resource": "*",
         "Condition": {operator: {"aws:SourceIp": networks}}}]}


@pytest.mark.parametrize(("document", "severity", "says"), [
    (policy("Allow", "IpAddress", "10.0.0.0/8"), "error", "this statement allows nothing"),
    (policy("Allow", "IpAddress", "172.20.0.0/16"), "error", "this statement allows nothing"),
    (policy("Allow", "IpAddress", "192.168.1.7"), "error", "this statement allows nothing"),
    (policy("Deny", "NotIpAddress", ["10.0.0.0/16", "192.168.0.0/24"]), "error", "applies to every request"),
    (policy("Deny", "NotIpAddressIfExists", "10.0.0.0/16"), "error", "applies to every request"),
    (policy("Deny", "IpAddress", "10.0.0.0/16"), "error", "this Deny never applies"),
    (policy("Allow", "NotIpAddress", "10.0.0.0/16"), "error", "the network excludes nothing"),
    (policy("Allow", "IpAddress", ["198.51.100.0/24", "10.0.0.0/16"]), "warning", "no request matches"),
    (policy("Allow", "IpAddressIfExists", "10.0.0.0/16"), None, ""),   # holds through a VPC endpoint
    (policy("Allow", "IpAddress", "172.32.0.0/16"), None, ""),         # just outside 172.16.0.0/12
    (policy("Allow", "IpAddress", "100.64.0.0/10"), None, ""),         # shared address space, not RFC 1918
    (policy("Allow", "IpAddress", "0.0.0.0/0"), None, ""),             # contains private networks, is not one
])
def test_source_ip_private_network(document, severity, says, tmp_path, lint_json):
    _, _, findings = lint_json(write(tmp_path / "p.json", document))
    found = [f for f in findings if f["rule"] == "SES068"]
    assert [f["severity"] for f in found] == ([severity] if severity else [])
    assert all(says in f["message"] and "aws:VpcSourceIp" in f["message"] for f in found)
