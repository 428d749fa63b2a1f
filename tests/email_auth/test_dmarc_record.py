"""The pure DMARC record parser: many real-world shapes, and it never raises anything else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.standards.email.dmarc_record import (
    DmarcSyntaxError,
    is_dmarc_candidate,
    parse_dmarc,
    parse_report_uri,
)


def test_full_record() -> None:
    record = parse_dmarc(
        "v=DMARC1; p=reject; sp=quarantine; np=reject; pct=50; t=y; adkim=s; aspf=r; "
        "rua=mailto:dmarc@example.org,mailto:reports@vendor.example!10m; ruf=mailto:f@example.org; "
        "fo=1:d; ri=86400; psd=n"
    )
    assert record.policy == "reject"
    assert record.subdomain_policy == "quarantine"
    assert record.nonexistent_policy == "reject"
    assert record.pct == 50
    assert record.testing is True
    assert record.adkim == "s" and record.aspf == "r"
    assert record.psd == "n"
    assert [u.domain for u in record.rua] == ["example.org", "vendor.example"]
    assert record.rua[1].size_limit == "10m"
    assert record.ruf[0].address == "f@example.org"
    assert record.problems == ()
    assert record.unknown_tags == ()


@pytest.mark.parametrize(
    ("text", "policy"),
    [
        ("v=DMARC1; p=none", "none"),
        ("v=DMARC1;p=quarantine;", "quarantine"),
        ("v = DMARC1 ; p = REJECT", "reject"),
        ("v=DMARC1; p=Reject; rua=mailto:a@b.example", "reject"),
    ],
)
def test_policies(text: str, policy: str) -> None:
    assert parse_dmarc(text).policy == policy


def test_missing_p_acts_as_none_and_is_noted() -> None:
    record = parse_dmarc("v=DMARC1; rua=mailto:d@example.org")
    assert record.policy is None
    assert record.effective_policy == "none"
    assert any("p=" in p for p in record.problems)


def test_policy_for_subdomains() -> None:
    record = parse_dmarc("v=DMARC1; p=reject; sp=none; np=quarantine")
    assert record.policy_for(subdomain=False) == "reject"
    assert record.policy_for(subdomain=True) == "none"
    assert record.policy_for(subdomain=True, nonexistent=True) == "quarantine"
    assert parse_dmarc("v=DMARC1; p=reject").policy_for(subdomain=True) == "reject"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("p=reject; v=DMARC1", "start with v=DMARC1"),
        ("v=dmarc1; p=reject", "exactly DMARC1"),
        ("v=DMARC2; p=reject", "exactly DMARC1"),
        ("v=DMARC1; p=block", "none, quarantine or reject"),
        ("v=DMARC1; p=reject; sp=maybe", "sp="),
        ("v=DMARC1; p=reject; np=yes", "np="),
        ("v=DMARC1; p=reject; pct=150", "pct="),
        ("v=DMARC1; p=reject; pct=-1", "pct="),
        ("v=DMARC1; p=reject; pct=abc", "pct="),
        ("v=DMARC1; p=reject; p=none", "more than once"),
        ("v=DMARC1; p=reject;; rua=mailto:a@b.example", "empty tag"),
        ("v=DMARC1; p reject", "tag=value"),
        ("v=DMARC1; p=reject; t=maybe", "t="),
        ("v=DMARC1; p=reject; adkim=x", "adkim="),
        ("v=DMARC1; p=reject; psd=q", "psd="),
        ("v=DMARC1; 1p=reject", "tag name"),
        ("", "start with v=DMARC1"),
        ("v=DMARC1; p=reject; " + "x=1; " * 100, "more than 64 tags"),
        ("v=DMARC1; p=reject; rua=" + "a" * 5000, "longer than"),
    ],
)
def test_syntax_errors(text: str, reason: str) -> None:
    with pytest.raises(DmarcSyntaxError, match=reason):
        parse_dmarc(text)


def test_unknown_tags_are_tolerated_and_listed() -> None:
    record = parse_dmarc("v=DMARC1; p=reject; foo=bar; x_y=1")
    assert record.unknown_tags == ("foo", "x_y")
    assert record.problems == ()


@pytest.mark.parametrize(
    ("uri", "scheme", "domain", "problem"),
    [
        ("mailto:dmarc@example.org", "mailto", "example.org", ""),
        ("MAILTO:Dmarc@Example.ORG!5m", "mailto", "example.org", ""),
        ("mailto:x@rua.vendor.co.uk!100", "mailto", "rua.vendor.co.uk", ""),
        ("https://reports.example/dmarc", "https", "", "only send reports to mailto"),
        ("dmarc@example.org", "", "", "not a URI"),
        ("mailto:not-an-address", "mailto", "", "not a valid email"),
        ("mailto:a@b.example!big", "", "", "size limit"),
        ("mailto:a@-bad-.example", "mailto", "", "not a valid email"),
    ],
)
def test_report_uris(uri: str, scheme: str, domain: str, problem: str) -> None:
    parsed = parse_report_uri(uri)
    assert parsed.scheme == scheme
    assert parsed.domain == domain
    if problem:
        assert problem in parsed.problem
    else:
        assert parsed.problem == ""


def test_bad_uris_are_problems_not_syntax_errors() -> None:
    record = parse_dmarc("v=DMARC1; p=reject; rua=dmarc@example.org, mailto:ok@example.org")
    assert record.policy == "reject"
    assert len(record.rua) == 2
    assert any("rua=" in p and "not a URI" in p for p in record.problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v=DMARC1; p=none", True),
        ("v=DMARC1", True),
        ("  v = dmarc1 ;p=none", True),
        ("v=DMARC1p=reject", False),
        ("v=spf1 -all", False),
        ("google-site-verification=abc", False),
        ("", False),
    ],
)
def test_candidates(text: str, expected: bool) -> None:
    assert is_dmarc_candidate(text) is expected


@given(st.text(max_size=400))
def test_never_raises_anything_else(text: str) -> None:
    try:
        parse_dmarc(text)
    except DmarcSyntaxError:
        pass


_tag = st.sampled_from(["v", "p", "sp", "np", "pct", "t", "rua", "ruf", "fo", "psd", "zz"])
_value = st.one_of(
    st.sampled_from(["DMARC1", "reject", "none", "50", "y", "mailto:a@b.example", "1:d", ""]),
    st.text(max_size=30),
)


@given(st.lists(st.tuples(_tag, _value), max_size=12))
def test_structured_inputs_never_raise_anything_else(pairs: list[tuple[str, str]]) -> None:
    text = "v=DMARC1; " + "; ".join(f"{k}={v}" for k, v in pairs)
    try:
        record = parse_dmarc(text)
    except DmarcSyntaxError:
        return
    assert record.effective_policy in ("none", "quarantine", "reject")


@given(st.text(max_size=200))
def test_report_uri_never_raises(text: str) -> None:
    parse_report_uri(text)
