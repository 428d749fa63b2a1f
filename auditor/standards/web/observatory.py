"""The whole-site grader with the Mozilla HTTP Observatory's rules and
scoring (mdn/mdn-http-observatory, as re-scored in October 2025 and August 2026).

``grade_site`` runs every test on a ``SiteSample`` (what the check fetched) and totals
them: the score starts at 100, penalties always count, bonuses only when the penalised
score is still 90 or more. Where an RFC and the Observatory differ (HSTS directives given
twice, X-Frame-Options ALLOW-FROM without an origin) the RFC wins; docs/web-headers-scoring.md
lists each difference with its clause. Nothing here raises, and work is bounded by header
caps. CSP, cookies, the cross-origin headers and subresource integrity live in their own
modules; this one holds the simple headers and the total.

checks/web/headers.py grades with it: auditor/standards/web/sites.py builds the SiteSample
from the check's fetches (page body for <meta>, Set-Cookie of redirect hops, a CORS request,
web.https's http:// route). No HSTS preload list is used (the audit works offline), so
``preloaded`` is false there. tests/web_reference measures this grader against the
Observatory's cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from auditor.standards.digits import ascii_int
from auditor.standards.web.cookie_grading import grade_cookies, parse_set_cookie
from auditor.standards.web.cross_origin import grade_coep, grade_coop, grade_corp, grade_cors
from auditor.standards.web.csp import CspInvalid, grade_csp, parse_policies, split_policies
from auditor.standards.web.graded import MAX_HEADER, Grade, GradedTest, Response, SiteSample
from auditor.standards.web.page_markup import scan_markup
from auditor.standards.web.sri import grade_sri

__all__ = [
    "Grade", "GradedTest", "HstsPolicy", "Response", "SiteSample", "grade_site", "letter_for",
    "parse_csp", "parse_hsts", "parse_set_cookie", "total",
]  # fmt: skip

HSTS_MIN_AGE = 15_552_000  # six months, as the Observatory counts it
GOOD_REFERRER = ("no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin")
WEAK_REFERRER = ("no-referrer-when-downgrade", "origin", "origin-when-cross-origin", "unsafe-url")
GRADES = (
    (100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-"), (60, "C+"),
    (50, "C"), (45, "C-"), (40, "D+"), (30, "D"), (25, "D-"), (0, "F"),
)  # fmt: skip
EXTRA_CREDIT_FLOOR = 90


# -- HSTS (RFC 6797) ------------------------------------------------------------------------


@dataclass(frozen=True)
class HstsPolicy:
    max_age: int | None  # None when the header is missing or invalid
    include_subdomains: bool = False
    preload: bool = False
    problem: str = ""


def parse_hsts(value: str | None) -> HstsPolicy | None:
    """None when the header is absent; otherwise the policy (``problem`` set when invalid).

    RFC 6797 6.1: directives are separated by ';' and each appears at most once; a ','
    means two header values were joined, which is not a valid value either.
    """
    if value is None:
        return None
    if "," in value[:MAX_HEADER]:
        return HstsPolicy(None, problem="the value holds a comma (two headers joined into one)")
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
            digits = raw.strip()
            if len(digits) >= 2 and digits[0] == digits[-1] == '"':
                digits = digits[1:-1]  # a quoted-string is allowed (RFC 6797 6.1.1)
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


def grade_hsts(https: Response | None, *, preloaded: bool = False) -> GradedTest:
    """HSTS from the https:// response; RFC 6797 8.1: only the first header counts."""
    name = "strict-transport-security"
    if https is None:
        return GradedTest(name, "hsts-not-implemented-no-https", -20, "The site has no HTTPS.")
    if preloaded:
        return GradedTest(name, "hsts-preloaded", 5, "The site is on the browsers' HSTS list.")
    if not https.verified:
        return GradedTest(
            name, "hsts-invalid-cert", -20, "HSTS cannot work: the certificate is not trusted."
        )
    policy = parse_hsts(https.first(name))
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
        name, "hsts-implemented-max-age-at-least-six-months", 0, "HSTS is set for six months+."
    )


# -- the simple headers ---------------------------------------------------------------------


def parse_csp(value: str) -> dict[str, set[str]] | None:
    """One header value's enforced policy, or None when it is invalid (for callers and fuzz)."""
    try:
        return parse_policies(split_policies([value])) or None
    except CspInvalid:
        return None


def grade_content_type_options(value: str | None) -> GradedTest:
    name = "x-content-type-options"
    if not value:
        return GradedTest(
            name, "x-content-type-options-not-implemented", -5, "X-Content-Type-Options is not set."
        )
    if value[:256].strip().lower() != "nosniff":
        return GradedTest(
            name,
            "x-content-type-options-header-invalid",
            -5,
            f"X-Content-Type-Options is {value[:40]!r}, not nosniff.",
        )
    return GradedTest(
        name, "x-content-type-options-nosniff", 0, "X-Content-Type-Options is nosniff."
    )


