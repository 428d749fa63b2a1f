"""What the exposure checks share (core, so that no check imports another): the crawls of the
profile's sites, the text segments of a PDF, turning a matcher's sightings into findings (one
per URL and kind, the best match), and crawl failures into honest "could not check" findings."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from auditor.crawl import Crawl, CrawlFailure, Resource, shared_crawl, start_urls
from auditor.masking import profile_masker, snippet_keeping_whole_forms
from auditor.model import Confidence, Evidence, Finding, Severity, Status
from auditor.standards.content.exif_gps import ImageUnreadable
from auditor.standards.content.extract import MapPoint, Segment
from auditor.standards.content.pdf_text import PdfUnreadable
from auditor.standards.content.pipeline import Extraction, extract
from auditor.standards.identity.matchers import (
    IdentityMatcher,
    Match,
    haversine_m,
    location_severity,
    normalise_text,
    unexamined,
)

if TYPE_CHECKING:
    from auditor.check import CheckContext
    from auditor.net.http import FetchResult

CANDIDATE_GUIDANCE = (
    "https://www.gov.uk/government/collections/candidate-security-guidance-collection"
)

ACTIONS: dict[str, tuple[str, ...]] = {
    "home-address": ("exposure.remove-home-address", "exposure.search-engine-refresh"),
    "postcode": ("exposure.remove-home-address", "exposure.search-engine-refresh"),
    "street": ("exposure.remove-home-address",),
    "phone": ("exposure.remove-personal-phone",),
    "email": ("exposure.remove-personal-email",),
    "map-location": ("exposure.remove-map-location", "exposure.search-engine-refresh"),
    "gps-location": ("exposure.strip-photo-location",),
}

# Where the text was decides how to take it out: the page builder's revisions, the plugin's
# settings, the calendar plugin's venue, the photo's metadata. Keyed by Segment.source.
PLACE_ACTIONS: dict[str, str] = {
    "comment": "exposure.remove-hidden-page-text",
    "noscript": "exposure.remove-hidden-page-text",
    "template": "exposure.remove-hidden-page-text",
    "data-attribute": "exposure.fix-widget-settings",
    "script": "exposure.fix-widget-settings",
    "calendar": "exposure.fix-calendar-venue",
    "vcard": "exposure.fix-contact-card",
    "download": "exposure.fix-download",
    "site-api": "exposure.fix-site-api",
    "photo-text": "exposure.strip-photo-metadata",
    "pdf-hidden": "exposure.clean-document-hidden-parts",
    "pdf-metadata": "exposure.clean-document-hidden-parts",
}

MESSAGES = {
    "home-address": "Your home address is published on this page.",
    "postcode": "Your home postcode is published on this page.",
    "street": "The name of your home street appears on this page (without your house number).",
    "phone": "Your personal phone number is published on this page.",
    "email": "Your personal email address is published on this page.",
    "map-location": "A map on this page points at or near your home.",
}


@dataclass(frozen=True)
class Sighting:
    """One match, with the text and place it was found in."""

    match: Match
    url: str
    source: str  # page-text, attribute, json-ld, pdf-text, ...
    where: str  # the element or field
    text: str  # the whitespace-normalised segment text the match's span refers to
    fetched_at: str
    others: tuple[str, ...] = ()  # other sensitive strings inside the snippet


def identifiers_missing(matcher: IdentityMatcher) -> str:
    return (
        "The profile has no home address, phone number or personal email to look for; "
        "add them (they stay on this computer) and run the audit again."
    )


async def extraction_of(ctx: CheckContext, resource: Resource) -> Extraction:
    """What the pipeline reads in one crawled resource, once per audit however many checks
    ask, parsed in a worker thread so that a hostile page cannot stall the event loop."""

    async def run() -> Extraction:
        extraction = examined(
            await asyncio.to_thread(
                extract, resource.kind, resource.body, resource.content_type, resource.final_url
            )
        )
        if not resource.where:
            return extraction
        # Read from a site builder's API by the crawl: say so, in the crawl's words.
        segments = tuple(Segment("site-api", s.text, resource.where) for s in extraction.segments)
        return replace(extraction, segments=segments)

    return await ctx.services.once(f"extract:{resource.kind}:{resource.final_url}", run)


def examined(extraction: Extraction) -> Extraction:
    """The extraction with what the matchers will not examine added to its ``not_read``:
    each segment is matched up to MAX_TEXT characters, so the rest of a longer one must make
    the result "partly checked", never a clean pass."""
    cut = tuple(
        unexamined(s.text, "" if s.source == "page-text" else s.where) for s in extraction.segments
    )
    cut = tuple(dict.fromkeys(c for c in cut if c and c not in extraction.not_read))
    return replace(extraction, not_read=extraction.not_read + cut) if cut else extraction


def extraction_sightings(
    matcher: IdentityMatcher, extraction: Extraction, url: str, fetched_at: str
) -> list[Sighting]:
    """Every match in an extraction's text segments and map points."""
    found = scan_segments(matcher, list(extraction.segments), url, fetched_at)
    return found + point_sightings(matcher, list(extraction.points), url, fetched_at)


