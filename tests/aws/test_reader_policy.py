"""The read-only policy in docs/audit.md is exactly what seslint.aws calls, and it evaluates as it says."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import seslint.aws
from seslint.aws import READER_ACTIONS

ROOT = Path(__file__).resolve().parents[2]


def readme_policy() -> dict:
    section = re.search(r"<!-- section: aws -->(.*?)<!-- /section: aws -->", (ROOT / "docs" / "audit.md").read_text(), re.S)
    return json.loads(re.search(r"```json\n(.*?)```", section[1], re.S)[1])


def test_readme_policy_is_reader_actions():
    actions = [a for st in readme_policy()["Statement"] for a in st["Action"]]
    assert sorted(actions) == sorted(READER_ACTIONS)
    assert all(st["Effect"] == "Allow" and st["Resource"] == "*" for st in readme_policy()["Statement"])


def test_every_operation_seslint_calls_is_in_the_policy():
    source = Path(seslint.aws.__file__).read_text()
    called = set(re.findall(r'"(?:iam|ses|sesv2)", f?"([A-Z][A-Za-z{}]+)"', source))
    expanded = set()
    for op in called:
        kinds = ("Role", "User", "Group") if "{Kind}" in op else ("",)
        expanded |= {op.replace("{Kind}", k) for k in kinds}
    names = {a.split(":")[1] for a in READER_ACTIONS}
    assert expanded - {"GetGroup"} == names   # Get{Kind} is called for roles and users only


@pytest.mark.parametrize(("action", "allowed"), [
    ("iam:GetRole", True), ("iam:ListAttachedUserPolicies", True), ("ses:GetIdentityPolicies", True),
    ("iam:PutRolePolicy", False), ("ses:SendEmail", False), ("ses:PutIdentityPolicy", False),
])
def test_policy_is_read_only(action, allowed):
    from seslint.evaluate import evaluate, load_scenario

    scenario = load_scenario({"identity_policies": [readme_policy()],
                              "request": {"action": action, "resource": "*"}})
    assert evaluate(scenario).allowed is allowed
