"""Python: boto3 SES clients, django-ses, django-anymail and smtplib, read with the `ast` module.

Two passes over the project's modules. The first records, per module, its string constants, the
SES clients it binds (module names, `self.attr` of a class, what a function returns) and its
imports; the second follows calls: a method called on a client (built in this module or another,
handed to a helper as an argument, or typed `SESClient`/`SESV2Client`) is a call site. A method
only SES has (`send_raw_email`, `send_bulk_email`...) called with SES's request members is one too,
whatever its receiver: the client came from somewhere the scan cannot follow.
"""

from __future__ import annotations

import ast
import posixpath
import re
from dataclasses import dataclass, field

from seslint.fromcode import sites
from seslint.fromcode.model import CallSite, Value, runtime
from seslint.fromcode.values import Resolver, _called, source

SERVICES = ("ses", "sesv2")
#: Methods no other boto3 client has, with the service that has them and the members that mark SES.
_SES_ONLY = {"send_raw_email": "ses", "send_templated_email": "ses", "send_bulk_templated_email": "ses",
             "send_bulk_email": "sesv2"}
_SES_MEMBERS = {"source", "destination", "message", "rawmessage", "fromemailaddress", "content", "template",
                "defaultcontent", "bulkemailentries", "destinations"}
_MAIL_CALLS = {"send_mail": 2, "EmailMessage": 2, "EmailMultiAlternatives": 2, "send_mass_mail": None}


@dataclass
class Client:
    service: str
    region: Value | None


@dataclass
class Module:
    path: str
    name: str
    text: str
    tree: ast.Module
    constants: dict[str, list[ast.expr]] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)        # module-level names
    factories: dict[str, Client] = field(default_factory=dict)      # functions returning a client
    attributes: dict[tuple[str, str], Client] = field(default_factory=dict)   # (class, attr)
    imports: dict[str, tuple[str, str]] = field(default_factory=dict)  # alias -> (module, name)
    settings: bool = False
    class_constants: dict[tuple[str, str], list[ast.expr]] = field(default_factory=dict)   # (class, NAME)
    self_assigned: set[tuple[str, str]] = field(default_factory=set)   # (class, attr) some method assigns


_PRINT = re.compile(r"^(\s*)print\s+(?!\()(.*)$", re.MULTILINE)


def _parse(text: str, path: str) -> ast.Module | None:
    """The module's tree; Python 2 source is read once more with its print statements as calls."""
    for attempt in (text, _PRINT.sub(r"\1print(\2)", text)):
        try:
            return ast.parse(attempt, filename=path)
        except (SyntaxError, ValueError):
            continue
    return None


def module_name(path: str) -> str:
    parts = path[:-3].replace("\\", "/").split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(p for p in parts if p not in ("", "."))


def is_settings(path: str) -> bool:
    p = path.replace("\\", "/")
    base = p.rsplit("/", 1)[-1]
    return base.startswith("settings") or "/settings/" in p or base in ("production.py", "base.py") and \
        "/settings" in p


