"""The audit's HTTP client against hostile web servers on loopback (issue 13).

Content-Encoding chains that nest a bomb, codings the client never asked for, and the
private-address guard on pooled keep-alive connections and on the IPv6 forms that carry
a private IPv4 address inside. Real servers, real sockets: nothing is mocked.
"""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from collections.abc import AsyncIterator

import pytest

from auditor.demo.dns_server import DnsServer
from auditor.demo.web_server import Response, WebServer, encoded_bomb, html, redirect
from auditor.net.connect import is_private_address
from auditor.services import Services
from auditor.testing import loopback_options

ZONE = """
$ORIGIN hostile.example.
$TTL 300
@       SOA ns1 hostmaster 1 7200 3600 1209600 300
@       NS  ns1
ns1     A   127.0.0.1
inside  A   127.0.0.1
public  A   81.2.69.142
nat64   AAAA 64:ff9b::7f00:1
sixto4  AAAA 2002:7f00:1::1
compat  AAAA ::127.0.0.1
sitelocal AAAA fec0::1
"""
HOSTS = ["inside.hostile.example", "public.hostile.example"]
CAP = 1024 * 1024
PAGE = b"<html><body>" + b"<p>an honest page</p>\n" * 2000 + b"</body></html>"


@pytest.fixture
async def servers() -> AsyncIterator[tuple[DnsServer, WebServer]]:
    async with DnsServer([ZONE]) as dns_server, WebServer(hostnames=HOSTS) as web:
        yield dns_server, web


def services(dns_server: DnsServer, web: WebServer) -> Services:
    return Services(loopback_options(dns_server.port, web, dns_timeout=0.5, http_timeout=5.0))


def encoded(body: bytes, *codings: str) -> bytes:
    for coding in codings:  # in the order applied, as the header lists them
        if coding in ("gzip", "x-gzip"):
            body = gzip.compress(body)
        elif coding == "deflate":
            body = zlib.compress(body)
        elif coding == "raw-deflate":
            compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
            body = compressor.compress(body) + compressor.flush()
    return body


@pytest.mark.parametrize("codings", ["gzip, gzip", "identity, gzip", "gzip, deflate, gzip",
                                     "x-gzip, identity, gzip", "gzip,gzip,gzip"])  # fmt: skip
async def test_every_encoding_chain_is_decoded_within_the_cap(
    servers: tuple[DnsServer, WebServer], codings: str
) -> None:
    dns_server, web = servers
    web.route("inside.hostile.example", "/", encoded_bomb(codings))
    async with services(dns_server, web) as s:
        tracemalloc.start()
        try:
            result = await s.http.fetch("https://inside.hostile.example/", max_bytes=CAP)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert result.ok, result.error
    assert result.truncated and len(result.body) == CAP
    assert result.body == bytes(CAP)  # the bomb's zeros, decoded through every layer
    # httpx's own MultiDecoder inflates the whole 64 MB at once; bounded, it is a few MB.
    assert peak < 24 * 1024 * 1024, f"peak traced memory {peak / 2**20:.0f} MB"


