"""rules/docs/ holds one generated page per catalog rule, up to date; README and SARIF link to them."""

from pathlib import Path

from seslint.data import rules_dir
from seslint.lint.catalog import load_catalog
from seslint.maintenance import rule_docs

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ("## What it does", "## Why is this bad?")


def test_pages_are_up_to_date():
    assert rule_docs.stale(rules_dir() / rule_docs.DOCS) == [], "run: python -m seslint.maintenance.rule_docs"


def test_one_page_per_rule_with_the_sections():
    folder = rules_dir() / rule_docs.DOCS
    for rule in load_catalog().rules.values():
        text = (folder / rule_docs.page_name(rule)).read_text(encoding="utf-8")
        assert text.startswith(f"# {rule.id} {rule.name}\n") and all(s in text for s in SECTIONS)
        assert ("## Example" in text) is (rule.bad is not None)
        assert ("## Use instead" in text) is (rule.good is not None)
        assert ("## References" in text) is bool(rule.references)


def test_stale_names_a_changed_or_orphan_page(tmp_path):
    for name, text in rule_docs.pages().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert rule_docs.stale(tmp_path) == []
    (tmp_path / "SES049.md").write_text("old", encoding="utf-8")
    (tmp_path / "SES999.md").write_text("retired", encoding="utf-8")
    assert rule_docs.stale(tmp_path) == ["SES049.md", "SES999.md"]


def test_readme_links_the_rule_docs():
    assert "rules/docs/" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_sarif_help_uri_is_the_rule_page(run_lint, tmp_path):
    import json

    code, out = run_lint(str(ROOT / "examples" / "policies" / "dead-arn.json"), "--format", "sarif")
    rules = json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
    for r in rules:
        assert r["helpUri"].startswith("file://") and r["helpUri"].endswith(f"/docs/{r['id']}.md")
        assert r["help"]["markdown"].startswith(f"# {r['id']} ")
