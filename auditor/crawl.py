"""The site crawl every exposure check shares: one fetch per URL per audit.

From a start URL (a campaign website or an extra page), the crawl follows same-site links,
the sitemaps named in robots.txt and /sitemap.xml (sitemap indexes included), and collects
HTML pages, PDFs, vCards and images. It is bounded by depth, page count, bytes per response
(the HttpClient cap) and total time, runs a few fetches at once, and passes the start URL as
``origin`` on every fetch so that a public site cannot lead it into loopback or private
addresses. The start page, robots.txt and /sitemap.xml are asked for at once (none depends on
another), and each sitemap's pages are crawled as soon as it is read. robots.txt is a list of
places to read, not a list of places to avoid: the candidate audits their own site, and people
read robots.txt too, so its sitemaps and the paths its Disallow lines name are fetched.
Failures are recorded with their URL and the crawl goes on; whatever a limit leaves unread is
counted (``not_reached``), so a clean result can say it was partial.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit, urlunsplit

from auditor.net.connect import is_ip_literal
from auditor.net.decoding import BoundedDecoder, UndecodableBody
from auditor.net.domains import organisational_domain
from auditor.standards.content.html import parseable_html
from auditor.standards.content.pipeline import decode
from auditor.standards.web.site_apis import (
    AUTHOR_GUESSES,
    MAX_ANSWERS,
    MAX_AUTHORS,
    MAX_ITEMS,
    SQUARESPACE_WHERE,
    WORDPRESS_ITEMS_WHERE,
    WORDPRESS_USERS_WHERE,
    answer_url,
    as_html,
    author_archive,
    is_squarespace,
    squarespace_data_broken,
    squarespace_json_url,
    wordpress_api_root,
    wordpress_items,
    wordpress_route,
    wordpress_total_answers,
    wordpress_users,
)

if TYPE_CHECKING:
    from auditor.net.http import FetchResult, HttpClient
    from auditor.services import Services

DEFAULT_CONCURRENCY = 8
DEFAULT_DEADLINE = 90.0  # seconds for one site's crawl
MAX_SITEMAPS = 20
MAX_SITEMAP_DEPTH = 3  # an index of indexes of indexes: deeper than any real site nests them
MAX_ROBOTS_PATHS = 50  # Disallow paths fetched from one robots.txt
MAX_ROBOTS = 512 * 1024  # characters of robots.txt read (Google reads 500 KiB)
MAX_API_PAGES = 20  # Squarespace ?format=json answers read per site
MAX_LINKS = 5000  # links read from one page
# The sitemaps WordPress publishes whether or not robots.txt names them: its own (since 5.5)
# and Yoast's. Asked for only where the start page is WordPress.
WORDPRESS_SITEMAPS = ("wp-sitemap.xml", "sitemap_index.xml")
# What one site's crawl keeps in memory at most (the bodies the checks read): 200 pages of
# 5 MB each would be a gigabyte. Past it, the rest is named as not read.
MAX_KEPT_BYTES = 64 * 1024 * 1024
# What the queue calls the site builders' JSON answers; each is read by _visit_api and kept as
# a "text" resource.
_API_KINDS = ("wp-users", "wp-pages", "wp-posts", "squarespace-json")
MAX_NOT_REACHED = 20  # addresses a limit left unread, kept to name them (all are counted)
_GZIP_MAGIC = b"\x1f\x8b"
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
# A <loc> over MAX_URL characters is no address the crawl could fetch, so it is not matched.
_LOC = re.compile(r"<(?:\w{1,20}:)?loc>\s{0,100}([^<\s]{1,2048})\s{0,100}</(?:\w{1,20}:)?loc>")
_ROBOTS_SITEMAP = re.compile(r"(?im)^[ \t]{0,20}sitemap[ \t]{0,20}:[ \t]{0,20}(\S{1,2048})")
_ROBOTS_DISALLOW = re.compile(r"(?im)^[ \t]{0,20}disallow[ \t]{0,20}:[ \t]{0,20}([^\s#]{1,2048})")


@dataclass(frozen=True)
class Resource:
    """One thing fetched: a page, a PDF, a vCard or an image."""

    url: str  # normalised, as discovered
    final_url: str  # after redirects
    kind: str  # html | pdf | image | vcard | other
    content_type: str  # the whole Content-Type header value, parameters (charset) included
    body: bytes
    fetched_at: str
    truncated: bool = False
    depth: int = 0
    # Where the text is, in plain words, when the body is not a page a visitor sees but what
    # the crawl read from a site builder's API ("in the WordPress user profiles …").
    where: str = ""

    def text(self) -> str:
        """The body as text in its own charset: BOM, Content-Type, ``<meta charset>``."""
        return decode(self.body, self.content_type, self.kind)


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
    not_reached: tuple[str, ...] = ()  # the first addresses a limit left unread
    not_reached_count: int = 0  # how many addresses a limit left unread, in all

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
    """The URLs a page points at: links, frames, images and embedded documents. Past
    ``MAX_LINKS`` the rest are only counted, the first of them kept to name it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.cut = False  # links past MAX_LINKS were not read
        self.more = 0  # how many
        self.first_unread = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        links: list[str] = []
        if tag in _LINKING_TAGS:
            links += [v for v in map(values.get, ("href", "src", "data-src", "data")) if v]
        srcset = values.get("srcset")
        if srcset:  # the first ten sizes: the rest are the same picture at other sizes
            links += [part.split()[0] for part in srcset.split(",")[:10] if part.split()]
        room = MAX_LINKS - len(self.found)
        self.found += links[: max(room, 0)]
        if len(links) > room:
            self.cut = True
            self.first_unread = self.first_unread or links[max(room, 0)]
            self.more += len(links) - max(room, 0)