async def sightings_in(
    matcher: IdentityMatcher, extraction: Extraction, url: str, fetched_at: str
) -> list[Sighting]:
    """``extraction_sightings`` in a worker thread: a megabyte of hostile text takes the
    matchers most of a second, which on the event loop would stall every other check's
    DNS and SMTP conversation into a false timeout."""
    return await asyncio.to_thread(extraction_sightings, matcher, extraction, url, fetched_at)


def partly_checked_finding(
    ctx: CheckContext,
    url: str,
    not_read: tuple[str, ...],
    what: str = "page",
    *,
    kind: str = "",
) -> Finding:
    """ "Could not check" all of it: a cap or a broken part left something unread, named."""
    unread = "; ".join(not_read)
    return ctx.finding(
        Status.ERROR,
        f"Partly checked: on this {what}, {unread} could not be read, so it was not checked.",
        location=url,
        kind=kind or (what if what in ("page", "document", "photo") else "page"),
        subject="partly-checked",
        evidence=[Evidence(source="extraction", location=url, snippet=unread)],
    )


async def site_crawls(ctx: CheckContext) -> list[Crawl]:
    urls = start_urls(ctx.profile.websites, ctx.profile.extra_pages)
    crawls = [shared_crawl(ctx.services, url, whole) for url, whole in urls]
    return list(await asyncio.gather(*crawls))


def scan_segments(
    matcher: IdentityMatcher, segments: list[Segment], url: str, fetched_at: str
) -> list[Sighting]:
    """Every match in ``segments``, the best per kind per segment. Each segment is examined
    up to the matcher's MAX_TEXT characters: ``examined`` (applied by ``extraction_of`` and
    ``resource_scan``) names the rest in the extraction's ``not_read``."""
    found: list[Sighting] = []
    for segment in segments:
        text = normalise_text(segment.text)
        matches = matcher.find(text)
        best: dict[str, Match] = {}
        for match in matches:  # only the best per kind can become a finding
            if match.kind not in best or match.rank > best[match.kind].rank:
                best[match.kind] = match
        for match in best.values():
            left, right = max(0, match.start - 70), match.end + 70
            others = tuple(
                s for m in matches if m.start < right and left < m.end for s in m.sensitive
            )
            found.append(
                Sighting(match, url, segment.source, segment.where, text, fetched_at, others)
            )
    return found


def point_sightings(
    matcher: IdentityMatcher, points: list[MapPoint], url: str, fetched_at: str
) -> list[Sighting]:
    """Map coordinates near a home (the home must have coordinates in the profile)."""
    found: list[Sighting] = []
    for point in points:
        for home in matcher.home_points:
            assert home.latitude is not None and home.longitude is not None
            distance = haversine_m(point.latitude, point.longitude, home.latitude, home.longitude)
            severity = location_severity(distance)
            if severity is None:
                continue
            confidence = Confidence.HIGH if distance <= 200 else Confidence.MEDIUM
            if point.weak:  # the centre of a map's view, not a pin: weaker evidence
                severity = Severity.HIGH if severity is Severity.CRITICAL else severity
                confidence = Confidence.MEDIUM
            detail = f"a map point {distance:,.0f} m from your home"
            if point.weak:
                detail = f"the centre of a map's view, {distance:,.0f} m from your home"
            match = Match(
                "map-location",
                severity,
                confidence,
                0,
                len(point.raw),
                (point.raw,),
                home.subject,
                detail,
            )
            text = normalise_text(point.raw + " " + point.where)
            found.append(Sighting(match, url, point.source, point.where, text, fetched_at))
    return found


def best_per_location(sightings: list[Sighting]) -> list[Sighting]:
    """One sighting per (URL, kind): the most severe, most certain, first seen."""
    best: dict[tuple[str, str], Sighting] = {}
    for sighting in sightings:
        key = (sighting.url, sighting.match.kind)
        current = best.get(key)
        if current is None or sighting.match.rank > current.match.rank:
            best[key] = sighting
    return list(best.values())


