"""Bulk email-auth audits: ``auditor bulk`` vs checkdmarc vs the bare-query floors, one run.

Builds N synthetic campaign domains (auditor/demo/bulk_corpus.py: shared provider
includes, MX hosts and DKIM CNAMEs, DMARC variants, real RSA keys, some broken), serves
them on 127.0.0.1 with a fixed delay per answer, then measures in one go:

1. ``auditor bulk`` (the real CLI in a fresh subprocess: start-up included; its peak
   memory is recorded); with ``--full-sweep`` also ``auditor bulk --dkim-sweep full``
   (every DKIM selector on every domain, as before provider-first discovery);
2. the dnspython floor: a bare dnspython async loop (``dns.asyncquery.udp_with_fallback``)
   sending exactly the distinct queries ``auditor bulk`` sent, as many in flight, no logic;
3. the raw floor: the same queries pre-rendered, sent over one UDP socket and matched by
   ID, nothing parsed: what asyncio on this machine can do at all;
4. checkdmarc (pinned, ``pip install -e '.[bench]'``), its Python API pointed at the same
   server, on a sample (it is sequential: the full list would take hours).

Servers (``--server``): ``nsd`` (default when /usr/sbin/nsd exists): NSD behind a small
proxy that delays each answer (benchmarks/nsd_delay.py), so the server is never the
bottleneck; ``demo``: the project's own DNS server with its ``delay`` knob (about 1 ms of
CPU per query, so it caps every contender at a few hundred domains/s).

Usage:  python benchmarks/bulk_vs_checkdmarc.py --domains 1000 --delay 0.02
Results are printed as a Markdown table to paste into benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path

from nsd_delay import NsdServer, nsd_available

from auditor.demo.bulk_corpus import domain_zone, provider_zones

# -- the demo-server process ----------------------------------------------------------------


def serve_demo(domains: int, delay: float, port_file: str) -> None:
    from auditor.demo.dns_server import DnsServer

    zones = provider_zones() + [domain_zone(i)[1] for i in range(domains)]

    async def main() -> None:
        async with DnsServer(zones) as server:
            server.delay = delay
            Path(port_file).write_text(str(server.port))
            loop = asyncio.get_running_loop()
            reader = asyncio.StreamReader()
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
            while line := (await reader.readline()).decode().strip():
                command, _, argument = line.partition(" ")
                if command == "reset":
                    server.clear_log()
                elif command == "dump":
                    distinct = sorted({(q.qname, q.qtype) for q in server.queries})
                    Path(argument).write_text(json.dumps(distinct))
                elif command == "count":
                    Path(argument).write_text(str(server.query_count))
                print("ok", flush=True)

    asyncio.run(main())


class DemoServer:
    def __init__(self, domains: int, delay: float, work: Path) -> None:
        port_file = work / "port"
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(domains), str(delay), str(port_file)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        # Parsing the zones takes minutes at N = 25,000 on a loaded machine: wait for the
        # port as long as the server is alive (up to 15 minutes).
        for _ in range(9000):
            if port_file.exists() and port_file.read_text():
                break
            if self.process.poll() is not None:
                sys.exit("the demo DNS server stopped before it was ready")
            time.sleep(0.1)
        self.port = int(port_file.read_text())

    def command(self, text: str) -> None:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "ok"

    def stop(self) -> None:
        assert self.process.stdin
        self.process.stdin.close()
        self.process.wait(10)


# -- the contenders -------------------------------------------------------------------------


def run_auditor_bulk(
    listing: Path, port: int, work: Path, sweep: str = "providers", workers: str = "auto"
) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (the CLI and its worker processes) and peak memory (MiB: the
    most the CLI and its workers held at once, summed over the processes) of the real CLI in
    a subprocess (``--measure``, below)."""
    out = work / "bulk.csv"
    auditor = Path(sys.executable).with_name("auditor")
    command = [str(auditor), "bulk", str(listing), "-q", "-o", str(out), "--force"]
    command += ["--nameserver", f"127.0.0.1:{port}", "--timeout", "2"]  # as the floors
    command += ["--dkim-sweep", sweep, "--workers", workers]
    result = subprocess.run(
        [sys.executable, __file__, "--measure", *command],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds, cpu, peak_kib = result.stdout.split()
    rows = out.read_text().count("\n") - 1
    print(f"auditor bulk: {rows} rows; {result.stderr.strip()[-200:]}", file=sys.stderr)
    return float(seconds), float(cpu), int(peak_kib) / 1024


def measure(command: list[str]) -> None:
    """Run ``command``; print its wall seconds, the CPU seconds of it and every process it
    waited for, and the peak of the resident memory of its whole process tree, sampled every
    50 ms from /proc (ru_maxrss gives only the largest single process)."""
    import resource

    started = time.perf_counter()
    process = subprocess.Popen(command)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss_kib(process.pid))
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = max(peak, usage.ru_maxrss)
    print(elapsed, usage.ru_utime + usage.ru_stime, peak)


