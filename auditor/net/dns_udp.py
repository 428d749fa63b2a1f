"""UDP exchanges over a few shared sockets per nameserver, matched by ID and question.

dnspython opens, registers and closes a socket for every query, which costs more CPU than
the whole answer is worth when a bulk audit sends tens of thousands. Here each nameserver
has one connected UDP socket at a time (so the kernel drops datagrams from any other
address, and ICMP errors are reported); a response is accepted only when its ID, QR bit,
opcode and question (case-insensitive name, exact type and class) match a query still
waiting, and anything else is dropped, as a stub resolver should. IDs come from
``os.urandom``, and the socket is replaced after ``rotate_after`` queries, so the source
port keeps changing too (RFC 5452). Waiting queries are bounded by the client's semaphore.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable

import dns.inet

RECEIVE_BUFFER = 1 << 20
_ERRORS_WITHOUT_QUESTION = frozenset({1, 2, 4, 5})  # FORMERR, SERVFAIL, NOTIMP, REFUSED


class _Channel(asyncio.DatagramProtocol):
    def __init__(self, on_closed: Callable[[_Channel], None]) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        # id -> (lower-case question name wire, type+class bytes, future)
        self.waiting: dict[int, tuple[bytes, bytes, asyncio.Future[bytes]]] = {}
        self.used = 0
        self.retired = False
        self.closed = False
        self._on_closed = on_closed

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: object) -> None:
        if len(data) < 12 or not data[2] & 0x80 or data[2] & 0x78:
            return  # not a response to a standard query
        entry = self.waiting.get((data[0] << 8) | data[1])
        if entry is None:
            return
        qname, type_class, future = entry
        if data[4:6] == b"\x00\x01":
            end = 12 + len(qname)
            if data[12:end].lower() != qname or data[end : end + 4] != type_class:
                return  # same ID, other question: not ours
        elif data[4:6] != b"\x00\x00" or data[3] & 0x0F not in _ERRORS_WITHOUT_QUESTION:
            return
        # An error may come without the question section (dnspython accepts that too).
        if not future.done():
            future.set_result(data)

    def error_received(self, exc: Exception) -> None:
        # On a connected socket this is the server's ICMP error (port unreachable...):
        # it concerns every query waiting on this server.
        for _, _, future in self.waiting.values():
            if not future.done():
                future.set_exception(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        for _, _, future in self.waiting.values():
            if not future.done():
                future.set_exception(exc or ConnectionResetError("the UDP socket was closed"))
        self._on_closed(self)

    def close(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.close()


class UdpExchanger:
    """Send a query (ID bytes left to us) to ``host:port`` and wait for its answer."""

    def __init__(self, host: str, port: int, *, rotate_after: int = 1000) -> None:
        self.family = dns.inet.af_for_address(host)  # ValueError for a non-address, as dnspython
        self.address = (host, port)
        self.rotate_after = rotate_after
        self._channel: _Channel | None = None
        self._opening: asyncio.Future[_Channel] | None = None
        self._open_channels: set[_Channel] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._random = b""  # CSPRNG bytes fetched in batches: one system call per 512 IDs
        self._random_at = 0

    def _random_id(self) -> int:
        if self._random_at >= len(self._random):
            self._random, self._random_at = os.urandom(1024), 0
        at = self._random_at
        self._random_at = at + 2
        return (self._random[at] << 8) | self._random[at + 1]

    async def exchange(self, query: bytes, question_end: int, timeout: float) -> bytes:
        """The raw response; TimeoutError, or OSError from the socket, otherwise."""
        loop = asyncio.get_running_loop()
        channel = self._channel
        if channel is None or channel.closed or self._loop is not loop:
            channel = await self._current()
        waiting = channel.waiting
        while True:
            query_id = self._random_id()
            if query_id not in waiting:
                break
        future: asyncio.Future[bytes] = loop.create_future()
        type_class = query[question_end - 4 : question_end]
        entry = (query[12 : question_end - 4].lower(), type_class, future)
        waiting[query_id] = entry
        channel.used += 1
        if channel.used >= self.rotate_after:
            channel.retired = True
            self._channel = None
        timer = loop.call_later(timeout, _expire, future)
        try:
            assert channel.transport is not None
            channel.transport.sendto(query_id.to_bytes(2, "big") + query[2:])
            return await future
        finally:
            timer.cancel()
            if waiting.get(query_id) is entry:
                del waiting[query_id]
            if channel.retired and not waiting:
                channel.close()

    async def _current(self) -> _Channel:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop: sockets of the old one are unusable
            self._loop, self._channel, self._opening = loop, None, None
            self._open_channels = set()
        channel = self._channel
        if channel is not None and not channel.closed:
            return channel
        if self._opening is not None:
            return await asyncio.shield(self._opening)
        self._opening = loop.create_future()
        try:
            channel = await self._open()
        except BaseException as exc:
            self._opening.set_exception(exc)
            self._opening.exception()  # retrieved: each waiter re-raises it
            raise
        finally:
            opening, self._opening = self._opening, None
        self._channel = channel
        opening.set_result(channel)
        return channel

    async def _open(self) -> _Channel:
        sock = socket.socket(self.family, socket.SOCK_DGRAM)
        try:
            # Answers to every query in flight may arrive in one burst: room for them all.
            # (The kernel caps this at net.core.rmem_max.)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
            sock.setblocking(False)
            sock.connect(self.address)
            loop = asyncio.get_running_loop()
            _, channel = await loop.create_datagram_endpoint(
                lambda: _Channel(self._forget), sock=sock
            )
        except BaseException:
            sock.close()
            raise
        self._open_channels.add(channel)
        return channel

    def _forget(self, channel: _Channel) -> None:
        self._open_channels.discard(channel)
        if self._channel is channel:
            self._channel = None

    def close(self) -> None:
        for channel in list(self._open_channels):
            channel.close()
        self._channel = None


def _expire(future: asyncio.Future[bytes]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())
