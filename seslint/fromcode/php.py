"""PHP with the AWS SDK for PHP: `Aws\\Ses\\SesClient` and `Aws\\SesV2\\SesV2Client` (built with `new`
or `$sdk->createSesV2()`), methods called with an array of request members."""

from __future__ import annotations

import re

from seslint.fromcode import sites, treesitter as T
from seslint.fromcode.model import CallSite, Value, runtime

_CLASSES = {"SesClient": "ses", "SesV2Client": "sesv2"}
_FACTORIES = {"createSes": "ses", "createSesV2": "sesv2"}


class File:
    def __init__(self, path: str, text: str):
        self.path = path
        self.root, self.data = T.parse("php", text)
        self.clients: dict[str, tuple[str, Value | None]] = {}
        self.consts: dict[str, list] = {}
        self.calls = []
        for node in T.walk(self.root):
            if node.type == "assignment_expression":
                left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
                self.consts.setdefault(self.name(left), []).append(right)
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

    def construct(self, node) -> tuple[str, Value | None] | None:
        if node is None:
            return None
        if node.type == "object_creation_expression":
            cls = next((c for c in node.named_children if c.type in ("name", "qualified_name")), None)
            service = _CLASSES.get(self.text(cls).rsplit("\\", 1)[-1]) if cls is not None else None
            if service is None:
                return None
            args = next((c for c in node.named_children if c.type == "arguments"), None)
            options = self.params(args.named_children[0].named_children[0]) if args is not None and \
                args.named_child_count and args.named_children[0].named_child_count else sites.Params()
            region = options.get("region")
            return service, region if isinstance(region, Value) else None
        if node.type == "member_call_expression":
            method = self.text(node.child_by_field_name("name"))
            if method in _FACTORIES:
                return _FACTORIES[method], None
        return None

    def value(self, node, depth: int = 0) -> Value:
        if node is None:
            return runtime("nothing")
        if node.type in ("string", "encapsed_string"):
            if any(c.type not in ("string_content", "string_value", "escape_sequence") for c in node.named_children):
                return runtime(self.text(node))
            return Value("".join(self.text(c) for c in node.named_children))
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
    if "Ses" not in text:
        return []
    f = File(path, text)
    services = {s for c, s in _CLASSES.items() if c in text}
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
        site = sites.build(path, T.line(call), "AWS SDK for PHP", client[0], method, params, region=client[1])
        if site is not None:
            out.append(site)
    return out
