"""One HTTP client per audit: bounded bodies, honest errors, our DNS, our address guard.

``HttpClient.fetch`` never raises for network trouble; it returns a ``FetchResult`` whose
``error_kind`` says what went wrong (timeout, connect, tls, blocked, too-many-redirects…).
Redirects are followed here, hop by hop, so that each hop passes the address guard and the
chain is recorded as evidence. Bodies are read up to a cap, after decompression, so a
gzip bomb or a 200 MB page costs at most the cap.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from auditor.net.connect import (
    BlockedAddress,
    Connector,
    ResolutionFailed,
)
from auditor.net.decoding import BoundedDecoder, UndecodableBody, parse_codings
from auditor.net.failures import NO_ADDRESS, Failure, is_no_address
from auditor.net.tls import make_ssl_context

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# A whole fetch (every redirect hop, headers and body) may take at most this many times the
# per-read timeout: a server trickling one byte per second never trips a read timeout, and
# without a total limit it would hold a check until the check's own timeout.
TOTAL_TIMEOUT_FACTOR = 4
DEFAULT_USER_AGENT = "candidate-auditor (+https://github.com/candidate-auditor)"
REDIRECT_CODES = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class FetchResult:
    url: str  # as asked
    final_url: str
    status_code: int | None = None
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes = b""
    truncated: bool = False  # the body was longer than the cap
    redirects: tuple[str, ...] = ()  # every URL visited before final_url
    # The headers of each redirect answer followed, in the order of ``redirects``: a
    # Set-Cookie on a redirect reaches the browser too, so header grading reads them.
    redirect_headers: tuple[httpx.Headers, ...] = ()
    error: str = ""  # one line for a human, empty on success
    error_kind: str = ""  # a Failure (auditor/net/failures.py), "" on success
    fetched_at: str = ""
    elapsed_s: float = 0.0
    peer_certificate: dict[str, Any] | None = None  # ssl.getpeercert() of the final hop
    tls_version: str | None = None

    @property
    def ok(self) -> bool:
        return not self.error and self.status_code is not None

    @property
    def timed_out(self) -> bool:
        return self.error_kind == Failure.TIMEOUT

    @property
    def no_address(self) -> bool:
        """The host has no address at all (not a DNS lookup that failed)."""
        return is_no_address(self.error_kind, self.error)

    @property
    def content_type(self) -> str:
        value: str = self.headers.get("content-type", "")
        return value.split(";")[0].strip().lower()

    def text(self) -> str:
        charset = "utf-8"
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip("\"' ")
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Connects through the Connector: our DNS, --connect-to, and the private-address guard.

    TLS still uses the URL's host name for SNI and certificate checks (httpcore passes it to
    start_tls separately), exactly like curl's --connect-to.
    """

    def __init__(self, connector: Connector, *, allow_private: bool) -> None:
        self._connector = connector
        self._allow_private = allow_private
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            destination = await self._connector.resolve(
                host, port, allow_private=self._allow_private
            )
        except (BlockedAddress, ResolutionFailed) as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        return await self._inner.connect_tcp(
            destination.connect_host,
            destination.connect_port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by the auditor")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class HttpClient:
    def __init__(
        self,
        connector: Connector,
        *,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = 10.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        user_agent: str = DEFAULT_USER_AGENT,
        max_connections: int = 50,
    ) -> None:
        self.connector = connector
        self.ssl_context = ssl_context or make_ssl_context()
        self.max_bytes = max_bytes
        self.timeout = timeout
        # One pool per guard decision: a keep-alive connection opened for a fetch that may
        # reach private addresses (a loopback start URL) must never serve a fetch that may
        # not (a redirect from a public page to that same host). The guard runs when a
        # connection is made, so connections are only ever shared between fetches that the
        # guard would judge alike.
        self._clients = {
            allow: self._client_for(connector, allow, max_connections, timeout, user_agent)
            for allow in (False, True)
        }

    def _client_for(
        self,
        connector: Connector,
        allow_private: bool,
        max_connections: int,
        timeout: float,
        user_agent: str,
    ) -> httpx.AsyncClient:
        transport = httpx.AsyncHTTPTransport(verify=self.ssl_context, trust_env=False)
        # httpx has no hook for the network backend; swapping the pool it built is the
        # documented-by-code way to give httpcore our resolver and guard.
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=self.ssl_context,
            max_connections=max_connections,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=_GuardedBackend(connector, allow_private=allow_private),
        )
        return httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            # Only the codings auditor.net.decoding decodes within the cap; any other is refused.
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            follow_redirects=False,
            trust_env=False,
        )

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        origin: str | None = None,
        follow_redirects: bool = True,
        max_redirects: int = 10,
        max_bytes: int | None = None,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> FetchResult:
        """Fetch ``url``. ``origin`` is what the user gave (defaults to ``url``): private
        addresses are allowed only when the origin's host is itself private. A URL taken
        from DNS or from a page (a BIMI logo, an MTA-STS policy host, a link) must pass the
        audited domain or start page as ``origin``, so that a hostile record cannot point
        the auditor into the network it runs in."""
        started = time.monotonic()
        fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
        total = TOTAL_TIMEOUT_FACTOR * (timeout or self.timeout)
        deadline = asyncio.get_running_loop().time() + total
        cap = self.max_bytes if max_bytes is None else max_bytes
        start_host = urlsplit(origin or url).hostname or ""
        allow_private, why_public = (
            await self.connector.judge_origin(start_host) if start_host else (False, "")
        )
        client = self._clients[allow_private]
        visited: list[str] = []
        hop_headers: list[httpx.Headers] = []
        current = url
        for _hop in range(max_redirects + 1):
            scheme = urlsplit(current).scheme.lower()
            if scheme not in ("http", "https"):
                return self._failed(
                    url, current, visited, fetched_at, started, Failure.SCHEME,
                    f"not an http(s) URL: {current[:200]}",
                )  # fmt: skip
            result = await self._one(client, current, method, headers, cap, timeout, deadline)
            if isinstance(result, str):
                kind, _, message = result.partition("|")
                if kind == Failure.BLOCKED and start_host:  # said for the real origin
                    message += f", reached from {start_host[:200]}" + (
                        f" ({why_public})" if why_public else ", which is public"
                    )
                failure = Failure(kind)
                return self._failed(url, current, visited, fetched_at, started, failure, message)
            response, body, truncated, cert, tls_version = result
            location = response.headers.get("location")
            if follow_redirects and response.status_code in REDIRECT_CODES and location:
                visited.append(current)
                hop_headers.append(response.headers)
                current = urljoin(current, location.strip())
                if current in visited:
                    return self._failed(
                        url, current, visited, fetched_at, started, Failure.REDIRECTS,
                        f"redirect loop back to {current[:200]}",
                    )  # fmt: skip
                continue
            return FetchResult(
                url=url,
                final_url=current,
                status_code=response.status_code,
                headers=response.headers,
                body=body,
                truncated=truncated,
                redirects=tuple(visited),
                redirect_headers=tuple(hop_headers),
                fetched_at=fetched_at,
                elapsed_s=time.monotonic() - started,
                peer_certificate=cert,
                tls_version=tls_version,
            )
        return self._failed(
            url, current, visited, fetched_at, started, Failure.REDIRECTS,
            f"more than {max_redirects} redirects",
        )  # fmt: skip

    async def _one(
        self,
        client: httpx.AsyncClient,
        url: str,
        method: str,
        headers: dict[str, str] | None,
        cap: int,
        timeout: float | None,
        deadline: float,
    ) -> tuple[httpx.Response, bytes, bool, dict[str, Any] | None, str | None] | str:
        """One request; the response and capped body, or "kind|message" on failure."""
        too_slow = (
            f"{Failure.TIMEOUT}|{_host_of(url)} was too slow: the page was not complete in time"
        )
        try:
            request = client.build_request(
                method,
                url,
                headers=headers,
                timeout=httpx.Timeout(timeout) if timeout else httpx.USE_CLIENT_DEFAULT,
            )
            async with asyncio.timeout_at(deadline):
                response = await client.send(request, stream=True)
        except httpx.InvalidURL as exc:
            return f"{Failure.SCHEME}|invalid URL: {exc}"
        except httpx.TimeoutException:
            return f"{Failure.TIMEOUT}|no answer from {_host_of(url)} in time"
        except TimeoutError:
            return too_slow
        except httpx.ConnectError as exc:
            return _classify_connect_error(url, exc)
        except (httpx.HTTPError, ssl.SSLError, OSError, ValueError) as exc:
            return f"{Failure.PROTOCOL}|{_host_of(url)}: {_one_line(exc)}"
        try:
            cert, tls_version = _peer_tls(response)
            codings = parse_codings(response.headers.get_list("content-encoding"))
        except UndecodableBody as exc:
            await response.aclose()
            if response.status_code in REDIRECT_CODES:  # the body of a redirect is not read
                return response, b"", False, None, None
            return f"{Failure.ENCODING}|could not read the answer of {_host_of(url)}: {exc}"
        try:
            chunks: list[bytes] = []
            decoder = BoundedDecoder(codings, cap)
            async with asyncio.timeout_at(deadline):
                # Raw bytes, always: httpx's own decoders have no size bound (see decoding.py).
                async for raw in response.aiter_raw():
                    chunks.append(decoder.feed(raw))
                    if decoder.truncated:
                        break
            if not decoder.truncated:
                chunks.append(decoder.finish())
            body, truncated = b"".join(chunks), decoder.truncated
        except UndecodableBody as exc:
            return f"{Failure.ENCODING}|could not read the answer of {_host_of(url)}: {exc}"
        except httpx.TimeoutException:
            return f"{Failure.TIMEOUT}|{_host_of(url)} stopped sending before the page was complete"
        except TimeoutError:
            return too_slow
        except (httpx.HTTPError, ssl.SSLError, OSError, ValueError, Exception) as exc:
            return f"{Failure.PROTOCOL}|{_host_of(url)}: {_one_line(exc)}"
        finally:
            await response.aclose()
        return response, body, truncated, cert, tls_version

    @staticmethod
    def _failed(
        url: str,
        current: str,
        visited: list[str],
        fetched_at: str,
        started: float,
        kind: str,
        message: str,
    ) -> FetchResult:
        return FetchResult(
            url=url,
            final_url=current,
            redirects=tuple(visited),
            error=message,
            error_kind=kind,
            fetched_at=fetched_at,
            elapsed_s=time.monotonic() - started,
        )


