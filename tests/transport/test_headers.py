"""web.headers against a loopback HTTPS server: the check's verdicts equal the Observatory
grader's (auditor/standards/web/observatory.py, measured against the Observatory's own cases
in tests/web_reference) on the same headers, page markup, redirects and CORS answers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from auditor.demo.certs import DemoCertificates
from auditor.demo.dns_server import DnsServer, zone_from_records
from auditor.demo.web_server import Request, Response, WebServer, html, redirect, text
from auditor.model import Finding, Status
from auditor.net.connect import ConnectRule
from auditor.services import Services
from auditor.standards.web.graded import SiteSample, response
from auditor.standards.web.observatory import grade_site, parse_hsts
from auditor.standards.web.security_txt import delivery_problems, parse_security_txt
from checks.web.headers import CORS_PROBE_ORIGIN, HeadersCheck

MakeServices = Callable[..., Services]
RunCheck = Callable[..., Awaitable[list[Finding]]]
NOW = datetime(2026, 5, 1, tzinfo=UTC)


def test_hsts_parsing() -> None:
    policy = parse_hsts("max-age=31536000; includeSubDomains; preload")
    assert policy is not None and (policy.max_age, policy.include_subdomains, policy.preload) == (
        31536000,
        True,
        True,
    )
    assert parse_hsts(None) is None
    assert parse_hsts("includeSubDomains").max_age is None  # type: ignore[union-attr]
    assert parse_hsts("max-age=1; max-age=2").problem  # type: ignore[union-attr]
    assert parse_hsts("max-age=1, max-age=2").problem  # type: ignore[union-attr]
    assert parse_hsts('max-age="600"').max_age == 600  # type: ignore[union-attr]


def test_security_txt() -> None:
    later = (NOW + timedelta(days=100)).isoformat()
    good = parse_security_txt(f"# hi\nContact: mailto:sec@example.org\nExpires: {later}\n", NOW)
    assert good.problems == () and good.contacts == ("mailto:sec@example.org",)
    assert "no Contact" in parse_security_txt(f"Expires: {later}\n", NOW).problems[0]
    expired = parse_security_txt("Contact: https://x.example\nExpires: 2020-01-01T00:00:00Z", NOW)
    assert "expired on 2020-01-01" in expired.problems[0]
    assert parse_security_txt("Contact: mailto:a@b.org\n", NOW).problems == (
        "it has no Expires field",
    )
    assert parse_security_txt("Contact: mailto:a@b.org\nExpires: soon\n", NOW).problems


@pytest.mark.parametrize(
    ("expires", "valid"),
    [
        ("2027-01-01T00:00:00Z", True),
        ("2027-01-01t00:00:00z", True),  # RFC 3339 5.6: T and Z may be lower case
        ("2027-01-01T00:00:00.123+01:00", True),
        ("2027-01-01T00:00:00-05:30", True),
        ("2027-01-01 00:00:00Z", False),  # ISO 8601 allows a space; RFC 3339's date-time not
        ("2027-01-01", False),
        ("2027-01-01T00:00:00", False),  # no time zone
        ("2027-02-30T00:00:00Z", False),
        ("2027-01-01T00:00:00+24:00", False),
    ],
)
def test_expires_is_an_rfc_3339_date_time(expires: str, valid: bool) -> None:
    parsed = parse_security_txt(f"Contact: mailto:a@b.org\nExpires: {expires}\n", NOW)
    assert (parsed.problems == ()) is valid, parsed.problems
    assert (parsed.expires is not None) is valid


@pytest.mark.parametrize(
    ("final_url", "content_type", "problem"),
    [
        ("https://x.example/.well-known/security.txt", "text/plain; charset=utf-8", ""),
        ("https://x.example/.well-known/security.txt", 'text/plain; charset="UTF-8"', ""),
        ("https://x.example/.well-known/security.txt", "text/plain", "no charset"),
        ("https://x.example/.well-known/security.txt", "text/plain; charset=latin-1", "latin-1"),
        (
            "http://x.example/.well-known/security.txt",
            "text/plain; charset=utf-8",
            "not over https",
        ),
    ],
)
def test_how_security_txt_is_served(final_url: str, content_type: str, problem: str) -> None:
    problems = delivery_problems(final_url, content_type)
    assert bool(problems) is bool(problem)
    assert all(problem in p for p in problems)


# -- the check against loopback servers -----------------------------------------------------

GOOD_HEADERS = (
    ("Content-Security-Policy", "default-src 'none'; img-src 'self'; frame-ancestors 'none'"),
    ("Strict-Transport-Security", "max-age=31536000"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Set-Cookie", "sessionid=abc; Secure; HttpOnly; SameSite=Lax"),
)


def site(host: str, headers: tuple[tuple[str, str], ...]) -> Callable[[Request], Response]:
    def handle(request: Request) -> Response:
        if request.scheme == "http":
            return redirect(f"https://{host}/")
        return html("<h1>Vote</h1>", headers=headers)

    return handle


@dataclass(frozen=True)
class SiteSpec:
    """One site's headers and page, served on loopback and transcribed for the grader."""

    headers: tuple[tuple[str, str], ...]
    body: str = "<h1>Vote</h1>"
    hop_cookie: str | None = None  # set on a 302 from / to /home
    echo_origin: bool = False  # CORS: echo Origin and allow credentials
    http_via_http: bool = False  # http:// first redirects to another http:// page


