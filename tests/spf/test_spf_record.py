"""The pure SPF parser and macro expansion (RFC 7208 §4.6, §5, §7), with hypothesis."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.standards.email.spf_eval import macro_ip, parse_ip, query_name, valid_domain
from auditor.standards.email.spf_record import (
    Qualifier,
    SpfRecord,
    SpfSyntaxError,
    expand,
    is_spf_record,
    parse_domain_spec,
    parse_explanation,
    parse_macro_string,
    parse_record,
    truncate_domain,
    url_escape,
)


def test_a_full_record() -> None:
    record = parse_record(
        "v=spf1 ip4:192.0.2.0/24 ip6:2001:DB8::/32 a mx:mail.example.org/28//64 "
        "include:_spf.example.net ~exists:%{i}.bl.example.org ?ptr -all "
        "redirect=other.example.org exp=why.%{d} custom-mod=x"
    )
    names = [m.name for m in record.mechanisms]
    assert names == ["ip4", "ip6", "a", "mx", "include", "exists", "ptr", "all"]
    assert record.mechanisms[3].cidr4 == 28 and record.mechanisms[3].cidr6 == 64
    assert record.mechanisms[5].qualifier is Qualifier.SOFTFAIL
    assert record.all_mechanism is not None and record.all_mechanism.qualifier is Qualifier.FAIL
    assert str(record.redirect) == "other.example.org" and str(record.explanation) == "why.%{d}"
    assert [m.name for m in record.unknown_modifiers] == ["custom-mod"]
    assert record.lookup_terms == 6 and record.has_macros
    assert record.mechanisms[1].network == ipaddress.ip_network("2001:db8::/32")


@pytest.mark.parametrize(
    "text",
    [
        "v=spf1 ip4:1.2.3.4 -all moo",  # unknown mechanism anywhere
        "v=spf1 -all.",
        "v=spf1 -all:foo",
        "v=spf1 -all/8",
        "v=spf1 a/33",
        "v=spf1 a//129",
        "v=spf1 a/24/64",
        "v=spf1 ip4:1.2.3.4/032",
        "v=spf1 ip4:1.2.3",
        "v=spf1 ip4:1.2.3.4:8080",
        "v=spf1 ip4:01.2.3.4",
        "v=spf1 ip6::CAFE::BABE",
        "v=spf1 ip6:fe80::1%eth0",
        "v=spf1 ptr/0",
        "v=spf1 include:",
        "v=spf1 include",
        "v=spf1 exists:example.com/24",
        "v=spf1 a:museum",
        "v=spf1 a:abc.123",
        "v=spf1 a:example.-com",
        "v=spf1 redirect:example.com",
        "v=spf1 redirect=",
        "v=spf1 exp=",
        "v=spf1 exp=a.example.com exp=b.example.com",
        "v=spf1 redirect=a.example.com redirect=a.example.com",
        "v=spf1 1up=foo",
        "v=spf1 =all",
        "v=spf1 foo=%abc",
        "v=spf1 a:%{a}.example.com",
        "v=spf1 a:%{r}.example.com",  # r is for explanations only
        "v=spf1 a:%{d0}.example.com",
        "v=spf1 a:%{d}x",
        "v=spf1 a:foo%.example.com",
        "v=spf1 a:example.com\rptr",
        "v=spf1 a:\u00e9xample.com",
        "v=spf1 a:foo.example.com\0",
    ],
)
def test_syntax_errors(text: str) -> None:
    with pytest.raises(SpfSyntaxError):
        parse_record(text)


@pytest.mark.parametrize(
    "text",
    [
        "v=spf1",
        "V=SpF1 ~all",
        "v=spf1 a  -all ",
        "v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all",
        "v=spf1 a:foo:bar/baz.example.com",
        "v=spf1 a:foo.example.xn--zckzah -all",
        "v=spf1 a:macro%%percent%_%_space%-url-space.example.com -all",
        "v=spf1 redirect=%{d}.d.spf.example.com.",
        "v=spf1 exists:%{l2r+-}.user.%{d2}",
        "v=spf1 default=+",
        "v=spf1 ip6:::1.1.1.1/0",
    ],
)
def test_valid_records(text: str) -> None:
    assert isinstance(parse_record(text), SpfRecord)


def test_version_detection() -> None:
    assert is_spf_record("v=spf1") and is_spf_record("V=SPF1 -all")
    assert not is_spf_record("v=spf10") and not is_spf_record("v=spf1mx")
    assert not is_spf_record(" v=spf1 -all") and not is_spf_record("spf2.0/pra")


RFC_VALUES = {
    "s": "strong-bad@email.example.com",
    "l": "strong-bad",
    "o": "email.example.com",
    "d": "email.example.com",
    "i": "192.0.2.3",
    "v": "in-addr",
    "h": "mx.example.org",
}


@pytest.mark.parametrize(
    ("spec", "expected"),
    [  # RFC 7208 §7.4
        ("%{s}", "strong-bad@email.example.com"),
        ("%{o}", "email.example.com"),
        ("%{d4}", "email.example.com"),
        ("%{d3}", "email.example.com"),
        ("%{d2}", "example.com"),
        ("%{d1}", "com"),
        ("%{dr}", "com.example.email"),
        ("%{d2r}", "example.email"),
        ("%{l}", "strong-bad"),
        ("%{l-}", "strong.bad"),
        ("%{lr}", "strong-bad"),
        ("%{lr-}", "bad.strong"),
        ("%{l1r-}", "strong"),
        ("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"),
        ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
        ("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"),
        ("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"),
        ("%{S}", "strong-bad%40email.example.com"),
        ("a%%b%_c%-d", "a%b c%20d"),
    ],
)
def test_rfc_macro_examples(spec: str, expected: str) -> None:
    assert expand(parse_macro_string(spec), RFC_VALUES) == expected


def test_ipv6_macro_and_mapped_addresses() -> None:
    values = {**RFC_VALUES, "i": macro_ip(parse_ip("2001:db8::cb01")), "v": "ip6"}
    assert expand(parse_macro_string("%{ir}.%{v}._spf.%{d2}"), values) == (
        "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6._spf.example.com"
    )
    assert parse_ip("::ffff:192.0.2.1") == ipaddress.ip_address("192.0.2.1")


def test_explanations_allow_spaces_and_crt() -> None:
    text = parse_explanation("%{i} from %{c} is not allowed at %{r} (%{t})")
    values = {"i": "192.0.2.3", "c": "192.0.2.3", "r": "mx.example", "t": "1"}
    assert expand(text, values) == "192.0.2.3 from 192.0.2.3 is not allowed at mx.example (1)"
    with pytest.raises(SpfSyntaxError):
        parse_explanation("The %{x}-files.")
    with pytest.raises(SpfSyntaxError):
        parse_explanation("\ufeffExplanation")


def test_names_and_truncation() -> None:
    long = ".".join(["a" * 60] * 5) + ".example.com"
    assert len(truncate_domain(long)) <= 253 and truncate_domain(long).endswith(".example.com")
    assert query_name("a..example.com") is None and query_name("a" * 64 + ".example") is None
    assert query_name("Mail.Example.COM.") == "mail.example.com"
    assert valid_domain("example.com") and not valid_domain("localhost")
    assert not valid_domain("[1.2.3.4]") and not valid_domain("a...example.com")
    assert url_escape("~jack&jill=up-a_b3.c") == "~jack%26jill%3Dup-a_b3.c"


SPF_ALPHABET = st.sampled_from(
    [*"v=spf1 aipxmnclude:/.%{}-+~?_0123456789rRdDsSlLoOhH", "\x00", "\u00e9", "\r"]
)


@given(st.text(max_size=300))
def test_parser_only_raises_its_own_error_on_any_text(text: str) -> None:
    try:
        parse_record(text)
    except SpfSyntaxError:
        pass


@given(st.lists(SPF_ALPHABET, max_size=200).map("".join))
def test_parser_only_raises_its_own_error_on_spf_like_text(tail: str) -> None:
    try:
        record = parse_record("v=spf1 " + tail)
    except SpfSyntaxError:
        return
    specs = [m.domain for m in record.mechanisms if m.domain is not None]
    for spec in specs:
        assert isinstance(expand(spec, {**RFC_VALUES, "p": "unknown"}), str)


@given(st.text(max_size=200))
def test_macro_and_domain_parsers_only_raise_their_own_error(text: str) -> None:
    for parse in (parse_macro_string, parse_domain_spec, parse_explanation):
        try:
            parse(text)
        except SpfSyntaxError:
            pass
