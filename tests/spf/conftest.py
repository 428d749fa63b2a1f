"""Fixtures for the SPF tests: one loopback DNS zone with a domain per case."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from auditor.demo.dns_server import DnsServer

LONG_TERMS = " ".join(f"ip4:203.0.113.{i}" for i in range(1, 40))


def _quoted(text: str) -> str:
    """A TXT rdata of ``text`` split into 255-byte strings, as DNS requires."""
    return " ".join(f'"{text[i : i + 200]}"' for i in range(0, len(text), 200))


ZONE = f"""\
$ORIGIN audit.example.
$TTL 300
@ SOA ns1 hostmaster 1 3600 600 604800 300
@ NS ns1
ns1 A 127.0.0.1
mail A 192.0.2.25
good TXT "v=spf1 ip4:192.0.2.0/24 include:_spf.provider.example.net -all"
good TXT "google-site-verification=abc"
good MX 10 mail
none A 192.0.2.1
multi TXT "v=spf1 ip4:192.0.2.1 -all"
multi TXT "v=spf1 include:_spf.provider.example.net -all"
syntax TXT "v=spf1 ip4:192.0.2.300 -all"
split TXT "v=spf1 ip4:192.0.2.1" "-all"
splitok TXT "v=spf1 ip4:192.0.2.1 " "-all"
plusall TXT "v=spf1 +all"
neutral TXT "v=spf1 ip4:192.0.2.1 ?all"
noall TXT "v=spf1 ip4:192.0.2.1"
softfail TXT "v=spf1 ip4:192.0.2.1 ~all"
ptr TXT "v=spf1 ptr -all"
badinclude TXT "v=spf1 include:none.audit.example -all"
loop TXT "v=spf1 redirect=loop2.audit.example"
loop2 TXT "v=spf1 redirect=loop.audit.example"
redirected TXT "v=spf1 redirect=good.audit.example"
macros TXT "v=spf1 exists:%{{i}}._spf.audit.example -all"
void TXT "v=spf1 a:gone1.audit.example a:gone2.audit.example mx:gone3.audit.example -all"
onevoid TXT "v=spf1 a:gone1.audit.example -all"
toomany TXT "v=spf1 include:big.audit.example -all"
big TXT "v=spf1 a mx a mx a mx a mx a mx -all"
big A 192.0.2.30
big MX 10 mail
mxmany TXT "v=spf1 mx -all"
long TXT {_quoted(f"v=spf1 {LONG_TERMS} -all")}
servfail TXT "v=spf1 -all"
slow TXT "v=spf1 -all"
inclbroken TXT "v=spf1 include:servfail.audit.example -all"
"""
ZONE += "".join(f"mxmany MX {i} mx{i}.audit.example.\n" for i in range(11))

PROVIDER = """\
$ORIGIN provider.example.net.
$TTL 300
@ SOA ns1 hostmaster 1 3600 600 604800 300
@ NS ns1
_spf TXT "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8::/32 ~all"
"""


async def start_on_free_port(server: DnsServer) -> None:
    """Start a server, retrying when the UDP twin of its free TCP port is taken.

    DnsServer.start() binds TCP on port 0 and then UDP on the same number, which another
    process may already hold; with hundreds of servers per run that happens.
    """
    for attempt in range(8):
        try:
            await server.start()
            return
        except OSError:
            await server.stop()
            server.port = 0
            if attempt == 7:
                raise


@pytest.fixture(scope="session")
def start_server() -> Callable[[DnsServer], Awaitable[None]]:
    return start_on_free_port


@pytest.fixture
async def spf_dns() -> AsyncIterator[DnsServer]:
    server = DnsServer(zones=[ZONE, PROVIDER])
    await start_on_free_port(server)
    server.faults.set("servfail.audit.example", "servfail")
    server.faults.set("slow.audit.example", "timeout")
    try:
        yield server
    finally:
        await server.stop()
