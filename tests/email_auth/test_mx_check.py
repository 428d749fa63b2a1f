"""email.mx and the parked-domain profile against real zones on the loopback DNS server."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.demo.dns_server import DnsServer
from auditor.model import Status
from auditor.standards.email.mx_records import is_ip_literal, is_null_mx, parse_mx
from auditor.standards.email.providers import detect_provider, load_mail_providers
from checks.email.mx import MxCheck
from tests.email_auth.conftest import add_zone, make_services, run_check

DOMAIN = "candidate.org.uk"
PARKED = ['"v=spf1 -all"']
REJECT = ['"v=DMARC1; p=reject; sp=reject"']


def test_parse_mx_sorts_and_recognises_null() -> None:
    records = parse_mx(["20 ALT1.aspmx.l.google.com.", "10 aspmx.l.google.com.", "junk", "x y"])
    assert [(r.preference, r.host) for r in records] == [
        (10, "aspmx.l.google.com"),
        (20, "alt1.aspmx.l.google.com"),
    ]
    assert is_null_mx(parse_mx(["0 ."]))
    assert not is_null_mx(parse_mx(["10 ."]))
    assert not is_null_mx(parse_mx(["0 .", "10 mx.example.org."]))


@pytest.mark.parametrize(
    ("host", "expected"),
    [("192.0.2.1", True), ("[192.0.2.1]", True), ("2001:db8::1", True), ("mx1.example", False)],
)
def test_ip_literals(host: str, expected: bool) -> None:
    assert is_ip_literal(host) is expected


@pytest.mark.parametrize(
    ("hosts", "key"),
    [
        (["aspmx.l.google.com", "alt1.aspmx.l.google.com"], "google-workspace"),
        (["smtp.google.com"], "google-workspace"),
        (["candidate-org-uk.mail.protection.outlook.com"], "microsoft-365"),
        (["in1-smtp.messagingengine.com"], "fastmail"),
        (["mail.candidate.org.uk", "mx01.mail.icloud.com"], "icloud"),
        (["mail.candidate.org.uk"], None),
        (["notgoogle.com"], None),
    ],
)
def test_provider_detection(hosts: list[str], key: str | None) -> None:
    provider = detect_provider(hosts, load_mail_providers())
    assert (provider.key if provider else None) == key


async def test_google_workspace(dns_server: DnsServer) -> None:
    add_zone(
        dns_server,
        DOMAIN,
        [("@", "MX", ["10 aspmx.l.google.com.", "5 alt1.aspmx.l.google.com."])],
    )
    add_zone(
        dns_server,
        "google.com",
        [
            ("aspmx.l", "A", ["192.0.2.10"]),
            ("aspmx.l", "AAAA", ["2001:db8::10"]),
            ("alt1.aspmx.l", "A", ["192.0.2.11"]),
        ],
    )
    outcome = await run_check(MxCheck, DOMAIN, make_services(dns_server))
    assert outcome.statuses() == {"mx": Status.PASS}
    assert "Google Workspace" in outcome.by_subject("mx").message
    assert list(outcome.facts["mx"].hosts) == ["alt1.aspmx.l.google.com", "aspmx.l.google.com"]
    assert outcome.facts["mx"].provider.name == "Google Workspace"
    assert outcome.facts["mx"].provider.key == "google-workspace"
    assert outcome.facts["mx"].accepts_mail is True
    assert outcome.facts["mx"].null_mx is False


async def test_host_problems(dns_server: DnsServer) -> None:
    add_zone(
        dns_server,
        DOMAIN,
        [
            (
                "@",
                "MX",
                ["10 mx1", "20 alias", "30 gone", "40 192.0.2.1.", "50 broken"],
            ),
            ("mx1", "A", ["192.0.2.20"]),
            ("alias", "CNAME", ["mx1"]),
            ("gone", "TXT", ['"nothing here"']),
        ],
    )
    dns_server.faults.set(f"broken.{DOMAIN}", "servfail")
    outcome = await run_check(MxCheck, DOMAIN, make_services(dns_server))
    statuses = outcome.statuses()
    assert statuses["mx"] is Status.PASS
    assert f"host:mx1.{DOMAIN}" not in statuses
    assert statuses[f"cname:alias.{DOMAIN}"] is Status.WARN
    assert f"host:alias.{DOMAIN}" not in statuses  # it resolves, through the alias
    assert statuses[f"host:gone.{DOMAIN}"] is Status.FAIL
    assert outcome.by_subject(f"host:gone.{DOMAIN}").actions == ("email.fix-mx-host",)
    assert statuses["host:192.0.2.1"] is Status.FAIL
    assert statuses[f"host:broken.{DOMAIN}"] is Status.ERROR


async def test_null_mx_mixed_with_real_servers(dns_server: DnsServer) -> None:
    add_zone(
        dns_server,
        DOMAIN,
        [("@", "MX", ["0 .", "10 mx1"]), ("mx1", "A", ["192.0.2.20"])],
    )
    outcome = await run_check(MxCheck, DOMAIN, make_services(dns_server))
    assert outcome.by_subject("null-mx").status is Status.FAIL
    assert list(outcome.facts["mx"].hosts) == [f"mx1.{DOMAIN}"]


async def test_correctly_parked(dns_server: DnsServer) -> None:
    add_zone(
        dns_server,
        DOMAIN,
        [("@", "MX", ["0 ."]), ("@", "TXT", PARKED), ("_dmarc", "TXT", REJECT)],
    )
    outcome = await run_check(MxCheck, DOMAIN, make_services(dns_server))
    finding = outcome.by_subject("parked")
    assert finding.status is Status.PASS
    assert "correctly parked" in finding.message
    assert outcome.facts["mx"].null_mx is True
    assert outcome.facts["mx"].accepts_mail is False
    assert list(outcome.facts["mx"].hosts) == []
    assert {f.subject: f.status for f in outcome.findings}["parked"] is Status.PASS


async def test_no_mx_and_nothing_else_lists_all_three(dns_server: DnsServer) -> None:
    add_zone(dns_server, DOMAIN, [("@", "A", ["192.0.2.1"])])
    outcome = await run_check(MxCheck, DOMAIN, make_services(dns_server))
    finding = outcome.by_subject("parked")
    assert finding.status is Status.WARN
    assert finding.actions == ("email.park-unused-domain",)
    assert "has no MX records" in finding.message
    for part in ("v=spf1 -all", "p=reject", "null MX"):
        assert part in finding.message
    assert {f.subject: f.status for f in outcome.findings}["parked"] is not Status.PASS


@pytest.mark.parametrize(
    ("spf", "dmarc", "missing"),
    [
        (['"v=spf1 include:_spf.google.com -all"'], REJECT, "v=spf1 -all"),
        (PARKED, ['"v=DMARC1; p=quarantine"'], "p=reject"),
        (PARKED, ['"v=DMARC1; p=reject; pct=50"'], "p=reject"),
        (['"v=spf1 -all"', '"v=spf1 ~all"'], REJECT, "v=spf1 -all"),
    ],
)
async def test_partly_parked(
    dns_server: DnsServer, spf: list[str], dmarc: list[str], missing: str
) -> None:
    add_zone(
        dns_server,
        DOMAIN,
        [("@", "MX", ["0 ."]), ("@", "TXT", spf), ("_dmarc", "TXT", dmarc)],
    )
    outcome = await run_check(MxCheck, DOMAIN, make_services(dns_server))
    finding = outcome.by_subject("parked")
    assert finding.status is Status.WARN
    assert missing in finding.message
    assert "null MX record" not in finding.message


async def test_parked_subdomain_inherits_dmarc_reject(dns_server: DnsServer) -> None:
    add_zone(
        dns_server,
        DOMAIN,
        [
            ("old", "MX", ["0 ."]),
            ("old", "TXT", PARKED),
            ("_dmarc", "TXT", ['"v=DMARC1; p=none; sp=reject"']),
        ],
    )
    outcome = await run_check(MxCheck, f"old.{DOMAIN}", make_services(dns_server))
    assert outcome.by_subject("parked").status is Status.PASS


@pytest.mark.parametrize("fault", ["servfail", "timeout"])
async def test_mx_lookup_failure_is_error(dns_server: DnsServer, fault: str) -> None:
    add_zone(dns_server, DOMAIN, [("@", "MX", ["10 mx1"])])
    dns_server.faults.set(DOMAIN, fault)
    outcome = await run_check(MxCheck, DOMAIN, make_services(dns_server))
    finding = outcome.by_subject("mx")
    assert finding.status is (Status.TIMEOUT if fault == "timeout" else Status.ERROR)
    assert outcome.facts["mx"].accepts_mail is None


async def test_parked_lookup_failure_is_error(dns_server: DnsServer) -> None:
    add_zone(dns_server, DOMAIN, [("@", "MX", ["0 ."]), ("@", "TXT", PARKED)])
    dns_server.faults.set(f"_dmarc.{DOMAIN}", "servfail")
    outcome = await run_check(MxCheck, DOMAIN, make_services(dns_server))
    assert outcome.by_subject("parked").status is Status.ERROR


async def test_domain_that_does_not_exist(dns_server: DnsServer) -> None:
    add_zone(dns_server, "org.uk", [("other", "A", ["192.0.2.1"])])
    outcome = await run_check(MxCheck, DOMAIN, make_services(dns_server))
    finding = outcome.by_subject("mx")
    assert finding.status is Status.FAIL
    assert "does not exist" in finding.message


@given(st.lists(st.text(max_size=40), max_size=10))
def test_parse_mx_never_raises(records: list[str]) -> None:
    parsed = parse_mx(records)
    assert all(r.preference <= 99999 for r in parsed)


async def test_mail_servers_past_the_cap_are_named_as_not_looked_up(
    dns_server: DnsServer,
) -> None:
    hosts = [f"mx{i:02d}" for i in range(23)]
    records: list[tuple[str, str, list[str]]] = [
        ("@", "MX", [f"{i + 1} {h}.{DOMAIN}." for i, h in enumerate(hosts)])
    ]
    records += [(h, "A", ["192.0.2.25"]) for h in hosts]
    add_zone(dns_server, DOMAIN, records)
    outcome = await run_check(MxCheck, DOMAIN, make_services(dns_server))
    cut = outcome.by_subject("mx-cap")
    assert cut.status is Status.ERROR
    assert cut.message == (
        f"Partly checked: the first 20 of 23 mail servers were looked up; mx20.{DOMAIN}, "
        f"mx21.{DOMAIN} and mx22.{DOMAIN} were not."
    )
