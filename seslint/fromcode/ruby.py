"""Ruby: `Aws::SES::Client` and `Aws::SESV2::Client` calls with keyword arguments, and Rails'
ActionMailer delivery methods of aws-actionmailer-ses / aws-sdk-rails (`:ses`, `:ses_v2`...) or its
SMTP delivery to an SES endpoint (`smtp_settings = { address: 'email-smtp...' }`), whose From is the
mailers' `default from:`.

Ruby constants are global, so the files are read together (`scan_all`): a constant another file
defines (`SENDER = 'a@example.com'.freeze` in config.rb) is a literal wherever it is used, and so is a
method parameter every call in the file passes the same literal for."""

from __future__ import annotations

import re

from seslint.fromcode import sites, treesitter as T
from seslint.fromcode.model import CallSite, Value, runtime

_CLIENTS = {"Aws::SES::Client": "ses", "Aws::SESV2::Client": "sesv2"}


class File:
    def __init__(self, path: str, text: str, shared: dict | None = None):
        self.path = path
        self.shared = shared or {}   # constant -> the literal Values other files assign it
        self.root, self.data = T.parse("ruby", text)
        self.consts: dict[str, list] = {}
        self.clients: dict[str, tuple[str, Value | None]] = {}
        self.calls = []
        self.assignments = []
        self.methods: dict[str, list] = {}   # name -> the `def`s of that name in the file
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
            elif node.type == "method" and node.child_by_field_name("name") is not None:
                self.methods.setdefault(self.text(node.child_by_field_name("name")), []).append(node)

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
            parts = node.named_children
            if any(c.type == "interpolation" for c in parts):
                last = max(i for i, c in enumerate(parts) if c.type == "interpolation")
                tail = "".join(self.text(c) for c in parts[last + 1:] if c.type == "string_content")
                # "#{name} Team <noreply@example.com>": the display name is computed, the address is not
                return sites.trailing_address(tail) or runtime(self.text(node))
            return Value("".join(self.text(c) for c in node.named_children if c.type == "string_content"))
        if node.type in ("simple_symbol",):
            return Value(self.text(node).lstrip(":"))
        if node.type == "call" and depth < 6:
            receiver, method = node.child_by_field_name("receiver"), self.text(node.child_by_field_name("method"))
            args = node.child_by_field_name("arguments")
            if receiver is not None and method in ("freeze", "dup", "to_s", "strip"):
                return self.value(receiver, depth + 1)
            if receiver is None and method == "email_address_with_name" and args is not None and args.named_child_count:
                return self.value(args.named_children[0], depth + 1)   # Rails: the address, then a display name
        if node.type in ("lambda", "block", "do_block") and depth < 6:   # -> { ... }: what the block returns
            body = next((c for c in node.named_children if c.type in ("block", "block_body", "body_statement")),
                        None)
            return self.value(body, depth + 1) if body is not None else runtime(self.text(node))
        if node.type in ("block_body", "body_statement") and node.named_child_count and depth < 6:
            return self.value(node.named_children[-1], depth + 1)   # a body's value is its last expression
        if depth < 6 and node.type in ("identifier", "constant", "instance_variable", "scope_resolution"):
            name = self.name(node).split("::")[-1]
            assigned = self.consts.get(name, [])
            if len(assigned) == 1:
                return self.value(assigned[0], depth + 1)
            if not assigned and node.type in ("constant", "scope_resolution") and len(self.shared.get(name, ())) == 1:
                return next(iter(self.shared[name]))
            if not assigned and node.type == "identifier":
                passed = self.argument(node, depth)
                if passed is not None:
                    return passed
                defs = self.methods.get(name, [])
                if len(defs) == 1 and defs[0].child_by_field_name("parameters") is None:
                    return self.value(next((c for c in defs[0].named_children if c.type == "body_statement"), None),
                                      depth + 1)   # a method without arguments, called bare: what it returns
        return runtime(self.text(node))

    def argument(self, node, depth: int) -> Value | None:
        """The literal every call in the file passes for the method parameter `node` names, if one."""
        method = node.parent
        while method is not None and method.type != "method":
            method = method.parent
        params = method.child_by_field_name("parameters") if method is not None else None
        names = [self.text(p) for p in params.named_children] if params is not None else []
        if self.text(node) not in names:
            return None
        index, def_name = names.index(self.text(node)), self.text(method.child_by_field_name("name"))
        values = set()
        for call in self.calls:
            args = call.child_by_field_name("arguments")
            if self.text(call.child_by_field_name("method")) != def_name or call.child_by_field_name("receiver") \
                    is not None or args is None or len(args.named_children) <= index:
                continue
            values.add(self.value(args.named_children[index], depth + 1))
        return values.pop() if len(values) == 1 and all(v.literal for v in values) else None

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
    """Nothing file by file: `scan_all` reads the Ruby files together (constants are global)."""
    return []


def _client_sites(f: File, text: str) -> list[CallSite]:
    if "SES" not in text:
        return []
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
        site = sites.build(f.path, T.line(call), "AWS SDK for Ruby", client[0], f.text(method),
                           f.params(call.child_by_field_name("arguments")), region=client[1])
        if site is not None:
            out.append(site)
    return out


def scan_all(texts: list[tuple[str, str]]) -> list[CallSite]:
    """The SDK calls of every file, then ActionMailer: a delivery method of SES (or SMTP to an SES
    endpoint) in the config, with the mailers' `default from:`."""
    shared: dict[str, set] = {}
    for path, text in texts:
        if "=" in text:
            first = File(path, text)
            for node in first.assignments:
                left = node.child_by_field_name("left")
                value = first.value(node.child_by_field_name("right"))
                if left.type == "constant" and value.literal:
                    shared.setdefault(first.text(left), set()).add(value)
    files = [File(path, text, shared) for path, text in texts]
    out: list[CallSite] = [s for f, (_, text) in zip(files, texts, strict=True) for s in _client_sites(f, text)]
    return out + _mailer_sites(files, texts)


def _mailer_sites(files: list[File], texts: list[tuple[str, str]]) -> list[CallSite]:
    methods = sites.facts()["libraries"]["actionmailer"]["delivery_methods"]
    found: list[tuple[str, int, str]] = []
    froms: list[Value] = []
    regions: dict[str, Value] = {}
    for f, (path, text) in zip(files, texts, strict=True):
        if "action_mailer" not in text and "default" not in text and "ses_settings" not in text:
            continue
        for node in f.assignments:
            left = f.text(node.child_by_field_name("left"))
            right = node.child_by_field_name("right")
            if left.endswith("action_mailer.delivery_method"):
                method = f.value(right).text
                if method is not None and method in methods:
                    found.append((path, T.line(node), method))
            if left.endswith("smtp_settings"):
                host = f.params(right).get("address")
                region = sites.smtp_region(host.text) if isinstance(host, Value) and host.text else None
                if region:
                    found.append((path, T.line(node), "smtp:" + region))
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
        senders = sorted(set(froms), key=lambda v: (v.text is None, v.text or v.expr)) or \
            [runtime("the From of each mail (no default from: found)")]
        if method.startswith("smtp:"):
            out += [sites.smtp_site(path, line, "ActionMailer SMTP", sender=sender, region=Value(method[5:]))
                    for sender in senders]
            continue
        service, op = methods[method].split(":")
        for sender in senders:
            params = sites.Params({"FromEmailAddress" if service == "sesv2" else "Source": sender})
            site = sites.build(path, line, f"ActionMailer :{method}", service, op, params, contents=("raw",),
                               region=regions.get(method) or regions.get(method.replace("_", "")))
            if site is not None:
                out.append(site)
    return out
