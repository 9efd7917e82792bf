"""Java and Kotlin with the AWS SDK for Java 2.x: request builders (`SendEmailRequest.builder()
.fromEmailAddress(...).build()`, nested builders and consumer lambdas) and client calls with a
consumer (`client.sendEmail(b -> b.source(...))`). The package a request class is imported from
(`...services.sesv2.model` or `...services.ses.model`) tells the API.
"""

from __future__ import annotations

import re

from seslint.fromcode import sites, treesitter as T
from seslint.fromcode.model import CallSite, Value, runtime

_PACKAGE = re.compile(r"software\.amazon\.awssdk\.services\.(sesv2|ses)\.(?:model\.)?([A-Za-z0-9_]+|\*)")
_CLIENTS = {"SesClient": "ses", "SesV2Client": "sesv2", "SesAsyncClient": "ses", "SesV2AsyncClient": "sesv2"}
_STRING = {"string_literal", "line_string_literal", "multi_line_string_literal"}


class File:
    def __init__(self, path: str, text: str, language: str):
        self.path, self.language = path, language
        self.root, self.data = T.parse(language, text)
        self.classes: dict[str, str] = {}    # simple class name -> service
        self.wildcards: set[str] = set()
        for m in _PACKAGE.finditer(text):
            if m[2] == "*":
                self.wildcards.add(m[1])
            else:
                self.classes[m[2]] = m[1]
        self.consts: dict[str, list] = {}
        self.calls = []
        for node in T.walk(self.root):
            if node.type in ("method_invocation", "call_expression"):
                self.calls.append(node)
            elif node.type == "variable_declarator":      # Java
                name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
                if name is not None and value is not None:
                    self.consts.setdefault(self.text(name), []).append(value)
            elif node.type == "property_declaration":     # Kotlin
                decl = next((c for c in node.named_children if c.type == "variable_declaration"), None)
                value = node.named_children[-1] if node.named_child_count > 1 else None
                if decl is not None and value is not None and value is not decl:
                    ident = next((c for c in decl.named_children if c.type in ("identifier", "simple_identifier")),
                                 None)
                    if ident is not None:
                        self.consts.setdefault(self.text(ident), []).append(value)

    def text(self, node) -> str:
        return T.text(node, self.data)

    def service_of(self, name: str) -> str | None:
        if name in self.classes:
            return self.classes[name]
        return next(iter(self.wildcards)) if len(self.wildcards) == 1 else None

    # -- one call: (receiver, method name, argument nodes) --------------------------------
    def call(self, node):
        if node.type == "method_invocation":
            obj, name = node.child_by_field_name("object"), node.child_by_field_name("name")
            args = node.child_by_field_name("arguments")
            return obj, self.text(name) if name is not None else "", list(args.named_children) if args else []
        if node.type == "call_expression" and node.named_child_count:
            callee = node.named_children[0]
            rest = node.named_children[1:]
            args = []
            for part in rest:
                if part.type == "value_arguments":
                    args += [a.named_children[-1] if a.named_child_count else a for a in part.named_children]
                elif part.type == "annotated_lambda":
                    args += [c for c in part.named_children if c.type == "lambda_literal"]
                elif part.type == "call_suffix":
                    for sub in part.named_children:
                        if sub.type == "value_arguments":
                            args += [a.named_children[-1] if a.named_child_count else a for a in sub.named_children]
                        elif sub.type == "annotated_lambda":
                            args += [c for c in sub.named_children if c.type == "lambda_literal"]
            if callee.type == "navigation_expression" and callee.named_child_count >= 2:
                suffix = callee.named_children[-1]
                name = suffix.named_children[-1] if suffix.type == "navigation_suffix" else suffix
                return callee.named_children[0], self.text(name), args
            return None, self.text(callee), args
        return None

    def chain(self, node):
        """(root expression, [(method, args), ...]) of `root.a(x).b(y)`, innermost call first."""
        steps = []
        while node is not None and node.type in ("method_invocation", "call_expression"):
            found = self.call(node)
            if found is None:
                break
            receiver, name, args = found
            steps.append((name, args))
            if receiver is None:
                return None, steps[::-1]
            node = receiver
        return node, steps[::-1]

    # -- values --------------------------------------------------------------------------
    def value(self, node, depth: int = 0) -> Value:
        if node is None:
            return runtime("nothing")
        if node.type == "value_argument" and node.named_child_count:
            node = node.named_children[-1]
        if node.type in _STRING:
            if any(c.type in ("interpolation", "line_string_expression", "interpolated_expression",
                              "interpolated_identifier") for c in node.named_children):
                return runtime(self.text(node))
            return Value("".join(self.text(c) for c in node.named_children
                                 if c.type in ("string_fragment", "string_content", "line_str_text", "escape_sequence"))
                         if node.named_child_count else self.text(node)[1:-1])
        if depth < 6 and node.type in ("identifier", "simple_identifier"):
            assigned = self.consts.get(self.text(node), [])
            if len(assigned) == 1:
                return self.value(assigned[0], depth + 1)
        if depth < 6 and node.type in ("field_access", "navigation_expression"):
            last = node.named_children[-1]
            if last.type == "navigation_suffix":
                last = last.named_children[-1]
            assigned = self.consts.get(self.text(last), [])
            if len(assigned) == 1:
                return self.value(assigned[0], depth + 1)
        return runtime(self.text(node))

    def params(self, steps, depth: int = 0) -> sites.Params:
        items: dict = {}
        for name, args in steps:
            if name in ("builder", "build", "create") or not args:
                continue
            items[name] = self.member(args[0], depth + 1)
        return sites.Params(items)

    def member(self, node, depth: int = 0):
        if depth > 8:
            return runtime(self.text(node))
        if node.type in ("lambda_expression", "lambda_literal"):
            return self.lambda_params(node, depth)
        if node.type in ("method_invocation", "call_expression"):
            root, steps = self.chain(node)
            if steps and steps[-1][0] == "build" or any(n == "builder" for n, _ in steps):
                return self.params(steps, depth)
        if node.type in ("identifier", "simple_identifier"):
            assigned = self.consts.get(self.text(node), [])
            if len(assigned) == 1 and assigned[0].type in ("method_invocation", "call_expression"):
                return self.member(assigned[0], depth + 1)
        return self.value(node, depth)

    def lambda_params(self, node, depth: int) -> sites.Params:
        items: dict = {}
        body = [c for c in node.named_children if c.type not in ("identifier", "inferred_parameters",
                                                                    "formal_parameters", "lambda_parameters")]
        for part in body:
            for call in (n for n in T.walk(part) if n.type in ("method_invocation", "call_expression")):
                parent = call.parent
                if parent is not None and parent.type in ("method_invocation", "navigation_expression"):
                    continue   # only whole chains: the outermost call of each
                _, steps = self.chain(call)
                items.update(self.params(steps, depth + 1))
        return sites.Params(items)

    def regions(self) -> dict[str, Value]:
        """service -> the region its client builders name, when they agree."""
        found: dict[str, set] = {}
        for call in self.calls:
            root, steps = self.chain(call)
            if root is None or self.text(root) not in _CLIENTS or not steps or steps[-1][0] != "build":
                continue
            for name, args in steps:
                if name == "region" and args:
                    found.setdefault(_CLIENTS[self.text(root)], set()).add(self.region(args[0]))
        return {s: v.pop() for s, v in found.items() if len(v) == 1}

    def region(self, node) -> Value:
        if node.type == "value_argument" and node.named_child_count:
            node = node.named_children[-1]
        text = self.text(node)
        m = re.fullmatch(r"Region\.([A-Z0-9_]+)", text)
        if m:
            return Value(m[1].lower().replace("_", "-"))
        m = re.fullmatch(r"Region\.of\((.*)\)", text, re.S)
        if m and node.type in ("method_invocation", "call_expression"):
            found = self.call(node)
            return self.value(found[2][0]) if found and found[2] else runtime(text)
        return runtime(text)


