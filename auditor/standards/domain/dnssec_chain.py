"""DNSSEC chain-of-trust validation from explicit trust anchors, shared by domain.dnssec and
email.dane.

``validate_chain`` walks from the closest anchored zone down to the zone that holds a
name: DS at the parent (signed by the parent's keys), a DNSKEY at the child matching a DS,
the child's DNSKEY RRset signed by that key, and each signature's validity period. Absence
of a DS is accepted only when the parent proves it with a signed NSEC record (insecure
delegation). ``validate_rrset`` then checks a target RRset against the final zone's keys.
Every break is reported as one sentence naming the link ("DS for x.example at example does
not match any DNSKEY"). DNS trouble is INDETERMINATE, never bogus or insecure; so is a
server that cannot serve the chain at all (an authoritative-only server answering NODATA,
NXDOMAIN or a referral for the root DNSKEY, or one that strips signatures): the reason
names the server, because a validator's verdict is only as good as the resolver it asks.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import dns.dnssec
import dns.dnssectypes
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.DNSKEY
import dns.rdtypes.ANY.DS
import dns.rdtypes.ANY.NSEC
import dns.rdtypes.ANY.NSEC3
import dns.rdtypes.ANY.RRSIG
import dns.rrset

from auditor.net.dns import DnsAnswer, DnsClient

IN = dns.rdataclass.IN
DS = dns.rdatatype.DS
DNSKEY = dns.rdatatype.DNSKEY
RRSIG = dns.rdatatype.RRSIG
NSEC = dns.rdatatype.NSEC
NSEC3 = dns.rdatatype.NSEC3
NS = dns.rdatatype.NS
SOA = dns.rdatatype.SOA
MAX_NSEC3_ITERATIONS = 500  # RFC 9276: validators may treat more as insecure
ANCHOR_ENV = "AUDITOR_TRUST_ANCHOR_FILE"
DEFAULT_ANCHOR_FILE = Path(__file__).resolve().parent.parent / "data" / "root-anchors.txt"
MAX_DEPTH = 16
MAX_ANCHOR_FILE_BYTES = 1 << 20

Anchors = Mapping[dns.name.Name, Sequence[dns.rdata.Rdata]]  # zone -> DS or DNSKEY rdatas


class AnchorError(ValueError):
    """A trust anchor file that cannot be used."""


class ChainState(StrEnum):
    SECURE = "secure"  # every link validated
    INSECURE = "insecure"  # proven unsigned: no DS at the parent
    BOGUS = "bogus"  # signed but a link is broken
    INDETERMINATE = "indeterminate"  # could not check (DNS trouble, no anchor)


@dataclass(frozen=True)
class ChainResult:
    state: ChainState
    reason: str  # one sentence; for SECURE, the path validated
    zone: str = ""  # the last zone reached (with validated keys when SECURE)
    keys: dns.rrset.RRset | None = None  # the zone's validated DNSKEY RRset
    links: tuple[str, ...] = field(default_factory=tuple)  # what was validated, in order


def parse_anchors(text: str) -> dict[dns.name.Name, list[dns.rdata.Rdata]]:
    """DS or DNSKEY records in zone-file presentation, one a line (";" or "#" comments)."""
    anchors: dict[dns.name.Name, list[dns.rdata.Rdata]] = {}
    for number, raw in enumerate(text.splitlines()[:1000], start=1):
        line = raw.split(";", 1)[0].split("#", 1)[0].strip()
        if not line:
            continue
        tokens = line.split()
        kinds = [i for i, t in enumerate(tokens) if t.upper() in ("DS", "DNSKEY")]
        if not kinds or kinds[0] == 0:
            raise AnchorError(f"line {number}: not a DS or DNSKEY record")
        at = kinds[0]
        try:
            owner = dns.name.from_text(tokens[0])
            rdata = dns.rdata.from_text(IN, tokens[at].upper(), " ".join(tokens[at + 1 :]))
        except (dns.exception.DNSException, ValueError) as exc:
            raise AnchorError(f"line {number}: {exc}") from None
        anchors.setdefault(owner, []).append(rdata)
    if not anchors:
        raise AnchorError("no trust anchor found")
    return anchors


def load_anchors(
    path_given: str | None = None, text_given: str | None = None
) -> tuple[dict[dns.name.Name, list[dns.rdata.Rdata]], str]:
    """The anchors given as text (the demo world), else from ``path_given``
    (--trust-anchor), else $AUDITOR_TRUST_ANCHOR_FILE, else the shipped IANA root anchors."""
    if text_given:
        return parse_anchors(text_given), "the anchor given with the audit options"
    path = Path(path_given or os.environ.get(ANCHOR_ENV) or DEFAULT_ANCHOR_FILE)
    try:
        if not path.is_file():  # a device or FIFO would never end (or never start)
            raise AnchorError(f"the trust anchor file {path} is not a regular file")
        with path.open("rb") as handle:
            data = handle.read(MAX_ANCHOR_FILE_BYTES + 1)
        if len(data) > MAX_ANCHOR_FILE_BYTES:
            raise AnchorError(f"the trust anchor file {path} is too large for an anchor file")
        text = data.decode("utf-8")
    except OSError as exc:
        raise AnchorError(f"cannot read the trust anchor file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise AnchorError(f"the trust anchor file {path} is not UTF-8 text") from None
    return parse_anchors(text), str(path)


def _text(name: dns.name.Name) -> str:
    return name.to_text(omit_final_dot=True) or "."


def _day(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


class _Indeterminate(str):
    """Why the chain could not be checked (the server, not the zone, is at fault)."""


def _servers(client: DnsClient) -> str:
    shown = ", ".join(str(server) for server in client.nameservers[:3]) or "none configured"
    return f"the DNS server{'s' if len(client.nameservers) > 1 else ''} {shown}"


def _is_referral(response: dns.message.Message) -> bool:
    """No answer, NS records and no SOA in authority: "ask them", not "there is nothing"."""
    return (
        not response.answer
        and any(r.rdtype == NS for r in response.authority)
        and not any(r.rdtype == SOA for r in response.authority)
    )


def _how_it_answered(response: dns.message.Message) -> str:
    rcode = response.rcode()
    if rcode == dns.rcode.NXDOMAIN:
        return "NXDOMAIN"
    if rcode != dns.rcode.NOERROR:
        return dns.rcode.to_text(rcode)
    return "with a referral" if _is_referral(response) else "NODATA"


def check_signature(
    rrset: dns.rrset.RRset,
    sigs: dns.rrset.RRset | None,
    keys: dns.rrset.RRset,
    now: float,
    what: str,
) -> str:
    """ "" when one RRSIG over ``rrset`` by ``keys`` validates, else why not (one sentence)."""
    if sigs is None or len(sigs) == 0:
        return f"{what} has no RRSIG"
    tags = {dns.dnssec.key_id(k): k for k in keys}
    problems: list[str] = []
    for sig in sigs:
        assert isinstance(sig, dns.rdtypes.ANY.RRSIG.RRSIG)
        if sig.signer != keys.name:
            problems.append(f"RRSIG over {what} is by {_text(sig.signer)}, not {_text(keys.name)}")
            continue
        if sig.key_tag not in tags:
            problems.append(
                f"RRSIG over {what} uses key {sig.key_tag}, which is not in the DNSKEY set"
            )
            continue
        if now > sig.expiration:
            problems.append(f"RRSIG over {what} expired on {_day(sig.expiration)}")
            continue
        if now < sig.inception:
            problems.append(f"RRSIG over {what} is not valid until {_day(sig.inception)}")
            continue
        try:
            dns.dnssec.validate_rrsig(rrset, sig, {keys.name: keys}, now=now)
        except dns.exception.ValidationFailure as exc:
            problems.append(f"RRSIG over {what} does not verify ({exc})")
            continue
        except (dns.exception.DNSException, ValueError) as exc:
            problems.append(f"RRSIG over {what} could not be checked ({exc})")
            continue
        return ""
    return problems[0] if problems else f"{what} has no usable RRSIG"


def _matches_anchor(key: dns.rdata.Rdata, zone: dns.name.Name, anchor: dns.rdata.Rdata) -> bool:
    if isinstance(anchor, dns.rdtypes.ANY.DNSKEY.DNSKEY):
        return bool(anchor == key)
    if isinstance(anchor, dns.rdtypes.ANY.DS.DS):
        if anchor.key_tag != dns.dnssec.key_id(key):  # type: ignore[arg-type]
            return False
        try:
            digest = dns.dnssectypes.DSDigest(anchor.digest_type)
            made = dns.dnssec.make_ds(zone, key, digest, validating=True)
        except (ValueError, dns.exception.DNSException):
            return False
        return bool(made.digest == anchor.digest)
    return False


class _Walker:
    def __init__(self, client: DnsClient, now: float) -> None:
        self.client = client
        self.now = now
        self.links: list[str] = []

    async def ask(self, name: dns.name.Name, rdtype: str) -> dns.message.Message | DnsAnswer:
        return await self.client.message(_text(name), rdtype, dnssec=True, checking_disabled=True)

    def result(self, state: ChainState, reason: str, zone: dns.name.Name | None = None,
               keys: dns.rrset.RRset | None = None) -> ChainResult:  # fmt: skip
        return ChainResult(
            state, reason, _text(zone) if zone is not None else "", keys, tuple(self.links)
        )

    async def zone_keys(
        self,
        zone: dns.name.Name,
        trusted: Sequence[dns.rdata.Rdata],
        parent: str,
        *,
        anchored: bool = False,
    ) -> dns.rrset.RRset | str | DnsAnswer | _Indeterminate:
        """The zone's DNSKEY RRset once a trusted key signs it, or why not.

        ``anchored``: the zone of the trust anchor itself (the root in real audits), which
        is always signed, so a server without its keys or signatures cannot be asked."""
        response = await self.ask(zone, "DNSKEY")
        if isinstance(response, DnsAnswer):
            return response
        keys = response.get_rrset(response.answer, zone, IN, DNSKEY)
        servers = _servers(self.client)
        if keys is None:
            how = _how_it_answered(response)
            if anchored:
                return _Indeterminate(
                    f"{servers} answered {how} for the DNSKEY of {_text(zone)}, the zone of "
                    "the trust anchor, so it cannot be used to validate DNSSEC (it is probably "
                    "an authoritative-only server); use a recursive resolver"
                )
            if how != "NODATA":
                return _Indeterminate(
                    f"{servers} answered {how} for the DNSKEY of {_text(zone)}, which has a "
                    f"DS at {parent}; use a recursive resolver"
                )
            return f"{_text(zone)} has a DS at {parent} but serves no DNSKEY"
        sigs = response.get_rrset(response.answer, zone, IN, RRSIG, DNSKEY)
        if anchored and sigs is None:
            return _Indeterminate(
                f"{servers} returned the DNSKEY of {_text(zone)} without its signatures, so it "
                "does not pass DNSSEC records on; use a resolver that does"
            )
        matching = [k for k in keys if any(_matches_anchor(k, zone, a) for a in trusted)]
        if not matching:
            return f"DS for {_text(zone)} at {parent} does not match any DNSKEY"
        subset = dns.rrset.RRset(zone, IN, DNSKEY)
        for key in matching:
            subset.add(key)  # type: ignore[no-untyped-call]
        problem = check_signature(keys, sigs, subset, self.now, f"{_text(zone)} DNSKEY")
        if problem:
            return problem
        self.links.append(f"{_text(zone)} DNSKEY signed by a key matching {parent}'s DS")
        return keys


async def validate_chain(
    client: DnsClient, name: str, anchors: Anchors, now: datetime
) -> ChainResult:
    """Validate the chain of trust from the closest anchor down to the zone holding ``name``."""
    walker = _Walker(client, now.timestamp())
    target = dns.name.from_text(name.rstrip(".") + ".")
    covering = [z for z in anchors if target.is_subdomain(z)]
    if not covering:
        return walker.result(ChainState.INDETERMINATE, f"no trust anchor covers {name}")
    zone = max(covering, key=len)
    got = await walker.zone_keys(zone, anchors[zone], "the trust anchor", anchored=True)
    if isinstance(got, DnsAnswer):
        return walker.result(ChainState.INDETERMINATE, got.describe(), zone)
    if isinstance(got, _Indeterminate):
        return walker.result(ChainState.INDETERMINATE, str(got), zone)
    if isinstance(got, str):
        return walker.result(ChainState.BOGUS, got, zone)
    keys = got
    for depth in range(len(zone) + 1, min(len(target), len(zone) + MAX_DEPTH) + 1):
        child = target.split(depth)[1]
        response = await walker.ask(child, "DS")
        if isinstance(response, DnsAnswer):
            return walker.result(ChainState.INDETERMINATE, response.describe(), zone, keys)
        if response.rcode() == dns.rcode.NXDOMAIN:
            break  # nothing below exists: the zone reached so far holds the name's denial
        if response.rcode() != dns.rcode.NOERROR or _is_referral(response):
            return walker.result(
                ChainState.INDETERMINATE,
                f"{_servers(client)} answered {_how_it_answered(response)} for the DS of "
                f"{_text(child)}; use a recursive resolver",
                zone,
                keys,
            )
        ds = response.get_rrset(response.answer, child, IN, DS)
        if ds is not None:
            sigs = response.get_rrset(response.answer, child, IN, RRSIG, DS)
            problem = check_signature(ds, sigs, keys, walker.now, f"{_text(child)} DS")
            if problem:
                return walker.result(ChainState.BOGUS, problem, zone, keys)
            walker.links.append(f"{_text(child)} DS signed by {_text(zone)}")
            got = await walker.zone_keys(child, list(ds), _text(zone))
            if isinstance(got, DnsAnswer):
                return walker.result(ChainState.INDETERMINATE, got.describe(), child)
            if isinstance(got, _Indeterminate):
                return walker.result(ChainState.INDETERMINATE, str(got), child)
            if isinstance(got, str):
                return walker.result(ChainState.BOGUS, got, child)
            zone, keys = child, got
            continue
        proof = _nodata_proof(response, child)
        if proof is None:
            hashed = _nsec3_proof(response, child)
            if hashed is None:
                return walker.result(
                    ChainState.BOGUS,
                    f"{_text(zone)} gives no signed proof that {_text(child)} has no DS",
                    zone,
                    keys,
                )
            nsec3, nsec3_sigs, exact = hashed
            problem = check_signature(
                nsec3, nsec3_sigs, keys, walker.now, f"{_text(nsec3.name)} NSEC3"
            )
            if problem:
                return walker.result(ChainState.BOGUS, problem, zone, keys)
            delegation = exact and _has_type(nsec3, dns.rdatatype.NS)
            opt_out = not exact and bool(nsec3[0].flags & 1)
            if delegation or opt_out:
                walker.links.append(f"{_text(zone)} proves {_text(child)} has no DS (NSEC3)")
                return walker.result(
                    ChainState.INSECURE,
                    f"{_text(child)} is delegated from {_text(zone)} without a DS record, so it "
                    "is not signed (or its signature is not linked)",
                    child,
                )
            continue  # an NSEC3 without NS: not a zone cut
        nsec, nsec_sigs = proof
        if nsec.name == child and _has_type(nsec, dns.rdatatype.SOA):
            return walker.result(
                ChainState.INDETERMINATE,
                f"the DNS server answered the DS query for {_text(child)} from the child zone; "
                "use a resolver that follows delegations",
                zone,
                keys,
            )
        problem = check_signature(nsec, nsec_sigs, keys, walker.now, f"{_text(nsec.name)} NSEC")
        if problem:
            return walker.result(ChainState.BOGUS, problem, zone, keys)
        if nsec.name == child and _has_type(nsec, dns.rdatatype.NS):
            walker.links.append(f"{_text(zone)} proves {_text(child)} has no DS (NSEC)")
            return walker.result(
                ChainState.INSECURE,
                f"{_text(child)} is delegated from {_text(zone)} without a DS record, so it is "
                "not signed (or its signature is not linked)",
                child,
            )
        # Not a zone cut: the name belongs to the current zone; go one label deeper.
    walker.links.append(f"{name} is in the signed zone {_text(zone)}")
    return walker.result(
        ChainState.SECURE, f"the chain of trust validates down to {_text(zone)}", zone, keys
    )


def _nodata_proof(
    response: dns.message.Message, child: dns.name.Name
) -> tuple[dns.rrset.RRset, dns.rrset.RRset | None] | None:
    """The NSEC that matches ``child`` (or, failing that, one that covers it)."""
    nsecs = [r for r in response.authority if r.rdtype == NSEC]
    if not nsecs:
        return None
    chosen = next((r for r in nsecs if r.name == child), None)
    if chosen is None:
        chosen = next((r for r in nsecs if _covers(r, child)), None)
    if chosen is None:
        return None
    sigs = next(
        (r for r in response.authority
         if r.rdtype == RRSIG and r.covers == NSEC and r.name == chosen.name),
        None,
    )  # fmt: skip
    return chosen, sigs


def _nsec3_proof(
    response: dns.message.Message, child: dns.name.Name
) -> tuple[dns.rrset.RRset, dns.rrset.RRset | None, bool] | None:
    """The NSEC3 whose hash matches ``child`` (exact=True), else one that covers the hash."""
    nsec3s = [r for r in response.authority if r.rdtype == NSEC3 and len(r)]
    exact: dns.rrset.RRset | None = None
    covering: dns.rrset.RRset | None = None
    for rrset in nsec3s[:20]:
        record = rrset[0]
        assert isinstance(record, dns.rdtypes.ANY.NSEC3.NSEC3)
        if record.iterations > MAX_NSEC3_ITERATIONS or record.algorithm != 1:
            continue
        try:
            digest = dns.dnssec.nsec3_hash(child, record.salt, record.iterations, 1)
            wanted = base64.b32hexdecode(digest.upper())
            owner = base64.b32hexdecode(rrset.name.labels[0].decode("ascii").upper())
        except (ValueError, UnicodeDecodeError, dns.exception.DNSException):
            continue
        if owner == wanted:
            exact = rrset
            break
        wraps = record.next <= owner
        if owner < wanted and (wanted < record.next or wraps):
            covering = covering or rrset
    chosen = exact or covering
    if chosen is None:
        return None
    sigs = next(
        (r for r in response.authority
         if r.rdtype == RRSIG and r.covers == NSEC3 and r.name == chosen.name),
        None,
    )  # fmt: skip
    return chosen, sigs, exact is not None


def _covers(nsec: dns.rrset.RRset, name: dns.name.Name) -> bool:
    record = nsec[0]
    assert isinstance(record, dns.rdtypes.ANY.NSEC.NSEC)
    after = bool(nsec.name < name)
    before = bool(name < record.next or record.next <= nsec.name)  # the last NSEC wraps round
    return after and before


def _has_type(nsec: dns.rrset.RRset, rdtype: int) -> bool:
    """Whether an NSEC or NSEC3 record's type bitmap lists ``rdtype``."""
    record = nsec[0]
    assert isinstance(record, dns.rdtypes.ANY.NSEC.NSEC | dns.rdtypes.ANY.NSEC3.NSEC3)
    for window, bitmap in record.windows:
        if window != rdtype // 256:
            continue
        offset = (rdtype % 256) // 8
        if offset < len(bitmap) and bitmap[offset] & (0x80 >> (rdtype % 8)):
            return True
    return False


