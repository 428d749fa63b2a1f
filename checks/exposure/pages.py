"""exposure.pages: the person's home address, postcode, street, phones and emails on the
pages of their own sites (and the extra pages they list), wherever in the page they hide."""

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
    no_pages_finding,
    no_sites_finding,
    partly_checked_finding,
    sightings_in,
    site_crawls,
    truncated_findings,
)
from auditor.model import Evidence, Finding, Severity, Status
from auditor.standards.identity.matchers import IdentityMatcher
from auditor.vocabulary import Category, TargetKind


class PagesCheck(Check):
    meta = CheckMeta(
        id="exposure.pages",
        title="Home address and personal details on your web pages",
        category=Category.EXPOSURE,
        target=TargetKind.PERSON,
        severity=Severity.CRITICAL,
        guidance="https://www.gov.uk/government/collections/candidate-security-guidance-collection",
        description=(
            "Crawls your campaign site and the extra pages in your profile and looks, on this "
            "computer only, for your home address, postcode, street, personal phones and "
            "emails in the text, hidden parts (comments, scripts, widget settings), structured "
            "data, contact links, map embeds, contact cards, calendars and text downloads."
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
        return await findings_for_pages(ctx, matcher, crawls)


PAGE_KINDS = ("html", "vcard", "calendar", "text")


async def findings_for_pages(
    ctx: CheckContext, matcher: IdentityMatcher, crawls: list[Crawl]
) -> list[Finding]:
    findings: list[Finding] = []
    checked = partly = 0
    for crawl in crawls:
        for resource in crawl.of_kind(*PAGE_KINDS):
            extraction = await extraction_of(ctx, resource)
            if extraction.unreadable:  # nothing was read: never counted as checked
                findings.append(unreadable_page(ctx, resource.final_url, extraction.unreadable))
                continue
            # Cut at the body cap (its own finding) or by an extraction cap: partly checked.
            if extraction.not_read or resource.truncated:
                partly += 1
            else:
                checked += 1
            sightings = await sightings_in(
                matcher, extraction, resource.final_url, resource.fetched_at
            )
            findings += [exposure_finding(ctx, s) for s in best_per_location(sightings)]
            if extraction.not_read:
                findings.append(
                    partly_checked_finding(ctx, resource.final_url, extraction.not_read)
                )
        findings += [failure_finding(ctx, f) for f in crawl.failures_of_kind(*PAGE_KINDS)]
    findings += truncated_findings(ctx, crawls, PAGE_KINDS)
    if not checked and not partly and not findings:
        findings.append(no_pages_finding(ctx, crawls))
    elif checked and not any(f.status.is_problem for f in findings):
        findings.append(clean_finding(ctx, crawls, checked, "pages", partly))
    elif (limits := limits_finding(ctx, crawls)) is not None:
        findings.append(limits)  # what the crawl did not read, said beside what it found
    return findings


def unreadable_page(ctx: CheckContext, url: str, reason: str) -> Finding:
    return ctx.finding(
        Status.ERROR,
        f"Could not read this page, so it was not checked: {reason}.",
        location=url,
        kind="page",
        subject="unreadable",
        evidence=[Evidence(source="extraction", location=url, snippet=reason)],
    )
