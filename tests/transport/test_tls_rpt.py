"""TLS-RPT: the pure parser, then email.tls_rpt against a loopback DNS server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from auditor.demo.dns_server import DnsServer, zone_from_records
from auditor.model import Finding, Status
from auditor.services import Services
from auditor.standards.email.tls_rpt_record import (
    TlsRptError,
    is_tlsrpt_record,
    parse_tlsrpt,
    uri_problem,
)
from checks.email.tls_rpt import TlsRptCheck

MakeServices = Callable[..., Services]
RunCheck = Callable[..., Awaitable[list[Finding]]]


def test_parses_two_addresses() -> None:
    record = parse_tlsrpt("v=TLSRPTv1; rua=mailto:tls@example.org,https://r.example.net/tls")
    assert record.rua == ("mailto:tls@example.org", "https://r.example.net/tls")
    assert record.problems == ()


@pytest.mark.parametrize(
    ("uri", "bad"),
    [
        ("mailto:tls@example.org", False),
        ("mailto:tls@example", True),
        ("mailto:@example.org", True),
        ("https://reports.example.org/x", False),
        ("http://reports.example.org/x", True),
        ("https:reports", True),
        ("ftp://example.org", True),
    ],
)
def test_uri_validation(uri: str, bad: bool) -> None:
    assert bool(uri_problem(uri)) is bad


@pytest.mark.parametrize(
    "text",
    [
        "v=TLSRPTv1",
        "v=TLSRPTv1; rua=",
        "rua=mailto:a@b.org; v=TLSRPTv1",
        "v=TLSRPTv1; rua=http://x.org",
        "v=TLSRPTv1; rua=mailto:a@b.org; rua=mailto:c@d.org",
        "v=TLSRPTv1;" + "x" * 5000,
    ],
)
def test_bad_records_raise_their_own_error(text: str) -> None:
    with pytest.raises(TlsRptError):
        parse_tlsrpt(text)


@pytest.mark.parametrize(
    ("text", "is_record"),
    [
        ("v=TLSRPTv1; rua=mailto:a@b.org", True),
        ("v=TLSRPTv1 ;rua=mailto:a@b.org", True),
        ("v=TLSRPTv1", True),
        ("v=TLSRPTv12; rua=mailto:a@b.org", False),
        ("v=TLSRPTv10", False),
        (" v=TLSRPTv1; rua=mailto:a@b.org", False),
        ("V=TLSRPTv1; rua=mailto:a@b.org", False),
    ],
)
def test_the_version_tag_matches_exactly(text: str, is_record: bool) -> None:
    assert is_tlsrpt_record(text) is is_record


def test_one_bad_address_among_good_is_a_problem_not_an_error() -> None:
    record = parse_tlsrpt("v=TLSRPTv1; rua=mailto:a@example.org,mailto:nobody")
    assert len(record.problems) == 1


@pytest.fixture
async def dns_server() -> AsyncIterator[DnsServer]:
    zone = zone_from_records(
        "rpt.example",
        [
            ("_smtp._tls.good", "TXT", ['"v=TLSRPTv1; rua=mailto:tls@rpt.example"']),
            (
                "_smtp._tls.two",
                "TXT",
                [
                    '"v=TLSRPTv1; rua=mailto:a@rpt.example"',
                    '"v=TLSRPTv1; rua=mailto:b@rpt.example"',
                ],
            ),
            ("_smtp._tls.bad", "TXT", ['"v=TLSRPTv1; rua=ftp://rpt.example"']),
            ("_smtp._tls.half", "TXT", ['"v=TLSRPTv1; rua=mailto:tls@rpt.example,mailto:x"']),
            ("_smtp._tls.other", "TXT", ['"something else"']),
            ("_smtp._tls.v12", "TXT", ['"v=TLSRPTv12; rua=mailto:tls@rpt.example"']),
            (
                "_smtp._tls.v12beside",
                "TXT",
                [
                    '"v=TLSRPTv12; rua=mailto:a@rpt.example"',
                    '"v=TLSRPTv1; rua=mailto:b@rpt.example"',
                ],
            ),
        ],
    )
    async with DnsServer(zones=[zone]) as server:
        yield server


@pytest.mark.parametrize(
    ("domain", "status"),
    [
        ("good.rpt.example", Status.PASS),
        ("two.rpt.example", Status.FAIL),
        ("bad.rpt.example", Status.FAIL),
        ("half.rpt.example", Status.WARN),
        ("other.rpt.example", Status.WARN),
        # RFC 8460 3: the version is exactly v=TLSRPTv1; v=TLSRPTv12 is no TLS-RPT record
        ("v12.rpt.example", Status.WARN),
        ("v12beside.rpt.example", Status.PASS),  # so it is not a second record beside one
        ("nothing.rpt.example", Status.WARN),
    ],
)
async def test_check(
    dns_server: DnsServer, services_for: MakeServices, run: RunCheck, domain: str, status: Status
) -> None:
    [finding] = await run(TlsRptCheck, domain, services_for(dns_server.port))
    assert finding.status is status, finding.message
    assert finding.evidence[0].location == f"_smtp._tls.{domain} TXT"
    assert bool(finding.actions) is status.is_problem


async def test_servfail_is_could_not_check(
    dns_server: DnsServer, services_for: MakeServices, run: RunCheck
) -> None:
    dns_server.faults.set("_smtp._tls.good.rpt.example", "servfail")
    [finding] = await run(TlsRptCheck, "good.rpt.example", services_for(dns_server.port))
    assert finding.status is Status.ERROR
