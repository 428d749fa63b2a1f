"""The fast DNS wire paths agree with dnspython byte for byte and answer for answer.

``dns_wire`` builds plain queries and reads plain responses without dnspython's objects;
whatever it reads, dnspython must read the same way, and whatever it declines (``None``)
goes to dnspython, which then parses it or names the problem.
"""

from __future__ import annotations

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.net import dns_wire

NAME = "selector1._domainkey.candidate00001.org.uk"


@pytest.mark.parametrize("dnssec", [False, True])
@pytest.mark.parametrize(
    ("name", "rdtype"),
    [(NAME, "TXT"), ("org.uk", "MX"), ("*.x-y.example", "A"), ("a" * 63 + ".uk", "AAAA")],
)
def test_query_wire_is_what_dnspython_renders(name: str, rdtype: str, dnssec: bool) -> None:
    wanted = dns.rdatatype.from_text(rdtype)
    question = dns_wire.question_wire(name, wanted)
    assert question is not None
    ours = dns_wire.query_wire(question, payload=1232, dnssec=dnssec)
    theirs = dns.message.make_query(
        name, wanted, use_edns=0, payload=1232, want_dnssec=dnssec, id=0
    ).to_wire()
    assert ours == theirs


@pytest.mark.parametrize(
    "name",
    [
        "",
        "a..b",
        "a" * 64 + ".uk",
        ".".join(["abcdefghi"] * 26),  # over 255 octets on the wire
        "bücher.example",
        "back\\.slash.example",
        "@",
        "space here.example",
        "UPPER.example",  # names arrive normalised; anything else goes through dnspython
    ],
)
def test_unusual_names_are_left_to_dnspython(name: str) -> None:
    assert dns_wire.question_wire(name, dns.rdatatype.TXT) is None


def _response(
    query_name: str = NAME,
    rdtype: str = "TXT",
    *,
    rcode: dns.rcode.Rcode = dns.rcode.NOERROR,
    answer: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
    authority: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
    additional: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
    edns: bool = True,
) -> bytes:
    query = dns.message.make_query(query_name, rdtype, use_edns=0 if edns else False, id=77)
    response = dns.message.make_response(query)
    response.set_rcode(rcode)
    for section, items in (
        (response.answer, answer),
        (response.authority, authority),
        (response.additional, additional),
    ):
        for owner, kind, text in items:
            rrset = dns.rrset.from_text(owner, 300, "IN", kind, text)
            found = response.find_rrset(
                section, rrset.name, rrset.rdclass, rrset.rdtype, create=True
            )
            found.update(rrset)  # type: ignore[no-untyped-call]
    return response.to_wire()


SOA = ("candidate00001.org.uk.", "SOA", "ns1.candidate00001.org.uk. host.example. 1 2 3 4 5")


def _txt_records(message: dns.message.Message, owner: str) -> list[bytes]:
    rrset = message.get_rrset(
        message.answer, dns.name.from_text(owner), dns.rdataclass.IN, dns.rdatatype.TXT
    )
    return [b"".join(r.strings) for r in rrset] if rrset is not None else []


def _scanned_txt(scanned: dns_wire.ScannedResponse, owner: str) -> list[bytes]:
    labels = tuple(dns.name.from_text(owner).labels[:-1])
    records: list[bytes] = []
    for record in scanned.answer:
        if record.rdtype == dns_wire.TYPE_TXT and dns_wire.same_name(record.owner, labels):
            joined = b"".join(dns_wire.txt_strings(scanned, record))
            if joined not in records:
                records.append(joined)
    return records


