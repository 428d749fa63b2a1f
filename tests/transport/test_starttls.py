"""email.starttls against real loopback SMTP servers and a real loopback DNS server."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import trustme
from aiosmtpd.smtp import SMTP

from auditor.demo.certs import DemoCertificates
from auditor.demo.dns_server import DnsServer, zone_from_records
from auditor.demo.smtp_server import RefuseAllMail, SmtpServer
from auditor.model import Finding, Status
from auditor.net.connect import ConnectRule
from auditor.services import Services
from checks.email.starttls import PORT_BLOCKED, StarttlsCheck

MakeServices = Callable[..., Services]
RunCheck = Callable[..., Awaitable[list[Finding]]]

MX_NAMES = ["mx-good", "mx-plain", "mx-expired", "mx-wrong", "mx-closed", "mx-soon", "mx-broken"]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MailWorld:
    dns: DnsServer
    smtp: SmtpServer
    rules: tuple[ConnectRule, ...]

    def services(self, make: Callable[..., Services]) -> Services:
        return make(self.dns.port, connect_to=self.rules, ca_pem=self.smtp.certificates.ca_pem)


@pytest.fixture
async def world() -> AsyncIterator[MailWorld]:
    hosts = [f"{n}.mail.example" for n in MX_NAMES]
    certs = DemoCertificates(hosts)
    records: list[tuple[str, str, list[str]]] = [(n, "A", ["127.0.0.1"]) for n in MX_NAMES]
    for name in MX_NAMES:
        records.append((f"{name}-only", "MX", [f"10 {name}.mail.example."]))
    records += [
        ("two", "MX", ["10 mx-good.mail.example.", "20 mx-plain.mail.example."]),
        ("nullmx", "MX", ["0 ."]),
        # Seven mail servers: past the five tested.
        ("seven", "MX", [f"{i} {n}.mail.example." for i, n in enumerate(MX_NAMES, 1)]),
        ("nomx", "TXT", ['"no mail here"']),
        ("noaddress", "MX", ["10 ghost.mail.example."]),
    ]
    # The audited domains are on loopback too, so their loopback mail servers may be probed
    # (as a web fetch may reach a private address only from a private start).
    audited = {name for name, kind, _ in records if kind == "MX"}
    records += [(name, "A", ["127.0.0.1"]) for name in sorted(audited)]
    # A public domain (its own address is never dialled) whose MX names a loopback host.
    records += [("public", "A", ["81.2.69.142"]), ("public", "MX", ["10 mx-good.mail.example."])]
    records += [("nowhere", "MX", ["10 mx-good.mail.example."])]  # no address of its own
    zone = zone_from_records("mail.example", records)
    # A certificate that is valid today but expires in five days, from the same trusted CA.
    soon = certs.ca.issue_cert(
        "mx-soon.mail.example", not_after=datetime.now(UTC) + timedelta(days=5)
    )
    soon_context = trustme_server_context(soon)
    loop = asyncio.get_running_loop()
    soon_server = await loop.create_server(
        lambda: SMTP(RefuseAllMail(), hostname="mx-soon.mail.example", tls_context=soon_context),
        "127.0.0.1",
        0,
    )
    soon_port = soon_server.sockets[0].getsockname()[1]
    async with (
        DnsServer(zones=[zone]) as dns_server,
        SmtpServer(certs, hostname="mx-good.mail.example") as smtp,
    ):
        smtp.cert_variants["mx-wrong.mail.example"] = "wrong-host"
        ports = {
            "mx-good": smtp.port_for("starttls"),
            "mx-plain": smtp.port_for("no-starttls"),
            "mx-expired": smtp.port_for("expired"),
            "mx-wrong": smtp.port_for("starttls"),
            "mx-closed": closed_port(),
            "mx-soon": soon_port,
            "mx-broken": smtp.port_for("broken-tls"),
        }
        rules = tuple(
            ConnectRule(f"{name}.mail.example", 25, "127.0.0.1", port)
            for name, port in ports.items()
        )
        yield MailWorld(dns_server, smtp, rules)
    soon_server.close()
    await soon_server.wait_closed()


def trustme_server_context(cert: trustme.LeafCert) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    return context


async def check_domain(world: MailWorld, services_for: MakeServices, run: RunCheck, domain: str):  # type: ignore[no-untyped-def]
    return await run(StarttlsCheck, domain, world.services(services_for))


async def test_good_server_passes(
    world: MailWorld, services_for: MakeServices, run: RunCheck
) -> None:
    [finding] = await check_domain(world, services_for, run, "mx-good-only.mail.example")
    assert finding.status is Status.PASS, finding.message
    assert finding.subject == "mx-good.mail.example"
    assert finding.evidence[0].detail["tls_version"] in ("TLSv1.2", "TLSv1.3")
    assert finding.evidence[0].detail["certificate_not_after"]


async def test_no_starttls_fails(
    world: MailWorld, services_for: MakeServices, run: RunCheck
) -> None:
    [finding] = await check_domain(world, services_for, run, "mx-plain-only.mail.example")
    assert finding.status is Status.FAIL
    assert "does not offer STARTTLS" in finding.message
    assert "email.enable-starttls" in finding.actions


async def test_expired_certificate_is_reported_as_such(
    world: MailWorld, services_for: MakeServices, run: RunCheck
) -> None:
    [finding] = await check_domain(world, services_for, run, "mx-expired-only.mail.example")
    assert finding.status is Status.FAIL
    assert "certificate is not valid" in finding.message
    assert "expired" in finding.message
    assert "unsupported" not in finding.message and "does not offer" not in finding.message
    assert finding.evidence[0].detail["certificate_not_after"]


async def test_wrong_host_certificate(
    world: MailWorld, services_for: MakeServices, run: RunCheck
) -> None:
    [finding] = await check_domain(world, services_for, run, "mx-wrong-only.mail.example")
    assert finding.status is Status.FAIL
    assert "certificate is not valid" in finding.message
    assert "wrong-host.invalid" in finding.evidence[0].detail["certificate_names"]


async def test_certificate_expiring_soon_warns(
    world: MailWorld, services_for: MakeServices, run: RunCheck
) -> None:
    [finding] = await check_domain(world, services_for, run, "mx-soon-only.mail.example")
    assert finding.status is Status.WARN, finding.message
    assert "expires on" in finding.message


async def test_broken_tls_is_a_failure_not_unsupported(
    world: MailWorld, services_for: MakeServices, run: RunCheck
) -> None:
    [finding] = await check_domain(world, services_for, run, "mx-broken-only.mail.example")
    assert finding.status is Status.FAIL
    assert "offers STARTTLS but" in finding.message


async def test_refused_connection_is_could_not_check(
    world: MailWorld, services_for: MakeServices, run: RunCheck
) -> None:
    [finding] = await check_domain(world, services_for, run, "mx-closed-only.mail.example")
    assert finding.status is Status.ERROR
    assert finding.message.startswith(PORT_BLOCKED)


async def test_each_mx_gets_its_finding(
    world: MailWorld, services_for: MakeServices, run: RunCheck
) -> None:
    findings = await check_domain(world, services_for, run, "two.mail.example")
    assert [(f.subject, f.status) for f in findings] == [
        ("mx-good.mail.example", Status.PASS),
        ("mx-plain.mail.example", Status.FAIL),
    ]


@pytest.mark.parametrize(
    ("domain", "words", "status"),
    [
        # "No mail here", said by the domain: nothing to test, and not "could not check".
        ("nullmx.mail.example", "null MX", Status.NOT_APPLICABLE),
        # Senders would try the domain's own address, which is not tested.
        ("nomx.mail.example", "no MX record", Status.SKIPPED),
    ],
)
async def test_no_mail_server(
    world: MailWorld,
    services_for: MakeServices,
    run: RunCheck,
    domain: str,
    words: str,
    status: Status,
) -> None:
    [finding] = await check_domain(world, services_for, run, domain)
    assert finding.status is status
    assert words in finding.message


async def test_mx_host_without_address_fails(
    world: MailWorld, services_for: MakeServices, run: RunCheck
) -> None:
    [finding] = await check_domain(world, services_for, run, "noaddress.mail.example")
    assert finding.status is Status.FAIL
    assert "no address" in finding.message


async def test_dns_failure_is_could_not_check(
    world: MailWorld, services_for: MakeServices, run: RunCheck
) -> None:
    world.dns.faults.set("two.mail.example", "servfail")
    [finding] = await check_domain(world, services_for, run, "two.mail.example")
    assert finding.status is Status.ERROR
    assert "Could not look up the mail servers" in finding.message


@pytest.mark.parametrize(
    ("domain", "why"),
    [("public.mail.example", "is public"), ("nowhere.mail.example", "counts as public")],
)
async def test_a_public_domain_mx_on_loopback_is_not_probed(
    world: MailWorld, services_for: MakeServices, run: RunCheck, domain: str, why: str
) -> None:
    before = len(world.smtp.connections)
    [finding] = await check_domain(world, services_for, run, domain)
    assert finding.status is Status.ERROR, finding.message
    assert "127.0.0.1" in finding.message and "private or loopback" in finding.message
    assert f"MX record of {domain}" in finding.message and why in finding.message
    assert len(world.smtp.connections) == before, "the guard let a connection through"


async def test_mail_servers_past_the_five_tested_are_named_and_not_a_pass(
    world: MailWorld, services_for: MakeServices, run: RunCheck
) -> None:
    findings = await check_domain(world, services_for, run, "seven.mail.example")
    tested = [f for f in findings if f.subject != "mx-cap"]
    assert len(tested) == 5
    [cut] = [f for f in findings if f.subject == "mx-cap"]
    assert cut.status is Status.ERROR
    assert cut.message == (
        "Partly checked: only the first 5 of 7 mail servers were tested; "
        "mx-soon.mail.example and mx-broken.mail.example were not."
    )
