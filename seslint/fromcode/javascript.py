"""JavaScript and TypeScript: the AWS SDK v3 (`SESClient`/`SESv2Client` with commands, or the
aggregated `SES`/`SESv2` classes), the v2 SDK (`new AWS.SES()`, `new AWS.SESV2()`) and nodemailer's
SES and SMTP transports. One file at a time; names resolve to the constants of the file.

Which package a command comes from tells the API: `SendEmailCommand` from `@aws-sdk/client-ses`
is v1 SendEmail, from `@aws-sdk/client-sesv2` it is v2 SendEmail.
"""

from __future__ import annotations

from seslint.fromcode import sites, treesitter as T
from seslint.fromcode.model import CallSite, Value, runtime

#: package -> (service, kind): "commands" (v3), "sdk2" (the aws-sdk namespace), "client" (one class)
PACKAGES = {"@aws-sdk/client-ses": "ses", "@aws-sdk/client-sesv2": "sesv2"}
SDK2 = {"SES": "ses", "SESV2": "sesv2"}
V3_AGGREGATED = {"SES": "ses", "SESv2": "sesv2"}
V3_CLIENTS = {"SESClient": "ses", "SESv2Client": "sesv2"}
LIBRARY = {"ses": "@aws-sdk/client-ses", "sesv2": "@aws-sdk/client-sesv2"}


def _string(node, data) -> str | None:
    if node.type == "string":
        return T.unquote(T.text(node, data))
    if node.type == "template_string" and not any(c.type == "template_substitution" for c in node.children):
        return T.text(node, data)[1:-1]
    return None


