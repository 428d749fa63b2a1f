"""One DNS client per audit: honest outcomes, a shared cache, bounded queries in flight.

Unlike a resolver that raises, ``DnsClient.query`` always returns a ``DnsAnswer`` whose
``outcome`` says exactly what happened. SERVFAIL, REFUSED and timeouts are "could not
check" outcomes and are never folded into NXDOMAIN or "no record" (checkdmarc issue #195).
Truncated UDP answers are retried over TCP. Identical queries from many checks (or many
domains in a bulk run) share one lookup: the cache stores in-flight lookups too.

Speed (a bulk audit sends tens of thousands of queries): plain queries are built and
plain answers (NXDOMAIN, NODATA, TXT and CNAME records) are read by ``dns_wire`` without
dnspython's message objects, and UDP goes over one shared socket per nameserver
(``dns_udp``); anything unusual is parsed by dnspython exactly as before.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import random
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from typing import NamedTuple

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
from dns.rdtypes.ANY.TXT import TXT

from auditor.net import dns_wire
from auditor.net.dns_types import (  # re-exported: the client's callers import them from here
    DEFAULT_PORT,
    DnsAnswer,
    DnsOutcome,
    Nameserver,
    normalise_name,
    system_nameservers,
)
from auditor.net.dns_udp import UdpExchanger

__all__ = [
    "DEFAULT_PORT",
    "DnsAnswer",
    "DnsClient",
    "DnsOutcome",
    "Nameserver",
    "normalise_name",
    "system_nameservers",
]

MAX_CNAME_HOPS = 8


class _Query(NamedTuple):  # a tuple: built for every query sent, so it must be cheap
    """One question ready to send: its wire (ID set when sent) and how to redo it for TCP."""

    text: str  # the normalised name asked
    wire: bytes
    question_end: int  # offset just after the question section
    message: Callable[[], dns.message.Message]  # the same query as a dnspython message
    qname: dns.name.Name | None = None  # when it was built with dnspython

    def name(self) -> dns.name.Name:
        return self.qname if self.qname is not None else dns.name.from_text(self.text or ".")


_Response = dns.message.Message | dns_wire.ScannedResponse


class DnsHealth:
    """What the nameservers did over an audit, for telling "no network" apart from a
    check's own trouble (auditor/outage.py): responses that answered the question (any
    outcome but SERVFAIL/REFUSED), and per server the last failure to get a response.
    Counting only; no lookups of its own."""

    def __init__(self) -> None:
        self.answered = 0
        self.unreachable: dict[str, str] = {}  # server -> "timeout", "refused", "no-route", or text
        self.failing: dict[str, str] = {}  # server -> "SERVFAIL" / "REFUSED": reached, no use

    def note_failure(self, server: Nameserver, exc: BaseException | None) -> None:
        self.unreachable[str(server)] = _failure_kind(exc)

    def merge(self, other: DnsHealth) -> None:
        """Add what another client saw (a worker process of ``auditor bulk``)."""
        self.answered += other.answered
        self.unreachable.update(other.unreachable)
        self.failing.update(other.failing)


def _failure_kind(exc: BaseException | None) -> str:
    if exc is None or isinstance(exc, TimeoutError | dns.exception.Timeout):
        return "timeout"
    number = getattr(exc, "errno", None)
    if isinstance(exc, ConnectionRefusedError) or number == errno.ECONNREFUSED:
        return "refused"
    if number in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL, errno.ENETDOWN):
        return "no-route"
    return _one_line(exc)


class DnsClient:
    """Async stub resolver over dnspython's query functions.

    ``nameservers``: recursive resolvers or, for tests and the demo world, an authoritative
    server on loopback. Each attempt has ``timeout`` seconds; ``attempts`` rounds go over all
    nameservers. SERVFAIL and REFUSED move on to the next nameserver and are reported if
    none does better.
    """

    def __init__(
        self,
        nameservers: Sequence[Nameserver] | None = None,
        *,
        timeout: float = 2.0,
        attempts: int = 3,
        max_in_flight: int = 64,
        cache_size: int = 200_000,
        udp_payload: int = 1232,
    ) -> None:
        self.nameservers = list(nameservers) if nameservers else system_nameservers()
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.udp_payload = udp_payload
        self._limit = _Slots(max_in_flight)
        self._cache: OrderedDict[tuple[str, str, bool], DnsAnswer] = OrderedDict()
        self._in_flight: dict[tuple[str, str, bool], asyncio.Future[DnsAnswer]] = {}
        self._cache_size = cache_size
        self._exchangers: dict[Nameserver, UdpExchanger] = {}
        self.queries_sent = 0  # for benchmarks and tests: lookups that reached the network
        self.health = DnsHealth()

    def close(self) -> None:
        """Close the UDP sockets (queries after this open new ones); stop lookups that
        nobody waits for any more."""
        for shared in list(self._in_flight.values()):
            shared.cancel()
        for exchanger in self._exchangers.values():
            exchanger.close()
        self._exchangers.clear()

    def __enter__(self) -> DnsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def query(self, name: str, rdtype: str, *, dnssec: bool = False) -> DnsAnswer:
        """Records of ``rdtype`` at ``name``, following CNAMEs; cached for the audit."""
        key = (normalise_name(name), rdtype.upper(), dnssec)
        while True:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
            shared = self._in_flight.get(key)
            if shared is None:
                return await self._lookup(key)
            try:
                # Shielded: an asker that is cancelled (a check past its time limit) stops
                # waiting without cancelling the lookup the others wait for.
                return await asyncio.shield(shared)
            except _Abandoned:
                continue  # the asker doing the lookup was cancelled: ask again

    async def _lookup(self, key: tuple[str, str, bool]) -> DnsAnswer:
        """The first asker of a question looks it up in its own task, and whoever asks the
        same meanwhile waits for ``shared``. (A task of its own for every lookup, and a
        shield to wait for it, were a tenth of a bulk audit's CPU; most questions have one
        asker.) If that first asker is cancelled, the others are told to ask again."""
        shared: asyncio.Future[DnsAnswer] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = shared
        try:
            answer = await self._resolve(*key)
        except BaseException:
            if not shared.done():
                shared.set_exception(_Abandoned())
                shared.exception()  # retrieved, even when nobody was waiting
            raise
        finally:
            if self._in_flight.get(key) is shared:
                del self._in_flight[key]
        self._remember(key, answer)
        if not shared.done():  # close() may have cancelled it
            shared.set_result(answer)
        return answer

    async def txt(self, name: str) -> DnsAnswer:
        """TXT records with each record's strings joined without spaces (RFC 7208 §3.3)."""
        return await self.query(name, "TXT")

    async def addresses(self, name: str) -> tuple[list[str], list[DnsAnswer]]:
        """A and AAAA addresses of ``name`` and the two answers (for honest failure reporting)."""
        a, aaaa = await asyncio.gather(self.query(name, "A"), self.query(name, "AAAA"))
        return [*a.records, *aaaa.records], [a, aaaa]

    async def message(
        self, name: str, rdtype: str, *, dnssec: bool = True, checking_disabled: bool = False
    ) -> dns.message.Message | DnsAnswer:
        """The raw response message (for DNSSEC validation), or a DnsAnswer on failure."""
        text = normalise_name(name)
        qname = dns.name.from_text(text or ".")
        request = self._request(qname, dns.rdatatype.from_text(rdtype), dnssec)
        if checking_disabled:
            request.flags |= dns.flags.CD
        query = _Query(
            text, request.to_wire(), 16 + len(qname.to_wire() or b""), lambda: request, qname=qname
        )
        result = await self._exchange(query, text, rdtype.upper(), full=True)
        assert not isinstance(result, dns_wire.ScannedResponse)
        return result

    def _remember(self, key: tuple[str, str, bool], answer: DnsAnswer) -> None:
        self._cache[key] = answer
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def _request(
        self, qname: dns.name.Name, rdtype: dns.rdatatype.RdataType, dnssec: bool
    ) -> dns.message.Message:
        return dns.message.make_query(
            qname,
            rdtype,
            use_edns=0,
            payload=self.udp_payload,
            want_dnssec=dnssec,
            id=random.randint(0, 65535),
        )

    def _query(self, text: str, wanted: dns.rdatatype.RdataType, dnssec: bool) -> _Query:
        question = dns_wire.question_wire(text, wanted)
        if question is None:  # not a plain name: dnspython encodes it (or says why it cannot)
            qname = dns.name.from_text(text or ".")
            request = self._request(qname, wanted, dnssec)
            wire = request.to_wire()
            return _Query(
                text, wire, 16 + len(qname.to_wire() or b""), lambda: request, qname=qname
            )
        wire = dns_wire.query_wire(question, payload=self.udp_payload, dnssec=dnssec)
        return _Query(text, wire, 12 + len(question), lambda: dns.message.from_wire(wire))

    async def _resolve(self, name: str, rdtype: str, dnssec: bool) -> DnsAnswer:
        wanted = _rdatatype(rdtype)
        chain: list[str] = []
        current = name
        for _ in range(MAX_CNAME_HOPS + 1):
            query = self._query(current, wanted, dnssec)
            response = await self._exchange(query, name, rdtype)
            if isinstance(response, DnsAnswer):
                return response
            if isinstance(response, dns_wire.ScannedResponse) and (
                wanted != dns.rdatatype.CNAME or response.rcode or not response.answer
            ):
                answer, next_name = self._interpret_scanned(response, name, rdtype, wanted, chain)
            else:
                if isinstance(response, dns_wire.ScannedResponse):  # CNAME records asked for
                    response = dns.message.from_wire(response.wire)
                answer, next_name = self._interpret(
                    response, name, rdtype, query.name(), wanted, chain
                )
            if answer is not None:
                return answer
            assert next_name is not None
            if next_name in chain or next_name == name:
                return DnsAnswer(
                    name, rdtype, DnsOutcome.ERROR, cname_chain=tuple(chain), error="CNAME loop"
                )
            chain.append(next_name)
            current = next_name
        return DnsAnswer(
            name, rdtype, DnsOutcome.ERROR, cname_chain=tuple(chain), error="CNAME chain too long"
        )

    def _interpret(
        self,
        response: dns.message.Message,
        name: str,
        rdtype: str,
        qname: dns.name.Name,
        wanted: dns.rdatatype.RdataType,
        chain: list[str],
    ) -> tuple[DnsAnswer | None, str | None]:
        """A final answer, or the CNAME target to ask about next."""
        rcode = response.rcode()
        authenticated = bool(response.flags & dns.flags.AD)
        if rcode == dns.rcode.NXDOMAIN:
            return DnsAnswer(name, rdtype, DnsOutcome.NXDOMAIN, cname_chain=tuple(chain)), None
        if rcode != dns.rcode.NOERROR:
            return self._failure(name, rdtype, rcode), None
        # Follow the CNAME chain inside this answer as far as it goes.
        owner = qname
        seen = {owner}
        while True:
            found = response.get_rrset(response.answer, owner, dns.rdataclass.IN, wanted)
            if found is not None:
                records = tuple(_presentation(rdata, wanted) for rdata in found)
                return (
                    DnsAnswer(
                        name,
                        rdtype,
                        DnsOutcome.OK,
                        records=records,
                        rdata=tuple(found),
                        cname_chain=tuple(chain),
                        authenticated=authenticated,
                    ),
                    None,
                )
            cname = response.get_rrset(
                response.answer, owner, dns.rdataclass.IN, dns.rdatatype.CNAME
            )
            if cname is None or wanted == dns.rdatatype.CNAME:
                break
            target = cname[0].target
            chain.append(normalise_name(target.to_text()))
            if target in seen:
                return DnsAnswer(
                    name, rdtype, DnsOutcome.ERROR, cname_chain=tuple(chain), error="CNAME loop"
                ), None
            seen.add(target)
            owner = target
        if owner != qname:
            # The answer stopped at a CNAME target it did not cover: ask about the target.
            last = chain.pop()
            return None, last
        return DnsAnswer(
            name, rdtype, DnsOutcome.NODATA, cname_chain=tuple(chain), authenticated=authenticated
        ), None

    def _interpret_scanned(
        self,
        response: dns_wire.ScannedResponse,
        name: str,
        rdtype: str,
        wanted: dns.rdatatype.RdataType,
        chain: list[str],
    ) -> tuple[DnsAnswer | None, str | None]:
        """``_interpret`` for a response read by ``dns_wire`` (no CNAME records asked for)."""
        rcode = response.rcode
        if rcode == dns_wire.RCODE_NXDOMAIN:
            return DnsAnswer(name, rdtype, DnsOutcome.NXDOMAIN, cname_chain=tuple(chain)), None
        if rcode != dns_wire.RCODE_NOERROR:
            return self._failure(name, rdtype, rcode), None
        authenticated = response.authenticated
        owner = response.question
        seen = [owner]
        while True:
            found = [r for r in response.answer if r.rdtype == wanted and _same(r.owner, owner)]
            if found:
                rdata = tuple(
                    TXT(_IN, _TXT, dns_wire.txt_strings(response, record))
                    if record.parsed is None
                    else record.parsed
                    for record in found
                )
                if len(rdata) > 1:
                    # Duplicates dropped as dnspython's RRset does (by canonical form). It hashes
                    # every record to do so, which a lone record, the usual case, is spared.
                    rdata = tuple(dict.fromkeys(rdata))
                records = tuple(_presentation(one, wanted) for one in rdata)
                return (
                    DnsAnswer(
                        name,
                        rdtype,
                        DnsOutcome.OK,
                        records=records,
                        rdata=rdata,
                        cname_chain=tuple(chain),
                        authenticated=authenticated,
                    ),
                    None,
                )
            cnames = [
                r
                for r in response.answer
                if r.rdtype == dns_wire.TYPE_CNAME and _same(r.owner, owner)
            ]
            if not cnames:
                break
            target = dns_wire.cname_target(response, cnames[0])
            chain.append(dns_wire.name_text(target))
            if any(_same(target, earlier) for earlier in seen):
                return DnsAnswer(
                    name, rdtype, DnsOutcome.ERROR, cname_chain=tuple(chain), error="CNAME loop"
                ), None
            seen.append(target)
            owner = target
        if owner is not response.question:
            return None, chain.pop()
        return DnsAnswer(
            name, rdtype, DnsOutcome.NODATA, cname_chain=tuple(chain), authenticated=authenticated
        ), None

    @staticmethod
    def _failure(name: str, rdtype: str, rcode: int) -> DnsAnswer:
        text = dns.rcode.to_text(rcode)  # type: ignore[arg-type]  # an int is fine
        if rcode == dns.rcode.SERVFAIL:
            return DnsAnswer(
                name, rdtype, DnsOutcome.SERVFAIL, error="the server answered SERVFAIL"
            )
        if rcode == dns.rcode.REFUSED:
            return DnsAnswer(name, rdtype, DnsOutcome.REFUSED, error="the server refused the query")
        return DnsAnswer(name, rdtype, DnsOutcome.ERROR, error=f"the server answered {text}")

    async def _send(self, server: Nameserver, query: _Query, full: bool) -> _Response:
        """One attempt at one server: UDP, then TCP when the answer is truncated."""
        exchanger = self._exchangers.get(server)
        if exchanger is None:
            exchanger = self._exchangers[server] = UdpExchanger(server.host, server.port)
        wire = await exchanger.exchange(query.wire, query.question_end, self.timeout)
        if wire[2] & 0x02:  # TC: the whole answer did not fit
            # Imported here: with dns.query (and httpx) it is a 0.1 s import, rarely needed.
            from dns import asyncquery

            response = await asyncquery.tcp(
                query.message(), server.host, timeout=self.timeout, port=server.port
            )
            if response.flags & dns.flags.TC:
                # TCP has no size limit, so TC here means the server never gives the whole
                # answer: its records (usually none) are not the name's records.
                raise _TruncatedOverTcp
            return response
        if not full:
            scanned = dns_wire.scan_response(wire)
            if scanned is not None:
                return scanned
        return dns.message.from_wire(wire)

    async def _exchange(
        self, query: _Query, name: str, rdtype: str, *, full: bool = False
    ) -> _Response | DnsAnswer:
        """Send one question to the nameservers in turn until one gives a usable answer."""
        if not self.nameservers:
            return DnsAnswer(name, rdtype, DnsOutcome.ERROR, error="no DNS server is configured")
        worst: DnsAnswer | None = None
        for _attempt in range(self.attempts):
            for server in self.nameservers:
                await self._limit.acquire()
                self.queries_sent += 1
                try:
                    response = await self._send(server, query, full)
                except (TimeoutError, dns.exception.Timeout):
                    self.health.note_failure(server, None)
                    worst = worst or DnsAnswer(
                        name,
                        rdtype,
                        DnsOutcome.TIMEOUT,
                        error=f"no answer from {server} within {self.timeout:g}s",
                        server=str(server),
                    )
                    continue
                except _TruncatedOverTcp:
                    worst = DnsAnswer(
                        name,
                        rdtype,
                        DnsOutcome.ERROR,
                        error=f"{server} sent a truncated answer (TC) even over TCP, "
                        "so its records are incomplete",
                        server=str(server),
                    )
                    continue
                except (OSError, dns.exception.DNSException, ValueError) as exc:
                    if isinstance(exc, OSError):
                        self.health.note_failure(server, exc)
                    worst = DnsAnswer(
                        name,
                        rdtype,
                        DnsOutcome.ERROR,
                        error=f"{server}: {_one_line(exc)}",
                        server=str(server),
                    )
                    continue
                finally:
                    self._limit.release()
                rcode = (
                    response.rcode
                    if isinstance(response, dns_wire.ScannedResponse)
                    else response.rcode()
                )
                if rcode in (dns.rcode.SERVFAIL, dns.rcode.REFUSED):
                    self.health.failing[str(server)] = (
                        "SERVFAIL" if rcode == dns.rcode.SERVFAIL else "REFUSED"
                    )
                    failure = self._failure(name, rdtype, rcode)
                    worst = DnsAnswer(
                        name, rdtype, failure.outcome, error=failure.error, server=str(server)
                    )
                    continue
                self.health.answered += 1
                return response
            if worst is not None and worst.outcome is not DnsOutcome.TIMEOUT:
                # A server that answers SERVFAIL/REFUSED will say it again: do not retry rounds.
                break
        assert worst is not None
        return worst


