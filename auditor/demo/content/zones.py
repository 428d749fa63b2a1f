"""The demo world's DNS: the candidate's domains, the attacker's lookalikes, the providers.

Planted on the campaign domain: an SPF record over the 10-lookup limit (nested includes)
ending ``~all``; DMARC ``p=none`` reporting to an outside domain that never authorised it;
a 1024-bit DKIM key next to a 2048-bit one; MTA-STS in testing mode; BIMI that cannot work
under ``p=none``; no DNSSEC. Done right: MX, TLS-RPT, CAA, and the parked second domain
(null MX, ``v=spf1 -all``, DMARC reject, DNSSEC signed with its DS in the parent).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dns.dnssec
import dns.dnssectypes
import dns.name
import dns.rdata
import dns.zone
from cryptography.hazmat.primitives.asymmetric import ed25519

from auditor.demo import candidate as c

LOOPBACK = "127.0.0.1"

# Fixed public keys: generating RSA keys at every start would cost time for nothing.
DKIM_1024 = (
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDj+SscHSFdMsfxKKSEXq4+09uxmSGNU05CcKFwDX0ZPvorrNF97"
    "TBU3QvpsfHJFTPOrm8aciL+Hyiji5SVgY4Cysb9GgRuXvpOTTVExgrU4q+qofVONLjzxFWgmoKQWSO4h/ptw5Y8Bk"
    "+klB3zgPqZLl9AzQBTBiRwnlcibUKY3wIDAQAB"
)
DKIM_2048 = (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAonwJrJf9UykW3AMfBK1wsaQ8T4dK6BHeiyckY936lEnqB+"
    "cQOcd+CkWJrItHe2BcERjRmUPqPLqsJ6RzUojyXnC1i0eFmoYMIRxLhDvb2Ey+azPIB8zR3Q7c2Om5R5shEQpjcaOHR"
    "f9s8YKAWr+I3qJYZ8nsE7zfp/b73QjXnp3chP4gq0m2+T5EwSiwjKH6/pBEV410PLFJpQdUQr2bY4r6RlyTzAxERY2Q"
    "yFxNlO/DMEAuDAVL9sRDmqXwnmJMkm8Pl9+fjzqo7djnA6GdxsR9o2K5VfACAmtbZJDcVy9aI0jhokJhQMN0cSWTasb"
    "UfcaGfEf+fT+hTnhWFqMNHwIDAQAB"
)

MAILHOST = "mailhost.example"  # the campaign's mailbox provider
MAILSHOT = "mailshot.example"  # the newsletter service
DMARC_DESK = "dmarcdesk.example"  # a DMARC report processor
MX_HOSTS = (f"mx1.{MAILHOST}", f"mx2.{MAILHOST}")
LOOKALIKE_MX = f"mail.{c.LOOKALIKES[0]}"


def txt(value: str) -> str:
    """A TXT rdata in zone-file form, split into 255-byte strings (RFC 7208 §3.3)."""
    return " ".join(f'"{value[i : i + 255]}"' for i in range(0, len(value), 255))


def _zone(origin: str, body: str) -> dns.zone.Zone:
    head = (
        f"$ORIGIN {origin}.\n$TTL 300\n"
        f"@ SOA ns1.{origin}. hostmaster.{origin}. 2026110101 3600 600 604800 300\n"
        f"@ NS ns1.{origin}.\nns1 A {LOOPBACK}\n"
    )
    return dns.zone.from_text(head + body, origin=origin + ".", relativize=False)


def campaign_zone() -> dns.zone.Zone:
    spf = (
        f"v=spf1 mx a include:_spf.{MAILHOST} include:spf.{MAILSHOT} "
        f"include:_spf.{c.PARTY_DOMAIN} ~all"
    )
    dmarc = (
        f"v=DMARC1; p=none; rua=mailto:reports@{DMARC_DESK}; "
        f"ruf=mailto:forensics@{DMARC_DESK}; fo=1"
    )
    return _zone(
        c.DOMAIN,
        f"""
@ A {LOOPBACK}
www A {LOOPBACK}
mta-sts A {LOOPBACK}
@ MX 10 {MX_HOSTS[0]}.
@ MX 20 {MX_HOSTS[1]}.
@ TXT {txt(spf)}
@ TXT "google-site-verification=demo-not-a-real-token"
_dmarc TXT {txt(dmarc)}
google._domainkey TXT {txt("v=DKIM1; k=rsa; p=" + DKIM_1024)}
selector1._domainkey CNAME selector1-alexmarlowe-example._domainkey.{MAILHOST}.
news._domainkey CNAME news-alexmarlowe._domainkey.{MAILSHOT}.
_mta-sts TXT "v=STSv1; id=20261101T000000"
_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tlsrpt@{c.DOMAIN}"
default._bimi TXT "v=BIMI1; l=https://www.{c.DOMAIN}/bimi/logo.svg; a="
@ CAA 0 issue "letsencrypt.org"
@ CAA 0 issuewild ";"
@ CAA 0 iodef "mailto:security@{c.DOMAIN}"
""",
    )


def parked_zone() -> dns.zone.Zone:
    dmarc = f"v=DMARC1; p=reject; sp=reject; adkim=s; aspf=s; rua=mailto:dmarc@{DMARC_DESK}"
    return _zone(
        c.PARKED_DOMAIN,
        f"""
