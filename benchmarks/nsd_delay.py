"""NSD behind a delaying proxy on loopback: a DNS server fast enough not to be the bottleneck.

The project's demo server (``auditor.demo.dns_server``) parses and builds every message
with dnspython, about a millisecond of CPU per query: in a bulk benchmark it, not the
client under test, sets the pace. Here NSD (C; ``apt-get install nsd``) serves the same
zone texts, and a small asyncio proxy in its own process adds the delay: it forwards raw
datagrams and TCP bytes without parsing them (only the 2-byte message ID is rewritten, so
one upstream socket serves every client) and sends each answer back ``delay`` seconds
after NSD gave it. Everything binds to 127.0.0.1; NSD runs in the foreground from a
config and zone files in a temporary directory and is stopped (and the directory
removed) by ``NsdServer.stop()``, or by the kernel when the benchmark process dies
(``PR_SET_PDEATHSIG``).

The proxy keeps the distinct questions it saw (the raw bytes with the ID zeroed, parsed
only when asked), so the benchmark can replay exactly the queries ``auditor bulk`` sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

NSD = "/usr/sbin/nsd"
HOST = "127.0.0.1"


def nsd_available() -> bool:
    return Path(NSD).is_file()


def free_port() -> int:
    """A port free for both UDP and TCP on loopback (checked, then released)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind((HOST, 0))
            port = int(tcp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind((HOST, port))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free loopback port for both UDP and TCP")


def _die_with_parent() -> None:
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _origin(zone_text: str) -> str:
    for line in zone_text.splitlines():
        if line.startswith("$ORIGIN"):
            return line.split()[1].rstrip(".")
    raise ValueError("zone text without $ORIGIN")


def _wait_for_udp(port: int, seconds: float) -> bool:
    # A minimal query (ID 1, SOA of "org.uk."), answered REFUSED or otherwise once NSD is up.
    query = bytes.fromhex("000100000001000000000000") + b"\x03org\x02uk\x00\x00\x06\x00\x01"
    deadline = time.monotonic() + seconds
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.settimeout(0.2)
        while time.monotonic() < deadline:
            probe.sendto(query, (HOST, port))
            try:
                probe.recvfrom(4096)
                return True
            except OSError:
                continue
    return False


class NsdServer:
    """NSD serving ``zones`` (zone texts with ``$ORIGIN``), behind the delay proxy.

    ``port`` is the proxy's (what clients use); ``command()`` talks to the proxy:
    ``reset`` forgets the questions seen, ``dump PATH`` writes the distinct
    (name, type) pairs as JSON, ``count PATH`` writes how many queries arrived.
    """

    def __init__(self, zones: list[str], delay: float) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="auditor-bench-nsd-"))
        self.nsd: subprocess.Popen[bytes] | None = None
        self.proxy: subprocess.Popen[str] | None = None
        try:
            self._start_nsd(zones)
            self._start_proxy(delay)
        except BaseException:
            self.stop()
            raise

    def _start_nsd(self, zones: list[str]) -> None:
        zone_dir = self.work / "zones"
        zone_dir.mkdir()
        stanzas = []
        for text in zones:
            origin = _origin(text)
            (zone_dir / f"{origin}.zone").write_text(text + "\n")
            stanzas.append(f"zone:\n    name: {origin}\n    zonefile: {origin}.zone\n")
        for _attempt in range(5):
            self.nsd_port = free_port()
            config = self.work / "nsd.conf"
            config.write_text(
                "server:\n"
                f"    ip-address: {HOST}@{self.nsd_port}\n"
                "    do-ip6: no\n"
                '    username: ""\n'
                '    chroot: ""\n'
                f'    zonesdir: "{zone_dir}"\n'
                '    database: ""\n'
                f'    zonelistfile: "{self.work / "zone.list"}"\n'
                f'    xfrdfile: "{self.work / "xfrd.state"}"\n'
                f'    pidfile: "{self.work / "nsd.pid"}"\n'
                f'    logfile: "{self.work / "nsd.log"}"\n'
                "    server-count: 1\n"
                "    tcp-count: 200\n"
                "    verbosity: 0\n"
                "    hide-version: yes\n"
                # Response rate limiting would drop or truncate the benchmark's bursts.
                "    rrl-ratelimit: 0\n"
                "    rrl-whitelist-ratelimit: 0\n"
                "remote-control:\n"
                "    control-enable: no\n" + "".join(stanzas)
            )
            self.nsd = subprocess.Popen(
                [NSD, "-d", "-c", str(config)],
                stdout=subprocess.DEVNULL,
                stderr=(self.work / "nsd.stderr").open("wb"),
                preexec_fn=_die_with_parent,
            )
            if _wait_for_udp(self.nsd_port, 60):
                return
            self._stop_nsd()
        log = (self.work / "nsd.log").read_text() if (self.work / "nsd.log").exists() else ""
        raise RuntimeError(f"NSD did not start: {log[-500:]}")

    def _start_proxy(self, delay: float) -> None:
        port_file = self.work / "proxy.port"
        self.proxy = subprocess.Popen(
            [sys.executable, __file__, str(self.nsd_port), str(delay), str(port_file)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            preexec_fn=_die_with_parent,
        )
        for _ in range(200):
            if port_file.exists() and port_file.read_text():
                self.port = int(port_file.read_text())
                return
            if self.proxy.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError("the delay proxy did not start")

    def command(self, text: str) -> None:
        assert self.proxy and self.proxy.stdin and self.proxy.stdout
        self.proxy.stdin.write(text + "\n")
        self.proxy.stdin.flush()
        if self.proxy.stdout.readline().strip() != "ok":
            raise RuntimeError(f"the delay proxy failed on {text!r}")

    def _stop_nsd(self) -> None:
        if self.nsd is not None and self.nsd.poll() is None:
            self.nsd.terminate()
            try:
                self.nsd.wait(10)
            except subprocess.TimeoutExpired:
                self.nsd.kill()
                self.nsd.wait(5)
        self.nsd = None

    def stop(self) -> None:
        if self.proxy is not None:
            with contextlib.suppress(OSError):
                assert self.proxy.stdin
                self.proxy.stdin.close()
            try:
                self.proxy.wait(10)
            except subprocess.TimeoutExpired:
                self.proxy.kill()
                self.proxy.wait(5)
            self.proxy = None
        self._stop_nsd()
        shutil.rmtree(self.work, ignore_errors=True)


# -- the proxy process ----------------------------------------------------------------------


class _Upstream(asyncio.DatagramProtocol):
    """One socket towards NSD; answers go back to the right client after the delay."""

    def __init__(self, proxy: _Proxy) -> None:
        self.proxy = proxy

    def datagram_received(self, data: bytes, addr: object) -> None:
        waiting = self.proxy.pending.pop(data[:2], None)
        if waiting is None:
            return  # a late duplicate
        original_id, client = waiting
        send: Callable[[bytes, object], object] = self.proxy.downstream.sendto  # type: ignore[assignment]
        self.proxy.loop.call_later(self.proxy.delay, send, original_id + data[2:], client)


class _Proxy(asyncio.DatagramProtocol):
    def __init__(self, delay: float, nsd_port: int) -> None:
        self.delay = delay
        self.nsd = (HOST, nsd_port)
        self.loop = asyncio.get_running_loop()
        self.pending: dict[bytes, tuple[bytes, object]] = {}
        self.next_id = 0
        self.questions: set[bytes] = set()
        self.count = 0
        self.downstream: asyncio.DatagramTransport
        self.upstream: asyncio.DatagramTransport

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.downstream = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: object) -> None:
        if len(data) < 12:
            return
        self.count += 1
        self.questions.add(data[2:])
        for _ in range(65536):
            self.next_id = (self.next_id + 1) & 0xFFFF
            proxy_id = self.next_id.to_bytes(2, "big")
            if proxy_id not in self.pending:
                break
        else:
            return  # 65,536 queries waiting on NSD: drop, as an overloaded server would
        self.pending[proxy_id] = (data[:2], addr)
        self.upstream.sendto(proxy_id + data[2:], self.nsd)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    loop = asyncio.get_running_loop()
    try:
        while chunk := await reader.read(65536):
            if delay:
                loop.call_later(delay, writer.write, chunk)
            else:
                writer.write(chunk)
        if delay:
            await asyncio.sleep(delay)
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