def scan(path: str, text: str, language: str) -> list[CallSite]:
    if "software.amazon.awssdk.services.ses" not in text:
        return []
    f = File(path, text, language)
    regions = f.regions()
    out = []
    for call in f.calls:
        root, steps = f.chain(call)
        if root is None or not steps:
            continue
        name = f.text(root)
        if steps[0][0] == "builder" and name.endswith("Request"):
            service = f.service_of(name)
            if service is None or (call.parent is not None and call.parent.type in ("method_invocation",
                                                                                      "navigation_expression")):
                continue
            site = sites.build(path, T.line(call), "AWS SDK for Java 2.x", service, name, f.params(steps),
                               region=regions.get(service))
            if site is not None:
                out.append(site)
            continue
        found = f.call(call)
        if found is None:
            continue
        _, method, args = found
        services = {s for c, s in _CLIENTS.items() if c in f.classes}
        if len(services) != 1 or (args and args[0].type not in ("lambda_expression", "lambda_literal")):
            continue
        service = services.pop()
        params = f.lambda_params(args[0], 0) if args else sites.Params()
        if sites.operation(service, method) is None or method in ("builder", "create", "build"):
            continue
        site = sites.build(path, T.line(call), "AWS SDK for Java 2.x", service, method, params,
                           region=regions.get(service))
        if site is not None:
            out.append(site)
    return out