class Project:
    """Every Python module of the scan, and what they bind."""

    def __init__(self, files: list[tuple[str, str]]):
        self.modules: dict[str, Module] = {}
        for path, text in files:
            tree = _parse(text, path)
            if tree is None:
                continue
            mod = Module(path, module_name(path), text, tree, settings=is_settings(path))
            self.modules[mod.name] = mod
        for mod in self.modules.values():
            _collect(mod)
        self.helper_params: dict[tuple[str, str, str], Client] = {}   # (module, function, param) -> client
        # (module, line of the def, param) -> {(caller file, line, column): the value that call passes}
        self.arguments: dict[tuple[str, int, str], dict[tuple[str, int, int], Value]] = {}
        self.defs: dict[str, list[tuple[Module, ast.FunctionDef | ast.AsyncFunctionDef]]] = {}
        folders = [posixpath.dirname(m.path) for m in self.modules.values()]
        self.root = posixpath.commonpath(folders) if folders and len({f.startswith("/") for f in folders}) == 1 else ""
        for mod in self.modules.values():
            for node in ast.walk(mod.tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self.defs.setdefault(node.name, []).append((mod, node))

    def argument(self, mod: Module, fn: ast.AST, name: str) -> Value | None:
        """The literal every call of `fn` in the project passes for its parameter `name`, if one."""
        passed = self.arguments.get((mod.name, getattr(fn, "lineno", 0), name), {})
        values = set(passed.values())
        if len(values) == 1 and all(v.literal for v in values):
            return values.pop()
        return None

    def find(self, wanted: str, here: Module) -> Module | None:
        """The project module an import names (`pkg.mod`, or `..mod` relative to `here`)."""
        level = len(wanted) - len(wanted.lstrip("."))
        wanted = wanted.lstrip(".")
        if level:
            base = here.name.split(".")
            if not here.path.endswith("__init__.py"):
                base = base[:-1]
            base = base[: len(base) - (level - 1)] if level > 1 else base
            wanted = ".".join([*base, wanted] if wanted else base)
        if wanted in self.modules:
            return self.modules[wanted]
        return next((m for n, m in sorted(self.modules.items()) if n.endswith("." + wanted)), None)

    def exported(self, mod: Module, name: str, depth: int = 0):
        """What `name` of module `mod` is: a Client, ("factory", Client), a Value, or None."""
        if depth > 4:
            return None
        if name in mod.clients:
            return mod.clients[name]
        if name in mod.factories:
            return ("factory", mod.factories[name])
        if name in mod.imports:
            target, attr = mod.imports[name]
            other = self.find(target, mod)
            return self.exported(other, attr, depth + 1) if other is not None and attr else None
        assigned = mod.constants.get(name)
        if assigned and len(assigned) == 1:
            value = Resolver(mod.text, {}, mod.constants).value(assigned[0])
            return value if value.literal else None
        return None

    def setting(self, name: str) -> Value | None:
        values = [Resolver(m.text, {}, m.constants, setting=lambda n: None).value(e)
                  for m in self.modules.values() if m.settings for e in m.constants.get(name, [])]
        literal = {v.text for v in values if v.literal}
        if len(literal) == 1:
            return Value(literal.pop())
        return runtime(f"settings.{name}") if values else None


def module_statements(tree: ast.Module):
    """The statements run at import time: the module body and the bodies of its `if`, `try` and `with`
    blocks (settings are often chosen there), not those of functions and classes."""
    stack = list(tree.body)
    while stack:
        node = stack.pop(0)
        yield node
        if isinstance(node, (ast.If, ast.Try, ast.With)):
            stack[0:0] = [*node.body, *getattr(node, "orelse", []), *getattr(node, "finalbody", []),
                          *(s for h in getattr(node, "handlers", []) for s in h.body)]


def _collect(mod: Module) -> None:
    """Pass 1: constants, imports, clients, client factories and client attributes of a module."""
    for node in module_statements(mod.tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Name):
                    mod.constants.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                mod.imports[alias.asname or alias.name] = ("." * node.level + (node.module or ""), alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                mod.imports[alias.asname or alias.name.split(".")[0]] = (alias.name, "")
    resolver = Resolver(mod.text, {}, mod.constants)
    for name, exprs in mod.constants.items():
        found = [client_of(e, resolver, mod) for e in exprs]
        if found and found[-1] is not None:
            mod.clients[name] = found[-1]
    for item in ast.walk(mod.tree):
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            local = _assignments(item)
            res = Resolver(mod.text, local, mod.constants)
            for ret in (n for n in ast.walk(item) if isinstance(n, ast.Return)):
                client = client_of(ret.value, res, mod) if ret.value is not None else None
                if client is not None:
                    mod.factories[item.name] = client
        if isinstance(item, ast.ClassDef):
            for attr in (n for n in item.body if isinstance(n, ast.Assign)):   # class attributes
                names = [t.id for t in attr.targets if isinstance(t, ast.Name)]
                for name in names:
                    mod.class_constants.setdefault((item.name, name), []).append(attr.value)
                built = client_of(attr.value, resolver, mod)
                if built is not None:
                    for name in names:
                        mod.attributes[(item.name, name)] = built
            for fn in (n for n in item.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
                res = Resolver(mod.text, _assignments(fn), mod.constants)
                for assign in (n for n in ast.walk(fn) if isinstance(n, (ast.Assign, ast.AnnAssign))):
                    targets = assign.targets if isinstance(assign, ast.Assign) else [assign.target]
                    for t in targets:
                        if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                            mod.self_assigned.add((item.name, t.attr))
                        if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self" \
                                and assign.value is not None:
                            client = client_of(assign.value, res, mod)
                            if client is not None:
                                mod.attributes[(item.name, t.attr)] = client


def _assignments(fn: ast.AST) -> dict[str, list[ast.expr]]:
    """Name -> the expressions assigned to it in a function (parameters map to [])."""
    out: dict[str, list[ast.expr]] = {}
    if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        for arg in fn.args.args + fn.args.kwonlyargs + fn.args.posonlyargs:
            out[arg.arg] = []
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            out.setdefault(node.target.id, []).append(node.value)
        elif isinstance(node, ast.NamedExpr):
            out.setdefault(node.target.id, []).append(node.value)
    return out


def client_of(node: ast.expr, res: Resolver, mod: Module, project: Project | None = None) -> Client | None:
    """The SES client an expression builds: `boto3.client("sesv2", region_name=...)`, `Session().client(...)`,
    `session.client(service_name="ses")`, or a call of a function that returns one."""
    if isinstance(node, ast.Await):
        node = node.value
    if not isinstance(node, ast.Call):
        return None
    name = _called(node)
    if name == "client":
        service_node = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "service_name"),
                                                          None)
        service = res.value(service_node) if service_node is not None else None
        if service is None or service.text not in SERVICES:
            return None
        region_node = next((k.value for k in node.keywords if k.arg == "region_name"), None)
        if region_node is None and len(node.args) > 1:
            region_node = node.args[1]
        if region_node is None and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Call):
            region_node = next((k.value for k in node.func.value.keywords if k.arg == "region_name"), None)
        return Client(service.text or "", res.value(region_node) if region_node is not None else None)
    if name in mod.factories:
        return mod.factories[name]
    if project is not None and isinstance(node.func, ast.Name) and node.func.id in mod.imports:
        found = project.exported(mod, node.func.id)
        if isinstance(found, tuple):
            return found[1]
    return None