class File:
    def __init__(self, path: str, text: str, language: str):
        self.path = path
        self.root, self.data = T.parse(language, text)
        self.imports: dict[str, tuple[str, str]] = {}     # local name -> (package, exported name or "*")
        self.consts: dict[str, list] = {}                 # name -> value nodes
        self.clients: dict[str, tuple[str, str, Value | None]] = {}   # name -> (service, kind, region)
        self.nodes: dict[str, list] = {}
        for node in T.walk(self.root):
            if node.type in ("import_statement", "variable_declarator", "new_expression", "call_expression",
                             "assignment_expression", "public_field_definition", "field_definition", "pair",
                             "required_parameter", "optional_parameter"):
                self.nodes.setdefault(node.type, []).append(node)
        self._imports()
        for decl in self.nodes.get("variable_declarator", []):
            name, value = decl.child_by_field_name("name"), decl.child_by_field_name("value")
            if name is not None and value is not None and name.type == "identifier":
                self.consts.setdefault(self.text(name), []).append(value)
        self._clients()

    def text(self, node) -> str:
        return T.text(node, self.data)

    # -- imports -------------------------------------------------------------------------
    def _imports(self) -> None:
        for stmt in self.nodes.get("import_statement", []):
            source = stmt.child_by_field_name("source")
            package = _string(source, self.data) if source is not None else None
            if package is None:
                continue
            for node in T.walk(stmt):
                if node.type == "import_specifier":
                    name, alias = node.child_by_field_name("name"), node.child_by_field_name("alias")
                    self.imports[self.text(alias or name)] = (package, self.text(name))
                elif node.type == "namespace_import":
                    ident = next((c for c in node.children if c.type == "identifier"), None)
                    if ident is not None:
                        self.imports[self.text(ident)] = (package, "*")
                elif node.type == "import_clause":
                    ident = next((c for c in node.children if c.type == "identifier"), None)
                    if ident is not None:
                        self.imports[self.text(ident)] = (package, "default")
        for decl in self.nodes.get("variable_declarator", []):
            value = decl.child_by_field_name("value")
            package = self._required(value)
            if package is None:
                continue
            name = decl.child_by_field_name("name")
            if name.type == "identifier":
                self.imports[self.text(name)] = (package, "*")
            elif name.type == "object_pattern":
                for child in name.children:
                    if child.type == "shorthand_property_identifier_pattern":
                        self.imports[self.text(child)] = (package, self.text(child))
                    elif child.type == "pair_pattern":
                        key, val = child.child_by_field_name("key"), child.child_by_field_name("value")
                        self.imports[self.text(val)] = (package, self.text(key))

    def _required(self, node) -> str | None:
        """`require("pkg")` (or `require("pkg").X`) -> "pkg"."""
        if node is None:
            return None
        if node.type == "member_expression":
            node = node.child_by_field_name("object")
        if node is None or node.type != "call_expression":
            return None
        func, args = node.child_by_field_name("function"), node.child_by_field_name("arguments")
        if func is None or self.text(func) != "require" or args is None or args.named_child_count != 1:
            return None
        return _string(args.named_children[0], self.data)

    # -- clients -------------------------------------------------------------------------
    def class_of(self, node) -> tuple[str, str] | None:
        """(service, kind) of a constructor expression: `SESv2Client`, `AWS.SES`, `SES` (v3 aggregated)."""
        name = self.text(node)
        if node.type in ("identifier", "type_identifier") and name in self.imports:
            package, exported = self.imports[name]
            if package in PACKAGES:
                if exported in V3_CLIENTS:
                    return V3_CLIENTS[exported], "v3"
                if exported in V3_AGGREGATED:
                    return V3_AGGREGATED[exported], "aggregated"
            if package == "aws-sdk" and exported in SDK2:   # import { SES } from "aws-sdk"
                return SDK2[exported], "sdk2"
            if package in ("aws-sdk/clients/ses", "aws-sdk/clients/sesv2"):
                return ("sesv2" if package.endswith("v2") else "ses"), "sdk2"
        if node.type in ("member_expression", "nested_type_identifier"):
            obj = node.child_by_field_name("object") or (node.named_children[0] if node.named_child_count else None)
            prop = node.child_by_field_name("property") or node.child_by_field_name("name")
            base = self.imports.get(self.text(obj)) if obj is not None else None
            if base and prop is not None and self.text(prop) in SDK2 and base[0] == "aws-sdk":
                return SDK2[self.text(prop)], "sdk2"
            if base and prop is not None and base[0] in PACKAGES:
                exported = self.text(prop)
                if exported in V3_CLIENTS:
                    return V3_CLIENTS[exported], "v3"
                if exported in V3_AGGREGATED:
                    return V3_AGGREGATED[exported], "aggregated"
        return None

    def construct(self, node) -> tuple[str, str, Value | None] | None:
        """(service, kind, region) when `node` builds an SES client."""
        if node is None:
            return None
        if node.type in ("await_expression", "parenthesized_expression", "as_expression"):
            return self.construct(node.named_children[0] if node.named_child_count else None)
        if node.type != "new_expression":
            return None
        found = self.class_of(node.child_by_field_name("constructor"))
        if found is None:
            return None
        args = node.child_by_field_name("arguments")
        region = None
        if args is not None and args.named_child_count:
            options = self.params(args.named_children[0])
            value = options.get("region")
            region = value if isinstance(value, Value) else None
        return found[0], found[1], region

    def _clients(self) -> None:
        for decl in self.nodes.get("variable_declarator", []):
            name, value = decl.child_by_field_name("name"), decl.child_by_field_name("value")
            built = self.construct(value)
            if built is not None and name is not None:
                self.clients[self.text(name)] = built
        for node in self.nodes.get("assignment_expression", []) + self.nodes.get("public_field_definition", []) + \
                self.nodes.get("field_definition", []):
            left = node.child_by_field_name("left") or node.child_by_field_name("name") or \
                node.child_by_field_name("property")
            right = node.child_by_field_name("right") or node.child_by_field_name("value")
            built = self.construct(right)
            if built is not None and left is not None:
                self.clients[self.text(left).removeprefix("this.")] = built
        for pair in self.nodes.get("pair", []):   # { ses: new SESClient(...) }
            built = self.construct(pair.child_by_field_name("value"))
            if built is not None:
                self.clients[self.text(pair.child_by_field_name("key"))] = built
        for node in self.nodes.get("required_parameter", []) + self.nodes.get("optional_parameter", []) + \
                self.nodes.get("public_field_definition", []):   # (ses: SES), private readonly client: SESv2Client
            name = node.child_by_field_name("pattern") or node.child_by_field_name("name")
            annotation = node.child_by_field_name("type")
            kind = annotation.named_children[0] if annotation is not None and annotation.named_child_count else None
            typed = self.class_of(kind) if kind is not None else None
            if typed is not None and name is not None and self.text(name) not in self.clients:
                self.clients[self.text(name)] = (typed[0], typed[1], None)

    def client(self, node) -> tuple[str, str, Value | None] | None:
        """The client an expression refers to: a name, `this.name`, `obj.name`, or a construction."""
        if node is None:
            return None
        built = self.construct(node)
        if built is not None:
            return built
        name = self.text(node)
        for key in (name, name.removeprefix("this."), name.rsplit(".", 1)[-1]):
            if key in self.clients:
                return self.clients[key]
        return None

    def region(self, service: str) -> Value | None:
        """The region of the file's clients of `service` when they agree."""
        regions = {c[2] for c in self.clients.values() if c[0] == service}
        return regions.pop() if len(regions) == 1 else None

    # -- values --------------------------------------------------------------------------
    def value(self, node, depth: int = 0) -> Value:
        if node is None:
            return runtime("nothing")
        text = _string(node, self.data)
        if text is not None:
            return Value(text)
        if depth < 6 and node.type == "identifier":
            assigned = self.consts.get(self.text(node), [])
            if len(assigned) == 1:
                return self.value(assigned[0], depth + 1)
        if depth < 6 and node.type == "member_expression":
            obj, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
            if obj is not None and obj.type == "identifier" and prop is not None:
                holder = self.params(obj, depth + 1)
                found = holder.get(sites.norm(self.text(prop)))
                if isinstance(found, Value):
                    return found
        if depth < 6 and node.type in ("as_expression", "parenthesized_expression", "non_null_expression") \
                and node.named_child_count:
            return self.value(node.named_children[0], depth + 1)
        return runtime(self.text(node))

    def params(self, node, depth: int = 0) -> sites.Params:
        if node is None or depth > 6:
            return sites.opaque("")
        if node.type in ("as_expression", "parenthesized_expression", "satisfies_expression") and node.named_child_count:
            return self.params(node.named_children[0], depth + 1)
        if node.type == "identifier":
            assigned = self.consts.get(self.text(node), [])
            if len(assigned) == 1:
                return self.params(assigned[0], depth + 1)
            return sites.opaque(self.text(node))
        if node.type != "object":
            return sites.opaque(self.text(node))
        items: dict = {}
        hidden = ""
        for child in node.named_children:
            if child.type == "pair":
                key = child.child_by_field_name("key")
                name = _string(key, self.data) if key.type in ("string", "template_string") else self.text(key)
                if key.type == "computed_property_name":
                    hidden = self.text(key)
                    continue
                items[name] = self.member(child.child_by_field_name("value"), depth + 1)
            elif child.type == "shorthand_property_identifier":
                items[self.text(child)] = self.member(child, depth + 1)
            elif child.type == "spread_element":
                spread = self.params(child.named_children[0] if child.named_child_count else None, depth + 1)
                items.update(spread)
                hidden = hidden or spread.opaque
        return sites.Params(items, opaque=hidden)

    def member(self, node, depth: int = 0):
        if node is None:
            return runtime("nothing")
        if node.type == "object" or (node.type in ("identifier", "shorthand_property_identifier")
                                     and any(v.type == "object" for v in self.consts.get(self.text(node), []))):
            return self.params(node if node.type == "object" else self.consts[self.text(node)][0], depth)
        if node.type == "array":
            return [self.member(c, depth + 1) for c in node.named_children]
        if node.type == "shorthand_property_identifier":
            assigned = self.consts.get(self.text(node), [])
            return self.value(assigned[0], depth) if len(assigned) == 1 else runtime(self.text(node))
        return self.value(node, depth)


