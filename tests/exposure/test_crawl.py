"""The shared crawl against the corpus on loopback: one fetch per URL per audit, sitemaps,
limits, URL normalisation, the private-address guard, and the privacy of the requests."""

from __future__ import annotations

from collections import Counter
from typing import Any

from auditor.crawl import Crawler, normalise_url, shared_crawl, site_of, start_urls
from auditor.demo.web_server import html, redirect
from auditor.engine import Engine
from auditor.model import Status
from checks.exposure.documents import DocumentsCheck
from checks.exposure.imprint import ImprintCheck
from checks.exposure.pages import PagesCheck
from checks.exposure.photos import PhotosCheck


def test_urls_are_normalised() -> None:
    assert normalise_url("HTTPS://WWW.Example.org:443/a#frag") == "https://www.example.org/a"
    assert normalise_url("http://example.org:80") == "http://example.org/"
    assert normalise_url("http://example.org:8080/x?q=1") == "http://example.org:8080/x?q=1"
    assert normalise_url("../b#c", "https://example.org/a/x") == "https://example.org/b"
    for skipped in ("mailto:a@b.example", "tel:+441234", "javascript:void(0)", "ftp://x.org/"):
        assert normalise_url(skipped, "https://example.org/") == ""
    assert site_of("https://www.leaks.example/") == site_of("https://cdn.leaks.example/x")
    assert site_of("http://127.0.0.1:8080/") == "127.0.0.1"
    assert start_urls(["https://a.example"], ["https://b.example/p#x"]) == [
        ("https://b.example/p", False),
        ("https://a.example/", True),
    ]


async def test_every_url_is_fetched_once_for_all_four_checks(world: Any, corpus: Any) -> None:
    checks = [PagesCheck, DocumentsCheck, PhotosCheck, ImprintCheck]
    async with world.services() as services:
        await Engine.from_checks(checks).run(corpus.corpus_profile(), services)
    counts = Counter((r.host, r.path, r.query) for r in world.web.requests)
    assert counts, "nothing was fetched"
    assert max(counts.values()) == 1, [k for k, n in counts.items() if n > 1]
    paths = {path for (_host, path, _query) in counts}
    # Sitemap-only page, robots-named sitemap index, images and documents were all reached;
    # the fragment link (/about#values) was the same page; mailto:/javascript: were not URLs.
    for wanted in ("/archive/2019-letter", "/sitemap-index.xml", "/img/garden.jpg"):
        assert wanted in paths
    assert "/docs/agenda.pdf" in paths and "/contact.vcf" in paths
    assert not any("mailto" in p or "javascript" in p or "#" in p for p in paths)
    # The extra page on the council site is read alone, not its whole site.
    council = {path for (host, path, _q) in counts if host == corpus.COUNCIL}
    assert council == {"/councillors/alex"}


async def test_requests_never_carry_the_persons_data(world: Any, corpus: Any) -> None:
    checks = [PagesCheck, DocumentsCheck, PhotosCheck, ImprintCheck]
    async with world.services() as services:
        await Engine.from_checks(checks).run(corpus.corpus_profile(), services)
    secrets = [s.lower().replace(" ", "") for s in corpus.SECRETS]
    assert world.web.requests and world.dns.queried_names()
    for request in world.web.requests:
        seen = " ".join(
            [request.path, request.query, request.body.decode("latin-1"), *request.headers.values()]
        )
        seen = seen.lower().replace(" ", "").replace("%20", "").replace("+", "")
        assert not [s for s in secrets if s in seen], request
    for name in world.dns.queried_names():
        assert not [s for s in secrets if s in name.replace(".", "")]


