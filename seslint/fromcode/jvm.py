"""Java and Kotlin: the AWS SDK for Java 2.x (request builders `SendEmailRequest.builder()
.fromEmailAddress(...).build()`, nested builders and consumer lambdas, client calls with a consumer
`client.sendEmail(b -> b.source(...))`), the AWS SDK for Java 1.x (`new SendEmailRequest().withSource(...)`
and setters on the request variable) and the AWS SDK for Kotlin (DSL requests `SendEmailRequest { source
= ... }` and `client.sendEmail { ... }`). The package a request class is imported from (`...ses` or
`...sesv2`, `...simpleemail` or `...simpleemailv2`) tells the API.
"""

from __future__ import annotations

import re

from seslint.fromcode import sites, treesitter as T
from seslint.fromcode.model import CallSite, Value, runtime

_PACKAGE = re.compile(r"(?:software\.amazon\.awssdk\.services|aws\.sdk\.kotlin\.services|com\.amazonaws\.services)\."
                      r"(sesv2|ses|simpleemailv2|simpleemail)\.(?:model\.)?([A-Za-z0-9_]+|\*)")
_SERVICE = {"ses": "ses", "sesv2": "sesv2", "simpleemail": "ses", "simpleemailv2": "sesv2"}
_CLIENTS = {"SesClient": "ses", "SesV2Client": "sesv2", "SesAsyncClient": "ses", "SesV2AsyncClient": "sesv2",
            "AmazonSimpleEmailService": "ses", "AmazonSimpleEmailServiceClient": "ses",
            "AmazonSimpleEmailServiceAsync": "ses", "AmazonSimpleEmailServiceV2": "sesv2"}
_BUILDERS = {"AmazonSimpleEmailServiceClientBuilder": "ses", "AmazonSimpleEmailServiceAsyncClientBuilder": "ses",
             "AmazonSimpleEmailServiceV2ClientBuilder": "sesv2"}
_SDK1_PREFIXES = ("with", "set")
_STRING = {"string_literal", "line_string_literal", "multi_line_string_literal"}


class File:
    def __init__(self, path: str, text: str, language: str):
        self.path, self.language = path, language
        self.root, self.data = T.parse(language, text)
        self.classes: dict[str, str] = {}    # simple class name -> service
        self.wildcards: set[str] = set()
        for m in _PACKAGE.finditer(text):
            if m[2] == "*":
                self.wildcards.add(_SERVICE[m[1]])
            else:
                self.classes[m[2]] = _SERVICE[m[1]]
        self.consts: dict[str, list] = {}
        self.calls = []
        self.news = []                          # new SendEmailRequest() (SDK for Java 1.x)
        self.typed: dict[str, list] = {}        # variable -> [(declaration node, service of its client type)]
        for node in T.walk(self.root):
            if node.type in ("method_invocation", "call_expression"):
                self.calls.append(node)
            elif node.type == "object_creation_expression":
                self.news.append(node)
            elif node.type == "variable_declarator":      # Java
                name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
                if name is not None and value is not None:
                    self.consts.setdefault(self.text(name), []).append(value)
                kind = node.parent.child_by_field_name("type") if node.parent is not None else None
                if name is not None and kind is not None and self.text(kind) in _CLIENTS:
                    self.typed.setdefault(self.text(name), []).append((node, _CLIENTS[self.text(kind)]))
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

    def declared(self, receiver) -> str | None:
        """The service of the client type a receiver variable is declared with, the nearest declaration
        before it in the innermost enclosing body that has one."""
        found = self.typed.get(self.text(receiver)) if receiver is not None else None
        if not found:
            return None
        scope = receiver.parent
        while scope is not None:
            inside = [(d, s) for d, s in found if scope.start_byte <= d.start_byte < receiver.start_byte]
            if inside:
                return max(inside, key=lambda pair: pair[0].start_byte)[1]
            scope = scope.parent
        return None

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

    def params(self, steps, depth: int = 0, sdk1: bool = False) -> sites.Params:
        items: dict = {}
        for name, args in steps:
            if name in ("builder", "build", "create") or not args:
                continue
            if sdk1:
                prefix = next((p for p in _SDK1_PREFIXES if name.startswith(p) and name[len(p):][:1].isupper()), "")
                name = name[len(prefix):]
            items[name] = self.member(args[0], depth + 1)
        return sites.Params(items)

    def sdk1_request(self, node, depth: int = 0) -> sites.Params:
        """The members of `new XRequest().withA(..)...` and of `var.setB(..)`/`var.withB(..)` statements."""
        top, steps = node, []
        while top.parent is not None and top.parent.type == "method_invocation" and \
                top.parent.child_by_field_name("object") == top:
            top = top.parent
            steps.append((self.text(top.child_by_field_name("name")), list(top.child_by_field_name("arguments")
                                                                             .named_children)))
        params = self.params(steps, depth, sdk1=True)
        holder = top.parent
        if holder is not None and holder.type == "variable_declarator":
            variable = self.text(holder.child_by_field_name("name"))
            for call in self.calls:
                if call.type == "method_invocation" and call.child_by_field_name("object") is not None and \
                        self.text(call.child_by_field_name("object")) == variable:
                    name = self.text(call.child_by_field_name("name"))
                    args = list(call.child_by_field_name("arguments").named_children)
                    if args and name.startswith(_SDK1_PREFIXES):
                        params.update(self.params([(name, args)], depth, sdk1=True))
        return params

    def dsl(self, lambda_node, depth: int = 0) -> sites.Params:
        """The members a Kotlin DSL block assigns (`SendEmailRequest { source = ...; this.message = ... }`)."""
        items: dict = {}
        for child in lambda_node.named_children:
            if child.type != "assignment" or child.named_child_count < 2:
                continue
            target, value = child.named_children[0], child.named_children[-1]
            name = target.named_children[-1] if target.type == "navigation_expression" else target
            items[self.text(name)] = self.member(value, depth + 1)
        return sites.Params(items)

    def dsl_call(self, node):
        """(class name, lambda) of `Name { ... }`, or None."""
        if node.type != "call_expression" or node.named_child_count != 2:
            return None
        callee, suffix = node.named_children
        lam = next((c for c in suffix.named_children if c.type == "lambda_literal"), None) \
            if suffix.type == "annotated_lambda" else None
        return (self.text(callee), lam) if callee.type in ("identifier", "simple_identifier") and lam else None

    def member(self, node, depth: int = 0):
        if depth > 8:
            return runtime(self.text(node))
        if node.type in ("lambda_expression", "lambda_literal"):
            return self.lambda_params(node, depth)
        if node.type == "call_expression" and self.dsl_call(node) is not None:
            lam = self.dsl_call(node)[1]
            return self.dsl(lam, depth)
        if node.type == "object_creation_expression":
            return self.sdk1_request(node, depth)
        if node.type in ("method_invocation", "call_expression"):
            root, steps = self.chain(node)
            if root is not None and root.type == "object_creation_expression":
                return self.params(steps, depth, sdk1=True)
            if steps and steps[-1][0] == "build" or any(n == "builder" for n, _ in steps):
                return self.params(steps, depth)
        if node.type in ("identifier", "simple_identifier"):
            assigned = self.consts.get(self.text(node), [])
            if len(assigned) == 1 and assigned[0].type in ("method_invocation", "call_expression"):
                return self.member(assigned[0], depth + 1)
        return self.value(node, depth)

    def lambda_params(self, node, depth: int) -> sites.Params:
        items: dict = dict(self.dsl(node, depth)) if node.type == "lambda_literal" else {}
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
            dsl = self.dsl_call(call)
            if dsl is not None and dsl[0] in _CLIENTS:   # Kotlin SDK: SesV2Client { region = "..." }
                region = self.dsl(dsl[1]).get("region")
                if isinstance(region, Value):
                    found.setdefault(_CLIENTS[dsl[0]], set()).add(region)
                continue
            root, steps = self.chain(call)
            clients = {**_CLIENTS, **_BUILDERS}
            if root is None or self.text(root) not in clients or not steps or steps[-1][0] != "build":
                continue
            for name, args in steps:
                if name in ("region", "withRegion") and args:
                    found.setdefault(clients[self.text(root)], set()).add(self.region(args[0]))
        return {s: v.pop() for s, v in found.items() if len(v) == 1}

    def region(self, node) -> Value:
        if node.type == "value_argument" and node.named_child_count:
            node = node.named_children[-1]
        text = self.text(node)
        m = re.fullmatch(r"Regions?\.([A-Z0-9_]+)", text)
        if m:
            return Value(m[1].lower().replace("_", "-"))
        m = re.fullmatch(r"Region\.of\((.*)\)", text, re.S)
        if m and node.type in ("method_invocation", "call_expression"):
            found = self.call(node)
            return self.value(found[2][0]) if found and found[2] else runtime(text)
        return runtime(text)


