"""DNS wire format for the common case, without dnspython's per-message object cost.

Bulk audits send tens of thousands of small queries; dnspython spends far more CPU building
and parsing each message (hundreds of microseconds) than the network takes. These pure
functions cover only the plain cases and say so when they cannot:

- ``question_wire`` encodes a plain ASCII name (letters, digits, ``-``, ``_``, ``*``) and
  returns ``None`` for anything else (escapes, IDNs, ``@``, bad labels), which then goes
  through dnspython exactly as before;
- ``query_wire`` is byte for byte what ``dns.message.make_query(..., use_edns=0,
  payload=P, want_dnssec=D)`` renders (tested against it);
- ``scan_response`` reads a response whose answer holds records of class IN (TXT, CNAME,
  MX and SOA read here, other data types by dnspython's parser for that one record; no
  signatures) and whose other sections hold only SOA, NS, A, AAAA and one OPT, validating
  the structure as dnspython would. Anything else returns ``None`` so the caller parses
  the message with ``dns.message.from_wire``. It never raises: a malformed message also
  returns ``None``, and dnspython's parser then names the problem.
"""

from __future__ import annotations

import re
import struct
from typing import NamedTuple

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
from dns.rdtypes.ANY.MX import MX
from dns.rdtypes.ANY.SOA import SOA

TYPE_A = 1
TYPE_NS = 2
TYPE_CNAME = 5
TYPE_SOA = 6
TYPE_MX = 15
TYPE_TXT = 16
TYPE_AAAA = 28
TYPE_OPT = 41
CLASS_IN = 1
_IN = dns.rdataclass.IN
_MX = dns.rdatatype.MX
_SOA = dns.rdatatype.SOA

FLAG_QR = 0x8000
FLAG_TC = 0x0200
FLAG_RD = 0x0100
FLAG_AD = 0x0020
RCODE_NOERROR = 0
RCODE_NXDOMAIN = 3

# Lower-case labels of 1-63 plain characters (the length is checked first: at most 253).
_PLAIN_NAME = re.compile(r"[a-z0-9_*-]{1,63}(?:\.[a-z0-9_*-]{1,63})*")
_PLAIN_ANY_CASE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_*")
_OTHER_SECTION_TYPES = frozenset({TYPE_SOA, TYPE_NS, TYPE_A, TYPE_AAAA, TYPE_OPT})
# Signatures (they have a "covers" type), meta and query-only types: dnspython reads those.
_NOT_IN_PLAIN_ANSWERS = frozenset({24, 41, 46, 249, 250, 251, 252, 253, 254, 255})
_MAX_POINTERS = 16  # dns.name.MAX_COMPRESSION_POINTER_CHAIN
_HEADER = struct.Struct("!HHHHHH")
_RR_FIXED = struct.Struct("!HHIH")
_SOA_NUMBERS = struct.Struct("!IIIII")


def question_wire(name: str, rdtype: int) -> bytes | None:
    """QNAME + QTYPE + QCLASS IN for a normalised plain name, or None (use dnspython)."""
    if len(name) > 253 or not _PLAIN_NAME.fullmatch(name):
        return None
    wire = bytearray()
    for label in name.encode("ascii").split(b"."):
        wire.append(len(label))
        wire += label
    return bytes(wire) + b"\x00" + struct.pack("!HH", rdtype, CLASS_IN)


def query_wire(question: bytes, *, payload: int, dnssec: bool, flags: int = FLAG_RD) -> bytes:
    """A query with ID 0 (the sender sets it), one question and an EDNS0 OPT record."""
    header = _HEADER.pack(0, flags, 1, 0, 0, 1)
    opt = b"\x00" + struct.pack("!HHIH", TYPE_OPT, payload, 0x8000 if dnssec else 0, 0)
    return header + question + opt


