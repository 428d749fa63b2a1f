"""email.dmarc against real zones on the loopback DNS server."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.demo.dns_server import DnsServer
from auditor.model import Status
from auditor.standards.email.discovery import tree_walk_names
from checks.email.dmarc import DmarcCheck
from tests.email_auth.conftest import add_zone, make_services, run_check

DOMAIN = "candidate.org.uk"
VENDOR = "dmarc-vendor.com"


def serve(server: DnsServer, dmarc: list[str] | None, **extra: list[str]) -> None:
    records: list[tuple[str, str, list[str]]] = [("@", "A", ["127.0.0.1"])]
    if dmarc is not None:
        records.append(("_dmarc", "TXT", [f'"{r}"' for r in dmarc]))
    for owner, values in extra.items():
        records.append((owner.replace("__", ".").replace("_DMARC", "_dmarc"), "TXT", values))
    add_zone(server, DOMAIN, records)


async def test_reject_passes_with_the_record_as_evidence(dns_server: DnsServer) -> None:
    serve(dns_server, ["v=DMARC1; p=reject; rua=mailto:dmarc@candidate.org.uk"])
    outcome = await run_check(DmarcCheck, DOMAIN, make_services(dns_server))
    assert outcome.statuses() == {"policy": Status.PASS}
    policy = outcome.by_subject("policy")
    assert any(
        e.snippet == "v=DMARC1; p=reject; rua=mailto:dmarc@candidate.org.uk"
        and e.location.startswith(f"_dmarc.{DOMAIN} ")
        for e in policy.evidence
    )


@pytest.mark.parametrize(
    ("record", "status"),
    [
        ("v=DMARC1; p=none; rua=mailto:d@candidate.org.uk", Status.FAIL),
        ("v=DMARC1; p=quarantine; rua=mailto:d@candidate.org.uk", Status.WARN),
        ("v=DMARC1; rua=mailto:d@candidate.org.uk", Status.FAIL),  # no p= acts as none
    ],
)
async def test_policy_strength(dns_server: DnsServer, record: str, status: Status) -> None:
    serve(dns_server, [record])
    outcome = await run_check(DmarcCheck, DOMAIN, make_services(dns_server))
    assert outcome.by_subject("policy").status is status
    assert "email.dmarc-enforce" in outcome.by_subject("policy").actions


async def test_missing_record_fails(dns_server: DnsServer) -> None:
    serve(dns_server, None)
    outcome = await run_check(DmarcCheck, DOMAIN, make_services(dns_server))
    finding = outcome.by_subject("policy")
    assert finding.status is Status.FAIL
    assert "no DMARC policy" in finding.message
    assert finding.actions == ("email.dmarc-publish",)


async def test_unrelated_txt_is_not_a_record(dns_server: DnsServer) -> None:
    serve(dns_server, ["some-verification=abc"])
    outcome = await run_check(DmarcCheck, DOMAIN, make_services(dns_server))
    assert outcome.by_subject("policy").status is Status.FAIL
    assert "no DMARC policy" in outcome.by_subject("policy").message


async def test_multiple_records_fail(dns_server: DnsServer) -> None:
    serve(dns_server, ["v=DMARC1; p=reject", "v=DMARC1; p=none"])
    outcome = await run_check(DmarcCheck, DOMAIN, make_services(dns_server))
    finding = outcome.by_subject("policy")
    assert finding.status is Status.FAIL
    assert "2 DMARC records" in finding.message


async def test_syntax_error_fails_with_raw_record(dns_server: DnsServer) -> None:
    serve(dns_server, ["v=DMARC1; p=rejectt; rua=mailto:d@candidate.org.uk"])
    outcome = await run_check(DmarcCheck, DOMAIN, make_services(dns_server))
    finding = outcome.by_subject("policy")
    assert finding.status is Status.FAIL
    assert any(
        e.snippet == "v=DMARC1; p=rejectt; rua=mailto:d@candidate.org.uk" for e in finding.evidence
    )
    assert finding.actions == ("email.dmarc-fix-record",)


async def test_tree_walk_reports_where_policy_came_from(dns_server: DnsServer) -> None:
    serve(dns_server, ["v=DMARC1; p=none; sp=reject; rua=mailto:d@candidate.org.uk"])
    target = f"news.local.{DOMAIN}"
    outcome = await run_check(DmarcCheck, target, make_services(dns_server))
    finding = outcome.by_subject("policy")
    assert finding.status is Status.PASS  # sp=reject governs subdomains
    assert f"inherited from _dmarc.{DOMAIN}" in finding.message
    assert any(e.location.startswith(f"_dmarc.{DOMAIN} ") for e in finding.evidence)
    asked = [q.qname for q in dns_server.queries]
    assert asked == [f"_dmarc.{target}", f"_dmarc.local.{DOMAIN}", f"_dmarc.{DOMAIN}"]


async def test_tree_walk_inherits_p_without_sp(dns_server: DnsServer) -> None:
    serve(dns_server, ["v=DMARC1; p=quarantine; rua=mailto:d@candidate.org.uk"])
    outcome = await run_check(DmarcCheck, f"shop.{DOMAIN}", make_services(dns_server))
    finding = outcome.by_subject("policy")
    assert finding.status is Status.WARN
    assert "through its p= tag" in finding.message


def test_tree_walk_names_are_bounded() -> None:
    deep = ".".join(f"l{i}" for i in range(12)) + ".candidate.org.uk"
    names = tree_walk_names(deep)
    assert names[0] == deep
    assert names[1].count(".") == 6  # the 7-label ancestor comes next
    assert names[-1] == "candidate.org.uk"
    assert len(names) <= 8
    assert tree_walk_names("candidate.org.uk") == ["candidate.org.uk"]
    assert tree_walk_names("a.b.example") == ["a.b.example", "b.example"]


@pytest.mark.parametrize("fault", ["servfail", "timeout", "refused"])
async def test_dns_failure_is_error_never_missing(dns_server: DnsServer, fault: str) -> None:
    serve(dns_server, ["v=DMARC1; p=reject"])
    dns_server.faults.set(f"_dmarc.{DOMAIN}", fault)
    outcome = await run_check(DmarcCheck, DOMAIN, make_services(dns_server))
    finding = outcome.by_subject("policy")
    expected = Status.TIMEOUT if fault == "timeout" else Status.ERROR
    assert finding.status is expected
    assert "Could not check" in finding.message


async def test_failure_during_tree_walk_is_error(dns_server: DnsServer) -> None:
    serve(dns_server, ["v=DMARC1; p=reject"])
    dns_server.faults.set(f"_dmarc.{DOMAIN}", "servfail")
    outcome = await run_check(DmarcCheck, f"shop.{DOMAIN}", make_services(dns_server))
    assert outcome.by_subject("policy").status is Status.ERROR


async def test_pct_testing_and_weak_subdomain_policies(dns_server: DnsServer) -> None:
    serve(
        dns_server,
        ["v=DMARC1; p=reject; sp=none; np=none; pct=25; t=y; rua=mailto:d@candidate.org.uk"],
    )
    outcome = await run_check(DmarcCheck, DOMAIN, make_services(dns_server))
    statuses = outcome.statuses()
    assert statuses["policy"] is Status.PASS
    assert statuses["pct"] is Status.WARN
    assert "25%" in outcome.by_subject("pct").message
    assert statuses["testing"] is Status.WARN
    assert statuses["sp"] is Status.WARN
    assert "np" not in statuses  # np=none is no weaker than sp=none


async def test_no_reports_and_bad_uri(dns_server: DnsServer) -> None:
    serve(dns_server, ["v=DMARC1; p=reject; ruf=https://x.example/r; foo=bar"])
    outcome = await run_check(DmarcCheck, DOMAIN, make_services(dns_server))
    assert outcome.by_subject("rua").status is Status.WARN
    problems = outcome.by_subject("record-problems")
    assert problems.status is Status.WARN
    assert any("mailto" in str(e.detail.get("note", "")) for e in problems.evidence)


async def test_external_report_destinations(dns_server: DnsServer) -> None:
    serve(
        dns_server,
        [
            "v=DMARC1; p=reject; rua=mailto:a@dmarc-vendor.com,mailto:b@other-vendor.net,"
            "mailto:c@reports.candidate.org.uk"
        ],
    )
    add_zone(
        dns_server,
        VENDOR,
        [(f"{DOMAIN}._report._dmarc", "TXT", ['"v=DMARC1"'])],
    )
    add_zone(dns_server, "other-vendor.net", [("@", "A", ["127.0.0.1"])])
    outcome = await run_check(DmarcCheck, DOMAIN, make_services(dns_server))
    statuses = outcome.statuses()
    assert statuses["report-authorisation:dmarc-vendor.com"] is Status.PASS
    missing = outcome.by_subject("report-authorisation:other-vendor.net")
    assert missing.status is Status.WARN
    assert missing.location == f"{DOMAIN}._report._dmarc.other-vendor.net"
    # same organisation: no authorisation needed
    assert "report-authorisation:reports.candidate.org.uk" not in statuses


async def test_external_report_lookup_failure_is_error(dns_server: DnsServer) -> None:
    serve(dns_server, ["v=DMARC1; p=reject; rua=mailto:a@dmarc-vendor.com"])
    add_zone(dns_server, VENDOR, [])
    dns_server.faults.set_suffix(f"_report._dmarc.{VENDOR}", "servfail")
    outcome = await run_check(DmarcCheck, DOMAIN, make_services(dns_server))
    finding = outcome.by_subject("report-authorisation:dmarc-vendor.com")
    assert finding.status is Status.ERROR
    assert outcome.by_subject("policy").status is Status.PASS


@given(
    st.lists(st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True), min_size=1, max_size=20).map(
        lambda labels: ".".join([*labels, "org", "uk"])
    )
)
def test_tree_walk_never_exceeds_eight_names(domain: str) -> None:
    names = tree_walk_names(domain)
    assert names[0] == domain
    assert 1 <= len(names) <= 8
    assert all(domain.endswith(n) for n in names)
    assert all(n.count(".") >= 2 for n in names)  # never above the organisational domain


async def test_report_destinations_past_the_cap_are_named_as_not_asked(
    dns_server: DnsServer,
) -> None:
    # 12 outside destinations, each authorising the reports: the first 10 are asked, and
    # the two left are named, so the check is not a pass on part of the record.
    vendors = [f"v{i:02d}.net" for i in range(12)]
    rua = ",".join(f"mailto:d@{v}" for v in vendors)  # under one TXT string's 255 bytes
    serve(dns_server, [f"v=DMARC1; p=reject; rua={rua}"])
    for vendor in vendors:
        add_zone(dns_server, vendor, [(f"{DOMAIN}._report._dmarc", "TXT", ['"v=DMARC1"'])])
    outcome = await run_check(DmarcCheck, DOMAIN, make_services(dns_server))
    statuses = outcome.statuses()
    asked = [s for s in statuses if s.startswith("report-authorisation:")]
    assert len(asked) == 10 and all(statuses[s] is Status.PASS for s in asked)
    cut = outcome.by_subject("report-authorisation-cap")
    assert cut.status is Status.ERROR
    assert cut.message.startswith("Partly checked: whether v10.net and v11.net accept")