def _tree_rss_kib(pid: int) -> int:
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue  # it ended meanwhile
    return total


def run_dnspython_floor(queries: list[tuple[str, str]], port: int, in_flight: int) -> float:
    import dns.asyncquery
    import dns.exception
    import dns.message

    lost: list[str] = []

    async def main() -> None:
        limit = asyncio.Semaphore(in_flight)

        async def one(name: str, rdtype: str) -> None:
            async with limit:
                request = dns.message.make_query(name, rdtype, use_edns=0, payload=1232)
                for _attempt in range(3):  # the same retry budget as the auditor's client
                    try:
                        await dns.asyncquery.udp_with_fallback(
                            request, "127.0.0.1", timeout=2, port=port
                        )
                        return
                    except dns.exception.Timeout:
                        lost.append(name)

        await asyncio.gather(*(one(n, t) for n, t in queries))

    started = time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - started
    if lost:
        print(f"dnspython floor: {len(lost)} timeouts, e.g. {lost[:3]}", file=sys.stderr)
    return elapsed


def render(queries: list[tuple[str, str]]) -> list[bytes]:
    """The raw floor's queries, rendered before it starts: it measures the transport alone."""
    import dns.message

    return [dns.message.make_query(n, t, use_edns=0, payload=1232).to_wire() for n, t in queries]


def run_raw_floor(wires: list[bytes], port: int, in_flight: int) -> float:
    lost = 0

    async def main() -> None:
        nonlocal lost
        loop = asyncio.get_running_loop()
        waiting: dict[int, asyncio.Future[bytes]] = {}

        class Receiver(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: object) -> None:
                future = waiting.pop(int.from_bytes(data[:2], "big"), None)
                if future is not None and not future.done():
                    future.set_result(data)

        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        sock.connect(("127.0.0.1", port))
        transport, _ = await loop.create_datagram_endpoint(Receiver, sock=sock)
        limit = asyncio.Semaphore(in_flight)
        counter = iter(range(1 << 30))

        async def one(wire: bytes) -> None:
            nonlocal lost
            async with limit:
                for _attempt in range(3):
                    query_id = next(counter) & 0xFFFF
                    future = waiting[query_id] = loop.create_future()
                    transport.sendto(query_id.to_bytes(2, "big") + wire[2:])
                    try:
                        await asyncio.wait_for(future, 2)
                        return
                    except TimeoutError:
                        waiting.pop(query_id, None)
                        lost += 1

        await asyncio.gather(*(one(w) for w in wires))
        transport.close()

    started = time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - started
    if lost:
        print(f"raw floor: {lost} timeouts", file=sys.stderr)
    return elapsed


def run_checkdmarc(domains: list[str], port: int) -> float:
    import checkdmarc
    import dns.nameserver

    nameserver = dns.nameserver.Do53Nameserver("127.0.0.1", port)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        checkdmarc.check_domains(domains, nameservers=[nameserver], timeout=5.0)
    return time.perf_counter() - started


# -- one run --------------------------------------------------------------------------------


class Row:
    def __init__(
        self, name: str, domains: int, queries: int, wall: float, cpu: float, mib: float = 0
    ) -> None:
        self.name, self.domains, self.queries, self.wall, self.cpu, self.mib = (
            name, domains, queries, wall, cpu, mib,
        )  # fmt: skip
        self.rate = domains / wall


