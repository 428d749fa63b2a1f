"""Two-step sign-in enrolment from Google Workspace and Microsoft 365, as pure functions.

Builds the request URLs and parses the documented JSON of two admin APIs:

- Google Directory API ``users.list``: ``users?customer=my_customer&maxResults=500`` (or
  ``domain=D``), pages chained by ``nextPageToken``; each user's ``primaryEmail``,
  ``isEnrolledIn2Sv``, ``isEnforcedIn2Sv``, ``isAdmin``/``isDelegatedAdmin``, ``suspended``
  and ``archived`` (suspended and archived users cannot sign in, so they are not counted).
- Microsoft Graph ``reports/authenticationMethods/userRegistrationDetails``: ``value[]`` with
  ``userPrincipalName``, ``isMfaRegistered``, ``isMfaCapable``, ``methodsRegistered`` and
  ``isAdmin``; pages chained by ``@odata.nextLink``, which is followed only when it stays on
  the endpoint's scheme, host, port and path (the bearer token goes with every page).

No network, no clock, no token: ``auditor enrolment`` (auditor/commands/enrolment.py) does the
fetching. Every parser raises only ``EnrolmentError``, whose message never quotes the token and
quotes server text only cleaned and shortened. Work is bounded: body size, pages, users,
string lengths.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from auditor.standards.digits import is_ascii_digits

MAX_PAGE_BYTES = 16 * 1024 * 1024
MAX_PAGES = 500
MAX_USERS = 200_000
MAX_TOKEN_CHARS = 16 * 1024
MAX_LINK_CHARS = 8 * 1024
MAX_TEXT = 320  # an email address is at most 254 characters; anything longer is cut
MAX_METHODS = 20
GOOGLE_PAGE_SIZE = 500
GOOGLE_FIELDS = (
    "kind,nextPageToken,users(primaryEmail,isAdmin,isDelegatedAdmin,isEnrolledIn2Sv,"
    "isEnforcedIn2Sv,suspended,archived)"
)
GRAPH_PATH = "reports/authenticationMethods/userRegistrationDetails"
PROVIDERS = ("google", "microsoft")
ENDPOINT_NAMES = {"google": "google_directory", "microsoft": "microsoft_graph"}

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
_BEARER = re.compile(r"^bearer(?:[ \t]+|$)", re.IGNORECASE)
_TOKEN_CHARS = re.compile(r"^[\x21-\x7e]+$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


class EnrolmentError(ValueError):
    """The token, a URL or an answer cannot be used; one plain line, never the token."""


@dataclass(frozen=True)
class UserEnrolment:
    email: str
    admin: bool
    enrolled: bool | None  # None: the answer did not say
    enforced: bool | None = None  # Google only: 2SV is required for this user
    capable: bool | None = None  # Microsoft only: registered and allowed by policy
    methods: tuple[str, ...] = ()  # Microsoft only: methodsRegistered

    def to_dict(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "admin": self.admin,
            "enrolled": self.enrolled,
            "enforced": self.enforced,
            "capable": self.capable,
            "methods": list(self.methods),
        }


@dataclass(frozen=True)
class Page:
    users: tuple[UserEnrolment, ...]
    ignored: int  # suspended or archived (Google): they cannot sign in
    next_url: str | None  # already checked: safe to send the token to


@dataclass(frozen=True)
class Summary:
    users: int
    enrolled: int
    unknown: int
    admins: int
    admins_without: int
    ignored: int

    @property
    def without(self) -> int:
        return self.users - self.enrolled - self.unknown

    def line(self) -> str:
        admins = "admin" if self.admins_without == 1 else "admins"
        text = (
            f"{self.enrolled} of {self.users} users enrolled; "
            f"{self.admins_without} {admins} without 2SV"
        )
        if self.unknown:
            text += f"; {self.unknown} not reported either way"
        if self.ignored:
            text += f" ({self.ignored} suspended or archived not counted)"
        return text

    def to_dict(self) -> dict[str, int]:
        return {
            "users": self.users,
            "enrolled": self.enrolled,
            "without_2sv": self.without,
            "unknown": self.unknown,
            "admins": self.admins,
            "admins_without_2sv": self.admins_without,
            "ignored_suspended_or_archived": self.ignored,
        }


# -- the token ------------------------------------------------------------------------------


def parse_token(text: str) -> str:
    """The bearer token from what the user saved: the bare token, "Bearer <token>", or the
    JSON an OAuth token endpoint returns (its access_token). Never quotes the input."""
    raw = text.strip()
    if len(raw) > 64 * 1024:
        raise EnrolmentError("the token file is too large to hold one access token")
    if raw.startswith("{"):
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            raise EnrolmentError("the token file looks like JSON but cannot be read") from None
        value = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(value, str):
            raise EnrolmentError("the token file is JSON without an access_token")
        raw = value.strip()
    raw = _BEARER.sub("", raw, count=1).strip()
    if not raw:
        raise EnrolmentError("the token file is empty")
    if any(c in raw for c in "\r\n"):
        raise EnrolmentError("the token file holds more than one line; save only the token")
    if len(raw) > MAX_TOKEN_CHARS:
        raise EnrolmentError(f"the token is longer than {MAX_TOKEN_CHARS} characters")
    if not _TOKEN_CHARS.match(raw):
        raise EnrolmentError("the token contains spaces or characters a token cannot have")
    return raw


def redact(text: str, token: str) -> str:
    """``text`` with every occurrence of ``token`` replaced (a server echoing it back)."""
    if len(token) < 4:
        return text
    return re.sub(re.escape(token), "<token>", text, flags=re.IGNORECASE)


# -- requests -------------------------------------------------------------------------------


def normalise_domain_filter(domain: str | None) -> str | None:
    if domain is None:
        return None
    value = domain.strip().lower().rstrip(".")
    if value.startswith("@"):
        value = value[1:]
    if not _DOMAIN.match(value):
        raise EnrolmentError("--domain must be a domain name such as campaign.org.uk")
    return value


def _base(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EnrolmentError("the endpoint must be an http(s) URL")
    return endpoint if endpoint.endswith("/") else endpoint + "/"


def first_url(provider: str, endpoint: str, domain: str | None = None) -> str:
    if provider == "google":
        return google_url(endpoint, domain)
    if provider == "microsoft":
        return urljoin(_base(endpoint), GRAPH_PATH)
    raise EnrolmentError(f"unknown provider (known: {', '.join(PROVIDERS)})")


def google_url(endpoint: str, domain: str | None = None, page_token: str | None = None) -> str:
    """users.list; ``domain`` limits it to one domain, otherwise every domain of the account."""
    params: list[tuple[str, str]] = (
        [("domain", domain)] if domain else [("customer", "my_customer")]
    )
    params += [("maxResults", str(GOOGLE_PAGE_SIZE)), ("fields", GOOGLE_FIELDS)]
    if page_token:
        params.append(("pageToken", page_token))
    return urljoin(_base(endpoint), "users") + "?" + urlencode(params)


def check_next_link(link: str, endpoint: str) -> str:
    """A Graph nextLink, refused unless it stays on the endpoint's origin and path."""
    if len(link) > MAX_LINK_CHARS:
        raise EnrolmentError("the next-page link is too long; not followed")
    base = urlsplit(_base(endpoint))
    parts = urlsplit(link)
    if _CONTROL.search(link) or " " in link:
        raise EnrolmentError("the next-page link contains spaces or control characters")
    try:
        same_port = parts.port == base.port
    except ValueError:
        same_port = False
    same_origin = (
        parts.scheme.lower() == base.scheme.lower()
        and (parts.hostname or "") == (base.hostname or "")
        and same_port
    )
    if not same_origin:
        host = clean(parts.hostname or "(none)", 100)
        raise EnrolmentError(
            f"refused to follow a next-page link to another host ({host}): the token is only "
            f"sent to {base.hostname}"
        )
    if not parts.path.startswith(base.path):
        raise EnrolmentError(
            "refused to follow a next-page link outside the endpoint's path; the token is "
            "only sent to the documented API"
        )
    return link


