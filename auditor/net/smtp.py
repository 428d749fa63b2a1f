"""A minimal, careful SMTP probe: banner, EHLO, STARTTLS, the certificate. No mail is sent.

The probe reports what it saw and why it stopped, so that "could not connect (port 25 is
often blocked on home and office networks)" is never confused with "STARTTLS unsupported",
and an untrusted certificate is reported as that, not as a missing feature.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field, replace
from typing import Any

from auditor.net.connect import BlockedAddress, Connector, ResolutionFailed
from auditor.net.failures import Failure, is_no_address

MAX_LINE = 4096
MAX_REPLY_LINES = 100


@dataclass(frozen=True)
class SmtpProbeResult:
    host: str
    port: int
    connected: bool = False
    banner: str = ""
    ehlo_keywords: tuple[str, ...] = ()
    starttls_offered: bool = False
    tls_established: bool = False
    tls_version: str | None = None
    cipher: str | None = None
    certificate: dict[str, Any] | None = None  # getpeercert() when the chain verified
    certificate_der: bytes | None = None
    certificate_error: str = ""  # why verification failed, when it did
    error: str = ""
    error_kind: str = ""  # a Failure (auditor/net/failures.py), "" when the probe ran
    transcript: tuple[str, ...] = field(default_factory=tuple)
    blocked_address: str = ""  # what the guard refused, when it did

    @property
    def no_address(self) -> bool:
        """The mail server's name has no address at all (not a DNS lookup that failed)."""
        return is_no_address(self.error_kind, self.error)


class SmtpProtocolError(Exception):
    pass


