"""The audit's DNS and HTTP clients against real loopback servers: honest outcomes,
shared lookups, TCP fallback, --connect-to, size caps and the private-address guard."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from auditor.answers import fetch_status
from auditor.demo.dns_server import DnsServer
from auditor.demo.web_server import WebServer, html, redirect
from auditor.net.connect import ConnectRule, is_private_address
from auditor.net.dns import DnsClient, DnsOutcome, Nameserver, _Slots
from auditor.net.failures import Failure
from auditor.services import Services
from auditor.testing import loopback_options
from auditor.vocabulary import Status

ZONE = """
$ORIGIN net.example.
$TTL 300
@       SOA ns1 hostmaster 1 7200 3600 1209600 300
@       NS  ns1
ns1     A   127.0.0.1
www     A   127.0.0.1
public  A   81.2.69.142
alias   CNAME www
loop1   CNAME loop2
loop2   CNAME loop1
outside CNAME www.other.example.
big     TXT "{big}"
split   TXT "v=spf1 " "include:a.example" " -all"
_dmarc.deep.sub TXT "v=DMARC1; p=reject"
"""
OTHER = """
$ORIGIN other.example.
$TTL 300
@   SOA ns1.net.example. hostmaster.net.example. 1 7200 3600 1209600 300
@   NS  ns1.net.example.
www A   127.0.0.2
"""


@pytest.fixture
async def dns_server() -> AsyncIterator[DnsServer]:
    big = " ".join(["x" * 200] * 10)  # about 2 KB: needs TCP at a 1232-byte payload
    zone = ZONE.replace("{big}", '" "'.join(big.split(" ")))
    async with DnsServer([zone, OTHER]) as server:
        yield server


def client(server: DnsServer, **kwargs: object) -> DnsClient:
    options: dict[str, object] = {"timeout": 0.3, "attempts": 1}
    options.update(kwargs)
    return DnsClient([Nameserver("127.0.0.1", server.port)], **options)  # type: ignore[arg-type]


async def test_ok_nodata_and_nxdomain_are_told_apart(dns_server: DnsServer) -> None:
    with client(dns_server) as dns:
        www = await dns.query("www.net.example", "A")
        assert www.outcome is DnsOutcome.OK and www.records == ("127.0.0.1",)
        nodata = await dns.query("www.net.example", "MX")
        assert nodata.outcome is DnsOutcome.NODATA and nodata.absent and nodata.exists
        missing = await dns.query("nope.net.example", "A")
        assert missing.outcome is DnsOutcome.NXDOMAIN and missing.absent and not missing.exists
        ent = await dns.query("deep.sub.net.example", "TXT")  # an empty non-terminal
        assert ent.outcome is DnsOutcome.NODATA


async def test_servfail_refused_and_timeout_are_never_absence(dns_server: DnsServer) -> None:
    with client(dns_server) as dns:
        dns_server.faults.set("sf.net.example", "servfail")
        dns_server.faults.set("quiet.net.example", "timeout")
        servfail = await dns.query("sf.net.example", "TXT")
        assert servfail.outcome is DnsOutcome.SERVFAIL
        refused = await dns.query("elsewhere.invalid", "A")  # outside every zone
        assert refused.outcome is DnsOutcome.REFUSED
        timeout = await dns.query("quiet.net.example", "TXT")
        assert timeout.outcome is DnsOutcome.TIMEOUT
        for answer in (servfail, refused, timeout):
            assert answer.could_not_check and not answer.absent and not answer.exists
            assert "could not check" in answer.describe()


async def test_txt_strings_are_joined_and_big_answers_fall_back_to_tcp(
    dns_server: DnsServer,
) -> None:
    with client(dns_server) as dns:
        split = await dns.txt("split.net.example")
        assert split.records == ("v=spf1 include:a.example -all",)
        big = await dns.txt("big.net.example")
        assert big.ok and len(big.records[0]) > 1500
        transports = {q.transport for q in dns_server.queries if q.qname == "big.net.example"}
        assert transports == {"udp", "tcp"}


async def test_cnames_are_followed_within_and_across_answers_and_loops_stop(
    dns_server: DnsServer,
) -> None:
    with client(dns_server) as dns:
        alias = await dns.query("alias.net.example", "A")
        assert alias.records == ("127.0.0.1",) and alias.cname_chain == ("www.net.example",)
        outside = await dns.query("outside.net.example", "A")
        assert outside.records == ("127.0.0.2",)
        loop = await dns.query("loop1.net.example", "A")
        assert loop.outcome is DnsOutcome.ERROR and "loop" in loop.error


async def test_identical_queries_share_one_lookup(dns_server: DnsServer) -> None:
    with client(dns_server) as dns:
        dns_server.delay = 0.05
        answers = await asyncio.gather(*(dns.query("www.net.example", "A") for _ in range(50)))
        assert {a.outcome for a in answers} == {DnsOutcome.OK}
        assert dns.queries_sent == 1
        assert sum(q.qname == "www.net.example" for q in dns_server.queries) == 1


async def test_a_cancelled_asker_does_not_cancel_the_others(dns_server: DnsServer) -> None:
    """Two checks ask the same question; the first, which is doing the lookup, is cancelled
    (its time limit) while the query is on the wire: the second is not cancelled with it,
    asks again and gets the answer, and that answer is cached."""
    with client(dns_server) as dns:
        dns_server.delay = 0.2
        first = asyncio.ensure_future(dns.query("www.net.example", "A"))
        await asyncio.sleep(0.02)
        second = asyncio.ensure_future(dns.query("www.net.example", "A"))
        await asyncio.sleep(0.02)
        first.cancel()
        answer = await second
        assert first.cancelled()
        assert answer.outcome is DnsOutcome.OK
        assert dns.queries_sent == 2  # the first asker's query, then the second's
        assert (await dns.query("www.net.example", "A")).outcome is DnsOutcome.OK
        assert dns.queries_sent == 2  # from the cache


async def test_an_asker_cancelled_while_waiting_leaves_the_lookup_alone(
    dns_server: DnsServer,
) -> None:
    """The second asker of a question is cancelled while the first looks it up: the first
    still gets its answer from the one query."""
    with client(dns_server) as dns:
        dns_server.delay = 0.2
        first = asyncio.ensure_future(dns.query("www.net.example", "A"))
        await asyncio.sleep(0.02)
        second = asyncio.ensure_future(dns.query("www.net.example", "A"))
        await asyncio.sleep(0.02)
        second.cancel()
        answer = await first
        assert second.cancelled()
        assert answer.outcome is DnsOutcome.OK
        assert dns.queries_sent == 1


async def test_a_dead_nameserver_is_skipped_for_a_live_one(dns_server: DnsServer) -> None:
    # A UDP port with nothing behind it answers ICMP "refused" or nothing at all.
    dead = Nameserver("127.0.0.1", 9)
    with DnsClient(
        [dead, Nameserver("127.0.0.1", dns_server.port)], timeout=0.3, attempts=1
    ) as dns:
        answer = await dns.query("www.net.example", "A")
        assert answer.ok


def test_nameserver_and_connect_to_parsing() -> None:
    assert Nameserver.parse("127.0.0.1:5353") == Nameserver("127.0.0.1", 5353)
    assert Nameserver.parse("[::1]:53") == Nameserver("::1", 53)
    assert Nameserver.parse("::1") == Nameserver("::1", 53)
    for bad in ("host:notaport", "host:53:extra", "a:b:c:d", "[::1]:99999", ""):
        with pytest.raises(ValueError):
            Nameserver.parse(bad)
    rule = ConnectRule.parse("::127.0.0.1:8443")
    assert rule.applies("anything.example", 443) and rule.to_port == 8443
    assert ConnectRule.parse("a.example:443:[::1]:8443").to_host == "::1"
    with pytest.raises(ValueError):
        ConnectRule.parse("a:b:c")


def test_private_address_classification() -> None:
    for address in ("127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.1.1", "::1", "fe80::1",
                    "100.64.0.1", "::ffff:127.0.0.1", "0.0.0.0"):  # fmt: skip
        assert is_private_address(address), address
    for address in ("81.2.69.142", "2a00:1450:4009:80b::200e"):
        assert not is_private_address(address), address


@pytest.fixture
async def web(dns_server: DnsServer) -> AsyncIterator[WebServer]:
    async with WebServer(hostnames=["www.net.example", "public.net.example"]) as server:
        yield server


def services_for(dns_server: DnsServer, web: WebServer) -> Services:
    return Services(loopback_options(dns_server.port, web, dns_timeout=0.3, http_timeout=2.0))


async def test_fetch_uses_our_dns_connect_to_and_trusts_the_given_ca(
    dns_server: DnsServer, web: WebServer
) -> None:
    web.route("www.net.example", "/", html("<h1>hello</h1>"))
    web.route("www.net.example", "/old", redirect("https://www.net.example/"))
    async with services_for(dns_server, web) as services:
        result = await services.http.fetch("http://www.net.example/old")
    assert result.ok and result.status_code == 200, result.error
    assert b"hello" in result.body
    assert result.redirects == ("http://www.net.example/old",)
    assert result.final_url == "https://www.net.example/"
    assert result.peer_certificate is not None and result.tls_version


async def test_body_is_capped_and_failures_are_classified(
    dns_server: DnsServer, web: WebServer
) -> None:
    web.route("www.net.example", "/big", html("x" * 100_000))
    async with services_for(dns_server, web) as services:
        capped = await services.http.fetch("https://www.net.example/big", max_bytes=1000)
        assert capped.truncated and len(capped.body) == 1000
        nxdomain = await services.http.fetch("https://nope.net.example/")
        assert nxdomain.error_kind == "dns" and not nxdomain.ok
        # Named once in the net layer, said once as a status: a name with no address is
        # "could not check" (error), never a time-out, and told apart from a failed lookup.
        assert nxdomain.error_kind is Failure.DNS and nxdomain.no_address
        assert not nxdomain.timed_out and fetch_status(nxdomain) is Status.ERROR
        not_http = await services.http.fetch("ftp://www.net.example/")
        assert not_http.error_kind == "scheme" and not_http.error_kind is Failure.SCHEME
        assert not not_http.no_address and fetch_status(not_http) is Status.ERROR


async def test_public_start_url_cannot_redirect_into_loopback(
    dns_server: DnsServer, web: WebServer
) -> None:
    # public.net.example resolves to a public address (connect-to brings it to loopback);
    # it redirects to www.net.example, whose A record is 127.0.0.1: that hop is refused.
    web.route("public.net.example", "/", redirect("https://www.net.example/secret"))
    web.route("www.net.example", "/secret", html("internal"))
    async with services_for(dns_server, web) as services:
        result = await services.http.fetch("https://public.net.example/")
        assert result.error_kind == "blocked", result
        assert "private or loopback" in result.error
        # A loopback start URL (the demo world, a test site) may stay on loopback.
        inside = await services.http.fetch("https://www.net.example/secret")
        assert inside.ok
    assert not [r for r in web.requests if r.path == "/secret" and r.host == "public.net.example"]
    assert len([r for r in web.requests if r.path == "/secret"]) == 1


async def test_query_slots_are_bounded_first_come_first_served_and_survive_cancels() -> None:
    slots = _Slots(2)
    await slots.acquire()
    await slots.acquire()
    order: list[str] = []

    async def holder(name: str) -> None:
        await slots.acquire()
        order.append(name)

    waiting = [asyncio.ensure_future(holder(n)) for n in ("a", "b", "c")]
    await asyncio.sleep(0)
    assert order == []  # both slots taken: all three wait
    waiting[0].cancel()  # a waiter cancelled while waiting gives up its place
    slots.release()
    await asyncio.sleep(0)
    assert order == ["b"]
    # A slot handed to a waiter that is cancelled before it runs is passed on, not lost.
    slots.release()
    waiting[2].cancel()
    await asyncio.sleep(0)
    assert waiting[2].cancelled() and order == ["b"]
    assert slots._free == 1  # c's slot, passed on with no one waiting
    slots.release()  # b's slot
    await slots.acquire()
    await slots.acquire()
    assert slots._free == 0  # exactly two: none lost, none made up