# -- answers --------------------------------------------------------------------------------


def clean(value: object, limit: int = MAX_TEXT) -> str:
    """Server text made safe for one terminal line: no control or direction characters."""
    text = _CONTROL.sub("", str(value)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def looks_like_html(body: bytes, content_type: str) -> bool:
    start = body[:512].lstrip().lower()
    return "html" in content_type.lower() or start.startswith((b"<!doctype", b"<html", b"<"))


def load_json(body: bytes, content_type: str = "application/json") -> dict[str, Any]:
    """The answer as a JSON object, or EnrolmentError saying what came instead."""
    if len(body) > MAX_PAGE_BYTES:
        raise EnrolmentError(f"the answer is larger than {MAX_PAGE_BYTES // (1024 * 1024)} MB")
    if looks_like_html(body, content_type):
        raise EnrolmentError(
            "the service answered with a web page, not JSON (a wrong --endpoint, a proxy or "
            "a sign-in page in the way?)"
        )
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise EnrolmentError("the answer is not valid JSON") from None
    if not isinstance(data, dict):
        raise EnrolmentError("the answer is JSON but not an object")
    return data


def _flag(item: dict[str, Any], key: str) -> bool | None:
    value = item.get(key)
    return value if isinstance(value, bool) else None


def _email(item: dict[str, Any], key: str, index: int) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not clean(value):
        raise EnrolmentError(f"user {index + 1} on this page has no {key}")
    return clean(value)


def _in_domain(email: str, domain: str | None) -> bool:
    return domain is None or email.lower().endswith("@" + domain)


def parse_google_page(
    body: bytes,
    endpoint: str,
    domain: str | None = None,
    content_type: str = "application/json",
) -> Page:
    data = load_json(body, content_type)
    if data.get("kind") != "admin#directory#users" and "users" not in data:
        raise EnrolmentError("the answer is not a Directory API list of users")
    items = data.get("users", [])
    if not isinstance(items, list):
        raise EnrolmentError("the answer's users is not a list")
    users: list[UserEnrolment] = []
    ignored = 0
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise EnrolmentError(f"user {index + 1} on this page is not a JSON object")
        email = _email(item, "primaryEmail", index)
        if item.get("suspended") is True or item.get("archived") is True:
            ignored += 1
            continue
        if not _in_domain(email, domain):
            continue
        admin = item.get("isAdmin") is True or item.get("isDelegatedAdmin") is True
        users.append(
            UserEnrolment(
                email=email,
                admin=admin,
                enrolled=_flag(item, "isEnrolledIn2Sv"),
                enforced=_flag(item, "isEnforcedIn2Sv"),
            )
        )
    page_token = data.get("nextPageToken")
    next_url = None
    if page_token is not None:
        if not isinstance(page_token, str) or not page_token:
            raise EnrolmentError("the answer's nextPageToken is not text")
        if len(page_token) > MAX_LINK_CHARS:
            raise EnrolmentError("the answer's nextPageToken is too long")
        next_url = google_url(endpoint, domain, page_token)
    return Page(tuple(users), ignored, next_url)


def parse_graph_page(
    body: bytes,
    endpoint: str,
    domain: str | None = None,
    content_type: str = "application/json",
) -> Page:
    data = load_json(body, content_type)
    items = data.get("value")
    if not isinstance(items, list):
        raise EnrolmentError("the answer is not a Graph list (no value array)")
    users: list[UserEnrolment] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise EnrolmentError(f"user {index + 1} on this page is not a JSON object")
        email = _email(item, "userPrincipalName", index)
        if not _in_domain(email, domain):
            continue
        raw_methods = item.get("methodsRegistered")
        methods = (
            tuple(clean(m, 64) for m in raw_methods[:MAX_METHODS] if isinstance(m, str))
            if isinstance(raw_methods, list)
            else ()
        )
        users.append(
            UserEnrolment(
                email=email,
                admin=item.get("isAdmin") is True,
                enrolled=_flag(item, "isMfaRegistered"),
                capable=_flag(item, "isMfaCapable"),
                methods=methods,
            )
        )
    link = data.get("@odata.nextLink")
    next_url = None
    if link is not None:
        if not isinstance(link, str) or not link:
            raise EnrolmentError("the answer's @odata.nextLink is not text")
        next_url = check_next_link(link, endpoint)
    return Page(tuple(users), 0, next_url)


def parse_page(
    provider: str,
    body: bytes,
    endpoint: str,
    domain: str | None = None,
    content_type: str = "application/json",
) -> Page:
    if provider == "google":
        return parse_google_page(body, endpoint, domain, content_type)
    if provider == "microsoft":
        return parse_graph_page(body, endpoint, domain, content_type)
    raise EnrolmentError(f"unknown provider (known: {', '.join(PROVIDERS)})")


# -- results --------------------------------------------------------------------------------


def ordered(users: Iterable[UserEnrolment]) -> list[UserEnrolment]:
    """Admins first; within each group, those without 2SV first, then by address."""
    rank = {False: 0, None: 1, True: 2}
    return sorted(users, key=lambda u: (not u.admin, rank[u.enrolled], u.email.lower()))


def summarise(users: Iterable[UserEnrolment], ignored: int = 0) -> Summary:
    listed = list(users)
    return Summary(
        users=len(listed),
        enrolled=sum(1 for u in listed if u.enrolled is True),
        unknown=sum(1 for u in listed if u.enrolled is None),
        admins=sum(1 for u in listed if u.admin),
        admins_without=sum(1 for u in listed if u.admin and u.enrolled is False),
        ignored=ignored,
    )


# -- HTTP trouble ---------------------------------------------------------------------------


def server_message(body: bytes) -> str:
    """The error text in a Google or Graph error answer ({"error": {"message": ...}})."""
    try:
        data = json.loads(body[:65536])
    except (ValueError, RecursionError):
        return ""
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        message, code = error.get("message"), error.get("code")
        parts = [clean(code, 80) if isinstance(code, str) else "", clean(message, 200)]
        return ": ".join(p for p in parts if p and p != "None")
    if isinstance(error, str):
        return clean(data.get("error_description") or error, 200)
    return ""


def describe_retry_after(value: str | None, now: datetime | None = None) -> str:
    """Retry-After (seconds or an HTTP date) as a plain phrase."""
    text = (value or "").strip()
    if not text:
        return "later"
    if is_ascii_digits(text):
        seconds = int(text[:9])
        if seconds < 120:
            return f"in {seconds} seconds (Retry-After)"
        return f"in about {round(seconds / 60)} minutes (Retry-After)"
    try:
        when = parsedate_to_datetime(text[:64])
    except (TypeError, ValueError, IndexError):
        return "later"
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    seconds = max(0, int((when - now).total_seconds()))
    return describe_retry_after(str(seconds))


def describe_http_error(
    provider: str, status: int, body: bytes, retry_after: str | None = None
) -> str:
    """One line for a refused or failed request; the token is never part of it."""
    detail = server_message(body)
    said = f" (the service said: {detail})" if detail else ""
    if status == 401:
        return f"the token was refused (HTTP 401): it may have expired{said}"
    if status == 403:
        if provider == "google":
            need = (
                "an admin account with read access to users, and the scope "
                "admin.directory.user.readonly"
            )
        else:
            need = (
                "AuditLog.Read.All (or UserAuthenticationMethod.Read.All), a reports reader "
                "role, and an Entra ID P1 or P2 licence"
            )
        return f"the token was refused (HTTP 403): it lacks the permission; it needs {need}{said}"
    if status == 429:
        return (
            f"the service asked us to slow down (HTTP 429); try again "
            f"{describe_retry_after(retry_after)}"
        )
    if status in (301, 302, 303, 307, 308):
        return f"the service answered with a redirect (HTTP {status}); not followed with the token"
    return f"the service answered HTTP {status}{said}"