class SmtpProbe:
    def __init__(
        self,
        connector: Connector,
        *,
        ssl_context: ssl.SSLContext,
        timeout: float = 10.0,
        helo_name: str = "candidate-auditor.invalid",
    ) -> None:
        self.connector = connector
        self.ssl_context = ssl_context
        self.timeout = timeout
        self.helo_name = helo_name

    async def probe(self, host: str, port: int = 25, *, origin: str = "") -> SmtpProbeResult:
        """Probe one mail server. ``origin``: the domain whose MX record named ``host``.

        As for web fetches (auditor.net.http), a mail server may be on a private or
        loopback address only when the domain itself is: a public domain's MX record must
        not point the auditor at the network it runs in (an SMTP conversation is a port
        scan and a banner grab). Without an origin, the ``allow_private_addresses``
        context decides."""
        allow_private: bool | None = None
        self_public = ""
        if origin:
            allow_private, why_public = await self.connector.judge_origin(origin)
            self_public = f"{origin} is public" + (f": {why_public}" if why_public else "")
        first = await self._attempt(host, port, verify=True, allow_private=allow_private)
        if first.error_kind == Failure.BLOCKED and self_public:
            return replace(
                first,
                error=f"refused to connect to {host} ({first.blocked_address}): a private or "
                f"loopback address named by the MX record of {origin} ({self_public})",
            )
        if first.error_kind == Failure.TLS and first.certificate_error:
            # Say what the certificate is even when it is not trusted: connect once more
            # without verification, only to read it.
            second = await self._attempt(host, port, verify=False, allow_private=allow_private)
            if second.tls_established:
                return SmtpProbeResult(
                    **{
                        **second.__dict__,
                        "certificate_error": first.certificate_error,
                        "error": first.error,
                        "error_kind": Failure.TLS,
                    }
                )
        return first

    async def _attempt(
        self, host: str, port: int, *, verify: bool, allow_private: bool | None
    ) -> SmtpProbeResult:
        transcript: list[str] = []
        info: dict[str, Any] = {"host": host, "port": port}
        try:
            destination = await self.connector.resolve(host, port, allow_private=allow_private)
        except BlockedAddress as exc:
            return SmtpProbeResult(
                host, port, error=str(exc), error_kind=Failure.BLOCKED, blocked_address=exc.address
            )
        except ResolutionFailed as exc:
            return SmtpProbeResult(host, port, error=str(exc), error_kind=Failure.DNS)
        try:
            async with asyncio.timeout(self.timeout):
                reader, writer = await asyncio.open_connection(
                    destination.connect_host, destination.connect_port, limit=MAX_LINE * 4
                )
        except TimeoutError:
            return SmtpProbeResult(
                host,
                port,
                error=f"could not connect to {host}:{port} in {self.timeout:g}s "
                "(outbound port 25 is often blocked on home and office networks)",
                error_kind=Failure.TIMEOUT,
            )
        except OSError as exc:
            return SmtpProbeResult(
                host,
                port,
                error=f"could not connect to {host}:{port}: {exc.strerror or exc} "
                "(outbound port 25 is often blocked on home and office networks)",
                error_kind=Failure.CONNECT,
            )
        info["connected"] = True
        try:
            async with asyncio.timeout(self.timeout):
                code, lines = await _read_reply(reader, transcript)
                info["banner"] = " ".join(lines)[:500]
                if code != 220:
                    raise SmtpProtocolError(f"greeting was {code}, not 220")
                keywords = await self._ehlo(reader, writer, transcript)
                info["ehlo_keywords"] = tuple(keywords)
                info["starttls_offered"] = "STARTTLS" in keywords
                if not info["starttls_offered"]:
                    await _quit(writer, transcript)
                    return SmtpProbeResult(**info, transcript=tuple(transcript))
                await _send(writer, "STARTTLS", transcript)
                code, lines = await _read_reply(reader, transcript)
                if code != 220:
                    raise SmtpProtocolError(f"STARTTLS answered {code}: {' '.join(lines)[:200]}")
                context = self.ssl_context if verify else _unverified_context()
                await writer.start_tls(context, server_hostname=host)
                ssl_object = writer.get_extra_info("ssl_object")
                info["tls_established"] = True
                info["tls_version"] = ssl_object.version() if ssl_object else None
                cipher = ssl_object.cipher() if ssl_object else None
                info["cipher"] = cipher[0] if cipher else None
                if ssl_object is not None:
                    info["certificate_der"] = ssl_object.getpeercert(binary_form=True)
                    info["certificate"] = ssl_object.getpeercert() if verify else None
                await self._ehlo(reader, writer, transcript)
                await _quit(writer, transcript)
        except ssl.SSLCertVerificationError as exc:
            info["certificate_error"] = exc.verify_message or str(exc.reason)
            info["error"] = f"the certificate of {host} is not trusted: {info['certificate_error']}"
            info["error_kind"] = Failure.TLS
        except ssl.SSLError as exc:
            info["error"] = f"the TLS handshake with {host} failed: {exc.reason or exc}"
            info["error_kind"] = Failure.TLS
        except TimeoutError:
            info["error"] = f"{host} stopped answering during the SMTP conversation"
            info["error_kind"] = Failure.TIMEOUT
        except (SmtpProtocolError, ValueError, UnicodeDecodeError) as exc:
            info["error"] = f"{host} did not speak SMTP as expected: {exc}"
            info["error_kind"] = Failure.PROTOCOL
        except (ConnectionError, OSError, asyncio.IncompleteReadError) as exc:
            info["error"] = f"{host} closed the connection: {exc}"
            info["error_kind"] = Failure.PROTOCOL
        finally:
            writer.close()
            try:
                async with asyncio.timeout(1):
                    await writer.wait_closed()
            except (TimeoutError, OSError, ssl.SSLError):
                pass
        return SmtpProbeResult(**info, transcript=tuple(transcript))

    async def _ehlo(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, transcript: list[str]
    ) -> list[str]:
        await _send(writer, f"EHLO {self.helo_name}", transcript)
        code, lines = await _read_reply(reader, transcript)
        if code != 250:
            raise SmtpProtocolError(f"EHLO answered {code}")
        return [line.split(" ")[0].upper() for line in lines[1:]]


def _unverified_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def _send(writer: asyncio.StreamWriter, line: str, transcript: list[str]) -> None:
    transcript.append(f"C: {line}")
    writer.write(line.encode("ascii") + b"\r\n")
    await writer.drain()


async def _quit(writer: asyncio.StreamWriter, transcript: list[str]) -> None:
    try:
        await _send(writer, "QUIT", transcript)
    except (ConnectionError, OSError):
        pass


async def _read_reply(reader: asyncio.StreamReader, transcript: list[str]) -> tuple[int, list[str]]:
    """One (possibly multi-line) SMTP reply: its code and the text of each line."""
    lines: list[str] = []
    for _ in range(MAX_REPLY_LINES):
        raw = await reader.readline()
        if not raw:
            raise SmtpProtocolError("the server closed the connection")
        line = raw[:MAX_LINE].decode("utf-8", errors="replace").rstrip("\r\n")
        transcript.append(f"S: {line[:200]}")
        code = line[:3]
        if len(line) < 3 or not (code.isascii() and code.isdigit()):  # RFC 5321: 3DIGIT
            raise SmtpProtocolError(f"not an SMTP reply: {line[:80]!r}")
        lines.append(line[4:])
        if len(line) == 3 or line[3] == " ":
            return int(line[:3]), lines
    raise SmtpProtocolError("reply too long")
