"""The demo world: the fictional candidate's DNS, websites, mail servers and the third-party
APIs, all on loopback, reached by the audit through the same options a user has.

``async with DemoWorld() as world:`` starts everything on ephemeral 127.0.0.1 ports;
``world.audit_options()`` gives AuditOptions whose nameserver, ``--connect-to`` rules, CA and
endpoints point at it. Every demo name resolves to 127.0.0.1 (so the HTTP client's address
guard sees a loopback start URL), and the connect-to rules send :443, :80 and :25 to our
listeners while the real host names are kept for SNI and certificate checks.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterable
from dataclasses import replace
from types import TracebackType
from typing import Any

import dns.rdataclass
import dns.rdatatype
import dns.zone

from auditor.demo import archive_server, candidate, fiction_web, search_server
from auditor.demo.certs import DemoCertificates
from auditor.demo.content import apis, site, zones
from auditor.demo.dns_server import DnsServer
from auditor.demo.leaks import leaks_in
from auditor.demo.smtp_server import SmtpServer
from auditor.demo.web_server import WebServer
from auditor.net.connect import ConnectRule
from auditor.net.dns import Nameserver
from auditor.profile import Profile, parse_profile
from auditor.services import DEFAULT_ENDPOINTS, AuditOptions

LOOPBACK = "127.0.0.1"

# Which SMTP behaviour each MX host shows (others get the good STARTTLS listener): the
# provider's backup MX has an expired certificate, the lookalike's MX offers no STARTTLS.
SMTP_HOSTS = {zones.MX_HOSTS[1]: "expired", zones.LOOKALIKE_MX: "no-starttls"}


def address_names(all_zones: list[dns.zone.Zone]) -> list[str]:
    """Every name with an A record: the host names the certificate must cover."""
    names: list[str] = []
    for zone in all_zones:
        for owner, node in zone.nodes.items():
            if node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.A) is not None:
                name = owner.derelativize(zone.origin).to_text(omit_final_dot=True)  # type: ignore[arg-type]
                if not name.startswith("ns1."):
                    names.append(name)
    return names


class DemoUnavailable(RuntimeError):
    """The demo world could not start; the message says why, in one line."""


class LoopbackDown(OSError):
    """The demo's servers started but cannot be reached: 127.0.0.1 does not work here."""


async def loopback_problem(port: int, timeout: float = 5.0) -> str:
    """Why a connection to our own listener on 127.0.0.1:``port`` fails, or "".

    With the loopback interface down (``unshare -n`` makes a network namespace with ``lo``
    down) listening works but connecting does not, and every check would say "could not
    check"; one plain sentence is what the person needs instead."""
    try:
        _reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", port), timeout
        )
    except (OSError, TimeoutError) as exc:
        errno = exc.errno if isinstance(exc, OSError) else None
        reason = os.strerror(errno) if errno else "no answer in time"
        return (
            "the demo runs its fictional world on this computer's loopback interface "
            f"(127.0.0.1), which cannot be reached here ({reason.lower()}); on Linux, "
            "'ip link set lo up' turns it on"
        )
    writer.close()
    return ""


