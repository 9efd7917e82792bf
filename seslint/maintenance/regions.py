"""Write rules/regions.json: every partition's known regions, from botocore's endpoints.json.

    python -m seslint.maintenance.regions
"""

from __future__ import annotations

import json
import os

SOURCE_URL = "https://github.com/boto/botocore/blob/develop/botocore/data/endpoints.json"
REFERENCE_URL = "https://docs.aws.amazon.com/general/latest/gr/rande.html"


def build() -> dict:
    import botocore

    with open(os.path.join(os.path.dirname(botocore.__file__), "data", "endpoints.json"), encoding="utf-8") as f:
        endpoints = json.load(f)
    return {
        "version": 1,
        "sources": {"botocore": botocore.__version__, "file": SOURCE_URL, "reference": REFERENCE_URL},
        "partitions": {p["partition"]: {"name": p.get("partitionName", p["partition"]),
                                        "region_regex": p["regionRegex"], "regions": sorted(p["regions"])}
                       for p in sorted(endpoints["partitions"], key=lambda p: p["partition"])},
    }


def main() -> None:
    from seslint.data import rules_dir

    path = rules_dir() / "regions.json"
    path.write_text(json.dumps(build(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
