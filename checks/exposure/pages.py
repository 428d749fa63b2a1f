"""exposure.pages: the person's home address, postcode, street, phones and emails on the
pages of their own sites (and the extra pages they list), wherever in the page they hide."""

from __future__ import annotations

from auditor.check import Check, CheckContext, CheckMeta
from auditor.crawl import Crawl
from auditor.exposure import (
    best_per_location,
    clean_finding,
    exposure_finding,
    failure_finding,
    no_identifiers_finding,
    no_pages_finding,
    no_sites_finding,
    point_sightings,
    scan_segments,
    site_crawls,
    truncated_findings,
)
from auditor.model import Finding, Severity
from auditor.standards.content.extract import PageContent, extract_html, extract_vcard
from auditor.standards.identity.matchers import IdentityMatcher


class PagesCheck(Check):
    meta = CheckMeta(
        id="exposure.pages",
        title="Home address and personal details on your web pages",
        category="exposure",
        target="person",
        severity=Severity.CRITICAL,
        guidance="https://www.gov.uk/government/collections/candidate-security-guidance-collection",
        description=(
            "Crawls your campaign site and the extra pages in your profile and looks, on this "
            "computer only, for your home address, postcode, street, personal phones and "
            "emails in the text, attributes, structured data, contact links and map embeds."
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
        return findings_for_pages(ctx, matcher, crawls)


def page_content(resource_kind: str, body: str, url: str) -> PageContent:
    if resource_kind == "vcard":
        return extract_vcard(body)
    return extract_html(body, url)


def findings_for_pages(
    ctx: CheckContext, matcher: IdentityMatcher, crawls: list[Crawl]
) -> list[Finding]:
    findings: list[Finding] = []
    checked = 0
    for crawl in crawls:
        for resource in crawl.of_kind("html", "vcard"):
            checked += 1
            content = page_content(resource.kind, resource.text(), resource.final_url)
            sightings = scan_segments(
                matcher, content.segments, resource.final_url, resource.fetched_at
            )
            sightings += point_sightings(
                matcher, content.points, resource.final_url, resource.fetched_at
            )
            findings += [exposure_finding(ctx, s) for s in best_per_location(sightings)]
        findings += [failure_finding(ctx, f) for f in crawl.failures_of_kind("html", "vcard")]
    findings += truncated_findings(ctx, crawls, ("html", "vcard"))
    if not checked and not findings:
        findings.append(no_pages_finding(ctx, crawls))
    elif checked and not any(f.status.is_problem for f in findings):
        findings.append(clean_finding(ctx, crawls, checked, "pages"))
    return findings
