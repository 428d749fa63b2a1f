"""auditor.testing, the kit a plugin's tests use: its assertions fail when a finding is not
as expected (naming what was found), and a context hands over only the results given."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from auditor.check import Check, CheckContext
from auditor.model import CheckResult, Evidence, Finding, Severity, Status
from auditor.testing import (
    assert_finding,
    assert_well_formed,
    loopback_dns,
    loopback_services,
    make_context,
    make_profile,
)
from checks.email.mx import MxCheck

AT = "2026-05-01T09:00:00+00:00"
EVIDENCE = (Evidence(source="dns", location="example.org TXT"),)


class NeedsMx(Check):
    meta = replace(MxCheck.meta, id="email.needs_mx", requires=("email.mx",))

    async def run(self, ctx: CheckContext) -> list[Finding]:
        return []


def result(*findings: Finding) -> CheckResult:
    return CheckResult("domain.leaky_txt", "example.org", findings, AT, 0.0)


def found(status: Status, subject: str = "txt", **fields: object) -> Finding:
    values: dict[str, object] = {"evidence": EVIDENCE, "message": f"txt {status.value}"}
    values.update(fields)
    return Finding("domain.leaky_txt", status, Severity.MEDIUM, target="example.org",
                   subject=subject, **values)  # type: ignore[arg-type]  # fmt: skip


def test_assert_finding_returns_the_one_finding_about_a_subject() -> None:
    warn = found(Status.WARN, rule="LTX001", actions=("domain.fix",))
    got = assert_finding(result(warn, found(Status.PASS, "other")), "txt", Status.WARN,
                         rule="LTX001", says="txt warn")  # fmt: skip
    assert got is warn


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"subject": "missing"}, "0 findings about 'missing' (want 1); found txt: warn"),
        ({"status": Status.PASS}, "'txt' is warn, not pass"),
        ({"rule": "LTX002"}, "came from rule 'LTX001', not 'LTX002'"),
        ({"says": "nothing"}, "says 'txt warn', not 'nothing'"),
    ],
)
def test_assert_finding_fails_naming_what_was_found(kwargs: dict[str, object], words: str) -> None:
    findings = result(found(Status.WARN, rule="LTX001", actions=("domain.fix",)))
    subject = str(kwargs.pop("subject", "txt"))
    with pytest.raises(AssertionError, match=re.escape(words)):
        assert_finding(findings, subject, **kwargs)  # type: ignore[arg-type]


def test_two_findings_about_one_subject_fail() -> None:
    with pytest.raises(AssertionError, match="2 findings about 'txt'"):
        assert_finding([found(Status.PASS), found(Status.PASS)], "txt")


@pytest.mark.parametrize(
    ("finding", "words"),
    [
        (found(Status.WARN), "a problem with no action"),
        (found(Status.PASS, evidence=()), "no evidence"),
        (found(Status.PASS, message=" "), "no message"),
    ],
)
def test_assert_well_formed_fails_on_what_the_reports_need(finding: Finding, words: str) -> None:
    assert_well_formed(result(found(Status.FAIL, actions=("domain.fix",))))
    with pytest.raises(AssertionError, match=words):
        assert_well_formed(result(finding))


async def test_a_context_hands_over_only_the_results_given() -> None:
    zone = "$ORIGIN example.org.\n@ 300 SOA ns hostmaster 1 3600 600 86400 300\n@ 300 NS ns\n"
    async with loopback_dns(zone) as dns, loopback_services(dns.port) as services:
        given = make_context(MxCheck, "example.org", services)
        assert given.profile == make_profile("example.org", websites=("example.org",))
        with pytest.raises(KeyError, match="without declaring it in requires"):
            await given.requirement("web.https")

        mx = CheckResult("email.mx", "example.org", (), AT, 0.0, facts={"mx": "read"})
        ctx = make_context(NeedsMx, "example.org", services, requirements={"email.mx": [mx]})
        assert await ctx.requirement_facts("email.mx", "mx") == ["read"]
        bare = make_context(NeedsMx, "example.org", services)
        with pytest.raises(LookupError, match=r"asked for email\.mx: pass its results"):
            await bare.requirement("email.mx")
