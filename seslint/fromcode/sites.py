"""From what a scanner read (service, method, request members) to a `CallSite`.

Every SDK names the same request members (`FromEmailAddress`, `from_email_address`,
`fromEmailAddress`): keys are compared without case and underscores. A scanner hands over the
members as `Params`: a dict from normalised member name to a `Value`, a nested `Params`, or a
list. `Params.opaque` says the object also has parts the scanner could not read (`**kwargs`,
`...spread`, a map built at run time): a member that is absent may then be there at run time.
"""

from __future__ import annotations

import re
from functools import lru_cache

from seslint.fromcode.model import CallSite, Value, runtime


def norm(name: str) -> str:
    """A member name as compared: `From_Email-Address` -> `fromemailaddress`."""
    return re.sub(r"[_\-\s]", "", name).lower()


class Params(dict):
    """Request members by normalised name; `opaque` names what could not be read, if anything."""

    def __init__(self, items=(), opaque: str = ""):
        super().__init__((norm(k), v) for k, v in dict(items).items())
        self.opaque = opaque

    def at(self, path: str):
        """The node at a dotted member path (`Content.Template.TemplateName`), or None."""
        node: object = self
        for part in path.split("."):
            if not isinstance(node, Params):
                return None
            node = node.get(norm(part))
        return node

    def open_at(self, path: str) -> str:
        """What makes the member at `path` unknowable when it is absent: the opaque part on the way."""
        node: object = self
        for part in path.split("."):
            if not isinstance(node, Params):
                return ""
            if norm(part) not in node:
                return node.opaque
            node = node[norm(part)]
        return ""


def opaque(expr: str) -> Params:
    """A request object the scanner cannot read at all (a variable built at run time)."""
    return Params({}, opaque=expr or "a request built at run time")


@lru_cache(maxsize=1)
def facts() -> dict:
    from seslint import data

    return data.load("code-calls.json")


@lru_cache(maxsize=1)
def _operations() -> dict[tuple[str, str], str]:
    from seslint.matrix import load_matrix

    matrix = load_matrix()
    names = set(matrix.operations) | {q["operation"] for q in matrix.quirks.values() if q["kind"] == "operation-mapping"}
    return {(n.split(":", 1)[0], norm(n.split(":", 1)[1])): n for n in names}


def operation(service: str, name: str) -> str | None:
    """`service:Operation` for a method, command or request type name (`send_raw_email`,
    `SendRawEmailCommand`, `SendEmailRequest`, `SendEmailInput`), or None when SES has no such operation."""
    key = norm(name)
    for suffix in ("command", "request", "input", "async"):
        if key.endswith(suffix) and (service, key[: -len(suffix)]) in _operations():
            key = key[: -len(suffix)]
            break
    return _operations().get((service, key))


def _first(params: Params, members, label: str) -> Value | None:
    """The first member present, as a Value; runtime when only an opaque part could hold it."""
    for member in members:
        node = params.at(member)
        if isinstance(node, Value):
            return node
        if node is not None:
            return runtime(f"{member} built at run time")
    hidden = next((params.open_at(m) for m in members if params.open_at(m)), "")
    return runtime(f"{label} in {hidden}") if hidden else None


def _contents(spec: dict, params: Params) -> tuple[str, ...]:
    if "contents" in spec:
        return tuple(spec["contents"])
    every = tuple(dict.fromkeys(facts()["content_members"].values()))
    node = params.at(spec["contents_from"])
    if isinstance(node, Params):
        found = tuple(kind for member, kind in facts()["content_members"].items() if norm(member) in node)
        return found if found and not node.opaque else every
    return every


def _template_name(value: Value | None) -> Value | None:
    if value is None or value.text is None or ":template/" not in value.text:
        return value
    return Value(value.text.split(":template/", 1)[1], value.expr)


def build(file: str, line: int, library: str, service: str, name: str, params: Params | None, *,
          region: Value | None = None, raw_from: Value | None = None, raw_configuration_set: Value | None = None,
          contents: tuple[str, ...] | None = None) -> CallSite | None:
    """The call site of one SES call, or None when `name` is no SES operation of `service`.

    `raw_from` and `raw_configuration_set` are what the scanner found in the raw message itself
    (its From and X-SES-CONFIGURATION-SET headers); `contents` overrides the content kinds (a
    library that decides at run time)."""
    op = operation(service, name)
    if op is None:
        return None
    params = params if params is not None else Params()
    spec = facts()["sends"].get(op)
    if spec is None:
        return CallSite(file, line, library, op, region=region, resources=_resources(op, params))
    kinds = contents or _contents(spec, params)
    sender = _first(params, spec["from"], "the From address")
    if sender is None and "raw" in kinds:
        sender = raw_from or runtime("the From header of the raw message")
    if sender is None:
        sender = runtime("no From address in the call")
    template = _template_name(_first(params, spec["template"], "the template")) if \
        {"template", "bulk"} & set(kinds) else None
    if template is None and {"template", "bulk"} & set(kinds):
        template = runtime("the template")
    configuration_set = _first(params, spec["configuration_set"], "the configuration set") or raw_configuration_set
    return CallSite(file, line, library, op, contents=kinds, sender=sender,
                    source_arn=_first(params, spec["identity_arn"], "the identity ARN"),
                    configuration_set=configuration_set, template=template, region=region)


def _resources(op: str, params: Params) -> tuple[tuple[str, Value], ...]:
    """(resource type, name) for each resource type the operation's actions take and the call names."""
    from seslint.matrix import load_matrix

    matrix = load_matrix()
    types = {t for variant in matrix.operation(op) for grant in variant["authorizes"] for t in grant["resources"]}
    out = []
    for rtype in sorted(types):
        value = _first(params, facts()["resource_parameters"].get(rtype, ()), rtype)
        if value is not None:
            out.append((rtype, value))
    return tuple(out)


_TRAILING_ADDRESS = re.compile(r"^[^<>]*(<[^<>@\s]+@[^<>@\s]+>)\s*$")


def trailing_address(literal_tail: str) -> Value | None:
    """The `<address>` that ends a From whose display name is computed at run time: given the literal
    text after the last computed part (" Team <noreply@example.com>"), the `<noreply@example.com>`."""
    m = _TRAILING_ADDRESS.match(literal_tail)
    return Value(m[1]) if m else None


def smtp_region(host: str) -> str | None:
    """The region of an SES SMTP endpoint host name, or None when the host is not one."""
    m = re.match(facts()["smtp"]["host"], host.strip().lower())
    return m["region"] if m else None


def smtp_site(file: str, line: int, library: str, *, sender: Value | None, region: Value | None,
              configuration_set: Value | None = None) -> CallSite:
    """A message handed to the SES SMTP interface (authorized as ses:SendRawEmail)."""
    return CallSite(file, line, library, "smtp:SendRawEmail", contents=("raw",),
                    sender=sender or runtime("the From header of the message"), region=region,
                    configuration_set=configuration_set)
