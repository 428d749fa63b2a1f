"""The BIMI record parser."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.standards.email.bimi_record import BimiSyntaxError, is_bimi_candidate, parse_bimi


def test_full_record() -> None:
    record = parse_bimi(
        "v=BIMI1; l=https://brand.example/logo.svg; a=https://brand.example/vmc.pem; avp=brand"
    )
    assert record.logo_url == "https://brand.example/logo.svg"
    assert record.authority_url == "https://brand.example/vmc.pem"
    assert record.problems == ()
    assert not record.declined


def test_declination() -> None:
    record = parse_bimi("v=BIMI1; l=; a=;")
    assert record.declined
    assert record.problems == ()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("v=BIMI1; l=http://brand.example/logo.svg", "https"),
        ("v=BIMI1; l=https://brand.example/logo.png", "SVG"),
        ("v=BIMI1; l=https://a.example/1.svg,https://b.example/2.svg", "more than one"),
        ("v=BIMI1; l=https://a.example/1.svg; a=https://a.example/vmc.txt", ".pem"),
        ("v=BIMI1; l=https://a.example/1.svg; avp=company", "avp="),
        ("v=BIMI1; a=https://a.example/vmc.pem", "no l="),
    ],
)
def test_problems(text: str, problem: str) -> None:
    assert any(problem in p for p in parse_bimi(text).problems)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("l=https://a.example/x.svg; v=BIMI1", "start with v=BIMI1"),
        ("v=bimi1; l=", "exactly BIMI1"),
        ("v=BIMI1; l=a; l=b", "more than once"),
        ("v=BIMI1; junk", "tag=value"),
        ("v=BIMI1; l=" + "x" * 3000, "longer than"),
    ],
)
def test_syntax_errors(text: str, reason: str) -> None:
    with pytest.raises(BimiSyntaxError, match=reason):
        parse_bimi(text)


def test_candidate() -> None:
    assert is_bimi_candidate("v=BIMI1; l=")
    assert not is_bimi_candidate("v=DMARC1; p=none")


@given(st.text(max_size=300))
def test_never_raises_anything_else(text: str) -> None:
    try:
        parse_bimi(text)
    except BimiSyntaxError:
        pass
