"""Header grading (pure) and web.headers against a loopback HTTPS server."""

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
from auditor.standards.web.header_grading import (
    GradedTest,
    grade_content_type_options,
    grade_cookies,
    grade_csp,
    grade_framing,
    grade_hsts,
    grade_redirection,
    grade_referrer,
    letter_for,
    parse_hsts,
    total,
)
from auditor.standards.web.security_txt import parse_security_txt
from checks.web.headers import HeadersCheck

MakeServices = Callable[..., Services]
RunCheck = Callable[..., Awaitable[list[Finding]]]
NOW = datetime(2026, 5, 1, tzinfo=UTC)


# -- pure grading ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("csp", "result", "modifier"),
    [
        (None, "csp-not-implemented", -25),
        (
            "default-src 'none'; img-src 'self'",
            "csp-implemented-with-no-unsafe-default-src-none",
            10,
        ),
        ("default-src 'self'", "csp-implemented-with-no-unsafe", 5),
        (
            "default-src 'self'; script-src 'self' 'unsafe-inline'",
            "csp-implemented-with-unsafe-inline",
            -20,
        ),
        ("script-src 'nonce-abc' 'unsafe-inline'", "csp-implemented-with-no-unsafe", 5),
        ("default-src *", "csp-implemented-with-unsafe-inline", -20),
        ("default-src 'self' https:", "csp-implemented-with-unsafe-inline", -20),
        (
            "default-src 'self'; script-src 'self' 'unsafe-eval'",
            "csp-implemented-with-unsafe-eval",
            -10,
        ),
        (
            "default-src 'self'; style-src 'unsafe-inline'",
            "csp-implemented-with-unsafe-inline-in-style-src-only",
            0,
        ),
        ("img-src 'self'", "csp-implemented-with-unsafe-inline", -20),
        ("default-src 'self' ;; ", "csp-implemented-with-no-unsafe", 5),
        ("de{fault-src 'self'", "csp-header-invalid", -25),
    ],
)
def test_csp(csp: str | None, result: str, modifier: int) -> None:
    graded = grade_csp([csp] if csp is not None else [])
    assert (graded.result, graded.modifier) == (result, modifier)


@pytest.mark.parametrize(
    ("cookies", "hsts", "result"),
    [
        ([], False, "cookies-not-found"),
        (
            ["sessionid=1; Secure; HttpOnly; SameSite=Lax"],
            False,
            "cookies-secure-with-httponly-sessionid-samesite",
        ),
        (["sessionid=1; Secure; HttpOnly"], False, "cookies-secure-with-httponly-sessionid"),
        (["sessionid=1; HttpOnly"], True, "cookies-session-without-secure-flag"),
        (["PHPSESSID=1; Secure"], True, "cookies-session-without-httponly-flag"),
        (["theme=dark"], False, "cookies-without-secure-flag"),
        (["theme=dark"], True, "cookies-without-secure-flag-but-protected-by-hsts"),
        (["theme=dark; Secure; SameSite=Sometimes"], False, "cookies-samesite-flag-invalid"),
        (["theme=dark; Secure; SameSite=None"], False, "cookies-secure-with-httponly-sessionid"),
        (["garbage-without-equals"], False, "cookies-not-found"),
    ],
)
def test_cookies(cookies: list[str], hsts: bool, result: str) -> None:
    assert grade_cookies(cookies, hsts=hsts).result == result


@pytest.mark.parametrize(
    ("value", "result"),
    [
        (None, "referrer-policy-not-implemented"),
        ("no-referrer", "referrer-policy-private"),
        ("unsafe-url, strict-origin-when-cross-origin", "referrer-policy-private"),
        ("strict-origin, unsafe-url", "referrer-policy-unsafe"),
        ("whatever", "referrer-policy-header-invalid"),
    ],
)
def test_referrer(value: str | None, result: str) -> None:
    assert grade_referrer(value).result == result


def test_framing_and_nosniff() -> None:
    assert grade_framing(None, ["frame-ancestors 'none'"]).modifier == 5
    assert grade_framing("DENY", []).modifier == 0
    assert grade_framing("allowall", []).modifier == -20
    assert grade_framing(None, []).result == "x-frame-options-not-implemented"
    assert grade_content_type_options("nosniff").modifier == 0
    assert grade_content_type_options(" NoSniff ").modifier == 0
    assert grade_content_type_options(None).modifier == -5
    assert (
        grade_content_type_options("sniff-away").result == "x-content-type-options-header-invalid"
    )


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
    assert parse_hsts('max-age="600"').max_age == 600  # type: ignore[union-attr]
    assert grade_hsts("max-age=100").modifier == -10
    assert grade_hsts("max-age=15552000").modifier == 0
    assert grade_hsts(None, https=False).result == "hsts-not-implemented-no-https"


def test_bonus_only_counts_from_ninety() -> None:
    def result(modifier: int) -> GradedTest:
        return GradedTest("t", "r", modifier, "")

    assert total([result(10), result(5), result(-5)]).score == 110
    assert total([result(10), result(-20)]).score == 80
    assert total([result(-60), result(-60)]).score == 0
    assert [letter_for(s) for s in (115, 100, 95, 72, 50, 24)] == ["A+", "A+", "A", "B", "C", "F"]
    assert grade_redirection("off-host").modifier == -5


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
    names = ["good", "bare", "sectxt-expired"]
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
