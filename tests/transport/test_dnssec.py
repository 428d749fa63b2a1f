"""DNSSEC chain validation, domain.dnssec and email.dane against a loopback DNS server that
serves a small signed hierarchy under its own trust anchor (test-anchor.example)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dns.dnssec
import dns.dnssectypes
import dns.message
import dns.name
import dns.rdatatype
import dns.zone
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from auditor.demo.dns_server import DnsServer, zone_from_records
from auditor.model import Finding, Status
from auditor.net.dns import DnsClient, Nameserver
from auditor.services import Services
from auditor.standards.domain.dnssec_chain import (
    ANCHOR_ENV,
    AnchorError,
    ChainState,
    parse_anchors,
    validate_chain,
    validate_rrset,
)
from checks.domain.dnssec import DnssecCheck
from checks.email.dane import DaneCheck, tlsa_problems

MakeServices = Callable[..., Services]
RunCheck = Callable[..., Awaitable[list[Finding]]]
Key = tuple[ed25519.Ed25519PrivateKey, dns.dnssec.DNSKEY]  # type: ignore[name-defined]
ANCHOR = "test-anchor.example"
NOW = datetime.now(UTC)
SHA256_HEX = "ab" * 32


def new_key() -> Key:
    private = ed25519.Ed25519PrivateKey.generate()
    return private, dns.dnssec.make_dnskey(
        private.public_key(), dns.dnssectypes.Algorithm.ED25519, flags=257
    )


def signed(
    origin: str,
    records: list[tuple[str, str, list[str]]],
    key: Key,
    *,
    expired: bool = False,
) -> dns.zone.Zone:
    zone = zone_from_records(origin, records)
    inception, expiration = NOW - timedelta(hours=1), NOW + timedelta(days=7)
    if expired:
        inception, expiration = NOW - timedelta(days=30), NOW - timedelta(days=2)
    with zone.writer() as txn:
        dns.dnssec.sign_zone(zone, txn=txn, keys=[key], inception=inception, expiration=expiration)
    return zone


def ds_text(name: str, key: Key) -> str:
    return dns.dnssec.make_ds(f"{name}.", key[1], "SHA256").to_text()


@pytest.fixture
async def dns_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DnsServer]:
    keys = {name: new_key() for name in ("anchor", "good", "bogus", "expired", "nods", "other")}
    children = {
        "good": [
            ("@", "MX", ["10 mx.good.test-anchor.example."]),
            ("mx", "A", ["127.0.0.1"]),
            ("_25._tcp.mx", "TLSA", [f"3 1 1 {SHA256_HEX}"]),
            ("mx2", "A", ["127.0.0.1"]),
            ("_25._tcp.mx2", "TLSA", [f"4 1 1 {SHA256_HEX}"]),
            ("mx3", "A", ["127.0.0.1"]),
            ("mx4", "A", ["127.0.0.1"]),
            ("_25._tcp.mx4", "TLSA", [f"1 0 1 {SHA256_HEX}"]),
            ("short", "MX", ["10 mx2.good.test-anchor.example."]),
            ("notlsa", "MX", ["10 mx3.good.test-anchor.example."]),
            ("pkix", "MX", ["10 mx4.good.test-anchor.example."]),
            ("unsignedmx", "MX", ["10 mx.unsigned.test-anchor.example."]),
            ("www", "A", ["127.0.0.1"]),
        ],
        "bogus": [("www", "A", ["127.0.0.1"])],
        "expired": [("www", "A", ["127.0.0.1"])],
        "nods": [("www", "A", ["127.0.0.1"])],
    }
    parent_records: list[tuple[str, str, list[str]]] = []
    for child in (*children, "unsigned"):
        parent_records.append((child, "NS", ["ns.elsewhere.invalid."]))
    parent_records += [
        ("good", "DS", [ds_text(f"good.{ANCHOR}", keys["good"])]),
        ("bogus", "DS", [ds_text(f"bogus.{ANCHOR}", keys["other"])]),
        ("expired", "DS", [ds_text(f"expired.{ANCHOR}", keys["expired"])]),
    ]
    zones = [signed(ANCHOR, parent_records, keys["anchor"])]
    for child, records in children.items():
        zones.append(signed(f"{child}.{ANCHOR}", records, keys[child], expired=child == "expired"))
    zones.append(
        zone_from_records(
            f"unsigned.{ANCHOR}", [("www", "A", ["127.0.0.1"]), ("mx", "A", ["127.0.0.1"])]
        )
    )
    anchor_file = tmp_path / "anchors.txt"
    anchor_file.write_text(
        f"; test anchor\n{ANCHOR}. 3600 IN DS {ds_text(ANCHOR, keys['anchor'])}\n"
    )
    monkeypatch.setenv(ANCHOR_ENV, str(anchor_file))
    async with DnsServer(zones=zones) as server:
        yield server


# -- the pure parts ---------------------------------------------------------------------------


def test_anchor_parsing() -> None:
    text = Path("auditor/standards/data/root-anchors.txt").read_text()
    anchors = parse_anchors(text)
    assert [r.to_text().split()[0] for r in anchors[dns.name.root]] == ["20326", "38696"]
    with pytest.raises(AnchorError):
        parse_anchors("; nothing here\n")
    with pytest.raises(AnchorError):
        parse_anchors(". IN DS not-a-number 8 2 AB\n")


def test_tlsa_field_checks() -> None:
    good = (3, 1, 1, bytes(32))
    assert tlsa_problems([good]) == ([], [])
    errors, _ = tlsa_problems([(3, 1, 1, bytes(2))])
    assert "2-byte digest" in errors[0]
    errors, _ = tlsa_problems([(4, 1, 1, bytes(32))])
    assert errors
    _, advice = tlsa_problems([(1, 0, 1, bytes(32))])
    assert "PKIX" in advice[0]


# -- the chain validator on messages from the loopback server --------------------------------


@pytest.fixture
async def client(dns_world: DnsServer) -> AsyncIterator[DnsClient]:
    with DnsClient([Nameserver("127.0.0.1", dns_world.port)], timeout=0.5, attempts=1) as client:
        yield client


async def chain_for(client: DnsClient, name: str):  # type: ignore[no-untyped-def]
    from auditor.standards.domain.dnssec_chain import load_anchors

    anchors, _ = load_anchors()
    return await validate_chain(client, name, anchors, NOW)


async def test_valid_chain_and_signed_rrset(client: DnsClient) -> None:
    chain = await chain_for(client, f"www.good.{ANCHOR}")
    assert chain.state is ChainState.SECURE, chain.reason
    assert chain.zone == f"good.{ANCHOR}"
    rrset = await validate_rrset(client, f"www.good.{ANCHOR}", "A", chain, NOW)
    assert rrset.state is ChainState.SECURE
    # The same signatures, judged a month later, have expired.
    later = await validate_rrset(client, f"www.good.{ANCHOR}", "A", chain, NOW + timedelta(days=30))
    assert later.state is ChainState.BOGUS and "expired on" in later.reason


async def test_dane_name_through_empty_non_terminal(client: DnsClient) -> None:
    chain = await chain_for(client, f"_25._tcp.mx.good.{ANCHOR}")
    assert chain.state is ChainState.SECURE, chain.reason
    result = await validate_rrset(client, f"_25._tcp.mx.good.{ANCHOR}", "TLSA", chain, NOW)
    assert result.state is ChainState.SECURE


@pytest.mark.parametrize(
    ("name", "state", "words"),
    [
        (
            f"bogus.{ANCHOR}",
            ChainState.BOGUS,
            f"DS for bogus.{ANCHOR} at {ANCHOR} does not match any DNSKEY",
        ),
        (f"expired.{ANCHOR}", ChainState.BOGUS, f"RRSIG over expired.{ANCHOR} DNSKEY expired on"),
        (f"nods.{ANCHOR}", ChainState.INSECURE, "without a DS record"),
        (f"www.unsigned.{ANCHOR}", ChainState.INSECURE, "without a DS record"),
        ("elsewhere.example", ChainState.INDETERMINATE, "no trust anchor"),
    ],
)
async def test_broken_links_are_named(
    client: DnsClient, name: str, state: ChainState, words: str
) -> None:
    chain = await chain_for(client, name)
    assert chain.state is state
    assert words in chain.reason


# -- the checks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "status", "words"),
    [
        (f"good.{ANCHOR}", Status.PASS, "chain of trust validates"),
        (f"bogus.{ANCHOR}", Status.FAIL, "does not match any DNSKEY"),
        (f"expired.{ANCHOR}", Status.FAIL, "expired on"),
        # An island: signed, the parent proves there is no DS: insecure, as unsigned is.
        (f"nods.{ANCHOR}", Status.WARN, f"{ANCHOR} has no DS record for it"),
        (f"unsigned.{ANCHOR}", Status.WARN, "not signed"),
    ],
)
async def test_dnssec_check(
    dns_world: DnsServer,
    services_for: MakeServices,
    run: RunCheck,
    domain: str,
    status: Status,
    words: str,
) -> None:
    [finding] = await run(DnssecCheck, domain, services_for(dns_world.port))
    assert finding.status is status, finding.message
    assert words in finding.message
    assert finding.evidence[0].detail["state"]


async def test_an_island_names_the_missing_ds_and_the_fix_at_the_unsigned_level(
    dns_world: DnsServer, services_for: MakeServices, run: RunCheck
) -> None:
    [island] = await run(DnssecCheck, f"nods.{ANCHOR}", services_for(dns_world.port))
    [unsigned] = await run(DnssecCheck, f"unsigned.{ANCHOR}", services_for(dns_world.port))
    assert (island.status, island.severity) == (unsigned.status, unsigned.severity)
    assert island.evidence[0].detail["state"] == "insecure"
    assert "Publish its DS record at the registrar (DS " in island.message
    assert island.actions == ("domain.dnssec-publish-ds",)
    keys = dns.message.make_query(f"nods.{ANCHOR}", "DNSKEY")  # the DS named is the key's own
    answer = dns.message.from_wire(await dns_world.handle(keys.to_wire(), "udp") or b"")
    [dnskey_rrset] = [r for r in answer.answer if r.rdtype == dns.rdatatype.DNSKEY]
    expected = dns.dnssec.make_ds(f"nods.{ANCHOR}.", next(iter(dnskey_rrset)), "SHA256")
    assert expected.to_text() in island.message


async def test_dnssec_dns_failure_is_could_not_check(
    dns_world: DnsServer, services_for: MakeServices, run: RunCheck
) -> None:
    dns_world.faults.set(f"good.{ANCHOR}", "servfail")
    [finding] = await run(DnssecCheck, f"good.{ANCHOR}", services_for(dns_world.port))
    assert finding.status is Status.ERROR


@pytest.mark.parametrize(
    ("domain", "status"),
    [
        (f"good.{ANCHOR}", Status.PASS),
        (f"short.good.{ANCHOR}", Status.FAIL),
        (f"notlsa.good.{ANCHOR}", Status.WARN),
        (f"pkix.good.{ANCHOR}", Status.WARN),
        (f"unsignedmx.good.{ANCHOR}", Status.NOT_APPLICABLE),  # no DNSSEC, no DANE
    ],
)
async def test_dane_check(
    dns_world: DnsServer, services_for: MakeServices, run: RunCheck, domain: str, status: Status
) -> None:
    [finding] = await run(DaneCheck, domain, services_for(dns_world.port))
    assert finding.status is status, finding.message


def test_nsec3_proves_an_unsigned_delegation() -> None:
    """The demo server proves absence with NSEC only, so the NSEC3 path is checked on a
    response built from an NSEC3-signed zone (as a recursive resolver would relay it)."""
    import dns.rdataclass
    import dns.rrset

    from auditor.standards.domain.dnssec_chain import _has_type, _nsec3_proof, check_signature

    key = new_key()
    apex = dns.name.from_text(f"{ANCHOR}.")
    child = dns.name.from_text(f"plain.{ANCHOR}.")
    hashed = dns.dnssec.nsec3_hash(child, None, 0, 1)
    owner = dns.name.from_text(f"{hashed.lower()}.{ANCHOR}.")
    following = "V" * len(hashed)  # the next hash in the chain (any later value)
    nsec3 = dns.rrset.from_text(owner, 300, "IN", "NSEC3", f"1 0 0 - {following} NS")
    signature = dns.dnssec.sign(
        nsec3, key[0], apex, key[1],
        inception=NOW - timedelta(hours=1), expiration=NOW + timedelta(days=1),
    )  # fmt: skip
    sig_rrset = dns.rrset.RRset(owner, dns.rdataclass.IN, dns.rdatatype.RRSIG, dns.rdatatype.NSEC3)
    sig_rrset.add(signature)
    response = dns.message.make_response(dns.message.make_query(child, "DS", want_dnssec=True))
    response.authority.extend([nsec3, sig_rrset])
    proof = _nsec3_proof(response, child)
    assert proof is not None
    nsec3, sigs, exact = proof
    assert exact and _has_type(nsec3, dns.rdatatype.NS) and not _has_type(nsec3, dns.rdatatype.DS)
    keys = dns.rrset.RRset(
        dns.name.from_text(f"{ANCHOR}."), dns.rdataclass.IN, dns.rdatatype.DNSKEY
    )
    keys.add(key[1])
    assert check_signature(nsec3, sigs, keys, NOW.timestamp(), "NSEC3") == ""
    # A proof for another name is not accepted as exact.
    other = _nsec3_proof(response, dns.name.from_text(f"www.{ANCHOR}."))
    assert other is None or other[2] is False