@dataclass(frozen=True)
class RrsetResult:
    state: ChainState
    reason: str
    rrset: dns.rrset.RRset | None = None
    absent: bool = False  # NXDOMAIN or NODATA (not validated as a denial)


async def validate_rrset(
    client: DnsClient, name: str, rdtype: str, chain: ChainResult, now: datetime
) -> RrsetResult:
    """Fetch ``name``/``rdtype`` and check its RRSIG with the chain's validated zone keys."""
    owner = dns.name.from_text(name.rstrip(".") + ".")
    response = await client.message(name, rdtype, dnssec=True, checking_disabled=True)
    if isinstance(response, DnsAnswer):
        return RrsetResult(ChainState.INDETERMINATE, response.describe())
    wanted = dns.rdatatype.from_text(rdtype)
    rrset = response.get_rrset(response.answer, owner, IN, wanted)
    if rrset is None:
        if response.rcode() not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN) or _is_referral(
            response
        ):
            return RrsetResult(
                ChainState.INDETERMINATE,
                f"{_servers(client)} answered {_how_it_answered(response)} for {name} {rdtype}",
            )
        return RrsetResult(chain.state, f"{name} has no {rdtype} record", absent=True)
    if chain.state is not ChainState.SECURE or chain.keys is None:
        return RrsetResult(chain.state, chain.reason, rrset)
    sigs = response.get_rrset(response.answer, owner, IN, RRSIG, wanted)
    problem = check_signature(rrset, sigs, chain.keys, now.timestamp(), f"{name} {rdtype}")
    if problem:
        return RrsetResult(ChainState.BOGUS, problem, rrset)
    return RrsetResult(ChainState.SECURE, f"{name} {rdtype} is signed by {chain.zone}", rrset)


def ds_for_keys(zone: str, keys: Iterable[dns.rdata.Rdata] | None, *, limit: int = 4) -> list[str]:
    """The DS records (SHA-256, RFC 4509) a parent would publish for the zone's key-signing
    keys (the SEP flag, RFC 4034 2.1.1), as ``<key tag> <algorithm> 2 <digest>`` text; what
    a registrar asks for when DNSSEC is switched on."""
    if keys is None:
        return []
    name = dns.name.from_text(zone)
    found = []
    for key in keys:
        if key.rdtype != DNSKEY or not key.flags & 0x0001:  # type: ignore[attr-defined]
            continue
        try:
            found.append(dns.dnssec.make_ds(name, key, "SHA256").to_text())
        except (dns.exception.DNSException, ValueError):
            continue
    return found[:limit]