def exposure_finding(
    ctx: CheckContext,
    sighting: Sighting,
    message: str = "",
    actions: tuple[str, ...] = (),
    kind: str = "",
) -> Finding:
    match = sighting.match
    kind = kind or match.kind
    status = Status.FAIL if match.severity.rank >= Severity.HIGH.rank else Status.WARN
    sensitive = tuple(dict.fromkeys((*match.sensitive, *sighting.others)))
    # Cut where no identifier is split, so the writers' masker sees every form whole (the
    # profile's families cover the forms a page wrote).
    masker = profile_masker(ctx.profile.sensitive_values())
    if not message:
        message = MESSAGES.get(kind, "Your personal details are published on this page.")
        if sighting.where:
            message = f"{message.removesuffix('.')}: {sighting.where}."
    if not actions:
        actions = ACTIONS.get(kind, ("exposure.remove-home-address",))
        place = PLACE_ACTIONS.get(sighting.source)
        if place and kind in ACTIONS:
            actions = (place, *actions)
    evidence = Evidence(
        source=sighting.source,
        location=sighting.url,
        snippet=snippet_keeping_whole_forms(sighting.text, match.start, match.end, masker),
        fetched_at=sighting.fetched_at or None,
        sensitive=sensitive,
        detail={"where": sighting.where, "matched": match.detail},
    )
    return ctx.finding(
        status,
        message,
        severity=match.severity,
        location=sighting.url,
        kind=kind,
        subject=match.subject,
        confidence=match.confidence,
        evidence=[evidence],
        actions=actions,
    )


def failure_finding(ctx: CheckContext, failure: CrawlFailure, what: str = "page") -> Finding:
    return ctx.finding(
        Status.ERROR,
        f"Could not check this {what}: {failure.error}",
        location=failure.url,
        kind=what,
        subject="fetch",
        evidence=[
            Evidence(
                source="http",
                location=failure.url,
                snippet=failure.error,
                detail={"error_kind": failure.error_kind},
            )
        ],
    )


def unread_sites(ctx: CheckContext, crawls: list[Crawl]) -> tuple[list[Finding], list[Crawl]]:
    """Findings saying "could not check" for the crawls whose start page was unreadable, and the
    crawls that read anything: a site whose front page never answered must not be reported
    as free of documents, photos or imprints (most of what it links to was never seen). A
    start page cut at the size cap is read, but the links past the cut were never seen."""
    errors: list[Finding] = []
    for crawl in crawls:
        failure = next((f for f in crawl.failures if f.url == crawl.start_url), None)
        if failure is not None:
            errors.append(failure_finding(ctx, failure, "site"))
        errors += truncated_findings(ctx, [crawl], ("html",), start_only=True)
    return errors, [crawl for crawl in crawls if crawl.resources]


def unreadable_finding(ctx: CheckContext, url: str, what: str) -> Finding:
    return ctx.finding(
        Status.ERROR,
        f"Could not check this {what}: it could not be read.",
        location=url,
        kind="document",
        subject="unreadable",
    )


def truncated_findings(
    ctx: CheckContext,
    crawls: list[Crawl],
    kinds: tuple[str, ...],
    *,
    start_only: bool = False,
    linked_only: bool = False,
) -> list[Finding]:
    """ "Could not check" for each resource cut at the size cap: only its first part was
    read, so a clean result would claim more than was seen. ``start_only`` and
    ``linked_only`` pick the start pages (``unread_sites`` reports those) or the rest."""
    findings: list[Finding] = []
    for crawl in crawls:
        for resource in crawl.of_kind(*kinds):
            if not resource.truncated:
                continue
            if (start_only and resource.depth > 0) or (linked_only and resource.depth == 0):
                continue
            what = "document" if resource.kind == "pdf" else "page"
            findings.append(
                ctx.finding(
                    Status.ERROR,
                    f"Could not check all of this {what}: it is larger than the "
                    f"{size_in_words(len(resource.body))} read, so the rest (and anything it "
                    "links to) was not checked.",
                    location=resource.final_url,
                    kind="page",
                    subject="truncated",
                )
            )
    return findings


def clean_finding(
    ctx: CheckContext, crawls: list[Crawl], count: int, what: str, partly: int = 0
) -> Finding:
    """ "No sign" when every crawl read all it found; "partly checked" (never a pass) when a
    crawl stopped at a limit, naming how many addresses it left unread. ``count`` resources
    were read in full; ``partly`` more were only partly read (each has its own could-not-check
    finding) and are not counted as checked."""
    location = ", ".join(c.start_url for c in crawls)
    more = f" ({partly} more could only be partly checked)" if partly else ""
    if not any(c.limited for c in crawls):
        return ctx.finding(
            Status.PASS,
            f"No sign of your home address, phone or email in the {count} {what} checked{more}.",
            location=location,
            kind="clean",
            subject="clean",
        )
    return _limited_finding(
        ctx,
        crawls,
        f"no sign of your home address, phone or email in the {count} {what} checked, but ",
        "The result covers only part of your site.",
    )


