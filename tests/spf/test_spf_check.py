"""The email.spf audit check against real zones on the loopback DNS server."""

from __future__ import annotations

import pytest

from auditor.check import CheckContext
from auditor.demo.dns_server import DnsServer
from auditor.engine import Engine
from auditor.model import CheckResult, Finding, Severity, Status
from auditor.net.dns import Nameserver
from auditor.profile import Profile
from auditor.services import AuditOptions, Services
from checks.email.spf import RULES, SpfCheck
from tests.spf.conftest import ZONE


def services(server: DnsServer) -> Services:
    # One test waits out a timeout; 1.5 s keeps a healthy loopback answer from timing out on
    # a busy two-core machine (the 91-record walk below asks many at once).
    return Services(
        AuditOptions(
            nameservers=(Nameserver("127.0.0.1", server.port),), dns_timeout=1.5, dns_attempts=1
        )
    )


async def audit(server: DnsServer, label: str) -> list[Finding]:
    target = f"{label}.audit.example"
    profile = Profile(name="Test Candidate", domains=(target,))

    async def no_requirements(check_id: str) -> list[CheckResult]:
        raise AssertionError(check_id)

    async with services(server) as svc:
        ctx = CheckContext(SpfCheck.meta, target, profile, svc, no_requirements)
        findings = await SpfCheck().run(ctx)
    return findings


def by_subject(findings: list[Finding]) -> dict[str, Finding]:
    return {f.subject: f for f in findings}


async def test_good_record_passes_with_its_record_as_evidence(spf_dns: DnsServer) -> None:
    findings = await audit(spf_dns, "good")
    found = by_subject(findings)
    assert found["all"].status is Status.PASS
    assert found["lookups"].status is Status.PASS and "1 of the 10" in found["lookups"].message
    assert all(f.status is Status.PASS for f in findings)
    assert found["all"].evidence[0].snippet.startswith("v=spf1 ip4:192.0.2.0/24")
    assert "include:_spf.provider.example.net" in found["lookups"].evidence[0].snippet
    assert found["all"].evidence[0].location == "good.audit.example TXT"


async def test_no_record_is_a_high_fail(spf_dns: DnsServer) -> None:
    findings = await audit(spf_dns, "none")
    assert [f.status for f in findings] == [Status.FAIL]
    assert findings[0].severity is Severity.HIGH
    assert "anyone can send" in findings[0].message
    assert findings[0].actions == ("email.spf-publish",)


async def test_two_records_are_a_permerror_fail(spf_dns: DnsServer) -> None:
    findings = await audit(spf_dns, "multi")
    assert [f.status for f in findings] == [Status.FAIL]
    assert "more than one SPF record" in findings[0].message
    assert findings[0].evidence[0].snippet.count("v=spf1") == 2


async def test_syntax_error_shows_the_raw_record(spf_dns: DnsServer) -> None:
    findings = await audit(spf_dns, "syntax")
    assert [f.status for f in findings] == [Status.FAIL]
    assert findings[0].evidence[0].snippet == "v=spf1 ip4:192.0.2.300 -all"
    assert "192.0.2.300" in findings[0].evidence[0].detail["error"]


async def test_split_strings_missing_a_space_are_explained(spf_dns: DnsServer) -> None:
    findings = await audit(spf_dns, "split")
    assert findings[0].status is Status.FAIL
    assert "a space is missing" in findings[0].message
    assert findings[0].evidence[0].snippet == "v=spf1 ip4:192.0.2.1-all"

    findings = await audit(spf_dns, "splitok")
    found = by_subject(findings)
    assert found["all"].status is Status.PASS
    assert found["split"].status is Status.PASS and found["split"].severity is Severity.INFO
    assert found["split"].evidence[0].detail["strings"] == ["v=spf1 ip4:192.0.2.1 ", "-all"]


@pytest.mark.parametrize(
    ("label", "status", "severity", "qualifier"),
    [
        ("plusall", Status.FAIL, Severity.CRITICAL, "+"),
        ("neutral", Status.FAIL, Severity.HIGH, "?"),
        ("noall", Status.FAIL, Severity.HIGH, ""),
        ("softfail", Status.WARN, Severity.MEDIUM, "~"),
        ("redirected", Status.PASS, Severity.INFO, "-"),
    ],
)
async def test_how_the_record_ends(
    spf_dns: DnsServer, label: str, status: Status, severity: Severity, qualifier: str
) -> None:
    findings = await audit(spf_dns, label)
    ending = by_subject(findings)["all"]
    assert (ending.status, ending.severity) == (status, severity)
    written = " ".join(e.snippet for e in ending.evidence)  # the record(s) it judged
    if qualifier:
        assert f"{qualifier}all" in written or (label == "redirected" and "redirect=" in written)
    else:
        assert " all" not in written and "-all" not in written and "~all" not in written
    if status is Status.WARN:
        assert "DMARC" in ending.message


