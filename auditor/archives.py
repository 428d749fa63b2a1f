"""Reading a web archive politely (core, for exposure.archives): which captures the Wayback
Machine's CDX API lists for the campaign's domains, sites and pages, and their original
bytes through the ``id_`` playback URL.

Only public URLs and domain names are sent. Bounded: distinct captures per page, captures
in all, bytes in all, a time budget, two requests at a time; on 429 or 503 it waits a little
and tries again, and when the archive asks for a long pause it stops and says so. Whatever
a bound leaves unread is counted with the reason, so that the check can say "partly
checked" and name it. Nothing here raises for network trouble.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from auditor.answers import json_answer
from auditor.crawl import normalise_url
from auditor.exposure import size_in_words
from auditor.net.domains import organisational_domain
from auditor.polite import PoliteClient
from auditor.standards.web.wayback import (
    Capture,
    CdxMalformed,
    cdx_url,
    parse_cdx,
    raw_capture_url,
    view_capture_url,
)

if TYPE_CHECKING:
    from auditor.net.http import FetchResult, HttpClient

SERVICE = "the Wayback Machine"
CONCURRENCY = 2  # the Internet Archive asks API users to go gently
CDX_LIMIT = 1000  # rows asked of one CDX query
CAPTURES_PER_PAGE = 6  # distinct versions of one page read at most
MAX_CAPTURES = 60  # captures read in one audit
MAX_BYTES = 40 * 1024 * 1024  # bytes of captures read in one audit
CAPTURE_BYTES = 5 * 1024 * 1024  # bytes of one capture read
BUDGET_S = 90.0  # seconds for all of it
READABLE_TYPES = (
    "text/html", "application/xhtml+xml", "application/pdf", "text/vcard", "text/x-vcard",
    "image/jpeg", "image/png", "image/webp", "image/tiff",
)  # fmt: skip


@dataclass(frozen=True)
class ArchiveTarget:
    """One CDX question: a campaign domain (and its subdomains), a site's host, or a page."""

    query: str  # what goes in url=
    match_type: str  # domain | host | exact
    start_url: str  # the profile's URL it came from (the origin of live fetches)

    def covers(self, original: str) -> bool:
        """True when a CDX row's original URL is inside what was asked: a hostile or
        broken answer must not lead the audit to someone else's pages."""
        host = (urlsplit(normalise_url(original)).hostname or "").lower()
        if self.match_type == "domain":
            return host == self.query or host.endswith("." + self.query)
        if self.match_type == "host":
            return host == self.query
        return page_key(original) == page_key(self.query)


@dataclass(frozen=True)
class ReadCapture:
    """A capture whose bytes were read."""

    capture: Capture
    target: ArchiveTarget
    view_url: str  # what a person opens
    raw_url: str  # what was fetched
    result: FetchResult


@dataclass(frozen=True)
class CaptureFailure:
    capture: Capture
    view_url: str
    error: str
    timeout: bool = False


@dataclass(frozen=True)
class QueryFailure:
    target: ArchiveTarget
    url: str  # the CDX query (public: the domain or page asked about)
    error: str
    timeout: bool = False


@dataclass
class ArchiveReading:
    read: list[ReadCapture] = field(default_factory=list)
    failed: list[CaptureFailure] = field(default_factory=list)
    query_failures: list[QueryFailure] = field(default_factory=list)
    listed: int = 0  # distinct readable captures the CDX answers listed
    pages: set[str] = field(default_factory=set)  # page keys with captures
    unread: dict[str, int] = field(default_factory=dict)  # reason -> captures not read
    # In plain words, each list of captures that may go on past the rows asked for.
    lists_cut: list[str] = field(default_factory=list)

    def skip(self, reason: str, count: int = 1) -> None:
        if count > 0:
            self.unread[reason] = self.unread.get(reason, 0) + count


def page_key(url: str) -> str:
    """One key for the same page however it is written: no scheme, default port or www."""
    normal = normalise_url(url)
    if not normal:
        return url
    parts = urlsplit(normal)
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/") or "/"
    return host + path + (f"?{parts.query}" if parts.query else "")


def archive_targets(
    domains: Iterable[str], websites: Iterable[str], pages: Iterable[str]
) -> list[ArchiveTarget]:
    """The CDX questions for a profile: each campaign domain with its subdomains, each
    website on another domain by its host, and each extra page exactly."""
    targets: dict[tuple[str, str], ArchiveTarget] = {}
    owned = {d.lower().rstrip(".") for d in domains if d.strip()}
    for domain in sorted(owned):
        targets[(domain, "domain")] = ArchiveTarget(domain, "domain", f"https://{domain}/")
    for website in websites:
        url = normalise_url(website)
        host = (urlsplit(url).hostname or "").lower()
        if not host or organisational_domain(host) in owned or host in owned:
            continue
        targets.setdefault((host, "host"), ArchiveTarget(host, "host", url))
    for page in pages:
        url = normalise_url(page)
        if url:
            targets.setdefault((url, "exact"), ArchiveTarget(url, "exact", url))
    return list(targets.values())


