"""The shared-socket UDP path of the DNS client against scripted servers on loopback.

Each server here is a real UDP socket on 127.0.0.1 whose replies a test scripts (decoys
with the wrong ID or question, upper-case echoes, errors without a question section), so
the client's matching rules are checked on the wire.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable

import dns.asyncquery
import dns.message
import dns.rcode
import dns.rrset
import pytest

from auditor.demo.dns_server import DnsServer
from auditor.net.dns import DnsClient, DnsOutcome, Nameserver
from auditor.net.dns_udp import UdpExchanger

Script = Callable[[dns.message.Message], list[bytes]]


def answer(query: dns.message.Message, text: str = "v=spf1 -all") -> dns.message.Message:
    response = dns.message.make_response(query)
    record = dns.rrset.from_text(query.question[0].name, 300, "IN", "TXT", f'"{text}"')
    response.answer.append(record)
    return response


class Scripted(asyncio.DatagramProtocol):
    def __init__(self, script: Script) -> None:
        self.script = script
        self.transport: asyncio.DatagramTransport | None = None
        self.received = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.received += 1
        assert self.transport is not None
        for reply in self.script(dns.message.from_wire(data)):
            self.transport.sendto(reply, addr)


@pytest.fixture
async def scripted() -> AsyncIterator[Callable[[Script], asyncio.Future[tuple[int, Scripted]]]]:
    transports: list[asyncio.DatagramTransport] = []

    async def start(script: Script) -> tuple[int, Scripted]:
        loop = asyncio.get_running_loop()
        transport, protocol = await loop.create_datagram_endpoint(
            lambda: Scripted(script), local_addr=("127.0.0.1", 0)
        )
        transports.append(transport)
        return transport.get_extra_info("sockname")[1], protocol

    yield start  # type: ignore[misc]
    for transport in transports:
        transport.close()


def client(port: int, **kwargs: object) -> DnsClient:
    options: dict[str, object] = {"timeout": 0.5, "attempts": 1}
    options.update(kwargs)
    return DnsClient([Nameserver("127.0.0.1", port)], **options)  # type: ignore[arg-type]


async def test_decoys_with_another_id_or_question_are_ignored(scripted) -> None:  # type: ignore[no-untyped-def]
    def script(query: dns.message.Message) -> list[bytes]:
        other_question = dns.message.make_query("decoy.example", "TXT", id=query.id)
        wrong_id = answer(query, "v=spf1 +all")
        wrong_id.id = (query.id + 1) % 65536
        return [
            answer(other_question, "v=spf1 +all").to_wire(),
            wrong_id.to_wire(),
            b"\x00",  # garbage
            answer(query).to_wire(),
        ]

    port, server = await scripted(script)
    with client(port) as dns_client:
        result = await dns_client.txt("example.org.uk")
    assert result.outcome is DnsOutcome.OK
    assert result.records == ("v=spf1 -all",)
    assert server.received == 1


async def test_only_wrong_answers_time_out(scripted) -> None:  # type: ignore[no-untyped-def]
    def script(query: dns.message.Message) -> list[bytes]:
        wrong = answer(query)
        wrong.id = (query.id + 1) % 65536
        return [wrong.to_wire()]

    port, _server = await scripted(script)
    with client(port, timeout=0.2) as dns_client:
        result = await dns_client.txt("example.org.uk")
    assert result.outcome is DnsOutcome.TIMEOUT


async def test_the_question_echo_may_differ_in_case(scripted) -> None:  # type: ignore[no-untyped-def]
    def script(query: dns.message.Message) -> list[bytes]:
        shouted = dns.message.make_query(
            query.question[0].name.to_text().upper(), "TXT", id=query.id
        )
        return [answer(shouted).to_wire()]

    port, _server = await scripted(script)
    with client(port) as dns_client:
        result = await dns_client.txt("mixed.example.org.uk")
    assert result.outcome is DnsOutcome.OK
    assert result.records == ("v=spf1 -all",)


async def test_an_error_without_a_question_section_is_accepted(scripted) -> None:  # type: ignore[no-untyped-def]
    def script(query: dns.message.Message) -> list[bytes]:
        response = dns.message.make_response(query)
        response.set_rcode(dns.rcode.REFUSED)
        response.question = []
        return [response.to_wire()]

    port, _server = await scripted(script)
    with client(port) as dns_client:
        result = await dns_client.txt("example.org.uk")
    assert result.outcome is DnsOutcome.REFUSED
    assert result.could_not_check


async def test_a_closed_port_is_an_error_not_an_absence() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with client(port, timeout=0.3) as dns_client:
        result = await dns_client.txt("example.org.uk")
    assert result.could_not_check
    assert result.outcome in (DnsOutcome.ERROR, DnsOutcome.TIMEOUT)


async def test_a_hostname_is_not_a_nameserver_address() -> None:
    with DnsClient([Nameserver("localhost", 53)], timeout=0.3, attempts=1) as dns_client:
        result = await dns_client.txt("example.org.uk")
    assert result.outcome is DnsOutcome.ERROR
    assert "ValueError" in result.error


ZONE = """
$ORIGIN rotate.example.
$TTL 300
@    SOA ns1 hostmaster 1 7200 3600 1209600 300
@    NS  ns1
ns1  A   127.0.0.1
*    TXT "v=spf1 -all"
"""


class CountingExchanger(UdpExchanger):
    opened = 0

    async def _open(self):  # type: ignore[no-untyped-def]
        self.opened += 1
        return await super()._open()


async def test_sockets_rotate_and_retired_ones_close() -> None:
    async with DnsServer([ZONE]) as server:
        exchanger = CountingExchanger("127.0.0.1", server.port, rotate_after=3)
        dns_client = client(server.port)
        dns_client._exchangers[Nameserver("127.0.0.1", server.port)] = exchanger
        for index in range(7):
            result = await dns_client.txt(f"one{index}.rotate.example")
            assert result.records == ("v=spf1 -all",)
        assert exchanger.opened == 3  # a new socket (and source port) every 3 queries
        answers = await asyncio.gather(
            *(dns_client.txt(f"many{index}.rotate.example") for index in range(40))
        )
        assert all(a.outcome is DnsOutcome.OK for a in answers)
        await asyncio.sleep(0)
        assert len(exchanger._open_channels) <= 1  # the retired sockets were closed
        dns_client.close()
        await asyncio.sleep(0)
        assert not exchanger._open_channels


async def test_fast_txt_answers_carry_the_same_records_as_dnspython() -> None:
    zone = """
