"""DNS servers that cannot give a complete or usable answer (issue 13), on loopback.

A TCP answer that is still truncated is not "no record"; a server that answers NODATA,
NXDOMAIN or a referral for the root DNSKEY (an authoritative-only server used as a
resolver) cannot validate DNSSEC, so the audit says it could not check and names that
server, never "signed but bogus"; DANE's could-not-check never reads "has no TLSA record".
The demo DNS server's fault modes play each server; nothing is mocked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from auditor import testing as harness
from auditor.check import Check
from auditor.demo.dns_server import DnsServer
from auditor.model import Finding, Status
from auditor.net.dns import DnsClient, DnsOutcome, Nameserver
from auditor.services import AuditOptions, Services
from auditor.standards.domain.dnssec_chain import ANCHOR_ENV
from checks.domain.dnssec import DnssecCheck
from checks.email.dane import DaneCheck
from checks.email.dmarc import DmarcCheck
from checks.email.mx import MxCheck
from checks.email.spf import SpfCheck

DOMAIN = "tc-world.example"
ZONE = f"""
$ORIGIN {DOMAIN}.
$TTL 300
@       SOA ns1 hostmaster 1 7200 3600 1209600 300
@       NS  ns1
@       MX  10 mx
@       TXT "v=spf1 mx -all"
_dmarc  TXT "v=DMARC1; p=reject"
ns1     A   127.0.0.1
mx      A   127.0.0.1
_25._tcp.mx TLSA 3 1 1 {"ab" * 32}
"""


@pytest.fixture
async def server() -> AsyncIterator[DnsServer]:
    async with DnsServer([ZONE]) as dns_server:
        yield dns_server


def services(server: DnsServer) -> Services:
    return Services(
        AuditOptions(
            nameservers=(Nameserver("127.0.0.1", server.port),),
            dns_timeout=0.5,
            dns_attempts=1,
        )
    )


async def findings(check: type[Check], server: DnsServer) -> list[Finding]:
    audit_services = services(server)
    try:
        return list((await harness.run_check(check, DOMAIN, audit_services)).findings)
    finally:
        await audit_services.aclose()


# -- truncated even over TCP ------------------------------------------------------------------


async def test_a_tcp_answer_with_tc_and_no_records_is_could_not_check(server: DnsServer) -> None:
    server.faults.set(DOMAIN, "truncate-tcp")
    with DnsClient([Nameserver("127.0.0.1", server.port)], timeout=0.5, attempts=1) as client:
        answer = await client.txt(DOMAIN)
    assert answer.outcome is DnsOutcome.ERROR, answer
    assert not answer.absent
    assert "truncated" in answer.error and "TCP" in answer.error
    assert any(q.qname == DOMAIN and q.transport == "tcp" for q in server.queries)


@pytest.mark.parametrize(
    ("check", "name"), [(SpfCheck, DOMAIN), (DmarcCheck, f"_dmarc.{DOMAIN}"), (MxCheck, DOMAIN)]
)
async def test_checks_never_read_a_truncated_answer_as_no_record(
    server: DnsServer, check: type[Check], name: str
) -> None:
    server.faults.set(name, "truncate-tcp")
    results = await findings(check, server)
    assert results
    for finding in results:
        assert finding.status in (Status.ERROR, Status.TIMEOUT), finding.message
        assert "truncated" in finding.message, finding.message


async def test_the_same_records_without_the_fault_are_read(server: DnsServer) -> None:
    # The control: the zone is fine, so the checks above fail only because of the fault.
    for check in (SpfCheck, DmarcCheck, MxCheck):
        for finding in await findings(check, server):
            assert not finding.status.could_not_check, finding.message


# -- a server that cannot serve the root of the chain -------------------------------------------


@pytest.fixture
def root_anchors(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped IANA root anchors, as in a real audit."""
    monkeypatch.delenv(ANCHOR_ENV, raising=False)


@pytest.mark.parametrize("fault", ["nodata-root", "nxdomain-root", "referral-root"])
@pytest.mark.usefixtures("root_anchors")
async def test_no_root_dnskey_is_could_not_check_naming_the_server(
    server: DnsServer, fault: str
) -> None:
    server.faults.set_global(fault)
    [finding] = await findings(DnssecCheck, server)
    assert finding.status is Status.ERROR, finding.message
    assert f"127.0.0.1:{server.port}" in finding.message
    assert "bogus" not in finding.message and "do not validate" not in finding.message
    assert any(q.qname == "" or q.qname == "." for q in server.queries if q.qtype == "DNSKEY")


@pytest.mark.parametrize("fault", ["nodata-root", "nxdomain-root", "referral-root"])
@pytest.mark.usefixtures("root_anchors")
async def test_dane_could_not_check_is_not_worded_as_no_tlsa(server: DnsServer, fault: str) -> None:
    server.faults.set_global(fault)
    results = await findings(DaneCheck, server)
    assert results
    for finding in results:
        assert finding.status is Status.ERROR, finding.message
        assert "no TLSA" not in finding.message, finding.message
        assert f"127.0.0.1:{server.port}" in finding.message


async def test_dane_failed_tlsa_lookup_is_not_worded_as_no_tlsa(
    server: DnsServer, root_anchors: None
) -> None:
    server.faults.set(f"_25._tcp.mx.{DOMAIN}", "servfail")
    server.faults.set_global("nodata-root")
    [finding] = await findings(DaneCheck, server)
    assert finding.status is Status.ERROR
    assert "has no TLSA" not in finding.message, finding.message