def page_links(html: str, base: str) -> list[str]:
    """Every link of a page, up to ``MAX_LINKS``."""
    return links_of_page(html, base).links


@dataclass(frozen=True)
class PageLinks:
    """The links of a page (up to ``MAX_LINKS``), and how many more it has, the first of
    them named (absolute, or as written when it is no http(s) address)."""

    links: list[str]
    more: int = 0
    first_unread: str = ""


def links_of_page(html: str, base: str) -> PageLinks:
    """The links of a page, and what past ``MAX_LINKS`` was not read. The fetch's size cap
    bounds the page (and a page cut there is already reported as partly read). Megabytes of
    hostile HTML take a while, so the crawl calls this in a worker thread."""
    parser = _LinkParser()
    try:
        parser.feed(parseable_html(html))
        parser.close()
    except Exception:  # html.parser is lenient; anything else is a bug in hostile input handling
        pass
    links = [u for u in (normalise_url(link, base) for link in parser.found) if u]
    first = normalise_url(parser.first_unread, base) or parser.first_unread[:200]
    return PageLinks(links, parser.more, first)


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
    limits: dict[str, None] = field(default_factory=dict)  # every limit that left something unread
    scheduled: int = 0
    follow_pages: bool = True
    queue: asyncio.Queue[tuple[str, int, str]] = field(default_factory=asyncio.Queue)
    not_reached: dict[str, None] = field(default_factory=dict)
    not_reached_count: int = 0
    builder: str = ""  # "wordpress" or "squarespace" once the start page says so
    # Addresses asked for on a guess (robots.txt Disallow paths, ?author=N archives): one that
    # does not exist or is closed (4xx) published nothing, and is no one's error.
    quiet: set[str] = field(default_factory=set)
    api_pages: int = 0
    authors: set[int] = field(default_factory=set)  # accounts whose ?author=N archive is asked for
    sitemaps_done: set[str] = field(default_factory=set)
    kept_bytes: int = 0
    max_kept_bytes: int = MAX_KEPT_BYTES

    @property
    def over_budget(self) -> str:
        """The memory limit's words once what is kept has reached it, else ""."""
        if self.kept_bytes < self.max_kept_bytes:
            return ""
        return f"the {self.max_kept_bytes // 2**20} MB limit on what one site's crawl keeps"

    @property
    def limited(self) -> str:
        """Every limit that left something unread, in plain words ("" when none did)."""
        return " and ".join(self.limits)

    def stopped(self, url: str, why: str, count: int = 1) -> None:
        """``url`` (or, with ``count``, that many addresses of which ``url`` is the first) is
        not read, or not all read, because of the limit ``why``: counted, and named if early."""
        self.limits[why] = None
        if url in self.not_reached:
            return
        self.not_reached_count += count
        if len(self.not_reached) < MAX_NOT_REACHED:
            self.not_reached[url] = None

    def enqueue(self, url: str, depth: int, kind: str = "") -> None:
        if not url or url in self.seen or site_of(url) != self.site:
            return
        path = urlsplit(url).path.lower()
        if path.endswith(_NOT_FETCHED):
            return
        kind = kind or kind_by_name(url)
        if depth > 0 and kind == "html" and not self.follow_pages:
            return  # an extra page's crawl reads that page and its files, not its site's pages
        if depth > self.max_depth:
            self.stopped(url, f"the {self.max_depth}-link depth limit")
            return
        if self.scheduled >= self.max_pages:
            self.stopped(url, f"the {self.max_pages}-page limit")
            return
        if self.over_budget:
            self.stopped(url, self.over_budget)
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
        max_kept_bytes: int = MAX_KEPT_BYTES,
    ) -> None:
        self.http = http
        self.max_kept_bytes = max_kept_bytes
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
        state.max_kept_bytes = self.max_kept_bytes
        state.enqueue(start, 0, "html")
        # The start page, robots.txt and the sitemaps are fetched at once: none waits for another.
        workers = [asyncio.create_task(self._work(state)) for _ in range(self.concurrency)]
        try:
            if self.follow_pages:
                await self._discover(state)
            await state.queue.join()
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        order = {url: i for i, url in enumerate(state.seen)}
        resources = sorted(state.resources, key=lambda r: (r.depth, r.url))
        failures = sorted(state.failures, key=lambda f: (order.get(f.url, 0), f.url))
        return Crawl(
            start,
            tuple(resources),
            tuple(failures),
            state.limited,
            tuple(state.sitemaps),
            tuple(state.not_reached),
            state.not_reached_count,
        )

    async def _work(self, state: _State) -> None:
        while True:
            url, depth, expected = await state.queue.get()
            try:
                if time.monotonic() > state.deadline:
                    state.stopped(url, f"the {self.deadline:.0f}-second time limit")
                    continue
                await self._visit(state, url, depth, expected)
            except Exception as exc:  # a bug on one page must not stall the whole crawl
                message = f"{url[:200]}: could not be read ({type(exc).__name__})"
                state.failures.append(CrawlFailure(url, expected, message, "internal"))
            finally:
                state.queue.task_done()

    async def _visit(self, state: _State, url: str, depth: int, expected: str) -> None:
        if expected == "sitemap":
            await self._walk_sitemaps(state, self._sitemap_tasks(state, [url]))
            return
        if expected in _API_KINDS:
            await self._visit_api(state, url, depth, expected)
            return
        quiet = url in state.quiet
        if state.over_budget:  # queued before the limit was reached
            state.stopped(url, state.over_budget)
            return
        result = await self.http.fetch(url, origin=state.start)
        if not result.ok:
            state.failures.append(CrawlFailure(url, expected, result.error, result.error_kind))
            return
        status = result.status_code or 0
        if status >= 400:
            if quiet and status < 500:
                return
            message = f"{result.final_url[:200]} answered HTTP {status}"
            state.failures.append(CrawlFailure(url, expected, message, "http"))
            return
        final = normalise_url(result.final_url) or url
        if depth == 0:
            state.site = site_of(final)  # the start URL may redirect to the real site
        elif final != url and site_of(final) != state.site:
            return  # redirected off the site: not the candidate's page to audit
        kind = kind_of(result, expected)
        resource = Resource(
            url,
            final,
            kind,
            result.headers.get("content-type", "")[:200],
            result.body,
            result.fetched_at,
            result.truncated,
            depth,
        )
        state.resources.append(resource)
        state.kept_bytes += len(result.body)
        if kind == "html":
            state.seen.add(final)
            page = resource.text()
            found = await asyncio.to_thread(links_of_page, page, final)
            for link in found.links:
                state.enqueue(link, depth + 1)
            if found.more:  # named by the first link not read, counted with the rest
                why = f"the {MAX_LINKS:,}-link limit on one page"
                state.stopped(found.first_unread or final, why, found.more)
            if self.follow_pages:
                self._site_apis(state, page, result.headers.get("link", ""), final, depth)

    def _site_apis(self, state: _State, page: str, link_header: str, url: str, depth: int) -> None:
        """On the start page, recognise WordPress or Squarespace and queue what their public
        JSON gives; on every page of a Squarespace site, its ``?format=json``."""
        if depth == 0 and not state.builder:
            api = wordpress_api_root(page, link_header, url)
            if api and site_of(api) == state.site:
                state.builder = "wordpress"
                query = f"per_page={MAX_ITEMS}"
                for route in ("users", "pages", "posts"):
                    api_url = normalise_url(wordpress_route(api, f"wp/v2/{route}", query))
                    state.enqueue(api_url, 1, f"wp-{route}")
                root = urlunsplit((*urlsplit(url)[:2], "/", "", ""))
                for name in WORDPRESS_SITEMAPS:  # not pages: no page count
                    state.queue.put_nowait((urljoin(root, name), 0, "sitemap"))
            elif is_squarespace(page):
                state.builder = "squarespace"
        if state.builder == "squarespace":
            json_url = squarespace_json_url(url)
            if state.api_pages >= MAX_API_PAGES:
                state.stopped(json_url, f"the {MAX_API_PAGES}-page limit on Squarespace page data")
                return
            state.api_pages += 1
            state.enqueue(json_url, max(depth, 1), "squarespace-json")

    async def _visit_api(self, state: _State, url: str, depth: int, expected: str) -> None:
        """A site builder's JSON, kept as an HTML page of what a visitor can read there (the
        WordPress records) or as the answer itself (Squarespace's page data), with a plain
        ``where``. An API that is closed (401, 403) or absent (404) published nothing and is
        not an error; a server error or a failed fetch is. Every limit on reading it is named."""
        result = await self.http.fetch(url, origin=state.start)
        status = result.status_code or 0
        first = "&page=" not in url and "?page=" not in url
        if expected == "wp-users" and first:  # the archives of accounts the API may not list
            self._author_archives(state, AUTHOR_GUESSES, guesses=True)
        if not result.ok or status >= 500:
            error = result.error or f"{result.final_url[:200]} answered HTTP {status}"
            state.failures.append(CrawlFailure(url, "text", error, result.error_kind or "http"))
            return
        final = normalise_url(result.final_url) or url
        if status != 200 or site_of(final) != state.site:
            return
        if result.truncated:
            why = f"the {self.http.max_bytes // 2**20} MB limit on a site API answer"
            state.stopped(url, why)
        if expected == "squarespace-json":
            if "json" not in result.content_type:
                return  # a page that does not offer its data answers with the page itself
            body, kind, where = result.body, "text", SQUARESPACE_WHERE
            content_type = "application/json"
            if not result.truncated and squarespace_data_broken(body):  # read, but not all
                state.stopped(url, "Squarespace page data that is not valid JSON")
        else:
            if first:
                self._more_answers(state, url, result.headers, expected)
            if expected == "wp-users":
                reading = wordpress_users(result.body, result.content_type)
                self._author_archives(state, reading.ids)
                where = WORDPRESS_USERS_WHERE
            else:
                reading = wordpress_items(result.body, result.content_type)
                where = WORDPRESS_ITEMS_WHERE.format(kind=expected.removeprefix("wp-")[:-1])
            if reading.broken and not result.truncated:  # a cut answer is said above
                state.stopped(url, "a WordPress API answer that is not valid JSON")
            for unread in reading.not_read:
                state.stopped(url, f"{unread} of a WordPress API answer")
            for link in map(normalise_url, reading.links, itertools.repeat(final)):
                if expected == "wp-users":  # an archive or a website a profile names: one
                    state.quiet.add(link)  # that is not there published nothing
                state.enqueue(link, 1)
            if not reading.records:
                return
            body, kind = as_html(reading.records), "html"
            content_type = "text/html; charset=utf-8"
        state.resources.append(
            Resource(url, final, kind, content_type, body, result.fetched_at, False, depth, where)
        )
        state.kept_bytes += len(body)

    def _more_answers(self, state: _State, url: str, headers: Mapping[str, str], kind: str) -> None:
        """The later answers of a WordPress route (``X-WP-TotalPages`` says how many), up to
        ``MAX_ANSWERS``; the rest named as not read."""
        total = wordpress_total_answers(headers)
        for number in range(2, min(total, MAX_ANSWERS) + 1):
            state.enqueue(answer_url(url, number), 1, kind)
        if total > MAX_ANSWERS:
            why = f"the {MAX_ANSWERS}-answer limit on one WordPress API list ({MAX_ITEMS} each)"
            state.stopped(answer_url(url, MAX_ANSWERS + 1), why, total - MAX_ANSWERS)

    def _author_archives(self, state: _State, ids: Iterable[int], guesses: bool = False) -> None:
        """The ``?author=N`` archives of ``ids``, up to ``MAX_AUTHORS`` accounts; past it a listed
        account's archive is named as not read (a guessed one is only skipped). An archive
        that does not exist is no one's error."""
        root = urlunsplit((*urlsplit(state.start)[:2], "/", "", ""))
        for number in ids:
            if number in state.authors:
                continue
            archive = normalise_url(author_archive(root, number))
            if len(state.authors) >= MAX_AUTHORS:
                if not guesses:
                    state.stopped(archive, f"the {MAX_AUTHORS}-account limit on author archives")
                continue
            state.authors.add(number)
            state.quiet.add(archive)
            state.enqueue(archive, 1)

    async def _discover(self, state: _State) -> None:
        """robots.txt and the sitemaps, while the workers already crawl the start page: each
        sitemap's pages are queued as soon as it is read."""
        parts = urlsplit(state.start)
        root = urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
        robots_url = urljoin(root, "robots.txt")
        robots = asyncio.create_task(self.http.fetch(robots_url, origin=state.start))
        level = self._sitemap_tasks(state, [urljoin(root, "sitemap.xml")])
        result = await robots
        if result.ok and result.status_code == 200:
            text = result.text()
            if len(text) > MAX_ROBOTS or result.truncated:
                state.stopped(robots_url, f"the {MAX_ROBOTS // 1024} KB limit on robots.txt")
            text = text[:MAX_ROBOTS]
            disallowed = robots_disallowed(text, root)
            for url in disallowed[:MAX_ROBOTS_PATHS]:
                state.quiet.add(url)
                state.enqueue(url, 1)
            if len(disallowed) > MAX_ROBOTS_PATHS:
                why = f"the {MAX_ROBOTS_PATHS}-path limit on robots.txt Disallow lines"
                for url in disallowed[MAX_ROBOTS_PATHS:]:
                    state.stopped(url, why)
            named = (normalise_url(u, root) for u in _ROBOTS_SITEMAP.findall(text))
            level += self._sitemap_tasks(state, named)
        await self._walk_sitemaps(state, level)

    async def _walk_sitemaps(self, state: _State, level: list[asyncio.Task[list[str]]]) -> None:
        """Sitemaps being read and, level by level, the sitemaps their indexes list, read
        together within ``MAX_SITEMAPS`` (for the whole crawl) and ``MAX_SITEMAP_DEPTH``."""
        for depth in range(MAX_SITEMAP_DEPTH + 1):
            children = [url for found in await asyncio.gather(*level) for url in found]
            if depth == MAX_SITEMAP_DEPTH:
                for url in dict.fromkeys(children):
                    if url not in state.sitemaps_done:
                        state.stopped(
                            url, f"the {MAX_SITEMAP_DEPTH}-level limit on sitemap indexes"
                        )
                break
            level = self._sitemap_tasks(state, children)
            if not level:
                break

    def _sitemap_tasks(self, state: _State, urls: Iterable[str]) -> list[asyncio.Task[list[str]]]:
        tasks: list[asyncio.Task[list[str]]] = []
        done = state.sitemaps_done
        for url in dict.fromkeys(urls):
            if not url or url in done or site_of(url) != state.site:
                continue
            if len(done) >= MAX_SITEMAPS or time.monotonic() > state.deadline:
                why = f"the {MAX_SITEMAPS}-sitemap limit"
                if time.monotonic() > state.deadline:
                    why = f"the {self.deadline:.0f}-second time limit"
                state.stopped(url, why)
                continue
            done.add(url)
            tasks.append(asyncio.create_task(self._read_sitemap(state, url)))
        return tasks

    async def _read_sitemap(self, state: _State, sitemap: str) -> list[str]:
        """Queue the pages of one sitemap (plain or gzipped); the sitemaps it lists if it is an
        index."""
        result = await self.http.fetch(sitemap, origin=state.start)
        if not result.ok or result.status_code != 200:
            return []
        body, cut = inflate_sitemap(result.body, self.http.max_bytes)
        text = body.decode("utf-8", errors="replace")
        if "<urlset" not in text and "<sitemapindex" not in text:
            return []
        state.sitemaps.append(sitemap)
        if cut or result.truncated:
            state.stopped(
                sitemap, f"the {self.http.max_bytes // (1024 * 1024)} MB limit on a sitemap"
            )
        locs = [normalise_url(u.replace("&amp;", "&"), sitemap) for u in _LOC.findall(text)]
        if "<sitemapindex" in text:
            return [u for u in locs if u]
        for url in locs:
            state.enqueue(url, 1)
        return []


