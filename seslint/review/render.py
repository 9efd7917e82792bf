"""`seslint diff` and `seslint review` output: text, json, github annotations, markdown and SARIF."""

from __future__ import annotations

import json

from seslint.review.compare import Change, Item

MARKER = "<!-- seslint-review -->"
COMMENT_LIMIT = 65536          # GitHub's limit on an issue comment's body, in characters
ANNOTATIONS_PER_LEVEL = 10     # GitHub shows at most this many of each level per step
SIDES = ("gained", "lost", "unknown")


def describe(item: Item) -> str:
    """`ses:SendEmail on the identity` (and the caller, for a sending authorization policy)."""
    text = f"{item.action} on the {item.resource}" if item.action != "*" else "every send request"
    return text + (f" for {caller(item.principal)}" if item.principal else "")


def caller(arn: str) -> str:
    """A caller of a sending authorization policy in words: a role that no policy names stands for
    any principal of its account."""
    from seslint.review.compare import ANY_ROLE, OUTSIDE_ACCOUNTS

    account = arn.split(":")[4] if arn.count(":") >= 5 else ""
    if not arn.endswith(f":role/{ANY_ROLE}"):
        return arn
    return "any other account" if account in OUTSIDE_ACCOUNTS else f"account {account}"


def example(item: Item) -> str:
    """The witness in a few words: the resource, the From address and the recipients."""
    request = item.request
    if not request:
        return ""
    context = {k.lower(): v for k, v in request.get("context", {}).items()}
    parts = [request["resource"]]
    if "ses:fromaddress" in context:
        parts.append(f"From {context['ses:fromaddress']}")
    recipients = context.get("ses:recipients")
    if isinstance(recipients, list):
        parts.append(f"to {', '.join(recipients) or '(none)'}")
    return ", ".join(parts)


def where(item: Item) -> str:
    bits = [f"line {item.line}"] if item.line else []
    if item.sid:
        bits.append(f"Sid '{item.sid}'")
    return f" ({', '.join(bits)})" if bits else ""


def label(c: Change) -> str:
    """The policy in a sentence: its place in the file, or the file for a raw policy."""
    return c.location if c.location != "/" else c.file


def _items(changes: list[Change]):
    for c in changes:
        for side in SIDES:
            for item in getattr(c, side):
                yield c, side, item


def _escape(value: str, prop: bool = False) -> str:
    """A workflow command's message or property value."""
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value


def annotation(level: str, file: str, line: int | None, title: str, message: str) -> str:
    props = f"file={_escape(file, True)}" + (f",line={line}" if line else "") + f",title={_escape(title, True)}"
    return f"::{level} {props}::{_escape(message)}"


# -- diff -------------------------------------------------------------------------------------

def diff_text(changes: list[Change]) -> str:
    lines = []
    for c in changes:
        lines.append(f"{c.file}:{c.line}: {c.location} ({c.status})")
        for side, item in ((s, i) for s in SIDES for i in getattr(c, s)):
            if side == "unknown":
                lines.append(f"  UNKNOWN {describe(item)}: {item.reason}")
                continue
            lines.append(f"  {side.upper():7} {describe(item)}{where(item)}")
            lines.append(f"          e.g. {json.dumps(item.request, sort_keys=True)}")
    if not changes:
        lines.append("no change: both allow the same SES send requests")
    lines += [f"note: {note}" for note in sorted({c.note for c in changes if c.note})]
    return "\n".join(lines)


def diff_json(changes: list[Change]) -> dict:
    """`{"gained": [...], "lost": [...], "unknown": [...]}` (shared/DESIGN.md §3): each item with the
    place of its policy and of the statement behind it (gained: in NEW; lost: in OLD)."""
    out: dict = {side: [] for side in SIDES}
    for c, side, item in _items(changes):
        file = (c.old.file if side == "lost" and c.old else c.file)
        out[side].append({**item.to_json(), "file": file, "location": c.location, "name": c.name,
                          "status": c.status, "scope": c.scope})
    return out


def diff_github(changes: list[Change]) -> str:
    """One annotation per change, at the statement that allows it (gained: NEW; lost: OLD)."""
    out = []
    for c, side, item in _items(changes):
        if side == "gained":
            out.append(annotation("error", c.file, item.line or c.line, f"seslint diff: gained {item.action}",
                                  f"{label(c)} allows {describe(item)} that it did not, e.g. {example(item)}"))
        elif side == "lost":
            file = c.old.file if c.old else c.file
            out.append(annotation("notice", file, item.line or (c.old.line if c.old else c.line),
                                  f"seslint diff: lost {item.action}",
                                  f"{label(c)} no longer allows {describe(item)}, e.g. {example(item)}"))
        else:
            out.append(annotation("warning", c.file, c.line, f"seslint diff: undecided {item.action}", item.reason))
    return "\n".join(out)


# -- review -----------------------------------------------------------------------------------

