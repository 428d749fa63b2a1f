"""domain.caa: each RFC 8659 case as a zone served by the demo DNS server on loopback
(auditor/demo/rfc_zones.py), and the pure reading of values and record sets."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from auditor.demo.dns_server import DnsServer
from auditor.demo.rfc_zones import CAA_CASES, caa_zones
from auditor.model import Finding, Status
from auditor.profile import Profile
from auditor.services import Services
from auditor.standards.domain.caa_policy import (
    CaaRecord,
    climb,
    evaluate,
    parse_issue_value,
    record_problem,
)
from auditor.testing import run_check
from checks.domain.caa import CaaCheck

MakeServices = Callable[..., Services]
RunCheck = Callable[..., Awaitable[list[Finding]]]


def test_climb_reaches_the_tld() -> None:
    assert climb("www.candidate.org.uk") == [
        "www.candidate.org.uk",
        "candidate.org.uk",
        "org.uk",
        "uk",
    ]
    assert climb("a.b.caa.example.") == [
        "a.b.caa.example",
        "b.caa.example",
        "caa.example",
        "example",
    ]


@pytest.mark.parametrize(
    ("value", "issuer", "bad"),
    [
        ("letsencrypt.org", "letsencrypt.org", False),
        (" letsencrypt.org ; validationmethods=dns-01", "letsencrypt.org", False),
        ("LetsEncrypt.org; account-uri = https://x.example/1", "letsencrypt.org", False),
        ("letsencrypt.org;", "letsencrypt.org", False),
        (";", "", False),
        ("", "", False),
        ("ca", "ca", False),  # issuer-domain-name = label *("." label): one label is allowed
        ("not a domain!", "", True),
        ("-ca.example", "", True),
        ("ca.example; novalue", "", True),
        ("ca.example; bad param", "", True),
        ("ca.example; k=v w", "", True),
        ("ca.example; k=caf\u00e9", "", True),
        ("x" * 2000, "", True),
    ],
)
def test_issue_values(value: str, issuer: str, bad: bool) -> None:
    parsed = parse_issue_value(value)
    assert parsed.issuer == issuer
    assert bool(parsed.problem) is bad


@pytest.mark.parametrize(
    ("record", "bad"),
    [
        (CaaRecord(0, "iodef", "mailto:security@example.org"), False),
        (CaaRecord(0, "iodef", "ftp://example.org"), True),
        (CaaRecord(128, "future", "x"), True),
        (CaaRecord(128, "issue", "letsencrypt.org"), False),  # critical and known: fine
        (CaaRecord(0, "future", "x"), False),
        (CaaRecord(0, "is-sue", "x"), True),
    ],
)
def test_record_problems(record: CaaRecord, bad: bool) -> None:
    assert bool(record_problem(record)) is bad


def test_record_sets() -> None:
    wild_only = evaluate([CaaRecord(0, "issuewild", "ca.example")])
    assert wild_only.issuers is None and wild_only.wildcard_issuers == ("ca.example",)
    assert wild_only.issuewild_only and not wild_only.nobody_may_issue
    blocked = evaluate([CaaRecord(0, "issue", "ca.example"), CaaRecord(128, "tbs", "")])
    assert blocked.nobody_may_issue and blocked.blocked_by == ("tbs",)
    assert blocked.issuers == () and blocked.wildcard_issuers == ()
    malformed = evaluate([CaaRecord(0, "issue", "ca.example; oops")])
    assert malformed.issuers == () and malformed.nobody_may_issue
    both = evaluate([CaaRecord(0, "issue", "a.example"), CaaRecord(0, "issuewild", "b.example")])
    assert both.issuers == ("a.example",) and both.wildcard_issuers == ("b.example",)
    issue_only = evaluate([CaaRecord(0, "Issue", "a.example")])
    assert issue_only.wildcard_issuers == ("a.example",)  # §4.3: issue covers wildcards too
    assert evaluate([CaaRecord(0, "iodef", "mailto:a@b.example")]).issuers is None


@pytest.fixture
async def dns_server() -> AsyncIterator[DnsServer]:
    async with DnsServer(zones=caa_zones()) as server:
        yield server


async def findings_for(
    domain: str, server: DnsServer, make: MakeServices, *websites: str
) -> list[Finding]:
    services = make(server.port)
    profile = Profile(name="Test", domains=(domain,), websites=websites)
    try:
        return list((await run_check(CaaCheck, domain, services, profile)).findings)
    finally:
        await services.aclose()


# case -> (status of the first finding, words its message must hold)
EXPECTED = {
    "good": (Status.PASS, ["Only letsencrypt.org may issue", "mailto:sec@caa.example"]),
    "deny": (Status.PASS, ["Nobody may issue"]),
    "wildonly": (Status.WARN, ["only issuewild", "any may issue an ordinary certificate"]),
    "critical": (Status.FAIL, ["No certificate authority may issue", "'tbs'", "critical"]),
    "badparam": (Status.WARN, ["No certificate authority may issue", "malformed"]),
    "mixed": (Status.PASS, ["Only letsencrypt.org may issue", "allows no CA"]),
    "params": (Status.PASS, ["Only letsencrypt.org may issue"]),
    "wildnobody": (Status.PASS, ["Only letsencrypt.org may issue", "wildcards: nobody"]),
    "iodefonly": (Status.WARN, ["any may issue"]),
    "uppercase": (Status.PASS, ["Only letsencrypt.org may issue"]),
    "ownwww": (Status.PASS, ["Only letsencrypt.org may issue"]),
}


@pytest.mark.parametrize("case", sorted(CAA_CASES))
async def test_rfc_8659_cases(case: str, dns_server: DnsServer, services_for: MakeServices) -> None:
    domain = f"{case}.caa.example"
    findings = await findings_for(domain, dns_server, services_for)
    status, words = EXPECTED[case]
    assert findings[0].status is status, findings[0].message
    for word in words:
        assert word in findings[0].message
    assert findings[0].location == f"{domain} CAA"


async def test_critical_unknown_tag_is_one_fail_not_a_pass(
    dns_server: DnsServer, services_for: MakeServices
) -> None:
    findings = await findings_for("critical.caa.example", dns_server, services_for)
    assert [f.status for f in findings] == [Status.FAIL]
    assert findings[0].actions == ("domain.caa-fix",)


async def test_malformed_record_also_gets_its_own_finding(
    dns_server: DnsServer, services_for: MakeServices
) -> None:
    findings = await findings_for("mixed.caa.example", dns_server, services_for)
    assert [f.status for f in findings] == [Status.PASS, Status.WARN]
    assert "not a domain!" in findings[1].message


async def test_the_closest_parent_applies(
    dns_server: DnsServer, services_for: MakeServices
) -> None:
    [finding] = await findings_for("www.good.caa.example", dns_server, services_for)
    assert finding.status is Status.PASS
    assert "inherited from good.caa.example" in finding.message
    assert finding.location == "good.caa.example CAA"


async def test_the_climb_goes_up_to_the_tld(
    dns_server: DnsServer, services_for: MakeServices
) -> None:
    [finding] = await findings_for("site.caatld", dns_server, services_for)
    assert finding.status is Status.PASS
    assert (
        "Only pki.goog may issue" in finding.message and "inherited from caatld" in finding.message
    )


async def test_absence_is_a_low_warning_after_asking_every_parent(
    dns_server: DnsServer, services_for: MakeServices
) -> None:
    [finding] = await findings_for("none.caa.example", dns_server, services_for)
    assert finding.status is Status.WARN
    assert finding.severity.value == "low"
    assert [e.location for e in finding.evidence] == [
        "none.caa.example CAA",
        "caa.example CAA",
        "example CAA",
    ]


async def test_a_www_name_with_its_own_caa_is_judged_on_its_own(
    dns_server: DnsServer, services_for: MakeServices
) -> None:
    findings = await findings_for("ownwww.caa.example", dns_server, services_for)
    [apex] = [f for f in findings if not f.subject]
    [www] = [f for f in findings if f.subject == "www.ownwww.caa.example"]
    assert "Only letsencrypt.org may issue certificates for ownwww.caa.example" in apex.message
    assert "Only sectigo.com may issue certificates for www.ownwww.caa.example" in www.message


async def test_a_www_cname_takes_the_targets_caa(
    dns_server: DnsServer, services_for: MakeServices
) -> None:
    findings = await findings_for("cnamewww.caa.example", dns_server, services_for)
    [www] = [f for f in findings if f.subject == "www.cnamewww.caa.example"]
    assert "Only digicert.com may issue" in www.message


async def test_a_website_host_under_the_domain_is_checked_too(
    dns_server: DnsServer, services_for: MakeServices
) -> None:
    findings = await findings_for(
        "cnamewww.caa.example", dns_server, services_for, "https://cdn.caa.example/"
    )
    assert {f.subject for f in findings} == {"", "www.cnamewww.caa.example"}  # cdn is elsewhere
    findings = await findings_for(
        "good.caa.example", dns_server, services_for, "https://www.good.caa.example/"
    )
    assert [f.subject for f in findings] == [""]  # www.good inherits: nothing of its own


async def test_servfail_while_climbing_is_could_not_check(
    dns_server: DnsServer, services_for: MakeServices
) -> None:
    dns_server.faults.set("caa.example", "servfail")
    [finding] = await findings_for("none.caa.example", dns_server, services_for)
    assert finding.status is Status.ERROR
