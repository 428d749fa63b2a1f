"""An authoritative DNS server on loopback for the demo world and the tests.

It answers from dnspython zones with the semantics the checks depend on: NODATA is not
NXDOMAIN, an empty non-terminal exists, CNAMEs are chased inside our zones, wildcards
synthesise, names outside every zone are REFUSED, and a UDP answer larger than the
client's advertised payload comes back truncated so the client retries over TCP. Faults
(delay, timeout, SERVFAIL, REFUSED, always-truncate, truncated even over TCP, a false
NODATA or NXDOMAIN, an upward referral) can be switched on per name, per suffix or globally
while it runs, and every query is logged for privacy assertions. The ``-root`` faults, set
globally, answer only questions about the root (as an authoritative-only server does when
a validator asks it for the root DNSKEY).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
from collections import deque
from collections.abc import Coroutine, Iterable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone

from auditor.demo.dns_zones import (
    ZoneSet,
    absolute_zone,
    name_of,
    zone_from_records,
    zone_from_text,
)

__all__ = [
    "DnsFaults",
    "DnsServer",
    "QueryRecord",
    "absolute_zone",
    "zone_from_records",
    "zone_from_text",
]

log = logging.getLogger(__name__)

_NO_TRANSFERS = (dns.rdatatype.AXFR, dns.rdatatype.IXFR)

FAULT_MODES = (
    "delay",
    "timeout",
    "servfail",
    "refused",
    "truncate-always",  # every UDP answer has TC set (and no records): the client uses TCP
    "truncate-tcp",  # TC set and no records over UDP *and* TCP: no complete answer anywhere
    "nodata",  # NOERROR with no records, whatever the zone holds
    "nxdomain",
    "referral",  # NOERROR, no answer, the root's NS in authority (an upward referral)
    "nodata-root",  # the same three, for questions about the root only
    "nxdomain-root",
    "referral-root",
)
_ROOT_ONLY = {"nodata-root": "nodata", "nxdomain-root": "nxdomain", "referral-root": "referral"}


@dataclass(frozen=True)
class QueryRecord:
    qname: str  # lower-case, no trailing dot
    qtype: str
    transport: str  # "udp" or "tcp"
    dnssec_ok: bool = False


@dataclass(frozen=True)
class Fault:
    mode: str
    seconds: float = 0.0  # for "delay"


class DnsFaults:
    """Faults by exact name, by suffix (the name and everything under it), or global."""

    def __init__(self) -> None:
        self._exact: dict[dns.name.Name, Fault] = {}
        self._suffix: dict[dns.name.Name, Fault] = {}
        self.global_fault: Fault | None = None

    def set(self, name: str, mode: str, *, seconds: float = 0.0, subdomains: bool = False) -> None:
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown DNS fault {mode!r} (known: {', '.join(FAULT_MODES)})")
        table = self._suffix if subdomains else self._exact
        table[name_of(name)] = Fault(mode, seconds)

    def set_suffix(self, suffix: str, mode: str, *, seconds: float = 0.0) -> None:
        self.set(suffix, mode, seconds=seconds, subdomains=True)

    def set_global(self, mode: str | None, *, seconds: float = 0.0) -> None:
        if mode is not None and mode not in FAULT_MODES:
            raise ValueError(f"unknown DNS fault {mode!r}")
        self.global_fault = Fault(mode, seconds) if mode else None

    def clear(self, name: str | None = None) -> None:
        if name is None:
            self._exact.clear()
            self._suffix.clear()
            self.global_fault = None
            return
        self._exact.pop(name_of(name), None)
        self._suffix.pop(name_of(name), None)

    def lookup(self, qname: dns.name.Name) -> Fault | None:
        found = self._exact.get(qname)
        if found is not None:
            return found
        # The most specific suffix wins, so a test can carve an exception out of a wider fault.
        best: tuple[int, Fault] | None = None
        for suffix, fault in self._suffix.items():
            if qname.is_subdomain(suffix) and (best is None or len(suffix) > best[0]):
                best = (len(suffix), fault)
        return best[1] if best else self.global_fault


class DnsServer:
    def __init__(
        self,
        zones: Iterable[dns.zone.Zone | str] = (),
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_limit: int = 100_000,
    ) -> None:
        self.host = host
        self.port = port
        self.zoneset = ZoneSet(zones)
        self.zones = self.zoneset.zones
        self.faults = DnsFaults()
        self.delay = 0.0  # seconds before every answer (benchmarks inject latency)
        self.queries: deque[QueryRecord] = deque(maxlen=log_limit)
        self.query_count = 0
        self.garbage_count = 0
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._tcp_writers: set[asyncio.StreamWriter] = set()

    # -- zone data --------------------------------------------------------------------------
    def add_zone(self, zone: dns.zone.Zone | str, origin: str | None = None) -> dns.zone.Zone:
        return self.zoneset.add_zone(zone, origin)

    def set_records(self, name: str, rdtype: str, values: Sequence[str], ttl: int = 300) -> None:
        """Replace (or with no values, delete) one RRset while the server runs."""
        self.zoneset.set_records(name, rdtype, values, ttl)

    def queried_names(self) -> list[str]:
        return [q.qname for q in self.queries]

    def clear_log(self) -> None:
        self.queries.clear()
        self.query_count = 0

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        # TCP and UDP must share one port number, and a free TCP port may be taken for UDP
        # (or the reverse) by another test's server: with an ephemeral port, try again.
        loop = asyncio.get_running_loop()
        wanted = self.port
        for _attempt in range(50):
            tcp = await asyncio.start_server(self._serve_tcp, self.host, wanted)
            port = tcp.sockets[0].getsockname()[1]
            try:
                transport, _ = await loop.create_datagram_endpoint(
                    lambda: _UdpProtocol(self), local_addr=(self.host, port)
                )
            except OSError:
                tcp.close()
                await tcp.wait_closed()
                if wanted:
                    raise
                continue
            # Bursts of a few hundred queries (lookalikes, bulk tests) overflow the default
            # receive buffer and every dropped query costs the client a timeout.
            sock = transport.get_extra_info("socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            self._tcp, self._udp, self.port = tcp, transport, port
            return
        raise OSError("no port free for both TCP and UDP on this host")

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        if self._tcp is not None:
            self._tcp.close()
            for writer in list(self._tcp_writers):
                writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._tcp.wait_closed(), 1.0)
            self._tcp = None
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def __aenter__(self) -> DnsServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- transports -------------------------------------------------------------------------

    async def _answer_udp(self, data: bytes, addr: tuple[str, int]) -> None:
        wire = await self.handle(data, "udp")
        if wire is not None and self._udp is not None:
            self._udp.sendto(wire, addr)

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._tcp_writers.add(writer)
        pending: set[asyncio.Task[None]] = set()
        try:
            while True:
                header = await asyncio.wait_for(reader.readexactly(2), 30.0)
                (length,) = struct.unpack("!H", header)
                data = await asyncio.wait_for(reader.readexactly(length), 10.0)
                # Each query runs on its own so a delayed answer does not hold up the next.
                task = self._spawn(self._answer_tcp(data, writer))
                pending.add(task)
                task.add_done_callback(pending.discard)
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
            # A client may half-close after its last query: answer what it asked first.
            if pending:
                await asyncio.wait(pending, timeout=5.0)
        finally:
            self._tcp_writers.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    async def _answer_tcp(self, data: bytes, writer: asyncio.StreamWriter) -> None:
        wire = await self.handle(data, "tcp")
        if wire is not None and not writer.is_closing():
            writer.write(struct.pack("!H", len(wire)) + wire)
            with contextlib.suppress(ConnectionError):
                await writer.drain()

    # -- the answer -------------------------------------------------------------------------

    async def handle(self, data: bytes, transport: str) -> bytes | None:
        """The wire answer to one query, or None to stay silent."""
        try:
            query = dns.message.from_wire(data)
        except (dns.exception.DNSException, ValueError, struct.error) as exc:
            self.garbage_count += 1
            log.debug("dropped an unparsable %s packet: %s", transport, exc)
            return None
        if query.flags & dns.flags.QR or len(query.question) != 1:
            self.garbage_count += 1
            return None
        question = query.question[0]
        dnssec_ok = query.edns >= 0 and bool(query.ednsflags & dns.flags.DO)
        qname = question.name.canonicalize()
        self.query_count += 1
        self.queries.append(
            QueryRecord(
                qname.to_text(omit_final_dot=True),
                dns.rdatatype.to_text(question.rdtype),
                transport,
                dnssec_ok,
            )
        )
        fault = self.faults.lookup(qname)
        if fault is not None and fault.mode in _ROOT_ONLY:
            fault = Fault(_ROOT_ONLY[fault.mode]) if qname == dns.name.root else None
        delay = self.delay + (fault.seconds if fault and fault.mode == "delay" else 0.0)
        if delay > 0:
            await asyncio.sleep(delay)
        response = dns.message.make_response(query)
        if dnssec_ok:
            response.ednsflags |= dns.flags.DO
        if fault is not None and fault.mode == "timeout":
            return None
        if fault is not None and fault.mode in ("servfail", "refused"):
            response.set_rcode(
                dns.rcode.SERVFAIL if fault.mode == "servfail" else dns.rcode.REFUSED
            )
            return response.to_wire()
        if fault is not None and fault.mode in ("nodata", "nxdomain", "referral"):
            if fault.mode == "nxdomain":
                response.set_rcode(dns.rcode.NXDOMAIN)
            elif fault.mode == "referral":
                response.authority.append(_ROOT_REFERRAL)
            return response.to_wire()
        if fault is not None and fault.mode == "truncate-tcp":
            return _truncated(response)
        if query.opcode() != dns.opcode.QUERY:
            response.set_rcode(dns.rcode.NOTIMP)
            return response.to_wire()
        if question.rdclass != dns.rdataclass.IN or question.rdtype in _NO_TRANSFERS:
            response.set_rcode(dns.rcode.REFUSED)  # no CHAOS, no zone transfers
            return response.to_wire()
        self.zoneset.resolve(response, qname, question.rdtype, dnssec_ok)
        limit = 65535
        if transport == "udp":
            limit = max(512, query.payload) if query.edns >= 0 else 512
            if fault is not None and fault.mode == "truncate-always":
                return _truncated(response)
        try:
            return response.to_wire(max_size=limit)
        except dns.exception.TooBig:
            return _truncated(response)


_ROOT_REFERRAL = dns.rrset.from_text(".", 518400, "IN", "NS", "a.root-servers.net.")


def _truncated(response: dns.message.Message) -> bytes:
    response.flags |= dns.flags.TC
    response.answer.clear()
    response.authority.clear()
    response.additional.clear()
    return response.to_wire()


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: DnsServer) -> None:
        self.server = server

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.server._spawn(self.server._answer_udp(data, addr))

    def error_received(self, exc: Exception) -> None:
        log.debug("UDP error on the demo DNS server: %s", exc)