BASICS = (
    ("Strict-Transport-Security", "max-age=31536000"),
    ("X-Content-Type-Options", "nosniff"),
)
SPECS = {
    "meta": SiteSpec(
        BASICS,
        body='<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; '
        'object-src \'none\'"><meta name="referrer" content="no-referrer">'
        '<script src="/app.js"></script><h1>Vote</h1>',
    ),
    "hop": SiteSpec(GOOD_HEADERS[:4], hop_cookie="sessionid=1; Path=/; HttpOnly; SameSite=Lax"),
    "cors": SiteSpec(GOOD_HEADERS, echo_origin=True),
    "isolated": SiteSpec(
        (
            *BASICS,
            ("X-Frame-Options", "DENY"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
            ("Cross-Origin-Embedder-Policy", "require-corp"),
            ("Cross-Origin-Resource-Policy", "same-site"),
        ),
        body='<script src="https://cdn.elsewhere.example/x.js"></script>'
        '<script src="http://cdn.elsewhere.example/y.js" integrity="sha384-abc"></script>',
    ),
    "stepped": SiteSpec(GOOD_HEADERS, http_via_http=True),
}


def spec_site(host: str, spec: SiteSpec) -> Callable[[Request], Response]:
    def handle(request: Request) -> Response:
        if request.scheme == "http":
            if spec.http_via_http and request.path == "/":
                return redirect(f"http://{host}/next")
            return redirect(f"https://{host}/")
        if spec.hop_cookie and request.path == "/":
            return redirect(f"https://{host}/home", 302).with_header("Set-Cookie", spec.hop_cookie)
        page = html(spec.body, headers=spec.headers)
        if spec.echo_origin and request.header("origin"):
            page = page.with_header("Access-Control-Allow-Origin", request.header("origin"))
            page = page.with_header("Access-Control-Allow-Credentials", "true")
        return page

    return handle


def expected_sample(host: str, spec: SiteSpec) -> SiteSample:
    """The same site as the grader's input, written from the spec (not from any fetch)."""
    page = response([("content-type", "text/html; charset=utf-8"), *spec.headers])
    cors = page
    if spec.echo_origin:
        cors = response(
            [
                *spec.headers,
                ("access-control-allow-origin", CORS_PROBE_ORIGIN),
                ("access-control-allow-credentials", "true"),
            ]
        )
    route = (
        [f"http://{host}/", f"http://{host}/next"] if spec.http_via_http else [f"http://{host}/"]
    )
    cookies = [v for k, v in spec.headers if k.lower() == "set-cookie"]
    return SiteSample(
        url=f"https://{host}/home" if spec.hop_cookie else f"https://{host}/",
        host=host,
        page=page,
        html=spec.body,
        https=page,
        http=response([]),
        http_route=(*route, f"https://{host}/"),
        cors=cors,
        cors_origin=CORS_PROBE_ORIGIN,
        set_cookies=tuple([spec.hop_cookie] if spec.hop_cookie else []) + tuple(cookies),
    )


SECURITY_TXT = "Contact: mailto:security@hdr.example\nExpires: 2099-01-01t00:00:00z\n"


def _security_txt_over_http(request: Request) -> Response:
    if request.scheme == "https":
        return redirect(f"http://{request.host}/.well-known/security.txt")
    return text(SECURITY_TXT)


SECURITY_TXT_CASES: dict[str, Response | Callable[[Request], Response]] = {
    "sectxt-lower": text(SECURITY_TXT),
    "sectxt-charset": text(SECURITY_TXT, content_type="text/plain"),
    "sectxt-http": _security_txt_over_http,
}


@dataclass
class HeaderWorld:
    dns: DnsServer
    web: WebServer

    def services(self, make: MakeServices) -> Services:
        rules = (
            ConnectRule("", 443, "127.0.0.1", self.web.https_port),
            ConnectRule("", 80, "127.0.0.1", self.web.http_port),
        )
        return make(self.dns.port, connect_to=rules, ca_pem=self.web.ca_pem)


@pytest.fixture
async def world() -> AsyncIterator[HeaderWorld]:
    names = ["good", "bare", "sectxt-expired", "unseen", *SPECS, *SECURITY_TXT_CASES]
    zone = zone_from_records("hdr.example", [(n, "A", ["127.0.0.1"]) for n in names])
    certs = DemoCertificates([f"{n}.hdr.example" for n in names])
    later = (datetime.now(UTC) + timedelta(days=200)).isoformat(timespec="seconds")
    async with DnsServer(zones=[zone]) as dns_server, WebServer(certs) as web:
        web.route_prefix("good.hdr.example", "/", site("good.hdr.example", GOOD_HEADERS))
        web.route(
            "good.hdr.example",
            "/.well-known/security.txt",
            text(f"Contact: mailto:security@hdr.example\nExpires: {later}\n"),
        )
        web.route_prefix("bare.hdr.example", "/", html("<h1>Vote</h1>"))
        web.route_prefix(
            "sectxt-expired.hdr.example", "/", site("sectxt-expired.hdr.example", GOOD_HEADERS)
        )
        web.route(
            "sectxt-expired.hdr.example",
            "/.well-known/security.txt",
            text("Contact: mailto:security@hdr.example\nExpires: 2021-01-01T00:00:00Z\n"),
        )
        for name, spec in SPECS.items():
            web.route_prefix(f"{name}.hdr.example", "/", spec_site(f"{name}.hdr.example", spec))
        web.route_prefix("unseen.hdr.example", "/", site("unseen.hdr.example", GOOD_HEADERS))
        for name, route in SECURITY_TXT_CASES.items():
            web.route_prefix(f"{name}.hdr.example", "/", site(f"{name}.hdr.example", GOOD_HEADERS))
            web.route(f"{name}.hdr.example", "/.well-known/security.txt", route)
        yield HeaderWorld(dns_server, web)


async def test_well_configured_site(
    world: HeaderWorld, services_for: MakeServices, run: RunCheck
) -> None:
    findings = await run(HeadersCheck, "https://good.hdr.example/", world.services(services_for))
    by_subject = {f.subject: f for f in findings}
    assert set(by_subject) == {"summary", "security.txt"}
    summary = by_subject["summary"]
    assert summary.status is Status.PASS
    # 100 + CSP default-src 'none' (10) + frame-ancestors (5) + referrer (5) + cookies (5)
    assert summary.evidence[0].detail["score"] == 125
    assert "grade A+" in summary.message
    assert by_subject["security.txt"].status is Status.PASS


async def test_bare_site_gets_a_finding_per_failing_test(
    world: HeaderWorld, services_for: MakeServices, run: RunCheck
) -> None:
    findings = await run(HeadersCheck, "https://bare.hdr.example/", world.services(services_for))
    by_subject = {f.subject: f for f in findings}
    assert set(by_subject) == {
        "summary",
        "content-security-policy",
        "x-content-type-options",
        "x-frame-options",
        "security.txt",
    }
    # 100 - 25 (CSP) - 5 (nosniff) - 20 (framing) - 20 (HSTS) - 20 (no redirect) = 10
    assert by_subject["summary"].evidence[0].detail["score"] == 10
    assert "grade F" in by_subject["summary"].message
    assert by_subject["summary"].status is Status.WARN
    assert by_subject["content-security-policy"].actions == ("web.add-csp",)
    assert by_subject["security.txt"].status is Status.WARN


async def test_expired_security_txt(
    world: HeaderWorld, services_for: MakeServices, run: RunCheck
) -> None:
    findings = await run(
        HeadersCheck, "https://sectxt-expired.hdr.example/", world.services(services_for)
    )
    [sectxt] = [f for f in findings if f.subject == "security.txt"]
    assert sectxt.status is Status.WARN
    assert "expired on 2021-01-01" in sectxt.message


async def test_unreachable_site_is_could_not_check(
    world: HeaderWorld, services_for: MakeServices, run: RunCheck
) -> None:
    world.web.faults.set("good.hdr.example", "close")
    [finding] = await run(HeadersCheck, "https://good.hdr.example/", world.services(services_for))
    assert finding.status is Status.ERROR


# What each site must show, so that a wiring fault (body not read, redirect cookies dropped,
# no Origin sent, route not reused) fails even if the grader and the check agreed on it.
TELLING_RESULTS = {
    "meta": {
        "content-security-policy": "csp-implemented-with-no-unsafe",
        "referrer-policy": "referrer-policy-private",
        "subresource-integrity": "sri-not-implemented-but-all-scripts-loaded-from-secure-origin",
    },
    "hop": {"cookies": "cookies-session-without-secure-flag-but-protected-by-hsts"},
    "cors": {
        "cross-origin-resource-sharing": (
            "cross-origin-resource-sharing-implemented-with-universal-access"
        )
    },
    "isolated": {
        "x-frame-options": "x-frame-options-sameorigin-or-deny",
        "cross-origin-opener-policy": "coop-implemented-with-same-origin",
        "cross-origin-embedder-policy": "coep-implemented-with-require-corp",
        "cross-origin-resource-policy": "corp-implemented-with-same-site",
        "subresource-integrity": "sri-not-implemented-but-external-scripts-loaded-securely",
    },
    "stepped": {"redirection": "redirection-not-to-https-on-initial-redirection"},
}


@pytest.mark.parametrize("name", sorted(SPECS))
async def test_check_verdicts_equal_the_graders(
    name: str, world: HeaderWorld, services_for: MakeServices, run: RunCheck
) -> None:
    host = f"{name}.hdr.example"
    findings = await run(HeadersCheck, f"https://{host}/", world.services(services_for))
    [summary] = [f for f in findings if f.subject == "summary"]
    tests = summary.evidence[0].detail["tests"]
    ours = {test: verdict["result"] for test, verdict in tests.items()}
    expected = grade_site(expected_sample(host, SPECS[name]))
    assert ours == {r.test: r.result for r in expected.results}
    assert summary.evidence[0].detail["score"] == expected.score
    assert len(ours) == 12
    for test, result in TELLING_RESULTS[name].items():
        assert ours[test] == result, test
    for failing in (r for r in expected.results if r.modifier < 0):
        if failing.test not in ("strict-transport-security", "redirection"):
            assert failing.test in {f.subject for f in findings}


async def test_cors_with_credentials_for_any_origin_is_a_high_finding(
    world: HeaderWorld, services_for: MakeServices, run: RunCheck
) -> None:
    findings = await run(HeadersCheck, "https://cors.hdr.example/", world.services(services_for))
    [cors] = [f for f in findings if f.subject == "cross-origin-resource-sharing"]
    assert cors.actions == ("web.fix-cors",) and cors.severity.value == "high"
    origins = [r.header("origin") for r in world.web.requests_to("cors.hdr.example")]
    assert origins.count(CORS_PROBE_ORIGIN) == 1  # one probe, and only that one carries it


async def test_http_is_probed_once_per_audit(
    world: HeaderWorld, services_for: MakeServices, run: RunCheck
) -> None:
    await run(HeadersCheck, "https://stepped.hdr.example/", world.services(services_for))
    plain = [r for r in world.web.requests_to("stepped.hdr.example") if r.scheme == "http"]
    # web.https: http://…/ unfollowed, then followed (/, /next): three requests, none by
    # web.headers, which scores the route web.https published.
    assert [r.path for r in plain] == ["/", "/", "/next"]


async def test_a_redirect_route_not_seen_is_left_out_of_the_score(
    world: HeaderWorld, services_for: MakeServices, run: RunCheck
) -> None:
    # web.https fetches https://host/ itself and stops when that breaks, so it publishes no
    # route; the page graded here is another path, which answers.
    world.web.faults.set("unseen.hdr.example", "close", path="/")
    findings = await run(
        HeadersCheck, "https://unseen.hdr.example/page", world.services(services_for)
    )
    [summary] = [f for f in findings if f.subject == "summary"]
    redirection = summary.evidence[0].detail["tests"]["redirection"]
    assert redirection == {"result": "not-checked", "modifier": 0, "graded": False}
    assert "redirection not graded" in summary.message
    assert summary.evidence[0].detail["score"] == 125


@pytest.mark.parametrize(
    ("name", "status", "words"),
    [
        ("sectxt-lower", Status.PASS, "names a contact"),
        ("sectxt-charset", Status.WARN, "text/plain with no charset, not charset=utf-8"),
        ("sectxt-http", Status.WARN, "after redirects, not over https"),
    ],
)
async def test_security_txt_rfc_9116_cases(
    name: str,
    status: Status,
    words: str,
    world: HeaderWorld,
    services_for: MakeServices,
    run: RunCheck,
) -> None:
    findings = await run(HeadersCheck, f"https://{name}.hdr.example/", world.services(services_for))
    [sectxt] = [f for f in findings if f.subject == "security.txt"]
    assert sectxt.status is status, sectxt.message
    assert words in sectxt.message
