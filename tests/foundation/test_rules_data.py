"""The data in rules/: schemas, sources, and the SES facts seslint stands on."""

import json
from pathlib import Path

import jsonschema
import pytest

from seslint.data import rules_dir
from seslint.matrix import FAMILIES, load_matrix

RULES = rules_dir()
DATA_FILES = sorted(p for p in RULES.rglob("*.json") if "schemas" not in p.parts)


def schema_for(path: Path) -> Path:
    """rules/X.json -> schemas/X.schema.json; rules/<folder>/*.json -> schemas/<folder minus s>.schema.json."""
    relative = path.relative_to(RULES)
    name = relative.stem if len(relative.parts) == 1 else relative.parts[0].rstrip("s")
    return RULES / "schemas" / f"{name}.schema.json"


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(RULES)))
def test_every_data_file_validates_against_its_schema(path):
    schema = json.loads(schema_for(path).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(json.loads(path.read_text()))]
    assert errors == []


def test_every_schema_is_used():
    used = {schema_for(p) for p in DATA_FILES} | {RULES / "schemas" / f"{name}.schema.json"
                                                  for name in ("lint-output", "config", "scenario", "scp-tree")}
    assert sorted(set((RULES / "schemas").glob("*.json")) - used) == []


def test_every_quirk_and_pair_names_real_actions_and_a_source():
    m = load_matrix()
    for q in m.quirks.values():
        names = q["actions"] + q.get("requires", []) + q.get("allowed_actions", [])
        names += [a["action"] for a in q.get("authorizes", [])]
        assert all(m.action(n) for n in names), q["id"]
        assert q["sources"], q["id"]
        for a in q.get("authorizes", []):
            kinds = {r.name for r in m.action(a["action"]).resource_types}
            assert set(a["resources"]) <= kinds, (q["id"], a)
    for p in m.equivalents:
        assert m.action(p["v1"]) and m.action(p["v2"]) and p["sources"], p


def test_every_action_belongs_to_a_family():
    m = load_matrix()
    orphans = sorted(a.name for a in m.actions.values() if not a.families)
    assert orphans == []
    assert all(set(a.families) <= set(FAMILIES) for a in m.actions.values())


def test_all_four_families_are_complete():
    m = load_matrix()
    count = {f: sum(f in a.families for a in m.actions.values()) for f in FAMILIES}
    ops = {f: 0 for f in FAMILIES}
    for op in m.operations:
        ops[{"ses": "v1", "sesv2": "v2"}.get(op.partition(":")[0], op.partition(":")[0])] += 1
    assert all(count[f] >= ops[f] > 30 for f in FAMILIES), (count, ops)


# shared/DESIGN.md §2: actions whose documented resource ARNs do not work.
DEAD_ARNS = """DeleteIdentity GetIdentityVerificationAttributes GetIdentityMailFromDomainAttributes
SetIdentityMailFromDomain VerifyDomainDkim GetIdentityDkimAttributes SetIdentityDkimEnabled
GetIdentityNotificationAttributes SetIdentityFeedbackForwardingEnabled SetIdentityHeadersInNotificationsEnabled
SetIdentityNotificationTopic PutIdentityPolicy DeleteIdentityPolicy GetIdentityPolicies DeleteVerifiedEmailAddress""".split()


@pytest.mark.parametrize("name", DEAD_ARNS)
def test_dead_resource_arns_are_flagged_and_sourced(name):
    action = load_matrix().action(f"ses:{name}")
    assert action.dead_resource_arn and not action.resource_level
    assert any(load_matrix().quirks[q]["kind"] == "dead-resource-arn" for q in action.quirks)


def authorized(spec):
    return [sorted(a["action"] for a in v["authorizes"]) for v in load_matrix().operation(spec)]


@pytest.mark.parametrize("spec, actions", [
    ("sesv2:SendEmail:raw", [["ses:SendRawEmail"]]),
    ("sesv2:SendEmail:simple", [["ses:SendEmail"]]),
    ("smtp:SendRawEmail", [["ses:SendRawEmail"]]),
    ("ses:SendRawEmail", [["ses:SendRawEmail"]]),
    ("sesv2:SendBulkEmail", [["ses:SendBulkEmail", "ses:SendBulkTemplatedEmail"]]),
    ("ses:SendBulkTemplatedEmail", [["ses:SendBulkTemplatedEmail"]]),
    ("sesv2:DeleteEmailIdentity", [["ses:DeleteEmailIdentity"]]),
])
def test_operation_mappings_that_names_hide(spec, actions):
    assert authorized(spec) == actions


