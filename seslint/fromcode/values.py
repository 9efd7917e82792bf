"""Reading the parameters of a call out of the Python syntax tree (the `ast` module).

`Resolver` turns an expression into a `Value` (a literal, or the source text of what computes
it), a `Params` (a dict literal, keyword arguments) or a list, following names to the
assignments of the same function, then of the module, then to constants imported from other
modules of the project and to Django settings. A parameter is the literal every call of the
function in the project passes for it (`parameter(name)`), a `self.NAME` the class constant it names
(`attribute(node)`).
"""

from __future__ import annotations

import ast

from seslint.fromcode.model import Value, runtime
from seslint.fromcode.sites import Params


def source(node: ast.AST, text: str) -> str:
    return ast.get_source_segment(text, node) or type(node).__name__


class Resolver:
    """Values of expressions in one function (`local`: name -> the expressions assigned to it)
    of one module (`module`: module-level constants), with `imported(name)` for names that come
    from other modules and `setting(name)` for Django settings."""

    def __init__(self, text: str, local: dict[str, list[ast.expr]], module: dict[str, list[ast.expr]],
                 imported=None, setting=None, parameter=None, attribute=None):
        self.text = text
        self.local = local
        self.module = module
        self.imported = imported or (lambda name: None)
        self.setting = setting or (lambda name: None)
        self.parameter = parameter or (lambda name: None)
        self.attribute = attribute or (lambda node: None)

    def value(self, node: ast.expr | None, depth: int = 0) -> Value:
        """A string expression as a Value."""
        if node is None:
            return runtime("nothing")
        found = self._value(node, depth)
        return found if found is not None else runtime(source(node, self.text))

    def _value(self, node: ast.expr, depth: int) -> Value | None:
        if depth > 8:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return Value(node.value)
        if isinstance(node, ast.Name):
            return self._name(node.id, depth)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "settings":
            return self.setting(node.attr)
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self._value(node.left, depth + 1), self._value(node.right, depth + 1)
            if left is not None and right is not None and left.literal and right.literal:
                return Value((left.text or "") + (right.text or ""))
            return None
        if isinstance(node, ast.JoinedStr):
            parts = []
            for part in node.values:
                if isinstance(part, ast.Constant):
                    parts.append(str(part.value))
                    continue
                inner = self._value(part.value, depth + 1) if isinstance(part, ast.FormattedValue) else None
                if inner is None or not inner.literal:
                    return None
                parts.append(inner.text or "")
            return Value("".join(parts))
        if isinstance(node, ast.Call) and _called(node) == "formataddr" and node.args \
                and isinstance(node.args[0], ast.Tuple) and len(node.args[0].elts) == 2:
            addr = self._value(node.args[0].elts[1], depth + 1)
            return addr if addr is not None and addr.literal else None
        return None

    def _name(self, name: str, depth: int) -> Value | None:
        for table in (self.local, self.module):
            assigned = table.get(name)
            if assigned:
                values = {self.value(e, depth + 1) for e in assigned}
                literal = {v for v in values if v.literal}
                if len(values) == 1:
                    return values.pop()
                return runtime(name) if len(literal) != 1 or len(literal) != len(values) else literal.pop()
        if name in self.local:  # a parameter of the function: what its callers pass, when they all pass one literal
            return self.parameter(name)
        found = self.imported(name)
        return found if isinstance(found, Value) else None

    def params(self, node: ast.expr | None, depth: int = 0) -> Params | None:
        """A dict expression (or a name bound to one) as Params; None when it is no dict at all."""
        if node is None or depth > 8:
            return None
        if isinstance(node, ast.Dict):
            items, hidden = {}, ""
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:
                    hidden = source(value, self.text)
                    continue
                name = self._value(key, depth + 1)
                if name is None or not name.literal:
                    hidden = source(key, self.text)
                    continue
                items[name.text] = self.node(value, depth + 1)
            return Params(items, opaque=hidden)
        if isinstance(node, ast.Call) and _called(node) == "dict":
            return self.keywords(node.keywords, depth + 1)
        if isinstance(node, ast.Name):
            assigned = self.local.get(node.id) or self.module.get(node.id) or []
            if len(assigned) == 1:
                return self.params(assigned[0], depth + 1)
        return None

    def node(self, node: ast.expr, depth: int = 0):
        """A member value: Params for a dict, a list, else a Value."""
        found = self.params(node, depth)
        if found is not None:
            return found
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self.node(e, depth + 1) for e in node.elts]
        return self.value(node, depth)

    def keywords(self, keywords: list[ast.keyword], depth: int = 0) -> Params:
        """The keyword arguments of a call as Params (`**spread` read when it is a dict literal)."""
        items: dict = {}
        hidden = ""
        for kw in keywords:
            if kw.arg is not None:
                items[kw.arg] = self.node(kw.value, depth)
                continue
            spread = self.params(kw.value, depth + 1)
            if spread is None:
                hidden = source(kw.value, self.text)
            else:
                items.update(spread)
                hidden = hidden or spread.opaque
        out = Params(items, opaque=hidden)
        return out


def _called(node: ast.Call) -> str:
    """The last name of what a call calls: `boto3.client(...)` -> `client`."""
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""