class _Abandoned(Exception):
    """The asker that was looking a question up was cancelled: the others ask again."""


class _Slots:
    """At most ``size`` holders at once, first come first served: ``asyncio.Semaphore``'s
    job on the path every query takes, without its scan of the waiters on each acquire."""

    __slots__ = ("_free", "_waiters")

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> None:
        if self._free > 0:
            self._free -= 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # the slot came just as this waiter was cancelled: pass it on
            raise

    def release(self) -> None:
        """Hand the slot to the longest waiter still waiting, or free it."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():  # a cancelled waiter is skipped
                waiter.set_result(None)
                return
        self._free += 1


class _TruncatedOverTcp(Exception):
    """A TCP answer with the TC flag: no complete answer is to be had from that server."""


def _presentation(rdata: object, rdtype: int) -> str:
    if rdtype == dns.rdatatype.TXT:
        strings = getattr(rdata, "strings", ())
        return b"".join(strings).decode("utf-8", errors="replace")
    return str(rdata.to_text()).rstrip(".") if rdtype in _NAME_TYPES else str(rdata.to_text())  # type: ignore[attr-defined]


_NAME_TYPES = {dns.rdatatype.CNAME, dns.rdatatype.NS, dns.rdatatype.PTR}
_IN = dns.rdataclass.IN
_TXT = dns.rdatatype.TXT


@functools.lru_cache(maxsize=128)
def _rdatatype(text: str) -> dns.rdatatype.RdataType:
    return dns.rdatatype.from_text(text)


def _same(a: tuple[bytes, ...], b: tuple[bytes, ...]) -> bool:
    return a is b or dns_wire.same_name(a, b)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
