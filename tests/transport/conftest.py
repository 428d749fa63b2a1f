"""Fixtures for the transport and web security checks: real loopback servers only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from auditor import testing as harness
from auditor.check import Check
from auditor.model import Finding
from auditor.net.connect import ConnectRule
from auditor.net.dns import Nameserver
from auditor.services import AuditOptions, Services

RunCheck = Callable[..., Awaitable[list[Finding]]]


def make_services(
    dns_port: int,
    *,
    connect_to: tuple[ConnectRule, ...] = (),
    ca_pem: str | None = None,
    **options: object,
) -> Services:
    return Services(
        AuditOptions(
            nameservers=(Nameserver("127.0.0.1", dns_port),),
            dns_timeout=0.5,
            dns_attempts=1,
            connect_to=connect_to,
            ca_pem=ca_pem,
            http_timeout=3.0,
            smtp_timeout=3.0,
            **options,  # type: ignore[arg-type]
        )
    )


async def run_check(check: type[Check], target: str, services: Services) -> list[Finding]:
    """Run one check directly (so a bug raises here instead of becoming an error finding)."""
    try:
        return list((await harness.run_check(check, target, services)).findings)
    finally:
        await services.aclose()


@pytest.fixture
def services_for() -> Callable[..., Services]:
    return make_services


@pytest.fixture
def run() -> RunCheck:
    return run_check