@ A {LOOPBACK}
www A {LOOPBACK}
@ MX 0 .
@ TXT "v=spf1 -all"
_dmarc TXT "{dmarc}"
*._domainkey TXT "v=DKIM1; p="
@ CAA 0 issue "letsencrypt.org"
""",
    )


def provider_zones() -> list[dns.zone.Zone]:
    # Nested includes: the campaign's SPF needs 13 DNS lookups, over RFC 7208's limit of 10.
    netblocks = "\n".join(
        f'_netblocks{n} TXT "v=spf1 ip4:192.0.2.{n * 16}/28 ip6:2001:db8:{n}::/48 ~all"'
        for n in (1, 2, 3)
    )
    includes = " ".join(f"include:_netblocks{n}.{MAILHOST}" for n in (1, 2, 3))
    mailhost = _zone(
        MAILHOST,
        f"""
mx1 A {LOOPBACK}
mx2 A {LOOPBACK}
_spf TXT "v=spf1 {includes} ~all"
{netblocks}
selector1-alexmarlowe-example._domainkey TXT {txt("v=DKIM1; k=rsa; p=" + DKIM_2048)}
""",
    )
    mailshot = _zone(
        MAILSHOT,
        f"""
spf TXT "v=spf1 include:spf1.{MAILSHOT} include:spf2.{MAILSHOT} ~all"
spf1 TXT "v=spf1 ip4:198.51.100.0/26 ~all"
spf2 TXT "v=spf1 ip4:198.51.100.64/26 a:relay.{MAILSHOT} ~all"
relay A 198.51.100.70
news-alexmarlowe._domainkey TXT {txt("v=DKIM1; k=rsa; p=" + DKIM_2048)}
""",
    )
    # Authorises reports for the parked domain only (RFC 7489 §7.1): the campaign domain's
    # rua points here without that authorisation.
    desk = _zone(
        DMARC_DESK,
        f"""
@ MX 10 mx.{DMARC_DESK}.
mx A {LOOPBACK}
{c.PARKED_DOMAIN}._report._dmarc TXT "v=DMARC1"
""",
    )
    party = _zone(
        c.PARTY_DOMAIN,
        f"""
@ A {LOOPBACK}
www A {LOOPBACK}
@ MX 10 {MX_HOSTS[0]}.
@ TXT "v=spf1 include:_spf.{MAILHOST} -all"
_spf TXT "v=spf1 a:{c.PARTY_DOMAIN} include:_spf.{MAILHOST} ~all"
_dmarc TXT "v=DMARC1; p=quarantine"
""",
    )
    services = _zone(
        c.SERVICES_DOMAIN,
        f"""
rdap A {LOOPBACK}
data A {LOOPBACK}
pwned A {LOOPBACK}
twofa A {LOOPBACK}
""",
    )
    return [mailhost, mailshot, desk, party, services]


def lookalike_zones() -> list[dns.zone.Zone]:
    spoof, dashed = c.LOOKALIKES
    return [
        _zone(
            spoof,
            f"""
@ A {LOOPBACK}
www A {LOOPBACK}
mail A {LOOPBACK}
@ MX 10 {LOOKALIKE_MX}.
@ TXT "v=spf1 a mx ?all"
""",
        ),
        _zone(dashed, f"@ A {LOOPBACK}\nwww A {LOOPBACK}\n"),
    ]


def sign(zone: dns.zone.Zone) -> dns.rdata.Rdata:
    """Sign ``zone`` in place (Ed25519, NSEC); returns the DS for the parent."""
    private = ed25519.Ed25519PrivateKey.generate()
    dnskey = dns.dnssec.make_dnskey(
        private.public_key(), dns.dnssectypes.Algorithm.ED25519, flags=257
    )
    now = datetime.now(UTC)
    with zone.writer() as txn:
        dns.dnssec.sign_zone(
            zone,
            txn=txn,
            keys=[(private, dnskey)],
            add_dnskey=True,
            inception=now - timedelta(hours=1),
            expiration=now + timedelta(days=30),
        )
    assert zone.origin is not None
    return dns.dnssec.make_ds(zone.origin, dnskey, "SHA256")


def build_zones() -> tuple[list[dns.zone.Zone], str]:
    """Every zone of the demo world, with ``example.`` as the parent holding the NS and DS.

    ``example.`` itself is signed too, and its DS (returned with the zones) is the demo's
    trust anchor, standing in for the root: the parked domain validates as secure and the
    campaign domain as provably unsigned — offline, like everything else here. Each build
    signs with fresh keys, so the anchor belongs to the zones it came with."""
    parked = parked_zone()
    parked_ds = sign(parked)
    children = [campaign_zone(), parked, *provider_zones(), *lookalike_zones()]
    delegations = []
    for child in children:
        label = child.origin.relativize(dns.name.from_text("example.")).to_text()  # type: ignore[union-attr]
        delegations.append(f"{label} NS ns1.{label}\nns1.{label} A {LOOPBACK}")
    delegations.append(f"{c.PARKED_DOMAIN.split('.')[0]} DS {parked_ds.to_text()}")
    parent = _zone("example", "\n".join(delegations) + "\n")
    anchor = sign(parent)
    return [parent, *children], f"example. DS {anchor.to_text()}\n"
