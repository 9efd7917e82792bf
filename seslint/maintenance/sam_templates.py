"""Extract the SES-relevant SAM policy templates from aws-sam-translator into rules/sam-policy-templates.json.

    python -m seslint.maintenance.sam_templates [--check]

Needs the maintainer extras (`pip install -e .[maintainer]`); the linter reads only the generated file,
never the translator. `--check` exits 1 when the file on disk differs from the installed translator's data.
"""

from __future__ import annotations

import argparse
import json
import sys

from seslint.data import rules_dir

OUTPUT = "sam-policy-templates.json"
SOURCE_FILE = "samtranslator/policy_templates_data/policy_templates.json"


def build(raw: dict, version: str) -> dict:
    """The generated document: SES templates in full, every other template by name only (so that an
    unknown name can be told from a known non-SES one)."""
    ses, other = {}, []
    for name, template in sorted(raw["Templates"].items()):
        if "ses:" in json.dumps(template["Definition"]).lower():
            ses[name] = {"description": template.get("Description", ""),
                         "parameters": sorted(template.get("Parameters") or {}),
                         "definition": template["Definition"]}
        else:
            other.append(name)
    return {"version": 1,
            "source": {"package": "aws-sam-translator", "package_version": version, "file": SOURCE_FILE,
                       "templates_version": raw.get("Version", "")},
            "templates": ses, "other_templates": other}


def current() -> dict:
    import os

    import samtranslator

    path = os.path.join(os.path.dirname(samtranslator.__file__), "policy_templates_data", "policy_templates.json")
    with open(path, encoding="utf-8") as f:
        return build(json.load(f), samtranslator.__version__)


def render(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate rules/sam-policy-templates.json.")
    parser.add_argument("--check", action="store_true", help="exit 1 when the file on disk is out of date")
    args = parser.parse_args(argv)
    from seslint.maintenance import write_or_check

    return write_or_check(rules_dir() / OUTPUT, render(current()), args.check)


if __name__ == "__main__":
    sys.exit(main())
