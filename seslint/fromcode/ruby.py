"""Ruby: `Aws::SES::Client` and `Aws::SESV2::Client` calls with keyword arguments, and Rails'
ActionMailer delivery methods of aws-actionmailer-ses / aws-sdk-rails (`:ses`, `:ses_v2`...), whose
From is the mailers' `default from:`."""

from __future__ import annotations

import re

from seslint.fromcode import sites, treesitter as T
from seslint.fromcode.model import CallSite, Value, runtime

_CLIENTS = {"Aws::SES::Client": "ses", "Aws::SESV2::Client": "sesv2"}


class File:
    def __init__(self, path: str, text: str):
        self.path = path
        self.root, self.data = T.parse("ruby", text)
        self.consts: dict[str, list] = {}
        self.clients: dict[str, tuple[str, Value | None]] = {}
        self.calls = []
        self.assignments = []
        for node in T.walk(self.root):
            if node.type in ("assignment", "operator_assignment"):
                left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
                if left is None or right is None:
                    continue
                self.assignments.append(node)
                self.consts.setdefault(self.name(left), []).append(right)
                built = self.construct(right)
                if built is not None:
                    self.clients[self.name(left)] = built
            elif node.type == "call":
                self.calls.append(node)

    def text(self, node) -> str:
        return T.text(node, self.data)

    def name(self, node) -> str:
        return self.text(node).lstrip("@$").split(".")[-1]

    def construct(self, node) -> tuple[str, Value | None] | None:
        if node is None or node.type != "call":
            return None
        receiver, method = node.child_by_field_name("receiver"), node.child_by_field_name("method")
        if receiver is None or method is None or self.text(method) != "new":
            return None
        service = _CLIENTS.get(self.text(receiver).lstrip(":"))
        if service is None:
            return None
        options = self.params(node.child_by_field_name("arguments"))
        region = options.get("region")
        return service, region if isinstance(region, Value) else None

    def value(self, node, depth: int = 0) -> Value:
        if node is None:
            return runtime("nothing")
        if node.type == "string":
            if any(c.type == "interpolation" for c in node.named_children):
                return runtime(self.text(node))
            return Value("".join(self.text(c) for c in node.named_children if c.type == "string_content"))
        if node.type in ("simple_symbol",):
            return Value(self.text(node).lstrip(":"))
        if depth < 6 and node.type in ("identifier", "constant", "instance_variable", "scope_resolution"):
            assigned = self.consts.get(self.name(node).split("::")[-1], [])
            if len(assigned) == 1:
                return self.value(assigned[0], depth + 1)
        return runtime(self.text(node))

    def params(self, node, depth: int = 0) -> sites.Params:
        """Keyword arguments or a hash literal as Params."""
        if node is None or depth > 8:
            return sites.Params()
        if node.type in ("identifier", "instance_variable", "constant"):
            assigned = self.consts.get(self.name(node), [])
            return self.params(assigned[0], depth + 1) if len(assigned) == 1 else sites.opaque(self.text(node))
        items: dict = {}
        hidden = ""
        children = node.named_children
        if node.type == "argument_list" and len(children) == 1 and children[0].type in ("hash", "identifier"):
            return self.params(children[0], depth + 1)
        for pair in children:
            if pair.type == "pair":
                key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
                name = self.text(key).rstrip(":").lstrip(":").strip("'\"")
                items[name] = self.params(value, depth + 1) if value.type == "hash" else self.value(value, depth + 1)
            elif pair.type in ("hash_splat_argument", "splat_argument"):
                hidden = self.text(pair)
        return sites.Params(items, opaque=hidden)


def scan(path: str, text: str, language: str) -> list[CallSite]:
    if "SES" not in text:
        return []
    f = File(path, text)
    services = {s for c, s in _CLIENTS.items() if c in text}
    out = []
    for call in f.calls:
        receiver, method = call.child_by_field_name("receiver"), call.child_by_field_name("method")
        if receiver is None or method is None:
            continue
        client = f.construct(receiver) or f.clients.get(f.name(receiver))
        if client is None and len(services) == 1 and "ses" in f.name(receiver).lower():
            client = (next(iter(services)), None)
        if client is None:
            continue
        site = sites.build(path, T.line(call), "AWS SDK for Ruby", client[0], f.text(method),
                           f.params(call.child_by_field_name("arguments")), region=client[1])
        if site is not None:
            out.append(site)
    return out


def scan_all(texts: list[tuple[str, str]]) -> list[CallSite]:
    """ActionMailer: a delivery method of SES in the config, with the mailers' `default from:`."""
    methods = sites.facts()["libraries"]["actionmailer"]["delivery_methods"]
    found: list[tuple[str, int, str]] = []
    froms: list[Value] = []
    regions: dict[str, Value] = {}
    for path, text in texts:
        if "action_mailer" not in text and "default" not in text and "ses_settings" not in text:
            continue
        f = File(path, text)
        for node in f.assignments:
            left = f.text(node.child_by_field_name("left"))
            right = node.child_by_field_name("right")
            if left.endswith("action_mailer.delivery_method"):
                method = f.value(right).text
                if method is not None and method in methods:
                    found.append((path, T.line(node), method))
            m = re.search(r"action_mailer\.(ses_v2|sesv2|ses)_settings$", left)
            if m:
                region = f.params(right).get("region")
                if isinstance(region, Value):
                    regions[m[1]] = region
        for call in f.calls:
            if f.text(call.child_by_field_name("method")) == "default" and call.child_by_field_name("receiver") is None:
                sender = f.params(call.child_by_field_name("arguments")).get("from")
                if sender is not None:
                    froms.append(sender if isinstance(sender, Value) else runtime("default from:"))
    out = []
    for path, line, method in found:
        service, op = methods[method].split(":")
        senders = sorted(set(froms), key=lambda v: (v.text is None, v.text or v.expr)) or \
            [runtime("the From of each mail (no default from: found)")]
        for sender in senders:
            params = sites.Params({"FromEmailAddress" if service == "sesv2" else "Source": sender})
            site = sites.build(path, line, f"ActionMailer :{method}", service, op, params, contents=("raw",),
                               region=regions.get(method) or regions.get(method.replace("_", "")))
            if site is not None:
                out.append(site)
    return out
