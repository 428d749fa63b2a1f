"""Bulk email-auth audits: ``auditor bulk`` vs checkdmarc vs the bare-query floor, one run.

Builds N synthetic campaign domains (shared provider includes and MX hosts, DMARC
variants, DKIM keys, some broken), serves them from the project's loopback DNS server in
a separate process with a fixed delay per answer, then measures in one go:

1. ``auditor bulk`` (the real CLI, in a subprocess; its peak memory is recorded);
2. checkdmarc (pinned, ``pip install -e '.[bench]'``), its Python API pointed at the same
   server, on a sample of the domains (it is sequential: the full list would take hours);
3. the floor: a bare dnspython async loop sending exactly the distinct queries that
   ``auditor bulk`` sent, with the same number in flight and no logic at all.

Usage:  python benchmarks/bulk_vs_checkdmarc.py --domains 1000 --delay 0.02
Results are printed as a Markdown table to paste into benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROVIDERS = {
    "google": {
        "zone": "google-sim.example",
        "spf": "include:_spf.google-sim.example",
        "mx": ["10 aspmx.l.google-sim.example.", "20 alt1.aspmx.l.google-sim.example."],
        "selector": "google",
    },
    "microsoft": {
        "zone": "outlook-sim.example",
        "spf": "include:spf.protection.outlook-sim.example",
        "mx": ["0 {label}.mail.protection.outlook-sim.example."],
        "selector": "selector1",
    },
    "nationbuilder": {
        "zone": "nationbuilder-sim.example",
        "spf": "include:_spf.nationbuilder-sim.example include:servers.mcsv-sim.example",
        "mx": ["10 mx.nationbuilder-sim.example."],
        "selector": "k1",
    },
}
DKIM_KEY = (
    "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvUf8H0wRZ8zI1S0DYjzW9pN2l8"
    "q6h0o7sT4m3J5r8VJm6bC6CqS9p0u1wK3mN9xY2zQ3fT5hG8jD1kL0aB4cE7gF6iH9jK2lM5nO8pQ1rS4tU7vW"
)


def provider_zones() -> list[str]:
    zones = []
    for name, provider in PROVIDERS.items():
        origin = provider["zone"]
        records = [
            f"$ORIGIN {origin}.",
            "@ 300 SOA ns hostmaster 1 7200 3600 1209600 300",
            "@ 300 NS ns",
            "ns 300 A 127.0.0.1",
            "* 300 A 127.0.0.1",
        ]
        if name == "google":
            records += [
                '_spf 300 TXT "v=spf1 include:_netblocks.google-sim.example ~all"',
                '_netblocks 300 TXT "v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 ~all"',
                "aspmx.l 300 A 127.0.0.1",
                "alt1.aspmx.l 300 A 127.0.0.1",
            ]
        elif name == "microsoft":
            records += ['spf.protection 300 TXT "v=spf1 ip4:203.0.113.0/24 -all"']
        else:
            records += ['_spf 300 TXT "v=spf1 ip4:192.0.2.128/25 -all"', "mx 300 A 127.0.0.1"]
        zones.append("\n".join(records))
    zones.append(
        "\n".join(
            [
                "$ORIGIN mcsv-sim.example.",
                "@ 300 SOA ns hostmaster 1 7200 3600 1209600 300",
                "@ 300 NS ns",
                "ns 300 A 127.0.0.1",
                'servers 300 TXT "v=spf1 ip4:205.201.128.0/20 ~all"',
            ]
        )
    )
    return zones


def domain_zone(index: int) -> tuple[str, str]:
    label = f"candidate{index:05d}"
    domain = f"{label}.org.uk"
    kind = ["google", "microsoft", "nationbuilder", "parked"][index % 4]
    records = [
        f"$ORIGIN {domain}.",
        "@ 300 SOA ns1 hostmaster 1 7200 3600 1209600 300",
        "@ 300 NS ns1",
        "ns1 300 A 127.0.0.1",
        "www 300 A 127.0.0.1",
    ]
    if kind == "parked":
        records += ['@ 300 TXT "v=spf1 -all"', "@ 300 MX 0 .",
                    '_dmarc 300 TXT "v=DMARC1; p=reject"']  # fmt: skip
    else:
        provider = PROVIDERS[kind]
        for mx in provider["mx"]:
            records.append(f"@ 300 MX {mx.format(label=label)}")
        policy = ["none", "quarantine", "reject"][index % 3]
        if index % 17 == 0:
            records.append('@ 300 TXT "v=spf1 include: -all"')  # a syntax error
        elif index % 29 != 0:
            qualifier = "~all" if index % 2 else "-all"
            records.append(f'@ 300 TXT "v=spf1 {provider["spf"]} {qualifier}"')
        dmarc = f"v=DMARC1; p={policy}; rua=mailto:dmarc@reports-sim.example"
        if index % 5 == 0:
            dmarc += "; pct=50"
        records.append(f'_dmarc 300 TXT "{dmarc}"')
        if index % 23 == 0:
            records.append('_dmarc 300 TXT "v=DMARC1; p=none"')  # two records
        records.append(f'{provider["selector"]}._domainkey 300 TXT "{DKIM_KEY}"')
        records.append('@ 300 TXT "google-site-verification=abc123"')
    return domain, "\n".join(records)


# -- the DNS server process ---------------------------------------------------------------


def serve(domains: int, delay: float, port_file: str) -> None:
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


class ServerProcess:
    def __init__(self, domains: int, delay: float, work: Path) -> None:
        port_file = work / "port"
        self.work = work
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(domains), str(delay), str(port_file)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(600):
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


# -- the three contenders -------------------------------------------------------------------


def run_auditor_bulk(listing: Path, port: int, work: Path) -> tuple[float, float]:
    """Wall seconds and peak memory (MiB) of the real CLI in a fresh subprocess."""
    out = work / "bulk.csv"
    wrapper = (
        "import resource, subprocess, sys, time; t = time.perf_counter();"
        "r = subprocess.run(sys.argv[1:]); e = time.perf_counter() - t;"
        "print(e, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    auditor = Path(sys.executable).with_name("auditor")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            wrapper,
            str(auditor),
            "bulk",
            str(listing),
            "-q",
            "-o",
            str(out),
            "--nameserver",
            f"127.0.0.1:{port}",
            "--timeout",
            "5",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds, max_rss_kib = result.stdout.split()
    rows = out.read_text().count("\n") - 1
    print(f"auditor bulk: {rows} rows; stderr: {result.stderr.strip()[-200:]}", file=sys.stderr)
    return float(seconds), int(max_rss_kib) / 1024


def run_checkdmarc(domains: list[str], port: int) -> float:
    import checkdmarc
    import dns.nameserver

    nameserver = dns.nameserver.Do53Nameserver("127.0.0.1", port)
    started = time.perf_counter()
    checkdmarc.check_domains(domains, nameservers=[nameserver], timeout=5.0, skip_tls=True)
    return time.perf_counter() - started


def run_floor(queries: list[tuple[str, str]], port: int, in_flight: int) -> float:
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
        print(f"floor: {len(lost)} timeouts, e.g. {lost[:3]}", file=sys.stderr)
    return elapsed


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.02, help="seconds per DNS answer")
    parser.add_argument("--checkdmarc-sample", type=int, default=40)
    parser.add_argument("--in-flight", type=int, default=256, help="queries in flight")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        domains = [domain_zone(i)[0] for i in range(args.domains)]
        listing = work / "domains.txt"
        listing.write_text("\n".join(domains) + "\n")
        server = ServerProcess(args.domains, args.delay, work)
        try:
            bulk_seconds, bulk_mib = run_auditor_bulk(listing, server.port, work)
            server.command(f"dump {work / 'queries.json'}")
            queries = [tuple(q) for q in json.loads((work / "queries.json").read_text())]
            server.command("reset")
            floor_seconds = run_floor(queries, server.port, args.in_flight)  # type: ignore[arg-type]
            sample = domains[: args.checkdmarc_sample]
            try:
                checkdmarc_seconds: float | None = run_checkdmarc(sample, server.port)
            except ImportError:
                checkdmarc_seconds = None
        finally:
            server.stop()
    bulk_rate = args.domains / bulk_seconds
    floor_rate = args.domains / floor_seconds
    print(f"\nN = {args.domains} domains, {args.delay * 1000:.0f} ms per DNS answer, "
          f"{len(queries)} distinct queries, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores\n")  # fmt: skip
    print("| contender | domains | seconds | domains/s | vs auditor bulk |")
    print("| --- | --- | --- | --- | --- |")
    print(f"| auditor bulk | {args.domains} | {bulk_seconds:.1f} | {bulk_rate:.1f} | 1× |")
    print(f"| bare dnspython floor (same queries) | {args.domains} | {floor_seconds:.1f} | "
          f"{floor_rate:.1f} | {bulk_rate / floor_rate:.2f}× of floor |")  # fmt: skip
    if checkdmarc_seconds is not None:
        rate = len(sample) / checkdmarc_seconds
        print(f"| checkdmarc 6.0.4 (sample) | {len(sample)} | {checkdmarc_seconds:.1f} | "
              f"{rate:.2f} | auditor is {bulk_rate / rate:.0f}× faster |")  # fmt: skip
    print(f"\nauditor bulk peak memory: {bulk_mib:.0f} MiB")


if __name__ == "__main__":
    main()
