"""email.bimi: the optional brand logo record ``default._bimi.<domain>``.

Informational: BIMI is not a security control, but a broken record or a logo that cannot
be fetched is worth knowing about, and BIMI only works when DMARC enforces.
"""

from __future__ import annotations

import asyncio

from auditor.answers import dns_evidence
from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status
from auditor.net.http import FetchResult
from auditor.standards.email.bimi_record import BimiSyntaxError, is_bimi_candidate, parse_bimi
from auditor.standards.email.discovery import DmarcLookup, discover_dmarc
from auditor.vocabulary import Category, TargetKind

MAX_LOGO_BYTES = 64 * 1024  # BIMI asks for SVG Tiny PS logos of at most 32 KB


class BimiCheck(Check):
    meta = CheckMeta(
        id="email.bimi",
        title="BIMI brand logo record",
        category=Category.EMAIL,
        target=TargetKind.DOMAIN,
        severity=Severity.LOW,
        guidance="https://bimigroup.org/implementation-guide/",
        description="Reads the optional BIMI record that lets mail clients show the campaign's "
        "logo, checks its syntax and that the logo can be fetched, and notes that BIMI needs "
        "DMARC enforcement.",
        timeout=30.0,
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        domain = ctx.target
        name = f"default._bimi.{domain}"
        answer, dmarc = await asyncio.gather(
            ctx.services.dns.txt(name), discover_dmarc(ctx.services.dns, domain)
        )
        fetched_at = ctx.now_iso()
        if answer.could_not_check:
            return [ctx.could_not_check(answer, "the BIMI record", subject="record")]
        evidence = dns_evidence(answer, fetched_at)
        candidates = [r for r in answer.records if is_bimi_candidate(r)]
        if not candidates:
            return [
                ctx.finding(
                    Status.PASS,
                    f"{domain} publishes no BIMI logo record; that is optional and only changes "
                    "how mail looks in some inboxes.",
                    location=name,
                    subject="record",
                    evidence=[evidence],
                )
            ]
        if len(candidates) > 1:
            return [
                ctx.finding(
                    Status.WARN,
                    f"{name} has {len(candidates)} BIMI records, so mail clients use none.",
                    location=name,
                    subject="record",
                    evidence=[evidence],
                    actions=["email.bimi-fix"],
                )
            ]
        try:
            record = parse_bimi(candidates[0])
        except BimiSyntaxError as exc:
            return [
                ctx.finding(
                    Status.WARN,
                    f"The BIMI record at {name} has a syntax error, so mail clients ignore it.",
                    location=name,
                    subject="record",
                    evidence=[evidence, _note(name, f"Syntax error: {exc}", candidates[0])],
                    actions=["email.bimi-fix"],
                )
            ]
        if record.declined:
            return [
                ctx.finding(
                    Status.PASS,
                    f"{domain} has a BIMI record that says it shows no logo.",
                    location=name,
                    subject="record",
                    evidence=[evidence],
                )
            ]
        findings: list[Finding] = []
        notes = []
        if record.authority_url:
            notes.append(
                "a= names a mark certificate (VMC/CMC); the audit does not validate it. "
                "Gmail and Apple Mail show logos only with one."
            )
        else:
            notes.append("No a= mark certificate: Gmail and Apple Mail will not show the logo.")
        if record.problems:
            findings.append(
                ctx.finding(
                    Status.WARN,
                    "The BIMI record has mistakes that stop some mail clients from showing "
                    "the logo.",
                    location=name,
                    subject="record",
                    evidence=[evidence, _note(name, "; ".join([*record.problems, *notes]))],
                    actions=["email.bimi-fix"],
                )
            )
        else:
            findings.append(
                ctx.finding(
                    Status.PASS,
                    f"{domain} publishes a BIMI logo record.",
                    location=name,
                    subject="record",
                    evidence=[evidence, _note(name, " ".join(notes))],
                )
            )
        findings.append(_dmarc_finding(ctx, dmarc, fetched_at))
        if record.logo_url.lower().startswith("https://"):
            findings.append(await _logo_finding(ctx, record.logo_url))
        return findings


def _note(location: str, text: str, snippet: str = "") -> Evidence:
    return Evidence(source="analysis", location=location, snippet=snippet, detail={"note": text})


def _dmarc_finding(ctx: CheckContext, dmarc: DmarcLookup, fetched_at: str) -> Finding:
    if dmarc.outcome == "error" and dmarc.failed_answer is not None:
        return ctx.could_not_check(
            dmarc.failed_answer, "whether DMARC enforces, as BIMI needs", subject="dmarc"
        )
    evidence = [dns_evidence(a, fetched_at) for a in dmarc.answers]
    record = dmarc.record
    enforced = (
        dmarc.policy in ("quarantine", "reject")
        and record is not None
        and (record.pct is None or record.pct == 100)
        and not record.testing
    )
    if enforced:
        return ctx.finding(
            Status.PASS,
            f"DMARC enforces (policy {dmarc.policy}), as BIMI requires.",
            location=dmarc.record_name,
            subject="dmarc",
            evidence=evidence,
        )
    return ctx.finding(
        Status.WARN,
        "Mail clients ignore the BIMI logo because DMARC does not enforce (it needs "
        "p=quarantine or p=reject at 100%).",
        location=dmarc.record_name or f"_dmarc.{ctx.target}",
        subject="dmarc",
        evidence=evidence,
        actions=["email.bimi-fix", "email.dmarc-enforce"],
    )


async def _logo_finding(ctx: CheckContext, url: str) -> Finding:
    # The URL comes from a DNS record: judged by the audited domain, not by itself, so a
    # hostile l= cannot send the auditor into the network it runs in.
    result = await ctx.services.http.fetch(
        url, origin=f"https://{ctx.target}/", max_bytes=MAX_LOGO_BYTES
    )
    evidence = [_fetch_evidence(result)]
    if not result.ok:
        return ctx.finding(
            ctx.fetch_status(result),
            f"Could not check the BIMI logo at {url}: {result.error}.",
            severity=Severity.INFO,
            location=url,
            subject="logo",
            evidence=evidence,
        )
    looks_svg = "svg" in result.content_type or b"<svg" in result.body[:4096].lower()
    if result.status_code != 200 or not looks_svg or result.truncated:
        if result.status_code != 200:
            why = f"answered HTTP {result.status_code}"
        elif result.truncated:
            why = f"is larger than {MAX_LOGO_BYTES // 1024} KB"
        else:
            why = f"is not an SVG image ({result.content_type or 'no content type'})"
        return ctx.finding(
            Status.WARN,
            f"The BIMI logo URL {why}, so mail clients cannot show the logo.",
            location=url,
            subject="logo",
            evidence=evidence,
            actions=["email.bimi-fix"],
        )
    return ctx.finding(
        Status.PASS,
        "The BIMI logo can be fetched and is an SVG image.",
        location=url,
        subject="logo",
        evidence=evidence,
    )


def _fetch_evidence(result: FetchResult) -> Evidence:
    content_type = result.headers.get("content-type", "") if result.status_code else ""
    snippet = (
        f"HTTP {result.status_code}; Content-Type: {content_type}"
        if result.status_code is not None
        else result.error
    )
    return Evidence(
        source="http",
        location=result.final_url or result.url,
        snippet=snippet[:500],
        fetched_at=result.fetched_at,
        detail={"redirects": list(result.redirects), "error_kind": result.error_kind},
    )
