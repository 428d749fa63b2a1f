"""The lookalike generator (pure) and domain.lookalikes against a loopback root zone."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from auditor.demo.dns_server import DnsServer, zone_from_records
from auditor.model import Finding, Status
from auditor.services import AuditOptions, Services
from auditor.standards.domain.permutations import permutations, split_domain
from checks.domain.lookalikes import LookalikesCheck

MakeServices = Callable[..., Services]
RunCheck = Callable[..., Awaitable[list[Finding]]]


def test_split_domain() -> None:
    assert split_domain("www.candidate.org.uk") == ("candidate", "org.uk")
    assert split_domain("candidate.example") == ("candidate", "example")


def test_generator_is_deterministic_and_valid() -> None:
    first = permutations("candidate.org.uk")
    assert first == permutations("candidate.org.uk")
    names = [p.name for p in first]
    assert len(names) == len(set(names))
    assert "candidate.org.uk" not in names
    for name in names:
        assert name.isascii() and name == name.lower()
        assert all(0 < len(label) <= 63 and not label.startswith("-") for label in name.split("."))


def test_most_plausible_first() -> None:
    found = permutations("candidate.org.uk")
    assert [p.name for p in found[:3]] == ["candidate.co.uk", "candidate.uk", "candidate.com"]
    kinds = [p.kind for p in found]
    # UK endings, then look-alike letters and one-letter slips, before keyboard typos, bit
    # flips and endings from elsewhere; two look-alike letters at once come last of all.
    assert kinds.index("tld-swap") < kinds.index("homoglyph") < kinds.index("replacement")
    assert kinds.index("omission") < kinds.index("dictionary") < kinds.index("bitsquatting")
    names = [p.name for p in found]
    assert names.index("candidate.io") > names.index("candidatw.org.uk")
    assert names.index("cand1date.org.uk") < names.index("cand1clate.org.uk")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("candidate.london", "tld-swap"),
        ("candidate.io", "tld-swap"),
        ("candidateorg.uk", "dot-omission"),
        ("candldate.org.uk", "homoglyph"),
        ("cand1date.org.uk", "homoglyph"),
        ("candiclate.org.uk", "homoglyph"),  # d -> cl
        ("canclidate.org.uk", "homoglyph"),
        ("cand1clate.org.uk", "homoglyph"),  # two at once
        ("candi-date.org.uk", "hyphenation"),
        ("candiate.org.uk", "omission"),
        ("canndidate.org.uk", "repetition"),
        ("cnadidate.org.uk", "transposition"),
        ("condidate.org.uk", "vowel-swap"),
        ("candudate.org.uk", "vowel-swap"),
        ("candidatw.org.uk", "replacement"),
        ("candidatwe.org.uk", "insertion"),  # after the key
        ("candidqate.org.uk", "insertion"),  # before the key
        ("candidates.org.uk", "addition"),
        ("vote-candidate.org.uk", "dictionary"),
        ("candidatenews.org.uk", "dictionary"),
        ("securecandidate.org.uk", "dictionary"),
        ("candidatg.org.uk", "bitsquatting"),  # e (0x65) with one bit flipped is g (0x67)
        ("candidaze.org.uk", "replacement"),  # on a QWERTZ keyboard z is beside t
    ],
)
def test_kinds_present(name: str, kind: str) -> None:
    found = {p.name: p.kind for p in permutations("candidate.org.uk")}
    assert found.get(name) == kind


def test_no_internationalised_names_where_the_registry_takes_none() -> None:
    # Nominet (.uk) registers no IDNs; a label mixing scripts is refused everywhere.
    assert not [p for p in permutations("candidate.org.uk") if "xn--" in p.name]
    assert not [p for p in permutations("candidate.com") if "xn--" in p.name]  # n, t: no Cyrillic
    [idn] = [p for p in permutations("space.com") if p.kind == "idn-homoglyph"]
    assert idn.display == "ѕрасе.com" and idn.name.startswith("xn--")


def test_limit_and_bitsquatting() -> None:
    assert len(permutations("candidate.org.uk", limit=25)) == 25
    assert permutations("candidate.org.uk", limit=25) == permutations("candidate.org.uk")[:25]
    default = {p.kind for p in permutations("candidate.org.uk")}
    without = {p.kind for p in permutations("candidate.org.uk", bitsquatting=False)}
    assert "bitsquatting" in default and "bitsquatting" not in without


def test_the_default_bound_of_the_cli_and_the_options_agree() -> None:
    from auditor.commands.common import LOOKALIKES_DEFAULT
    from auditor.services import AuditOptions

    assert AuditOptions().lookalikes == LOOKALIKES_DEFAULT


def test_long_label_is_bounded() -> None:
    found = permutations("a" * 63 + ".co.uk", bitsquatting=True)
    assert 0 < len(found) < 5000
    assert all(len(p.name.split(".")[0]) <= 63 for p in found)


@pytest.fixture
async def dns_server() -> AsyncIterator[DnsServer]:
    root = zone_from_records(
        ".",
        [
            ("@", "SOA", ["ns.root.invalid. host.root.invalid. 1 3600 600 604800 300"]),
            ("@", "NS", ["ns.root.invalid."]),
            ("candidate.org.uk.", "A", ["192.0.2.1"]),
            ("candldate.org.uk.", "A", ["192.0.2.7"]),
            ("vote-candidate.org.uk.", "A", ["192.0.2.8"]),
            ("vote-candidate.org.uk.", "MX", ["10 mx.squatter.invalid."]),
            ("candidate.com.", "A", ["192.0.2.9"]),
            ("candidate.com.", "MX", ["0 ."]),
        ],
    )
    # A registered squat is its own zone (found through its NS records at the apex).
    squat = zone_from_records("candidate.co.uk", [("@", "MX", ["10 mail.squatter.invalid."])])
    async with DnsServer(zones=[root, squat]) as server:
        yield server


async def test_registered_lookalikes(
    dns_server: DnsServer, services_for: MakeServices, run: RunCheck
) -> None:
    # 200 names hold every planted one; fewer queries keep a loaded machine's answers in time.
    services = services_for(dns_server.port, lookalikes=200)
    findings = await run(LookalikesCheck, "candidate.org.uk", services)
    by_name = {f.subject: f for f in findings}
    assert set(by_name) == {
        "candidate.co.uk",
        "vote-candidate.org.uk",
        "candldate.org.uk",
        "candidate.com",
    }
    with_mail = by_name["candidate.co.uk"]
    assert with_mail.status is Status.FAIL and with_mail.severity.value == "high"
    assert "domain.lookalike-report" in with_mail.actions
    assert any("mail.squatter.invalid" in e.snippet for e in with_mail.evidence)
    campaign_word = by_name["vote-candidate.org.uk"]
    assert campaign_word.status is Status.FAIL and "vote-candidate.org.uk" in campaign_word.message
    assert by_name["candldate.org.uk"].status is Status.WARN
    assert by_name["candidate.com"].status is Status.WARN  # null MX: parked, no mail
    # Findings with mail come first.
    assert [f.status for f in findings[:2]] == [Status.FAIL, Status.FAIL]


async def test_budget_is_respected(
    dns_server: DnsServer, services_for: MakeServices, run: RunCheck
) -> None:
    services = services_for(dns_server.port, lookalikes=10)
    findings = await run(LookalikesCheck, "candidate.org.uk", services)
    asked = {q.qname for q in dns_server.queries}
    assert len(asked) <= 10
    assert {f.subject for f in findings} == {"candidate.co.uk", "candidate.com"}


async def test_nothing_registered_passes(
    dns_server: DnsServer, services_for: MakeServices, run: RunCheck
) -> None:
    [finding] = await run(LookalikesCheck, "zzqqunique.org.uk", services_for(dns_server.port))
    assert finding.status is Status.PASS
    # Every generated name fits the default budget for a name this short.
    generated = len(permutations("zzqqunique.org.uk"))
    assert 500 < generated <= AuditOptions().lookalikes
    assert finding.evidence[0].detail["checked"] == generated


async def test_mostly_failed_lookups_are_an_error(
    dns_server: DnsServer, services_for: MakeServices, run: RunCheck
) -> None:
    dns_server.faults.set_global("servfail")
    findings = await run(LookalikesCheck, "candidate.org.uk", services_for(dns_server.port))
    assert [f.status for f in findings] == [Status.ERROR]
    assert "Could not check most" in findings[0].message


class _MxSilent(DnsServer):
    """Answers everything except MX for one name, which it leaves unanswered."""

    silent_mx = "candldate.org.uk."

    async def handle(self, data: bytes, transport: str) -> bytes | None:
        import dns.message
        import dns.rdatatype

        try:
            question = dns.message.from_wire(data).question[0]
        except Exception:
            return await super().handle(data, transport)
        if question.rdtype == dns.rdatatype.MX and question.name.to_text() == self.silent_mx:
            return None
        return await super().handle(data, transport)


async def test_registered_lookalike_whose_mail_could_not_be_checked_says_so(
    services_for: MakeServices, run: RunCheck
) -> None:
    root = zone_from_records(
        ".",
        [
            ("@", "SOA", ["ns.root.invalid. host.root.invalid. 1 3600 600 604800 300"]),
            ("@", "NS", ["ns.root.invalid."]),
            ("candldate.org.uk.", "A", ["192.0.2.7"]),
            ("candldate.org.uk.", "MX", ["10 mx.squatter.invalid."]),
        ],
    )
    async with _MxSilent(zones=[root]) as server:
        services = services_for(server.port, lookalikes=200)
        findings = await run(LookalikesCheck, "candidate.org.uk", services)
    [hit] = [f for f in findings if f.subject == "candldate.org.uk"]
    assert hit.status is Status.WARN
    assert "could not be checked" in hit.message and "no email" not in hit.message
    assert hit.severity.value == "high"
