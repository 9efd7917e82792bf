"""The real-world corpus (issue 13): its manifest is sound, and the linter meets the bar on it.

The bar: at least 95% of the warnings and errors are true, and no critical expected finding is missed.
Recall is reported (measure.py prints the whole table: `python -m tests.realworld.measure`).
"""

import json
import os

import jsonschema
import pytest
import yaml

from .measure import HERE, load_manifest, measure, related, render

MANIFEST = load_manifest()
ENTRIES = MANIFEST["entries"]
# rules issue 13 adds; the catalog holds them once the linter work is merged
ANNOUNCED = {f"SES{n:03d}" for n in range(49, 60)}
PRECISION_BAR = 0.95


class _AnyTagLoader(yaml.SafeLoader):
    """CloudFormation short forms (!Ref, !Sub...) load as None: no label points inside them."""


_AnyTagLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def _document(name: str):
    with open(os.path.join(HERE, name), encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_AnyTagLoader) if name.endswith((".yaml", ".yml")) else json.load(fh)


def _resolves(doc, pointer: str) -> bool:
    node = doc
    for raw in pointer.split("/")[1:]:
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return False
    return True


def test_manifest_validates_against_its_schema():
    with open(os.path.join(HERE, "manifest.schema.json"), encoding="utf-8") as fh:
        schema = json.load(fh)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert [f"{e.json_path}: {e.message}" for e in validator.iter_errors(MANIFEST)] == []


def test_manifest_and_corpus_folder_list_the_same_files_once():
    listed = [e["file"] for e in ENTRIES]
    on_disk = sorted(os.path.relpath(os.path.join(root, f), HERE)
                     for root, _, files in os.walk(os.path.join(HERE, "corpus")) for f in files)
    assert sorted(listed) == on_disk


def test_every_label_names_a_catalog_or_announced_rule():
    with open(os.path.join(HERE, "..", "..", "rules", "lint-rules.json"), encoding="utf-8") as fh:
        known = {r["id"] for r in json.load(fh)["rules"]} | ANNOUNCED
    used = {lab["rule"] for e in ENTRIES for lab in e["expected"] + e["false_alarms_known"]}
    assert sorted(used - known) == []


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["file"])
def test_every_label_points_into_its_file(entry):
    doc = _document(entry["file"])
    pointers = [lab["pointer"] for lab in entry["expected"] + entry["false_alarms_known"]]
    assert [p for p in pointers if not _resolves(doc, p)] == []


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["file"])
def test_no_finding_is_both_expected_and_a_known_false_alarm(entry):
    clashes = [(lab["rule"], lab["pointer"]) for lab in entry["expected"] for fa in entry["false_alarms_known"]
               if lab["rule"] == fa["rule"] and related(lab["pointer"], fa["pointer"])]
    assert clashes == []


@pytest.fixture(scope="module")
def report():
    return measure(MANIFEST)


def test_at_least_95_percent_of_warnings_and_errors_are_true(report, record_property):
    record_property("precision", round(report.precision, 4))
    record_property("recall", round(report.recall, 4))
    assert report.precision >= PRECISION_BAR, "\n" + render(report)


def test_no_critical_expected_finding_is_missed(report):
    missed = [f"{name} {lab['rule']} {lab['pointer']}" for name, lab in report.critical_missed]
    assert missed == [], "\n" + render(report)