$ORIGIN fast.example.
$TTL 300
@      SOA ns1 hostmaster 1 7200 3600 1209600 300
@      NS  ns1
ns1    A   127.0.0.1
split  TXT "v=spf1 " "include:a.example" " -all"
split  TXT "second"
alias  CNAME split
"""
    async with DnsServer([zone]) as server:
        with client(server.port) as dns_client:
            for name in ("split.fast.example", "alias.fast.example"):
                ours = await dns_client.txt(name)
                query = dns.message.make_query(name, "TXT", use_edns=0, payload=1232)
                reference = await dns.asyncquery.udp(
                    query, "127.0.0.1", port=server.port, timeout=1
                )
                expected = reference.answer[-1]
                assert set(ours.rdata) == set(expected) and len(ours.rdata) == len(expected)
                assert {r.strings for r in ours.rdata} == {r.strings for r in expected}  # type: ignore[attr-defined]
                assert sorted(ours.records) == ["second", "v=spf1 include:a.example -all"]
            alias = await dns_client.txt("alias.fast.example")
            assert alias.cname_chain == ("split.fast.example",)


@pytest.mark.parametrize(
    ("rdtype", "first", "second", "expected"),
    [
        ("TXT", '"v=spf1 -all"', '"v=spf1 -all"', ["v=spf1 -all"]),
        # Names compare in canonical form (lower case), as in dnspython's RRset.
        ("MX", "10 mail.example.org.uk.", "10 MAIL.Example.org.uk.", ["10 mail.example.org.uk."]),
        ("MX", "10 mail.example.org.uk.", "20 backup.example.org.uk.",
         ["10 mail.example.org.uk.", "20 backup.example.org.uk."]),
    ],
)  # fmt: skip
async def test_a_record_sent_twice_counts_once(  # type: ignore[no-untyped-def]
    scripted, rdtype: str, first: str, second: str, expected: list[str]
) -> None:
    def script(query: dns.message.Message) -> list[bytes]:
        response = dns.message.make_response(query)
        name = query.question[0].name
        # Two RRsets of the same name and type: the record appears twice on the wire.
        response.answer.append(dns.rrset.from_text(name, 300, "IN", rdtype, first))
        response.answer.append(dns.rrset.from_text(name, 300, "IN", rdtype, second))
        return [response.to_wire()]

    port, _server = await scripted(script)
    with client(port) as dns_client:
        result = await dns_client.query("example.org.uk", rdtype)
    assert result.outcome is DnsOutcome.OK
    assert sorted(r.lower() for r in result.records) == expected
    assert len(result.rdata) == len(expected)