def scan(path: str, text: str, language: str) -> list[CallSite]:
    if not _PACKAGE.search(text):
        return []
    f = File(path, text, language)
    regions = f.regions()
    out = []
    library = "AWS SDK for Kotlin" if "aws.sdk.kotlin.services" in text else "AWS SDK for Java 2.x"

    def add(node, service, name, params, library=library):
        site = sites.build(path, T.line(node), library, service, name, params, region=regions.get(service))
        if site is not None:
            out.append(site)

    for node in f.news:   # SDK for Java 1.x: new SendEmailRequest()...
        name = f.text(node.child_by_field_name("type"))
        service = f.service_of(name)
        if service is not None and name.endswith("Request"):
            top = node
            while top.parent is not None and top.parent.type == "method_invocation" and \
                    top.parent.child_by_field_name("object") == top:
                top = top.parent
            add(top, service, name, f.sdk1_request(node), "AWS SDK for Java 1.x")
    for call in f.calls:
        dsl = f.dsl_call(call)
        if dsl is not None:   # Kotlin SDK: SendEmailRequest { ... }
            service = f.service_of(dsl[0])
            if service is not None and dsl[0].endswith("Request"):
                add(call, service, dsl[0], f.dsl(dsl[1]))
            continue
        root, steps = f.chain(call)
        if root is None or not steps:
            continue
        name = f.text(root)
        if steps[0][0] == "builder" and name.endswith("Request"):
            service = f.service_of(name)
            if service is None or (call.parent is not None and call.parent.type in ("method_invocation",
                                                                                      "navigation_expression")):
                continue
            add(call, service, name, f.params(steps))
            continue
        found = f.call(call)
        if found is None:
            continue
        receiver, method, args = found
        services = {s for c, s in _CLIENTS.items() if c in f.classes}
        typed = f.declared(receiver)
        if typed is None and len(services) != 1 or (args and args[0].type not in ("lambda_expression", "lambda_literal")):
            continue
        service = typed or services.pop()
        params = f.lambda_params(args[0], 0) if args else sites.Params()
        if sites.operation(service, method) is None or method in ("builder", "create", "build"):
            continue
        add(call, service, method, params)
    return out
