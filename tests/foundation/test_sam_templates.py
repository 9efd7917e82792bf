"""rules/sam-policy-templates.json is what seslint/maintenance/sam_templates.py extracts from the pinned
aws-sam-translator (tests/constraints.txt), and the linter expands its templates as SAM would."""

import pytest

from seslint import data
from seslint.lint import containers
from seslint.maintenance import sam_templates

samtranslator = pytest.importorskip("samtranslator")


def test_generated_file_matches_the_pinned_translator():
    assert data.load(sam_templates.OUTPUT) == sam_templates.current()


def test_source_names_the_translator_version():
    assert data.load(sam_templates.OUTPUT)["source"]["package_version"] == samtranslator.__version__


def test_every_ses_template_is_kept_and_only_those():
    generated = data.load(sam_templates.OUTPUT)
    assert {"SESCrudPolicy", "SESSendBouncePolicy", "SESBulkTemplatedCrudPolicy",
            "SESEmailTemplateCrudPolicy"} <= set(generated["templates"])
    assert "S3ReadPolicy" in generated["other_templates"]
    assert not set(generated["templates"]) & set(generated["other_templates"])


def test_build_from_a_fixed_source():
    raw = {"Version": "9", "Templates": {
        "MailPolicy": {"Description": "d", "Parameters": {"IdentityName": {}}, "Definition": {"Statement": [
            {"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}]}},
        "QueuePolicy": {"Description": "q", "Parameters": {}, "Definition": {"Statement": [
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}}}}
    built = sam_templates.build(raw, "0.0.0")
    assert list(built["templates"]) == ["MailPolicy"] and built["other_templates"] == ["QueuePolicy"]
    assert built["source"] == {"package": "aws-sam-translator", "package_version": "0.0.0",
                               "file": sam_templates.SOURCE_FILE, "templates_version": "9"}


def test_check_mode_reports_up_to_date(capsys):
    assert sam_templates.main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_expansion_fills_parameters_like_sam():
    template = data.load(sam_templates.OUTPUT)["templates"]["SESCrudPolicy"]
    policy = containers.expand_template(template, {"IdentityName": "example.com"})
    assert policy["Statement"][0]["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/example.com"}
    unknown = containers.expand_template(template, {"IdentityName": {"Ref": "Domain"}})
    assert unknown["Statement"][0]["Resource"]["Fn::Sub"].endswith(":identity/${identityName}")
