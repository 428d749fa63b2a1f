"""exposure.documents: the home address, phones and emails in the text and metadata
(author, title, keywords, XMP) of PDFs published on the person's sites."""

from __future__ import annotations

from auditor.check import Check, CheckContext, CheckMeta
from auditor.crawl import Crawl
from auditor.exposure import (
    best_per_location,
    clean_finding,
    exposure_finding,
    extraction_of,
    failure_finding,
    limits_finding,
    no_identifiers_finding,
    no_sites_finding,
    partly_checked_finding,
    sightings_in,
    site_crawls,
    unread_sites,
)
from auditor.model import Evidence, Finding, Severity, Status
from auditor.standards.content.unread import downloaded_only
from auditor.standards.identity.matchers import IdentityMatcher
from auditor.vocabulary import Category, ExposureKind, TargetKind

DOCUMENT_ACTIONS = ("exposure.redact-document", "exposure.search-engine-refresh")


class DocumentsCheck(Check):
    meta = CheckMeta(
        id="exposure.documents",
        title="Personal details in the documents (PDFs) on your sites",
        category=Category.EXPOSURE,
        target=TargetKind.PERSON,
        severity=Severity.CRITICAL,
        guidance="https://www.gov.uk/government/collections/candidate-security-guidance-collection",
        description=(
            "Reads the text and the hidden parts (author, title, keywords, XMP, comments, "
            "form fields, attached files) of the PDFs linked from your sites and looks for "
            "your home address, phones and emails."
        ),
        timeout=240.0,
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        matcher = IdentityMatcher.from_profile(ctx.profile)
        if matcher.empty:
            return [no_identifiers_finding(ctx, matcher)]
        crawls = await site_crawls(ctx)
        if not crawls:
            return [no_sites_finding(ctx)]
        return await findings_for_documents(ctx, matcher, crawls)


async def findings_for_documents(
    ctx: CheckContext, matcher: IdentityMatcher, crawls: list[Crawl]
) -> list[Finding]:
    unread, crawls = unread_sites(ctx, crawls)
    if not crawls:
        return unread
    findings: list[Finding] = list(unread)
    checked = partly = 0
    for crawl in crawls:
        for resource in crawl.of_kind("pdf"):
            extraction = await extraction_of(ctx, resource)
            if extraction.unreadable:
                findings.append(unreadable(ctx, resource.final_url, extraction.unreadable))
                continue
            not_read = extraction.not_read
            if resource.truncated:  # cut at the body cap: only its first part was read
                not_read = (*not_read, downloaded_only(len(resource.body)))
            if not_read:
                partly += 1
            else:
                checked += 1
            sightings = await sightings_in(
                matcher, extraction, resource.final_url, resource.fetched_at
            )
            for sighting in best_per_location(sightings):
                what = ExposureKind.what_of(sighting.match.kind)
                message = f"Your {what} is in this PDF: {sighting.where}."
                actions: tuple[str, ...] = DOCUMENT_ACTIONS
                if sighting.source != "pdf-text":
                    actions = ("exposure.clean-document-hidden-parts", *DOCUMENT_ACTIONS)
                findings.append(exposure_finding(ctx, sighting, message, actions))
            if not_read:
                findings.append(
                    partly_checked_finding(ctx, resource.final_url, not_read, "document")
                )
        findings += [failure_finding(ctx, f, "document") for f in crawl.failures_of_kind("pdf")]
    if checked and not any(f.status.is_problem for f in findings):
        findings.append(clean_finding(ctx, crawls, checked, "documents", partly))
    elif (limits := limits_finding(ctx, crawls)) is not None:
        findings.append(limits)  # never "none were found" where the crawl stopped short
    elif not checked and not partly and not findings:
        findings.append(
            ctx.finding(
                Status.PASS,
                "No PDF documents were found on your sites.",
                location=", ".join(c.start_url for c in crawls),
                kind="clean",
                subject="no-documents",
            )
        )
    return findings


def unreadable(ctx: CheckContext, url: str, reason: str) -> Finding:
    return ctx.finding(
        Status.ERROR,
        f"Could not read this PDF, so it was not checked: {reason}.",
        location=url,
        kind="document",
        subject="unreadable",
        evidence=[Evidence(source="pdf", location=url, snippet=reason)],
    )
