"""email.dmarc: is there a DMARC policy for the campaign domain, and does it enforce?

RFC 7489 and DMARCbis: the record at ``_dmarc.<domain>``, or, when there is none, the
nearest ancestor's found by the DMARCbis tree walk (stopped at the organisational domain).
"""

from __future__ import annotations

import asyncio

from auditor.answers import dns_evidence
from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status
from auditor.net.domains import organisational_domain
from auditor.standards.email.discovery import DmarcLookup, discover_dmarc
from auditor.standards.email.dmarc_record import (
    POLICY_STRENGTH,
    DmarcRecord,
    ReportUri,
    is_dmarc_candidate,
)

MAX_AUTHORISATION_LOOKUPS = 10


class DmarcCheck(Check):
    meta = CheckMeta(
        id="email.dmarc",
        title="DMARC policy",
        category="email",
        target="domain",
        severity=Severity.HIGH,
        guidance="https://www.ncsc.gov.uk/collection/email-security-and-anti-spoofing",
        description="Looks up the DMARC record that tells receiving mail servers what to do "
        "with mail that pretends to come from the campaign domain, and whether it enforces.",
        timeout=30.0,
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        domain = ctx.target
        lookup = await discover_dmarc(ctx.services.dns, domain)
        fetched_at = ctx.now_iso()
        walk = [dns_evidence(answer, fetched_at) for answer in lookup.answers]
        if lookup.outcome == "error":
            assert lookup.failed_answer is not None
            return [ctx.could_not_check(lookup.failed_answer, "the DMARC policy", subject="policy")]
        if lookup.outcome == "absent":
            searched = ", ".join(a.name for a in lookup.answers)
            return [
                ctx.finding(
                    Status.FAIL,
                    f"{domain} has no DMARC policy, so anyone can send email that claims to come "
                    "from it and receivers have no instruction to block it.",
                    location=f"_dmarc.{domain}",
                    subject="policy",
                    evidence=[*walk, _note(f"Looked for a DMARC record at: {searched}.")],
                    actions=["email.dmarc-publish"],
                )
            ]
        if lookup.outcome == "multiple":
            return [
                ctx.finding(
                    Status.FAIL,
                    f"{lookup.record_name} has {len(lookup.raw_records)} DMARC records, so "
                    "receivers apply none of them.",
                    location=lookup.record_name,
                    subject="policy",
                    evidence=walk,
                    actions=["email.dmarc-single-record"],
                )
            ]
        if lookup.outcome == "invalid":
            return [
                ctx.finding(
                    Status.FAIL,
                    f"The DMARC record at {lookup.record_name} has a syntax error, so receivers "
                    "ignore it.",
                    location=lookup.record_name,
                    subject="policy",
                    evidence=[
                        *walk,
                        _note(f"Syntax error: {lookup.error}", snippet=lookup.raw_records[0]),
                    ],
                    actions=["email.dmarc-fix-record"],
                )
            ]
        assert lookup.record is not None
        findings = _policy_findings(ctx, lookup, walk)
        findings.extend(await _report_findings(ctx, lookup))
        return findings


def _note(text: str, snippet: str = "") -> Evidence:
    return Evidence(source="analysis", location="", snippet=snippet, detail={"note": text})


def _policy_findings(ctx: CheckContext, lookup: DmarcLookup, walk: list[Evidence]) -> list[Finding]:
    record = lookup.record
    assert record is not None
    domain = ctx.target
    policy = lookup.policy or "none"
    name = lookup.record_name
    origin = ""
    if lookup.inherited:
        tag = "sp=" if record.subdomain_policy else "p="
        origin = f" (inherited from {name} through its {tag} tag)"
    evidence = [*walk, _record_evidence(record, name, ctx.now_iso())]
    findings: list[Finding] = []
    if policy == "reject":
        findings.append(
            ctx.finding(
                Status.PASS,
                f"DMARC tells receivers to reject mail that falsely claims to come from "
                f"{domain}{origin}.",
                location=name,
                subject="policy",
                evidence=evidence,
            )
        )
    elif policy == "quarantine":
        findings.append(
            ctx.finding(
                Status.WARN,
                f"DMARC sends forged mail from {domain} to the spam folder instead of rejecting "
                f"it{origin}.",
                severity=Severity.MEDIUM,
                location=name,
                subject="policy",
                evidence=evidence,
                actions=["email.dmarc-enforce"],
            )
        )
    else:
        findings.append(
            ctx.finding(
                Status.FAIL,
                f"DMARC for {domain} only monitors (policy none){origin}: forged mail claiming to "
                "come from the campaign is still delivered.",
                location=name,
                subject="policy",
                evidence=evidence,
                actions=["email.dmarc-enforce"],
            )
        )
    if record.pct is not None and record.pct < 100 and policy != "none":
        findings.append(
            ctx.finding(
                Status.WARN,
                f"pct={record.pct} applies the {policy} policy to only {record.pct}% of forged "
                "mail; the rest is handled one step more leniently.",
                severity=Severity.MEDIUM,
                location=name,
                subject="pct",
                evidence=[
                    _record_evidence(record, name),
                    _note(
                        "RFC 7489 §6.3: mail not sampled by pct gets the next weaker policy "
                        "(reject becomes quarantine, quarantine becomes none). DMARCbis drops "
                        "pct in favour of t=y."
                    ),
                ],
                actions=["email.dmarc-enforce"],
            )
        )
    if record.testing:
        findings.append(
            ctx.finding(
                Status.WARN,
                "The DMARC record is marked as a test (t=y), so receivers apply a weaker policy "
                "than the one it states.",
                severity=Severity.LOW,
                location=name,
                subject="testing",
                evidence=[
                    _record_evidence(record, name),
                    _note(
                        "DMARCbis: with t=y receivers treat p=reject as quarantine and "
                        "p=quarantine as none; remove t=y (or set t=n) once reports look clean."
                    ),
                ],
                actions=["email.dmarc-enforce"],
            )
        )
    if not lookup.inherited:
        findings.extend(_subdomain_findings(ctx, record, name))
    if record.problems:
        findings.append(
            ctx.finding(
                Status.WARN,
                "The DMARC record works but has mistakes that receivers will ignore.",
                severity=Severity.LOW,
                location=name,
                subject="record-problems",
                evidence=[_record_evidence(record, name), _note("; ".join(record.problems))],
                actions=["email.dmarc-fix-record"],
            )
        )
    return findings


def _subdomain_findings(ctx: CheckContext, record: DmarcRecord, name: str) -> list[Finding]:
    findings: list[Finding] = []
    strength = POLICY_STRENGTH[record.effective_policy]
    sp = record.subdomain_policy
    if sp is not None and POLICY_STRENGTH[sp] < strength:
        findings.append(
            ctx.finding(
                Status.WARN,
                f"Subdomains have a weaker DMARC policy (sp={sp}) than the domain itself, so "
                f"forged mail from addresses like news.{ctx.target} is treated more leniently.",
                severity=Severity.MEDIUM,
                location=name,
                subject="sp",
                evidence=[_record_evidence(record, name)],
                actions=["email.dmarc-enforce"],
            )
        )
    np = record.nonexistent_policy
    if np is not None and POLICY_STRENGTH[np] < POLICY_STRENGTH[sp or record.effective_policy]:
        findings.append(
            ctx.finding(
                Status.WARN,
                f"Made-up subdomains have a weaker DMARC policy (np={np}), which makes them easy "
                "to forge.",
                severity=Severity.LOW,
                location=name,
                subject="np",
                evidence=[_record_evidence(record, name)],
                actions=["email.dmarc-enforce"],
            )
        )
    return findings


def _record_evidence(record: DmarcRecord, name: str, fetched_at: str | None = None) -> Evidence:
    detail: dict[str, object] = {"tags": dict(record.tags)}
    if record.unknown_tags:
        detail["unknown_tags"] = list(record.unknown_tags)
    return Evidence(
        source="dns",
        location=f"{name} TXT",
        snippet=record.raw,
        fetched_at=fetched_at,
        detail=detail,
    )


async def _report_findings(ctx: CheckContext, lookup: DmarcLookup) -> list[Finding]:
    record = lookup.record
    assert record is not None
    name = lookup.record_name
    findings: list[Finding] = []
    if not record.rua:
        findings.append(
            ctx.finding(
                Status.WARN,
                "The DMARC record asks for no reports (rua=), so nobody sees who is sending "
                "mail in the campaign's name.",
                severity=Severity.LOW,
                location=name,
                subject="rua",
                evidence=[_record_evidence(record, name)],
                actions=["email.dmarc-reports"],
            )
        )
    policy_domain = lookup.policy_domain
    try:
        own_org = organisational_domain(policy_domain)
    except Exception:
        own_org = policy_domain
    external: dict[str, ReportUri] = {}
    for uri in (*record.rua, *record.ruf):
        if uri.problem or not uri.domain or uri.domain in external:
            continue
        try:
            other_org = organisational_domain(uri.domain)
        except Exception:
            other_org = uri.domain
        if other_org != own_org:
            external[uri.domain] = uri
    destinations = list(external.values())[:MAX_AUTHORISATION_LOOKUPS]
    results = await asyncio.gather(
        *(_authorisation(ctx, policy_domain, uri, name) for uri in destinations)
    )
    findings.extend(results)
    return findings


async def _authorisation(
    ctx: CheckContext, policy_domain: str, uri: ReportUri, record_name: str
) -> Finding:
    """RFC 7489 §7.1: an outside report destination must publish
    ``<policy domain>._report._dmarc.<destination>`` TXT ``v=DMARC1``."""
    auth_name = f"{policy_domain}._report._dmarc.{uri.domain}"
    answer = await ctx.services.dns.txt(auth_name)
    subject = f"report-authorisation:{uri.domain}"
    if answer.could_not_check:
        return ctx.could_not_check(
            answer, f"whether {uri.domain} accepts DMARC reports", subject=subject
        )
    evidence = [dns_evidence(answer, ctx.now_iso())]
    if any(is_dmarc_candidate(r) for r in answer.records):
        return ctx.finding(
            Status.PASS,
            f"{uri.domain} has agreed to receive the DMARC reports for {policy_domain}.",
            location=auth_name,
            subject=subject,
            evidence=evidence,
        )
    return ctx.finding(
        Status.WARN,
        f"DMARC reports go to {uri.address} at another organisation, which has not published "
        "the record that lets receivers send them, so those reports will not arrive.",
        severity=Severity.LOW,
        location=auth_name,
        subject=subject,
        evidence=evidence,
        actions=["email.dmarc-authorise-reports"],
    )
