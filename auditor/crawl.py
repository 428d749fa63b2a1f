"""The site crawl every exposure check shares: one fetch per URL per audit.

From a start URL (a campaign website or an extra page), the crawl follows same-site links,
the sitemaps named in robots.txt and /sitemap.xml (sitemap indexes included), and collects
HTML pages, PDFs, vCards and images. It is bounded by depth, page count, bytes per response
(the HttpClient cap) and total time, runs a few fetches at once, and passes the start URL as
``origin`` on every fetch so that a public site cannot lead it into loopback or private
addresses. robots.txt is read for its sitemaps only: the candidate audits their own site.
Failures are recorded with their URL and the crawl goes on.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit, urlunsplit

from auditor.net.connect import is_ip_literal
from auditor.net.domains import organisational_domain
from auditor.standards.content.html import parseable_html

if TYPE_CHECKING:
    from auditor.net.http import FetchResult, HttpClient
    from auditor.services import Services

DEFAULT_CONCURRENCY = 8
DEFAULT_DEADLINE = 90.0  # seconds for one site's crawl
MAX_SITEMAPS = 20
MAX_URL = 2048
_SKIP_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "sms:", "callto:", "about:")
_KIND_BY_EXTENSION = {
    ".pdf": "pdf",
    ".jpg": "image",
    ".jpeg": "image",
    ".png": "image",
    ".webp": "image",
    ".tif": "image",
    ".tiff": "image",
    ".heic": "image",
    ".heif": "image",
    ".vcf": "vcard",
    ".ics": "calendar",
    ".txt": "text",
    ".csv": "text",
    ".json": "text",
}
_NOT_FETCHED = (
    ".css", ".js", ".mjs", ".ico", ".svg", ".gif", ".mp3", ".mp4", ".mov", ".avi",
    ".webm", ".zip", ".gz", ".tar", ".rar", ".7z", ".exe", ".dmg", ".woff", ".woff2", ".ttf",
    ".eot", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".rss", ".atom",
)  # fmt: skip
_LINKING_TAGS = frozenset({"a", "area", "iframe", "frame", "img", "source", "embed", "object"})
_LOC = re.compile(r"<(?:\w{1,20}:)?loc>\s{0,100}([^<\s]{1,2048})\s{0,100}</(?:\w{1,20}:)?loc>")
_ROBOTS_SITEMAP = re.compile(r"(?im)^[ \t]{0,20}sitemap[ \t]{0,20}:[ \t]{0,20}(\S{1,2048})")


@dataclass(frozen=True)
class Resource:
    """One thing fetched: a page, a PDF, a vCard or an image."""

    url: str  # normalised, as discovered
    final_url: str  # after redirects
    kind: str  # html | pdf | image | vcard | other
    content_type: str
    body: bytes
    fetched_at: str
    truncated: bool = False
    depth: int = 0

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class CrawlFailure:
    url: str
    kind: str  # what it was expected to be (html | pdf | image | vcard), by its name
    error: str  # one line naming the cause
    error_kind: str  # the HttpClient's error_kind, or "http" for a 4xx/5xx status


@dataclass(frozen=True)
class Crawl:
    start_url: str
    resources: tuple[Resource, ...] = ()
    failures: tuple[CrawlFailure, ...] = ()
    limited: str = ""  # why the crawl stopped early ("the 200-page limit"), empty if complete
    sitemaps: tuple[str, ...] = ()  # sitemaps read

    def of_kind(self, *kinds: str) -> list[Resource]:
        return [r for r in self.resources if r.kind in kinds]

    def failures_of_kind(self, *kinds: str) -> list[CrawlFailure]:
        return [f for f in self.failures if f.kind in kinds]


def normalise_url(url: str, base: str = "") -> str:
    """Absolute, fragment dropped, scheme and host lower-cased, default port dropped, an
    empty path made "/". Empty string for anything that is not an http(s) URL."""
    raw = url.strip()[:MAX_URL]
    if not raw or raw.lower().startswith(_SKIP_SCHEMES):
        return ""
    try:
        parts = urlsplit(urljoin(base, raw) if base else raw)
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in ("http", "https") or not host:
        return ""
    if ":" in host:
        host = f"[{host}]"
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, parts.path or "/", parts.query, ""))


def site_of(url: str) -> str:
    """What "the same site" means: the registrable domain, or the exact host for an IP
    address or localhost."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if not host or is_ip_literal(host) or host == "localhost" or "." not in host:
        return host
    return organisational_domain(host)


