"""The recipe template language, one behaviour per row."""

from __future__ import annotations

import pytest

from seslint.generate import DROP, expand, expand_string

ENV = {"from": ("ci@example.com", "corp.example"), "region": ("eu-west-1",), "account": ("123456789012",),
       "unset": (), "template": ("orders-*",)}


@pytest.mark.parametrize("text,values", [
    ("plain", ["plain"]),
    ("{{from}}", ["ci@example.com", "corp.example"]),
    ("{{from|pattern}}", ["ci@example.com", "*@corp.example"]),
    ("{{from|domain}}", ["example.com", "corp.example"]),
    ("{{from|identities}}", ["ci@example.com", "example.com", "corp.example", "*@corp.example"]),
    ("{{from|address}}", ["ci@example.com", "user@corp.example"]),
    ("{{from|first}}", ["ci@example.com"]),
    ("{{unset or 'fallback'}}", ["fallback"]),
    ("{{unset or from|first|domain}}", ["example.com"]),
    ("{{unset}}", []),
    ("{{template|concrete}}", ["orders-sample"]),
    ("{{from|first|arn:identity}}", ["arn:aws:ses:eu-west-1:123456789012:identity/ci@example.com"]),
    ("{{'*'|arn:template}}", ["arn:aws:ses:eu-west-1:123456789012:template/*"]),
    ("x-{{from|domain}}-{{region}}", ["x-example.com-eu-west-1", "x-corp.example-eu-west-1"]),
    ("{{quirk.mailbox-simulator-addresses.addresses|domain|pattern}}", ["*@simulator.amazonses.com"]),
])
def test_expression(text, values):
    assert expand_string(text, ENV) == values


def test_unset_parameters_drop_their_key_and_empty_operators():
    node = {"StringLike": {"ses:FromAddress": ["{{unset}}"]}, "Null": {"ses:Recipients": "false"}}
    assert expand(node, ENV, {}) == {"Null": {"ses:Recipients": "false"}}
    assert expand({"StringLike": {"ses:FromAddress": ["{{unset}}"]}}, ENV, {}) is DROP


@pytest.mark.parametrize("node,given,kept", [
    ({"$when": "from", "a": "b"}, {"from": ("x",)}, True),
    ({"$when": "from", "a": "b"}, {}, False),
    ({"$when": ["from", "identity"], "a": "b"}, {"identity": ("x",)}, True),
    ({"$unless": "v2-only", "a": "b"}, {"v2-only": ("true",)}, False),
    ({"$unless": "v2-only", "a": "b"}, {}, True),
])
def test_when_and_unless(node, given, kept):
    assert (expand(node, ENV, given) == {"a": "b"}) is kept


def test_unknown_parameter_in_a_template_is_a_recipe_error():
    with pytest.raises(ValueError, match="unknown parameter 'nope'"):
        expand_string("{{nope}}", ENV)