def review_text(review) -> str:
    lines = [diff_text(review.changes)] if review.changes else []
    lines += [f"{f.file}:{f.line}:{f.column}: {f.rule} {f.severity} {f.message}" for f in review.findings]
    lines.append(summary(review))
    return "\n".join(lines)


def summary(review) -> str:
    counts = {side: sum(len(getattr(c, side)) for c in review.changes) for side in SIDES}
    head = review.head[:12] if review.head != "worktree" else "the work tree"
    policies = len(review.changes)
    return (f"reviewed {review.files} changed file{'s' if review.files != 1 else ''} from {review.base[:12]} to "
            f"{head}: {policies} polic{'ies' if policies != 1 else 'y'} changed what {'they' if policies != 1 else 'it'}"
            f" can send ({counts['gained']} gained, {counts['lost']} lost, {counts['unknown']} undecided), "
            f"{len(review.findings)} new lint finding{'s' if len(review.findings) != 1 else ''}")


def review_github(review) -> str:
    """Annotations on the changed lines, at most 10 per level (GitHub drops the rest), then a summary
    notice with the true counts."""
    levels: dict[str, list[str]] = {"error": [], "warning": [], "notice": []}
    for c, side, item in _items(review.changes):
        if side == "gained":
            levels["error"].append(annotation(
                "error", c.file, item.line or c.line, f"seslint review: gained {item.action}",
                f"{label(c)} now allows {describe(item)}, which the base did not: e.g. {example(item)}"))
        elif side == "lost":
            file, line = (c.file, c.new.line) if c.new else (c.old.file, item.line) if c.old else (c.file, None)
            levels["notice"].append(annotation(
                "notice", file, line, f"seslint review: lost {item.action}",
                f"{label(c)} no longer allows {describe(item)}: e.g. {example(item)}"))
        else:
            levels["warning"].append(annotation("warning", c.file, c.line, f"seslint review: undecided {item.action}",
                                                f"{label(c)}: {item.reason}"))
    level_of = {"error": "error", "warning": "warning", "info": "notice"}
    for f in review.findings:
        levels[level_of[f.severity]].append(annotation(level_of[f.severity], f.file, f.line,
                                                       f"{f.rule} {f.name}", f.message))
    out = []
    for level, found in levels.items():
        keep = ANNOTATIONS_PER_LEVEL - (level == "notice")   # the summary is a notice too
        out += found[:keep]
    counts = ", ".join(f"{len(found)} {level}{'s' if len(found) != 1 else ''}" for level, found in levels.items())
    shown = sum(min(len(found), ANNOTATIONS_PER_LEVEL - (level == "notice")) for level, found in levels.items())
    out.append(f"::notice title=seslint review::{_escape(summary(review))}; annotations: {counts} "
               f"({shown} shown; seslint review --format json lists all)")
    return "\n".join(out)


def review_json(review) -> dict:
    return review.to_json()


def review_sarif(review) -> str:
    """SARIF 2.1.0: the new lint findings (with the lint rules) and one result per gained, lost or
    undecided kind of send request."""
    from seslint.lint.report import SARIF_LEVEL, sarif

    log = json.loads(sarif(review.findings))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ours = {"gained": ("gained-send", "error", "A policy now allows SES send requests that it did not allow at base."),
            "lost": ("lost-send", "note", "A policy no longer allows SES send requests that it allowed at base."),
            "unknown": ("undecided-send", "warning", "seslint could not decide whether a policy's send reach changed.")}
    index = {}
    for side, (rule_id, level, text) in ours.items():
        index[side] = len(rules)
        rules.append({"id": rule_id, "name": rule_id, "shortDescription": {"text": text},
                      "fullDescription": {"text": text}, "defaultConfiguration": {"level": level}})
    for c, side, item in _items(review.changes):
        rule_id, level, _ = ours[side]
        file, line = c.file, item.line if side == "gained" else None
        if side == "lost" and c.new is None and c.old is not None:
            file, line = c.old.file, item.line
        text = (f"{label(c)}: {side} {describe(item)}" + (f", e.g. {example(item)}" if item.request else "")
                + (f": {item.reason}" if item.reason else ""))
        run["results"].append({
            "ruleId": rule_id, "ruleIndex": index[side], "level": SARIF_LEVEL.get(level, level),
            "message": {"text": text},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": file},
                                                "region": {"startLine": line or c.line}},
                           "logicalLocations": [{"fullyQualifiedName": c.location, "kind": "member"}]}]})
    return json.dumps(log, indent=2, sort_keys=True, ensure_ascii=False)


# -- markdown: the pull-request comment ---------------------------------------------------------

