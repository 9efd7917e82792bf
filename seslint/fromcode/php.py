"""PHP with the AWS SDK for PHP: `Aws\\Ses\\SesClient` and `Aws\\SesV2\\SesV2Client` (built with `new`,
`SesClient::factory(...)` or `$sdk->createSesV2()`; PHP class names are case-insensitive), methods
called with an array of request members. A raw message built with PHPMailer gives its From
(`setFrom`) and configuration set (`addCustomHeader('X-SES-CONFIGURATION-SET', ...)`); PHPMailer
sending over SMTP to an SES endpoint (`$mail->Host = 'email-smtp.<region>.amazonaws.com'`) is an
SES send at each `$mail->send()`.

Laravel sends through SES too: its `ses` transport (`Illuminate\\Mail\\Transport\\SesTransport`,
SendRawEmail) and `ses-v2` transport (SesV2Transport, v2 SendEmail with raw content), chosen in the
mail configuration (`'transport' => 'ses'`, or `'driver' => 'ses'` before Laravel 7) or built in code."""

from __future__ import annotations

import re

from seslint.fromcode import sites, treesitter as T
from seslint.fromcode.model import CallSite, Value, runtime

_CLASSES = {"sesclient": "ses", "sesv2client": "sesv2"}
_FACTORIES = {"createses": "ses", "createsesv2": "sesv2"}
_TRANSPORTS = {"sestransport": "ses", "sesv2transport": "sesv2"}   # Laravel's, keyed like the config
_LARAVEL = {"ses": "ses", "ses-v2": "sesv2"}


class File:
    def __init__(self, path: str, text: str):
        self.path = path
        self.root, self.data = T.parse("php", text)
        self.clients: dict[str, tuple[str, Value | None]] = {}
        self.consts: dict[str, list] = {}
        self.calls = []
        self.news = []
        self.elements = []
        self.hosts = []   # `$mail->Host = ...` assignments (PHPMailer)
        for node in T.walk(self.root):
            if node.type == "object_creation_expression":
                self.news.append(node)
            elif node.type == "array_element_initializer" and node.named_child_count == 2:
                self.elements.append(node)
            if node.type == "assignment_expression":
                left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
                self.consts.setdefault(self.name(left), []).append(right)
                if left is not None and left.type == "member_access_expression" and \
                        self.text(left.child_by_field_name("name")) == "Host":
                    self.hosts.append(node)
                built = self.construct(right)
                if built is not None:
                    self.clients[self.name(left)] = built
            elif node.type == "const_element" and node.named_child_count == 2:
                self.consts.setdefault(self.text(node.named_children[0]), []).append(node.named_children[1])
            elif node.type == "member_call_expression":
                self.calls.append(node)
            elif node.type == "function_call_expression" and self.text(node.child_by_field_name("function")) == \
                    "define":
                args = [a.named_children[0] for a in node.child_by_field_name("arguments").named_children
                        if a.named_child_count]
                if len(args) == 2:
                    self.consts.setdefault(str(self.value(args[0]).text), []).append(args[1])

    def text(self, node) -> str:
        return T.text(node, self.data)

    def name(self, node) -> str:
        """`$ses`, `$this->ses`, `self::$ses` -> `ses`."""
        return re.split(r"->|::", self.text(node))[-1].lstrip("$")

    def class_name(self, node) -> str:
        """`new \\Aws\\SES\\SESClient(...)` -> `sesclient` (PHP class names are case-insensitive)."""
        cls = next((c for c in node.named_children if c.type in ("name", "qualified_name")), None)
        return self.text(cls).rsplit("\\", 1)[-1].lower() if cls is not None else ""

    def first_argument(self, node):
        args = node.child_by_field_name("arguments") or next((c for c in node.named_children if c.type == "arguments"),
                                                             None)
        return args.named_children[0].named_children[0] if args is not None and args.named_child_count and \
            args.named_children[0].named_child_count else None

    def construct(self, node) -> tuple[str, Value | None] | None:
        if node is None:
            return None
        if node.type == "object_creation_expression" or node.type == "scoped_call_expression" and \
                self.text(node.child_by_field_name("name")).lower() == "factory":
            name = self.class_name(node) if node.type == "object_creation_expression" else \
                self.text(node.child_by_field_name("scope")).rsplit("\\", 1)[-1].lower()
            service = _CLASSES.get(name)
            if service is None:
                return None
            first = self.first_argument(node)
            options = self.params(first) if first is not None else sites.Params()
            region = options.get("region")
            return service, region if isinstance(region, Value) else None
        if node.type == "member_call_expression":
            method = self.text(node.child_by_field_name("name")).lower()
            if method in _FACTORIES:
                return _FACTORIES[method], None
        return None

    def raw_headers(self) -> tuple[Value | None, Value | None]:
        """The From and X-SES-CONFIGURATION-SET a PHPMailer message in this file is given, when one each."""
        header = sites.facts()["smtp"]["configuration_set_header"].lower()
        froms, sets = set(), set()
        for call in self.calls:
            method = self.text(call.child_by_field_name("name"))
            args = [a.named_children[0] for a in call.child_by_field_name("arguments").named_children
                    if a.named_child_count] if call.child_by_field_name("arguments") is not None else []
            if method == "setFrom" and args:
                froms.add(self.value(args[0]))
            elif method == "addCustomHeader" and len(args) >= 2 and (self.value(args[0]).text or "").lower() == header:
                sets.add(self.value(args[1]))
        return (froms.pop() if len(froms) == 1 else None), (sets.pop() if len(sets) == 1 else None)

    def value(self, node, depth: int = 0) -> Value:
        if node is None:
            return runtime("nothing")
        if node.type in ("string", "encapsed_string"):
            if any(c.type not in ("string_content", "string_value", "escape_sequence") for c in node.named_children):
                return runtime(self.text(node))
            return Value("".join(self.text(c) for c in node.named_children))
        if node.type == "function_call_expression" and self.text(node.child_by_field_name("function")) == "env":
            return runtime(self.text(node))   # env('X', 'default'): the environment decides
        if depth < 6 and node.type in ("name", "variable_name", "class_constant_access_expression"):
            key = self.text(node).lstrip("$").rsplit("::", 1)[-1]
            assigned = self.consts.get(key, [])
            if len(assigned) == 1:
                return self.value(assigned[0], depth + 1)
        return runtime(self.text(node))

    def params(self, node, depth: int = 0) -> sites.Params:
        if node is None or depth > 8:
            return sites.opaque("")
        if node.type == "variable_name":
            assigned = self.consts.get(self.name(node), [])
            return self.params(assigned[0], depth + 1) if len(assigned) == 1 else sites.opaque(self.text(node))
        if node.type != "array_creation_expression":
            return sites.opaque(self.text(node))
        items: dict = {}
        hidden = ""
        for element in node.named_children:
            if element.type != "array_element_initializer":
                continue
            parts = element.named_children
            if len(parts) == 2:
                key = self.value(parts[0])
                if key.text is None:
                    hidden = self.text(parts[0])
                    continue
                value = parts[1]
                items[key.text] = self.params(value, depth + 1) if value.type == "array_creation_expression" \
                    else self.value(value, depth + 1)
            elif parts and parts[0].type == "variadic_unpacking":
                hidden = self.text(parts[0])
        return sites.Params(items, opaque=hidden)