# Tuples, not frozen dataclasses: one or more are built for every answer read, and a frozen
# dataclass's __init__ sets each field through object.__setattr__.
class WireRecord(NamedTuple):
    owner: tuple[bytes, ...]  # labels as on the wire, without the root label
    rdtype: int
    ttl: int
    rdata: tuple[int, int]  # offset and length of the rdata in the message
    parsed: dns.rdata.Rdata | None = None  # types other than TXT and CNAME, parsed by dnspython


class ScannedResponse(NamedTuple):
    wire: bytes
    flags: int
    rcode: int  # including the EDNS extended bits
    question: tuple[bytes, ...]  # the question's labels
    answer: tuple[WireRecord, ...]

    @property
    def truncated(self) -> bool:
        return bool(self.flags & FLAG_TC)

    @property
    def authenticated(self) -> bool:
        return bool(self.flags & FLAG_AD)


class _Malformed(Exception):
    pass


def _read_name(wire: bytes, offset: int) -> tuple[tuple[bytes, ...], int]:
    """The labels at ``offset`` (following compression pointers) and the offset after it.

    dnspython's rules (2.9): a pointer must point strictly before the previous one (or the
    name's start), what it points to must end before the part that pointed to it, and a
    name follows at most 16 pointers.
    """
    labels: list[bytes] = []
    after = -1
    total = 1
    position = offset
    earliest = offset  # the next pointer must point before this
    segment = offset  # where the run of labels being read began
    end = len(wire)  # reading may not go past this
    hops = 0
    while True:
        if position >= end:
            raise _Malformed
        length = wire[position]
        if length == 0:
            position += 1
            break
        if length < 64:
            stop = position + 1 + length
            if stop > end:
                raise _Malformed
            labels.append(wire[position + 1 : stop])
            total += length + 1
            position = stop
        elif length >= 192:
            if position + 1 >= end:
                raise _Malformed
            target = ((length & 0x3F) << 8) | wire[position + 1]
            if after < 0:
                after = position + 2
            hops += 1
            if target >= earliest or hops > _MAX_POINTERS:
                raise _Malformed
            earliest = target
            end = segment  # what it points to must end before this run of labels began
            segment = position = target
        else:
            raise _Malformed  # extended label types
    if total > 255:
        raise _Malformed
    return tuple(labels), (position if after < 0 else after)


def plain_labels(labels: tuple[bytes, ...]) -> bool:
    """Labels whose presentation needs no escaping (so text and wire agree simply)."""
    return _PLAIN_ANY_CASE.issuperset(b"".join(labels))


def scan_response(wire: bytes) -> ScannedResponse | None:
    """The parts of a plain response the client needs, or None (parse with dnspython)."""
    try:
        return _scan(wire)
    except (_Malformed, struct.error, IndexError):
        return None


