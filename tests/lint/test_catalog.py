"""The catalog and the checks are one set; every rule's bad example fires it, every good example is clean."""

import json

import jsonschema
import pytest

from seslint import data
from seslint.lint import engine
from seslint.lint.catalog import explain_rule, load_catalog
from seslint.lint.checks import registry
from seslint.lint.config import Config
from seslint.lint.model import RANK

CATALOG = load_catalog()
EXAMPLES = [(r.id, which) for r in CATALOG.rules.values() for which in ("bad", "good")
            if getattr(r, which) is not None]


def test_catalog_matches_implemented_checks():
    assert set(CATALOG.rules) == set(registry()) | set(engine.ENGINE_RULES)
    assert not set(registry()) & set(engine.ENGINE_RULES)


def test_catalog_validates_against_its_schema():
    schema = data.load("schemas/lint-rules.schema.json")
    jsonschema.Draft202012Validator(schema).validate(data.load("lint-rules.json"))


def test_ids_and_names_are_unique_and_retired_ids_stay_retired():
    raw = data.load("lint-rules.json")
    ids = [r["id"] for r in raw["rules"]]
    names = [r["name"] for r in raw["rules"]]
    assert len(ids) == len(set(ids)) and len(names) == len(set(names))
    assert not {r["id"] for r in raw["retired"]} & set(ids)


def test_only_engine_rules_lack_examples():
    assert {r.id for r in CATALOG.rules.values() if r.bad is None or r.good is None} == {"SES000", "SES048"}


@pytest.mark.parametrize("rule_id,which", EXAMPLES)
def test_rule_examples(rule_id, which, tmp_path):
    rule = CATALOG.rules[rule_id]
    example = getattr(rule, which)
    path = tmp_path / "policy.json"
    path.write_text(example if isinstance(example, str) else json.dumps(example, indent=2))
    policy_type = rule.policy_types[0] if len(rule.policy_types) == 1 else "auto"
    code = None
    if rule.code is not None:   # a rule that compares the policy with the application's code
        from seslint.fromcode.coverage import load

        source = tmp_path / "code"
        source.mkdir()
        (source / rule.code["file"]).write_text(rule.code["text"])
        code = load([str(source)])
    findings = engine.run([str(path)], Config(), policy_type, code=code).findings
    if which == "bad":
        assert rule_id in {f.rule for f in findings}
    else:
        assert [f for f in findings if RANK[f.severity] >= RANK["warning"]] == []


@pytest.mark.parametrize("name", ["SES024", "ses024", "broad-wildcard"])
def test_explain_rule_by_id_or_name(name):
    text = explain_rule(name, "text")
    assert text.startswith("SES024 broad-wildcard (warning)")
    assert "Use instead" in text and "References" in text
    assert json.loads(explain_rule(name, "json"))["id"] == "SES024"


def test_explain_every_rule_through_the_cli(cli):
    for rule_id in CATALOG.rules:
        code, out, err = cli("explain", rule_id)
        assert (code, err) == (0, "") and out.startswith(rule_id)


def test_explain_unknown_rule_suggests():
    from seslint.errors import UnknownNameError

    with pytest.raises(UnknownNameError) as exc:
        explain_rule("broad-wildcards")
    assert "broad-wildcard" in exc.value.help


def test_the_engine_runs_a_rule_only_on_the_policy_types_its_catalog_entry_lists(monkeypatch):
    """policy_types is enforced once, by the engine: a check that forgot its guard still cannot fire."""
    from seslint.lint import engine
    from seslint.lint.catalog import load_catalog
    from seslint.lint.model import PolicyUnit

    rules = load_catalog().rules
    for kind in ("identity", "resource"):
        assert engine._applicable(kind) == {i for i, r in rules.items() if kind in r.policy_types}
    ran = []
    monkeypatch.setattr(engine, "registry", lambda: {rid: (lambda ctx, rid=rid: ran.append(rid) or [])
                                                     for rid in ("SES018", "SES021", "SES046")})
    unit = PolicyUnit("p.json", "", {"Version": "2012-10-17", "Statement": []}, lambda pointer: (1, 1))
    engine.check_unit(unit, "identity", {"SES018", "SES021", "SES046"})
    assert ran == ["SES018", "SES021"]
    ran.clear()
    engine.check_unit(unit, "resource", {"SES018", "SES021", "SES046"})
    assert ran == ["SES021", "SES046"]
