"""The pure half of auditor enrolment: URLs, pages, next links, tokens, error lines."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.standards.accounts.enrolment import (
    GOOGLE_FIELDS,
    EnrolmentError,
    UserEnrolment,
    check_next_link,
    describe_http_error,
    describe_retry_after,
    first_url,
    google_url,
    normalise_domain_filter,
    ordered,
    parse_google_page,
    parse_graph_page,
    parse_page,
    parse_token,
    redact,
    summarise,
)

GOOGLE = "https://admin.googleapis.com/admin/directory/v1/"
GRAPH = "https://graph.microsoft.com/v1.0/"
TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwcyJ9.c2lnbmF0dXJl"


def test_google_url_is_the_documented_users_list() -> None:
    url = first_url("google", GOOGLE)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https", "admin.googleapis.com", "/admin/directory/v1/users",
    )  # fmt: skip
    query = parse_qs(parts.query)
    assert query == {"customer": ["my_customer"], "maxResults": ["500"], "fields": [GOOGLE_FIELDS]}
    with_token = parse_qs(urlsplit(google_url(GOOGLE, "c.example", "tok/+=")).query)
    assert with_token["domain"] == ["c.example"] and "customer" not in with_token
    assert with_token["pageToken"] == ["tok/+="]


def test_graph_url() -> None:
    assert first_url("microsoft", GRAPH) == (
        "https://graph.microsoft.com/v1.0/reports/authenticationMethods/userRegistrationDetails"
    )
    assert first_url("microsoft", GRAPH.rstrip("/")) == first_url("microsoft", GRAPH)


def test_google_page_parsing() -> None:
    body = json.dumps({
        "kind": "admin#directory#users",
        "users": [
            {"primaryEmail": "a@c.example", "isAdmin": True, "isEnrolledIn2Sv": False,
             "isEnforcedIn2Sv": False},
            {"primaryEmail": "s@c.example", "suspended": True, "isEnrolledIn2Sv": False},
            {"primaryEmail": "r@c.example", "archived": True},
            {"primaryEmail": "d@c.example", "isDelegatedAdmin": True, "isEnrolledIn2Sv": True},
            {"primaryEmail": "x@other.example", "isEnrolledIn2Sv": True},
            {"primaryEmail": "u\u202e@c.example"},
        ],
        "nextPageToken": "NEXT",
    }).encode()  # fmt: skip
    page = parse_google_page(body, GOOGLE, "c.example")
    assert [u.email for u in page.users] == ["a@c.example", "d@c.example", "u@c.example"]
    assert page.users[0] == UserEnrolment("a@c.example", True, False, False)
    assert page.users[1].admin and page.users[1].enrolled is True
    assert page.users[2].enrolled is None  # not reported: unknown, not "no"
    assert page.ignored == 2
    assert page.next_url is not None
    assert parse_qs(urlsplit(page.next_url).query)["pageToken"] == ["NEXT"]
    last = parse_google_page(b'{"kind": "admin#directory#users"}', GOOGLE)
    assert last.users == () and last.next_url is None


def test_graph_page_parsing_and_same_host_next_link() -> None:
    link = GRAPH + "reports/authenticationMethods/userRegistrationDetails?$skiptoken=abc"
    body = json.dumps({
        "value": [
            {"userPrincipalName": "a@p.example", "isAdmin": True, "isMfaRegistered": True,
             "isMfaCapable": False, "methodsRegistered": ["fido2", 7, "x" * 500]},
        ],
        "@odata.nextLink": link,
    }).encode()  # fmt: skip
    page = parse_graph_page(body, GRAPH)
    user = page.users[0]
    assert (user.admin, user.enrolled, user.capable) == (True, True, False)
    assert user.methods[0] == "fido2" and len(user.methods) == 2 and len(user.methods[1]) <= 64
    assert page.next_url == link


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/v1.0/reports/authenticationMethods/userRegistrationDetails",
        "http://graph.microsoft.com/v1.0/reports/authenticationMethods/userRegistrationDetails",
        "https://graph.microsoft.com:444/v1.0/reports/authenticationMethods/x",
        "https://graph.microsoft.com.evil.example/v1.0/reports",
        "https://graph.microsoft.com@evil.example/v1.0/reports",
        "https://graph.microsoft.com/beta/users",
        "//evil.example/v1.0/x",
        "/v1.0/relative",
        "https://graph.microsoft.com/v1.0/x\r\nHost: evil",
    ],
)
def test_next_links_elsewhere_are_refused(link: str) -> None:
    with pytest.raises(EnrolmentError):
        check_next_link(link, GRAPH)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!DOCTYPE html><html><body>Sign in</body></html>", "web page"),
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "not an object"),
        (b'{"kind": "something#else"}', "not a Directory API list"),
        (b'{"users": {"a": 1}}', "not a list"),
        (b'{"users": [1]}', "not a JSON object"),
        (b'{"users": [{"isAdmin": true}]}', "no primaryEmail"),
        (b'{"users": [], "nextPageToken": 5}', "nextPageToken"),
        (b"[" * 100_000 + b"]" * 100_000, "not"),
    ],
)
def test_broken_google_answers(body: bytes, message: str) -> None:
    with pytest.raises(EnrolmentError, match=message):
        parse_google_page(body, GOOGLE)


def test_broken_graph_answers() -> None:
    with pytest.raises(EnrolmentError, match="no value array"):
        parse_graph_page(b'{"error": {"code": "x"}}', GRAPH)
    with pytest.raises(EnrolmentError, match="nextLink"):
        parse_graph_page(b'{"value": [], "@odata.nextLink": 3}', GRAPH)
    with pytest.raises(EnrolmentError, match="web page"):
        parse_graph_page(b'{"value": []}', GRAPH, content_type="text/html")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{TOKEN}\n", TOKEN),
        (f"  Bearer {TOKEN}  ", TOKEN),
        (json.dumps({"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3599}), TOKEN),
    ],
)
def test_token_forms(text: str, expected: str) -> None:
    assert parse_token(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "  \n", f"{TOKEN}\n{TOKEN}", "two words", "tab\there", '{"token": "x"}', "{broken",
     "x" * 20_000, "bearer ", "caf\u00e9-token"],
)  # fmt: skip
def test_bad_tokens_are_refused_without_quoting_them(text: str) -> None:
    with pytest.raises(EnrolmentError) as raised:
        parse_token(text)
    message = str(raised.value)
    for piece in ("two words", "tab", "caf", TOKEN[:10], "broken"):
        assert piece not in message


def test_redact() -> None:
    assert redact(f"echo {TOKEN} back", TOKEN) == "echo <token> back"
    assert redact("abc", "") == "abc"


def test_domain_filter() -> None:
    assert normalise_domain_filter("@Campaign.Org.UK.") == "campaign.org.uk"
    assert normalise_domain_filter(None) is None
    for bad in ("not a domain", "x", "a..b", "-a.example"):
        with pytest.raises(EnrolmentError):
            normalise_domain_filter(bad)


def test_order_and_summary() -> None:
    users = [
        UserEnrolment("z@c.example", False, False),
        UserEnrolment("b@c.example", True, True),
        UserEnrolment("a@c.example", False, True),
        UserEnrolment("y@c.example", True, False),
        UserEnrolment("q@c.example", False, None),
    ]
    assert [u.email for u in ordered(users)] == [
        "y@c.example", "b@c.example", "z@c.example", "q@c.example", "a@c.example",
    ]  # fmt: skip
    summary = summarise(users, ignored=0)
    assert summary.line() == (
        "2 of 5 users enrolled; 1 admin without 2SV; 1 not reported either way"
    )
    assert summary.without == 2 and summary.admins == 2


def test_http_error_lines() -> None:
    google_403 = json.dumps(
        {"error": {"code": 403, "message": "Not Authorized to access this resource/api",
                   "errors": [{"reason": "forbidden"}]}}
    ).encode()  # fmt: skip
    line = describe_http_error("google", 403, google_403)
    assert line.startswith("the token was refused (HTTP 403): it lacks the permission")
    assert "admin.directory.user.readonly" in line
    assert "Not Authorized to access this resource/api" in line
    graph_403 = b'{"error": {"code": "Authentication_RequestFromNonPremiumTenantOrB2CTenant"}}'
    assert "P1 or P2" in describe_http_error("microsoft", 403, graph_403)
    assert "Authentication_RequestFromNonPremiumTenantOrB2CTenant" in describe_http_error(
        "microsoft", 403, graph_403
    )
    assert describe_http_error("google", 401, b"<html>") == (
        "the token was refused (HTTP 401): it may have expired"
    )
    assert "in 30 seconds" in describe_http_error("google", 429, b"", "30")
    assert describe_http_error("google", 500, b"") == "the service answered HTTP 500"
    hostile = b'{"error": {"message": "\\u001b[31mred\\u0007 and more"}}'
    assert "\x1b" not in describe_http_error("google", 400, hostile)


def test_retry_after_forms() -> None:
    now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert describe_retry_after("Sat, 01 Mar 2025 12:10:00 GMT", now) == (
        "in about 10 minutes (Retry-After)"
    )
    assert describe_retry_after(None) == "later"
    assert describe_retry_after("soon") == "later"
    assert describe_retry_after("9" * 50).startswith("in about")


KEYS = [
    "users",
    "value",
    "primaryEmail",
    "userPrincipalName",
    "isAdmin",
    "isEnrolledIn2Sv",
    "isMfaRegistered",
    "methodsRegistered",
    "nextPageToken",
    "@odata.nextLink",
    "kind",
]


def _containers(children: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    keys = st.sampled_from(KEYS) | st.text(max_size=8)
    return st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=6)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30), _containers, max_leaves=30
)


@given(value=json_values, provider=st.sampled_from(["google", "microsoft"]))
def test_parsers_raise_only_their_own_error(value: object, provider: str) -> None:
    body = json.dumps(value).encode()
    try:
        page = parse_page(provider, body, GOOGLE if provider == "google" else GRAPH)
    except EnrolmentError:
        return
    for user in page.users:
        assert isinstance(user.email, str) and user.email


@given(st.binary(max_size=300))
def test_parsers_survive_any_bytes(body: bytes) -> None:
    for provider, endpoint in (("google", GOOGLE), ("microsoft", GRAPH)):
        try:
            parse_page(provider, body, endpoint)
        except EnrolmentError:
            pass


@given(st.text(max_size=200))
def test_next_link_check_raises_only_its_error(link: str) -> None:
    try:
        checked = check_next_link(link, GRAPH)
    except EnrolmentError:
        return
    assert urlsplit(checked).hostname == "graph.microsoft.com"
