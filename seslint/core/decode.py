"""Policy documents that arrive as text: JSON, or JSON URL-encoded.

IAM returns policy documents URL-encoded: "The policy document returned in this structure is
URL-encoded compliant with RFC 3986" (IAM API Reference, PolicyVersion, PolicyDetail, and
GetRolePolicy: https://docs.aws.amazon.com/IAM/latest/APIReference/API_PolicyVersion.html).
`aws iam get-account-authorization-details` and Terraform plans may hand them on either way.
A JSON policy is an object, so its encoded form starts with `%7B` (`{`).
"""

from __future__ import annotations

from urllib.parse import unquote


def is_encoded(text: str) -> bool:
    return text.lstrip()[:3].upper() == "%7B"


def decode_document(text: str) -> str:
    """The JSON text of a policy document: URL-decoded when it is URL-encoded, else unchanged (so a
    plain JSON document whose strings hold `%` sequences keeps them)."""
    return unquote(text) if is_encoded(text) else text