def _same_answers(scanned: dns_wire.ScannedResponse, parsed: dns.message.Message) -> None:
    """Every answer RRset dnspython reads, we read: same owner, type, data and order."""
    ours: dict[tuple[dns.name.Name, int], list[object]] = {}
    for record in scanned.answer:
        owner = dns.name.Name((*record.owner, b""))
        if record.rdtype == dns_wire.TYPE_TXT:
            data: object = dns_wire.txt_strings(scanned, record)
        elif record.rdtype == dns_wire.TYPE_CNAME:
            data = dns.name.Name((*dns_wire.cname_target(scanned, record), b""))
        else:
            assert record.parsed is not None
            data = record.parsed
        found = ours.setdefault((owner, record.rdtype), [])
        if data not in found:
            found.append(data)
    theirs: dict[tuple[dns.name.Name, int], list[object]] = {}
    for rrset in parsed.answer:
        for rdata in rrset:
            if rrset.rdtype == dns_wire.TYPE_TXT:
                data = tuple(rdata.strings)
            elif rrset.rdtype == dns_wire.TYPE_CNAME:
                data = rdata.target
            else:
                data = rdata
            theirs.setdefault((rrset.name, rrset.rdtype), []).append(data)
    assert ours == theirs


CASES = {
    "nxdomain": _response(rcode=dns.rcode.NXDOMAIN, authority=[SOA]),
    "nodata": _response(authority=[SOA]),
    "no-edns": _response(rcode=dns.rcode.NXDOMAIN, edns=False),
    "refused": _response(rcode=dns.rcode.REFUSED),
    "txt": _response(
        answer=[(NAME + ".", "TXT", '"v=DKIM1; k=rsa; " "p=MIIB"'), (NAME + ".", "TXT", '"two"')],
        authority=[("candidate00001.org.uk.", "NS", "ns1.candidate00001.org.uk.")],
        additional=[("ns1.candidate00001.org.uk.", "A", "127.0.0.1")],
    ),
    "cname-then-txt": _response(
        answer=[
            (NAME + ".", "CNAME", "key.provider.example."),
            ("key.provider.example.", "TXT", '"v=DKIM1; p=abc"'),
        ]
    ),
    "upper-case-owner": _response(answer=[(NAME.upper() + ".", "TXT", '"v=spf1 -all"')]),
    "a-records": _response(
        rdtype="A", answer=[(NAME + ".", "A", "192.0.2.1"), (NAME + ".", "A", "192.0.2.2")]
    ),
    "aaaa-record": _response(rdtype="AAAA", answer=[(NAME + ".", "AAAA", "2001:db8::1")]),
    "mx-records": _response(
        rdtype="MX",
        answer=[(NAME + ".", "MX", "10 mx.candidate00001.org.uk."), (NAME + ".", "MX", "0 .")],
    ),
    "mx-compressed": _response(  # the exchanges point back into the question and each other
        rdtype="MX",
        answer=[
            (NAME + ".", "MX", "10 mx1." + NAME + "."),
            (NAME + ".", "MX", "20 MX2.Mail." + NAME + "."),
        ],
    ),
    "soa-record": _response(
        rdtype="SOA",
        answer=[(NAME + ".", "SOA", "ns1.candidate00001.org.uk. host.example. 4294967295 2 3 4 5")],
    ),
    "cname-then-a": _response(
        rdtype="A",
        answer=[
            (NAME + ".", "CNAME", "host.provider.example."),
            ("host.provider.example.", "A", "192.0.2.9"),
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_scan_agrees_with_dnspython(case: str) -> None:
    wire = CASES[case]
    scanned = dns_wire.scan_response(wire)
    parsed = dns.message.from_wire(wire)
    assert scanned is not None
    assert scanned.rcode == parsed.rcode()
    assert scanned.flags == int(parsed.flags)
    assert dns_wire.name_text(scanned.question) == NAME
    assert _scanned_txt(scanned, NAME) == _txt_records(parsed, NAME)
    assert _scanned_txt(scanned, "key.provider.example") == _txt_records(
        parsed, "key.provider.example"
    )
    _same_answers(scanned, parsed)


def test_extended_rcode_from_opt_is_read() -> None:
    query = dns.message.make_query(NAME, "TXT", use_edns=0, id=1)
    response = dns.message.make_response(query)
    response.set_rcode(dns.rcode.BADVERS)  # 16: the header says NOERROR, the OPT says 1
    wire = response.to_wire()
    scanned = dns_wire.scan_response(wire)
    assert scanned is not None
    assert scanned.rcode == dns.rcode.BADVERS == dns.message.from_wire(wire).rcode()


DECLINED = {
    "signature": _response(
        answer=[
            (NAME + ".", "TXT", '"x"'),
            (NAME + ".", "RRSIG", "TXT 8 5 300 20300101000000 20200101000000 1 org.uk. AAAA"),
        ]
    ),
    "bad-a-length": _response(rdtype="A", answer=[(NAME + ".", "A", "192.0.2.1")]).replace(
        b"\x00\x04\xc0\x00\x02\x01", b"\x00\x03\xc0\x00\x02"
    ),
    "txt-other-class-section": _response(
        rcode=dns.rcode.NXDOMAIN, authority=[SOA, ("x.example.", "NSEC", "y.example. A")]
    ),
    "trailing-junk": CASES["nxdomain"] + b"\x00",
    "cut-short": CASES["txt"][:-3],
    "header-only": CASES["txt"][:12],
    "empty": b"",
    "odd-label-bytes": _response(
        answer=[(NAME + ".", "TXT", '"x"'), ("a\\032b.example.", "TXT", '"y"')]
    ),
}


@pytest.mark.parametrize("case", sorted(DECLINED))
def test_unusual_or_broken_responses_are_left_to_dnspython(case: str) -> None:
    assert dns_wire.scan_response(DECLINED[case]) is None


def test_a_pointer_forward_or_to_itself_is_refused_like_dnspython() -> None:
    wire = bytearray(CASES["nodata"])
    # The SOA owner (a pointer just after the question) becomes a pointer to itself.
    start = 12 + len(NAME) + 2 + 4
    assert wire[start] & 0xC0 == 0xC0
    wire[start : start + 2] = bytes((0xC0 | (start >> 8), start & 0xFF))
    broken = bytes(wire)
    assert dns_wire.scan_response(broken) is None
    with pytest.raises(dns.exception.DNSException):
        dns.message.from_wire(broken)


@given(
    case=st.sampled_from(sorted(CASES)),
    edits=st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 255)), max_size=4),
    cut=st.integers(0, 2000),
)
def test_mangled_responses_never_raise_and_never_disagree(
    case: str, edits: list[tuple[int, int]], cut: int
) -> None:
    wire = bytearray(CASES[case])
    for position, value in edits:
        if wire:
            wire[position % len(wire)] = value
    mangled = bytes(wire[: max(cut, 12)] if cut < len(wire) else wire)
    scanned = dns_wire.scan_response(mangled)
    if scanned is None:
        return
    parsed = dns.message.from_wire(mangled)  # what we read, dnspython reads too
    assert scanned.rcode == parsed.rcode()
    assert scanned.flags == int(parsed.flags)
    question = dns_wire.name_text(scanned.question)
    assert dns.name.from_text(question) == parsed.question[0].name
    assert _scanned_txt(scanned, question) == _txt_records(parsed, question)
    _same_answers(scanned, parsed)


_NAME_BYTES = st.one_of(
    st.integers(0, 5),  # short labels and the root
    st.integers(0xC0, 0xC0),  # pointers to the start
    st.integers(0, 255),
)


@given(
    wire=st.lists(_NAME_BYTES, min_size=1, max_size=40).map(bytes),
    offset=st.integers(0, 39),
)
def test_name_reading_follows_dnspython_rules(wire: bytes, offset: int) -> None:
    import dns.wire

    offset %= len(wire)
    parser = dns.wire.Parser(wire, offset)
    try:
        expected = dns.name.from_wire_parser(parser)
    except (dns.exception.DNSException, ValueError):
        with pytest.raises(dns_wire._Malformed):
            dns_wire._read_name(wire, offset)
        return
    labels, after = dns_wire._read_name(wire, offset)
    assert labels == expected.labels[:-1]
    assert after == parser.current