def test_v2_send_email_template_keeps_the_safer_mapping_and_records_the_disagreement():
    [template] = load_matrix().operation("sesv2:SendEmail:template")
    assert {a["action"] for a in template["authorizes"]} >= {"ses:SendTemplatedEmail"}
    assert all("template" in a["resources"] for a in template["authorizes"])
    assert "dd-v2-send-email-template-action" in load_matrix().quirks


@pytest.mark.parametrize("spec, extra", [
    ("sesv2:CreateEmailIdentity", "ses:TagResource"),
    ("sesv2:CreateConfigurationSet", "ses:TagResource"),
    ("sesv2:SendEmail", "ses:ApplyTrackingConfigurationOverrides"),
    ("sesv2:SendBulkEmail", "ses:ApplyTrackingConfigurationOverrides"),
])
def test_extra_authorizations(spec, extra):
    for variant in load_matrix().operation(spec):
        assert extra in {a for q in variant["also"] for a in q["requires"]}


def test_sends_are_checked_against_configuration_set_template_and_both_identity_arns():
    m = load_matrix()
    kinds = {q["kind"] for q in m.quirks.values()}
    assert {"identity-arn", "extra-authorization", "doc-disagreement", "sending-authorization"} <= kinds
    identity = m.quirks["identity-arn-address-or-domain"]
    assert any(a.endswith("${Domain}") for a in identity["arns"]) and any(a.endswith("${Address}") for a in identity["arns"])
    for name in ("SendEmail", "SendRawEmail", "SendTemplatedEmail", "SendBulkTemplatedEmail"):
        assert "configuration-set" in {r.name for r in m.action(name).resource_types}


def test_recipients_is_multivalued_and_sending_keys_exist_only_on_sends():
    m = load_matrix()
    assert m.key("ses:Recipients").multivalued and m.key("SES:RECIPIENTS").multivalued
    assert not m.key("ses:FromAddress").multivalued
    send, delete = m.action("ses:SendRawEmail"), m.action("ses:DeleteEmailIdentity")
    assert m.carries(send, "ses:Recipients") and not m.carries(delete, "ses:Recipients")
    assert m.carries(delete, "aws:SourceIp") and m.carries(delete, "aws:ResourceTag/team")


@pytest.mark.parametrize("v1, v2", [
    ("ses:DeleteIdentity", "ses:DeleteEmailIdentity"),
    ("ses:CreateTemplate", "ses:CreateEmailTemplate"),
    ("ses:SendBulkTemplatedEmail", "ses:SendBulkEmail"),
    ("ses:VerifyEmailIdentity", "ses:CreateEmailIdentity"),
])
def test_v1_v2_equivalence_table(v1, v2):
    assert any(p["v1"] == v1 and p["v2"] == v2 for p in load_matrix().equivalents)


def test_mailbox_simulator_addresses():
    [sim] = [q for q in load_matrix().quirks.values() if q["kind"] == "mailbox-simulator"]
    assert {a.split("@")[0] for a in sim["addresses"]} == {"success", "bounce", "ooto", "complaint", "suppressionlist"}


MAIL_MANAGER_TAGGABLE = {"addon-instance", "addon-subscription", "mailmanager-address-list", "mailmanager-archive",
                         "mailmanager-ingress-point", "mailmanager-rule-set", "mailmanager-smtp-relay",
                         "mailmanager-traffic-policy"}


@pytest.mark.parametrize("name", ["ses:TagResource", "ses:UntagResource", "ses:ListTagsForResource"])
def test_tag_actions_cover_mail_manager_resources(name):
    """Merged from the Mail Manager page of the Service Authorization Reference (quirk reference-merge)."""
    m = load_matrix()
    action = m.require_action(name)
    assert MAIL_MANAGER_TAGGABLE <= {r.name for r in action.resource_types}
    assert "ses:MailManagerIngressPointType" in action.condition_keys and m.carries(action, "ses:MailManagerIngressPointType")
    assert "merge-mailmanager-tag-actions" in action.quirks


def test_an_operation_the_reference_does_not_list_yet_has_its_sourced_action():
    action = load_matrix().require_action("ses:PutAccountDeliveryAttributes")
    assert action.operations == ("sesv2:PutAccountDeliveryAttributes",) and action.families == ("v2",)
    assert not action.resource_level and action.quirks == ("unlisted-put-account-delivery-attributes",)
