"""Output formats: JSON, YAML, Terraform and CloudFormation."""

from __future__ import annotations

import json
import re

from seslint.errors import InputError, UnsupportedError
from seslint.generate.recipes import FORMATS
from seslint.generate.shape import _camel

# -- output formats --------------------------------------------------------------------

def render(policy: dict, fmt: str, *, name: str, summary: str, policy_type: str = "identity",
           identity: str | None = None) -> str:
    """The policy as `json`, `yaml`, `terraform` (HCL) or `cloudformation` (a YAML template)."""
    if fmt == "json":
        return json.dumps(policy, indent=2, ensure_ascii=False)
    import yaml

    if fmt == "yaml":
        return yaml.safe_dump(policy, sort_keys=False, default_flow_style=False, allow_unicode=True).rstrip("\n")
    if fmt == "terraform":
        return _terraform(policy, name, summary, policy_type, identity)
    if fmt == "cloudformation":
        return _cloudformation(policy, name, summary, policy_type)
    raise InputError(f"unknown format '{fmt}'", help=f"formats: {', '.join(FORMATS)}")


def _hcl(value, indent: int = 0) -> str:
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, dict):
        body = "".join(f"{inner}{json.dumps(k)} = {_hcl(v, indent + 1)}\n" for k, v in value.items())
        return "{\n" + body + pad + "}"
    if isinstance(value, list):
        return "[\n" + "".join(f"{inner}{_hcl(v, indent + 1)},\n" for v in value) + pad + "]"
    # Terraform interpolates ${...} and %{...} inside strings: escape them.
    return json.dumps(value, ensure_ascii=False).replace("${", "$${").replace("%{", "%%{")


def _terraform(policy: dict, name: str, summary: str, policy_type: str, identity: str | None) -> str:
    label = re.sub(r"[^a-z0-9_]", "_", name.lower())
    if policy_type == "resource":
        head = [f'resource "aws_ses_identity_policy" "{label}" {{', f"  identity = {_hcl(identity or '')}",
                f"  name     = {_hcl(name)}", f"  policy   = jsonencode({_hcl(policy, 1)})"]
    elif policy_type == "guardrail":
        head = [f'resource "aws_organizations_policy" "{label}" {{', f"  name        = {_hcl(name)}",
                f"  description = {_hcl(summary)}", '  type        = "SERVICE_CONTROL_POLICY"',
                f"  content     = jsonencode({_hcl(policy, 1)})"]
    else:
        head = [f'resource "aws_iam_policy" "{label}" {{', f"  name        = {_hcl(name)}",
                f"  description = {_hcl(summary)}", f"  policy      = jsonencode({_hcl(policy, 1)})"]
    return "\n".join(head + ["}"])


def _cloudformation(policy: dict, name: str, summary: str, policy_type: str) -> str:
    import yaml

    logical = _camel(name) + "Policy"
    if policy_type == "resource":
        raise UnsupportedError("CloudFormation has no resource type for SES identity (sending authorization) policies",
                               help="use --format json with `aws sesv2 create-email-identity-policy`, or --format terraform")
    if policy_type == "guardrail":
        resource = {"Type": "AWS::Organizations::Policy",
                    "Properties": {"Name": name, "Description": summary, "Type": "SERVICE_CONTROL_POLICY",
                                   "Content": policy}}
    else:
        resource = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"Description": summary, "PolicyDocument": policy}}
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Description": f"seslint generate {name}: {summary}",
                "Resources": {logical: resource}}
    return yaml.safe_dump(template, sort_keys=False, default_flow_style=False, allow_unicode=True).rstrip("\n")