def grade_framing(xfo: str | None, csp: dict[str, set[str]] | None) -> GradedTest:
    """X-Frame-Options (RFC 7034), or CSP frame-ancestors, which replaces it."""
    name = "x-frame-options"
    if csp and "frame-ancestors" in csp:
        return GradedTest(
            name, "x-frame-options-implemented-via-csp", 5, "CSP frame-ancestors controls framing."
        )
    if not xfo:
        return GradedTest(
            name,
            "x-frame-options-not-implemented",
            -20,
            "Neither X-Frame-Options nor CSP frame-ancestors is set, so other sites can frame "
            "the pages (clickjacking).",
        )
    value = xfo[:1024].strip().lower()
    if value in ("deny", "sameorigin"):
        return GradedTest(
            name, "x-frame-options-sameorigin-or-deny", 5, f"X-Frame-Options is {value.upper()}."
        )
    origin = value.removeprefix("allow-from").strip()
    if value.startswith("allow-from") and urlsplit(origin).scheme in ("http", "https"):
        return GradedTest(
            name, "x-frame-options-allow-from-origin", 0, "X-Frame-Options uses ALLOW-FROM."
        )
    return GradedTest(
        name, "x-frame-options-header-invalid", -20, f"X-Frame-Options {xfo[:40]!r} is invalid."
    )


def grade_referrer(values: Sequence[str], meta: Sequence[str] = ()) -> GradedTest:
    """Referrer-Policy headers then ``<meta name="referrer">``: the last known value counts."""
    name = "referrer-policy"
    if not values and not meta:
        return GradedTest(
            name,
            "referrer-policy-not-implemented",
            0,
            "Referrer-Policy is not set (browsers default to strict-origin-when-cross-origin).",
        )
    joined = ", ".join([*values, *meta])[:MAX_HEADER]
    known = [t.strip().lower() for t in joined.split(",")]
    known = [t for t in known if t in GOOD_REFERRER or t in WEAK_REFERRER]
    if not known:
        return GradedTest(
            name,
            "referrer-policy-header-invalid",
            -5,
            f"Referrer-Policy {joined[:40]!r} is invalid.",
        )
    policy = known[-1]
    if policy in WEAK_REFERRER:
        return GradedTest(
            name,
            "referrer-policy-unsafe",
            -5,
            f"Referrer-Policy {policy} leaks full addresses to other sites.",
        )
    return GradedTest(name, "referrer-policy-private", 5, f"Referrer-Policy is {policy}.")


def grade_redirection(sample: SiteSample) -> GradedTest:
    """How plain http:// behaves: ``sample.http_route`` is its redirect chain."""
    name = "redirection"
    route = [urlsplit(url) for url in sample.http_route]

    def graded(result: str, modifier: int, summary: str) -> GradedTest:
        return GradedTest(name, result, modifier, summary)

    if sample.http is None:
        return graded("redirection-not-needed-no-http", 0, "The site does not answer http://.")
    if not sample.http.verified:
        return graded(
            "redirection-invalid-cert", -20, "The redirect lands on an untrusted certificate."
        )
    if all(sample.preloaded(part.hostname or "") for part in route):
        return graded(
            "redirection-all-redirects-preloaded", 0, "Every host on the way is HSTS preloaded."
        )
    if len(route) == 1:
        return graded(
            "redirection-missing", -20, "Plain http:// serves the page without redirecting."
        )
    if route[-1].scheme != "https":
        return graded("redirection-not-to-https", -20, "Plain http:// does not end up on https://.")
    if route[1].scheme == "http":
        return graded(
            "redirection-not-to-https-on-initial-redirection",
            -10,
            "The first redirect from http:// stays on http://.",
        )
    if (
        route[0].scheme == "http"
        and route[1].scheme == "https"
        and (route[0].hostname != route[1].hostname)
    ):
        return graded(
            "redirection-off-host-from-http",
            -5,
            "Plain http:// redirects to another host before going to https://.",
        )
    return graded("redirection-to-https", 0, "Plain http:// redirects to https://.")


# -- the whole site -------------------------------------------------------------------------


def grade_site(sample: SiteSample) -> Grade:
    """Every Observatory test on one sample, and their total."""
    page = sample.page
    markup = scan_markup(sample.html[: 2 * 1024 * 1024]) if sample.html else None
    equiv = markup.http_equiv if markup else {}
    csp = grade_csp(
        page.get_all("content-security-policy") if page else [],
        equiv.get("content-security-policy", []),
        report_only=page.first("content-security-policy-report-only") if page else None,
        on_https=sample.on_https,
    )
    hsts = grade_hsts(sample.https, preloaded=sample.https is not None and sample.preloaded(
        sample.host))  # fmt: skip
    hsts_protects = hsts.result in (
        "hsts-implemented-max-age-at-least-six-months", "hsts-preloaded")  # fmt: skip
    results = [
        csp.graded,
        grade_cookies(sample.set_cookies, hsts=hsts_protects, host=sample.host),
        grade_cors(sample),
        grade_coep(page),
        grade_coop(page),
        grade_corp(page, equiv.get("cross-origin-resource-policy")),
        grade_redirection(sample),
        grade_referrer(
            page.get_all("referrer-policy") if page else [], equiv.get("referrer-policy", [])
        ),
        hsts,
        grade_sri(
            markup.scripts if markup else [],
            content_type=page.first("content-type") if page else None,
            host=sample.host,
            on_https=sample.on_https,
        ),
        grade_content_type_options(page.first("x-content-type-options") if page else None),
        grade_framing(page.first("x-frame-options") if page else None, csp.directives),
    ]
    return total(results)


def letter_for(score: int) -> str:
    return next(letter for floor, letter in GRADES if score >= floor)


def total(results: Sequence[GradedTest]) -> Grade:
    counted = [r for r in results if r.graded]
    penalised = 100 + sum(r.modifier for r in counted if r.modifier < 0)
    bonus = sum(r.modifier for r in counted if r.modifier > 0)
    score = max(0, penalised + bonus if penalised >= EXTRA_CREDIT_FLOOR else penalised)
    return Grade(score, letter_for(score), tuple(results))
