"""web.https against a loopback HTTP(S) server with its own certificate variants."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest

from auditor.demo.certs import DemoCertificates
from auditor.demo.dns_server import DnsServer, zone_from_records
from auditor.demo.web_server import Request, Response, WebServer, html, redirect
from auditor.model import Finding, Status
from auditor.net.connect import ConnectRule
from auditor.services import Services
from auditor.standards.web.sites import site_origins
from checks.web.https import HttpsCheck

MakeServices = Callable[..., Services]
RunCheck = Callable[..., Awaitable[list[Finding]]]
YEAR = "max-age=31536000; includeSubDomains; preload"
SITES = {
    # host: (HSTS header or None, what http:// does)
    "good": (YEAR, "redirect"),
    "nohsts": (None, "redirect"),
    "shorthsts": ("max-age=3600", "redirect"),
    "badhsts": ("max-age=lots", "redirect"),
    "plain": (YEAR, "serve"),
    "tohttp": (YEAR, "redirect-http"),
    "nohttp": (YEAR, "closed"),
    "expired": (YEAR, "redirect"),
}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def site(host: str, hsts: str | None, http: str) -> Callable[[Request], Response]:
    def handle(request: Request) -> Response:
        if request.scheme == "http" and http == "redirect":
            return redirect(f"https://{host}/")
        if request.scheme == "http" and http == "redirect-http":
            return redirect(f"http://{host}/elsewhere")
        page = html("<h1>Vote for me</h1>")
        return page.with_header("Strict-Transport-Security", hsts) if hsts else page

    return handle


@dataclass
class WebWorld:
    dns: DnsServer
    web: WebServer
    closed: int

    def services(self, make: MakeServices) -> Services:
        rules = (
            ConnectRule("nohttp.web.example", 80, "127.0.0.1", self.closed),
            ConnectRule("", 443, "127.0.0.1", self.web.https_port),
            ConnectRule("", 80, "127.0.0.1", self.web.http_port),
        )
        return make(self.dns.port, connect_to=rules, ca_pem=self.web.ca_pem)


@pytest.fixture
async def world() -> AsyncIterator[WebWorld]:
    zone = zone_from_records("web.example", [(name, "A", ["127.0.0.1"]) for name in SITES])
    certs = DemoCertificates([f"{name}.web.example" for name in SITES])
    async with DnsServer(zones=[zone]) as dns_server, WebServer(certs) as web:
        for name, (hsts, http) in SITES.items():
            host = f"{name}.web.example"
            web.route_prefix(host, "/", site(host, hsts, http))
        web.cert_variants["expired.web.example"] = "expired"
        yield WebWorld(dns_server, web, closed_port())


async def by_subject(
    world: WebWorld, make: MakeServices, run: RunCheck, name: str
) -> dict[str, Finding]:
    findings = await run(HttpsCheck, f"https://{name}.web.example/", world.services(make))
    return {f.subject: f for f in findings}


def test_site_origins() -> None:
    assert site_origins("https://WWW.Example.org/about") == (
        "www.example.org",
        "https://www.example.org/",
        "http://www.example.org/",
    )
    assert site_origins("example.org")[1] == "https://example.org/"
    assert site_origins("https://example.org:8443/")[1] == "https://example.org:8443/"


async def test_good_site(world: WebWorld, services_for: MakeServices, run: RunCheck) -> None:
    found = await by_subject(world, services_for, run, "good")
    assert {s: f.status for s, f in found.items()} == {
        "certificate": Status.PASS,
        "redirect": Status.PASS,
        "hsts": Status.PASS,
    }
    assert "includeSubDomains" in found["hsts"].message and "preload" in found["hsts"].message


async def test_site_without_hsts(
    world: WebWorld, services_for: MakeServices, run: RunCheck
) -> None:
    found = await by_subject(world, services_for, run, "nohsts")
    assert found["hsts"].status is Status.WARN
    assert "does not send HSTS" in found["hsts"].message
    assert found["hsts"].actions == ("web.enable-hsts",)
    assert found["redirect"].status is Status.PASS


@pytest.mark.parametrize(("name", "words"), [("shorthsts", "only 3600"), ("badhsts", "invalid")])
async def test_weak_hsts(
    world: WebWorld, services_for: MakeServices, run: RunCheck, name: str, words: str
) -> None:
    found = await by_subject(world, services_for, run, name)
    assert found["hsts"].status is Status.WARN
    assert words in found["hsts"].message


async def test_plain_http_without_redirect(
    world: WebWorld, services_for: MakeServices, run: RunCheck
) -> None:
    found = await by_subject(world, services_for, run, "plain")
    assert found["redirect"].status is Status.FAIL
    assert found["redirect"].evidence[0].location == "http://plain.web.example/"


async def test_redirect_that_stays_on_http(
    world: WebWorld, services_for: MakeServices, run: RunCheck
) -> None:
    found = await by_subject(world, services_for, run, "tohttp")
    assert found["redirect"].status is Status.FAIL
    assert "does not end up on https" in found["redirect"].message


async def test_no_plain_http_listener_is_fine(
    world: WebWorld, services_for: MakeServices, run: RunCheck
) -> None:
    found = await by_subject(world, services_for, run, "nohttp")
    assert found["redirect"].status is Status.PASS


async def test_expired_certificate_fails_with_reason(
    world: WebWorld, services_for: MakeServices, run: RunCheck
) -> None:
    [finding] = await run(HttpsCheck, "https://expired.web.example/", world.services(services_for))
    assert finding.status is Status.FAIL
    assert finding.subject == "certificate"
    assert "expired" in finding.message


async def test_unreachable_site_is_could_not_check(
    world: WebWorld, services_for: MakeServices, run: RunCheck
) -> None:
    world.web.faults.set("good.web.example", "close")
    [finding] = await run(HttpsCheck, "https://good.web.example/", world.services(services_for))
    assert finding.status is Status.ERROR
