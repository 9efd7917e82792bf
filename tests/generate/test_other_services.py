"""Statements that name actions of other services (`$services`), and the recipe that needs them:
`seslint-reader`, whose actions are exactly what seslint.aws calls."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from seslint import data
from seslint.aws import READER_ACTIONS
from seslint.generate import build_policy, generate, load_recipe
from seslint.matrix import load_matrix


def test_reader_recipe_grants_exactly_the_reader_actions():
    granted = [a for s in generate("seslint-reader")["Statement"] for a in s["Action"]]
    assert sorted(granted) == sorted(READER_ACTIONS)


def test_reader_recipe_proves_every_reader_action_allowed():
    (read,) = load_recipe("seslint-reader").must_allow
    assert sorted(read["request"]["action"]) == sorted(READER_ACTIONS)


def test_reader_recipe_on_the_command_line_is_proven_and_is_the_readme_policy(cli):
    code, out, err = cli("generate", "seslint-reader", "--check")
    assert code == 0 and " proofs hold\n" in err and "failed" not in err
    assert err.endswith("seslint: proven: every possible send: no send\n")
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = re.search(r"<!-- section: aws -->(.*?)<!-- /section: aws -->", readme, re.S)[1]
    documented = json.loads(re.search(r"```json\n(.*?)```", section, re.S)[1])
    generated = json.loads(out)
    assert generated == dict(documented, Statement=[dict(s, Resource=[s["Resource"]]) for s in documented["Statement"]])


def _policy(**statement):
    return build_policy([dict({"Sid": "S", "Effect": "Allow", "Resource": ["*"]}, **statement)], load_matrix(),
                        where="test")


@pytest.mark.parametrize("statement,kept", [
    ({"$services": ["iam"], "Action": ["iam:GetRole", "ses:GetAccount"]}, ["iam:GetRole", "ses:GetAccount"]),
    ({"$services": ["iam"], "$wildcards": True, "Action": ["iam:List*"]}, ["iam:List*"]),
    ({"$services": ["iam", "sts"], "Action": ["sts:GetCallerIdentity", "iam:GetUser"]},
     ["iam:GetUser", "sts:GetCallerIdentity"]),
    ({"$services": ["iam"], "Action": ["iam:GetRole"], "Condition": {"StringEquals": {"aws:RequestedRegion": "x"}}},
     ["iam:GetRole"]),
])
def test_declared_other_services_pass(statement, kept):
    (out,) = _policy(**statement)["Statement"]
    assert out["Action"] == kept
    assert "$services" not in out and "$wildcards" not in out


@pytest.mark.parametrize("statement,message", [
    ({"Action": ["iam:GetRole"]}, "'iam:GetRole' is not one ses: action \\(actions of other services need"),
    ({"$services": ["iam"], "Action": ["iam:List*"]}, "wildcards need"),
    ({"$services": ["iam"], "Action": ["iam:Get Role"]}, "is not one service:Action"),
    ({"$services": ["iam"], "Action": ["IAM:GetRole"]}, "'IAM:GetRole' is not one ses: action"),
    ({"$services": ["iam"], "$wildcards": True, "Action": ["ses:Send*"]}, "'ses:Send\\*' is not one ses: action$"),
    ({"$services": ["iam"], "Action": ["ses:NoSuchAction"]}, "'ses:NoSuchAction' is not in seslint's SES data"),
    ({"$services": ["iam"], "Action": ["ses:SendEmial"]}, "did you mean 'ses:SendEmail'\\?$"),
    ({"$services": ["iam"], "Action": ["iam:GetRole"], "Condition": {"StringEquals": {"iam:PolicyARN": "x"}}},
     "only global aws: keys"),
])
def test_other_services_are_checked(statement, message):
    with pytest.raises(ValueError, match=message):
        _policy(**statement)


def _schema_errors(statement) -> list[str]:
    schema = json.loads((data.rules_dir() / "schemas" / "recipe.schema.json").read_text())
    recipe = json.loads((data.rules_dir() / "recipes" / "seslint-reader.json").read_text())
    recipe["statements"] = [dict({"Sid": "S", "Effect": "Allow", "Resource": ["*"]}, **statement)]
    return [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(recipe)]


@pytest.mark.parametrize("statement,valid", [
    ({"Action": ["ses:GetAccount"]}, True),
    ({"$services": ["iam"], "Action": ["iam:GetRole"]}, True),
    ({"$services": ["iam"], "$wildcards": True, "Action": ["iam:Get*"]}, True),
    ({"Action": ["iam:GetRole"]}, False),            # another service, undeclared
    ({"$services": ["iam"], "Action": ["iam:Get*"]}, False),  # a wildcard, undeclared
    ({"$wildcards": True, "Action": ["ses:Get*"]}, False),    # $wildcards is for $services only
    ({"$services": ["ses"], "Action": ["ses:GetAccount"]}, False),
])
def test_schema_requires_the_declaration(statement, valid):
    assert (_schema_errors(statement) == []) is valid
