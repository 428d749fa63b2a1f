"""A small HTTP/1.1 server (plain and TLS) for the demo world and the tests.

Routes are keyed by Host header and path; a route is a fixed ``Response`` or a callable
taking the ``Request``. Faults (hang, close, trickle, redirect loop, huge body, gzip bomb,
a gzip bomb under a chain of Content-Encodings, a coding never asked for, 429, 5xx, wrong
Content-Type, HTML for JSON) and certificate variants (expired, wrong host,
untrusted) are switched per host or per host and path while the server runs. Every request
is recorded so privacy tests can assert what left the auditor.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import json
import logging
import time
import zlib
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from auditor.demo.certs import DemoCertificates

log = logging.getLogger(__name__)

MAX_HEAD = 16 * 1024
MAX_BODY = 1024 * 1024
IDLE_TIMEOUT = 15.0
FAULT_MODES = (
    "close", "hang", "trickle", "redirect-loop", "huge-body", "gzip-bomb",
    "429", "5xx", "wrong-content-type", "html-for-json",
    # Content-Encoding attacks: a gzip bomb under a chain of codings ("gzip, gzip",
    # "identity, gzip", …), and a body labelled with a coding the client never asked for.
    "encoding-chain-bomb", "unrequested-encoding",
    # The route's own page in another charset, named in the header, a <meta>, a BOM or nowhere.
    "charset",
)  # fmt: skip


@dataclass(frozen=True)
class Request:
    method: str
    host: str  # from the Host header, lower-case, without the port
    path: str  # without the query string
    query: str
    headers: dict[str, str]  # lower-case names
    body: bytes = b""
    scheme: str = "http"
    arrived: float = field(default=0.0, compare=False)  # time.monotonic() when it was read

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


@dataclass(frozen=True)
class Response:
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    # A lazily generated body (huge bodies are never held in memory) and its length.
    stream: Callable[[], AsyncIterator[bytes]] | None = field(default=None, compare=False)
    length: int | None = None
    chunk_delay: float = 0.0  # seconds between body chunks (a slow trickle)
    chunk_size: int = 64 * 1024

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def with_header(self, name: str, value: str) -> Response:
        kept = tuple((k, v) for k, v in self.headers if k.lower() != name.lower())
        return replace(self, headers=(*kept, (name, value)))


Handler = Callable[[Request], "Response | Awaitable[Response]"]
Route = Response | Handler


def html(body: str, status: int = 200, headers: Iterable[tuple[str, str]] = ()) -> Response:
    return Response(status, (("Content-Type", "text/html; charset=utf-8"), *headers), body.encode())


def text(body: str, status: int = 200, content_type: str = "text/plain; charset=utf-8") -> Response:
    return Response(status, (("Content-Type", content_type),), body.encode())


def json_response(data: Any, status: int = 200, content_type: str = "application/json") -> Response:
    return Response(status, (("Content-Type", content_type),), json.dumps(data).encode())


def redirect(location: str, status: int = 301) -> Response:
    return Response(status, (("Location", location), ("Content-Length", "0")))


def huge_body(size: int = 200 * 1024 * 1024, content_type: str = "text/html") -> Response:
    async def generate() -> AsyncIterator[bytes]:
        block = b"<p>" + b"a" * (64 * 1024 - 7) + b"</p>\n"
        sent = 0
        while sent < size:
            piece = block[: size - sent]
            sent += len(piece)
            yield piece

    return Response(200, (("Content-Type", content_type),), stream=generate, length=size)


@functools.cache
def gzip_bomb_bytes(expanded: int = 64 * 1024 * 1024) -> bytes:
    """Gzip of ``expanded`` zero bytes (about 1000:1), made once on first use."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1024 * 1024)
    parts = [compressor.compress(zeros) for _ in range(expanded // len(zeros))]
    return b"".join([*parts, compressor.flush()])


def gzip_bomb() -> Response:
    headers = (("Content-Type", "text/html"), ("Content-Encoding", "gzip"))
    return Response(200, headers, gzip_bomb_bytes())


def encoded_bomb(codings: str = "gzip, gzip") -> Response:
    """The 64 MB gzip bomb (the first coding) wrapped in the further layers ``codings``
    lists, in the order applied as in the header: "gzip, gzip" is a gzip of the bomb,
    "identity, gzip" the bomb under a longer header, "gzip, deflate, gzip" three layers."""
    layers = [c.strip().lower() for c in codings.split(",")]
    layers = [c for c in layers if c and c != "identity"]
    if not layers or layers[0] not in ("gzip", "x-gzip"):
        raise ValueError("the first coding of a bomb chain is the bomb's own gzip")
    body = gzip_bomb_bytes()
    for coding in layers[1:]:  # codings are listed in the order they were applied
        if coding in ("gzip", "x-gzip"):
            body = _compress(body, 31)
        elif coding == "deflate":
            body = _compress(body, 15)
        else:
            raise ValueError(f"cannot make a {coding!r} layer")
    headers = (("Content-Type", "text/html"), ("Content-Encoding", codings))
    return Response(200, headers, body)


def unrequested_encoding(coding: str = "br") -> Response:
    """A page labelled with a coding the client did not ask for. Its bytes are a page that
    plainly shows a leak: a client that scans undecoded bytes "passes" or finds garbage."""
    page = b"<html><body><p>Nothing to see here.</p></body></html>"
    headers = (("Content-Type", "text/html"), ("Content-Encoding", coding))
    return Response(200, headers, page)


def in_charset(response: Response, charset: str, label: str = "header") -> Response:
    """The response's (UTF-8) page re-encoded in ``charset``, which the page names in its
    Content-Type (``header``), in a ``<meta charset>`` (``meta``), as a byte-order mark
    (``bom``, for UTF-8 and UTF-16) or nowhere (``none``)."""
    page = response.body.decode("utf-8")
    if label == "meta":
        page = page.replace("<head>", f'<head><meta charset="{charset}">', 1)
    body = page.encode(charset)
    if label == "bom":
        body = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(
            charset, b"\xef\xbb\xbf"
        ) + body
    content_type = f"text/html; charset={charset}" if label == "header" else "text/html"
    return replace(response.with_header("Content-Type", content_type), body=body)


def _compress(data: bytes, wbits: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return compressor.compress(data) + compressor.flush()


@dataclass(frozen=True)
class WebFault:
    mode: str
    status: int = 503
    retry_after: str = "120"
    size: int = 200 * 1024 * 1024
    content_type: str = "application/octet-stream"
    chunk_delay: float = 0.2
    codings: str = "gzip, gzip"  # for encoding-chain-bomb
    coding: str = "br"  # for unrequested-encoding
    keep_body: bool = False  # unrequested-encoding: label the route's own page, not a stock one
    charset: str = "iso-8859-1"  # for charset
    label: str = "header"  # charset: where the page names it: header | meta | bom | none


class WebFaults:
    """Faults by (host, path); a path of None covers every path of the host."""

    def __init__(self) -> None:
        self._table: dict[tuple[str, str | None], WebFault] = {}

    def set(self, host: str, mode: str, path: str | None = None, **params: Any) -> None:
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown web fault {mode!r} (known: {', '.join(FAULT_MODES)})")
        self._table[(host.lower(), path)] = WebFault(mode, **params)

    def clear(self, host: str | None = None, path: str | None = None) -> None:
        if host is None:
            self._table.clear()
        else:
            self._table.pop((host.lower(), path), None)

    def lookup(self, host: str, path: str) -> WebFault | None:
        return self._table.get((host, path)) or self._table.get((host, None))


class WebServer:
    """One plain HTTP listener (``http_port``) and one HTTPS listener (``https_port``)."""

    def __init__(
        self,
        certificates: DemoCertificates | None = None,
        *,
        hostnames: Iterable[str] = (),
        host: str = "127.0.0.1",
        log_limit: int = 100_000,
    ) -> None:
        self.certificates = certificates or DemoCertificates(hostnames)
        self.host = host
        self.http_port = 0
        self.https_port = 0
        self.faults = WebFaults()
        self.delay = 0.0  # seconds before every answer (benchmarks inject latency)
        self.cert_variants: dict[str, str] = {}  # SNI host -> certs.CERT_VARIANTS entry
        self.requests: deque[Request] = deque(maxlen=log_limit)
        self._exact: dict[tuple[str, str], Route] = {}
        self._prefix: list[tuple[str, str, Route]] = []
        self._servers: list[asyncio.Server] = []
        self._connections: set[asyncio.Task[Any]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._stopping = asyncio.Event()

    @property
    def ca_pem(self) -> str:
        return self.certificates.ca_pem

    # -- routes -----------------------------------------------------------------------------

    def route(self, host: str, path: str, target: Route) -> None:
        """Serve ``target`` for ``path`` on ``host`` ("*" for any host)."""
        self._exact[(host.lower(), path)] = target

    def route_prefix(self, host: str, prefix: str, target: Route) -> None:
        self._prefix.append((host.lower(), prefix, target))
        self._prefix.sort(key=lambda item: -len(item[1]))

    def find_route(self, host: str, path: str) -> Route | None:
        for key in ((host, path), ("*", path)):
            if key in self._exact:
                return self._exact[key]
        for route_host, prefix, target in self._prefix:
            if route_host in (host, "*") and path.startswith(prefix):
                return target
        return None

    def requests_to(self, host: str) -> list[Request]:
        return [r for r in self.requests if r.host == host.lower()]

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        self._stopping = asyncio.Event()
        plain = await asyncio.start_server(
            functools.partial(self._serve, scheme="http"), self.host, 0, limit=MAX_HEAD
        )
        tls = await asyncio.start_server(
            functools.partial(self._serve, scheme="https"),
            self.host,
            0,
            limit=MAX_HEAD,
            ssl=self.certificates.sni_context(self.cert_variants),
            ssl_handshake_timeout=5.0,
        )
        self._servers = [plain, tls]
        self.http_port = plain.sockets[0].getsockname()[1]
        self.https_port = tls.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._stopping.set()
        for server in self._servers:
            server.close()
        for writer in list(self._writers):
            writer.close()
        if self._connections:
            _done, pending = await asyncio.wait(list(self._connections), timeout=1.0)
            for task in pending:
                task.cancel()
        for server in self._servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 1.0)
        self._servers = []

    async def __aenter__(self) -> WebServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- one connection ---------------------------------------------------------------------

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, scheme: str
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        self._writers.add(writer)
        try:
            keep_alive = True
            while keep_alive:
                request = await self._read_request(reader, writer, scheme)
                if request is None:
                    break
                self.requests.append(request)
                keep_alive = await self._respond(request, writer)
        except (ConnectionError, TimeoutError, asyncio.IncompleteReadError, OSError):
            pass
        except asyncio.CancelledError:
            # Only stop() cancels a connection; streams would log a cancelled handler as an error.
            pass
        except Exception:  # a handler bug must not take the server down
            log.exception("demo web server: error while serving a request")
        finally:
            self._writers.discard(writer)
            if task is not None:
                self._connections.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _read_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, scheme: str
    ) -> Request | None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE_TIMEOUT)
        except asyncio.LimitOverrunError:
            await _write_simple(writer, 431)
            return None
        except (asyncio.IncompleteReadError, TimeoutError):
            return None
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            await _write_simple(writer, 400)
            return None
        method, target, version = parts
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep and name.strip():
                headers[name.strip().lower()] = value.strip()
        if version == "HTTP/1.0" and headers.get("connection", "").lower() != "keep-alive":
            headers.setdefault("connection", "close")
        if "transfer-encoding" in headers:
            await _write_simple(writer, 501)
            return None
        length_text = headers.get("content-length", "0")
        if not length_text.isdigit() or int(length_text) > MAX_BODY:
            await _write_simple(writer, 413)
            return None
        body = await reader.readexactly(int(length_text)) if int(length_text) else b""
        split = urlsplit(target)
        host = (
            headers.get("host", "").rsplit(":", 1)[0] if "]" not in headers.get("host", "") else ""
        )
        return Request(
            method.upper(),
            host.lower().rstrip("."),
            split.path or "/",
            split.query,
            headers,
            body,
            scheme,
            time.monotonic(),
        )

    async def _respond(self, request: Request, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; False when the connection must close afterwards."""
        if self.delay > 0:
            await asyncio.sleep(self.delay)
        fault = self.faults.lookup(request.host, request.path)
        if fault is not None and fault.mode == "close":
            return False
        if fault is not None and fault.mode == "hang":
            await self._stopping.wait()
            return False  # the server is stopping: its connections are closed, write nothing
        response = await self._route_response(request)
        if fault is not None:
            response = _apply_fault(fault, request, response)
        keep_alive = request.header("connection").lower() != "close"
        keep_alive = keep_alive and (response.stream is None or response.length is not None)
        await _write_response(writer, request, response, keep_alive)
        return keep_alive

    async def _route_response(self, request: Request) -> Response:
        target = self.find_route(request.host, request.path)
        if target is None:
            return html("<h1>Not found</h1>", 404)
        if isinstance(target, Response):
            return target
        result = target(request)
        if inspect.isawaitable(result):
            result = await result
        assert isinstance(result, Response)
        return result


def _apply_fault(fault: WebFault, request: Request, response: Response) -> Response:
    mode = fault.mode
    if mode == "redirect-loop":
        target = request.path + (f"?{request.query}" if request.query else "")
        return redirect(target, 302)
    if mode == "huge-body":
        return huge_body(fault.size)
    if mode == "gzip-bomb":
        return gzip_bomb()
    if mode == "encoding-chain-bomb":
        return encoded_bomb(fault.codings)
    if mode == "unrequested-encoding":
        if fault.keep_body:
            return response.with_header("Content-Encoding", fault.coding)
        return unrequested_encoding(fault.coding)
    if mode == "charset":
        return in_charset(response, fault.charset, fault.label)
    if mode == "429":
        return html("<h1>Too many requests</h1>", 429, (("Retry-After", fault.retry_after),))
    if mode == "5xx":
        return html("<h1>Server error</h1>", fault.status)
    if mode == "wrong-content-type":
        return response.with_header("Content-Type", fault.content_type)
    if mode == "html-for-json":
        return html("<!doctype html><html><body><h1>Service unavailable</h1></body></html>")
    if mode == "trickle":
        return replace(response, chunk_delay=fault.chunk_delay, chunk_size=1)
    return response


async def _write_simple(writer: asyncio.StreamWriter, status: int) -> None:
    reason = HTTPStatus(status).phrase
    writer.write(
        f"HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
    )
    with contextlib.suppress(ConnectionError):
        await writer.drain()


async def _write_response(
    writer: asyncio.StreamWriter, request: Request, response: Response, keep_alive: bool
) -> None:
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = "Unknown"
    length = response.length if response.stream is not None else len(response.body)
    head = [f"HTTP/1.1 {response.status} {reason}"]
    if response.header("Server") is None:
        head.append("Server: candidate-auditor-demo")
    head += [f"{k}: {v}" for k, v in response.headers if k.lower() != "content-length"]
    if length is not None:
        head.append(f"Content-Length: {length}")
    if not keep_alive or length is None:
        head.append("Connection: close")
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
    if request.method == "HEAD":
        await writer.drain()
        return
    async for chunk in _body_chunks(response):
        if writer.is_closing():  # the client gave up (a slow trickle): stop writing
            return
        writer.write(chunk)
        await writer.drain()
        if response.chunk_delay:
            await asyncio.sleep(response.chunk_delay)


async def _body_chunks(response: Response) -> AsyncIterator[bytes]:
    if response.stream is not None:
        async for chunk in response.stream():
            yield chunk
        return
    body = response.body
    for start in range(0, len(body), response.chunk_size):
        yield body[start : start + response.chunk_size]