async def test_two_content_encoding_headers_are_one_chain(
    servers: tuple[DnsServer, WebServer],
) -> None:
    dns_server, web = servers
    bomb = encoded_bomb("gzip, gzip").body
    headers = (("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
               ("Content-Encoding", "gzip"))  # fmt: skip
    web.route("inside.hostile.example", "/", Response(200, headers, bomb))
    async with services(dns_server, web) as s:
        result = await s.http.fetch("https://inside.hostile.example/", max_bytes=CAP)
    assert result.truncated and len(result.body) == CAP and result.body == bytes(CAP)


@pytest.mark.parametrize(
    ("header", "layers"),
    [
        ("gzip", ("gzip",)),
        ("x-gzip", ("gzip",)),
        ("deflate", ("deflate",)),
        ("deflate", ("raw-deflate",)),  # raw deflate, as some servers send it
        ("gzip, gzip", ("gzip", "gzip")),
        ("identity", ()),
        ("Identity, GZIP", ("gzip",)),
    ],
)
async def test_honest_chains_decode_to_the_whole_page(
    servers: tuple[DnsServer, WebServer], header: str, layers: tuple[str, ...]
) -> None:
    dns_server, web = servers
    headers = (("Content-Type", "text/html"), ("Content-Encoding", header))
    web.route("inside.hostile.example", "/", Response(200, headers, encoded(PAGE, *layers)))
    async with services(dns_server, web) as s:
        result = await s.http.fetch("https://inside.hostile.example/", max_bytes=CAP)
    assert result.ok and not result.truncated, result.error
    assert result.body == PAGE


@pytest.mark.parametrize("coding", ["br", "zstd", "compress", "gzip, br", "x-custom", "br, gzip"])
async def test_a_coding_never_asked_for_is_could_not_read(
    servers: tuple[DnsServer, WebServer], coding: str
) -> None:
    dns_server, web = servers
    headers = (("Content-Type", "text/html"), ("Content-Encoding", coding))
    web.route("inside.hostile.example", "/", Response(200, headers, PAGE))
    async with services(dns_server, web) as s:
        result = await s.http.fetch("https://inside.hostile.example/")
    assert not result.ok and result.body == b""
    assert result.error_kind == "encoding"
    assert "could not read" in result.error and "does not decode" in result.error
    # What was asked for is explicit, so a server has no excuse.
    asked = web.requests_to("inside.hostile.example")[-1].header("accept-encoding")
    assert asked == "gzip, deflate"


async def test_corrupt_compressed_data_is_could_not_read(
    servers: tuple[DnsServer, WebServer],
) -> None:
    dns_server, web = servers
    headers = (("Content-Type", "text/html"), ("Content-Encoding", "gzip"))
    web.route("inside.hostile.example", "/", Response(200, headers, b"\x1f\x8b" + PAGE))
    async with services(dns_server, web) as s:
        result = await s.http.fetch("https://inside.hostile.example/")
    assert result.error_kind == "encoding" and "corrupt" in result.error


async def test_a_redirect_with_an_undecodable_body_is_still_followed(
    servers: tuple[DnsServer, WebServer],
) -> None:
    dns_server, web = servers
    moved = Response(
        301, (("Location", "/page"), ("Content-Encoding", "br")), b"\xce\xb2\x00garbage"
    )
    web.route("inside.hostile.example", "/", moved)
    web.route("inside.hostile.example", "/page", html("<p>here</p>"))
    async with services(dns_server, web) as s:
        result = await s.http.fetch("https://inside.hostile.example/")
    assert result.ok and b"here" in result.body


async def test_a_pooled_connection_never_carries_a_public_redirect_into_loopback(
    servers: tuple[DnsServer, WebServer],
) -> None:
    # First an allowed fetch (a loopback start URL) leaves a keep-alive connection to the
    # internal host in the pool; then a public page redirects to that same host. The guard
    # must refuse the second, although a connection to the host is already open.
    dns_server, web = servers
    web.route("inside.hostile.example", "/", html("<p>the lab's own page</p>"))
    web.route("inside.hostile.example", "/secret", html("<p>internal</p>"))
    web.route("public.hostile.example", "/", redirect("https://inside.hostile.example/secret"))
    async with services(dns_server, web) as s:
        seeded = await s.http.fetch("https://inside.hostile.example/")
        assert seeded.ok
        result = await s.http.fetch("https://public.hostile.example/")
        assert result.error_kind == "blocked", result
        assert "private or loopback" in result.error
        again = await s.http.fetch("https://public.hostile.example/", origin=None)
        assert again.error_kind == "blocked"
    assert [r.path for r in web.requests_to("inside.hostile.example")] == ["/"]


@pytest.mark.parametrize("host", ["nat64", "sixto4", "compat", "sitelocal"])
async def test_ipv6_forms_of_private_addresses_are_refused_from_a_public_start(
    servers: tuple[DnsServer, WebServer], host: str
) -> None:
    dns_server, web = servers
    target = f"https://{host}.hostile.example/"
    web.route("public.hostile.example", "/", redirect(target))
    async with services(dns_server, web) as s:
        result = await s.http.fetch("https://public.hostile.example/")
    assert result.error_kind == "blocked", result
    assert result.final_url == target


@pytest.mark.parametrize(
    ("address", "private"),
    [
        ("64:ff9b::7f00:1", True),  # NAT64 of 127.0.0.1
        ("64:ff9b::a00:1", True),  # NAT64 of 10.0.0.1
        ("64:ff9b::c0a8:101", True),  # NAT64 of 192.168.1.1
        ("64:ff9b::808:808", False),  # NAT64 of a public address reaches that address
        ("64:ff9b:1::8.8.8.8", True),  # local-use NAT64 (RFC 8215): never public
        ("2002:7f00:1::1", True),  # 6to4 of 127.0.0.1
        ("2002:a9fe:a9fe::1", True),  # 6to4 of 169.254.169.254 (cloud metadata)
        ("2002:0808:0808::1", False),
        ("::127.0.0.1", True),  # IPv4-compatible (deprecated)
        ("::8.8.8.8", True),
        ("::ffff:10.0.0.1", True),  # IPv4-mapped
        ("::ffff:169.254.169.254", True),
        ("::ffff:81.2.69.142", False),
        ("fec0::1", True),  # site-local (deprecated, still routed inside)
        ("fc00::1", True),
        ("fe80::1%eth0", True),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", True),  # Teredo
        ("100.64.0.1", True),
        ("198.18.0.1", True),
        ("240.0.0.1", True),
        ("255.255.255.255", True),
        ("224.0.0.1", True),
        ("81.2.69.142", False),
        ("2a00:1450:4009:80b::200e", False),
        ("not an address", True),  # what the guard cannot judge, it refuses
    ],
)
def test_what_is_not_the_public_internet(address: str, private: bool) -> None:
    assert is_private_address(address) is private
