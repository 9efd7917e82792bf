"""AWS region names, checked against the known regions of each partition (rules/regions.json)."""

from __future__ import annotations

from seslint import data


def partition_of(region: str) -> str | None:
    """The partition whose known regions include `region`, else None."""
    for name, partition in data.load("regions.json")["partitions"].items():
        if region in partition["regions"]:
            return name
    return None


def known_regions(region: str) -> list[str]:
    """The known regions of the partition `region` belongs to (the aws partition's for an unknown one)."""
    partitions = data.load("regions.json")["partitions"]
    return list(partitions[partition_of(region) or "aws"]["regions"])


def unknown_region_warning(region: str | None) -> str | None:
    """A warning for a region no partition knows (a typo, or one newer than seslint's data); None if known."""
    if not region or region == "*" or partition_of(region) is not None:
        return None
    import difflib

    regions = data.load("regions.json")
    known = [r for p in regions["partitions"].values() for r in p["regions"]]
    close = difflib.get_close_matches(region, known, n=1)
    hint = f": did you mean '{close[0]}'?" if close else ""
    return (f"region '{region}' is not a known region of any AWS partition (botocore "
            f"{regions['sources']['botocore']}); using it as given{hint}")
