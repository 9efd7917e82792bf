"""`--explain`: each call site (file:line) with the requests it makes, what was widened, and the proofs."""

from __future__ import annotations

from seslint.fromcode.policy import Planned


def lines(planned: list[Planned], proofs=(), skipped=()) -> list[str]:
    out = []
    for p in planned:
        site = p.site
        out.append(f"{site.where}: {site.label()}")
        if site.sends:
            parts = [f"From {site.sender.describe()}" if site.sender else "",
                     f"identity {site.source_arn.describe()}" if site.source_arn else "",
                     f"configuration set {site.configuration_set.describe()}" if site.configuration_set else "",
                     f"template {site.template.describe()}" if site.template else ""]
            out.append("  " + "; ".join(x for x in parts if x))
        for action, resource, conditions in sorted({(r.action, r.resource, r.conditions) for r in p.requests}):
            cond = " and ".join(f"{key} = {value!r}" for _, key, value in conditions)
            out.append(f"  {action} on {resource}" + (f" when {cond}" if cond else ""))
        out += [f"  widened: {w.part}: {w.why}" for w in p.widened]
    out += [f"skipped: {s}" for s in skipped]
    out += [f"{'proven' if proof.ok else 'FAILED'}: {proof.name}" + (f" ({proof.detail})" if proof.detail and not proof.ok else "")
            for proof in proofs]
    return out