def spread(captures: list[Capture], count: int) -> list[Capture]:
    """``count`` captures spread over time: the first, the last and evenly between."""
    if len(captures) <= count:
        return captures
    if count <= 1:
        return captures[-1:]
    step = (len(captures) - 1) / (count - 1)
    return [captures[round(i * step)] for i in range(count)]


class ArchiveReader:
    def __init__(self, http: HttpClient, base: str, *, budget_s: float = BUDGET_S) -> None:
        self.base = base
        self.client = PoliteClient(http, SERVICE, concurrency=CONCURRENCY, budget_s=budget_s)
        self.bytes_read = 0
        self.bytes_asked = 0  # what the fetches under way may still bring
        # Captures are fetched CONCURRENCY at a time, each asked for no more than the bytes
        # left: checked before each fetch is sent, the audit's byte limit holds however many
        # captures wait (checked when the tasks start, every one would see nothing read yet).
        self.fetch_gate = asyncio.Semaphore(CONCURRENCY)

    async def read(self, targets: list[ArchiveTarget]) -> ArchiveReading:
        reading = ArchiveReading()
        listed = await asyncio.gather(*(self._list(t, reading) for t in targets))
        chosen: list[tuple[Capture, ArchiveTarget]] = []
        seen: set[tuple[str, str]] = set()
        for target, captures in zip(targets, listed, strict=True):
            by_page: dict[str, list[Capture]] = {}
            for capture in captures:
                key = page_key(capture.original)
                content = (key, capture.digest or capture.timestamp)
                if content in seen:
                    continue  # the same bytes listed twice (non-adjacent, or by two queries)
                seen.add(content)
                by_page.setdefault(key, []).append(capture)
            for key, versions in by_page.items():
                reading.pages.add(key)
                reading.listed += len(versions)
                picked = spread(versions, CAPTURES_PER_PAGE)
                reading.skip(f"the {CAPTURES_PER_PAGE}-versions-per-page limit",
                             len(versions) - len(picked))  # fmt: skip
                chosen += [(capture, target) for capture in picked]
        if len(chosen) > MAX_CAPTURES:
            reading.skip(f"the {MAX_CAPTURES}-capture limit", len(chosen) - MAX_CAPTURES)
            chosen = chosen[:MAX_CAPTURES]
        await asyncio.gather(*(self._fetch(c, t, reading) for c, t in chosen))
        return reading

    async def _list(self, target: ArchiveTarget, reading: ArchiveReading) -> list[Capture]:
        url = cdx_url(self.base, target.query, target.match_type, CDX_LIMIT)
        result = await self.client.fetch(url, {"Accept": "application/json"})
        if result is None:
            reading.query_failures.append(QueryFailure(target, url, self.client.not_sent()))
            return []
        data, problem = json_answer(result, f"{SERVICE}'s CDX API")
        if not problem:
            try:
                captures = parse_cdx(data)
            except CdxMalformed as exc:
                problem = f"{SERVICE}'s CDX API answered in an unexpected shape: {exc}"
        if problem:
            failure = QueryFailure(target, url, problem, result.timed_out)
            reading.query_failures.append(failure)
            return []
        if len(captures) >= CDX_LIMIT:  # the archive stopped at the rows asked for
            reading.lists_cut.append(
                f"{SERVICE} listed the first {CDX_LIMIT:,} copies of {target.query} and may "
                "hold more, so any later copies were not looked at"
            )
        return [
            c
            for c in captures
            if c.statuscode in ("200", "")
            and (not c.mimetype or c.mimetype in READABLE_TYPES)
            and target.covers(c.original)
        ]

    async def _fetch(
        self, capture: Capture, target: ArchiveTarget, reading: ArchiveReading
    ) -> None:
        view = view_capture_url(self.base, capture)
        raw = raw_capture_url(self.base, capture)
        async with self.fetch_gate:
            allowed = min(CAPTURE_BYTES, MAX_BYTES - self.bytes_read - self.bytes_asked)
            if allowed <= 0:
                reading.skip(f"the {size_in_words(MAX_BYTES)} limit on all copies read")
                return
            self.bytes_asked += allowed
            try:
                result = await self.client.fetch(raw, {}, max_bytes=allowed)
            finally:
                self.bytes_asked -= allowed
            if result is not None and result.ok:
                self.bytes_read += len(result.body)
        if result is None:
            reading.skip(self.client.not_sent())
            return
        if not result.ok or (result.status_code or 0) >= 400:
            error = result.error or f"{SERVICE} answered HTTP {result.status_code}"
            timeout = result.timed_out
            reading.failed.append(CaptureFailure(capture, view, error, timeout))
            return
        # A capture cut at its byte limit says so itself (its scan's not_read).
        reading.read.append(ReadCapture(capture, target, view, raw, result))