def scan(path: str, text: str, language: str) -> list[CallSite]:
    f = File(path, text, language)
    if not f.imports and "AWS" not in text and "nodemailer" not in text:
        return []
    out: list[CallSite] = []
    for node in f.nodes.get("new_expression", []):
        ctor = node.child_by_field_name("constructor")
        name = f.text(ctor) if ctor is not None else ""
        imported = f.imports.get(name)
        if imported is None and ctor is not None and ctor.type == "member_expression":
            obj = ctor.child_by_field_name("object")
            base = f.imports.get(f.text(obj)) if obj is not None else None
            if base and base[0] in PACKAGES:
                imported = (base[0], f.text(ctor.child_by_field_name("property")))
        if imported is None or imported[0] not in PACKAGES or not imported[1].endswith("Command"):
            continue
        service = PACKAGES[imported[0]]
        args = node.child_by_field_name("arguments")
        params = f.params(args.named_children[0]) if args is not None and args.named_child_count else sites.Params()
        region = _sending_client_region(f, node, service)
        site = sites.build(path, T.line(node), LIBRARY[service], service, imported[1], params, region=region)
        if site is not None:
            out.append(site)
    for call in f.nodes.get("call_expression", []):
        func = call.child_by_field_name("function")
        if func is None or func.type != "member_expression":
            continue
        method = f.text(func.child_by_field_name("property"))
        obj = func.child_by_field_name("object")
        if method == "createTransport":
            out += _nodemailer(f, call)
            continue
        client = f.client(obj)
        if client is None or client[1] == "v3" and method == "send":
            continue
        args = call.child_by_field_name("arguments")
        params = f.params(args.named_children[0]) if args is not None and args.named_child_count else sites.Params()
        library = "aws-sdk (v2)" if client[1] == "sdk2" else LIBRARY[client[0]]
        site = sites.build(path, T.line(call), library, client[0], method, params, region=client[2])
        if site is not None:
            out.append(site)
    return out