def limits_finding(ctx: CheckContext, crawls: list[Crawl]) -> Finding | None:
    """ "Partly checked" naming every limit a crawl met and what it left unread, for a check
    whose other findings (a leak found, a page that could not be read) leave no room for the
    clean finding that says it; None when no crawl met a limit. Without it a limit would go
    unsaid whenever something else was reported."""
    if not any(c.limited for c in crawls):
        return None
    return _limited_finding(
        ctx, crawls, "", "What this check reports covers only the part of your site it read."
    )


def _limited_finding(ctx: CheckContext, crawls: list[Crawl], lead: str, tail: str) -> Finding:
    location = ", ".join(c.start_url for c in crawls)
    limited = sorted({c.limited for c in crawls if c.limited})
    missed = sum(c.not_reached_count for c in crawls)
    named = [url for c in crawls for url in c.not_reached]
    unread = (
        f"{missed} more address{'es' if missed != 1 else ''} found on the site "
        f"{'were' if missed != 1 else 'was'} not read"
        if missed
        else "the rest of the site was not read"
    )
    examples = f" (such as {', '.join(u[:120] for u in named[:3])})" if named else ""
    return ctx.finding(
        Status.ERROR,
        f"Partly checked: {lead}the crawl stopped at {', '.join(limited)}, so {unread}"
        f"{examples}. {tail}",
        location=location,
        kind="page",
        subject="partly-checked",
        evidence=[
            Evidence(
                source="crawl",
                location=location,
                snippet=f"stopped at {', '.join(limited)}; {missed} not read",
                detail={"not_read": named, "not_read_count": missed},
            )
        ],
    )


def no_sites_finding(ctx: CheckContext) -> Finding:
    return ctx.finding(
        Status.SKIPPED,
        "The profile lists no websites or extra pages to check; add your campaign site and "
        "party or council profile pages.",
        kind="setup",
        subject="no-sites",
    )


def no_identifiers_finding(ctx: CheckContext, matcher: IdentityMatcher) -> Finding:
    return ctx.finding(
        Status.SKIPPED, identifiers_missing(matcher), kind="setup", subject="no-identifiers"
    )


def no_pages_finding(ctx: CheckContext, crawls: list[Crawl]) -> Finding:
    return ctx.finding(
        Status.ERROR,
        "No page of your sites could be read, so nothing was checked.",
        location=", ".join(c.start_url for c in crawls),
        kind="page",
        subject="nothing-read",
    )


@dataclass(frozen=True)
class ResourceScan:
    """What the matchers found in one fetched resource, and what a cap left unread in it (in
    plain words: the body past the size read, the text past a segment's limit, PDF pages
    after the 30th, ...). ``not_read`` makes the resource "partly checked", never clean."""

    sightings: list[Sighting]
    not_read: tuple[str, ...] = ()


def size_in_words(count: int) -> str:
    """A byte count as a person reads it: "2 MB", "512 KB", "900 bytes"."""
    if count >= 1 << 20:
        return f"{count / (1 << 20):.3g} MB"
    return f"{count / 1024:.3g} KB" if count >= 1024 else f"{count:,} bytes"


async def resource_scan(
    matcher: IdentityMatcher,
    result: FetchResult,
    kind: str,
    base_url: str,
    shown_url: str,
    fetched_at: str | None = None,
) -> ResourceScan:
    """What the matchers find in one resource fetched off the person's own crawl (an archived
    copy, a search result), through the same pipeline as the live pages; ``kind`` as the
    crawl names it. A body cut at the size cap and every cap of the extraction and the
    matchers are named in ``not_read``. Raises PdfUnreadable or ImageUnreadable when nothing
    could be read."""
    extraction = examined(
        await asyncio.to_thread(extract, kind, result.body, result.content_type, base_url)
    )
    if extraction.unreadable:
        error = PdfUnreadable if kind == "pdf" else ImageUnreadable
        raise error(extraction.unreadable)
    at = result.fetched_at if fetched_at is None else fetched_at
    sightings = await sightings_in(matcher, extraction, shown_url, at)
    not_read = extraction.not_read
    if result.truncated:
        cut = f"everything after its first {size_in_words(len(result.body))} (the size limit)"
        not_read = (cut, *not_read)
    return ResourceScan(sightings, not_read)


def sighting_kind(sighting: Sighting) -> str:
    """The finding kind of a sighting: a photo's GPS position is "gps-location"."""
    if sighting.source in ("exif", "xmp") and sighting.match.kind == "map-location":
        return "gps-location"
    return sighting.match.kind
