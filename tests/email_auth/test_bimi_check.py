"""email.bimi against a loopback DNS server and the loopback HTTPS server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from auditor.demo.certs import DemoCertificates
from auditor.demo.dns_server import DnsServer
from auditor.demo.web_server import Response, WebServer, text
from auditor.model import Status
from auditor.net.connect import ConnectRule
from auditor.services import Services
from checks.email.bimi import BimiCheck
from tests.email_auth.conftest import add_zone, make_services, run_check

DOMAIN = "candidate.org.uk"
LOGO_HOST = f"brand.{DOMAIN}"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps"></svg>'


@dataclass
class World:
    dns: DnsServer
    web: WebServer

    def services(self) -> Services:
        rules = (ConnectRule("", 443, "127.0.0.1", self.web.https_port),)
        return make_services(self.dns, connect_to=rules, ca_pem=self.web.ca_pem, http_timeout=3.0)

    def zone(
        self, bimi: list[str] | None, dmarc: str = "v=DMARC1; p=reject", apex: str = "127.0.0.1"
    ) -> None:
        records: list[tuple[str, str, list[str]]] = [
            # The domain itself is on loopback (a lab): its logo host may be too.
            ("@", "A", [apex]),
            ("brand", "A", ["127.0.0.1"]),
            ("_dmarc", "TXT", [f'"{dmarc}"']),
        ]
        if bimi is not None:
            records.append(("default._bimi", "TXT", [f'"{r}"' for r in bimi]))
        add_zone(self.dns, DOMAIN, records)


@pytest.fixture
async def world(dns_server: DnsServer) -> AsyncIterator[World]:
    async with WebServer(DemoCertificates([LOGO_HOST])) as web:
        web.route(LOGO_HOST, "/logo.svg", Response(200, (("Content-Type", "image/svg+xml"),), SVG))
        web.route(LOGO_HOST, "/logo-as-html.svg", text("<html>hi</html>", content_type="text/html"))
        yield World(dns_server, web)


RECORD = f"v=BIMI1; l=https://{LOGO_HOST}/logo.svg; a=https://{LOGO_HOST}/vmc.pem"


async def test_good_record_logo_and_dmarc(world: World) -> None:
    world.zone([RECORD])
    outcome = await run_check(BimiCheck, DOMAIN, world.services())
    assert outcome.statuses() == {
        "record": Status.PASS,
        "dmarc": Status.PASS,
        "logo": Status.PASS,
    }
    assert any(e.snippet == RECORD for e in outcome.by_subject("record").evidence)
    assert [r.path for r in world.web.requests_to(LOGO_HOST)] == ["/logo.svg"]


async def test_a_public_domain_cannot_point_its_logo_into_a_private_network(world: World) -> None:
    # The domain is public (its address is on the internet), its l= host resolves to
    # loopback: the URL came from a DNS record, so the guard judges it by the domain and
    # refuses; not one request reaches the "internal" host.
    world.zone([RECORD], apex="81.2.69.142")
    outcome = await run_check(BimiCheck, DOMAIN, world.services())
    logo = outcome.by_subject("logo")
    assert logo.status is Status.ERROR, logo
    assert "private or loopback" in logo.message
    assert world.web.requests_to(LOGO_HOST) == []


async def test_no_record_is_fine(world: World) -> None:
    world.zone(None)
    outcome = await run_check(BimiCheck, DOMAIN, world.services())
    assert outcome.statuses() == {"record": Status.PASS}
    assert "optional" in outcome.by_subject("record").message


async def test_bimi_without_dmarc_enforcement(world: World) -> None:
    world.zone([RECORD], dmarc="v=DMARC1; p=none")
    outcome = await run_check(BimiCheck, DOMAIN, world.services())
    finding = outcome.by_subject("dmarc")
    assert finding.status is Status.WARN
    assert finding.severity.value in ("info", "low")


@pytest.mark.parametrize(
    ("path", "words"),
    [("/missing.svg", "HTTP 404"), ("/logo-as-html.svg", "not an SVG")],
)
async def test_logo_problems(world: World, path: str, words: str) -> None:
    world.zone([f"v=BIMI1; l=https://{LOGO_HOST}{path}"])
    outcome = await run_check(BimiCheck, DOMAIN, world.services())
    finding = outcome.by_subject("logo")
    assert finding.status is Status.WARN
    assert words in finding.message


async def test_unreachable_logo_is_could_not_check(world: World) -> None:
    world.zone([f"v=BIMI1; l=https://nowhere.{DOMAIN}/logo.svg"])
    outcome = await run_check(BimiCheck, DOMAIN, world.services())
    finding = outcome.by_subject("logo")
    assert finding.status is Status.ERROR
    assert finding.severity.value == "info"


async def test_syntax_error_and_problems(world: World) -> None:
    world.zone(["v=BIMI1; l=http://x.example/logo.png; l=again"])
    outcome = await run_check(BimiCheck, DOMAIN, world.services())
    assert outcome.by_subject("record").status is Status.WARN


async def test_record_with_problems(world: World) -> None:
    world.zone([f"v=BIMI1; l=http://{LOGO_HOST}/logo.svg"])
    outcome = await run_check(BimiCheck, DOMAIN, world.services())
    assert outcome.by_subject("record").status is Status.WARN
    assert "logo" not in outcome.statuses()  # not an https URL: nothing fetched
    assert world.web.requests_to(LOGO_HOST) == []


async def test_two_records_and_declination(world: World) -> None:
    world.zone([RECORD, "v=BIMI1; l=; a="])
    outcome = await run_check(BimiCheck, DOMAIN, world.services())
    assert outcome.by_subject("record").status is Status.WARN


async def test_declination(world: World) -> None:
    world.zone(["v=BIMI1; l=; a="])
    outcome = await run_check(BimiCheck, DOMAIN, world.services())
    assert outcome.statuses() == {"record": Status.PASS}


async def test_dns_failure_is_error(world: World) -> None:
    world.zone([RECORD])
    world.dns.faults.set(f"default._bimi.{DOMAIN}", "servfail")
    outcome = await run_check(BimiCheck, DOMAIN, world.services())
    assert outcome.statuses() == {"record": Status.ERROR}
