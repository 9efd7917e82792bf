"""Go with aws-sdk-go-v2 and aws-sdk-go (v1): every `&ses.XInput{...}` / `&sesv2.XInput{...}` composite
literal of an SES operation is a call site, and so is `new(ses.XInput)` with the members its setters
give (`input.SetSource(...)`, aws-sdk-go v1); the import path of the package tells the API
(`service/ses` or `service/sesv2`, whatever the local name). The region is the one the file names
(`config.WithRegion(...)`, `aws.Config{Region: ...}`), when only one is."""

from __future__ import annotations

import re

from seslint.fromcode import sites, treesitter as T
from seslint.fromcode.model import CallSite, Value, runtime

_PATHS = {f"github.com/aws/{sdk}/service/{service}": service for sdk in ("aws-sdk-go-v2", "aws-sdk-go")
          for service in ("ses", "sesv2")}
_LIBRARY = {"aws-sdk-go-v2": "aws-sdk-go-v2", "aws-sdk-go": "aws-sdk-go (v1)"}


class File:
    def __init__(self, path: str, text: str):
        self.path = path
        self.root, self.data = T.parse("go", text)
        self.packages: dict[str, str] = {}
        self.sdk = "aws-sdk-go-v2"
        self.consts: dict[str, list] = {}
        self.literals: list = []
        self.news: list = []        # new(ses.XInput)
        self.setters: dict[str, list] = {}   # variable -> [(member, value node)] from v.SetMember(value)
        self.regions: set = set()
        for node in T.walk(self.root):
            t = node.type
            if t == "import_spec":
                name, path_node = node.child_by_field_name("name"), node.child_by_field_name("path")
                imported = T.text(path_node, self.data).strip('"`')
                if imported in _PATHS:
                    local = T.text(name, self.data) if name is not None else imported.rsplit("/", 1)[1]
                    self.packages[local] = _PATHS[imported]
                    self.sdk = imported.split("/")[2]
            elif t in ("const_spec", "var_spec"):
                names = [c for c in node.children_by_field_name("name")]
                value = node.child_by_field_name("value")
                if value is not None and len(names) == len(value.named_children):
                    for n, v in zip(names, value.named_children, strict=True):
                        self.consts.setdefault(self.text(n), []).append(v)
            elif t == "short_var_declaration":
                left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
                if len(left.named_children) == len(right.named_children):
                    for n, v in zip(left.named_children, right.named_children, strict=True):
                        self.consts.setdefault(self.text(n), []).append(v)
            elif t == "composite_literal":
                self.literals.append(node)
                self._config_region(node)
            elif t == "call_expression":
                self._call(node)

    def _call(self, node) -> None:
        func, args = node.child_by_field_name("function"), node.child_by_field_name("arguments")
        name = self.text(func)
        values = args.named_children if args is not None else []
        if name.endswith("WithRegion") and len(values) == 1:
            self.regions.add(self.value(values[0]))
        elif name == "new" and len(values) == 1:
            self.news.append(node)
        elif func.type == "selector_expression" and len(values) == 1:
            field = self.text(func.child_by_field_name("field"))
            if field.startswith("Set") and len(field) > 3:
                target = self.text(func.child_by_field_name("operand"))
                self.setters.setdefault(target, []).append((field[3:], values[0]))

    def _config_region(self, node) -> None:
        """`aws.Config{Region: aws.String("eu-west-1")}` (aws-sdk-go v1 sessions)."""
        kind = node.child_by_field_name("type")
        if kind is None or not self.text(kind).endswith("Config"):
            return
        member = self.params(node).get("region")
        if isinstance(member, Value):
            self.regions.add(member)

    def text(self, node) -> str:
        return T.text(node, self.data)

    def value(self, node, depth: int = 0) -> Value:
        if node is None:
            return runtime("nothing")
        t = node.type
        if t in ("interpreted_string_literal", "raw_string_literal"):
            return Value(self.text(node)[1:-1])
        if t == "call_expression" and depth < 6:
            func, args = node.child_by_field_name("function"), node.child_by_field_name("arguments")
            if self.text(func) in ("aws.String", "awsv2.String", "String") and args is not None \
                    and args.named_child_count == 1:
                return self.value(args.named_children[0], depth + 1)
        if t == "unary_expression" and depth < 6:
            return self.value(node.child_by_field_name("operand"), depth + 1)
        if t == "binary_expression" and depth < 6 and self.text(node.child_by_field_name("operator")) == "+":
            left = self.value(node.child_by_field_name("left"), depth + 1)
            right = self.value(node.child_by_field_name("right"), depth + 1)
            if left.literal and right.literal:
                return Value((left.text or "") + (right.text or ""))
            address = sites.trailing_address(right.text or "") if right.literal else None
            if address is not None:
                return address   # a display name computed at run time before a literal <address>
        if t == "identifier" and depth < 6:
            assigned = self.consts.get(self.text(node), [])
            if len(assigned) == 1:
                return self.value(assigned[0], depth + 1)
        return runtime(self.text(node))

    def member(self, node, depth: int = 0):
        if node.type == "literal_element" and node.named_child_count:
            node = node.named_children[0]
        if node.type == "unary_expression":
            node = node.child_by_field_name("operand")
        if node.type == "composite_literal" and depth < 8:
            return self.params(node, depth + 1)
        if node.type == "literal_value":
            return [self.member(c, depth + 1) for c in node.named_children]
        return self.value(node, depth)

    def params(self, literal, depth: int = 0) -> sites.Params:
        body = literal.child_by_field_name("body")
        items = {}
        for element in body.named_children if body is not None else ():
            if element.type == "keyed_element":
                key, value = element.child_by_field_name("key"), element.child_by_field_name("value")
                items[self.text(key)] = self.member(value, depth)
        return sites.Params(items)


def scan(path: str, text: str, language: str) -> list[CallSite]:
    if not re.search(r"aws-sdk-go(-v2)?/service/ses", text):
        return []
    f = File(path, text)
    region = next(iter(f.regions)) if len(f.regions) == 1 else None
    out = []
    requests: list[tuple] = [(node, node.child_by_field_name("type"), None) for node in f.literals]
    for node in f.news:   # input := new(ses.SendEmailInput); input.SetSource(...)
        arg = node.child_by_field_name("arguments").named_children[0]
        target = node.parent.parent if node.parent is not None and node.parent.type == "expression_list" else None
        names = target.child_by_field_name("left") if target is not None else None
        requests.append((node, arg, f.text(names) if names is not None else ""))
    for node, kind, variable in requests:
        if kind is None or kind.type != "qualified_type":
            continue
        service = f.packages.get(f.text(kind.child_by_field_name("package")))
        name = f.text(kind.child_by_field_name("name"))
        if service is None or not name.endswith("Input"):
            continue
        params = f.params(node) if variable is None else \
            sites.Params({member: f.member(value) for member, value in f.setters.get(variable, [])})
        site = sites.build(path, T.line(node), _LIBRARY[f.sdk], service, name, params, region=region)
        if site is not None:
            out.append(site)
    return out
