"""The size of a policy as IAM counts it against its quotas.

"IAM and AWS STS quotas" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html),
section "IAM and STS character limits": "IAM doesn't count white space when calculating the size of a
policy against these limits" (inline policies) and "... against this limit" (managed policies). The
page does not limit this to white space between JSON tokens, so none is counted, inside strings
either. White space here is what a policy document may hold of it (same page, "IAM name
requirements": tab, line feed, carriage return, and space from the U+0020-U+00FF range).
"""

from __future__ import annotations

import json

_WHITE_SPACE = str.maketrans("", "", " \t\n\r")

# Each kind of policy's quota in characters, white space not counted, and its name: the same page
# ("IAM and STS character limits"), "Quotas in Amazon SES" (identity policies) and "Quotas for AWS
# Organizations" (service control policies).
QUOTAS = {"managed": (6144, "a managed policy"), "role-inline": (10240, "a role's inline policies"),
          "user-inline": (2048, "a user's inline policies"), "group-inline": (5120, "a group's inline policies"),
          "ses-identity-policy": (4096, "an SES identity policy"), "scp": (5120, "a service control policy")}


def policy_size(policy: object) -> int:
    """Characters of `policy` (a JSON value) that count against IAM's policy size quotas."""
    return len(json.dumps(policy, ensure_ascii=False).translate(_WHITE_SPACE))
