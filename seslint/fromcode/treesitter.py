"""The tree-sitter grammars, one registry package per language (the `code` extra:
`pip install 'seslint[code]'`), imported only when a scan meets a file of that language.

Helpers shared by the scanners: a node's text, string literals, and `Walker`, which visits every
node of a tree once.
"""

from __future__ import annotations

import importlib
from functools import cache

from seslint.fromcode.model import Value, runtime

#: language -> (package module, function returning the language pointer, pip package)
GRAMMARS = {
    "javascript": ("tree_sitter_javascript", "language", "tree-sitter-javascript"),
    "typescript": ("tree_sitter_typescript", "language_typescript", "tree-sitter-typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx", "tree-sitter-typescript"),
    "go": ("tree_sitter_go", "language", "tree-sitter-go"),
    "java": ("tree_sitter_java", "language", "tree-sitter-java"),
    "kotlin": ("tree_sitter_kotlin", "language", "tree-sitter-kotlin"),
    "php": ("tree_sitter_php", "language_php", "tree-sitter-php"),
    "ruby": ("tree_sitter_ruby", "language", "tree-sitter-ruby"),
}


def available(language: str) -> bool:
    return parser(language) is not None


def missing_help(language: str) -> str:
    return f"install the grammar with `pip install 'seslint[code]'` (needs tree-sitter and {GRAMMARS[language][2]})"


@cache
def parser(language: str):
    """A tree-sitter Parser for `language`, or None when its packages are not installed."""
    module, function, _ = GRAMMARS[language]
    try:
        import tree_sitter

        grammar = importlib.import_module(module)
    except ImportError:
        return None
    return tree_sitter.Parser(tree_sitter.Language(getattr(grammar, function)()))


def parse(language: str, text: str):
    """(root node, source bytes)."""
    data = text.encode("utf-8")
    return parser(language).parse(data).root_node, data


def text(node, data: bytes) -> str:
    return data[node.start_byte:node.end_byte].decode("utf-8", errors="replace")


def line(node) -> int:
    return node.start_point[0] + 1


def walk(node):
    """Every node under `node` (itself included), in document order, with a cursor (fast)."""
    cursor = node.walk()
    visited_children = False
    while True:
        if not visited_children:
            yield cursor.node
            if cursor.goto_first_child():
                continue
        if cursor.goto_next_sibling():
            visited_children = False
            continue
        if not cursor.goto_parent():
            return
        visited_children = True


def unquote(raw: str) -> str | None:
    """The value of a simple string literal ('x', "x", `x` without ${}), or None."""
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"`":
        body = raw[1:-1]
        if raw[0] == "`" and "${" in body:
            return None
        if raw[0] == '"' and ("#{" in body or "$" in body and "{$" in body):
            return None
        return body.replace("\\'", "'").replace('\\"', '"')
    return None


def literal(raw: str, expr: str = "") -> Value:
    found = unquote(raw)
    return Value(found) if found is not None else runtime(expr or raw)
