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
from auditor.rules import Rule, RuleTable
from auditor.standards.email.discovery import DmarcLookup, discover_dmarc
from auditor.standards.email.dmarc_record import (
    POLICY_STRENGTH,
    DmarcRecord,
    ReportUri,
    is_dmarc_candidate,
)
from auditor.vocabulary import Category, TargetKind
from auditor.wording import names

MAX_AUTHORISATION_LOOKUPS = 10

ENFORCE = ("email.dmarc-enforce",)

# Every verdict this check gives (could-not-check findings come from the shared DNS helper).
# The ids are stable: docs/findings.md lists them.
RULES = RuleTable(
    [
        Rule(
            "DMARC001",
            Status.FAIL,
            "policy",
            "{domain} has no DMARC policy, so anyone can send email that claims to come from "
            "it and receivers have no instruction to block it.",
            actions=("email.dmarc-publish",),
        ),
        Rule(
            "DMARC002",
            Status.FAIL,
            "policy",
            "{name} has {count} DMARC records, so receivers apply none of them.",
            actions=("email.dmarc-single-record",),
        ),
        Rule(
            "DMARC003",
            Status.FAIL,
            "policy",
            "The DMARC record at {name} has a syntax error, so receivers ignore it.",
            actions=("email.dmarc-fix-record",),
        ),
        Rule(
            "DMARC004",
            Status.PASS,
            "policy",
            "DMARC tells receivers to reject mail that falsely claims to come from "
            "{domain}{origin}.",
        ),
        Rule(
            "DMARC005",
            Status.WARN,
            "policy",
            "DMARC sends forged mail from {domain} to the spam folder instead of rejecting "
            "it{origin}.",
            severity=Severity.MEDIUM,
            actions=ENFORCE,
        ),
        Rule(
            "DMARC006",
            Status.FAIL,
            "policy",
            "DMARC for {domain} only monitors (policy none){origin}: forged mail claiming to "
            "come from the campaign is still delivered.",
            actions=ENFORCE,
        ),
        Rule(
            "DMARC007",
            Status.WARN,
            "pct",
            "pct={pct} applies the {policy} policy to only {pct}% of forged mail; the rest is "
            "handled one step more leniently.",
            severity=Severity.MEDIUM,
            actions=ENFORCE,
        ),
        Rule(
            "DMARC008",
            Status.WARN,
            "testing",
            "The DMARC record is marked as a test (t=y), so receivers apply a weaker policy "
            "than the one it states.",
            severity=Severity.LOW,
            actions=ENFORCE,
        ),
        Rule(
            "DMARC009",
            Status.WARN,
            "sp",
            "Subdomains have a weaker DMARC policy (sp={sp}) than the domain itself, so "
            "forged mail from addresses like news.{domain} is treated more leniently.",
            severity=Severity.MEDIUM,
            actions=ENFORCE,
        ),
        Rule(
            "DMARC010",
            Status.WARN,
            "np",
            "Made-up subdomains have a weaker DMARC policy (np={np}), which makes them easy "
            "to forge.",
            severity=Severity.LOW,
            actions=ENFORCE,
        ),
        Rule(
            "DMARC011",
            Status.WARN,
            "record-problems",
            "The DMARC record works but has mistakes that receivers will ignore.",
            severity=Severity.LOW,
            actions=("email.dmarc-fix-record",),
        ),
        Rule(
            "DMARC012",
            Status.WARN,
            "rua",
            "The DMARC record asks for no reports (rua=), so nobody sees who is sending mail "
            "in the campaign's name.",
            severity=Severity.LOW,
            actions=("email.dmarc-reports",),
        ),
        Rule(
            "DMARC013",
            Status.PASS,
            "report-authorisation:{destination}",
            "{destination} has agreed to receive the DMARC reports for {policy_domain}.",
        ),
        Rule(
            "DMARC014",
            Status.WARN,
            "report-authorisation:{destination}",
            "DMARC reports go to {address} at another organisation, which has not published "
            "the record that lets receivers send them, so those reports will not arrive.",
            severity=Severity.LOW,
            actions=("email.dmarc-authorise-reports",),
        ),
    ]
)
_BY_POLICY = {"reject": "DMARC004", "quarantine": "DMARC005", "none": "DMARC006"}


