"""Per-rule fixtures: every finding the CLI reports for them, exact to the file, line, column and pointer.

`fixtures/rules/SESnnn/` holds inputs named `bad*` (they trigger SESnnn) and `good*` (near misses that must
not), and `expected.json`: input name -> the exact findings of `seslint lint --format json` on it, every rule's.
A `.seslint.toml` there is the configuration; otherwise none applies. Each expected location was checked by
eye against its input: never regenerate one without reading it again.
"""

import json
from pathlib import Path

import pytest

from seslint.lint import engine
from seslint.lint.catalog import load_catalog
from seslint.lint.checks import registry

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
PLACE = ("rule", "file", "line", "column", "pointer")
CONFIG = ".seslint.toml"
CODE = "code"   # a folder of application source: the rules that compare with it run with `--code code`

# Rules no input file can trigger, each with its reason.
UNTRIGGERABLE = {
    "SES000": "reported only when a check crashes, which is a bug in seslint: no file is meant to trigger it "
              "(test_a_crashing_check_is_placed_at_its_policy pins where it lands)",
}


def _folders() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir())


def _expected(folder: Path) -> dict:
    return json.loads((folder / "expected.json").read_text(encoding="utf-8"))


CASES = [pytest.param(folder, name, id=f"{folder.name}/{name}") for folder in _folders()
         for name in _expected(folder)]


def lint(cli, monkeypatch, tmp_path, folder: Path, *paths: str) -> list[dict]:
    """The placed findings of `seslint lint` run in `folder`, with its own configuration or none."""
    config = tmp_path / "empty.toml"
    config.write_text("")
    monkeypatch.chdir(folder)
    code = ["--code", CODE] if (folder / CODE).is_dir() else []
    run = cli("lint", "--format", "json", "--fail-on", "never",
              "--config", CONFIG if (folder / CONFIG).exists() else str(config), *code, *paths)
    assert (run.code, run.err) == (0, "")
    return [{k: f[k] for k in PLACE} for f in json.loads(run.out)["findings"]]


@pytest.mark.parametrize("folder,name", CASES)
def test_findings_are_placed_exactly(folder, name, cli, monkeypatch, tmp_path):
    expected = _expected(folder)[name]
    rules = {f["rule"] for f in expected}
    # the fixture's own promise, so that an expected.json regenerated without reading cannot drift
    assert (folder.name in rules) == name.startswith("bad"), "a bad* input triggers its rule, a good* one does not"
    assert lint(cli, monkeypatch, tmp_path, folder, name) == expected


def test_every_catalog_rule_has_a_fixture_or_a_reason():
    catalog = set(load_catalog().rules)
    folders = {p.name for p in _folders()}
    assert not folders - catalog, "fixture folders must be named after catalog rules"
    assert not set(UNTRIGGERABLE) - catalog, "UNTRIGGERABLE names unknown rules"
    assert not folders & set(UNTRIGGERABLE), "a rule with a fixture is triggerable: drop it from UNTRIGGERABLE"
    assert catalog - set(UNTRIGGERABLE) == folders, "every rule needs fixtures/rules/SESnnn/"


def test_untriggerable_rules_have_no_check():
    """A rule with a check of its own fires on some input: it needs a fixture, not a place on the list."""
    assert not set(UNTRIGGERABLE) & set(registry())
    assert set(UNTRIGGERABLE) <= set(engine.ENGINE_RULES)


@pytest.mark.parametrize("folder", _folders(), ids=lambda p: p.name)
def test_fixture_folders_hold_only_listed_inputs(folder):
    files = {p.name for p in folder.iterdir()} - {"expected.json", CONFIG, CODE}
    expected = _expected(folder)
    assert files == set(expected)
    assert all(n.startswith(("bad", "good")) for n in expected)
    assert any(n.startswith("bad") for n in expected) and any(n.startswith("good") for n in expected)


def test_a_crashing_check_is_placed_at_its_policy(cli, monkeypatch, tmp_path):
    """SES000 (UNTRIGGERABLE): a crash becomes a finding at the policy that crashed the check."""
    def broken(ctx):
        raise KeyError("Statement")

    monkeypatch.setattr(engine, "registry", lambda: {"SES024": broken})
    folder = FIXTURES / "SES059"
    assert lint(cli, monkeypatch, tmp_path, folder, "good.yaml") == [
        {"rule": "SES000", "file": "good.yaml", "line": 18, "column": 11,
         "pointer": "/Resources/SenderRole/Properties/Policies/0/PolicyDocument"}]
