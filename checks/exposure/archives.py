"""exposure.archives: old copies of the campaign's pages in the Internet Archive's Wayback
Machine that show the home address, phones or emails: above all the ones the live site no
longer shows, which a fix of the page did not remove. Only the public domains and URLs are
sent; the captures are read through the same extraction and matchers as the live pages."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from auditor.archives import (
    BUDGET_S,
    SERVICE,
    ArchiveReader,
    ArchiveReading,
    ArchiveTarget,
    CaptureFailure,
    QueryFailure,
    archive_targets,
    page_key,
)
from auditor.check import Check, CheckContext, CheckMeta
from auditor.crawl import Crawl, kind_by_name, kind_of, normalise_url
from auditor.exposure import (
    Sighting,
    best_per_location,
    exposure_finding,
    extraction_of,
    no_identifiers_finding,
    no_sites_finding,
    partly_checked_finding,
    resource_scan,
    sighting_kind,
    sightings_in,
    site_crawls,
)
from auditor.model import Evidence, Finding, Severity, Status
from auditor.standards.content.exif_gps import ImageUnreadable
from auditor.standards.content.pdf_text import PdfUnreadable
from auditor.standards.identity.matchers import IdentityMatcher
from auditor.standards.web.wayback import REMOVAL_URL, Capture
from auditor.vocabulary import Category, ExposureKind, TargetKind

ARCHIVE_ACTIONS = ("exposure.web-archive-removal",)
LIVE_READ_BYTES = 1024 * 1024
PARTLY_READ = "only part of the live page could be read"


class ArchivesCheck(Check):
    meta = CheckMeta(
        id="exposure.archives",
        title="Old copies of your pages in web archives",
        category=Category.EXPOSURE,
        target=TargetKind.PERSON,
        severity=Severity.HIGH,
        guidance="https://help.archive.org/help/how-do-i-request-to-remove-something-from-archive-org/",
        description=(
            "Asks the Internet Archive's Wayback Machine which copies it keeps of your "
            "campaign domains, sites and listed pages (it sends only those public addresses), "
            "reads them and looks, on this computer, for your home address, phones and "
            "emails, above all where the live page no longer shows them."
        ),
        services=("wayback",),
        timeout=180.0,
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        matcher = IdentityMatcher.from_profile(ctx.profile)
        if matcher.empty:
            return [no_identifiers_finding(ctx, matcher)]
        profile = ctx.profile
        targets = archive_targets(profile.domains, profile.websites, profile.extra_pages)
        if not targets:
            return [no_sites_finding(ctx)]
        budget = time_budget(ctx)
        reader = ArchiveReader(ctx.services.http, ctx.services.endpoint("wayback"), budget_s=budget)
        # The live crawl is shared with the other exposure checks: reading the archive
        # alongside it keeps this check off the audit's critical path. A crawl that takes
        # longer than the archive's budget is not waited for: the few pages with archived
        # leaks are then fetched once each instead.
        crawl = asyncio.ensure_future(site_crawls(ctx))
        reading = await reader.read(targets)
        try:
            crawls = await asyncio.wait_for(asyncio.shield(crawl), max(1.0, budget / 3))
        except TimeoutError:
            crawls = []
        return await findings_for_archives(ctx, matcher, reading, crawls)


def time_budget(ctx: CheckContext) -> float:
    """The archive's time budget: its own bound, and at most half the audit's deadline, so
    that the check ends with what it read rather than being cut off by the engine."""
    deadline = ctx.services.options.audit_deadline
    return min(BUDGET_S, deadline / 2) if deadline else BUDGET_S


@dataclass(frozen=True)
class Archived:
    """Every capture of one page showing one kind of identifier, oldest first."""

    sightings: list[Sighting]
    captures: list[Capture]
    target: ArchiveTarget


async def findings_for_archives(
    ctx: CheckContext, matcher: IdentityMatcher, reading: ArchiveReading, crawls: list[Crawl]
) -> list[Finding]:
    findings = [query_failure(ctx, f) for f in reading.query_failures]
    findings += [capture_failure(ctx, f) for f in reading.failed]
    archived: dict[tuple[str, str], Archived] = {}
    for read in sorted(reading.read, key=lambda r: r.capture.timestamp):
        result, original = read.result, read.capture.original
        kind = kind_of(result, kind_by_name(original))
        try:
            scan = await resource_scan(matcher, result, kind, original, read.view_url)
        except (PdfUnreadable, ImageUnreadable) as exc:
            findings.append(unreadable_capture(ctx, read.view_url, read.capture, str(exc)))
            continue
        if scan.not_read:  # its leaks are still reported; the rest of it was not seen
            findings.append(
                partly_checked_finding(
                    ctx, read.view_url, scan.not_read, "archived copy", kind="archive"
                )
            )
        for sighting in best_per_location(scan.sightings):
            key = (page_key(read.capture.original), sighting_kind(sighting))
            entry = archived.setdefault(key, Archived([], [], read.target))
            entry.sightings.append(sighting)
            entry.captures.append(read.capture)
    live = LivePages(ctx, matcher, crawls)
    for (_page, kind), entry in archived.items():
        findings.append(archived_finding(ctx, entry, kind, await live.shows(entry, kind)))
    findings += partly_checked(ctx, reading)
    if not archived and not findings:
        findings.append(clean(ctx, reading))
    return findings


class LivePages:
    """Does the live page still show it? Read from the shared crawl, or fetched once when
    the crawl did not reach that page (an old page no longer linked)."""

    def __init__(self, ctx: CheckContext, matcher: IdentityMatcher, crawls: list[Crawl]) -> None:
        self.ctx = ctx
        self.matcher = matcher
        self.crawled = {
            page_key(url): resource
            for crawl in crawls
            for resource in crawl.resources
            for url in (resource.url, resource.final_url)
        }
        self.answers: dict[str, tuple[set[str] | None, str]] = {}

    async def shows(self, entry: Archived, kind: str) -> tuple[bool | None, str]:
        """(True/False/None for "could not tell", a few words on how the live page is)."""
        kinds, state = await self._live_kinds(entry.captures[0].original, entry.target)
        if kinds is None:
            return None, state
        if kind not in kinds and state == PARTLY_READ:
            return None, state  # it may sit in the part that was not read
        return kind in kinds, state

    async def _live_kinds(
        self, original: str, target: ArchiveTarget
    ) -> tuple[set[str] | None, str]:
        key = page_key(original)
        if key not in self.answers:
            self.answers[key] = await self._read_live(key, original, target)
        return self.answers[key]

    async def _read_live(
        self, key: str, original: str, target: ArchiveTarget
    ) -> tuple[set[str] | None, str]:
        """The kinds the live page shows, and PARTLY_READ when a cap left part of it unread
        (then a kind not seen may still be there)."""
        resource = self.crawled.get(key)
        if resource is not None:  # the extraction the live checks made, not a second parse
            extraction = await extraction_of(self.ctx, resource)
            if extraction.unreadable:
                return None, "the live copy could not be read"
            found = await sightings_in(self.matcher, extraction, resource.final_url, "")
            partly = resource.truncated or bool(extraction.not_read)
            return {sighting_kind(s) for s in found}, PARTLY_READ if partly else "the live page"
        result = await self.ctx.services.http.fetch(
            normalise_url(original), origin=target.start_url, max_bytes=LIVE_READ_BYTES
        )
        if not result.ok:
            return None, f"the live page could not be read ({result.error})"
        if result.status_code in (404, 410):
            return set(), "the page itself is gone from the live site"
        if (result.status_code or 0) >= 400:
            return None, f"the live page answered HTTP {result.status_code}"
        kind = kind_of(result, kind_by_name(original))
        try:
            scan = await resource_scan(
                self.matcher, result, kind, result.final_url, result.final_url, ""
            )
        except (PdfUnreadable, ImageUnreadable):
            return None, "the live copy could not be read"
        state = PARTLY_READ if scan.not_read else "the live page"
        return {sighting_kind(s) for s in scan.sightings}, state


def archived_finding(
    ctx: CheckContext, entry: Archived, kind: str, live: tuple[bool | None, str]
) -> Finding:
    still_live, state = live
    first, last = entry.captures[0], entry.captures[-1]
    sighting = entry.sightings[0]
    what = ExposureKind.what_of(kind)
    page = _short(first.original)
    count = len(entry.captures)
    later = f" ({count} archived copies show it, the last from {last.month})" if count > 1 else ""
    if still_live:
        message = (
            f"Your {what} is on the live page {page} and also in {count} archived "
            f"cop{'y' if count == 1 else 'ies'} ({_span(first, last)}): taking it off the page "
            "will not remove the copies."
        )
        subject = "archived-and-live"
    elif still_live is False:
        gone = "the page itself is gone" if "gone" in state else "the live page no longer does"
        message = (
            f"An archived copy from {first.month} of {page} still shows your {what}, though "
            f"{gone}{later}."
        )
        subject = "archived-only"
    else:
        message = (
            f"An archived copy from {first.month} of {page} shows your {what}{later}; "
            f"whether it is still live could not be checked: {state}."
        )
        subject = "archived"
    actions = ARCHIVE_ACTIONS + (_live_actions(kind) if still_live else ())
    finding = exposure_finding(ctx, sighting, message, actions, kind=kind)
    # A copy that only the archive still shows takes a visit to the archive to find: one
    # step less exposed than a live page (which exposure.pages reports at full weight).
    if finding.severity.rank > Severity.HIGH.rank:
        finding = replace(finding, severity=Severity.HIGH)
    evidence = finding.evidence[0]
    detail = {
        **evidence.detail,
        "archive": SERVICE,
        "original": first.original,
        "captured": first.date,
        "captures": [c.date for c in entry.captures],
        "live": {True: "still shown", False: "gone", None: "unknown"}[still_live],
        "removal": REMOVAL_URL,
    }
    return replace(
        finding,
        subject=f"{subject}:{finding.subject}",
        evidence=(replace(evidence, source=f"archive-{evidence.source}", detail=detail),),
    )


def _live_actions(kind: str) -> tuple[str, ...]:
    return {
        "phone": ("exposure.remove-personal-phone",),
        "email": ("exposure.remove-personal-email",),
        "gps-location": ("exposure.strip-photo-location",),
        "map-location": ("exposure.remove-map-location",),
    }.get(kind, ("exposure.remove-home-address",))


def _span(first: Capture, last: Capture) -> str:
    return f"from {first.month}" if first.month == last.month else f"{first.month} to {last.month}"


def _short(url: str) -> str:
    parts = urlsplit(url)
    return (parts.hostname or "") + (parts.path or "/")


def query_failure(ctx: CheckContext, failure: QueryFailure) -> Finding:
    return ctx.finding(
        Status.TIMEOUT if failure.timeout else Status.ERROR,
        f"Could not check the web archives for {failure.target.query}: {failure.error}.",
        location=failure.url,
        kind="archive",
        subject=f"cdx:{failure.target.query}",
        evidence=[Evidence(source="wayback-cdx", location=failure.url, snippet=failure.error)],
    )


def capture_failure(ctx: CheckContext, failure: CaptureFailure) -> Finding:
    capture = failure.capture
    return ctx.finding(
        Status.TIMEOUT if failure.timeout else Status.ERROR,
        f"Could not read the archived copy from {capture.month} of {_short(capture.original)} "
        f"({failure.error}); the other copies were checked.",
        location=failure.view_url,
        kind="archive",
        subject="capture",
        evidence=[Evidence(source="wayback", location=failure.view_url, snippet=failure.error)],
    )


def unreadable_capture(ctx: CheckContext, view_url: str, capture: Capture, reason: str) -> Finding:
    return ctx.finding(
        Status.ERROR,
        f"Could not read the archived copy from {capture.month} of {_short(capture.original)}: "
        f"{reason}.",
        location=view_url,
        kind="archive",
        subject="unreadable",
        evidence=[Evidence(source="wayback", location=view_url, snippet=reason)],
    )


def partly_checked(ctx: CheckContext, reading: ArchiveReading) -> list[Finding]:
    """One "partly checked" finding naming every copy a bound left unread, and every list of
    copies the archive cut at the rows asked for."""
    gaps: list[str] = []
    if reading.unread:
        total = sum(reading.unread.values())
        reasons = "; ".join(f"{n} by {why}" for why, n in reading.unread.items())
        gaps.append(
            f"{total} archived cop{'y' if total == 1 else 'ies'} of your pages "
            f"{'was' if total == 1 else 'were'} not read ({reasons}); {len(reading.read)} were"
        )
    gaps += reading.lists_cut
    if not gaps:
        return []
    return [
        ctx.not_read(
            "; ".join(gaps),
            location=ctx.services.endpoint("wayback"),
            evidence=[
                Evidence(
                    source="wayback",
                    location=ctx.services.endpoint("wayback"),
                    snippet="; ".join(gaps)[:500],
                    detail={
                        "not_read": dict(reading.unread),
                        "lists_cut": list(reading.lists_cut),
                    },
                )
            ],
        )
    ]


def clean(ctx: CheckContext, reading: ArchiveReading) -> Finding:
    location = ctx.services.endpoint("wayback")
    if not reading.read:
        return ctx.finding(
            Status.PASS,
            f"{SERVICE} holds no copies of your campaign domains, sites or listed pages.",
            location=location,
            kind="clean",
            subject="no-captures",
        )
    years = sorted(r.capture.timestamp[:4] for r in reading.read)
    span = years[0] if years[0] == years[-1] else f"{years[0]}-{years[-1]}"
    return ctx.finding(
        Status.PASS,
        f"No archived copy of your pages shows your home address, phone or email "
        f"({len(reading.read)} copies of {len(reading.pages)} pages read, {span}).",
        location=location,
        kind="clean",
        subject="clean",
    )
