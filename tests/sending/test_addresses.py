"""RFC 5322 address lists and the identities a sender may be verified by."""

from __future__ import annotations

import pytest

from seslint.sendmodel import AddressError, identity_candidates, parse_addresses


@pytest.mark.parametrize(("values", "expected"), [
    (["a@x.com"], [("", "a@x.com")]),
    (["Shop <noreply@example.com>"], [("Shop", "noreply@example.com")]),
    (['"Doe, Jane" <jane@x.com>, bob@y.com'], [("Doe, Jane", "jane@x.com"), ("", "bob@y.com")]),
    (["a@x.com; b@y.com", "c@z.com"], [("", "a@x.com"), ("", "b@y.com"), ("", "c@z.com")]),
    (['"Re: news" <n@x.com>'], [("Re: news", "n@x.com")]),
    (["Ann (work) <ann@x.com>"], [("Ann (work)", "ann@x.com")]),
    (["Müller <a@xn--bcher-kva.de>"], [("Müller", "a@xn--bcher-kva.de")]),   # Unicode display names, Punycode domains
    (["Mixed@Example.COM"], [("", "Mixed@Example.COM")]),     # kept as written: ses:FromAddress is case-sensitive
])
def test_address_lists(values, expected):
    assert parse_addresses(values, "to") == expected


@pytest.mark.parametrize("value", ["not-an-address", "a@", "@x.com", "a b@x.com", "a@x.com b@y.com",
                                   "Team: a@x.com, b@y.com;", "a@-x.com", "<>",
                                   "a@bücher.de"])   # SES takes 7-bit ASCII addresses only
def test_bad_addresses_are_usage_errors(value):
    with pytest.raises(AddressError) as exc:
        parse_addresses([value], "to")
    assert exc.value.exit_code == 2 and "--to" in str(exc.value)


@pytest.mark.parametrize(("address", "expected"), [
    ("a@example.com", ["a@example.com", "example.com"]),
    ("a@mail.Example.com", ["a@mail.Example.com", "mail.example.com", "example.com"]),
    ("a@x.co.uk", ["a@x.co.uk", "x.co.uk", "co.uk"]),
    ("root@localhost", ["root@localhost", "localhost"]),
])
def test_identity_candidates(address, expected):
    assert identity_candidates(address) == expected