class DmarcCheck(Check):
    meta = CheckMeta(
        id="email.dmarc",
        title="DMARC policy",
        category=Category.EMAIL,
        target=TargetKind.DOMAIN,
        severity=Severity.HIGH,
        guidance="https://www.ncsc.gov.uk/collection/email-security-and-anti-spoofing",
        description="Looks up the DMARC record that tells receiving mail servers what to do "
        "with mail that pretends to come from the campaign domain, and whether it enforces.",
        timeout=30.0,
    )
    rules = RULES

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
            note = _note(f"Looked for a DMARC record at: {searched}.")
            return [_by(ctx, "DMARC001", f"_dmarc.{domain}", [*walk, note], domain=domain)]
        name = lookup.record_name
        if lookup.outcome == "multiple":
            count = len(lookup.raw_records)
            return [_by(ctx, "DMARC002", name, walk, name=name, count=count)]
        if lookup.outcome == "invalid":
            note = _note(f"Syntax error: {lookup.error}", snippet=lookup.raw_records[0])
            return [_by(ctx, "DMARC003", name, [*walk, note], name=name)]
        assert lookup.record is not None
        findings = _policy_findings(ctx, lookup, walk)
        findings.extend(await _report_findings(ctx, lookup))
        return findings


def _by(
    ctx: CheckContext, rule_id: str, location: str, evidence: list[Evidence], **facts: object
) -> Finding:
    return ctx.by_rule(RULES[rule_id], facts, location=location, evidence=evidence)


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
    findings = [
        _by(ctx, _BY_POLICY.get(policy, "DMARC006"), name, evidence, domain=domain, origin=origin)
    ]
    if record.pct is not None and record.pct < 100 and policy != "none":
        note = _note(
            "RFC 7489 §6.3: mail not sampled by pct gets the next weaker policy "
            "(reject becomes quarantine, quarantine becomes none). DMARCbis drops "
            "pct in favour of t=y."
        )
        findings.append(
            _by(
                ctx,
                "DMARC007",
                name,
                [_record_evidence(record, name), note],
                pct=record.pct,
                policy=policy,
            )
        )
    if record.testing:
        note = _note(
            "DMARCbis: with t=y receivers treat p=reject as quarantine and "
            "p=quarantine as none; remove t=y (or set t=n) once reports look clean."
        )
        findings.append(_by(ctx, "DMARC008", name, [_record_evidence(record, name), note]))
    if not lookup.inherited:
        findings.extend(_subdomain_findings(ctx, record, name))
    if record.problems:
        notes = [_record_evidence(record, name), _note("; ".join(record.problems))]
        findings.append(_by(ctx, "DMARC011", name, notes))
    return findings


def _subdomain_findings(ctx: CheckContext, record: DmarcRecord, name: str) -> list[Finding]:
    findings: list[Finding] = []
    strength = POLICY_STRENGTH[record.effective_policy]
    sp = record.subdomain_policy
    if sp is not None and POLICY_STRENGTH[sp] < strength:
        findings.append(
            _by(ctx, "DMARC009", name, [_record_evidence(record, name)], sp=sp, domain=ctx.target)
        )
    np = record.nonexistent_policy
    if np is not None and POLICY_STRENGTH[np] < POLICY_STRENGTH[sp or record.effective_policy]:
        findings.append(_by(ctx, "DMARC010", name, [_record_evidence(record, name)], np=np))
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
        findings.append(_by(ctx, "DMARC012", name, [_record_evidence(record, name)]))
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
    unasked = [uri.domain for uri in list(external.values())[MAX_AUTHORISATION_LOOKUPS:]]
    if unasked:
        findings.append(
            ctx.not_read(
                f"whether {names(unasked)} {'accepts' if len(unasked) == 1 else 'accept'} "
                f"DMARC reports was not asked (the first {MAX_AUTHORISATION_LOOKUPS} report "
                f"destinations were)",
                location=name,
                subject="report-authorisation-cap",
                evidence=[_record_evidence(record, name)],
            )
        )
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
    facts = {"destination": uri.domain, "policy_domain": policy_domain, "address": uri.address}
    rule_id = "DMARC013" if any(is_dmarc_candidate(r) for r in answer.records) else "DMARC014"
    return _by(ctx, rule_id, auth_name, evidence, **facts)