def _sending_client_region(f: File, command, service: str) -> Value | None:
    """The region of the client that sends a command: `client.send(new XCommand(...))`, else the file's."""
    parent = command.parent
    while parent is not None and parent.type not in ("call_expression", "program"):
        parent = parent.parent
    if parent is not None and parent.type == "call_expression":
        func = parent.child_by_field_name("function")
        if func is not None and func.type == "member_expression":
            client = f.client(func.child_by_field_name("object"))
            if client is not None:
                return client[2]
    return f.region(service)


def _nodemailer(f: File, call) -> list[CallSite]:
    func = call.child_by_field_name("function")
    obj = func.child_by_field_name("object")
    base = f.imports.get(f.text(obj)) if obj is not None else None
    if base is None or base[0] != "nodemailer":
        return []
    args = call.child_by_field_name("arguments")
    if args is None or not args.named_child_count:
        return []
    first = args.named_children[0]
    options = f.params(first)
    region: Value | None = None
    if "ses" in options:
        ses_node = _pair_value(f, first, "SES")
        service = "ses"
        if ses_node is not None:
            inner = f.params(ses_node) if ses_node.type in ("object", "identifier") else sites.Params()
            if "sendemailcommand" in inner or "sesclient" in inner:
                service = "sesv2"
            holder = _pair_value(f, ses_node, "sesClient") or _pair_value(f, ses_node, "ses") or ses_node
            if ses_node.type == "object" and holder is ses_node:
                holder = next((c for c in ses_node.named_children if c.type == "shorthand_property_identifier"
                               and f.text(c) in ("sesClient", "ses")), ses_node)
            built = f.client(holder)
            if built is not None:
                region = built[2]
                service = "sesv2" if service == "sesv2" or built[0] == "sesv2" else "ses"
        kind = "nodemailer (SES)"
        return _sendmail_sites(f, call, kind, service, region, smtp=False)
    host = options.get("host")
    url = f.value(first) if first.type in ("string", "template_string") else None
    host_text = host.text if isinstance(host, Value) and host.text else ""
    if url is not None and url.text and "@" in url.text:
        host_text = url.text.split("@", 1)[1].split(":", 1)[0].split("/", 1)[0]
    smtp_region = sites.smtp_region(host_text) if host_text else None
    if smtp_region is None:
        return []
    return _sendmail_sites(f, call, "nodemailer (SMTP)", "smtp", Value(smtp_region), smtp=True)


