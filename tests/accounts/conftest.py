"""Shared setup for the accounts tests: loopback servers (the project's own demo DNS and web
servers), services pointed at them, and a walk over files looking for leaked secrets."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from auditor.demo.dns_server import DnsServer
from auditor.demo.web_server import WebServer
from auditor.net.dns import Nameserver
from auditor.services import AuditOptions, Services

ZONE = """
$ORIGIN campaign.example.
$TTL 300
@       SOA ns1 hostmaster 1 7200 3600 1209600 300
@       NS  ns1
@       MX  1 aspmx.l.google.com.
@       MX  5 alt1.aspmx.l.google.com.
ns1     A   127.0.0.1
"""
OTHER_ZONE = """
$ORIGIN selfhosted.example.
$TTL 300
@       SOA ns1 hostmaster 1 7200 3600 1209600 300
@       NS  ns1
@       MX  10 mail.selfhosted.example.
ns1     A   127.0.0.1
mail    A   127.0.0.1
"""


@pytest.fixture
async def web() -> AsyncIterator[WebServer]:
    async with WebServer() as server:
        yield server


@pytest.fixture
async def dns() -> AsyncIterator[DnsServer]:
    async with DnsServer(zones=[ZONE, OTHER_ZONE]) as server:
        yield server


def loopback_services(dns: DnsServer | None = None, **endpoints: str) -> Services:
    nameservers = (Nameserver("127.0.0.1", dns.port),) if dns else (Nameserver("127.0.0.1", 9),)
    options = AuditOptions(
        nameservers=nameservers, dns_timeout=0.5, dns_attempts=1, http_timeout=3.0
    ).with_endpoints(endpoints)
    return Services(options)


class ThreadedWebServer:
    """The demo web server on its own event loop in a thread, for tests of CLI commands
    (which call asyncio.run themselves)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.server: WebServer | None = None
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> WebServer:
        self._thread.start()
        self.server = WebServer()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)
        return self.server

    def __exit__(self, *exc_info: object) -> None:
        assert self.server is not None
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()


@pytest.fixture
def threaded_web() -> Iterator[WebServer]:
    with ThreadedWebServer() as server:
        yield server


def files_containing(root: Path, *needles: str) -> list[Path]:
    """Every file under ``root`` whose bytes contain one of ``needles`` (any case)."""
    wanted = [n.encode().lower() for n in needles if n]
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes().lower()
            if any(n in data for n in wanted):
                hits.append(path)
    return hits
