"""Pure grading of a site's security headers, in the manner of the Mozilla HTTP Observatory.

Each test returns a ``GradedTest`` with a modifier; the score starts at 100, penalties are
added, and bonuses count only when the penalised score is still 90 or more (as the
Observatory does). The table is documented in docs/web-headers-scoring.md. Nothing here
raises: malformed headers are graded as invalid. Work is bounded by header-length caps.
security.txt, which is not a header and not scored, is read in
auditor/standards/web/security_txt.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from auditor.standards.digits import ascii_int

MAX_HEADER = 16 * 1024
MAX_COOKIES = 100
HSTS_MIN_AGE = 15_552_000  # six months
SESSION_HINTS = ("sess", "sid", "auth", "token", "login", "jwt")
GOOD_REFERRER = ("no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin")
WEAK_REFERRER = ("no-referrer-when-downgrade", "origin", "origin-when-cross-origin", "unsafe-url")
GRADES = (
    (100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-"), (60, "C+"),
    (50, "C"), (45, "C-"), (40, "D+"), (30, "D"), (25, "D-"), (0, "F"),
)  # fmt: skip


@dataclass(frozen=True)
class GradedTest:
    test: str  # "content-security-policy", "cookies", ...
    result: str  # an Observatory-style result id: "csp-not-implemented"
    modifier: int
    summary: str  # one plain sentence

    @property
    def passed(self) -> bool:
        return self.modifier >= 0


@dataclass(frozen=True)
class Grade:
    score: int
    letter: str
    results: tuple[GradedTest, ...]


# -- HSTS -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HstsPolicy:
    max_age: int | None  # None when the header is missing or invalid
    include_subdomains: bool = False
    preload: bool = False
    problem: str = ""


def parse_hsts(value: str | None) -> HstsPolicy | None:
    """None when the header is absent; otherwise the policy (``problem`` set when invalid)."""
    if value is None:
        return None
    seen: set[str] = set()
    max_age: int | None = None
    include = preload = False
    for part in value[:MAX_HEADER].split(";"):
        name, _sep, raw = part.strip().partition("=")
        name = name.strip().lower()
        if not name:
            continue
        if name in seen:
            return HstsPolicy(None, problem=f"the {name} directive appears twice")
        seen.add(name)
        if name == "max-age":
            digits = raw.strip().strip('"')
            parsed_age = ascii_int(digits, max_digits=12)
            if parsed_age is None:
                return HstsPolicy(None, problem=f"max-age {raw.strip()[:30]!r} is not a number")
            max_age = parsed_age
        elif name == "includesubdomains":
            include = True
        elif name == "preload":
            preload = True
    if max_age is None:
        return HstsPolicy(None, problem="the header has no max-age")
    return HstsPolicy(max_age, include, preload)


def grade_hsts(value: str | None, *, https: bool = True) -> GradedTest:
    name = "strict-transport-security"
    if not https:
        return GradedTest(name, "hsts-not-implemented-no-https", -20, "The site has no HTTPS.")
    policy = parse_hsts(value)
    if policy is None:
        return GradedTest(name, "hsts-not-implemented", -20, "HSTS is not set.")
    if policy.max_age is None:
        return GradedTest(name, "hsts-header-invalid", -20, f"HSTS is invalid: {policy.problem}.")
    if policy.max_age < HSTS_MIN_AGE:
        return GradedTest(
            name,
            "hsts-implemented-max-age-less-than-six-months",
            -10,
            f"HSTS max-age is {policy.max_age} seconds, under six months.",
        )
    return GradedTest(
        name,
        "hsts-implemented-max-age-at-least-six-months",
        0,
        "HSTS is set for six months or more.",
    )


# -- Content-Security-Policy ----------------------------------------------------------------


def parse_csp(value: str) -> dict[str, list[str]] | None:
    """Directive name -> source list (first occurrence wins), or None when unparseable."""
    directives: dict[str, list[str]] = {}
    for part in value[:MAX_HEADER].split(";"):
        tokens = part.split()
        if not tokens:
            continue
        name = tokens[0].lower()
        if not all(c.isalnum() or c == "-" for c in name):
            return None
        directives.setdefault(name, [t.lower() for t in tokens[1:]][:200])
    return directives or None


def _unsafe_sources(sources: Sequence[str]) -> list[str]:
    """Sources that let an attacker's script run, ignoring 'unsafe-inline' where a nonce,
    hash or 'strict-dynamic' makes browsers ignore it."""
    modern = any(s.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-")) for s in sources)
    modern = modern or "'strict-dynamic'" in sources
    wildcards = ("*", "http:", "https:", "data:", "blob:", "filesystem:")
    return [
        s
        for s in sources
        if (s == "'unsafe-inline'" and not modern) or s in wildcards or s.startswith("http://")
    ]


def grade_csp(values: Sequence[str]) -> GradedTest:
    name = "content-security-policy"
    if not values:
        return GradedTest(name, "csp-not-implemented", -25, "No Content-Security-Policy is set.")
    directives = parse_csp(values[0])
    if directives is None:
        return GradedTest(
            name, "csp-header-invalid", -25, "The Content-Security-Policy is invalid."
        )
    script = directives.get("script-src", directives.get("default-src"))
    if script is None:
        return GradedTest(
            name,
            "csp-implemented-with-unsafe-inline",
            -20,
            "The Content-Security-Policy sets neither script-src nor default-src, so any "
            "script may run.",
        )
    unsafe = _unsafe_sources(script)
    if unsafe:
        return GradedTest(
            name,
            "csp-implemented-with-unsafe-inline",
            -20,
            f"The Content-Security-Policy allows unsafe script sources: {' '.join(unsafe[:5])}.",
        )
    if "'unsafe-eval'" in script:
        return GradedTest(
            name,
            "csp-implemented-with-unsafe-eval",
            -10,
            "The Content-Security-Policy allows 'unsafe-eval'.",
        )
    style = directives.get("style-src", directives.get("default-src", []))
    if "'unsafe-inline'" in style:
        return GradedTest(
            name,
            "csp-implemented-with-unsafe-inline-in-style-src-only",
            0,
            "The Content-Security-Policy is good; it allows inline styles only.",
        )
    if directives.get("default-src") == ["'none'"]:
        return GradedTest(
            name,
            "csp-implemented-with-no-unsafe-default-src-none",
            10,
            "The Content-Security-Policy is strict (default-src 'none').",
        )
    return GradedTest(
        name,
        "csp-implemented-with-no-unsafe",
        5,
        "The Content-Security-Policy has no unsafe sources.",
    )


# -- the simple headers ---------------------------------------------------------------------


def grade_content_type_options(value: str | None) -> GradedTest:
    name = "x-content-type-options"
    if value is None:
        return GradedTest(
            name, "x-content-type-options-not-implemented", -5, "X-Content-Type-Options is not set."
        )
    if value.strip().lower() != "nosniff":
        return GradedTest(
            name,
            "x-content-type-options-header-invalid",
            -5,
            f"X-Content-Type-Options is {value[:40]!r}, not nosniff.",
        )
    return GradedTest(
        name, "x-content-type-options-nosniff", 0, "X-Content-Type-Options is nosniff."
    )


def grade_framing(xfo: str | None, csp_values: Sequence[str]) -> GradedTest:
    name = "x-frame-options"
    directives = parse_csp(csp_values[0]) if csp_values else None
    if directives and "frame-ancestors" in directives:
        return GradedTest(
            name, "xfo-implemented-via-csp", 5, "Framing is controlled by CSP frame-ancestors."
        )
    if xfo is None:
        return GradedTest(
            name,
            "x-frame-options-not-implemented",
            -20,
            "Neither X-Frame-Options nor CSP frame-ancestors is set, so other sites can frame "
            "the pages (clickjacking).",
        )
    value = xfo.strip().lower()
    if value in ("deny", "sameorigin"):
        return GradedTest(
            name, "x-frame-options-sameorigin-or-deny", 0, f"X-Frame-Options is {value.upper()}."
        )
    if value.startswith("allow-from "):
        return GradedTest(
            name, "x-frame-options-allow-from-origin", 0, "X-Frame-Options uses ALLOW-FROM."
        )
    return GradedTest(
        name, "x-frame-options-header-invalid", -20, f"X-Frame-Options {xfo[:40]!r} is invalid."
    )


def grade_referrer(value: str | None) -> GradedTest:
    name = "referrer-policy"
    if value is None:
        return GradedTest(
            name,
            "referrer-policy-not-implemented",
            0,
            "Referrer-Policy is not set (browsers default to strict-origin-when-cross-origin).",
        )
    tokens = [t.strip().lower() for t in value[:1024].split(",") if t.strip()]
    known = [t for t in tokens if t in GOOD_REFERRER or t in WEAK_REFERRER]
    if not known:
        return GradedTest(
            name,
            "referrer-policy-header-invalid",
            -5,
            f"Referrer-Policy {value[:40]!r} is invalid.",
        )
    policy = known[-1]  # browsers use the last value they understand
    if policy in WEAK_REFERRER:
        return GradedTest(
            name,
            "referrer-policy-unsafe",
            -5,
            f"Referrer-Policy {policy} leaks full addresses to other sites.",
        )
    return GradedTest(name, "referrer-policy-private", 5, f"Referrer-Policy is {policy}.")


# -- cookies --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cookie:
    name: str
    secure: bool = False
    http_only: bool = False
    same_site: str | None = None  # as written, lower-case
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def looks_like_session(self) -> bool:
        lowered = self.name.lower()
        return any(hint in lowered for hint in SESSION_HINTS)


def parse_set_cookie(value: str) -> Cookie | None:
    parts = value[:8192].split(";")
    name, sep, _value = parts[0].partition("=")
    if not sep or not name.strip():
        return None
    attributes: dict[str, str] = {}
    for part in parts[1:]:
        key, _sep, val = part.strip().partition("=")
        if key:
            attributes[key.strip().lower()] = val.strip()
    same_site = attributes.get("samesite")
    return Cookie(
        name.strip()[:200],
        secure="secure" in attributes,
        http_only="httponly" in attributes,
        same_site=same_site.lower() if same_site is not None else None,
        attributes=attributes,
    )


def grade_cookies(set_cookies: Iterable[str], *, hsts: bool) -> GradedTest:
    name = "cookies"
    cookies = [c for c in (parse_set_cookie(v) for v in list(set_cookies)[:MAX_COOKIES]) if c]
    if not cookies:
        return GradedTest(name, "cookies-not-found", 0, "The page sets no cookies.")
    sessions = [c for c in cookies if c.looks_like_session]
    invalid = [c for c in cookies if c.same_site not in (None, "strict", "lax", "none")]
    invalid += [c for c in cookies if c.same_site == "none" and not c.secure]
    if [c for c in sessions if not c.secure]:
        names = ", ".join(c.name for c in sessions if not c.secure)[:100]
        return GradedTest(
            name,
            "cookies-session-without-secure-flag",
            -40,
            f"Session cookie {names} is sent without the Secure flag.",
        )
    if [c for c in sessions if not c.http_only]:
        names = ", ".join(c.name for c in sessions if not c.http_only)[:100]
        return GradedTest(
            name,
            "cookies-session-without-httponly-flag",
            -30,
            f"Session cookie {names} is readable by scripts (no HttpOnly).",
        )
    insecure = [c for c in cookies if not c.secure]
    if insecure:
        names = ", ".join(c.name for c in insecure)[:100]
        if hsts:
            return GradedTest(
                name,
                "cookies-without-secure-flag-but-protected-by-hsts",
                -5,
                f"Cookie {names} lacks the Secure flag (HSTS protects it).",
            )
        return GradedTest(
            name, "cookies-without-secure-flag", -20, f"Cookie {names} lacks the Secure flag."
        )
    if invalid:
        return GradedTest(
            name,
            "cookies-samesite-flag-invalid",
            -20,
            f"Cookie {invalid[0].name[:60]} has an invalid SameSite setting.",
        )
    if all(c.same_site in ("strict", "lax") for c in cookies):
        return GradedTest(
            name,
            "cookies-secure-with-httponly-sessionid-samesite",
            5,
            "All cookies are Secure and SameSite, session cookies HttpOnly.",
        )
    return GradedTest(
        name,
        "cookies-secure-with-httponly-sessionid",
        0,
        "All cookies are Secure and session cookies HttpOnly.",
    )


# -- redirection and the total --------------------------------------------------------------


def grade_redirection(kind: str) -> GradedTest:
    """``kind``: to-https | not-to-https | missing | off-host | no-http (from the check)."""
    name = "redirection"
    table = {
        "to-https": ("redirection-to-https", 0, "Plain http:// redirects to https://."),
        "no-http": ("redirection-not-needed-no-http", 0, "The site does not answer plain http://."),
        "off-host": (
            "redirection-off-host-from-http",
            -5,
            "Plain http:// redirects to another host before going to https://.",
        ),
        "not-to-https": (
            "redirection-not-to-https",
            -20,
            "Plain http:// does not end up on https://.",
        ),
        "missing": (
            "redirection-missing",
            -20,
            "Plain http:// serves the page without redirecting.",
        ),
    }
    result, modifier, summary = table.get(kind, table["missing"])
    return GradedTest(name, result, modifier, summary)


def letter_for(score: int) -> str:
    return next(letter for floor, letter in GRADES if score >= floor)


def total(results: Sequence[GradedTest]) -> Grade:
    penalised = 100 + sum(r.modifier for r in results if r.modifier < 0)
    bonus = sum(r.modifier for r in results if r.modifier > 0) if penalised >= 90 else 0
    score = max(0, penalised + bonus)
    return Grade(score, letter_for(score), tuple(results))
