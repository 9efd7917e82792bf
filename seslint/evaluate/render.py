"""Text renderings of evaluator results (`simulate` and `can-send`); JSON comes from the results themselves."""

from __future__ import annotations

import json


def render_result(result) -> str:
    """A decision as text: the verdict, the deciding statements and, with --explain, the trace."""
    lines = [f"{result.decision}: {result.reason}"]
    for h in result.hits:
        lines.append(f"  {h.effect.lower():5} {h.kind}: {h.describe()}")
    if result.trace is not None:
        lines.append("explain:")
        for policy in result.trace:
            level = f" (level {policy['scp_level']})" if "scp_level" in policy else ""
            at = f" at {policy['pointer']}" if policy["pointer"] else ""
            lines.append(f"  {policy['policy_type']} policy {policy['file']}{at}{level}")
            for st in policy["statements"]:
                name = st["sid"] or st["pointer"]
                verdict = ("may apply: IAM leaves it undefined (tried both ways)" if st["applies"] == "unknown"
                           else "applies" if st["applies"] else "does not apply")
                lines.append(f"    {st['effect']} {name}: {verdict}")
                steps = [f"action {_yes(st.get('action'))}"]
                if "resource" in st:
                    steps.append(f"resource {_yes(st['resource'])}")
                if "principal" in st:
                    steps.append(f"principal {st['principal'] or 'no match'}")
                lines.append("      " + ", ".join(steps))
                for c in st.get("conditions", []):
                    lines.append(f"      {c['operator']} {c['key']} {json.dumps(c['policy_values'])} vs "
                                 f"{json.dumps(c['request_value'])}: {_held(c['holds'])}")
                if st.get("note"):
                    lines.append(f"      {st['note']}")
    return "\n".join(lines)


def _yes(value) -> str:
    return "undefined" if value == "unknown" else "matches" if value else "no match"


def _held(value) -> str:
    return "undefined in IAM" if value == "unknown" else "holds" if value else "fails"


def render_send(result) -> str:
    """A can-send answer as text: the verdict, each request with its decision, advice and notes."""
    verdict = {"allowed": "ALLOWED", "unknown": "UNKNOWN"}.get(result.decision, "DENIED")
    count = len(result.plan.recipients)
    lines = [f"{verdict}: {result.operation} from {result.plan.sender} to {count} "
             f"recipient{'s' if count != 1 else ''}"]
    lines += [f"  {h}" for h in result.holds_for()]
    for r in result.requests:
        res = r.result
        alt = f" if {r.alternative.condition}" if r.alternative and len(result.group_of(r.alternative)) > 1 else ""
        line = f"  {res.decision:12} {r.action} on {r.resource} ({r.role}{alt})"
        if res.allowed and res.deciding:
            line += f" by {res.deciding[0].describe()}"
        elif not res.allowed:
            line += f": {res.reason}"
        if r.undecided:
            line += f" [undecided: the sources disagree on {', '.join(sorted(r.planned.uncertain))}]"
        lines.append(line)
    advice = result.advised if result.advised is not None else result.advice()
    if advice and not result.allowed:
        lines.append("to allow it:")
        for a in advice:
            lines.append(f"  - {getattr(a, 'summary', a)}")
            if getattr(a, "policy", None) is not None:
                lines += ["    " + line for line in json.dumps(a.policy, indent=2, ensure_ascii=False).splitlines()]
    lines += [f"note: {n}" for n in result.notes]
    return "\n".join(lines)
