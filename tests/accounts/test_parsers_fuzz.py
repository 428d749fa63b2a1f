"""The accounts parsers raise only their own documented errors, whatever the input."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from auditor.standards.accounts.discovery import classify_url, social_links
from auditor.standards.accounts.otpauth import OtpauthError, lint_uri
from auditor.standards.accounts.pwned import RangeParseError, parse_range
from auditor.standards.accounts.services_table import ServiceTableError, parse_directory

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_parse_directory_only_raises_its_error(value: object) -> None:
    try:
        parse_directory(json.dumps(value))
    except ServiceTableError:
        pass


@given(st.text(max_size=300))
def test_lint_uri_only_raises_its_error(text: str) -> None:
    for candidate in (text, "otpauth://" + text):
        try:
            lint_uri(candidate)
        except OtpauthError:
            pass


@given(st.text(max_size=300), st.text(alphabet="0123456789ABCDEF", min_size=35, max_size=35))
def test_parse_range_only_raises_its_error(body: str, suffix: str) -> None:
    try:
        assert parse_range(body, suffix) >= 0
    except RangeParseError:
        pass


@given(st.text(max_size=200))
def test_classify_url_and_social_links_never_raise(text: str) -> None:
    classify_url(text)
    classify_url("https://x.com/" + text)
    social_links(f'<a href="{text}">x</a><a href="https://x.com/{text}">', "https://site.example/")