class Scanner:
    """Pass 2 over one module: every SES call site in it."""

    def __init__(self, project: Project, mod: Module):
        self.project = project
        self.mod = mod
        self.sites: list[CallSite] = []

    def resolver(self, local, fn: ast.AST | None = None, cls: str | None = None) -> Resolver:
        def parameter(name: str) -> Value | None:
            return self.project.argument(self.mod, fn, name) if fn is not None else None

        def attribute(node: ast.Attribute) -> Value | None:
            """`self.NAME` (or `cls.NAME`, `Class.NAME`): a class constant no method reassigns."""
            owner = node.value.id if isinstance(node.value, ast.Name) else None
            owner = cls if owner in ("self", "cls") else owner
            assigned = self.mod.class_constants.get((owner or "", node.attr), [])
            if len(assigned) != 1 or (owner or "", node.attr) in self.mod.self_assigned:
                return None
            found = Resolver(self.mod.text, {}, self.mod.constants).value(assigned[0])
            return found if found.literal else None

        return Resolver(self.mod.text, local, self.mod.constants, imported=self.imported, setting=self.project.setting,
                        parameter=parameter, attribute=attribute)

    def imported(self, name: str):
        if name not in self.mod.imports:
            return None
        return self.project.exported(self.mod, name)

    def run(self) -> list[CallSite]:
        self._scope(self.mod.tree, {}, None, "")
        return self.sites

    def _scope(self, node: ast.AST, outer: dict, cls: str | None, fn_name: str) -> None:
        """Walk one function (or the module) with its own names; nested functions get their own walk."""
        local = _assignments(node) if not isinstance(node, ast.Module) else {}
        res = self.resolver(local, node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None, cls)
        clients: dict[str, Client] = dict(outer)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
            defaults = [None] * (len(node.args.posonlyargs + node.args.args) - len(node.args.defaults)) + \
                list(node.args.defaults) + list(node.args.kw_defaults)
            for arg, default in zip(args, defaults, strict=True):
                bound = self.project.helper_params.get((self.mod.name, fn_name, arg.arg))
                typed = _annotated(arg.annotation)
                from_default = self._client(default, res, clients) if default is not None else None
                client = bound or from_default or (Client(typed, None) if typed else None)
                if client is not None:
                    clients[arg.arg] = client
        for name, exprs in local.items():
            for expr in exprs:
                client = self._client(expr, res, clients)
                if client is not None:
                    clients[name] = client
        if cls and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):   # self.client = client (a parameter)
            for assign in (n for n in ast.walk(node) if isinstance(n, ast.Assign) and len(n.targets) == 1):
                t = assign.targets[0]
                if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self" and \
                        (cls, t.attr) not in self.mod.attributes:
                    client = self._client(assign.value, res, clients)
                    if client is not None:
                        self.mod.attributes[(cls, t.attr)] = client
        for child in _own_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._scope(child, clients, cls, child.name)
            elif isinstance(child, ast.ClassDef):
                self._scope(child, clients, child.name, "")
            elif isinstance(child, ast.Call):
                self._call(child, res, clients, cls, node)

    def _client(self, node: ast.expr | None, res: Resolver, clients: dict[str, Client]) -> Client | None:
        if node is None:
            return None
        if isinstance(node, ast.Name):
            if node.id in clients:
                return clients[node.id]
            if node.id in self.mod.clients:
                return self.mod.clients[node.id]
            found = self.imported(node.id)
            return found if isinstance(found, Client) else None
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id == "self":
                return next((c for (_, attr), c in sorted(self.mod.attributes.items()) if attr == node.attr), None)
            if isinstance(node.value, ast.Name) and (node.value.id, node.attr) in self.mod.attributes:
                return self.mod.attributes[(node.value.id, node.attr)]   # a class attribute: Email.ses
            if isinstance(node.value, ast.Name) and node.value.id in self.mod.imports:
                target, attr = self.mod.imports[node.value.id]
                other = self.project.find(joined(target, attr), self.mod)
                found = self.project.exported(other, node.attr) if other is not None else None
                return found if isinstance(found, Client) else None
            return None
        if isinstance(node, ast.BoolOp):
            return next((c for c in (self._client(v, res, clients) for v in node.values) if c), None)
        return client_of(node, res, self.mod, self.project)

    def _call(self, call: ast.Call, res: Resolver, clients: dict[str, Client], cls: str | None, scope: ast.AST) -> None:
        func = call.func
        method = _called(call)
        if isinstance(func, ast.Attribute):
            client = self._client(func.value, res, clients)
            if client is None and method in _SES_ONLY | {"send_email": ""}:
                client = _untraced(method, call, res)
            if client is not None:
                self._site(call, client, method, res, scope)
                return
        if isinstance(func, ast.Name) and self._dispatched(call, func.id, res, clients, scope):
            return
        if method in ("SMTP", "SMTP_SSL"):
            self._smtp(call, res, scope)
        self._handed(call, res, clients)

    def _dispatched(self, call: ast.Call, name: str, res: Resolver, clients: dict[str, Client], scope: ast.AST) -> bool:
        """`send = getattr(client, payload.api_name); send(**params)`: the method is chosen at run time,
        among the SES method names the module gives that attribute (`api_name = "send_bulk_email"`)."""
        for expr in res.local.get(name, []):
            if not (isinstance(expr, ast.Call) and _called(expr) == "getattr" and len(expr.args) == 2):
                continue
            client = self._client(expr.args[0], res, clients)
            if client is None:
                continue
            choice = expr.args[1]
            if isinstance(choice, ast.Constant) and isinstance(choice.value, str):
                methods = {choice.value}
            elif isinstance(choice, ast.Attribute):
                methods = {v.value for c in ast.walk(self.mod.tree) if isinstance(c, ast.ClassDef) for a in c.body
                           if isinstance(a, ast.Assign) and any(isinstance(t, ast.Name) and t.id == choice.attr
                                                                for t in a.targets)
                           for v in [a.value] if isinstance(v, ast.Constant) and isinstance(v.value, str)}
            else:
                continue
            found = [m for m in sorted(methods) if sites.operation(client.service, m) is not None]
            for method in found:
                self._site(call, client, method, res, scope)
            return bool(found)
        return False

    def _site(self, call: ast.Call, client: Client, method: str, res: Resolver, scope: ast.AST) -> None:
        params = res.keywords(call.keywords)
        if call.args:   # boto3 takes keyword arguments only: a positional one is a wrapper's own API
            return
        raw_from = raw_cs = None
        if method in ("send_raw_email", "send_email"):
            raw_from, raw_cs = headers(scope, res)
            if raw_from is None and raw_cs is None:   # the message may be built by the caller
                raw_from, raw_cs = headers(self.mod.tree, res)
        site = sites.build(self.mod.path, call.lineno, "boto3", client.service, method, params, region=client.region,
                           raw_from=raw_from, raw_configuration_set=raw_cs)
        if site is not None:
            self.sites.append(site)

    def _smtp(self, call: ast.Call, res: Resolver, scope: ast.AST) -> None:
        host_node = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "host"), None)
        host = res.value(host_node) if host_node is not None else None
        region: Value | None = None
        if host is not None and host.text and sites.smtp_region(host.text):
            region = Value(sites.smtp_region(host.text))
        elif host_node is not None and _smtp_host_template(host_node, res):
            region = runtime(f"the region in {source(host_node, self.mod.text)}")
        if region is None:
            return
        sender, line = None, call.lineno
        for node in ast.walk(scope):
            if isinstance(node, ast.Call) and _called(node) in ("sendmail", "send_message"):
                line = node.lineno   # the send itself is the call site
                if _called(node) == "sendmail" and node.args:
                    sender = res.value(node.args[0])
                break
        raw_from, raw_cs = headers(scope, res)
        self.sites.append(sites.smtp_site(self.mod.path, line, "smtplib", sender=sender or raw_from,
                                          region=region, configuration_set=raw_cs))

    def _handed(self, call: ast.Call, res: Resolver, clients: dict[str, Client]) -> None:
        """A client passed to a function of the project: that function's parameter is a client. What
        the call passes for each parameter is recorded too (`Project.argument`)."""
        target = self._function(call.func) or self._method(call.func)
        if target is None:
            return
        mod, fn = target
        params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
        if params and params[0] in ("self", "cls") and (isinstance(call.func, ast.Attribute) or fn.name == "__init__"):
            params = params[1:]
        bound = list(zip(params, call.args, strict=False)) + [(k.arg, k.value) for k in call.keywords if k.arg]
        for name, arg in bound:
            client = self._client(arg, res, clients)
            if client is not None:
                self.project.helper_params.setdefault((mod.name, fn.name, name), client)
        if _is_test(self.mod.path[len(self.project.root):]):   # a test's fixture values are not what the app passes
            return
        spread = any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords)
        given = dict(bound)
        positional = fn.args.posonlyargs + fn.args.args
        defaults = dict(zip([a.arg for a in positional[len(positional) - len(fn.args.defaults):]], fn.args.defaults,
                            strict=True))
        defaults.update({a.arg: d for a, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults, strict=True) if d})
        where = (self.mod.path, call.lineno, call.col_offset)
        for name in params + [a.arg for a in fn.args.kwonlyargs]:
            if name in given:
                value = res.value(given[name])
            elif spread:
                value = runtime("*args/**kwargs")
            elif name in defaults:
                value = Resolver(mod.text, {}, mod.constants).value(defaults[name])
            else:
                continue
            self.project.arguments.setdefault((mod.name, fn.lineno, name), {})[where] = value

    def _method(self, func: ast.expr):
        """`obj.method(...)` where the project defines exactly one function of that name."""
        if not isinstance(func, ast.Attribute):
            return None
        found = self.project.defs.get(func.attr, [])
        return found[0] if len(found) == 1 else None

    def _function(self, func: ast.expr):
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name is None:
            return None
        mods = [self.mod]
        if isinstance(func, ast.Name) and name in self.mod.imports:
            target, attr = self.mod.imports[name]
            other = self.project.find(target, self.mod)
            mods, name = ([other] if other else []), attr or name
        for mod in mods:
            for node in ast.walk(mod.tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
                    return mod, node
                if isinstance(node, ast.ClassDef) and node.name == name:   # SesMailSender(client): its __init__
                    init = next((f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)
                    return (mod, init) if init is not None else None
        return None


def _is_test(path: str) -> bool:
    p = "/" + path.replace("\\", "/")
    base = p.rsplit("/", 1)[-1]
    return base.startswith("test_") or base.endswith("_test.py") or base == "conftest.py" or "/tests/" in p or \
        "/test/" in p


def _smtp_host_template(node: ast.expr, res: Resolver, depth: int = 0) -> bool:
    """An f-string host such as f"email-smtp.{region}.amazonaws.com": an SES endpoint, region at run time."""
    if isinstance(node, ast.Name) and depth < 4:
        assigned = res.local.get(node.id) or res.module.get(node.id) or []
        return len(assigned) == 1 and _smtp_host_template(assigned[0], res, depth + 1)
    if not isinstance(node, ast.JoinedStr):
        return False
    shape = "".join(str(p.value) if isinstance(p, ast.Constant) else "{}" for p in node.values)
    return sites.smtp_region(shape.replace("{}", "us-east-1")) is not None and "{}" in shape


def joined(module: str, name: str) -> str:
    """`pkg` + `mod` -> `pkg.mod`; `..` + `mod` -> `..mod`."""
    if not name:
        return module
    return module + name if module.endswith(".") or not module else f"{module}.{name}"


def _own_nodes(node: ast.AST):
    """The nodes of a scope, not descending into nested functions and classes (yielded, not entered)."""
    stack = list(ast.iter_child_nodes(node))
    while stack:
        child = stack.pop(0)
        yield child
        if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack[0:0] = list(ast.iter_child_nodes(child))


def _annotated(annotation: ast.expr | None) -> str:
    """The service of a client type annotation (mypy-boto3's `SESClient`, `SESV2Client`), or ""."""
    if annotation is None:
        return ""
    text = ast.unparse(annotation)
    return "sesv2" if "SESV2Client" in text else "ses" if "SESClient" in text else ""


def _untraced(method: str, call: ast.Call, res: Resolver) -> Client | None:
    """A method only SES has, called with SES's request members: a client the scan could not trace."""
    members = {sites.norm(k.arg) for k in call.keywords if k.arg}
    if not members & _SES_MEMBERS or call.args:
        return None
    if method in _SES_ONLY:
        return Client(_SES_ONLY[method], None)
    if {"fromemailaddress", "content"} & members:
        return Client("sesv2", None)
    if {"source", "message"} <= members:
        return Client("ses", None)
    return None


def headers(scope: ast.AST, res: Resolver) -> tuple[Value | None, Value | None]:
    """The From and X-SES-CONFIGURATION-SET headers a function sets on a message it builds."""
    wanted: dict[str, list[Value]] = {"from": [], sites.facts()["smtp"]["configuration_set_header"].lower(): []}
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Subscript):
            key = res.value(node.targets[0].slice)
            if key.text and key.text.lower() in wanted:
                wanted[key.text.lower()].append(res.value(node.value))
        elif isinstance(node, ast.Call) and _called(node) == "add_header" and len(node.args) >= 2:
            key = res.value(node.args[0])
            if key.text and key.text.lower() in wanted:
                wanted[key.text.lower()].append(res.value(node.args[1]))
        elif isinstance(node, ast.Dict):   # headers={"X-SES-CONFIGURATION-SET": ...}
            for k, v in zip(node.keys, node.values, strict=True):
                name = res.value(k) if k is not None else None
                if name is not None and name.text and name.text.lower() in wanted and name.text.lower() != "from":
                    wanted[name.text.lower()].append(res.value(v))
    out: list[Value | None] = []
    for values in wanted.values():
        distinct = set(values)
        out.append(distinct.pop() if len(distinct) == 1 else runtime("several values") if distinct else None)
    return out[0], out[1]


def scan(files: list[tuple[str, str]]) -> list[CallSite]:
    """Every SES call site of the Python files (path, text)."""
    from seslint.fromcode.django import settings_sites

    project = Project(files)
    out: list[CallSite] = []
    def state() -> tuple:
        return (len(project.helper_params), sum(len(m.attributes) for m in project.modules.values()),
                sorted((k, sorted(v.items())) for k, v in project.arguments.items()))

    for _ in range(4):   # a later pass knows the helpers (and attributes, arguments) that were handed before
        before = state()
        out = []
        for mod in project.modules.values():
            out += Scanner(project, mod).run()
        if state() == before:
            break
    out += settings_sites(project)
    return out


__all__ = ["Client", "Module", "Project", "scan", "source"]