def _tcp_handler(proxy: _Proxy) -> object:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        proxy.count += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(*proxy.nsd)
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, up_writer, 0.0), _pipe(up_reader, writer, proxy.delay))

    return handle


def _distinct(questions: set[bytes]) -> list[tuple[str, str]]:
    import dns.message
    import dns.rdatatype

    seen: set[tuple[str, str]] = set()
    for raw in questions:
        try:
            message = dns.message.from_wire(b"\0\0" + raw)
        except Exception:
            continue
        for question in message.question:
            name = question.name.to_text().rstrip(".").lower()
            seen.add((name, dns.rdatatype.to_text(question.rdtype)))
    return sorted(seen)


async def _serve(nsd_port: int, delay: float, port_file: str) -> None:
    loop = asyncio.get_running_loop()
    proxy = _Proxy(delay, nsd_port)
    listen = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listen.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    listen.bind((HOST, 0))
    port = listen.getsockname()[1]
    downstream, _ = await loop.create_datagram_endpoint(lambda: proxy, sock=listen)
    upstream_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    upstream_socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    upstream_socket.bind((HOST, 0))
    proxy.upstream, _ = await loop.create_datagram_endpoint(
        lambda: _Upstream(proxy), sock=upstream_socket
    )
    tcp = None
    for _attempt in range(20):
        try:
            tcp = await asyncio.start_server(_tcp_handler(proxy), HOST, port, backlog=512)  # type: ignore[arg-type]
            break
        except OSError:  # the TCP side of this port is taken: start over on another port
            downstream.close()
            listen = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            listen.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            listen.bind((HOST, 0))
            port = listen.getsockname()[1]
            downstream, _ = await loop.create_datagram_endpoint(lambda: proxy, sock=listen)
    if tcp is None:
        raise RuntimeError("no port free for both UDP and TCP")
    Path(port_file).write_text(str(port))
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().strip():
        command, _, argument = line.partition(" ")
        if command == "reset":
            proxy.questions.clear()
            proxy.count = 0
        elif command == "dump":
            Path(argument).write_text(json.dumps(_distinct(proxy.questions)))
        elif command == "count":
            Path(argument).write_text(str(proxy.count))
        print("ok", flush=True)
    tcp.close()
    downstream.close()
    proxy.upstream.close()


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]))