def _scan(wire: bytes) -> ScannedResponse | None:
    if len(wire) < 12:
        return None
    _id, flags, qdcount, ancount, nscount, arcount = _HEADER.unpack_from(wire, 0)
    if qdcount != 1 or (flags >> 11) & 0xF != 0:  # one question, opcode QUERY
        return None
    question, offset = _read_name(wire, 12)
    if offset + 4 > len(wire):
        return None
    _qtype, qclass = struct.unpack_from("!HH", wire, offset)
    if qclass != CLASS_IN or not plain_labels(question):
        return None
    offset += 4
    size = len(wire)
    answer: list[WireRecord] = []
    extended_rcode = 0
    seen_opt = False
    for section, count in ((1, ancount), (2, nscount), (3, arcount)):
        for _ in range(count):
            owner, offset = _read_name(wire, offset)
            if offset + 10 > size:
                return None
            rdtype, rdclass, ttl, rdlength = _RR_FIXED.unpack_from(wire, offset)
            start = offset + 10
            offset = start + rdlength
            if offset > size:
                return None
            if rdtype == TYPE_OPT:
                if section != 3 or seen_opt or owner or rdlength:
                    return None  # options, or an OPT where it may not be: dnspython decides
                seen_opt = True
                extended_rcode = ttl >> 24
                continue
            if rdclass != CLASS_IN:
                return None
            if section == 1:
                if rdtype in _NOT_IN_PLAIN_ANSWERS or not plain_labels(owner):
                    return None
                parsed = None
                if rdtype == TYPE_TXT:
                    _txt_strings(wire, start, rdlength)  # validate now, as dnspython would
                elif rdtype == TYPE_CNAME:
                    target, after = _read_name(wire, start)
                    if after != offset or not plain_labels(target):
                        return None
                elif rdtype in (TYPE_MX, TYPE_SOA):
                    # Every domain of a bulk run has both: read here, a third of the CPU of
                    # dnspython's generic parser; the same objects (tested against it).
                    parsed = _mx_or_soa(wire, rdtype, start, offset)
                else:  # dnspython's own parser for this one record (names may be compressed)
                    try:
                        parsed = dns.rdata.from_wire(_IN, rdtype, wire, start, rdlength)  # type: ignore[arg-type]
                    except Exception:
                        return None
                answer.append(WireRecord(owner, rdtype, ttl, (start, rdlength), parsed))
            elif rdtype not in _OTHER_SECTION_TYPES or not _valid_other(
                wire, rdtype, start, rdlength
            ):
                return None
    if offset != size:
        return None  # trailing junk
    rcode = (flags & 0xF) | (extended_rcode << 4)
    return ScannedResponse(wire, flags, rcode, question, tuple(answer))


def _mx_or_soa(wire: bytes, rdtype: int, start: int, end: int) -> dns.rdata.Rdata:
    if rdtype == TYPE_MX:
        if start + 2 > end:
            raise _Malformed
        exchange, after = _read_name(wire, start + 2)
        if after != end:
            raise _Malformed
        preference = (wire[start] << 8) | wire[start + 1]
        return MX(_IN, _MX, preference, dns.name.Name((*exchange, b"")))  # type: ignore[no-untyped-call]
    mname, after = _read_name(wire, start)
    rname, after = _read_name(wire, after)
    if after + 20 != end:
        raise _Malformed
    numbers = _SOA_NUMBERS.unpack_from(wire, after)
    names = dns.name.Name((*mname, b"")), dns.name.Name((*rname, b""))
    return SOA(_IN, _SOA, *names, *numbers)  # type: ignore[no-untyped-call]


def _valid_other(wire: bytes, rdtype: int, start: int, length: int) -> bool:
    if rdtype == TYPE_A:
        return length == 4
    if rdtype == TYPE_AAAA:
        return length == 16
    if rdtype == TYPE_NS:
        return _read_name(wire, start)[1] == start + length
    # SOA: two names and five 32-bit numbers
    after = _read_name(wire, _read_name(wire, start)[1])[1]
    return after + 20 == start + length


def _txt_strings(wire: bytes, start: int, length: int) -> tuple[bytes, ...]:
    strings = []
    position = start
    end = start + length
    while position < end:
        size = wire[position]
        stop = position + 1 + size
        if stop > end:
            raise _Malformed
        strings.append(wire[position + 1 : stop])
        position = stop
    if not strings:
        raise _Malformed  # dnspython refuses a TXT record with no strings
    return tuple(strings)


def txt_strings(response: ScannedResponse, record: WireRecord) -> tuple[bytes, ...]:
    """The character-strings of a TXT record from a scanned response."""
    return _txt_strings(response.wire, *record.rdata)


def cname_target(response: ScannedResponse, record: WireRecord) -> tuple[bytes, ...]:
    return _read_name(response.wire, record.rdata[0])[0]


def same_name(a: tuple[bytes, ...], b: tuple[bytes, ...]) -> bool:
    """The same name, case aside (plain labels: none holds a dot, so joining them is exact)."""
    if a == b:
        return True
    return len(a) == len(b) and b".".join(a).lower() == b".".join(b).lower()


def name_text(labels: tuple[bytes, ...]) -> str:
    """Lower-case presentation without the final dot (plain labels only)."""
    return b".".join(labels).decode("ascii").lower()