async def test_lookup_limit_counted_through_includes(spf_dns: DnsServer) -> None:
    findings = await audit(spf_dns, "toomany")
    lookups = by_subject(findings)["lookups"]
    assert lookups.status is Status.FAIL and "11 DNS lookups" in lookups.message
    assert lookups.evidence[0].detail["lookups"] == 11
    assert "include:big.audit.example [10 lookups]" in lookups.evidence[0].snippet


async def test_void_lookups(spf_dns: DnsServer) -> None:
    findings = await audit(spf_dns, "void")
    void = by_subject(findings)["void"]
    assert void.status is Status.FAIL and "3 names" in void.message
    findings = await audit(spf_dns, "onevoid")
    assert by_subject(findings)["void"].status is Status.WARN


async def test_broken_targets_and_loops(spf_dns: DnsServer) -> None:
    findings = await audit(spf_dns, "badinclude")
    targets = by_subject(findings)["targets"]
    assert targets.status is Status.FAIL and "has no SPF record" in targets.message
    findings = await audit(spf_dns, "loop")
    found = by_subject(findings)
    assert found["targets"].status is Status.FAIL and "loop" in found["targets"].message
    assert "lookups" not in found  # a loop has no honest lookup count


async def test_ptr_size_macros_and_mx_limit(spf_dns: DnsServer) -> None:
    assert by_subject(await audit(spf_dns, "ptr"))["ptr"].status is Status.WARN
    long = by_subject(await audit(spf_dns, "long"))
    assert long["size"].status is Status.WARN and long["all"].status is Status.PASS
    macros = by_subject(await audit(spf_dns, "macros"))["macros"]
    assert macros.status is Status.PASS and macros.severity is Severity.INFO
    mx = by_subject(await audit(spf_dns, "mxmany"))["mx-limit"]
    assert mx.status is Status.FAIL


@pytest.mark.parametrize(("label", "cause"), [("servfail", "servfail"), ("slow", "timeout")])
async def test_dns_failure_is_an_error_never_a_fail(
    spf_dns: DnsServer, label: str, cause: str
) -> None:
    findings = await audit(spf_dns, label)
    assert [f.status for f in findings] == [Status.ERROR]
    assert cause in findings[0].message


async def test_failure_inside_the_include_tree_is_an_error(spf_dns: DnsServer) -> None:
    findings = await audit(spf_dns, "inclbroken")
    statuses = {f.subject: f.status for f in findings}
    assert statuses["lookups"] is Status.ERROR and Status.FAIL not in statuses.values()
    assert statuses["all"] is Status.PASS


async def test_runs_through_the_engine(spf_dns: DnsServer) -> None:
    profile = Profile(name="Test Candidate", domains=("good.audit.example", "none.audit.example"))
    async with services(spf_dns) as svc:
        report = await Engine.from_checks([SpfCheck]).run(profile, svc)
    statuses = {r.target: r.status for r in report.results}
    assert statuses == {"good.audit.example": Status.PASS, "none.audit.example": Status.FAIL}


async def test_a_walk_stopped_at_its_node_cap_says_so(spf_dns: DnsServer) -> None:
    # 1 + 9 + 81 records: more than the walk reads (MAX_NODES). The count it gives is of the
    # records it read, so the finding says "at least" and that the walk stopped.
    def includes(prefix: str) -> str:
        terms = " ".join(f"include:{prefix}{i}.audit.example" for i in range(9))
        return f'"v=spf1 {terms} -all"'

    spf_dns.set_records("wide.audit.example", "TXT", [includes("w")])
    for i in range(9):
        spf_dns.set_records(f"w{i}.audit.example", "TXT", [includes(f"w{i}x")])
        for j in range(9):
            spf_dns.set_records(f"w{i}x{j}.audit.example", "TXT", ['"v=spf1 -all"'])
    findings = await audit(spf_dns, "wide")
    limit = [f for f in findings if f.subject == "lookups" and f.status is Status.FAIL]
    assert limit and "at least" in limit[0].message and "stopped" in limit[0].message
    error = [f for f in findings if f.subject == "lookups" and f.status is Status.ERROR]
    assert error and "stopped" in error[0].message


async def test_every_finding_comes_from_the_rule_table_and_every_rule_is_reached(
    spf_dns: DnsServer,
) -> None:
    """The rule table is the whole ladder: each finding names its rule and carries that
    rule's status, subject and actions, and no rule is dead (the zone has a case for each)."""
    labels = sorted(
        {line.split()[0] for line in ZONE.splitlines()[5:] if line and line[0].isalpha()}
    )
    seen: set[str] = set()
    for label in labels:
        for finding in await audit(spf_dns, label):
            rule = RULES[finding.rule]
            assert (finding.status, finding.subject, finding.actions) == (
                rule.status,
                rule.subject,
                rule.actions,
            ), (label, finding.rule)
            seen.add(finding.rule)
    assert seen == {rule.id for rule in RULES}
