"""SMTP listeners for the demo world: one per behaviour the STARTTLS check must tell apart.

No mail is ever delivered: recipients are refused. aiosmtpd's Controller cannot bind port 0
(aiosmtpd issue #388), so each listener is created with ``loop.create_server`` directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from types import TracebackType
from typing import Any

from aiosmtpd.smtp import SMTP

from auditor.demo.certs import DemoCertificates

log = logging.getLogger(__name__)

# starttls: the good case; no-starttls: STARTTLS not offered; expired: offered with an expired
# certificate; silent: accepts the connection and never sends a banner; broken-tls: offers
# STARTTLS, says "go ahead", then answers the TLS handshake with garbage.
SMTP_VARIANTS = ("starttls", "no-starttls", "expired", "silent", "broken-tls")


class RefuseAllMail:
    """aiosmtpd handler: every recipient is refused, so nothing can be relayed or stored."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        return "550 5.7.1 The demo world accepts no mail"

    async def handle_exception(self, error: Exception) -> str:
        # A client rejecting our expired certificate is the point of that listener, not a
        # server error: keep aiosmtpd from logging a traceback for it.
        log.debug("demo SMTP session ended: %r", error)
        return "421 4.3.0 Session ended"


class SmtpServer:
    def __init__(
        self,
        certificates: DemoCertificates | None = None,
        *,
        hostname: str = "mx.demo.example",
        host: str = "127.0.0.1",
        variants: tuple[str, ...] = SMTP_VARIANTS,
        variant_hostnames: dict[str, str] | None = None,
    ) -> None:
        unknown = set(variants) - set(SMTP_VARIANTS)
        if unknown:
            raise ValueError(f"unknown SMTP variants {sorted(unknown)} (known: {SMTP_VARIANTS})")
        self.certificates = certificates or DemoCertificates([hostname])
        self.hostname = hostname
        # The name a listener gives in its banner and EHLO, when it stands for another host.
        self.variant_hostnames = dict(variant_hostnames or {})
        self.host = host
        self.variants = variants
        self.ports: dict[str, int] = {}
        self.cert_variants: dict[str, str] = {}  # SNI host -> certificate variant
        self.connections: deque[str] = deque(maxlen=10_000)  # variant of each connection
        self._servers: list[asyncio.Server] = []
        self._transports: set[asyncio.BaseTransport] = set()

    @property
    def port(self) -> int:
        """The well-behaved listener (STARTTLS with a trusted certificate)."""
        return self.ports["starttls"]

    def port_for(self, variant: str) -> int:
        return self.ports[variant]

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        for variant in self.variants:
            server = await loop.create_server(
                lambda v=variant: self._protocol(v),  # type: ignore[misc]
                self.host,
                0,
            )
            self._servers.append(server)
            self.ports[variant] = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        for server in self._servers:
            server.close()
        for transport in list(self._transports):
            transport.close()
        for server in self._servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 1.0)
        self._servers = []

    async def __aenter__(self) -> SmtpServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def _protocol(self, variant: str) -> asyncio.Protocol:
        self.connections.append(variant)
        hostname = self.variant_hostnames.get(variant, self.hostname)
        if variant == "silent":
            return _Silent(self._transports)
        if variant == "broken-tls":
            return _BrokenStartTls(self._transports, hostname)
        tls = None
        if variant == "starttls":
            tls = self.certificates.sni_context(self.cert_variants)
        elif variant == "expired":
            tls = self.certificates.server_context("expired")
        return _TrackedSmtp(
            self._transports,
            RefuseAllMail(),
            hostname=hostname,
            tls_context=tls,
            require_starttls=False,
            timeout=30,
        )


class _TrackedSmtp(SMTP):  # type: ignore[misc]
    def __init__(self, transports: set[asyncio.BaseTransport], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tracked = transports

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._tracked.add(transport)
        super().connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self._tracked.discard(self.transport)
        super().connection_lost(exc)


class _Silent(asyncio.Protocol):
    def __init__(self, transports: set[asyncio.BaseTransport]) -> None:
        self._tracked = transports
        self._transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport
        self._tracked.add(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._tracked.discard(self._transport)


class _BrokenStartTls(_Silent):
    """Speaks just enough SMTP to offer STARTTLS, then breaks the handshake."""

    def __init__(self, transports: set[asyncio.BaseTransport], hostname: str) -> None:
        super().__init__(transports)
        self.hostname = hostname
        self._buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._send(f"220 {self.hostname} ESMTP demo\r\n")

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if len(self._buffer) > 4096:
            self._close()
            return
        while b"\r\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\r\n", 1)
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self._send(f"250-{self.hostname}\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
            elif line.upper().startswith(b"STARTTLS"):
                self._send("220 2.0.0 Ready to start TLS\r\n")
                self._send("this is not a TLS server hello\r\n" * 4)
                self._close()
                return
            elif verb == b"QUIT":
                self._send("221 2.0.0 Bye\r\n")
                self._close()
                return
            else:
                self._send("502 5.5.2 Command not recognised\r\n")

    def _send(self, text: str) -> None:
        if isinstance(self._transport, asyncio.WriteTransport) and not self._transport.is_closing():
            self._transport.write(text.encode("ascii"))

    def _close(self) -> None:
        if self._transport is not None:
            self._transport.close()
