"""exposure.imprint: election imprints ("Promoted by … of ADDRESS") on the person's pages
and PDFs that give their home address, where an office or PO box address would do."""

from __future__ import annotations

from auditor.check import Check, CheckContext, CheckMeta
from auditor.crawl import Crawl
from auditor.exposure import (
    Sighting,
    exposure_finding,
    extraction_of,
    limits_finding,
    no_identifiers_finding,
    no_sites_finding,
    partly_checked_finding,
    site_crawls,
    truncated_findings,
    unread_sites,
    unreadable_finding,
)
from auditor.model import Evidence, Finding, Severity, Status
from auditor.standards.identity.imprint_text import find_imprints
from auditor.standards.identity.matchers import IdentityMatcher, normalise_text
from auditor.vocabulary import Category, TargetKind

IMPRINT_GUIDANCE = (
    "https://www.electoralcommission.org.uk/full-guidance/statutory-guidance-digital-imprints"
)
IMPRINT_ACTIONS = ("exposure.imprint-office-address",)


class ImprintCheck(Check):
    meta = CheckMeta(
        id="exposure.imprint",
        title="Your home address in election imprints",
        category=Category.EXPOSURE,
        target=TargetKind.PERSON,
        severity=Severity.CRITICAL,
        guidance=(
            "https://www.electoralcommission.org.uk/full-guidance/"
            "statutory-guidance-digital-imprints"
        ),
        description=(
            'Finds the imprints ("Promoted by … of …") on your pages and PDFs and checks '
            "that none gives your home address: an office or PO box address may be used."
        ),
        timeout=240.0,
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        matcher = IdentityMatcher.from_profile(ctx.profile)
        if not matcher.homes:
            return [no_identifiers_finding(ctx, matcher)]
        crawls = await site_crawls(ctx)
        if not crawls:
            return [no_sites_finding(ctx)]
        return await findings_for_imprints(ctx, matcher, crawls)


async def findings_for_imprints(
    ctx: CheckContext, matcher: IdentityMatcher, crawls: list[Crawl]
) -> list[Finding]:
    unread, crawls = unread_sites(ctx, crawls)
    if not crawls:
        return unread
    findings: list[Finding] = list(unread)
    safe: list[str] = []
    for crawl in crawls:
        for resource in crawl.of_kind("html", "pdf"):
            url = resource.final_url
            best: Sighting | None = None
            extraction = await extraction_of(ctx, resource)
            if extraction.unreadable:
                # Its imprint, if any, was not read: say so rather than pass over it.
                findings.append(unreadable_finding(ctx, url, f"PDF ({extraction.unreadable})"))
                continue
            if extraction.not_read:
                # An imprint usually sits at the foot of a page: the part left unread may be
                # exactly where it is.
                what = "document" if resource.kind == "pdf" else "page"
                findings.append(
                    partly_checked_finding(ctx, url, extraction.not_read, what, kind="imprint")
                )
            # An imprint is printed: the page's visible text, a PDF's pages.
            segments = [s for s in extraction.segments if s.source in ("page-text", "pdf-text")]
            for segment in segments:
                for imprint in find_imprints(segment.text):
                    homes = [
                        m
                        for m in matcher.find(imprint.text)
                        if m.kind in ("home-address", "postcode", "street")
                    ]
                    if not homes:
                        safe.append(url)
                        continue
                    match = max(homes, key=lambda m: m.rank)
                    text = normalise_text(imprint.text)
                    others = tuple(s for m in homes for s in m.sensitive)
                    candidate = Sighting(
                        match, url, segment.source, "imprint", text, resource.fetched_at, others
                    )
                    if best is None or match.rank > best.match.rank:
                        best = candidate
            if best is not None:
                message = (
                    "An imprint on this page gives your home address; the Electoral Commission "
                    "says an office or PO box address may be used instead."
                )
                findings.append(exposure_finding(ctx, best, message, IMPRINT_ACTIONS, "imprint"))
    findings += truncated_findings(ctx, crawls, ("html", "pdf"), linked_only=True)
    limits = limits_finding(ctx, crawls)
    if limits is not None:  # a page the crawl did not read may carry the imprint: never a pass
        findings.append(limits)
    if not any(f.status.is_problem or f.status.could_not_check for f in findings):
        where = ", ".join(c.start_url for c in crawls)
        if safe:
            message = f"The imprints found ({len(safe)}) give an address that is not your home."
        else:
            message = "No imprint was found on your pages or PDFs, so none gives your home."
        findings.append(
            ctx.finding(
                Status.PASS,
                message,
                location=where,
                kind="imprint",
                subject="clean",
                evidence=[Evidence(source="page-text", location=u) for u in sorted(set(safe))[:5]],
            )
        )
    return findings
