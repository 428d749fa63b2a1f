"""domain.caa: record syntax and RFC 8659 tree climbing against a loopback DNS server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from auditor.demo.dns_server import DnsServer, zone_from_records
from auditor.model import Finding, Status
from auditor.services import Services
from checks.domain.caa import CaaCheck, CaaRecord, climb, issuer_of, record_problem

MakeServices = Callable[..., Services]
RunCheck = Callable[..., Awaitable[list[Finding]]]


def test_climb_stops_above_the_public_suffix() -> None:
    assert climb("www.candidate.org.uk") == ["www.candidate.org.uk", "candidate.org.uk"]
    assert climb("a.b.caa.example") == ["a.b.caa.example", "b.caa.example", "caa.example"]


@pytest.mark.parametrize(
    ("value", "issuer", "bad"),
    [
        ("letsencrypt.org", "letsencrypt.org", False),
        (" letsencrypt.org ; validationmethods=dns-01", "letsencrypt.org", False),
        (";", "", False),
        ("not a domain!", "not a domain!", True),
        ("ca.example; novalue", "ca.example", True),
    ],
)
def test_issuer_values(value: str, issuer: str, bad: bool) -> None:
    found, problem = issuer_of(value)
    assert found == issuer
    assert bool(problem) is bad


@pytest.mark.parametrize(
    ("record", "bad"),
    [
        (CaaRecord(0, "iodef", "mailto:security@example.org"), False),
        (CaaRecord(0, "iodef", "ftp://example.org"), True),
        (CaaRecord(128, "future", "x"), True),
        (CaaRecord(0, "future", "x"), False),
        (CaaRecord(0, "is-sue", "x"), True),
    ],
)
def test_record_problems(record: CaaRecord, bad: bool) -> None:
    assert bool(record_problem(record)) is bad


@pytest.fixture
async def dns_server() -> AsyncIterator[DnsServer]:
    zone = zone_from_records(
        "caa.example",
        [
            ("good", "CAA", ['0 issue "letsencrypt.org"', '0 iodef "mailto:sec@caa.example"']),
            ("www.good", "A", ["127.0.0.1"]),
            ("deny", "CAA", ['0 issue ";"']),
            ("bad", "CAA", ['0 issue "not a domain!"', '128 tbs "x"']),
            ("iodefonly", "CAA", ['0 iodef "mailto:sec@caa.example"']),
            ("none", "A", ["127.0.0.1"]),
        ],
    )
    async with DnsServer(zones=[zone]) as server:
        yield server


async def test_issuers_listed(
    dns_server: DnsServer, services_for: MakeServices, run: RunCheck
) -> None:
    [finding] = await run(CaaCheck, "good.caa.example", services_for(dns_server.port))
    assert finding.status is Status.PASS
    assert "letsencrypt.org" in finding.message
    assert "mailto:sec@caa.example" in finding.message


async def test_the_closest_parent_applies(
    dns_server: DnsServer, services_for: MakeServices, run: RunCheck
) -> None:
    [finding] = await run(CaaCheck, "www.good.caa.example", services_for(dns_server.port))
    assert finding.status is Status.PASS
    assert "inherited from good.caa.example" in finding.message
    assert finding.location == "good.caa.example CAA"


async def test_absence_is_a_low_warning(
    dns_server: DnsServer, services_for: MakeServices, run: RunCheck
) -> None:
    [finding] = await run(CaaCheck, "none.caa.example", services_for(dns_server.port))
    assert finding.status is Status.WARN
    assert finding.severity.value == "low"
    assert [e.location for e in finding.evidence] == ["none.caa.example CAA", "caa.example CAA"]


async def test_no_issuance_at_all(
    dns_server: DnsServer, services_for: MakeServices, run: RunCheck
) -> None:
    [finding] = await run(CaaCheck, "deny.caa.example", services_for(dns_server.port))
    assert finding.status is Status.PASS
    assert "nobody" in finding.message


async def test_syntax_problems(
    dns_server: DnsServer, services_for: MakeServices, run: RunCheck
) -> None:
    findings = await run(CaaCheck, "bad.caa.example", services_for(dns_server.port))
    warns = [f for f in findings if f.status is Status.WARN]
    assert len(warns) == 2
    assert any("critical" in f.message for f in warns)


async def test_iodef_without_issue(
    dns_server: DnsServer, services_for: MakeServices, run: RunCheck
) -> None:
    [finding] = await run(CaaCheck, "iodefonly.caa.example", services_for(dns_server.port))
    assert finding.status is Status.WARN
    assert "any may" in finding.message


async def test_servfail_while_climbing_is_could_not_check(
    dns_server: DnsServer, services_for: MakeServices, run: RunCheck
) -> None:
    dns_server.faults.set("caa.example", "servfail")
    [finding] = await run(CaaCheck, "none.caa.example", services_for(dns_server.port))
    assert finding.status is Status.ERROR
