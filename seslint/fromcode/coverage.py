"""What a policy lacks of what the code calls, and what it grants that the code never calls
(`seslint lint --code`, rules SES062 and SES063)."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from seslint.fromcode.policy import DEFAULT_ACCOUNT, PLACEHOLDER_REGION, Planned, plan_site

_ARN = re.compile(r"arn:[\w-]+:ses:([a-z0-9-]+):(\d{12}):")


@dataclass
class CodeUse:
    """The call sites of the code, as `seslint lint --code` hands them to the checks."""

    sites: list
    source: str

    @property
    def actions(self) -> frozenset[str]:
        """Lower-case names (without `ses:`) of every action some call site makes."""
        return frozenset(r.action.split(":", 1)[1].lower() for p in self.planned() for r in p.requests)

    def planned(self, region: str | None = None, account: str | None = None) -> list[Planned]:
        return [plan_site(s, region=region, account=account) for s in self.sites]


def load(paths) -> CodeUse:
    from seslint.errors import InputError
    from seslint.fromcode import scan

    found = scan(paths)
    if not found.sites:
        raise InputError(f"no SES call found in {found.files} source file(s)", source=" ".join(paths),
                         help="--code takes the application's source folders")
    return CodeUse(found.sites, " ".join(paths))


def scope(policy) -> tuple[str, str]:
    """(region, account) the policy's SES ARNs name first, else the defaults."""
    import json

    m = _ARN.search(json.dumps(policy))
    return (m[1], m[2]) if m else (PLACEHOLDER_REGION, DEFAULT_ACCOUNT)


def denied(code: CodeUse, policy) -> list[tuple[Planned, str]]:
    """(call site, why) for each call whose requests the policy does not all allow."""
    from seslint.cansend import check_send
    from seslint.evaluate import evaluate, load_scenario
    from seslint.evaluate.scenario import PolicyCache

    region, account = scope(policy)
    cache = PolicyCache()
    out = []
    for p in code.planned(region=region, account=account):
        if p.site.sends:
            for send in p.sends:
                send = dataclasses.replace(send, account=account,
                                           region=send.region if p.site.region and p.site.region.literal else region)
                result = check_send(send, [policy], cache=cache, explain=False)
                if not result.allowed:
                    missing = sorted({r.action for r in result.blocking})
                    out.append((p, f"its {send.content} send needs {', '.join(missing)}"))
                    break
            continue
        for r in p.requests:
            resource = r.resource.replace("/*", "/example")
            scenario = {"principal": {"arn": f"arn:aws:iam::{account}:role/app", "account": account},
                        "identity_policies": [policy], "request": {"action": r.action, "resource": resource}}
            if evaluate(load_scenario(scenario, "--code")).decision != "allowed":
                out.append((p, f"it needs {r.action} on {r.resource}"))
                break
    return out