def scan(path: str, text: str, language: str) -> list[CallSite]:
    if not re.search(r"(?i)ses|email-smtp", text):
        return []
    f = File(path, text)
    lowered = text.lower()
    services = {s for c, s in _CLASSES.items() if c in lowered}
    raw_from, raw_cs = f.raw_headers()
    out = []
    for call in f.calls:
        method = f.text(call.child_by_field_name("name"))
        client = f.clients.get(f.name(call.child_by_field_name("object")))
        if client is None and len(services) == 1 and f.name(call.child_by_field_name("object")).lower().find("ses") >= 0:
            client = (next(iter(services)), None)
        if client is None:
            continue
        args = call.child_by_field_name("arguments")
        first = args.named_children[0].named_children[0] if args is not None and args.named_child_count and \
            args.named_children[0].named_child_count else None
        params = f.params(first) if first is not None else sites.Params()
        site = sites.build(path, T.line(call), "AWS SDK for PHP", client[0], method, params, region=client[1],
                           raw_from=raw_from, raw_configuration_set=raw_cs)
        if site is not None:
            out.append(site)
    return out + _laravel(f) + _phpmailer_smtp(f, raw_from, raw_cs)


def _phpmailer_smtp(f: File, sender: Value | None, configuration_set: Value | None) -> list[CallSite]:
    """PHPMailer objects whose `Host` is an SES SMTP endpoint: each `send()` on them is an SMTP send."""
    hosts: dict[str, str] = {}   # object ($mail) -> region
    for node in f.hosts:
        left = node.child_by_field_name("left")
        host = f.value(node.child_by_field_name("right")).text
        region = sites.smtp_region(host) if host else None
        if region:
            hosts[f.text(left.child_by_field_name("object"))] = region
    if not hosts:
        return []
    out = []
    for call in f.calls:
        target = f.text(call.child_by_field_name("object"))
        if target in hosts and f.text(call.child_by_field_name("name")).lower() == "send":
            out.append(sites.smtp_site(f.path, T.line(call), "PHPMailer (SMTP)", sender=sender, region=Value(hosts[target]),
                                       configuration_set=configuration_set))
    return out


def _laravel(f: File) -> list[CallSite]:
    """Laravel's SES transports, built in code or chosen in the mail configuration."""
    out = []
    for node in f.news:
        service = _TRANSPORTS.get(f.class_name(node))
        if service is not None:
            client = f.construct(f.first_argument(node))
            out.append(_transport_site(f, node, service, client[1] if client else None))
    if "/config/" in "/" + f.path or f.path.startswith("config/"):
        froms = [f.params(e.named_children[1]).get("address") for e in f.elements
                 if f.value(e.named_children[0]).text == "from" and e.named_children[1].type == "array_creation_expression"]
        sender = froms[0] if len(froms) == 1 and isinstance(froms[0], Value) else None
        for element in f.elements:
            key, value = (f.value(c).text for c in element.named_children)
            if key in ("transport", "driver") and value in _LARAVEL:
                out.append(_transport_site(f, element, _LARAVEL[value], None, sender))
    return out


def _transport_site(f: File, node, service: str, region, sender: Value | None = None) -> CallSite:
    sender = sender or runtime("the From of each mail (config('mail.from') or the mailable's)")
    params = sites.Params({"Source" if service == "ses" else "FromEmailAddress": sender})
    site = sites.build(f.path, T.line(node), "Laravel mail", service, "SendRawEmail" if service == "ses" else "SendEmail",
                       params, region=region, contents=("raw",))
    assert site is not None
    return site
