"""Go with aws-sdk-go-v2: every `&ses.XInput{...}` / `&sesv2.XInput{...}` composite literal of an SES
operation is a call site; the import path of its package tells the API (`service/ses` or
`service/sesv2`, whatever the local name). The region is the one `config.WithRegion(...)` names
in the file, when only one is."""

from __future__ import annotations

from seslint.fromcode import sites, treesitter as T
from seslint.fromcode.model import CallSite, Value, runtime

_PATHS = {"github.com/aws/aws-sdk-go-v2/service/ses": "ses", "github.com/aws/aws-sdk-go-v2/service/sesv2": "sesv2"}


class File:
    def __init__(self, path: str, text: str):
        self.path = path
        self.root, self.data = T.parse("go", text)
        self.packages: dict[str, str] = {}
        self.consts: dict[str, list] = {}
        self.literals = []
        self.regions: set = set()
        for node in T.walk(self.root):
            t = node.type
            if t == "import_spec":
                name, path_node = node.child_by_field_name("name"), node.child_by_field_name("path")
                imported = T.text(path_node, self.data).strip('"`')
                if imported in _PATHS:
                    local = T.text(name, self.data) if name is not None else imported.rsplit("/", 1)[1]
                    self.packages[local] = _PATHS[imported]
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
            elif t == "call_expression" and self.text(node.child_by_field_name("function")).endswith("WithRegion"):
                args = node.child_by_field_name("arguments")
                if args is not None and args.named_child_count == 1:
                    self.regions.add(self.value(args.named_children[0]))

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
    if "aws-sdk-go-v2/service/ses" not in text:
        return []
    f = File(path, text)
    region = next(iter(f.regions)) if len(f.regions) == 1 else None
    out = []
    for literal in f.literals:
        kind = literal.child_by_field_name("type")
        if kind is None or kind.type != "qualified_type":
            continue
        service = f.packages.get(f.text(kind.child_by_field_name("package")))
        name = f.text(kind.child_by_field_name("name"))
        if service is None or not name.endswith("Input"):
            continue
        site = sites.build(path, T.line(literal), "aws-sdk-go-v2", service, name, f.params(literal), region=region)
        if site is not None:
            out.append(site)
    return out