def _peer_tls(response: httpx.Response) -> tuple[dict[str, Any] | None, str | None]:
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None, None
    ssl_object = stream.get_extra_info("ssl_object")
    if ssl_object is None:
        return None, None
    return ssl_object.getpeercert(), ssl_object.version()


def _classify_connect_error(url: str, exc: httpx.ConnectError) -> str:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = cause.verify_message or cause.reason or "certificate not trusted"
            return f"{Failure.TLS}|{_host_of(url)}: certificate problem: {reason}"
        if isinstance(cause, ssl.SSLError):
            return f"{Failure.TLS}|{_host_of(url)}: TLS handshake failed: {cause.reason or cause}"
        if isinstance(cause, BlockedAddress):
            return f"{Failure.BLOCKED}|{cause}"
        if isinstance(cause, ResolutionFailed):
            return f"{Failure.DNS}|{cause}"
        cause = cause.__cause__ or cause.__context__
    text = _one_line(exc)
    if "certificate" in text.lower() or "ssl" in text.lower():
        return f"{Failure.TLS}|{_host_of(url)}: {text}"
    if "refused to connect" in text:
        return f"{Failure.BLOCKED}|{text}"
    if "could not resolve" in text or NO_ADDRESS in text:
        return f"{Failure.DNS}|{text}"
    return f"{Failure.CONNECT}|could not connect to {_host_of(url)}: {text}"


def _host_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url[:100]


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:300] if lines else type(exc).__name__