def inflate_sitemap(body: bytes, cap: int) -> tuple[bytes, bool]:
    """A sitemap's XML: a ``.xml.gz`` file (gzip bytes, not a Content-Encoding) inflated within
    ``cap`` bytes, through the one bounded decoder. Returns the XML and whether it was cut;
    corrupt gzip gives what inflated before the damage."""
    if not body.startswith(_GZIP_MAGIC):
        return body, False
    decoder = BoundedDecoder(["gzip"], cap)
    try:
        out = decoder.feed(body)
        out += decoder.finish()
    except UndecodableBody:
        return b"", True
    return out, decoder.truncated


def robots_disallowed(robots: str, root: str) -> list[str]:
    """The addresses robots.txt asks search engines not to read, as pages to read: each
    Disallow path once, a wildcard rule by the folder before its first ``*`` (``/drafts/*.pdf``
    reads ``/drafts/``), ``$`` dropped, "/" (the whole site, crawled anyway) skipped. All of
    them (robots.txt is read up to ``MAX_ROBOTS``): the crawl reads the first
    ``MAX_ROBOTS_PATHS`` and names the rest as not read."""
    found: dict[str, None] = {}
    for raw in _ROBOTS_DISALLOW.findall(robots):
        path = raw.split("*", 1)[0]
        if "*" in raw and not path.endswith("/"):
            continue  # "/*.php" or "/page*": no one address to read
        path = path.removesuffix("$")
        if not path.startswith("/") or path == "/":
            continue
        url = normalise_url(path, root)
        if url and site_of(url) == site_of(root):
            found[url] = None
    return list(found)


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
