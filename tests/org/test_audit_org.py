"""`seslint audit` over many accounts: a folder of authorization-details files, iam-collect's SQLite
store (built here with iam-collect's own schema and row layout), an SCP tree, the jsonl, json, text
and html outputs, and one decision per distinct policy set."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from seslint.cli import cli

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = ROOT / "examples" / "org" / "accounts"
SCPS = ROOT / "examples" / "org" / "scps.json"


def invoke(*args):
    return CliRunner().invoke(cli, ["audit", *args])


def test_a_folder_of_accounts_as_jsonl():
    run = invoke("--auth-details", str(ACCOUNTS), "--scps", str(SCPS), "--format", "jsonl")
    assert run.exit_code == 1, run.output
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    by = {line["principal"]: line for line in lines}
    assert {line["account"] for line in lines} == {"111111111111", "222222222222", "333333333333"}
    assert by["arn:aws:iam::111111111111:role/newsletter-sender"]["verdict"] == "anyone"
    assert by["arn:aws:iam::111111111111:role/auditor"]["verdict"] == "none"
    assert by["arn:aws:iam::222222222222:user/dev"]["verdict"] == "none"   # directly: who-can-send finds its chain
    line = by["arn:aws:iam::111111111111:user/smtp-relay"]
    assert set(line) >= {"principal", "account", "verdict", "via", "witness"}
    assert line["witness"]["request"]["action"] == "ses:SendRawEmail"
    assert {s["policy"] for s in line["statements"]} == {"arn:aws:iam::111111111111:user/smtp-relay", "SCP 'FullAWSAccess'"}


def test_accounts_come_in_file_order_and_findings_by_verdict():
    run = invoke("--auth-details", str(ACCOUNTS), "--format", "json")
    report = json.loads(run.output)
    accounts = [p["account"] for p in report["principals"]]
    assert accounts == sorted(accounts, key=["111111111111", "222222222222", "333333333333"].index)
    assert report["source"] == "3 accounts"


def test_html_groups_by_account():
    run = invoke("--auth-details", str(ACCOUNTS), "--format", "html")
    assert run.output.count('<tr class="account"') == 3
    assert 'id="account-222222222222"' in run.output


def test_text_groups_by_account():
    run = invoke("--auth-details", str(ACCOUNTS))
    assert "== account 333333333333: 2 principals" in run.output


def test_an_scp_that_denies_sending_makes_none(tmp_path):
    tree = json.loads(SCPS.read_text())
    tree["root"]["policies"].append({"name": "NoEmail", "document": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "ses:*", "Resource": "*"}]}})
    (tmp_path / "scps.json").write_text(json.dumps(tree))
    run = invoke("--auth-details", str(ACCOUNTS / "111111111111-mail.json"), "--scps", str(tmp_path / "scps.json"), "--format", "jsonl")
    assert run.exit_code == 0
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert {line["verdict"] for line in lines} == {"none"}
    assert any("service control policies stop every possible send" in line["reason"] for line in lines)


def test_same_policies_in_different_accounts_are_decided_once(tmp_path, monkeypatch):
    from seslint.audit import org

    calls = []
    real = org.Decider.chunk
    monkeypatch.setattr(org.Decider, "chunk", lambda self, jobs: calls.extend(jobs) or real(self, jobs))
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}]}
    for account in ("111111111111", "222222222222"):
        roles = [{"RoleName": f"r{i}", "Arn": f"arn:aws:iam::{account}:role/r{i}",
                  "RolePolicyList": [{"PolicyName": f"p{i}", "PolicyDocument": doc}]} for i in range(5)]
        (tmp_path / f"{account}.json").write_text(json.dumps({"RoleDetailList": roles}))
    run = invoke("--auth-details", str(tmp_path), "--format", "jsonl", "--jobs", "1")
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(lines) == 10 and len(calls) == 1
    line = next(x for x in lines if x["principal"] == "arn:aws:iam::222222222222:role/r3")
    assert line["statements"][0]["policy"] == "arn:aws:iam::222222222222:role/r3"
    assert ":222222222222:" in line["witness"]["request"]["resource"]


def iam_collect_store(path: Path) -> None:
    """A store as iam-collect writes it (src/persistence/sqlite/SqliteAwsIamStore.ts: arn and
    metadata_type lower-cased, one row per kind of data, JSON in data; src/syncs/iam/
    authorizationDetails.ts and src/syncs/ses/identities.ts: the kinds)."""
    db = sqlite3.connect(path)
    db.executescript("""CREATE TABLE resource_metadata (partition TEXT NOT NULL, account_id TEXT NOT NULL,
      arn TEXT NOT NULL, metadata_type TEXT NOT NULL, data TEXT NOT NULL, service TEXT NOT NULL, region TEXT,
      resource_type TEXT, arn_account TEXT, PRIMARY KEY (partition, account_id, arn, metadata_type));
      CREATE TABLE metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO metadata VALUES ('schema_version', '2025-10-14');""")
    account = "444455556666"
    send = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:SendRawEmail", "Resource": "*"}]}
    rows = []

    def put(arn, service, rtype, region, **kinds):
        for kind, value in kinds.items():
            rows.append(("aws", account, arn.lower(), kind.replace("_", "-"), json.dumps(value), service, region, rtype,
                         account if rtype != "policy" or ":aws:" not in arn else "aws"))

    policy = f"arn:aws:iam::{account}:policy/MailSend"
    put(policy, "iam", "policy", None, metadata={"arn": policy, "name": "MailSend", "defaultVersionId": "v1"},
        current_policy=send)
    group = f"arn:aws:iam::{account}:group/Mailers"
    put(group, "iam", "group", None, metadata={"arn": group, "name": "Mailers"}, managed_policies=[policy])
    user = f"arn:aws:iam::{account}:user/SmtpRelay"
    put(user, "iam", "user", None, metadata={"arn": user, "name": "SmtpRelay"}, groups=[group])
    role = f"arn:aws:iam::{account}:role/Reader"
    put(role, "iam", "role", None, metadata={"arn": role, "name": "Reader"},
        trust_policy={"Version": "2012-10-17", "Statement": []},
        inline_policies=[{"PolicyName": "read", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "ses:GetAccount", "Resource": "*"}]}}])
    delegate = f"arn:aws:iam::{account}:role/Delegate"
    put(delegate, "iam", "role", None, metadata={"arn": delegate, "name": "Delegate"},
        trust_policy={"Version": "2012-10-17", "Statement": []})
    identity = f"arn:aws:ses:us-east-1:{account}:identity/example.com"
    put(identity, "ses", "identity", "us-east-1", metadata={"arn": identity, "name": "example.com",
                                                              "identityType": "Domain"},
        policies={"delegate": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": delegate}, "Action": "ses:SendEmail", "Resource": identity}]}})
    db.executemany("INSERT INTO resource_metadata VALUES (?,?,?,?,?,?,?,?,?)", rows)
    db.commit()
    db.close()


def test_iam_collect_store(tmp_path):
    store = tmp_path / "iam.sqlite"
    iam_collect_store(store)
    run = invoke("--iam-collect", str(store), "--format", "jsonl")
    assert run.exit_code == 1, run.output
    by = {line["principal"]: line for line in map(json.loads, run.stdout.splitlines())}
    assert by["arn:aws:iam::444455556666:user/SmtpRelay"]["verdict"] == "anyone"   # through its group's policy
    assert by["arn:aws:iam::444455556666:role/Reader"]["verdict"] == "none"
    # allowed only by the identity's sending authorization policy, which the store holds
    assert by["arn:aws:iam::444455556666:role/Delegate"]["verdict"] == "anyone"
    assert "identity policies were not read" not in run.stderr


@pytest.mark.parametrize("content, message", [
    ("not json", "invalid JSON"),
    ('{"version": 1, "root": {"name": "Root", "policies": {}}}', "at /root/policies: policies must be a list"),
    ('{"version": 1, "root": {"name": "Root", "policies": [], "children": [{"account": "12", "policies": []}]}}',
     "at /root/children/0/account: account must be a 12-digit account id"),
])
def test_bad_scp_tree_is_one_line(tmp_path, content, message):
    (tmp_path / "scps.json").write_text(content)
    run = invoke("--auth-details", str(ACCOUNTS), "--scps", str(tmp_path / "scps.json"))
    assert run.exit_code == 3 and message in run.output and "Traceback" not in run.output


def test_not_a_store_is_one_line(tmp_path):
    (tmp_path / "x.sqlite").write_text("hello")
    run = invoke("--iam-collect", str(tmp_path / "x.sqlite"))
    assert run.exit_code == 3 and "not an iam-collect SQLite store" in run.output


def test_a_file_of_two_accounts_is_refused(tmp_path):
    roles = [{"RoleName": "a", "Arn": "arn:aws:iam::111111111111:role/a"},
             {"RoleName": "b", "Arn": "arn:aws:iam::222222222222:role/b"}]
    (tmp_path / "mixed.json").write_text(json.dumps({"RoleDetailList": roles}))
    run = invoke("--auth-details", str(tmp_path / "mixed.json"))
    assert run.exit_code == 3 and "several accounts" in run.output and "/RoleDetailList/1/Arn" in run.output


def test_scp_tree_examples_match_the_schema():
    import jsonschema

    schema = json.loads((ROOT / "rules" / "schemas" / "scp-tree.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(json.loads(SCPS.read_text()))
    from tests.org import corpus

    jsonschema.Draft202012Validator(schema).validate(corpus.scp_tree())
