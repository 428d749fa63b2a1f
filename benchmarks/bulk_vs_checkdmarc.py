"""Bulk email-auth audits: ``auditor bulk`` vs checkdmarc vs the bare-query floors, one run.

Builds N synthetic campaign domains (shared provider includes, MX hosts and DKIM CNAMEs,
DMARC variants, real RSA keys, some broken), serves them on 127.0.0.1 with a fixed delay
per answer, then measures in one go:

1. ``auditor bulk`` (the real CLI in a fresh subprocess: start-up included; its peak
   memory is recorded);
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

PROVIDERS = {
    "google": {
        "spf": "include:_spf.google-sim.example",
        "mx": ["1 aspmx.l.google-sim.example.", "5 alt1.aspmx.l.google-sim.example."],
        "selector": "google",
    },
    "microsoft": {
        "spf": "include:spf.protection.outlook-sim.example",
        "mx": ["0 {label}.mail.protection.outlook-sim.example."],
        "selector": "selector1",
    },
    "nationbuilder": {
        "spf": "include:_spf.nationbuilder-sim.example include:servers.mcsv-sim.example",
        "mx": ["10 mx.nationbuilder-sim.example."],
        "selector": "k1",
    },
}
RSA_2048 = (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1hrQ5lddVM6ZkCCsIrmalQIdpfac8VcXSpkL7TnY6y9u9+tk"
    "bMPldnd1gdwMIW3cghBk/NvCGj7Q98WbWg7FyrTKsfZLapDOQxPVFWMu72nivYyPaDBCwBffn/NKO/HQDGomIqAwpI3S"
    "uM0hOk0tZkps8ScYHI10RGtKbhXbBDH4af7fZqQ5Tpt0ULy8SgAqSwdF5vP0xqcKe5SCk+lAlHAJOIeNA9WPJDX1BHta"
    "HYYGuOZbN9GYhoJPkM2CEys/UGPDetHG4uAeypvNAKFwAGuGrEkD3KTc2VA/NsMz+0NRw7aAcVx1gJPlWrgbq/mlToao"
    "FmNRx+NGSTwlcpatPQIDAQAB"
)
RSA_1024 = (
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDJ6ynU6vjyRYJyUsf4KuUeTJIIvjXFa+omS+c8YpUxIUge0gZIXPMK"
    "w579HwkhcooBMsp9kRmNWnTxJFQVTcR5sN5vdXuQiIZujLDPyoRVQjZW9VCXsbBr9wv9DqU8SpLQx1UAjvCKGpG4S8Yh"
    "NsgeErFNPu6KYnZrfLd6RhbG5QIDAQAB"
)
SOA = "@ 300 SOA ns hostmaster 1 7200 3600 1209600 300\n@ 300 NS ns\nns 300 A 127.0.0.1"


def txt(value: str) -> str:
    """A TXT record's value split into quoted strings of at most 255 octets."""
    return " ".join(f'"{value[i : i + 255]}"' for i in range(0, len(value), 255))


def provider_zones() -> list[str]:
    key = txt(f"v=DKIM1; k=rsa; p={RSA_2048}")
    return [
        f"""$ORIGIN google-sim.example.\n{SOA}
_spf 300 TXT "v=spf1 include:_netblocks.google-sim.example ~all"
_netblocks 300 TXT "v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 ~all"
aspmx.l 300 A 127.0.0.1\nalt1.aspmx.l 300 A 127.0.0.1""",
        f"""$ORIGIN outlook-sim.example.\n{SOA}
spf.protection 300 TXT "v=spf1 ip4:203.0.113.0/24 -all"
*.mail.protection 300 A 127.0.0.1\n*._domainkey 300 TXT {key}""",
        f"""$ORIGIN nationbuilder-sim.example.\n{SOA}
_spf 300 TXT "v=spf1 ip4:192.0.2.128/25 -all"\nmx 300 A 127.0.0.1""",
        f"""$ORIGIN mcsv-sim.example.\n{SOA}
servers 300 TXT "v=spf1 ip4:205.201.128.0/20 ~all\"""",
        # The DMARC report receiver authorises reports for every domain (RFC 7489 §7.1).
        f"""$ORIGIN reports-sim.example.\n{SOA}\n*._report._dmarc 300 TXT "v=DMARC1\"""",
    ]


