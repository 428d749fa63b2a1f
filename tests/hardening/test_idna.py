"""International names are audited as browsers resolve them (issue 13): UTS 46
non-transitional processing (IDNA 2008), so "straße.de" is xn--strae-oqa.de, never
strasse.de (another domain, with another owner); and the person is told of the rewrite."""

from __future__ import annotations

import pytest

from auditor import testing as harness
from auditor.bulk import read_domains
from auditor.demo.dns_server import DnsServer
from auditor.model import Status
from auditor.net.dns_types import Nameserver, normalise_name
from auditor.net.domains import DomainError, normalise_domain, unicode_name
from auditor.profile import parse_profile, profile_for_domain, profile_for_url
from auditor.services import AuditOptions, Services
from auditor.standards.domain.permutations import permutations
from auditor.standards.identity.identifiers import normalise_email
from checks.email.spf import SpfCheck

STRASSE = "xn--strae-oqa.de"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("straße.de", STRASSE),
        ("STRAẞE.DE", STRASSE),  # capital sharp s maps to ß, not to "ss"
        ("faß.de", "xn--fa-hia.de"),
        ("ｅｘａｍｐｌｅ.org", "example.org"),  # full-width letters are mapped, as browsers do
        ("_dmarc.straße.de", f"_dmarc.{STRASSE}"),  # ASCII labels pass as they are
        (STRASSE, STRASSE),
    ],
)
def test_names_are_normalised_by_uts46_non_transitional(typed: str, expected: str) -> None:
    assert normalise_domain(typed) == expected
    assert normalise_name(typed) == expected.lower()


@pytest.mark.parametrize("typed", ["☃.com", "ab\u200d.de", "\u0300a.de"])
def test_names_idna_2008_refuses_are_domain_errors(typed: str) -> None:
    with pytest.raises(DomainError, match="not a valid international domain name"):
        normalise_domain(typed)


def test_the_rewrite_is_said() -> None:
    profile = profile_for_domain("straße.de")
    assert profile.domains == (STRASSE,)
    assert any(STRASSE in note and "straße.de" in note for note in profile.notes), profile.notes
    site = profile_for_url("https://straße.de/about")
    assert site.websites == (f"https://{STRASSE}/about",)
    assert any("IDNA 2008" in note for note in site.notes), site.notes
    written = parse_profile('name = "X"\ndomains = ["straße.de"]\nemails = ["me@straße.de"]\n')
    assert written.domains == (STRASSE,) and written.emails == (f"me@{STRASSE}",)
    assert unicode_name(STRASSE) == "straße.de"
    # An ASCII name needs no note.
    assert not profile_for_domain(STRASSE).notes


def test_bulk_lists_and_emails_use_the_same_form() -> None:
    [item] = list(read_domains(["straße.de\n".encode()]))
    assert item.domain == STRASSE
    assert normalise_email("Me@Straße.de") == f"me@{STRASSE}"


def test_homoglyph_lookalikes_are_idna_2008_names() -> None:
    names = [c.name for c in permutations("example.org") if c.kind == "idn-homoglyph"]
    assert names and all(n.startswith("xn--") for n in names)
    for name in names:
        assert normalise_domain(name) == name


ZONES = [
    f"""
$ORIGIN {STRASSE}.
$TTL 300
@   SOA ns hostmaster 1 7200 3600 1209600 300
@   NS  ns
@   TXT "v=spf1 -all"
ns  A   127.0.0.1
""",
    """
$ORIGIN strasse.de.
$TTL 300
@   SOA ns hostmaster 1 7200 3600 1209600 300
@   NS  ns
@   TXT "v=spf1 +all"
ns  A   127.0.0.1
""",
]


async def test_the_audit_asks_dns_about_the_idna_2008_name() -> None:
    async with DnsServer(ZONES) as server:
        [target] = profile_for_domain("straße.de").domains
        services = Services(
            AuditOptions(nameservers=(Nameserver("127.0.0.1", server.port),), dns_timeout=0.5)
        )
        try:
            result = await harness.run_check(SpfCheck, target, services)
        finally:
            await services.aclose()
        asked = {q.qname for q in server.queries}
    assert STRASSE in asked and "strasse.de" not in asked
    # The strict record of the real straße.de, not the +all of strasse.de.
    assert all(f.status is not Status.FAIL for f in result.findings), result.findings
