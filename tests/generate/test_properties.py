"""Property tests: random recipient lists against the generated policies, evaluator vs a plain oracle.

Each oracle states the recipe's intent in a few lines of Python; StringLike is case-sensitive,
so upper-case variants of an allowed domain are outside it (the policies fail closed).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from seslint.evaluate import evaluate, load_scenario
from seslint.generate import generate, load_recipe, scenario

ACCOUNT = "111122223333"
SIM = "simulator.amazonses.com"
SEND_ACTIONS = ["ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail"]

locals_ = st.sampled_from(["success", "bounce", "ooto", "complaint", "suppressionlist", "success+run-7", "x", "SUCCESS",
                           "a.b", ""])
domains = st.sampled_from([SIM, SIM.upper(), "Simulator.AmazonSES.com", f"{SIM}.evil.com", f"evil-{SIM}",
                           f"x.{SIM}", "example.org", "EXAMPLE.ORG", "example.org.evil.com", "vip.example.net",
                           "example.net", "corp.example"])
addresses = st.builds(lambda local, d: f"{local}@{d}", locals_, domains) | st.sampled_from(["vip@example.net", "VIP@example.net",
                                                                                 "vip@example.net.evil.com"])
recipient_lists = st.none() | st.lists(addresses, max_size=5)  # None: the key is absent


def decide(recipe: str, policy: dict, action: str, resource: str, context: dict) -> str:
    request = {"action": action, "resource": resource, "context": context}
    return evaluate(load_scenario(scenario(load_recipe(recipe), policy, request, ACCOUNT, "scp"))).decision


def with_recipients(context: dict, recipients) -> dict:
    return context if recipients is None else dict(context, **{"ses:Recipients": recipients})


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(recipients=recipient_lists, action=st.sampled_from(SEND_ACTIONS))
def test_ci_simulator_only_allows_exactly_nonempty_simulator_lists(recipients, action):
    policy = generate("ci-simulator-only")
    context = with_recipients({"ses:FromAddress": "ci@example.com"}, recipients)
    got = decide("ci-simulator-only", policy, action, f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/example.com", context)
    intended = bool(recipients) and all(r.endswith("@" + SIM) for r in recipients)
    assert got == ("allowed" if intended else "implicitDeny")


ALLOWED_FROM = ["app@corp.example", "alerts.corp.example"]
ALLOWED_TO = ["example.org", "vip@example.net"]


def _from_ok(sender: str) -> bool:
    return sender == "app@corp.example" or sender.endswith("@alerts.corp.example")


def _to_ok(recipient: str) -> bool:
    return recipient.endswith("@example.org") or recipient == "vip@example.net"


senders = st.sampled_from(["app@corp.example", "App@corp.example", "other@corp.example", "x@alerts.corp.example",
                           "x@ALERTS.corp.example", "x@alerts.corp.example.evil.com", "app@corp.example.evil.com",
                           "x@evil.example"])


@SETTINGS
@given(sender=senders, recipients=recipient_lists, action=st.sampled_from(["ses:SendEmail", "ses:SendRawEmail"]))
def test_restricted_sender_allows_exactly_allowed_senders_to_allowed_domains(sender, recipients, action):
    policy = generate("restricted-sender", {"from": ALLOWED_FROM, "recipient-domain": ALLOWED_TO})
    identity = sender.rpartition("@")[2]
    context = with_recipients({"ses:FromAddress": sender, "ses:FromDisplayName": ""}, recipients)
    got = decide("restricted-sender", policy, action, f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/{identity}", context)
    intended = _from_ok(sender) and bool(recipients) and all(_to_ok(r) for r in recipients)
    assert got == ("allowed" if intended else "implicitDeny")


@SETTINGS
@given(recipients=recipient_lists, action=st.sampled_from(SEND_ACTIONS))
def test_guardrail_denies_any_outside_or_missing_recipients(recipients, action):
    policy = generate("recipient-guardrail", {"recipient-domain": ALLOWED_TO})
    context = with_recipients({"ses:FromAddress": "app@corp.example"}, recipients)
    got = decide("recipient-guardrail", policy, action, f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/corp.example", context)
    # Null is true for an absent key and for an empty set (IAM User Guide, multivalued context keys):
    # the second Deny catches both, so a send with no recipient never slips through.
    denied = not recipients or any(not _to_ok(r) for r in recipients)
    assert got == ("explicitDeny" if denied else "allowed")