def domain_zone(index: int) -> tuple[str, str]:
    label = f"candidate{index:05d}"
    domain = f"{label}.org.uk"
    kind = ["google", "microsoft", "nationbuilder", "parked"][index % 4]
    records = [f"$ORIGIN {domain}.", SOA, "www 300 A 127.0.0.1"]
    if kind == "parked":
        records += [
            '@ 300 TXT "v=spf1 -all"', "@ 300 MX 0 .", '_dmarc 300 TXT "v=DMARC1; p=reject"',
            '*._domainkey 300 TXT "v=DKIM1; p="',
        ]  # fmt: skip
        return domain, "\n".join(records)
    provider = PROVIDERS[kind]
    records += [f"@ 300 MX {mx.format(label=label)}" for mx in provider["mx"]]
    if index % 17 == 1:
        records.append('@ 300 TXT "v=spf1 include: -all"')  # a syntax error
    elif index % 29 != 2:  # some have no SPF at all
        records.append(f'@ 300 TXT "v=spf1 {provider["spf"]} {"~all" if index % 2 else "-all"}"')
    records.append('@ 300 TXT "google-site-verification=abc123"')
    if index % 31 != 3:  # some have no DMARC
        policy = ["none", "quarantine", "reject"][index % 3]
        rua = f"dmarc@{domain}" if index % 7 == 0 else "dmarc@reports-sim.example"
        dmarc = f"v=DMARC1; p={policy}; rua=mailto:{rua}" + ("; pct=50" if index % 5 == 0 else "")
        records.append(f'_dmarc 300 TXT "{dmarc}"')
        if index % 23 == 4:
            records.append('_dmarc 300 TXT "v=DMARC1; p=none"')  # two records: invalid
    selector = provider["selector"]
    if kind == "microsoft":  # Microsoft 365 publishes its keys behind CNAMEs
        for name in ("selector1", "selector2"):
            target = f"{name}-{label}._domainkey.outlook-sim.example."
            records.append(f"{name}._domainkey 300 CNAME {target}")
    elif index % 11 == 5:
        records.append(f"{selector}._domainkey 300 TXT {txt(f'v=DKIM1; k=rsa; p={RSA_1024}')}")
    elif index % 13 == 6:
        records.append(f'{selector}._domainkey 300 TXT "v=DKIM1; k=rsa; p={RSA_2048[:90]}"')
    else:
        records.append(f"{selector}._domainkey 300 TXT {txt(f'v=DKIM1; k=rsa; p={RSA_2048}')}")
    return domain, "\n".join(records)


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
        for _ in range(1200):
            if port_file.exists() and port_file.read_text():
                break
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


def run_auditor_bulk(listing: Path, port: int, work: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak memory (MiB) of the real CLI in a subprocess."""
    out = work / "bulk.csv"
    wrapper = (
        "import resource, subprocess, sys, time; t = time.perf_counter();"
        "r = subprocess.run(sys.argv[1:]); e = time.perf_counter() - t;"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(e, u.ru_utime + u.ru_stime, u.ru_maxrss)"
    )
    auditor = Path(sys.executable).with_name("auditor")
    command = [str(auditor), "bulk", str(listing), "-q", "-o", str(out)]
    command += ["--nameserver", f"127.0.0.1:{port}", "--timeout", "2"]  # as the floors
    result = subprocess.run(
        [sys.executable, "-c", wrapper, *command], capture_output=True, text=True, check=False
    )
    seconds, cpu, max_rss_kib = result.stdout.split()
    rows = out.read_text().count("\n") - 1
    print(f"auditor bulk: {rows} rows; {result.stderr.strip()[-200:]}", file=sys.stderr)
    return float(seconds), float(cpu), int(max_rss_kib) / 1024


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
    def __init__(self, name: str, domains: int, queries: int, wall: float, cpu: float) -> None:
        self.name, self.domains, self.queries, self.wall, self.cpu = (
            name, domains, queries, wall, cpu,
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

            def run_bulk() -> float:
                wall, bulk["cpu"], bulk["mib"] = run_auditor_bulk(listing, server.port, work)
                return wall

            sent, wall, _ = measured(server, work, run_bulk)
            rows.append(Row("auditor bulk (CLI)", args.domains, sent, wall, bulk["cpu"]))
            server.command(f"dump {work / 'queries.json'}")
            queries = [tuple(q) for q in json.loads((work / "queries.json").read_text())]
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
    report(args, rows, bulk["mib"], len(queries), load)


def report(
    args: argparse.Namespace, rows: list[Row], bulk_mib: float, distinct: int, load: float
) -> None:
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
    print(f"\nauditor bulk peak memory (max RSS): {bulk_mib:.0f} MiB")


if __name__ == "__main__":
    main()
