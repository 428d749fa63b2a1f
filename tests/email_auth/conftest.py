"""Fixtures for the email-authentication checks: a real DNS server on loopback serving the
zones each test builds, Services pointed at it, and a helper that runs one check."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from auditor import testing as harness
from auditor.check import Check
from auditor.demo.dns_server import DnsServer, zone_from_records
from auditor.model import Finding, Status
from auditor.net.dns import Nameserver
from auditor.profile import Profile
from auditor.services import AuditOptions, Services

Records = Sequence[tuple[str, str, Sequence[str]]]


@dataclass
class Outcome:
    findings: list[Finding]
    facts: dict[str, Any]

    def by_subject(self, subject: str) -> Finding:
        return harness.assert_finding(self.findings, subject)

    def statuses(self) -> dict[str, Status]:
        return {f.subject: f.status for f in self.findings}


@pytest.fixture
async def dns_server() -> AsyncIterator[DnsServer]:
    server = await start_dns_server()
    try:
        yield server
    finally:
        await server.stop()


async def start_dns_server(attempts: int = 5) -> DnsServer:
    """The server takes a free TCP port and binds UDP to the same number, which another
    process on the machine may hold: try again on a fresh port rather than flake."""
    for attempt in range(attempts):
        server = DnsServer()
        try:
            await server.start()
        except OSError:
            await server.stop()
            if attempt == attempts - 1:
                raise
            continue
        return server
    raise AssertionError("unreachable")


def add_zone(server: DnsServer, origin: str, records: Records) -> None:
    server.add_zone(zone_from_records(origin, records))


def make_services(server: DnsServer, **options: Any) -> Services:
    return Services(
        AuditOptions(
            nameservers=(Nameserver("127.0.0.1", server.port),),
            dns_timeout=0.5,
            dns_attempts=1,
            **options,
        )
    )


async def run_check(
    check: type[Check],
    target: str,
    services: Services,
    profile: Profile | None = None,
) -> Outcome:
    """Run ``check`` directly (the checks it requires first, as the engine would), so a bug
    raises here instead of becoming an error finding; closes ``services``."""
    profile = profile or harness.make_profile(target)
    try:
        result = await harness.run_check(check, target, services, profile)
    finally:
        await services.aclose()
    harness.assert_well_formed(result)
    return Outcome(list(result.findings), dict(result.facts))