async def test_limits_on_pages_and_depth(world: Any, corpus: Any) -> None:
    for depth in range(5):
        world.web.route(corpus.SITE, f"/d{depth}", html(f'<a href="/d{depth + 1}">next</a>'))
    async with world.services() as services:
        deep = await Crawler(services.http, max_depth=2).crawl(f"https://{corpus.SITE}/d0")
        few = await Crawler(services.http, max_pages=3).crawl(f"https://{corpus.SITE}/")
    fetched = {r.url.rsplit("/", 1)[-1] for r in deep.resources}
    assert {"d0", "d1", "d2"} <= fetched and "d3" not in fetched
    # At most three addresses are read (the start page, robots.txt and the sitemaps race for
    # the three places, and a guessed address that does not exist is no one's failure).
    assert 0 < len(few.resources) + len(few.failures) <= 3
    assert few.limited == "the 3-page limit"


async def test_what_a_crawl_keeps_is_bounded_and_the_rest_named(world: Any, corpus: Any) -> None:
    # Ten pages of 300 KB each, linked from the start page; a 1 MB budget keeps about three.
    filler = "<p>" + "x" * 300_000 + "</p>"
    links = "".join(f'<a href="/big{i}">{i}</a>' for i in range(10))
    world.web.route(corpus.SITE, "/big", html(links))
    for i in range(10):
        world.web.route(corpus.SITE, f"/big{i}", html(filler))
    async with world.services() as services:
        crawl = await Crawler(services.http, max_kept_bytes=2**20, concurrency=1).crawl(
            f"https://{corpus.SITE}/big"
        )
    kept = sum(len(r.body) for r in crawl.resources)
    assert 2**20 <= kept < 2**20 + 400_000, kept  # at most one page past the line
    assert crawl.limited == "the 1 MB limit on what one site's crawl keeps"
    fetched = {r.url.rsplit("/", 1)[-1] for r in crawl.resources}
    assert len(fetched) < 11 and len(fetched) + crawl.not_reached_count >= 11


async def test_crawl_is_shared_through_services_once(world: Any, corpus: Any) -> None:
    async with world.services() as services:
        first = await shared_crawl(services, f"https://{corpus.SITE}/")
        second = await shared_crawl(services, f"https://{corpus.SITE}/#top")
    assert first is second


async def test_public_start_url_cannot_lead_into_loopback(world: Any, corpus: Any) -> None:
    # public.leaks.example resolves to a public address (--connect-to brings it to loopback);
    # its links and redirects lead to inside.leaks.example, whose A record is 127.0.0.1.
    public, inside = "public.leaks.example", "inside.leaks.example"
    world.web.route(
        public, "/", html(f'<a href="https://{inside}/secret">x</a><a href="/hop">hop</a>')
    )
    world.web.route(public, "/hop", redirect(f"https://{inside}/secret"))
    world.web.route(inside, "/secret", html("<p>12 Acacia Avenue</p>"))
    profile = corpus.corpus_profile(websites=(f"https://{public}/",), extra_pages=())
    async with world.services() as services:
        report = await Engine.from_checks([PagesCheck]).run(profile, services)
    errors = {f.location: f for f in report.findings if f.status is Status.ERROR}
    assert f"https://{inside}/secret" in errors and f"https://{public}/hop" in errors
    assert all("private or loopback" in f.message for f in errors.values())
    # Said for the real origin, the start URL's host (a search result or a DNS record would be
    # named for theirs).
    assert all(f"reached from {public}, which is public" in f.message for f in errors.values())
    assert not world.web.requests_to(inside)
    assert not [f for f in report.findings if f.kind == "home-address"]


async def test_failing_pages_become_errors_and_the_crawl_goes_on(world: Any, corpus: Any) -> None:
    world.web.faults.set(corpus.SITE, "5xx", path="/about")
    async with world.services() as services:
        report = await Engine.from_checks([PagesCheck]).run(corpus.corpus_profile(), services)
    about = [f for f in report.findings if f.location == f"https://{corpus.SITE}/about"]
    assert [f.status for f in about] == [Status.ERROR]
    assert "503" in about[0].message
    assert any(f.kind == "home-address" and f.status is Status.FAIL for f in report.findings)