def review_markdown(review, limit: int = COMMENT_LIMIT) -> str:
    """A pull-request comment (first line the marker a bot finds it by), under `limit` characters:
    in full when it fits, else without the witness commands, else the counts and the first policies."""
    for detail in (2, 1, 0):
        text = _markdown(review, detail, limit)
        if len(text) < limit:
            return text
    return text[:limit - 200].rsplit("\n", 1)[0] + "\n\n_(cut to fit a comment: run `seslint review` for the rest)_\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}"


def _markdown(review, detail: int, limit: int) -> str:
    head = f"`{review.head[:12]}`" if review.head != "worktree" else "the work tree"
    gained = sum(len(c.gained) for c in review.changes)
    lines = [MARKER, "## seslint review: SES sending", "",
             f"From `{review.base[:12]}` to {head}: " + summary(review).split(": ", 1)[1] + ".", ""]
    if gained:
        lines += [f"**{gained} kind{'s' if gained != 1 else ''} of send request gained**: "
                  "each is allowed now and was not before, shown with a request that proves it.", ""]
    if detail < 2:
        lines += ["_The witness commands are left out to fit a comment: `seslint review --format json` has them._", ""]
    # what a reviewer must see first: gains, then what could not be decided, then losses
    ordered = sorted(review.changes, key=lambda c: (not c.gained, not c.unknown))
    for n, c in enumerate(ordered):
        if detail == 0 and sum(map(len, lines)) + len(lines) > limit - 2000:
            lines += [f"_…and {len(review.changes) - n} more changed policies: run `seslint review` for them._", ""]
            break
        lines += _change_markdown(c, detail)
    if review.findings:
        lines += ["### New lint findings", "", "| file | line | rule | severity | message |", "|---|---|---|---|---|"]
        for f in review.findings:
            lines.append(f"| {_cell(f.file)} | {f.line} | {f.rule} {f.name} | {f.severity} | {_cell(f.message)} |")
        lines.append("")
    return "\n".join(lines)


def _change_markdown(c: Change, detail: int) -> list[str]:
    where = f"{c.file}" + (f" (was {c.old.file})" if c.old and c.old.file != c.file else "")
    lines = [f"### {_code(where)}: {_code(c.location)} ({c.status})", ""]
    if c.reach:
        witness_for: dict[str | None, Item] = {}   # a gain to an outside recipient says most, then any gain, a loss
        for item in sorted(c.gained, key=lambda i: (not _outside(i, c), i.resource != "identity")) + c.lost:
            witness_for.setdefault(item.principal, item)
        header = "| principal or policy | allowed before | allowed now |" + (" witness |" if detail == 2 else "")
        lines += [header, "|---|---|---|" + ("---|" if detail == 2 else "")]
        for row in c.reach:
            who = caller(row["principal"]) if c.kind == "resource" else row["principal"]
            cells = [_code(who), _verdict(row["before"]), _verdict(row["after"])]
            if detail == 2:
                witness = witness_for.get(row["principal"] if c.kind == "resource" else None)
                command = witness.command() if witness else None
                cells.append((("gained: " if witness in c.gained else "lost: ") + _code(command)) if command else "")
            lines.append("| " + " | ".join(_cell(x) for x in cells) + " |")
        lines.append("")
    for side, label in (("gained", "Gained"), ("lost", "Lost"), ("unknown", "Undecided")):
        items = getattr(c, side)
        if not items:
            continue
        lines.append(f"**{label}**:")
        for item in items:
            text = f"- {_code(describe(item))}{where_md(item)}"
            text += f": {item.reason}" if side == "unknown" else f", e.g. {_code(example(item))}"
            lines.append(text)
        lines.append("")
    return lines


def _outside(item: Item, c: Change) -> bool:
    """Whether the witness mails a recipient outside every recipient pattern either side names."""
    from seslint.core.patterns import matches

    patterns = {v for s in (c.old, c.new) if s for d in s.docs for v in _recipient_patterns(d.value)}
    patterns.add("*@simulator.amazonses.com")
    context = {k.lower(): v for k, v in (item.request or {}).get("context", {}).items()}
    recipients = context.get("ses:recipients")
    return isinstance(recipients, list) and any(
        not any(matches(p, r, ignore_case=True) for p in patterns) for r in recipients)


def _recipient_patterns(value):
    raw = value.get("Statement") if isinstance(value, dict) else None
    for st in raw if isinstance(raw, list) else [raw]:
        conditions = st.get("Condition") if isinstance(st, dict) else None
        for keys in conditions.values() if isinstance(conditions, dict) else ():
            for key, values in keys.items() if isinstance(keys, dict) else ():
                if key.lower() == "ses:recipients":
                    yield from (v for v in (values if isinstance(values, list) else [values])
                                if isinstance(v, str) and "${" not in v)


def where_md(item: Item) -> str:
    return where(item).replace("Sid '", "Sid `").replace("')", "`)") if item.sid else where(item)


def _verdict(text: str) -> str:
    if text.startswith("only "):
        return "only " + ", ".join(_code(p) for p in text[5:].split(", "))
    return text
