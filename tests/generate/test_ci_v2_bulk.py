"""`generate ci-simulator-only` leaves v2 SendBulkEmail out (its grant's safety rests on one weakly
sourced quirk); `--with-v2-bulk` adds it and says so; `--check` names the quirks each proof rests on."""

from __future__ import annotations

import json

from tests.conftest import invoke

QUIRK = "op-sesv2-send-bulk-email"
SIMULATOR = "success@simulator.amazonses.com"


def generated(tmp_path, *flags):
    result = invoke("generate", "ci-simulator-only", *flags)
    assert result.code == 0, result.output
    path = tmp_path / "ci.json"
    path.write_text(result.out)
    return json.loads(result.out), path


def v2_bulk(path, to):
    return invoke("can-send", "--policy", path, "--account", "111122223333", "--from", "ci@example.com",
                  "--to", to, "--content", "bulk", "--template", "ci", "--at", "2030-01-01T00:00:00Z")


def test_the_default_ci_policy_grants_no_v2_bulk(tmp_path):
    policy, path = generated(tmp_path)
    assert "ses:SendBulkEmail" not in {a for s in policy["Statement"] for a in s["Action"]}
    denied = v2_bulk(path, SIMULATOR)
    assert denied.code == 1 and "ses:SendBulkEmail" in denied.out, denied.output
    # every other way of sending to the simulator still works
    for extra in ([], ["--content", "raw"], ["--api", "smtp"], ["--api", "v1", "--content", "bulk", "--template", "t"]):
        result = invoke("can-send", "--policy", path, "--account", "111122223333", "--from", "ci@example.com",
                        "--to", SIMULATOR, "--at", "2030-01-01T00:00:00Z", *extra)
        assert result.code == 0, (extra, result.output)


def test_with_v2_bulk_adds_it_and_the_recipients_stay_checked(tmp_path):
    policy, path = generated(tmp_path, "--with-v2-bulk")
    bulk = [s for s in policy["Statement"] if "ses:SendBulkEmail" in s["Action"]]
    assert len(bulk) == 1 and "Condition" not in bulk[0]
    assert v2_bulk(path, SIMULATOR).code == 0
    assert v2_bulk(path, f"{SIMULATOR}, someone@example.com").code == 1
    assert invoke("lint", path).code == 0


def test_the_help_states_the_caveat_and_the_quirk():
    result = invoke("generate", "ci-simulator-only", "--help")
    flat = " ".join(result.out.split())
    assert "--with-v2-bulk" in flat and QUIRK in flat.replace("op- sesv2", "op-sesv2")
    assert "not an AWS page" in flat


def test_check_names_the_quirks_each_proof_rests_on():
    plain = invoke("generate", "ci-simulator-only", "--check")
    lines = plain.err.strip().splitlines()
    assert plain.code == 0 and "proof failed" not in plain.err
    exact = lines[-1]
    assert exact.startswith("seslint: proven: every possible send: recipients within *@simulator.amazonses.com "
                            "(rests on quirks ")
    assert "op-sesv2-send-email-raw" in exact and "op-smtp-send-raw-email" in exact and QUIRK not in exact
    raw = next(line for line in lines if "one simulator recipient (sesv2:SendEmail:raw)" in line)
    assert raw.startswith("seslint: proof holds: expected allowed:") and "op-sesv2-send-email-raw" in raw
    refused = next(line for line in lines if "v2 bulk without --with-v2-bulk" in line)
    assert "expected denied" in refused and QUIRK in refused

    bulk = invoke("generate", "ci-simulator-only", "--with-v2-bulk", "--check")
    assert bulk.code == 0 and QUIRK in bulk.err.strip().splitlines()[-1]
