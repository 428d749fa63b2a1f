"""Answers from zone data with the semantics the checks depend on (the demo DNS server's
brain, apart from its transports and faults).

NODATA is not NXDOMAIN; an empty non-terminal exists (NODATA); CNAMEs are chased through
the zones we serve; wildcards synthesise (RFC 4592, basic); delegations give referrals; DS
is answered from the parent side of a cut; names outside every zone are REFUSED. With the
DO bit, signed zones add their RRSIGs and NSEC proofs for negative answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone

MAX_CHASE = 8
IN = dns.rdataclass.IN
RRSIG = dns.rdatatype.RRSIG
NSEC = dns.rdatatype.NSEC
SOA = dns.rdatatype.SOA


def name_of(text: str | dns.name.Name) -> dns.name.Name:
    if isinstance(text, dns.name.Name):
        return text
    return dns.name.from_text(text.strip().lower().rstrip(".") + ".")


def absolute_zone(zone: dns.zone.Zone) -> dns.zone.Zone:
    """A copy with absolute owner names and rdata names, whatever the input used."""
    if not zone.relativize:
        return zone
    text = zone.to_text(relativize=False)
    return dns.zone.from_text(text, origin=zone.origin, relativize=False, check_origin=False)


def zone_from_text(text: str, origin: str | None = None) -> dns.zone.Zone:
    return dns.zone.from_text(
        text, origin=name_of(origin) if origin else None, relativize=False, check_origin=True
    )


def zone_from_records(
    origin: str,
    records: Iterable[tuple[str, str, Sequence[str]]],
    *,
    ttl: int = 300,
) -> dns.zone.Zone:
    """A zone from (name, rdtype, [rdata text]) triples; SOA and NS are added if missing.

    Names are relative to ``origin`` unless they end with a dot; "@" is the apex.
    """
    apex = name_of(origin)
    lines = [f"$ORIGIN {apex}", f"$TTL {ttl}"]
    seen_types: set[tuple[str, str]] = set()
    for owner, rdtype, values in records:
        seen_types.add((owner, rdtype.upper()))
        lines.extend(f"{owner} {rdtype} {value}" for value in values)
    if ("@", "SOA") not in seen_types:
        lines.append(f"@ SOA ns1.{apex} hostmaster.{apex} 1 3600 600 604800 300")
    if ("@", "NS") not in seen_types:
        lines.append(f"@ NS ns1.{apex}")
    return zone_from_text("\n".join(lines) + "\n", str(apex))


class ZoneSet:
    """Several zones served together; the most specific zone answers for a name."""

    def __init__(self, zones: Iterable[dns.zone.Zone | str] = ()) -> None:
        self.zones: dict[dns.name.Name, dns.zone.Zone] = {}
        for zone in zones:
            self.add_zone(zone)

    def add_zone(self, zone: dns.zone.Zone | str, origin: str | None = None) -> dns.zone.Zone:
        parsed = zone_from_text(zone, origin) if isinstance(zone, str) else absolute_zone(zone)
        self.zones[parsed.origin] = parsed  # type: ignore[index]
        return parsed

    def set_records(self, name: str, rdtype: str, values: Sequence[str], ttl: int = 300) -> None:
        """Replace (or with no values, delete) one RRset while the server runs."""
        owner = name_of(name)
        zone = self.zone_for(owner)
        if zone is None:
            raise KeyError(f"{owner} is in none of the served zones")
        wanted = dns.rdatatype.from_text(rdtype)
        if not values:
            zone.delete_rdataset(owner, wanted)
            return
        # relativize=False: the zones are absolute, and a relative CNAME/MX/NS target would
        # make every answer carrying it fail to render (the query then goes unanswered).
        rdatas = [
            dns.rdata.from_text(IN, wanted, v, origin=zone.origin, relativize=False) for v in values
        ]
        zone.replace_rdataset(owner, dns.rdataset.from_rdata_list(ttl, rdatas))

    def zone_for(self, qname: dns.name.Name) -> dns.zone.Zone | None:
        """The deepest served zone containing ``qname``: one dict lookup per label, so a
        server holding thousands of zones (the bulk benchmark) answers as fast as one."""
        name = qname
        while True:
            zone = self.zones.get(name)
            if zone is not None:
                return zone
            if len(name) <= 1:
                return None
            name = name.parent()

    def resolve(
        self, response: dns.message.Message, qname: dns.name.Name, qtype: int, do: bool
    ) -> None:
        zone = self.zone_for(qname)
        if zone is None:
            response.set_rcode(dns.rcode.REFUSED)
            return
        if qtype == dns.rdatatype.DS and qname == zone.origin and len(qname) > 1:
            # DS lives on the parent side of a zone cut (RFC 4035 §3.1.4.1).
            zone = self.zone_for(qname.parent()) or zone
        response.flags |= dns.flags.AA
        name = qname
        for _ in range(MAX_CHASE):
            referral = _delegation(zone, name, qtype)
            if referral is not None:
                response.flags &= ~dns.flags.AA
                _add(response.authority, referral, do, zone, referral.name)
                return
            node = zone.get_node(name)
            owner = name
            if node is None and not _has_descendants(zone, name):
                wildcard = _wildcard_source(zone, name)
                if wildcard is None:
                    response.set_rcode(dns.rcode.NXDOMAIN)
                    self._negative(response, zone, name, do)
                    return
                node, owner = zone.get_node(wildcard), wildcard
                if do:
                    _add_nsec_covering(response, zone, name)
            if node is None:  # an empty non-terminal: it exists, with no data
                self._negative(response, zone, name, do)
                return
            if qtype == dns.rdatatype.ANY:
                for rdataset in node.rdatasets:
                    if rdataset.rdtype != RRSIG or do:
                        _add_rdataset(response.answer, name, rdataset)
                return
            found = node.get_rdataset(IN, dns.rdatatype.RdataType(qtype))
            if found is not None:
                _add(response.answer, found, do, zone, name, owner)
                return
            cname = node.get_rdataset(IN, dns.rdatatype.CNAME)
            if cname is None:
                self._negative(response, zone, name, do, node_owner=owner)
                return
            _add(response.answer, cname, do, zone, name, owner)
            target = cname[0].target
            next_zone = self.zone_for(target)
            if next_zone is None or any(r.name == target for r in response.answer):
                return  # out of our zones (the client asks on), or a loop
            zone, name = next_zone, target

    def _negative(
        self,
        response: dns.message.Message,
        zone: dns.zone.Zone,
        name: dns.name.Name,
        do: bool,
        node_owner: dns.name.Name | None = None,
    ) -> None:
        soa = zone.get_rdataset(zone.origin, SOA)  # type: ignore[arg-type]
        if soa is not None:
            _add(response.authority, soa, do, zone, zone.origin)  # type: ignore[arg-type]
        if not do:
            return
        owner = node_owner or name
        own_nsec = zone.get_rdataset(owner, NSEC)
        if own_nsec is not None:
            _add(response.authority, own_nsec, do, zone, name)
        else:
            _add_nsec_covering(response, zone, name)


def _add(
    section: list[dns.rrset.RRset],
    rdataset: dns.rdataset.Rdataset,
    do: bool,
    zone: dns.zone.Zone,
    name: dns.name.Name,
    source: dns.name.Name | None = None,
) -> None:
    _add_rdataset(section, name, rdataset)
    if do:
        sigs = zone.get_rdataset(source or name, RRSIG, rdataset.rdtype)
        if sigs is not None:
            _add_rdataset(section, name, sigs)


def _add_rdataset(
    section: list[dns.rrset.RRset], name: dns.name.Name, rdataset: dns.rdataset.Rdataset
) -> None:
    rrset = dns.rrset.RRset(name, rdataset.rdclass, rdataset.rdtype, rdataset.covers)
    rrset.update(rdataset)  # type: ignore[no-untyped-call]
    if not any(existing == rrset for existing in section):
        section.append(rrset)


def _has_descendants(zone: dns.zone.Zone, name: dns.name.Name) -> bool:
    return any(owner != name and owner.is_subdomain(name) for owner in zone.nodes)


def _delegation(zone: dns.zone.Zone, name: dns.name.Name, qtype: int) -> dns.rrset.RRset | None:
    """The NS set of a delegation point between the apex and ``name``, if any."""
    origin: dns.name.Name = zone.origin  # type: ignore[assignment]
    for depth in range(len(origin) + 1, len(name) + 1):
        cut = name.split(depth)[1]
        if cut == name and qtype == dns.rdatatype.DS:
            return None  # the parent side of the cut answers for DS
        ns = zone.get_rdataset(cut, dns.rdatatype.NS)
        if ns is not None:
            rrset = dns.rrset.RRset(cut, IN, dns.rdatatype.NS)
            rrset.update(ns)  # type: ignore[no-untyped-call]
            return rrset
    return None


def _wildcard_source(zone: dns.zone.Zone, name: dns.name.Name) -> dns.name.Name | None:
    """``*.<closest encloser>`` when it exists (RFC 4592 §3.3.1)."""
    encloser = name.parent()
    while encloser.is_subdomain(zone.origin):  # type: ignore[arg-type]
        if zone.get_node(encloser) is not None or _has_descendants(zone, encloser):
            wildcard = dns.name.Name((b"*", *encloser.labels))
            return wildcard if zone.get_node(wildcard) is not None else None
        encloser = encloser.parent()
    return None


def _add_nsec_covering(
    response: dns.message.Message, zone: dns.zone.Zone, name: dns.name.Name
) -> None:
    """The NSEC whose owner is the closest name before ``name`` in canonical order."""
    owners = sorted(o for o, node in zone.nodes.items() if node.get_rdataset(IN, NSEC))
    before = [o for o in owners if o < name]
    owner = before[-1] if before else (owners[-1] if owners else None)
    if owner is not None:
        nsec = zone.get_rdataset(owner, NSEC)
        if nsec is not None:
            _add(response.authority, nsec, True, zone, owner)
