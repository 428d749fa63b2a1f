"""Cookie flags, graded with the Mozilla HTTP Observatory's rules (its ``cookies`` test).

Every cookie the site sets counts, on redirect responses too; the worst row that applies to
any cookie is the result. A session cookie is one whose name says ``sess`` or ``login``; an
anti-CSRF cookie one that says ``csrf``. HSTS protects cookies only when it passes (six
months or more, or the host is preloaded).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from auditor.standards.web.graded import GradedTest

NAME = "cookies"
MAX_COOKIES = 100
SESSION_HINTS = ("login", "sess")
# Heroku's router sets this for load balancing; it is not a session (Observatory issue 282).
NOT_SESSION_COOKIES = frozenset({"heroku-session-affinity"})
SAME_SITE_VALUES = ("strict", "lax", "none")
# Best first: the result is the worst row any cookie reaches.
ORDER = (
    "cookies-secure-with-httponly-sessions-and-samesite",
    "cookies-secure-with-httponly-sessions",
    "cookies-not-found",
    "cookies-without-secure-flag-but-protected-by-hsts",
    "cookies-session-without-secure-flag-but-protected-by-hsts",
    "cookies-without-secure-flag",
    "cookies-samesite-flag-invalid",
    "cookies-anticsrf-without-samesite-flag",
    "cookies-session-without-httponly-flag",
    "cookies-session-without-secure-flag",
)
_RESULTS = {
    ORDER[0]: (5, "All cookies are Secure and SameSite; session cookies are HttpOnly."),
    ORDER[1]: (0, "All cookies are Secure and session cookies HttpOnly (some lack SameSite)."),
    ORDER[2]: (0, "The site sets no cookies."),
    ORDER[3]: (-5, "Cookie {names} lacks the Secure flag (HSTS protects it)."),
    ORDER[4]: (-10, "Session cookie {names} lacks the Secure flag (HSTS protects it)."),
    ORDER[5]: (-20, "Cookie {names} lacks the Secure flag."),
    ORDER[6]: (-20, "Cookie {names} has an invalid SameSite (or SameSite=None without Secure)."),
    ORDER[7]: (-20, "Anti-CSRF cookie {names} has no SameSite."),
    ORDER[8]: (-30, "Session cookie {names} is readable by scripts (no HttpOnly)."),
    ORDER[9]: (-40, "Session cookie {names} is sent without the Secure flag."),
}


@dataclass(frozen=True)
class Cookie:
    name: str
    secure: bool = False
    http_only: bool = False
    same_site: str | None = None  # strict | lax | none; None when absent or not understood
    same_site_written: str | None = None  # as written (lower-case), for the invalid check
    domain: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def looks_like_session(self) -> bool:
        lowered = self.name.lower()
        return any(hint in lowered for hint in SESSION_HINTS)

    @property
    def anti_csrf(self) -> bool:
        return "csrf" in self.name.lower()


def parse_set_cookie(value: str) -> Cookie | None:
    """One Set-Cookie header (RFC 6265 5.2); None when it sets nothing."""
    parts = value[:8192].split(";")
    pair = parts[0]
    name, sep, _value = pair.partition("=")
    name = name.strip() if sep else ""
    if not name:
        return None
    attributes: dict[str, str] = {}
    same_site_written: str | None = None
    for part in parts[1:]:
        key, has_value, val = part.strip().partition("=")
        key = key.strip().lower()
        if not key:
            continue
        attributes[key] = val.strip()
        if key == "samesite":
            same_site_written = val.strip().lower() if has_value else ""
    same_site = same_site_written if same_site_written in SAME_SITE_VALUES else None
    domain = attributes.get("domain", "").lstrip(".").lower() or None
    return Cookie(
        name[:200],
        secure="secure" in attributes,
        http_only="httponly" in attributes,
        same_site=same_site,
        same_site_written=same_site_written,
        domain=domain,
        attributes=attributes,
    )


def _accepted(cookie: Cookie, host: str) -> bool:
    """A browser stores a cookie only for a Domain the host belongs to (RFC 6265 5.3 step 6)."""
    if cookie.domain is None or not host:
        return True
    return host == cookie.domain or host.endswith("." + cookie.domain)


def grade_cookies(set_cookies: Iterable[str], *, hsts: bool, host: str = "") -> GradedTest:
    """``set_cookies``: every Set-Cookie header the site sent; ``hsts``: HSTS passed."""
    headers = list(set_cookies)[:MAX_COOKIES]
    worst: str | None = None
    named: dict[str, list[str]] = {}

    def note(result: str, cookie: Cookie | None = None) -> None:
        nonlocal worst
        if cookie is not None:
            named.setdefault(result, []).append(cookie.name)
        if worst is None or ORDER.index(result) > ORDER.index(worst):
            worst = result

    parsed = [parse_set_cookie(h) for h in headers]
    for cookie in parsed:
        if cookie is not None and cookie.same_site_written is not None and cookie.same_site is None:
            note("cookies-samesite-flag-invalid", cookie)
    # The browser's cookie jar: the last Set-Cookie of a name wins.
    jar: dict[tuple[str, str | None], Cookie] = {}
    for cookie in parsed:
        if cookie is not None and _accepted(cookie, host):
            jar[(cookie.name, cookie.domain)] = cookie
    cookies = [c for c in jar.values() if c.name not in NOT_SESSION_COOKIES]
    if not cookies:
        return _graded("cookies-not-found", [])
    missing_same_site = False
    for cookie in cookies:
        session = cookie.looks_like_session
        if not cookie.secure and cookie.same_site == "none":
            note("cookies-samesite-flag-invalid", cookie)
        if not cookie.secure:
            note("cookies-without-secure-flag-but-protected-by-hsts" if hsts
                 else "cookies-without-secure-flag", cookie)  # fmt: skip
        if cookie.anti_csrf and cookie.same_site is None:
            note("cookies-anticsrf-without-samesite-flag", cookie)
        if session and not cookie.secure:
            note("cookies-session-without-secure-flag-but-protected-by-hsts" if hsts
                 else "cookies-session-without-secure-flag", cookie)  # fmt: skip
        if session and not cookie.http_only:
            note("cookies-session-without-httponly-flag", cookie)
        missing_same_site = missing_same_site or cookie.same_site is None
    if worst is None:
        worst = ORDER[1] if missing_same_site else ORDER[0]
    return _graded(worst, named.get(worst, []))


def _graded(result: str, names: list[str]) -> GradedTest:
    modifier, summary = _RESULTS[result]
    shown = ", ".join(dict.fromkeys(names))[:100]
    return GradedTest(NAME, result, modifier, summary.format(names=shown))