def measured(
    server: NsdServer | DemoServer, work: Path, run: Callable[[], float]
) -> tuple[int, float, float]:
    """(queries the server saw, wall seconds, CPU seconds of this process) for ``run()``."""
    server.command("reset")
    cpu = time.process_time()
    wall = run()
    cpu = time.process_time() - cpu
    server.command(f"count {work / 'count'}")
    return int((work / "count").read_text()), wall, cpu


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        measure(sys.argv[2:])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve_demo(int(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.02, help="seconds per DNS answer")
    parser.add_argument("--checkdmarc-sample", type=int, default=40)
    parser.add_argument("--in-flight", type=int, default=256, help="floors' queries in flight")
    parser.add_argument(
        "--server", choices=["nsd", "demo"], default="nsd" if nsd_available() else "demo",
        help="NSD behind a delaying proxy (default when /usr/sbin/nsd exists) or the "
        "project's demo DNS server",
    )  # fmt: skip
    parser.add_argument(
        "--only-bulk", action="store_true", help="just auditor bulk (a memory run at large N)"
    )
    parser.add_argument(
        "--workers", default="auto,1",
        help="auditor bulk --workers values to run, comma-separated; the first is the one "
        "the other contenders are compared with (default: auto,1)",
    )  # fmt: skip
    parser.add_argument(
        "--full-sweep", action="store_true",
        help="also auditor bulk --dkim-sweep full (every DKIM selector on every domain)",
    )  # fmt: skip
    args = parser.parse_args()
    load = os.getloadavg()[0]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="auditor-bench-") as temp:
        work = Path(temp)
        domains = [domain_zone(i)[0] for i in range(args.domains)]
        listing = work / "domains.txt"
        listing.write_text("\n".join(domains) + "\n")
        server: NsdServer | DemoServer
        if args.server == "nsd":
            zones = provider_zones() + [domain_zone(i)[1] for i in range(args.domains)]
            server = NsdServer(zones, args.delay)
        else:
            server = DemoServer(args.domains, args.delay, work)
        try:
            bulk: dict[str, float] = {}
            for workers in args.workers.split(","):

                def run_bulk(workers: str = workers) -> float:
                    wall, bulk["cpu"], bulk["mib"] = run_auditor_bulk(
                        listing, server.port, work, workers=workers
                    )
                    return wall

                sent, wall, _ = measured(server, work, run_bulk)
                name = f"auditor bulk (CLI, --workers {workers})"
                rows.append(Row(name, args.domains, sent, wall, bulk["cpu"], bulk["mib"]))
                if len(rows) == 1:
                    server.command(f"dump {work / 'queries.json'}")
            queries = [tuple(q) for q in json.loads((work / "queries.json").read_text())]
            if args.full_sweep:
                full: dict[str, float] = {}

                def run_full() -> float:
                    wall, full["cpu"], full["mib"] = run_auditor_bulk(
                        listing, server.port, work, "full"
                    )
                    return wall

                sent, wall, _ = measured(server, work, run_full)
                rows.append(
                    Row("auditor bulk --dkim-sweep full", args.domains, sent, wall, full["cpu"])
                )
            if not args.only_bulk:
                floors: list[tuple[str, Callable[[], float]]] = [
                    (
                        "bare dnspython loop (floor)",
                        partial(run_dnspython_floor, queries, server.port, args.in_flight),
                    ),
                    (
                        "raw UDP, no parsing (floor)",
                        partial(run_raw_floor, render(queries), server.port, args.in_flight),
                    ),
                ]
                for name, floor in floors:
                    sent, wall, cpu = measured(server, work, floor)
                    rows.append(Row(name, args.domains, sent, wall, cpu))
                sample = domains[: args.checkdmarc_sample]
                try:
                    sent, wall, cpu = measured(
                        server, work, lambda: run_checkdmarc(sample, server.port)
                    )
                    rows.append(Row("checkdmarc 6.0.4 (sample)", len(sample), sent, wall, cpu))
                except ImportError:
                    print("checkdmarc is not installed: pip install -e '.[bench]'", file=sys.stderr)
        finally:
            server.stop()
    report(args, rows, len(queries), load)


def report(args: argparse.Namespace, rows: list[Row], distinct: int, load: float) -> None:
    bulk = rows[0]
    print(
        f"\nN = {args.domains} domains, {args.delay * 1000:.0f} ms per DNS answer, server: "
        f"{args.server}, {distinct} distinct queries from auditor bulk, Python "
        f"{sys.version.split()[0]}, {os.cpu_count()} cores, load average at start {load:.2f}\n"
    )
    print("| contender | domains | queries/domain | seconds | CPU s | domains/s | bulk vs this |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        ratio = "—" if row is bulk else f"{bulk.rate / row.rate:.2f}×"
        print(
            f"| {row.name} | {row.domains} | {row.queries / row.domains:.1f} | {row.wall:.1f} | "
            f"{row.cpu:.1f} | {row.rate:.1f} | {ratio} |"
        )
    for row in rows:
        if row.mib:
            print(f"{row.name}: peak memory (all its processes at once) {row.mib:.0f} MiB")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
