"""Zone text for the loopback DNS server (auditor.demo.dns_server.DnsServer) in tests."""

from __future__ import annotations


def small_zone(domain: str, *records: str) -> str:
    """A zone that denies all mail by SPF (``v=spf1 -all``), with its SOA, NS and the name
    server's loopback address, plus ``records`` (zone-file lines relative to ``domain``)."""
    lines = [
        f"$ORIGIN {domain}.",
        "$TTL 300",
        "@ SOA ns1 hostmaster 1 7200 3600 1209600 300",
        "@ NS ns1",
        '@ TXT "v=spf1 -all"',
        *records,
        "ns1 A 127.0.0.1",
    ]
    return "\n" + "\n".join(lines) + "\n"
