"""Zones for the standards' own cases (RFC 8659 CAA so far), served by the demo DNS server in
tests and benchmarks. Kept apart from the demo world's zones (auditor/demo/content/zones.py)
so that growing the cases never changes the demo story.

Each zone set includes its TLD zone, so that climbing towards the root (RFC 8659 §3) gets an
answer from every parent, as it would on the Internet, instead of a REFUSED from a loopback
server that is not authoritative for the TLD.
"""

from __future__ import annotations

import dns.zone

from auditor.demo.dns_zones import zone_from_records

CAA_DOMAIN = "caa.example"
CAA_TLD = "caatld"  # a TLD with CAA at its apex: a name under it inherits it (§3)

# name under CAA_DOMAIN -> (the CAA records, what the case shows)
CAA_CASES: dict[str, tuple[list[str], str]] = {
    "good": (['0 issue "letsencrypt.org"', '0 iodef "mailto:sec@caa.example"'], "one CA"),
    "deny": (['0 issue ";"'], "issue with no issuer: nobody (§4.2)"),
    "wildonly": (['0 issuewild "letsencrypt.org"'], "issuewild alone restricts only wildcards"),
    "critical": (
        ['0 issue "letsencrypt.org"', '128 tbs "x"'],
        "a critical unknown tag: no CA may issue (§4.1)",
    ),
    "badparam": (
        ['0 issue "letsencrypt.org; bad param"'],
        "malformed parameters: the record allows nobody (§4.2)",
    ),
    "mixed": (
        ['0 issue "letsencrypt.org"', '0 issue "not a domain!"'],
        "a malformed record beside a good one: the good one still counts",
    ),
    "params": (
        ['0 issue "letsencrypt.org; validationmethods=dns-01; accounturi=https://x.example/1"'],
        "parameters are for the CA and do not change the issuer",
    ),
    "wildnobody": (
        ['0 issue "letsencrypt.org"', '0 issuewild ";"'],
        "ordinary names one CA, wildcards nobody (§4.3)",
    ),
    "iodefonly": (['0 iodef "mailto:sec@caa.example"'], "no issue property: any CA"),
    "uppercase": (['0 ISSUE "letsencrypt.org"'], "tags match case-insensitively (§4.1)"),
    "ownwww": (['0 issue "letsencrypt.org"'], "www. has CAA of its own"),
}


def caa_zones() -> list[dns.zone.Zone]:
    """``caa.example`` (the cases above, plus names without CAA), its TLD ``example``, and
    the TLD ``caatld`` that carries CAA itself."""
    records: list[tuple[str, str, list[str]]] = [
        (name, "CAA", values) for name, (values, _why) in CAA_CASES.items()
    ]
    records += [
        ("www.good", "A", ["127.0.0.1"]),
        ("none", "A", ["127.0.0.1"]),
        ("www.ownwww", "CAA", ['0 issue "sectigo.com"']),
        ("cnamewww", "CAA", ['0 issue "letsencrypt.org"']),
        ("www.cnamewww", "CNAME", ["cdn.caa.example."]),
        ("cdn", "CAA", ['0 issue "digicert.com"']),
    ]
    return [
        zone_from_records(CAA_DOMAIN, records),
        zone_from_records("example", []),
        zone_from_records(
            CAA_TLD, [("@", "CAA", ['0 issue "pki.goog"']), ("site", "A", ["127.0.0.1"])]
        ),
    ]