class DemoWorld:
    def __init__(self, *, dns_delay: float = 0.0) -> None:
        self.zones, self.trust_anchor = zones.build_zones()
        self.zones += [archive_server.zone(), search_server.zone(), *fiction_web.zones()]
        self.hostnames = tuple(address_names(self.zones))
        self.certificates = DemoCertificates(self.hostnames)
        self.dns = DnsServer(zones=self.zones)
        self.dns.delay = dns_delay
        self.web = WebServer(self.certificates)
        self.smtp = SmtpServer(
            self.certificates,
            hostname=zones.MX_HOSTS[0],
            variant_hostnames={variant: host for host, variant in SMTP_HOSTS.items()},
        )
        self._add_routes()
        # The parked lookalike shows the browser warning a typo-squatter's site often does.
        self.web.cert_variants[f"www.{candidate.LOOKALIKES[1]}"] = "untrusted"
        self._profile: Profile | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def _add_routes(self) -> None:
        for (host, path), route in {**site.campaign_routes(), **site.other_routes()}.items():
            self.web.route(host, path, route)
        exact, prefixes = apis.api_routes()
        for (host, path), route in exact.items():
            self.web.route(host, path, route)
        for (host, prefix), route in prefixes.items():
            self.web.route_prefix(host, prefix, route)
        archive_server.demo_archive().register(self.web)
        search_server.demo_search().register(self.web)
        fiction_web.register(self.web)

    @property
    def profile(self) -> Profile:
        if self._profile is None:
            self._profile = parse_profile(candidate.DEMO_PROFILE_TOML, "demo profile")
        return self._profile

    @property
    def ca_pem(self) -> str:
        return self.certificates.ca_pem

    def addresses(self) -> dict[str, str]:
        """Where each server listens (for the TUI's "demo world" panel and for logs)."""
        return {
            "dns": f"{LOOPBACK}:{self.dns.port}",
            "http": f"{LOOPBACK}:{self.web.http_port}",
            "https": f"{LOOPBACK}:{self.web.https_port}",
            **{f"smtp-{v}": f"{LOOPBACK}:{port}" for v, port in self.smtp.ports.items()},
        }

    def connect_rules(self) -> tuple[ConnectRule, ...]:
        specific = tuple(
            ConnectRule(host, 25, LOOPBACK, self.smtp.port_for(variant))
            for host, variant in SMTP_HOSTS.items()
        )
        return (
            *specific,
            ConnectRule("", 443, LOOPBACK, self.web.https_port),
            ConnectRule("", 80, LOOPBACK, self.web.http_port),
            ConnectRule("", 25, LOOPBACK, self.smtp.port),
        )

    def audit_options(self, **overrides: Any) -> AuditOptions:
        """Options that point an audit at this world, with timeouts fit for loopback."""
        if not self.dns.port or not self.web.https_port:
            raise RuntimeError("start the demo world before asking for its audit options")
        options = AuditOptions(
            nameservers=(Nameserver(LOOPBACK, self.dns.port),),
            connect_to=self.connect_rules(),
            ca_pem=self.ca_pem,
            trust_anchors=self.trust_anchor,
            endpoints={
                **DEFAULT_ENDPOINTS,
                **apis.ENDPOINTS,
                **archive_server.ENDPOINTS,
                **search_server.ENDPOINTS,
            },
            # The demo searches its own fictional web (loopback) for the fictional name.
            search_provider="searxng",
            allow_personal_lookups=True,
            dns_timeout=2.0,  # generous: a briefing laptop may be busy
            dns_attempts=3,
            http_timeout=5.0,
            smtp_timeout=5.0,
            audit_deadline=120.0,
        )
        return replace(options, **overrides)

    # -- what left the auditor (for privacy assertions) ------------------------------------

    def traffic(self) -> list[str]:
        """One line per DNS query and HTTP request the world received, with every header
        and body, so a test can search all of it for the person's data."""
        lines = [f"dns {q.transport} {q.qname} {q.qtype}" for q in self.dns.queries]
        for r in self.web.requests:
            headers = " ".join(f"{k}: {v}" for k, v in r.headers.items())
            body = r.body.decode("utf-8", errors="replace")
            lines.append(
                f"http {r.method} {r.scheme}://{r.host}{r.path}?{r.query} {headers} {body}"
            )
        return lines

    def leaked(self, values: Iterable[str]) -> list[tuple[str, str]]:
        """(value, traffic line) for each value found in the traffic, ignoring case, spaces
        and the punctuation of phone numbers and postcodes, and looking through percent-
        encoding, '+' for a space, IDNA labels and base64 (auditor/demo/leaks.py)."""
        return leaks_in(self.traffic(), values)

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        await self.dns.start()
        try:
            await self.web.start()
            await self.smtp.start()
            problem = await loopback_problem(self.web.https_port)
            if problem:
                raise LoopbackDown(problem)
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        await asyncio.gather(
            self.smtp.stop(), self.web.stop(), self.dns.stop(), return_exceptions=True
        )

    async def __aenter__(self) -> DemoWorld:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- in a background thread (for the TUI and `auditor demo --headless`) ---------------

    @classmethod
    def run_in_thread(cls, **kwargs: Any) -> DemoWorld:
        """A started world serving from its own event loop in a daemon thread."""
        world = cls(**kwargs)
        ready = threading.Event()
        failures: list[BaseException] = []

        def main() -> None:
            loop = asyncio.new_event_loop()
            world._loop = loop
            try:
                loop.run_until_complete(world.start())
            except BaseException as exc:
                failures.append(exc)
                loop.close()
                ready.set()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(world.stop())
                loop.close()

        world._thread = threading.Thread(target=main, name="demo-world", daemon=True)
        world._thread.start()
        if not ready.wait(30):
            raise RuntimeError("the demo world did not start within 30 seconds")
        if failures:
            raise DemoUnavailable(str(failures[0])) from failures[0]
        return world

    def stop_thread(self, timeout: float = 10.0) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if not loop.is_closed():
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        self._loop = self._thread = None