def _pair_value(f: File, obj, key: str):
    if obj is None or obj.type != "object":
        if obj is not None and obj.type == "identifier":
            assigned = f.consts.get(f.text(obj), [])
            return _pair_value(f, assigned[0], key) if len(assigned) == 1 else None
        return None
    for child in obj.named_children:
        if child.type == "pair" and sites.norm(f.text(child.child_by_field_name("key")).strip("'\"")) == sites.norm(key):
            return child.child_by_field_name("value")
    return None


def _sendmail_sites(f: File, transport_call, library: str, service: str, region: Value | None, *,
                    smtp: bool) -> list[CallSite]:
    """One call site per `sendMail(...)` of the file (its From, its configuration set), else the transport."""
    header = sites.facts()["smtp"]["configuration_set_header"]
    out = []
    mine, others = _transport_name(f, transport_call), {n for n in map(lambda c: _transport_name(f, c), _transports(f))
                                                        if n} - {_transport_name(f, transport_call)}
    calls = [c for c in f.nodes.get("call_expression", []) if c.child_by_field_name("function") is not None
             and c.child_by_field_name("function").type == "member_expression"
             and f.text(c.child_by_field_name("function").child_by_field_name("property")) == "sendMail"]
    receivers = {id(c): f.text(c.child_by_field_name("function").child_by_field_name("object")).removeprefix("this.")
                 for c in calls}
    if mine and any(receivers[id(c)] == mine for c in calls):
        calls = [c for c in calls if receivers[id(c)] == mine]
    else:
        calls = [c for c in calls if receivers[id(c)] not in others]
    for call in calls:
        args = call.child_by_field_name("arguments")
        mail = f.params(args.named_children[0]) if args is not None and args.named_child_count else sites.opaque("")
        sender = mail.get("from")
        sender = sender if isinstance(sender, Value) else runtime("from" if not mail.opaque else mail.opaque)
        if isinstance(mail.get("from"), sites.Params):
            address = mail["from"].get("address")
            sender = address if isinstance(address, Value) else runtime("from.address")
        cs = None
        if smtp:
            headers = mail.get("headers")
            found = headers.get(sites.norm(header)) if isinstance(headers, sites.Params) else None
            cs = found if isinstance(found, Value) else runtime("headers") if isinstance(headers, sites.Params) \
                and headers.opaque else None
        else:
            extra = mail.get("ses")
            found = extra.get("configurationsetname") if isinstance(extra, sites.Params) else None
            cs = found if isinstance(found, Value) else None
        out.append(_transport_site(f, call, library, service, region, sender, cs))
    if not out:
        out.append(_transport_site(f, transport_call, library, service, region,
                                   runtime("the from of each sendMail call"), None))
    return out


def _transports(f: File) -> list:
    return [c for c in f.nodes.get("call_expression", []) if c.child_by_field_name("function") is not None
            and c.child_by_field_name("function").type == "member_expression"
            and f.text(c.child_by_field_name("function").child_by_field_name("property")) == "createTransport"]


def _transport_name(f: File, call) -> str | None:
    """The name a createTransport(...) result is bound to (`const t = ...`, `this.t = ...`)."""
    parent = call.parent
    while parent is not None and parent.type in ("await_expression", "parenthesized_expression", "as_expression"):
        parent = parent.parent
    if parent is None:
        return None
    if parent.type == "variable_declarator":
        return f.text(parent.child_by_field_name("name"))
    if parent.type in ("assignment_expression", "public_field_definition", "field_definition"):
        left = parent.child_by_field_name("left") or parent.child_by_field_name("name") or \
            parent.child_by_field_name("property")
        return f.text(left).removeprefix("this.") if left is not None else None
    return None


def _transport_site(f: File, node, library: str, service: str, region, sender, cs) -> CallSite:
    if service == "smtp":
        return sites.smtp_site(f.path, T.line(node), library, sender=sender, region=region, configuration_set=cs)
    op = "SendEmail" if service == "sesv2" else "SendRawEmail"
    params = sites.Params({"FromEmailAddress" if service == "sesv2" else "Source": sender})
    if cs is not None:
        params["configurationsetname"] = cs
    site = sites.build(f.path, T.line(node), library, service, op, params, region=region, contents=("raw",))
    assert site is not None
    return site
