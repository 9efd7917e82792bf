"""Region names are checked against the partitions' known regions (rules/regions.json, from botocore):
an unknown one is a warning on stderr with a did-you-mean, and the command goes on."""

from __future__ import annotations

import pytest

from seslint import data
from seslint.regions import partition_of, unknown_region_warning
from tests.conftest import invoke


@pytest.mark.parametrize("region, partition", [("us-east-1", "aws"), ("eu-west-1", "aws"), ("cn-north-1", "aws-cn"),
                                               ("us-gov-west-1", "aws-us-gov"), ("us-est-1", None)])
def test_partition_of(region, partition):
    assert partition_of(region) == partition


def test_the_data_is_botocores_when_the_versions_agree():
    botocore = pytest.importorskip("botocore")
    from seslint.maintenance.regions import build

    if botocore.__version__ != data.load("regions.json")["sources"]["botocore"]:
        pytest.skip("another botocore is installed: run python -m seslint.maintenance.regions")
    assert build() == data.load("regions.json")


def test_known_regions_and_wildcards_get_no_warning():
    assert [unknown_region_warning(r) for r in ("us-east-1", "*", None)] == [None, None, None]
    assert "did you mean 'eu-west-1'?" in unknown_region_warning("eu-wset-1")


@pytest.mark.parametrize("args", [
    ["generate", "ci-simulator-only", "--region", "eu-wset-1"],
    ["generate", "--for", "sesv2:SendEmail:raw", "--region", "eu-wset-1"],
    ["can-send", "--policy", "examples/policies/app-sender.json", "--account", "111122223333",
     "--from", "noreply@example.com", "--to", "a@example.org", "--region", "eu-wset-1"],
])
def test_an_unknown_region_is_a_warning(args):
    result = invoke(*args)
    assert result.code in (0, 1)
    assert "seslint: warning: region 'eu-wset-1' is not a known region" in result.err
    assert "warning" not in invoke(*args[:-1], "eu-west-1").err
