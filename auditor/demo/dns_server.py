"""An authoritative DNS server on loopback for the demo world and the tests.

It answers from dnspython zones with the semantics the checks depend on: NODATA is not
NXDOMAIN, an empty non-terminal exists, CNAMEs are chased inside our zones, wildcards
synthesise, names outside every zone are REFUSED, and a UDP answer larger than the
client's advertised payload comes back truncated so the client retries over TCP. Faults
(delay, timeout, SERVFAIL, REFUSED, always-truncate) can be switched on per name, per
suffix or globally while it runs, and every query is logged for privacy assertions.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
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
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone

log = logging.getLogger(__name__)

FAULT_MODES = ("delay", "timeout", "servfail", "refused", "truncate-always")
MAX_CHASE = 8
IN = dns.rdataclass.IN
RRSIG = dns.rdatatype.RRSIG
NSEC = dns.rdatatype.NSEC
SOA = dns.rdatatype.SOA


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
        table[_name(name)] = Fault(mode, seconds)

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
        self._exact.pop(_name(name), None)
        self._suffix.pop(_name(name), None)

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


def _name(text: str | dns.name.Name) -> dns.name.Name:
    if isinstance(text, dns.name.Name):
        return text
    return dns.name.from_text(text.strip().lower().rstrip(".") + ".")


def absolute_zone(zone: dns.zone.Zone) -> dns.zone.Zone:
    """A copy with absolute owner names and rdata names, whatever the input used."""
    if not zone.relativize:
        return zone
    text = zone.to_text(relativize=False)
    return dns.zone.from_text(text, origin=zone.origin, relativize=False, check_origin=False)


def zone_from_text(text: str, origin: str | None = None) -> dns.zone.Zone:
    return dns.zone.from_text(
        text, origin=_name(origin) if origin else None, relativize=False, check_origin=True
    )


def zone_from_records(
    origin: str,
    records: Iterable[tuple[str, str, Sequence[str]]],
    *,
    ttl: int = 300,
) -> dns.zone.Zone:
    """A zone from (name, rdtype, [rdata text]) triples; SOA and NS are added if missing.

    Names are relative to ``origin`` unless they end with a dot; "@" is the apex.
    """
    apex = _name(origin)
    lines = [f"$ORIGIN {apex}", f"$TTL {ttl}"]
    seen_types: set[tuple[str, str]] = set()
    for owner, rdtype, values in records:
        seen_types.add((owner, rdtype.upper()))
        lines.extend(f"{owner} {rdtype} {value}" for value in values)
    if ("@", "SOA") not in seen_types:
        lines.append(f"@ SOA ns1.{apex} hostmaster.{apex} 1 3600 600 604800 300")
    if ("@", "NS") not in seen_types:
        lines.append(f"@ NS ns1.{apex}")
    return zone_from_text("\n".join(lines) + "\n", str(apex))


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
        self.zones: dict[dns.name.Name, dns.zone.Zone] = {}
        for zone in zones:
            self.add_zone(zone)
        self.faults = DnsFaults()
        self.delay = 0.0  # seconds before every answer (benchmarks inject latency)
        self.queries: deque[QueryRecord] = deque(maxlen=log_limit)
        self.query_count = 0
        self.garbage_count = 0
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # -- zone data --------------------------------------------------------------------------

    def add_zone(self, zone: dns.zone.Zone | str, origin: str | None = None) -> dns.zone.Zone:
        parsed = zone_from_text(zone, origin) if isinstance(zone, str) else absolute_zone(zone)
        self.zones[parsed.origin] = parsed  # type: ignore[index]
        return parsed

    def set_records(self, name: str, rdtype: str, values: Sequence[str], ttl: int = 300) -> None:
        """Replace (or with no values, delete) one RRset while the server runs."""
        owner = _name(name)
        zone = self._zone_for(owner)
        if zone is None:
            raise KeyError(f"{owner} is in none of the served zones")
        wanted = dns.rdatatype.from_text(rdtype)
        if not values:
            zone.delete_rdataset(owner, wanted)
            return
        rdatas = [dns.rdata.from_text(IN, wanted, v, origin=zone.origin) for v in values]
        zone.replace_rdataset(owner, dns.rdataset.from_rdata_list(ttl, rdatas))

    def _zone_for(self, qname: dns.name.Name) -> dns.zone.Zone | None:
        best: dns.zone.Zone | None = None
        for origin, zone in self.zones.items():
            if qname.is_subdomain(origin) and (best is None or len(origin) > len(best.origin)):  # type: ignore[arg-type]
                best = zone
        return best

    def queried_names(self) -> list[str]:
        return [q.qname for q in self.queries]

    def clear_log(self) -> None:
        self.queries.clear()
        self.query_count = 0

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tcp = await asyncio.start_server(self._serve_tcp, self.host, self.port)
        self.port = self._tcp.sockets[0].getsockname()[1]
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _UdpProtocol(self), local_addr=(self.host, self.port)
        )
        self._udp = transport

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        if self._tcp is not None:
            self._tcp.close()
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

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- transports -------------------------------------------------------------------------

    async def _answer_udp(self, data: bytes, addr: tuple[str, int]) -> None:
        wire = await self.handle(data, "udp")
        if wire is not None and self._udp is not None:
            self._udp.sendto(wire, addr)

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                header = await asyncio.wait_for(reader.readexactly(2), 30.0)
                (length,) = struct.unpack("!H", header)
                data = await asyncio.wait_for(reader.readexactly(length), 10.0)
                # Each query runs on its own so a delayed answer does not hold up the next.
                self._spawn(self._answer_tcp(data, writer))
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
            pass
        finally:
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
        if query.opcode() != dns.opcode.QUERY:
            response.set_rcode(dns.rcode.NOTIMP)
            return response.to_wire()
        self._resolve(response, qname, question.rdtype, dnssec_ok)
        limit = 65535
        if transport == "udp":
            limit = max(512, query.payload) if query.edns >= 0 else 512
            if fault is not None and fault.mode == "truncate-always":
                return _truncated(response)
        try:
            return response.to_wire(max_size=limit)
        except dns.exception.TooBig:
            return _truncated(response)

    def _resolve(
        self, response: dns.message.Message, qname: dns.name.Name, qtype: int, do: bool
    ) -> None:
        zone = self._zone_for(qname)
        if zone is None:
            response.set_rcode(dns.rcode.REFUSED)
            return
        if qtype == dns.rdatatype.DS and qname == zone.origin and len(qname) > 1:
            # DS lives on the parent side of a zone cut (RFC 4035 §3.1.4.1).
            zone = self._zone_for(qname.parent()) or zone
        response.flags |= dns.flags.AA
        name = qname
        for _ in range(MAX_CHASE):
            referral = _delegation(zone, name, qtype)
            if referral is not None:
                response.flags &= ~dns.flags.AA
                _add(response.authority, referral, do, zone, referral.name)
                return
            node = zone.get_node(name)
            owner = name
            if node is None and not _has_descendants(zone, name):
                wildcard = _wildcard_source(zone, name)
                if wildcard is None:
                    response.set_rcode(dns.rcode.NXDOMAIN)
                    self._negative(response, zone, name, do)
                    return
                node, owner = zone.get_node(wildcard), wildcard
                if do:
                    _add_nsec_covering(response, zone, name)
            if node is None:  # an empty non-terminal: it exists, with no data
                self._negative(response, zone, name, do)
                return
            if qtype == dns.rdatatype.ANY:
                for rdataset in node.rdatasets:
                    if rdataset.rdtype != RRSIG or do:
                        _add_rdataset(response.answer, name, rdataset)
                return
            found = node.get_rdataset(IN, dns.rdatatype.RdataType(qtype))
            if found is not None:
                _add(response.answer, found, do, zone, name, owner)
                return
            cname = node.get_rdataset(IN, dns.rdatatype.CNAME)
            if cname is None:
                self._negative(response, zone, name, do, node_owner=owner)
                return
            _add(response.answer, cname, do, zone, name, owner)
            target = cname[0].target
            next_zone = self._zone_for(target)
            if next_zone is None or any(r.name == target for r in response.answer):
                return  # out of our zones (the client asks on), or a loop
            zone, name = next_zone, target

    def _negative(
        self,
        response: dns.message.Message,
        zone: dns.zone.Zone,
        name: dns.name.Name,
        do: bool,
        node_owner: dns.name.Name | None = None,
    ) -> None:
        soa = zone.get_rdataset(zone.origin, SOA)  # type: ignore[arg-type]
        if soa is not None:
            _add(response.authority, soa, do, zone, zone.origin)  # type: ignore[arg-type]
        if not do:
            return
        owner = node_owner or name
        own_nsec = zone.get_rdataset(owner, NSEC)
        if own_nsec is not None:
            _add(response.authority, own_nsec, do, zone, name)
        else:
            _add_nsec_covering(response, zone, name)


def _add(
    section: list[dns.rrset.RRset],
    rdataset: dns.rdataset.Rdataset,
    do: bool,
    zone: dns.zone.Zone,
    name: dns.name.Name,
    source: dns.name.Name | None = None,
) -> None:
    _add_rdataset(section, name, rdataset)
    if do:
        sigs = zone.get_rdataset(source or name, RRSIG, rdataset.rdtype)
        if sigs is not None:
            _add_rdataset(section, name, sigs)


def _add_rdataset(
    section: list[dns.rrset.RRset], name: dns.name.Name, rdataset: dns.rdataset.Rdataset
) -> None:
    rrset = dns.rrset.RRset(name, rdataset.rdclass, rdataset.rdtype, rdataset.covers)
    rrset.update(rdataset)  # type: ignore[no-untyped-call]
    if not any(existing == rrset for existing in section):
        section.append(rrset)


def _has_descendants(zone: dns.zone.Zone, name: dns.name.Name) -> bool:
    return any(owner != name and owner.is_subdomain(name) for owner in zone.nodes)


def _delegation(zone: dns.zone.Zone, name: dns.name.Name, qtype: int) -> dns.rrset.RRset | None:
    """The NS set of a delegation point between the apex and ``name``, if any."""
    origin: dns.name.Name = zone.origin  # type: ignore[assignment]
    for depth in range(len(origin) + 1, len(name) + 1):
        cut = name.split(depth)[1]
        if cut == name and qtype == dns.rdatatype.DS:
            return None  # the parent side of the cut answers for DS
        ns = zone.get_rdataset(cut, dns.rdatatype.NS)
        if ns is not None:
            rrset = dns.rrset.RRset(cut, IN, dns.rdatatype.NS)
            rrset.update(ns)  # type: ignore[no-untyped-call]
            return rrset
    return None


def _wildcard_source(zone: dns.zone.Zone, name: dns.name.Name) -> dns.name.Name | None:
    """``*.<closest encloser>`` when it exists (RFC 4592 §3.3.1)."""
    encloser = name.parent()
    while encloser.is_subdomain(zone.origin):  # type: ignore[arg-type]
        if zone.get_node(encloser) is not None or _has_descendants(zone, encloser):
            wildcard = dns.name.Name((b"*", *encloser.labels))
            return wildcard if zone.get_node(wildcard) is not None else None
        encloser = encloser.parent()
    return None


def _add_nsec_covering(
    response: dns.message.Message, zone: dns.zone.Zone, name: dns.name.Name
) -> None:
    """The NSEC whose owner is the closest name before ``name`` in canonical order."""
    owners = sorted(o for o, node in zone.nodes.items() if node.get_rdataset(IN, NSEC))
    before = [o for o in owners if o < name]
    owner = before[-1] if before else (owners[-1] if owners else None)
    if owner is not None:
        nsec = zone.get_rdataset(owner, NSEC)
        if nsec is not None:
            _add(response.authority, nsec, True, zone, owner)


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
