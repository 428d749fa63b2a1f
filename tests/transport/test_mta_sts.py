"""MTA-STS: the pure parsers, then email.mta_sts against loopback DNS and HTTPS servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest

from auditor.demo.certs import DemoCertificates
from auditor.demo.dns_server import DnsServer, zone_from_records
from auditor.demo.web_server import Response, WebServer, redirect, text
from auditor.model import Finding, Status
from auditor.net.connect import ConnectRule
from auditor.services import Services
from auditor.standards.email.mta_sts_policy import (
    MAX_POLICY_BYTES,
    MtaStsError,
    is_sts_record,
    mx_matches,
    parse_policy,
    parse_sts_record,
    uncovered_mx,
)
from checks.email.mta_sts import MtaStsCheck

MakeServices = Callable[..., Services]
RunCheck = Callable[..., Awaitable[list[Finding]]]

GOOD_POLICY = "version: STSv1\r\nmode: enforce\r\nmx: *.mail.example\r\nmax_age: 1209600\r\n"


# -- pure parsers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "host", "expected"),
    [
        ("*.example.net", "mx1.example.net", True),
        ("*.example.net", "a.b.example.net", False),
        ("*.example.net", "example.net", False),
        ("*.example.net", "MX1.Example.NET.", True),
        ("mx.example.net", "mx.example.net", True),
        ("mx.example.net.", "MX.EXAMPLE.NET", True),
        ("mx.example.net", "evilmx.example.net", False),
        ("mx.example.net", "mx.example.net.evil.org", False),
        ("example.net", "mx.example.net", False),
        ("mx.*.net", "mx.example.net", False),
        ("*.example.net", ".example.net", False),
    ],
)
def test_mx_patterns_are_anchored(pattern: str, host: str, expected: bool) -> None:
    assert mx_matches(pattern, host) is expected


def test_uncovered_mx() -> None:
    assert uncovered_mx(["*.mail.example"], ["a.mail.example", "b.other.example"]) == [
        "b.other.example"
    ]


def test_record_parses() -> None:
    record = parse_sts_record("v=STSv1; id=20240101T000000;")
    assert record.id == "20240101T000000"


@pytest.mark.parametrize(
    "record",
    [
        "v=STSv1",
        "v=STSv1; id=",
        "v=STSv1; id=a-b",
        "id=1; v=STSv1",
        "v=STSv1; id=1; id=2",
        "x" * 5000,
    ],
)
def test_bad_records_raise_their_own_error(record: str) -> None:
    with pytest.raises(MtaStsError):
        parse_sts_record(record)


def test_policy_parses() -> None:
    policy = parse_policy(GOOD_POLICY + "mx: backup.example.org\n")
    assert (policy.mode, policy.max_age) == ("enforce", 1209600)
    assert policy.mx == ("*.mail.example", "backup.example.org")
    assert policy.problems == ()


@pytest.mark.parametrize(
    ("policy", "reason"),
    [
        ("mode: enforce\nmx: a.example\nmax_age: 1\n", "version"),
        ("version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n", "STSv2"),
        ("version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n", "strict"),
        ("version: STSv1\nmode: enforce\nmx: a.example\n", "max_age"),
        ("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n", "one year"),
        ("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -5\n", "whole number"),
        ("version: STSv1\nmode: enforce\nmax_age: 86400\n", "at least one mx"),
    ],
)
def test_bad_policies(policy: str, reason: str) -> None:
    with pytest.raises(MtaStsError, match=reason):
        parse_policy(policy)


def test_policy_problems_are_collected() -> None:
    policy = parse_policy(GOOD_POLICY + "garbage line\nmode: testing\nmx: not a host\n")
    assert policy.mode == "enforce"
    assert len(policy.problems) == 3


def test_policy_size_is_bounded() -> None:
    with pytest.raises(MtaStsError):
        parse_policy("version: STSv1\n" + "x: y\n" * 20000)


@pytest.mark.parametrize(
    ("text", "is_record"),
    [
        ("v=STSv1; id=1", True),
        ("v=STSv1 ; id=1", True),
        ("v=STSv1", True),
        ("v=STSv12; id=1", False),  # RFC 8461 3.1: the version is exactly v=STSv1
        ("v=STSv1x", False),
        (" v=STSv1; id=1", False),
        ("v=spf1 -all", False),
    ],
)
def test_the_version_tag_matches_exactly(text: str, is_record: bool) -> None:
    assert is_sts_record(text) is is_record


def test_leading_whitespace_in_a_policy_line_is_noted() -> None:
    policy = parse_policy("version: STSv1\n  mode: enforce\nmx: a.example\nmax_age: 86400\n")
    assert policy.mode == "enforce"
    assert len(policy.problems) == 1 and "line 2 starts with whitespace" in policy.problems[0]
    assert parse_policy(GOOD_POLICY).problems == ()


def test_none_mode_needs_no_mx() -> None:
    assert parse_policy("version: STSv1\nmode: none\nmax_age: 86400\n").mx == ()


# -- the check against loopback servers -----------------------------------------------------

DOMAINS = {
    # domain: (policy route or None, MX hosts)
    "good.example": (text(GOOD_POLICY), ["mx1.mail.example", "mx2.mail.example"]),
    "testing.example": (text(GOOD_POLICY.replace("enforce", "testing")), ["mx1.mail.example"]),
    "redirect.example": (redirect("https://elsewhere.example/mta-sts.txt"), ["mx1.mail.example"]),
    "outside.example": (text(GOOD_POLICY), ["mx1.mail.example", "mx.other.example"]),
    "html.example": (text(GOOD_POLICY, content_type="text/html"), ["mx1.mail.example"]),
    "expired.example": (text(GOOD_POLICY), ["mx1.mail.example"]),
    "short.example": (text(GOOD_POLICY.replace("1209600", "3600")), ["mx1.mail.example"]),
    "missing.example": (text("not found", status=404), ["mx1.mail.example"]),
    # Valid in its first 64 KiB, then more: never parse the part that was read.
    "oversize.example": (
        text(GOOD_POLICY + "x-padding: y\r\n" * (MAX_POLICY_BYTES // 14)),
        ["mx1.mail.example"],
    ),
    "indented.example": (text(GOOD_POLICY.replace("mode:", "\tmode:")), ["mx1.mail.example"]),
    # A public domain (its own address is on the internet) whose mta-sts host is loopback.
    "public.example": (text(GOOD_POLICY), ["mx1.mail.example"]),
}
PUBLIC_APEX = {"public.example": "81.2.69.142"}


@dataclass
class StsWorld:
    dns: DnsServer
    web: WebServer

    def services(self, make: MakeServices) -> Services:
        rules = (
            ConnectRule("", 443, "127.0.0.1", self.web.https_port),
            ConnectRule("", 80, "127.0.0.1", self.web.http_port),
        )
        return make(self.dns.port, connect_to=rules, ca_pem=self.web.ca_pem)


@pytest.fixture
async def world() -> AsyncIterator[StsWorld]:
    zones = []
    for domain, (_route, mx) in DOMAINS.items():
        records: list[tuple[str, str, list[str]]] = [
            ("_mta-sts", "TXT", ['"v=STSv1; id=20240101"']),
            # The domain itself is on loopback too: a policy host on a private address is
            # fetched only for a domain that is itself private (the SSRF guard).
            ("@", "A", [PUBLIC_APEX.get(domain, "127.0.0.1")]),
            ("mta-sts", "A", ["127.0.0.1"]),
            ("@", "MX", [f"{10 * (i + 1)} {host}." for i, host in enumerate(mx)]),
        ]
        zones.append(zone_from_records(domain, records))
    zones.append(
        zone_from_records(
            "odd.example",
            [
                ("_mta-sts.none", "TXT", ['"v=spf1 -all"']),
                ("_mta-sts.two", "TXT", ['"v=STSv1; id=1"', '"v=STSv1; id=2"']),
                ("_mta-sts.bad", "TXT", ['"v=STSv1; id=not valid!"']),
                ("_mta-sts.nohost", "TXT", ['"v=STSv1; id=1"']),
                ("_mta-sts.v12", "TXT", ['"v=STSv12; id=1"']),
                ("_mta-sts.v12beside", "TXT", ['"v=STSv12; id=1"', '"v=STSv1; id=2"']),
            ],
        )
    )
    certs = DemoCertificates([f"mta-sts.{d}" for d in DOMAINS])
    async with DnsServer(zones=zones) as dns_server, WebServer(certs) as web:
        for domain, (route, _mx) in DOMAINS.items():
            assert isinstance(route, Response)
            web.route(f"mta-sts.{domain}", "/.well-known/mta-sts.txt", route)
        web.cert_variants["mta-sts.expired.example"] = "expired"
        yield StsWorld(dns_server, web)


async def findings_for(
    world: StsWorld, make: MakeServices, run: RunCheck, domain: str
) -> dict[str, Finding]:
    findings = await run(MtaStsCheck, domain, world.services(make))
    by_subject = {f.subject: f for f in findings}
    assert len(by_subject) == len(findings)
    return by_subject


async def test_good_policy(world: StsWorld, services_for: MakeServices, run: RunCheck) -> None:
    found = await findings_for(world, services_for, run, "good.example")
    assert {s: f.status for s, f in found.items()} == {
        "record": Status.PASS,
        "mode": Status.PASS,
        "mx": Status.PASS,
    }
    assert world.web.requests_to("mta-sts.good.example")[0].path == "/.well-known/mta-sts.txt"


async def test_a_public_domain_cannot_point_its_policy_host_into_a_private_network(
    world: StsWorld, services_for: MakeServices, run: RunCheck
) -> None:
    found = await findings_for(world, services_for, run, "public.example")
    assert found["policy"].status is Status.ERROR, found["policy"]
    assert "private or loopback" in found["policy"].message
    assert world.web.requests_to("mta-sts.public.example") == []


async def test_testing_mode_warns(
    world: StsWorld, services_for: MakeServices, run: RunCheck
) -> None:
    found = await findings_for(world, services_for, run, "testing.example")
    assert found["mode"].status is Status.WARN
    assert "email.mta-sts-enforce" in found["mode"].actions


async def test_policy_behind_redirect_fails(
    world: StsWorld, services_for: MakeServices, run: RunCheck
) -> None:
    found = await findings_for(world, services_for, run, "redirect.example")
    assert found["policy"].status is Status.FAIL
    assert "redirect" in found["policy"].message
    assert "mode" not in found
    assert not world.web.requests_to("elsewhere.example")


async def test_mx_outside_policy_fails(
    world: StsWorld, services_for: MakeServices, run: RunCheck
) -> None:
    found = await findings_for(world, services_for, run, "outside.example")
    assert found["mx"].status is Status.FAIL
    assert "mx.other.example" in found["mx"].message
    assert "mx1.mail.example" not in found["mx"].message


async def test_wrong_content_type_fails(
    world: StsWorld, services_for: MakeServices, run: RunCheck
) -> None:
    found = await findings_for(world, services_for, run, "html.example")
    assert found["policy"].status is Status.FAIL
    assert "text/plain" in found["policy"].message


async def test_expired_certificate_fails_with_reason(
    world: StsWorld, services_for: MakeServices, run: RunCheck
) -> None:
    found = await findings_for(world, services_for, run, "expired.example")
    assert found["policy"].status is Status.FAIL
    assert "certificate" in found["policy"].message
    assert "expired" in found["policy"].message


async def test_short_max_age_in_enforce_warns(
    world: StsWorld, services_for: MakeServices, run: RunCheck
) -> None:
    found = await findings_for(world, services_for, run, "short.example")
    assert found["max_age"].status is Status.WARN


async def test_policy_not_found_fails(
    world: StsWorld, services_for: MakeServices, run: RunCheck
) -> None:
    found = await findings_for(world, services_for, run, "missing.example")
    assert found["policy"].status is Status.FAIL
    assert "404" in found["policy"].message


@pytest.mark.parametrize(
    ("domain", "status", "words"),
    [
        ("none.odd.example", Status.WARN, "no MTA-STS policy"),
        ("two.odd.example", Status.FAIL, "exactly one"),
        ("bad.odd.example", Status.FAIL, "not valid"),
        ("v12.odd.example", Status.WARN, "no MTA-STS policy"),
    ],
)
async def test_record_problems(
    world: StsWorld,
    services_for: MakeServices,
    run: RunCheck,
    domain: str,
    status: Status,
    words: str,
) -> None:
    [finding] = await run(MtaStsCheck, domain, world.services(services_for))
    assert finding.status is status
    assert words in finding.message


async def test_policy_host_without_address_fails(
    world: StsWorld, services_for: MakeServices, run: RunCheck
) -> None:
    found = await findings_for(world, services_for, run, "nohost.odd.example")
    assert found["policy"].status is Status.FAIL
    assert "has no address" in found["policy"].message


async def test_dns_failure_is_could_not_check(
    world: StsWorld, services_for: MakeServices, run: RunCheck
) -> None:
    world.dns.faults.set("_mta-sts.good.example", "servfail")
    [finding] = await run(MtaStsCheck, "good.example", world.services(services_for))
    assert finding.status is Status.ERROR


async def test_policy_server_down_is_could_not_check(
    world: StsWorld, services_for: MakeServices, run: RunCheck
) -> None:
    world.web.faults.set("mta-sts.good.example", "close")
    found = await findings_for(world, services_for, run, "good.example")
    assert found["policy"].status is Status.ERROR


async def test_an_oversize_policy_is_an_error_not_its_first_64_kib(
    world: StsWorld, services_for: MakeServices, run: RunCheck
) -> None:
    found = await findings_for(world, services_for, run, "oversize.example")
    assert found["policy"].status is Status.FAIL
    assert "larger than 64 KiB" in found["policy"].message
    assert "mode" not in found and "mx" not in found


async def test_an_indented_policy_line_is_noted(
    world: StsWorld, services_for: MakeServices, run: RunCheck
) -> None:
    found = await findings_for(world, services_for, run, "indented.example")
    assert found["syntax"].status is Status.WARN
    assert "line 2 starts with whitespace" in found["syntax"].message
    assert found["mode"].status is Status.PASS


async def test_a_v12_record_is_not_a_second_record(
    world: StsWorld, services_for: MakeServices, run: RunCheck
) -> None:
    findings = await run(MtaStsCheck, "v12beside.odd.example", world.services(services_for))
    [record] = [f for f in findings if f.subject == "record"]
    assert record.status is Status.PASS