def kind_by_name(url: str) -> str:
    path = urlsplit(url).path.lower()
    for extension, kind in _KIND_BY_EXTENSION.items():
        if path.endswith(extension):
            return kind
    return "html"


def kind_of(result: FetchResult, expected: str) -> str:
    content_type = result.content_type
    head = result.body[:8].lstrip()
    if content_type == "application/pdf" or head.startswith(b"%PDF"):
        return "pdf"
    if content_type.startswith("image/"):
        return "image"
    if content_type in ("text/vcard", "text/x-vcard", "text/directory"):
        return "vcard"
    if content_type == "text/calendar":
        return "calendar"
    if expected in ("vcard", "calendar", "text") and content_type in (
        "application/octet-stream",
        "text/plain",
    ):
        return expected
    if content_type in ("text/plain", "text/csv", "application/json") and expected != "html":
        return "text"
    if content_type in ("text/html", "application/xhtml+xml"):
        return "html"
    if not content_type and expected in ("html", "vcard", "calendar", "text"):
        return expected
    if expected == "image" and content_type in ("application/octet-stream", ""):
        return "image"
    return "other"


class _LinkParser(HTMLParser):
    """The URLs a page points at: links, frames, images and embedded documents."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if len(self.found) > 5000:
            return
        values = dict(attrs)
        for name in ("href", "src", "data-src", "data"):
            value = values.get(name)
            if value and tag in (
                "a",
                "area",
                "iframe",
                "frame",
                "img",
                "source",
                "embed",
                "object",
            ):
                self.found.append(value)
        srcset = values.get("srcset")
        if srcset:
            self.found.extend(part.split()[0] for part in srcset.split(",")[:10] if part.split())


def page_links(html: str, base: str) -> list[str]:
    parser = _LinkParser()
    try:
        parser.feed(parseable_html(html[: 4 * 1024 * 1024]))
        parser.close()
    except Exception:  # html.parser is lenient; anything else is a bug in hostile input handling
        pass
    return [u for u in (normalise_url(link, base) for link in parser.found) if u]


@dataclass
class _State:
    start: str
    site: str
    max_pages: int
    max_depth: int
    deadline: float
    seen: set[str] = field(default_factory=set)
    resources: list[Resource] = field(default_factory=list)
    failures: list[CrawlFailure] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    limited: str = ""
    scheduled: int = 0
    follow_pages: bool = True
    queue: asyncio.Queue[tuple[str, int, str]] = field(default_factory=asyncio.Queue)

    def enqueue(self, url: str, depth: int, kind: str = "") -> None:
        if not url or url in self.seen or site_of(url) != self.site:
            return
        path = urlsplit(url).path.lower()
        if path.endswith(_NOT_FETCHED):
            return
        kind = kind or kind_by_name(url)
        if depth > self.max_depth or (depth > 0 and kind == "html" and not self.follow_pages):
            return
        if self.scheduled >= self.max_pages:
            self.limited = self.limited or f"the {self.max_pages}-page limit"
            return
        self.seen.add(url)
        self.scheduled += 1
        self.queue.put_nowait((url, depth, kind))


class Crawler:
    def __init__(
        self,
        http: HttpClient,
        *,
        max_pages: int = 200,
        max_depth: int = 4,
        concurrency: int = DEFAULT_CONCURRENCY,
        deadline: float = DEFAULT_DEADLINE,
        follow_pages: bool = True,
    ) -> None:
        self.http = http
        self.max_pages = max_pages
        self.max_depth = max_depth
        self.concurrency = max(1, concurrency)
        self.deadline = deadline
        self.follow_pages = follow_pages  # False: the start page and what it embeds or links
        # to as documents and images, not the rest of its site (a council or party page)

    async def crawl(self, start_url: str) -> Crawl:
        start = normalise_url(start_url)
        if not start:
            failure = CrawlFailure(start_url, "html", "not an http(s) web address", "scheme")
            return Crawl(start_url, failures=(failure,))
        state = _State(
            start, site_of(start), self.max_pages, self.max_depth, time.monotonic() + self.deadline
        )
        state.follow_pages = self.follow_pages
        state.enqueue(start, 0, "html")
        if self.follow_pages:
            for url in await self._sitemap_urls(state):
                state.enqueue(url, 1)
        workers = [asyncio.create_task(self._work(state)) for _ in range(self.concurrency)]
        try:
            await state.queue.join()
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        order = {url: i for i, url in enumerate(state.seen)}
        resources = sorted(state.resources, key=lambda r: (r.depth, r.url))
        failures = sorted(state.failures, key=lambda f: (order.get(f.url, 0), f.url))
        return Crawl(start, tuple(resources), tuple(failures), state.limited, tuple(state.sitemaps))

    async def _work(self, state: _State) -> None:
        while True:
            url, depth, expected = await state.queue.get()
            try:
                if time.monotonic() > state.deadline:
                    state.limited = state.limited or f"the {self.deadline:.0f}-second time limit"
                    continue
                await self._visit(state, url, depth, expected)
            except Exception as exc:  # a bug on one page must not stall the whole crawl
                message = f"{url[:200]}: could not be read ({type(exc).__name__})"
                state.failures.append(CrawlFailure(url, expected, message, "internal"))
            finally:
                state.queue.task_done()

    async def _visit(self, state: _State, url: str, depth: int, expected: str) -> None:
        result = await self.http.fetch(url, origin=state.start)
        if not result.ok:
            state.failures.append(CrawlFailure(url, expected, result.error, result.error_kind))
            return
        status = result.status_code or 0
        if status >= 400:
            message = f"{result.final_url[:200]} answered HTTP {status}"
            state.failures.append(CrawlFailure(url, expected, message, "http"))
            return
        final = normalise_url(result.final_url) or url
        if depth == 0:
            state.site = site_of(final)  # the start URL may redirect to the real site
        elif final != url and site_of(final) != state.site:
            return  # redirected off the site: not the candidate's page to audit
        kind = kind_of(result, expected)
        state.resources.append(
            Resource(
                url,
                final,
                kind,
                result.content_type,
                result.body,
                result.fetched_at,
                result.truncated,
                depth,
            )
        )
        if kind == "html":
            state.seen.add(final)
            for link in page_links(result.text(), final):
                state.enqueue(link, depth + 1)

    async def _sitemap_urls(self, state: _State) -> list[str]:
        parts = urlsplit(state.start)
        root = urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
        candidates = [urljoin(root, "sitemap.xml")]
        robots = await self.http.fetch(urljoin(root, "robots.txt"), origin=state.start)
        if robots.ok and robots.status_code == 200:
            named = _ROBOTS_SITEMAP.findall(robots.text()[: 512 * 1024])
            candidates = [*(normalise_url(u, root) for u in named), *candidates]
        pages: list[str] = []
        pending = list(dict.fromkeys(u for u in candidates if u))
        done: set[str] = set()
        while pending and len(done) < MAX_SITEMAPS and time.monotonic() < state.deadline:
            sitemap = pending.pop(0)
            if sitemap in done or site_of(sitemap) != state.site:
                continue
            done.add(sitemap)
            result = await self.http.fetch(sitemap, origin=state.start)
            if not result.ok or result.status_code != 200:
                continue
            body = result.text()
            if "<urlset" not in body and "<sitemapindex" not in body:
                continue
            state.sitemaps.append(sitemap)
            locs = [normalise_url(u.replace("&amp;", "&"), sitemap) for u in _LOC.findall(body)]
            if "<sitemapindex" in body:
                pending.extend(u for u in locs if u)
            else:
                pages.extend(u for u in locs if u)
        return pages


def start_urls(websites: Iterable[str], extra_pages: Iterable[str]) -> list[tuple[str, bool]]:
    """Every start URL of an audit, normalised, once each, with whether to crawl its whole
    site (the campaign websites) or that page alone (extra pages)."""
    starts: dict[str, bool] = {}
    for url in map(normalise_url, extra_pages):
        if url:
            starts[url] = False
    for url in map(normalise_url, websites):
        if url:
            starts[url] = True
    return list(starts.items())


async def shared_crawl(services: Services, start_url: str, whole_site: bool = True) -> Crawl:
    """The crawl of ``start_url``, done once per audit however many checks ask for it.

    ``whole_site`` False reads just that page and the documents and images it links to (an
    extra page on a council or party site, whose other pages are not the person's)."""
    key = normalise_url(start_url) or start_url

    async def run() -> Crawl:
        options = services.options
        crawler = Crawler(
            services.http,
            max_pages=options.crawl_max_pages,
            max_depth=options.crawl_max_depth if whole_site else 1,
            follow_pages=whole_site,
        )
        return await crawler.crawl(key)

    return await services.once(f"crawl:{key}" if whole_site else f"crawl-page:{key}", run)
