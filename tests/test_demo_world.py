"""The demo world as a whole: it starts, its profile parses, and the audit's own clients
(DnsClient, HttpClient, SmtpProbe, built by Services) reach it through audit_options()."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import socket
from collections.abc import AsyncIterator

import dns.dnssec
import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype
import pypdf
import pytest
from PIL import Image

from auditor.demo import candidate as c
from auditor.demo.world import DemoWorld
from auditor.net.dns import DnsOutcome
from auditor.services import Services


@pytest.fixture
async def world() -> AsyncIterator[DemoWorld]:
    async with DemoWorld() as running:
        yield running


@pytest.fixture
async def services(world: DemoWorld) -> AsyncIterator[Services]:
    async with Services(world.audit_options()) as built:
        yield built


def test_profile_parses() -> None:
    profile = DemoWorld().profile
    assert profile.name == c.NAME
    assert profile.home_addresses[0].postcode == c.HOME_POSTCODE
    assert c.MOBILE in profile.phones and c.DOMAIN in profile.domains
    assert profile.public_addresses[0].label == "party office"


async def test_dns_through_the_audit_client(world: DemoWorld, services: Services) -> None:
    www = await services.dns.query(f"www.{c.DOMAIN}", "A")
    assert www.records == ("127.0.0.1",)
    spf = await services.dns.txt(c.DOMAIN)
    assert any(r.startswith("v=spf1") and r.endswith("~all") for r in spf.records)
    dkim = await services.dns.txt(f"selector1._domainkey.{c.DOMAIN}")
    assert dkim.ok and dkim.cname_chain and dkim.records[0].startswith("v=DKIM1")
    ent = await services.dns.txt(f"_domainkey.{c.DOMAIN}")
    assert ent.outcome is DnsOutcome.NODATA
    missing = await services.dns.query(f"nothing.{c.DOMAIN}", "A")
    assert missing.outcome is DnsOutcome.NXDOMAIN
    null_mx = await services.dns.query(c.PARKED_DOMAIN, "MX")
    assert null_mx.records == ("0 .",)
    ds = await services.dns.query(c.PARKED_DOMAIN, "DS")
    assert ds.ok
    assert (await services.dns.query(c.DOMAIN, "DS")).outcome is DnsOutcome.NODATA
    lookalike = await services.dns.query("alexmar1owe.example", "A")
    assert lookalike.outcome is DnsOutcome.NXDOMAIN
    assert (f"www.{c.DOMAIN}", "A") in {(q.qname, q.qtype) for q in world.dns.queries}


async def test_parked_domain_is_signed_and_its_ds_matches(services: Services) -> None:
    keys = await services.dns.message(c.PARKED_DOMAIN, "DNSKEY", dnssec=True)
    assert isinstance(keys, dns.message.Message)
    name = dns.name.from_text(c.PARKED_DOMAIN)
    dnskeys = keys.find_rrset(keys.answer, name, dns.rdataclass.IN, dns.rdatatype.DNSKEY)
    sigs = keys.find_rrset(
        keys.answer, name, dns.rdataclass.IN, dns.rdatatype.RRSIG, dns.rdatatype.DNSKEY
    )
    dns.dnssec.validate(dnskeys, sigs, {name: dnskeys})
    ds = await services.dns.query(c.PARKED_DOMAIN, "DS")
    assert ds.rdata
    assert dns.dnssec.make_ds(name, dnskeys[0], "SHA256") == ds.rdata[0]
    unsigned = await services.dns.message(c.DOMAIN, "A", dnssec=True)
    assert isinstance(unsigned, dns.message.Message)
    assert all(r.rdtype != dns.rdatatype.RRSIG for r in unsigned.answer)


async def test_site_through_the_audit_client(world: DemoWorld, services: Services) -> None:
    home = await services.http.fetch(f"http://{c.DOMAIN}/")
    assert home.ok and home.status_code == 200, home.error
    assert home.final_url == c.WEBSITE and home.redirects == (f"http://{c.DOMAIN}/",)
    upgrade = await services.http.fetch(f"http://www.{c.DOMAIN}/about")
    assert upgrade.final_url == c.WEBSITE + "about"
    assert "strict-transport-security" not in home.headers
    assert "!3d52.04" in home.text()
    about = await services.http.fetch(c.WEBSITE + "about")
    assert f"tel:{c.MOBILE}" in about.text() and "zx47pn" in about.text()
    pdf = await services.http.fetch(c.WEBSITE + "leaflets/spring-leaflet.pdf")
    reader = pypdf.PdfReader(io.BytesIO(pdf.body))
    assert c.HOME_POSTCODE in reader.pages[0].extract_text()
    assert reader.metadata is not None and reader.metadata.author == c.NAME
    photo = await services.http.fetch(c.WEBSITE + "images/canvassing.jpg")
    gps = Image.open(io.BytesIO(photo.body)).getexif().get_ifd(0x8825)
    assert gps[1] == "N" and gps[2][0] == 52.0
    sitemap = await services.http.fetch(c.WEBSITE + "sitemap.xml")
    assert "/volunteers-thank-you" in sitemap.text()
    policy = await services.http.fetch(f"https://mta-sts.{c.DOMAIN}/.well-known/mta-sts.txt")
    assert "mode: testing" in policy.text()
    party = await services.http.fetch(c.PARTY_PAGE)
    assert c.LANDLINE_DISPLAY in party.text()
    assert world.web.requests_to(f"www.{c.DOMAIN}")


async def test_apis_through_the_audit_client(services: Services) -> None:
    bootstrap = await services.http.fetch(services.endpoint("rdap_bootstrap"))
    base = json.loads(bootstrap.body)["services"][0][1][0]
    exposed = json.loads((await services.http.fetch(f"{base}domain/{c.DOMAIN}")).body)
    assert c.HOME_POSTCODE in json.dumps(exposed)
    redacted = await services.http.fetch(f"{base}domain/{c.PARKED_DOMAIN}")
    assert c.HOME_POSTCODE not in redacted.text() and "redacted" in json.loads(redacted.body)
    digest = hashlib.sha1(c.DEMO_PASSWORD.encode()).hexdigest().upper()
    url = services.endpoint("pwned_passwords") + digest[:5]
    plain = await services.http.fetch(url)
    assert f"{digest[5:]}:" in plain.text()
    padded = await services.http.fetch(url, headers={"Add-Padding": "true"})
    lines = padded.text().split("\r\n")
    assert len(lines) == 900 and any(line.endswith(":0") for line in lines)
    directory = json.loads((await services.http.fetch(services.endpoint("twofa_directory"))).body)
    assert [e[1]["domain"] for e in directory if e[0] == "Google"] == ["google.com"]


async def test_smtp_through_the_audit_probe(services: Services) -> None:
    good, expired, lookalike = await asyncio.gather(
        services.smtp.probe("mx1.mailhost.example"),
        services.smtp.probe("mx2.mailhost.example"),
        services.smtp.probe("mail.alexmarl0we.example"),
    )
    assert good.tls_established and good.certificate, good
    assert expired.error_kind == "tls" and "expired" in expired.certificate_error
    assert lookalike.banner and not lookalike.starttls_offered


async def test_traffic_log_finds_leaks(world: DemoWorld, services: Services) -> None:
    await services.dns.query(f"www.{c.DOMAIN}", "A")
    await services.http.fetch(c.WEBSITE + "about")
    assert world.leaked(world.profile.sensitive_values()) == []
    await services.http.fetch(c.WEBSITE + "search?q=zx4+7pn")
    await services.dns.query("07700900461.example", "A")
    leaks = {value for value, _line in world.leaked(world.profile.sensitive_values())}
    assert leaks == {c.HOME_POSTCODE, c.MOBILE}


def test_run_in_thread() -> None:
    world = DemoWorld.run_in_thread()
    try:
        options = world.audit_options()

        async def fetch() -> int | None:
            async with Services(options) as services:
                return (await services.http.fetch(c.WEBSITE)).status_code

        assert asyncio.run(fetch()) == 200
    finally:
        world.stop_thread()
    assert world._thread is None


async def test_demo_dnssec_validates_offline_from_its_own_anchor() -> None:
    """The demo stands in its own signed ``example.`` for the root: the parked domain is
    secure and the campaign domain provably unsigned, with no network at all."""
    from auditor.audit import run_audit
    from auditor.model import Status

    async with DemoWorld() as world:
        report = await run_audit(world.profile, world.audit_options(), selected=["domain.dnssec"])
    verdicts = {r.target: r.status for r in report.results}
    assert verdicts == {
        "alexmarlowe.example": Status.WARN,
        "marlowe4hollinvale.example": Status.PASS,
    }


async def test_the_loopback_probe_tells_a_listener_from_a_dead_port(world: DemoWorld) -> None:
    from auditor.demo.world import loopback_problem

    assert await loopback_problem(world.web.https_port) == ""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now: the probe must say so
    problem = await loopback_problem(port, timeout=2.0)
    assert "loopback interface (127.0.0.1)" in problem and "refused" in problem


def test_a_demo_that_cannot_reach_loopback_says_so_in_one_line_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What `unshare -n auditor demo --headless` gives (the namespace's lo is down): the
    servers listen but cannot be reached. Simulated here by the probe's answer."""
    import auditor.demo.world as world_module
    from auditor import cli

    async def down(port: int, timeout: float = 5.0) -> str:
        return "the loopback interface (127.0.0.1) cannot be reached here (network is unreachable)"

    monkeypatch.setattr(world_module, "loopback_problem", down)
    assert cli.main(["demo", "--headless", "--no-save", "--format", "json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == [
        "auditor: the demo could not start: the loopback interface (127.0.0.1) cannot be "
        "reached here (network is unreachable)"
    ]
