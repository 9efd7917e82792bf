"""Output formats: YAML parses back to the same policy; Terraform and CloudFormation contain it."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from seslint.generate import generate, load_recipe, recipe_names, render

CASES = [(n, dict((load_recipe(n).examples or ({},))[0])) for n in recipe_names()]  # no parameters: no example


@pytest.mark.parametrize("name,values", CASES, ids=[c[0] for c in CASES])
def test_yaml_parses_back_to_the_same_policy(name, values):
    policy = generate(name, values)
    assert yaml.safe_load(render(policy, "yaml", name=name, summary="s")) == policy


def _hcl_to_json(text: str) -> object:
    """The jsonencode(...) argument of our HCL back to JSON (our HCL is JSON with `=` and trailing commas)."""
    body = re.search(r"jsonencode\((.*)\)\n}", text, re.S).group(1)
    body = re.sub(r'^(\s*"[^"]+") = ', r"\1: ", body, flags=re.M)
    body = re.sub(r",(\s*[\]}])", r"\1", body)
    body = re.sub(r'(["\]}])\n(\s*")', r"\1,\n\2", body)
    return json.loads(body.replace("$${", "${"))


@pytest.mark.parametrize("name,values", CASES, ids=[c[0] for c in CASES])
def test_terraform_holds_the_policy_in_the_resource_that_fits(name, values, cli):
    recipe = load_recipe(name)
    args = [f"--{k}={v}" for k, vs in values.items() for v in (vs if isinstance(vs, list) else [vs]) if vs is not True]
    args += [f"--{k}" for k, v in values.items() if v is True]
    code, out, _ = cli("generate", name, *args, "--format", "terraform")
    assert code == 0
    kind = {"identity": "aws_iam_policy", "resource": "aws_ses_identity_policy",
            "guardrail": "aws_organizations_policy"}[recipe.policy_type]
    assert out.startswith(f'resource "{kind}" "{name.replace("-", "_")}" {{')
    assert _hcl_to_json(out) == generate(name, values)
    if recipe.policy_type == "resource":
        assert 'identity = "arn:aws:ses:us-east-1:111122223333:identity/example.com"' in out


@pytest.mark.parametrize("name,values", CASES, ids=[c[0] for c in CASES])
def test_cloudformation_template_holds_the_policy(name, values):
    recipe = load_recipe(name)
    policy = generate(name, values)
    if recipe.policy_type == "resource":
        with pytest.raises(Exception, match="CloudFormation has no resource type"):
            render(policy, "cloudformation", name=name, summary=recipe.summary, policy_type="resource")
        return
    template = yaml.safe_load(render(policy, "cloudformation", name=name, summary=recipe.summary,
                                     policy_type=recipe.policy_type))
    (resource,) = template["Resources"].values()
    if recipe.policy_type == "guardrail":
        assert resource["Type"] == "AWS::Organizations::Policy"
        assert resource["Properties"]["Type"] == "SERVICE_CONTROL_POLICY"
        assert resource["Properties"]["Content"] == policy
    else:
        assert resource["Type"] == "AWS::IAM::ManagedPolicy"
        assert resource["Properties"]["PolicyDocument"] == policy


def test_cloudformation_for_an_identity_policy_is_a_one_line_error(cli):
    code, out, err = cli("generate", "sending-authorization", "--identity", "example.com", "--region", "us-east-1",
                         "--account", "111122223333", "--delegate-account", "222233334444", "--format", "cloudformation")
    assert (code, out) == (3, "")
    assert err.startswith("seslint: error: CloudFormation has no resource type")


def test_terraform_escapes_interpolation():
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ses:SendEmail"],
                                                      "Resource": ["arn:aws:ses:*:*:identity/${aws:username}"]}]}
    out = render(policy, "terraform", name="x", summary="s")
    assert "$${aws:username}" in out and "identity/${" not in out
