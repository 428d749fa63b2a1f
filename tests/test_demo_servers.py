"""The demo world's servers on real loopback sockets: DNS, HTTP(S) and SMTP."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import ssl
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import dns.asyncquery
import dns.dnssec
import dns.dnssectypes
import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.zone
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from auditor.demo.certs import DemoCertificates
from auditor.demo.dns_server import DnsServer, zone_from_records
from auditor.demo.smtp_server import SmtpServer
from auditor.demo.web_server import Request, Response, WebServer, html, json_response, redirect
from auditor.net.connect import Connector, ConnectRule
from auditor.net.dns import DnsClient, Nameserver
from auditor.net.http import HttpClient
from auditor.net.smtp import SmtpProbe

ZONE = """\
$ORIGIN test.example.
$TTL 300
@ SOA ns1 hostmaster 1 3600 600 604800 300
@ NS ns1
ns1 A 127.0.0.1
www A 127.0.0.1
alias CNAME www
outside CNAME host.elsewhere.invalid.
loop1 CNAME loop2
loop2 CNAME loop1
sel1._domainkey TXT "v=DKIM1; p=abc"
*.wild A 127.0.0.9
big TXT {big}
sub NS ns.sub.elsewhere.invalid.
"""


def _big_txt() -> str:
    return " ".join(f'"{chr(97 + i % 26) * 200}"' for i in range(12))


@pytest.fixture
async def dns_server() -> AsyncIterator[DnsServer]:
    zone_text = ZONE.replace("{big}", _big_txt())
    async with DnsServer(zones=[zone_text]) as server:
        yield server


async def ask(
    server: DnsServer,
    name: str,
    rdtype: str,
    *,
    payload: int = 1232,
    dnssec: bool = False,
    tcp: bool = False,
) -> dns.message.Message:
    query = dns.message.make_query(name, rdtype, use_edns=0, payload=payload, want_dnssec=dnssec)
    if tcp:
        return await dns.asyncquery.tcp(query, "127.0.0.1", timeout=2, port=server.port)
    return await dns.asyncquery.udp(query, "127.0.0.1", timeout=2, port=server.port)


def soa_in_authority(response: dns.message.Message) -> bool:
    return any(r.rdtype == dns.rdatatype.SOA for r in response.authority)


async def test_answer_nodata_nxdomain_and_empty_non_terminal(dns_server: DnsServer) -> None:
    found = await ask(dns_server, "www.test.example", "A")
    assert found.rcode() == dns.rcode.NOERROR and found.flags & dns.flags.AA
    assert [r.to_text() for r in found.answer[0]] == ["127.0.0.1"]

    nodata = await ask(dns_server, "www.test.example", "MX")
    assert nodata.rcode() == dns.rcode.NOERROR and not nodata.answer
    assert soa_in_authority(nodata)

    missing = await ask(dns_server, "nothing.test.example", "A")
    assert missing.rcode() == dns.rcode.NXDOMAIN and soa_in_authority(missing)

    ent = await ask(dns_server, "_domainkey.test.example", "TXT")
    assert ent.rcode() == dns.rcode.NOERROR and not ent.answer and soa_in_authority(ent)


async def test_cname_wildcard_refused_and_referral(dns_server: DnsServer) -> None:
    alias = await ask(dns_server, "alias.test.example", "A")
    types = [r.rdtype for r in alias.answer]
    assert types == [dns.rdatatype.CNAME, dns.rdatatype.A]

    outside = await ask(dns_server, "outside.test.example", "A")
    assert [r.rdtype for r in outside.answer] == [dns.rdatatype.CNAME]

    loop = await ask(dns_server, "loop1.test.example", "A")
    assert loop.rcode() == dns.rcode.NOERROR and len(loop.answer) == 2

    wild = await ask(dns_server, "anything.wild.test.example", "A")
    assert wild.answer[0].name.to_text() == "anything.wild.test.example."
    assert wild.answer[0][0].to_text() == "127.0.0.9"

    refused = await ask(dns_server, "example.org", "A")
    assert refused.rcode() == dns.rcode.REFUSED
    transfer = await ask(dns_server, "test.example", "AXFR", tcp=True)
    assert transfer.rcode() == dns.rcode.REFUSED

    referral = await ask(dns_server, "host.sub.test.example", "A")
    assert not referral.answer and referral.authority[0].rdtype == dns.rdatatype.NS
    assert not referral.flags & dns.flags.AA


async def test_truncation_then_tcp(dns_server: DnsServer) -> None:
    small = await ask(dns_server, "big.test.example", "TXT", payload=512)
    assert small.flags & dns.flags.TC and not small.answer
    no_edns = dns.message.make_query("big.test.example", "TXT")
    plain = await dns.asyncquery.udp(no_edns, "127.0.0.1", timeout=2, port=dns_server.port)
    assert plain.flags & dns.flags.TC
    roomy = await ask(dns_server, "big.test.example", "TXT", payload=4096)
    assert not roomy.flags & dns.flags.TC and roomy.answer
    over_tcp = await ask(dns_server, "big.test.example", "TXT", payload=512, tcp=True)
    assert over_tcp.answer and not over_tcp.flags & dns.flags.TC
    assert ("big.test.example", "TXT", "tcp") in [
        (q.qname, q.qtype, q.transport) for q in dns_server.queries
    ]


async def test_several_queries_on_one_tcp_connection(dns_server: DnsServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", dns_server.port)
    try:
        for name in ("www.test.example", "ns1.test.example"):
            wire = dns.message.make_query(name, "A").to_wire()
            writer.write(len(wire).to_bytes(2, "big") + wire)
            await writer.drain()
            length = int.from_bytes(await reader.readexactly(2), "big")
            response = dns.message.from_wire(await reader.readexactly(length))
            assert response.answer[0][0].to_text() == "127.0.0.1"
    finally:
        writer.close()


async def test_faults(dns_server: DnsServer) -> None:
    dns_server.faults.set("www.test.example", "servfail")
    assert (await ask(dns_server, "www.test.example", "A")).rcode() == dns.rcode.SERVFAIL
    dns_server.faults.set_suffix("test.example", "refused")
    assert (await ask(dns_server, "ns1.test.example", "A")).rcode() == dns.rcode.REFUSED
    dns_server.faults.clear()
    dns_server.faults.set("ns1.test.example", "timeout")
    with pytest.raises(dns.exception.Timeout):
        query = dns.message.make_query("ns1.test.example", "A")
        await dns.asyncquery.udp(query, "127.0.0.1", timeout=0.3, port=dns_server.port)
    dns_server.faults.set("www.test.example", "truncate-always")
    truncated = await ask(dns_server, "www.test.example", "A")
    assert truncated.flags & dns.flags.TC
    assert (await ask(dns_server, "www.test.example", "A", tcp=True)).answer
    dns_server.faults.clear()

    # A slow name does not hold up a fast one.
    dns_server.faults.set("www.test.example", "delay", seconds=0.5)
    loop = asyncio.get_running_loop()
    started = loop.time()
    slow = asyncio.ensure_future(ask(dns_server, "www.test.example", "A"))
    await ask(dns_server, "ns1.test.example", "A")
    assert loop.time() - started < 0.4
    assert (await slow).answer and loop.time() - started >= 0.5


async def test_garbage_is_dropped_and_the_server_lives_on(dns_server: DnsServer) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for junk in (b"", b"\x00", b"\xff" * 40, b"\x12\x34" + b"\x00" * 3):
            sock.sendto(junk, ("127.0.0.1", dns_server.port))
    finally:
        sock.close()
    _reader, writer = await asyncio.open_connection("127.0.0.1", dns_server.port)
    writer.write(b"\x00\x05hello")
    await writer.drain()
    writer.close()
    await asyncio.sleep(0.05)
    assert (await ask(dns_server, "www.test.example", "A")).answer
    assert dns_server.garbage_count >= 3


async def test_runtime_records_and_programmatic_zone() -> None:
    zone = zone_from_records(
        "prog.example", [("@", "TXT", ['"v=spf1 -all"']), ("www", "A", ["127.0.0.1"])]
    )
    async with DnsServer(zones=[zone]) as server:
        assert (await ask(server, "prog.example", "TXT")).answer
        server.set_records("new.prog.example", "A", ["127.0.0.2"])
        assert (await ask(server, "new.prog.example", "A")).answer[0][0].to_text() == "127.0.0.2"
        server.set_records("new.prog.example", "A", [])
        assert not (await ask(server, "new.prog.example", "A")).answer


async def test_signed_zone_rrsigs_only_with_do() -> None:
    zone = dns.zone.from_text(ZONE.replace("{big}", '"x"'), relativize=False)
    private = ed25519.Ed25519PrivateKey.generate()
    dnskey = dns.dnssec.make_dnskey(
        private.public_key(), dns.dnssectypes.Algorithm.ED25519, flags=257
    )
    now = datetime.now(UTC)
    with zone.writer() as txn:
        dns.dnssec.sign_zone(
            zone, txn=txn, keys=[(private, dnskey)], add_dnskey=True,
            inception=now - timedelta(hours=1), expiration=now + timedelta(days=1),
        )  # fmt: skip
    async with DnsServer(zones=[zone]) as server:
        plain = await ask(server, "www.test.example", "A")
        assert all(r.rdtype != dns.rdatatype.RRSIG for r in plain.answer)
        signed = await ask(server, "www.test.example", "A", dnssec=True)
        assert {r.rdtype for r in signed.answer} == {dns.rdatatype.A, dns.rdatatype.RRSIG}
        keys = await ask(server, "test.example", "DNSKEY", dnssec=True)
        dnskeys = next(r for r in keys.answer if r.rdtype == dns.rdatatype.DNSKEY)
        sig = next(r for r in signed.answer if r.rdtype == dns.rdatatype.RRSIG)
        a_rrset = next(r for r in signed.answer if r.rdtype == dns.rdatatype.A)
        dns.dnssec.validate(a_rrset, sig, {dnskeys.name: dnskeys})
        missing = await ask(server, "nothing.test.example", "A", dnssec=True)
        types = {r.rdtype for r in missing.authority}
        assert {dns.rdatatype.SOA, dns.rdatatype.NSEC, dns.rdatatype.RRSIG} <= types
        nodata = await ask(server, "www.test.example", "MX", dnssec=True)
        assert dns.rdatatype.NSEC in {r.rdtype for r in nodata.authority}


# -- HTTP(S) ---------------------------------------------------------------------------------

HOSTS = ("www.one.example", "www.two.example", "api.one.example")


@pytest.fixture(scope="module")
def certificates() -> DemoCertificates:
    return DemoCertificates(HOSTS)


@pytest.fixture
async def web(certificates: DemoCertificates) -> AsyncIterator[WebServer]:
    server = WebServer(certificates)
    server.route("www.one.example", "/", html("<h1>one</h1>", headers=[("X-Site", "one")]))
    server.route("www.two.example", "/", html("<h1>two</h1>"))
    server.route("www.one.example", "/old", redirect("/", 301))
    server.route("api.one.example", "/data.json", json_response({"ok": True}))

    def echo(request: Request) -> Response:
        return json_response({"path": request.path, "padding": request.header("add-padding")})

    server.route_prefix("api.one.example", "/echo/", echo)
    async with server:
        yield server


async def http_get(
    port: int,
    host: str,
    path: str,
    *,
    context: ssl.SSLContext | None = None,
    headers: str = "",
    timeout: float = 3.0,
) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", port, ssl=context, server_hostname=host if context else None
    )
    try:
        request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{headers}Connection: close\r\n\r\n"
        writer.write(request.encode())
        raw = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    if not raw:
        return 0, {}, b""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    fields = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), fields, body


async def test_http_routes_by_host_and_redirect(web: WebServer) -> None:
    status, headers, body = await http_get(web.http_port, "www.one.example", "/")
    assert (status, body, headers["x-site"]) == (200, b"<h1>one</h1>", "one")
    assert (await http_get(web.http_port, "www.two.example", "/"))[2] == b"<h1>two</h1>"
    status, headers, _ = await http_get(web.http_port, "www.one.example", "/old")
    assert status == 301 and headers["location"] == "/"
    assert (await http_get(web.http_port, "www.one.example", "/nope"))[0] == 404
    status, _, body = await http_get(
        web.http_port, "api.one.example", "/echo/abc?x=1", headers="Add-Padding: true\r\n"
    )
    assert json.loads(body) == {"path": "/echo/abc", "padding": "true"}
    recorded = web.requests_to("api.one.example")[-1]
    assert (recorded.method, recorded.path, recorded.query) == ("GET", "/echo/abc", "x=1")


async def test_https_trusts_the_ca_and_selects_by_sni(
    web: WebServer, certificates: DemoCertificates
) -> None:
    context = certificates.client_context()
    for host, expected in (
        ("www.one.example", b"<h1>one</h1>"),
        ("www.two.example", b"<h1>two</h1>"),
    ):
        status, _, body = await http_get(web.https_port, host, "/", context=context)
        assert (status, body) == (200, expected)
    with pytest.raises(ssl.SSLCertVerificationError):
        await http_get(web.https_port, "www.one.example", "/", context=ssl.create_default_context())
    web.cert_variants["www.two.example"] = "expired"
    with pytest.raises(ssl.SSLCertVerificationError, match="expired"):
        await http_get(web.https_port, "www.two.example", "/", context=context)
    web.cert_variants["www.two.example"] = "wrong-host"
    with pytest.raises(ssl.SSLCertVerificationError, match=r"match|mismatch"):
        await http_get(web.https_port, "www.two.example", "/", context=context)
    assert (await http_get(web.https_port, "www.one.example", "/", context=context))[0] == 200


async def test_web_faults(web: WebServer) -> None:
    web.faults.set("www.one.example", "429", retry_after="30")
    status, headers, _ = await http_get(web.http_port, "www.one.example", "/")
    assert status == 429 and headers["retry-after"] == "30"
    web.faults.set("www.one.example", "redirect-loop")
    status, headers, _ = await http_get(web.http_port, "www.one.example", "/")
    assert status == 302 and headers["location"] == "/"
    web.faults.set("api.one.example", "html-for-json", path="/data.json")
    _, headers, body = await http_get(web.http_port, "api.one.example", "/data.json")
    assert headers["content-type"].startswith("text/html") and body.startswith(b"<!doctype")
    web.faults.set("www.two.example", "hang")
    with pytest.raises(TimeoutError):
        await http_get(web.http_port, "www.two.example", "/", timeout=0.3)
    web.faults.set("www.two.example", "close")
    assert (await http_get(web.http_port, "www.two.example", "/")) == (0, {}, b"")
    web.faults.set("www.two.example", "5xx", status=502)
    assert (await http_get(web.http_port, "www.two.example", "/"))[0] == 502
    web.faults.set("www.two.example", "wrong-content-type")
    _, headers, body = await http_get(web.http_port, "www.two.example", "/")
    assert headers["content-type"] == "application/octet-stream" and body == b"<h1>two</h1>"
    web.faults.set("www.two.example", "trickle", chunk_delay=0.02)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert (await http_get(web.http_port, "www.two.example", "/"))[2] == b"<h1>two</h1>"
    assert loop.time() - started >= 0.2
    web.faults.clear()
    assert (await http_get(web.http_port, "www.two.example", "/"))[0] == 200


async def test_dns_tcp_half_close_still_gets_its_answer(dns_server: DnsServer) -> None:
    dns_server.faults.set("www.test.example", "delay", seconds=0.1)
    reader, writer = await asyncio.open_connection("127.0.0.1", dns_server.port)
    wire = dns.message.make_query("www.test.example", "A").to_wire()
    writer.write(len(wire).to_bytes(2, "big") + wire)
    writer.write_eof()
    length = int.from_bytes(await asyncio.wait_for(reader.readexactly(2), 2), "big")
    assert dns.message.from_wire(await reader.readexactly(length)).answer
    writer.close()


async def test_huge_body_and_gzip_bomb_through_the_lead_client(web: WebServer) -> None:
    web.faults.set("www.one.example", "huge-body")
    web.faults.set("www.two.example", "gzip-bomb")
    dns_client = DnsClient([Nameserver("127.0.0.1", 9)], timeout=0.2, attempts=1)
    rule = ConnectRule("", 80, "127.0.0.1", web.http_port)
    client = HttpClient(Connector(dns_client, (rule,)), max_bytes=100_000, timeout=5)
    try:
        # IP-literal URL with a Host header keeps DNS out of it.
        for host in ("www.one.example", "www.two.example"):
            result = await client.fetch("http://127.0.0.1/", headers={"Host": host})
            assert result.ok and result.truncated and len(result.body) == 100_000
    finally:
        await client.aclose()


async def test_garbage_and_oversized_requests(web: WebServer) -> None:
    for junk in (b"\x16\x03\x01garbage\r\n\r\n", b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 5000):
        reader, writer = await asyncio.open_connection("127.0.0.1", web.http_port)
        writer.write(junk)
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        reply = await asyncio.wait_for(reader.read(), 3)
        assert reply.split(b" ")[1] in (b"400", b"431")
        writer.close()
    assert (await http_get(web.http_port, "www.one.example", "/"))[0] == 200


# -- SMTP ------------------------------------------------------------------------------------


async def test_smtp_variants(certificates: DemoCertificates) -> None:
    async with SmtpServer(certificates, hostname="mx.one.example") as smtp:
        connector = Connector(DnsClient([Nameserver("127.0.0.1", 9)], timeout=0.2, attempts=1))
        probe = SmtpProbe(connector, ssl_context=certificates.client_context(), timeout=1.0)
        good = await probe.probe("127.0.0.1", smtp.port)
        assert good.starttls_offered and good.tls_established and good.certificate, good
        plain = await probe.probe("127.0.0.1", smtp.port_for("no-starttls"))
        assert plain.banner and not plain.starttls_offered
        expired = await probe.probe("127.0.0.1", smtp.port_for("expired"))
        assert expired.error_kind == "tls" and "expired" in expired.certificate_error
        silent = await probe.probe("127.0.0.1", smtp.port_for("silent"))
        assert not silent.banner and silent.error_kind == "timeout", silent
        broken = await probe.probe("127.0.0.1", smtp.port_for("broken-tls"))
        assert broken.starttls_offered and not broken.tls_established and broken.error
