"""Every lint example in examples/ gives exactly the findings its name promises."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {
    "examples/policies/ci-simulator-only.json": set(),
    "examples/policies/app-sender.json": set(),
    "examples/policies/partner-sending-authorization.json": set(),
    "examples/policies/leaky-guardrail.json": {"SES034"},   # SES028 and SES043 are opt-in (issue 26)
    "examples/policies/dead-arn.json": {"SES025"},
    "examples/policies/raw-bypass.json": {"SES040"},
    "examples/cloudformation/ses-app.yaml": {"SES027"},
    "examples/terraform/ses-plan.json": {"SES023"},
    "examples/scps/full-aws-access.json": {"SES024"},     # AWS's own FullAWSAccess SCP: every action
    "examples/scps/recipient-guardrail.json": set(),
}


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_example(path, lint_json):
    code, rules, _ = lint_json(str(ROOT / path))
    assert rules == EXPECTED[path]
    assert code == (1 if any(r in rules for r in ("SES023", "SES025", "SES027", "SES034", "SES040")) else 0)


def test_quick_start_directory_mixes_clean_and_buggy(run_lint):
    code, out = run_lint(str(ROOT / "examples" / "policies"))
    assert code == 1
    for name in ("leaky-guardrail.json", "dead-arn.json", "raw-bypass.json"):
        assert name in out
    assert "ci-simulator-only.json" not in out


def test_lint_path_does_not_import_heavy_modules():
    """Nor the send model: a file without a guardrail needs none (seslint.names reads the sending
    actions from the matrix)."""
    import subprocess
    import sys

    probe = ("import sys; from seslint.cli import main\n"
             "try:\n    main(['lint', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('boto3', 'botocore', 'jsonschema', 'yaml', 'z3', 'seslint.sendmodel')\n"
             "              if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe, str(ROOT / "examples/policies/ci-simulator-only.json")],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
