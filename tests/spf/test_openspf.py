"""The OpenSPF RFC 7208 test suite, served by the project's loopback DNS server.

Each scenario's ``zonedata`` becomes one root zone ("." so that every name outside the
data is NXDOMAIN, as the suite assumes) and each spec test runs check_host() through the
product's DnsClient against a DnsServer serving it. Conversion notes, following the
reference driver (pyspf's testspf.py):

- ``SPF:`` records are served as type SPF (99) and, unless the name lists ``TXT`` itself
  (``TXT: NONE`` included), also as TXT. check_host() only ever asks for TXT.
- ``TIMEOUT`` makes the server stay silent for the name's queries of any type not listed
  for it, so the client times out (short timeouts keep the run fast).
- TXT text is stored as raw bytes (latin-1 when it fits, so ``"\\xEF"`` is one byte);
  a TXT with no strings cannot be expressed in dnspython and is left out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rdtypes.ANY.MX
import dns.rdtypes.ANY.SPF
import dns.rdtypes.ANY.TXT
import dns.zone
import pytest
import pytest_asyncio
import yaml

from auditor.demo.dns_server import DnsServer
from auditor.net.dns import DnsClient, Nameserver
from auditor.standards.email.spf_eval import check_mail_from

StartServer = Callable[[DnsServer], Awaitable[None]]
# Vendored with its BSD licence and change log beside it (tests/spf/openspf/), so a fresh clone
# runs the whole suite.
SUITE = Path(__file__).resolve().parent / "openspf" / "rfc7208-tests.yml"
IN = dns.rdataclass.IN


def load_suite() -> list[dict[str, Any]]:
    with SUITE.open("rb") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc]


SCENARIOS = load_suite()


def _slug(text: str) -> str:
    return "-".join(text.lower().split())


def spec_cases() -> Iterator[Any]:
    if not SCENARIOS:
        yield pytest.param(-1, "", id="suite-absent")
    for index, scenario in enumerate(SCENARIOS):
        for name in scenario["tests"]:
            yield pytest.param(index, name, id=f"{_slug(scenario['description'])}/{name}")


def _name(text: str) -> dns.name.Name:
    return dns.name.from_text(text if text.endswith(".") else text + ".")


def _strings(value: str | list[str]) -> list[bytes]:
    pieces = [value] if isinstance(value, str) else list(value)
    out: list[bytes] = []
    for piece in pieces:
        try:
            raw = piece.encode("latin-1")
        except UnicodeEncodeError:
            raw = piece.encode("utf-8")
        out.extend(raw[i : i + 255] for i in range(0, len(raw), 255))
        if not raw:
            out.append(b"")
    return out


def _rdata(rtype: str, value: Any) -> dns.rdata.Rdata | None:
    if rtype in ("TXT", "SPF"):
        strings = _strings(value)
        if not strings:
            return None  # "null text": no strings at all is not representable
        cls = dns.rdtypes.ANY.TXT.TXT if rtype == "TXT" else dns.rdtypes.ANY.SPF.SPF
        return cls(IN, dns.rdatatype.from_text(rtype), strings)
    if rtype == "MX":
        preference, exchange = value
        target = dns.name.root if not exchange else _name(exchange)
        return dns.rdtypes.ANY.MX.MX(IN, dns.rdatatype.MX, int(preference), target)  # type: ignore[no-untyped-call]
    if rtype in ("PTR", "CNAME"):
        return dns.rdata.from_text(IN, dns.rdatatype.from_text(rtype), _name(value).to_text())
    return dns.rdata.from_text(IN, dns.rdatatype.from_text(rtype), str(value))


def build_zone(zonedata: dict[str, list[Any]]) -> tuple[dns.zone.Zone, dict[str, set[str]]]:
    """The scenario as one root zone, and for TIMEOUT names the types that do answer."""
    zone = dns.zone.Zone(dns.name.root, relativize=False)

    def add(owner: dns.name.Name, rdata: dns.rdata.Rdata) -> None:
        node = zone.find_node(owner, create=True)
        rdataset = node.find_rdataset(IN, rdata.rdtype, create=True)
        rdataset.add(rdata, 300)

    add(dns.name.root, dns.rdata.from_text(IN, dns.rdatatype.SOA, "ns. host. 1 3600 600 86400 60"))
    add(dns.name.root, dns.rdata.from_text(IN, dns.rdatatype.NS, "ns."))
    timeouts: dict[str, set[str]] = {}
    for owner_text, entries in zonedata.items():
        owner = _name(owner_text)
        answered: set[str] = set()
        timeout = False
        spf: list[Any] = []
        has_txt = False
        for entry in entries:
            if entry == "TIMEOUT":
                timeout = True
                continue
            ((rtype, value),) = entry.items()
            has_txt = has_txt or rtype == "TXT"
            if value == "NONE":
                continue
            if not timeout:
                answered.add(rtype)
            if rtype == "SPF":
                spf.append(value)
            rdata = _rdata(rtype, value)
            if rdata is not None:
                add(owner, rdata)
        if not has_txt:
            for value in spf:
                rdata = _rdata("TXT", value)
                if rdata is not None:
                    add(owner, rdata)
        if timeout:
            timeouts[owner.to_text(omit_final_dot=True).lower()] = answered
    return zone, timeouts


class SuiteDnsServer(DnsServer):
    """The project's server plus the suite's TIMEOUT: silence for one name and type.

    One server serves the whole suite; ``load`` swaps in a scenario's root zone.
    """

    def __init__(self) -> None:
        super().__init__()
        self.timeouts: dict[str, set[str]] = {}
        self.loaded = -1
        self.silenced = 0

    def load(self, index: int) -> None:
        if index != self.loaded:
            zone, self.timeouts = build_zone(SCENARIOS[index]["zonedata"])
            self.add_zone(zone)  # replaces the previous root zone
            self.loaded = index

    async def handle(self, data: bytes, transport: str) -> bytes | None:
        try:
            question = dns.message.from_wire(data).question[0]
        except Exception:
            return await super().handle(data, transport)
        name = question.name.to_text(omit_final_dot=True).lower()
        answered = self.timeouts.get(name)
        if answered is not None and dns.rdatatype.to_text(question.rdtype) not in answered:
            self.silenced += 1
            return None
        return await super().handle(data, transport)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def suite_server(start_server: StartServer) -> AsyncIterator[SuiteDnsServer]:
    server = SuiteDnsServer()
    await start_server(server)
    try:
        yield server
    finally:
        await server.stop()


def test_suite_is_loaded() -> None:
    assert sum(len(s["tests"]) for s in SCENARIOS) > 150


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(("scenario_index", "test_name"), list(spec_cases()))
async def test_openspf(suite_server: SuiteDnsServer, scenario_index: int, test_name: str) -> None:
    scenario = SCENARIOS[scenario_index]
    case = scenario["tests"][test_name]
    suite_server.load(scenario_index)
    with DnsClient([Nameserver("127.0.0.1", suite_server.port)], timeout=0.3, attempts=1) as client:
        verdict = await check_mail_from(
            client,
            case["host"],
            case["mailfrom"],
            case["helo"],
            default_explanation="DEFAULT",
        )
    expected = case["result"]
    accepted = expected if isinstance(expected, list) else [expected]
    trace = "\n".join(verdict.trace)
    assert verdict.result.value in accepted, (
        f"{test_name} (spec {case.get('spec')}): got {verdict.result.value}, "
        f"expected {accepted}; {verdict.reason}\n{trace}"
    )
    if "explanation" in case and verdict.result.value == "fail":
        assert verdict.explanation == case["explanation"], trace
