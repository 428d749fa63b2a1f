"""Where the crawl goes and what it owns up to, against real servers on loopback: the start
page, robots.txt and the sitemap asked for together; robots.txt Disallow paths read; gzipped
sitemaps and indexes of indexes, bounded; a limit that stops the crawl makes the result
"partly checked", never a pass; a page's charset is honoured; an undecodable body is
"could not read"."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import json
from typing import Any

import pytest

from auditor.crawl import (
    MAX_SITEMAP_DEPTH,
    Crawler,
    inflate_sitemap,
    robots_disallowed,
)
from auditor.demo.web_server import Request, Response, gzip_bomb_bytes, html, json_response, text
from auditor.engine import Engine
from auditor.model import Status
from auditor.profile import Address
from auditor.standards.web.site_apis import (
    is_squarespace,
    slug_emails,
    wordpress_api_root,
    wordpress_items,
    wordpress_route,
    wordpress_users,
)
from checks.exposure.pages import PagesCheck

HOST = "api.leaks.example"  # a host of the corpus world with nothing routed on it
START = f"https://{HOST}/"


def xml(body: str) -> Response:
    return Response(200, (("Content-Type", "application/xml"),), body.encode())


def urlset(*paths: str) -> str:
    locs = "".join(f"<url><loc>https://{HOST}{p}</loc></url>" for p in paths)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'


def index(*paths: str) -> str:
    locs = "".join(f"<sitemap><loc>https://{HOST}{p}</loc></sitemap>" for p in paths)
    return f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</sitemapindex>'


def paths_asked(world: Any) -> list[str]:
    return [r.path for r in world.web.requests_to(HOST)]


async def test_start_page_robots_and_sitemap_are_asked_for_together(
    world: Any, corpus: Any
) -> None:
    # Each of the three answers only once it has seen the other two asked for (or after a
    # bound): a crawl that asks one after another finds the first two waiting for the third.
    asked = {path: asyncio.Event() for path in ("/", "/robots.txt", "/sitemap.xml")}
    saw_others: dict[str, bool] = {}

    def waiting(path: str, answer: Response) -> Any:
        async def handler(request: Request) -> Response:
            asked[path].set()
            others = [e.wait() for p, e in asked.items() if p != path]
            try:
                async with asyncio.timeout(1.5):
                    await asyncio.gather(*others)
            except TimeoutError:
                pass
            saw_others[path] = all(e.is_set() for e in asked.values())
            return answer

        return handler

    world.web.route(HOST, "/", waiting("/", html("<p>Welcome</p>")))
    world.web.route(HOST, "/robots.txt", waiting("/robots.txt", text("User-agent: *\n")))
    world.web.route(HOST, "/sitemap.xml", waiting("/sitemap.xml", xml(urlset("/news"))))
    world.web.route(HOST, "/news", html("<p>News</p>"))
    async with world.services() as services:
        crawl = await Crawler(services.http).crawl(START)
    assert saw_others == {"/": True, "/robots.txt": True, "/sitemap.xml": True}
    assert {r.url for r in crawl.resources} == {START, f"{START}news"}


def test_robots_disallow_lines_become_pages_to_read() -> None:
    robots = (
        "User-agent: *\n"
        "Disallow: /private/\n"
        "Disallow: /drafts/*.pdf\n"
        "Disallow: /*.php\n"
        "Disallow: /page*\n"
        "Disallow: /old-home$\n"
        "Disallow: /\n"
        "Disallow:\n"
        "disallow : /notes.txt # the volunteers' list\n"
        "Disallow: https://elsewhere.example/x\n"
        "Disallow: /private/\n"
        "Allow: /public/\n"
    )
    assert robots_disallowed(robots, START) == [
        f"{START}private/",
        f"{START}drafts/",
        f"{START}old-home",
        f"{START}notes.txt",
    ]
    many = "".join(f"Disallow: /p{n}\n" for n in range(500))
    assert len(robots_disallowed(many, START)) == 500  # the crawl reads 50, names the rest


async def test_what_robots_txt_hides_is_read_and_checked(world: Any, corpus: Any) -> None:
    world.web.route(HOST, "/", html("<p>Welcome</p>"))
    robots = "User-agent: *\nDisallow: /private/\nDisallow: /*.php\nDisallow: /cgi-bin/\n"
    world.web.route(HOST, "/robots.txt", text(robots))
    world.web.route(HOST, "/private/", html("<p>Alex lives at 12 Acacia Avenue, Ashcombe.</p>"))
    profile = corpus.corpus_profile(websites=(START,), extra_pages=())
    async with world.services() as services:
        report = await Engine.from_checks([PagesCheck]).run(profile, services)
    assert "/private/" in paths_asked(world)
    assert not [p for p in paths_asked(world) if "*" in p]
    found = [f for f in report.findings if f.kind == "home-address"]
    assert [f.location for f in found] == [f"{START}private/"]
    # /cgi-bin/ does not exist (404): a path robots.txt names on a guess is no one's error.
    assert "/cgi-bin/" in paths_asked(world)
    assert not [f for f in report.findings if f.status.could_not_check]


async def test_gzipped_sitemaps_and_indexes_of_indexes_are_read_within_bounds(
    world: Any, corpus: Any
) -> None:
    nested = ["/sitemap.xml", "/sm/1.xml", "/sm/2.xml", "/sm/3.xml", "/sm/4.xml"]
    for parent, child in itertools.pairwise(nested):
        world.web.route(HOST, parent, xml(index(child, "/sm/pages.xml.gz")))
    world.web.route(HOST, "/sm/4.xml", xml(urlset("/too-deep")))
    gzipped = gzip.compress(urlset("/from-gz").encode())
    world.web.route(
        HOST, "/sm/pages.xml.gz", Response(200, (("Content-Type", "application/gzip"),), gzipped)
    )
    world.web.route(HOST, "/", html("<p>Welcome</p>"))
    for path in ("/from-gz", "/too-deep"):
        world.web.route(HOST, path, html("<p>A page</p>"))
    async with world.services() as services:
        crawl = await Crawler(services.http).crawl(START)
    read = {r.url for r in crawl.resources}
    assert f"{START}from-gz" in read and f"{START}too-deep" not in read
    assert nested[MAX_SITEMAP_DEPTH] in paths_asked(world)
    assert "/sm/4.xml" not in paths_asked(world)
    assert paths_asked(world).count("/sm/pages.xml.gz") == 1
    assert "sitemap indexes" in crawl.limited
    assert crawl.not_reached == (f"{START}sm/4.xml",) and crawl.not_reached_count == 1


def test_a_gzipped_sitemap_inflates_within_the_cap() -> None:
    bomb = gzip_bomb_bytes()  # 64 MB of zeros in about 64 KB
    body, cut = inflate_sitemap(bomb, 1024 * 1024)
    assert cut and len(body) <= 1024 * 1024
    assert inflate_sitemap(b"<urlset></urlset>", 10) == (b"<urlset></urlset>", False)
    assert inflate_sitemap(b"\x1f\x8bnot gzip at all", 1024) == (b"", True)


async def test_a_gzip_bomb_sitemap_is_cut_and_said(world: Any, corpus: Any) -> None:
    world.web.route(HOST, "/", html("<p>Welcome</p>"))
    bomb = Response(200, (("Content-Type", "application/gzip"),), gzip_bomb_bytes())
    world.web.route(HOST, "/robots.txt", text("Sitemap: /big.xml.gz\n"))
    world.web.route(HOST, "/big.xml.gz", bomb)
    async with world.services() as services:
        crawl = await Crawler(services.http).crawl(START)
    # Zeros are no sitemap: nothing is queued from it, and the crawl ends normally.
    assert [r.url for r in crawl.resources] == [START]


async def test_a_crawl_stopped_at_its_limit_is_partly_checked_never_a_pass(
    world: Any, corpus: Any
) -> None:
    links = "".join(f'<a href="/p{n}">page {n}</a>' for n in range(8))
    world.web.route(HOST, "/", html(f"<p>Welcome</p>{links}"))
    for n in range(8):
        world.web.route(HOST, f"/p{n}", html(f"<p>Page {n}, nothing personal.</p>"))
    profile = corpus.corpus_profile(websites=(START,), extra_pages=())
    async with world.services(crawl_max_pages=3) as services:
        report = await Engine.from_checks([PagesCheck]).run(profile, services)
    assert not [f for f in report.findings if f.status is Status.PASS]
    [partly] = [f for f in report.findings if f.subject == "partly-checked"]
    assert partly.status is Status.ERROR and partly.status.could_not_check
    assert "Partly checked" in partly.message and "the 3-page limit" in partly.message
    assert "6 more addresses" in partly.message  # 9 pages found, 3 read
    async with world.services() as services:  # the same site within the limit: a pass
        report = await Engine.from_checks([PagesCheck]).run(profile, services)
    assert [f.status for f in report.findings] == [Status.PASS]


WELSH_HOME = Address(("12 Lôn Isaf", "Llanfair Caereinion"), "SY21 0AA")
WELSH_PAGE = (
    "<!doctype html><html><head><title>Amdanaf</title></head>"
    "<body><p>Mae Alex yn byw yn 12 Lôn Isaf, Llanfair Caereinion.</p></body></html>"
)


@pytest.mark.parametrize(
    ("charset", "label"),
    [
        ("iso-8859-1", "header"),
        ("iso-8859-1", "meta"),
        ("windows-1252", "none"),
        ("utf-16-le", "bom"),
        ("utf-16-be", "bom"),
        ("utf-8", "bom"),
    ],
)
async def test_the_page_charset_is_honoured(
    world: Any, corpus: Any, charset: str, label: str
) -> None:
    world.web.route(HOST, "/", html(WELSH_PAGE))
    world.web.faults.set(HOST, "charset", path="/", charset=charset, label=label)
    profile = corpus.corpus_profile(
        websites=(START,), extra_pages=(), home_addresses=(WELSH_HOME,), public_addresses=()
    )
    async with world.services() as services:
        report = await Engine.from_checks([PagesCheck]).run(profile, services)
    found = [f for f in report.findings if f.kind == "home-address"]
    assert [f.location for f in found] == [START], [f.message for f in report.findings]


async def test_a_body_in_a_coding_never_asked_for_is_could_not_read(
    world: Any, corpus: Any
) -> None:
    # The page's bytes plainly show the address; labelled brotli, they must not be scanned
    # as if they were the page, nor pass.
    world.web.route(HOST, "/", html('<p>Welcome</p><a href="/packed">more</a>'))
    world.web.route(HOST, "/packed", html("<p>Alex lives at 12 Acacia Avenue, Ashcombe.</p>"))
    world.web.faults.set(HOST, "unrequested-encoding", path="/packed", coding="br", keep_body=True)
    profile = corpus.corpus_profile(websites=(START,), extra_pages=())
    async with world.services() as services:
        report = await Engine.from_checks([PagesCheck]).run(profile, services)
    packed = [f for f in report.findings if f.location == f"{START}packed"]
    assert [f.status for f in packed] == [Status.ERROR]
    assert "br" in packed[0].message and "does not decode" in packed[0].message
    assert not [f for f in report.findings if f.kind == "home-address"]


def test_wordpress_and_squarespace_are_recognised() -> None:
    link = '<link rel="https://api.w.org/" href="https://www.x.example/wp-json/" />'
    assert wordpress_api_root(link, "", START) == "https://www.x.example/wp-json/"
    plain = "<link href='/index.php?rest_route=/' rel='https://api.w.org/'>"
    assert wordpress_api_root(plain, "", START) == f"{START}index.php?rest_route=/"
    header = '<https://www.x.example/wp-json/>; rel="https://api.w.org/"'
    assert wordpress_api_root("<p>hi</p>", header, START) == "https://www.x.example/wp-json/"
    assets = '<script src="/wp-includes/js/jquery.js"></script>'
    assert wordpress_api_root(assets, "", f"{START}about") == f"{START}wp-json/"
    assert wordpress_api_root("<p>WordPress is mentioned, wp-json too</p>", "", START) == ""
    assert wordpress_route(f"{START}wp-json/", "wp/v2/users", "per_page=100") == (
        f"{START}wp-json/wp/v2/users?per_page=100"
    )
    assert wordpress_route(f"{START}?rest_route=/", "wp/v2/users", "per_page=100") == (
        f"{START}?rest_route=/wp/v2/users&per_page=100"
    )
    assert is_squarespace("<html><!-- This is Squarespace. --><head>")
    assert not is_squarespace("<p>We built this on squarespace, sort of</p>")


def test_slugs_made_from_email_logins_are_read_back() -> None:
    assert "jane.doe@gmail.com" in slug_emails("jane-doe-gmail-com")
    assert "jane.doe@gmail.com" in slug_emails("jane-doegmail-com")  # WordPress drops the "@"
    assert "alex.home@example.net" in slug_emails("alex-home-example-net")
    assert "jane@example.co.uk" in slug_emails("jane-example-co-uk")
    assert slug_emails("jane.doe@gmail.com") == ["jane.doe@gmail.com"]
    assert slug_emails("alex") == [] and slug_emails("alex-example") == []
    assert slug_emails("a-b-c-d-e-f-g-h-i-j-k-l-com") == []
    assert len(slug_emails("a-b-c-d-e-f-g-h-i-com")) <= 24


def wordpress_site(world: Any) -> None:
    api = f"{START}wp-json/"

    def front(request: Request) -> Response:
        if request.query == "author=1":
            return Response(302, (("Location", "/author/alex/"), ("Content-Length", "0")))
        if request.query.startswith("author="):
            return html("<h1>Not found</h1>", 404)
        return html(
            f'<html><head><link rel="https://api.w.org/" href="{api}"></head>'
            "<body><p>Alex Example for Ashcombe</p></body></html>"
        )

    users = [
        {"id": 1, "name": "Alex Example", "slug": "alex-home-example-net", "url": "",
         "description": "Alex lives at 12 Acacia Avenue, Ashcombe.",
         "link": f"{START}author/alex/", "avatar_urls": {"96": "https://secure.gravatar.com/x"}},
        {"id": 7, "name": "Sam Agent", "slug": "sam-agent", "url": "https://agent.example/",
         "description": "Agent; the office is at 40 Acacia Avenue, Ashcombe AB1 2CE.",
         "link": f"{START}author/sam/"},
    ]  # fmt: skip
    pages = [
        {"id": 5, "status": "publish", "link": f"{START}unlinked-page/",
         "title": {"rendered": "Old page"}, "content": {"rendered": "<p>Nothing here</p>"}},
        {"id": 9, "status": "draft", "link": f"{START}?page_id=9",
         "title": {"rendered": "Contact (draft)"},
         "content": {"rendered": "<p>Call me on <b>07700&nbsp;900123</b></p>"}},
    ]  # fmt: skip
    world.web.route(HOST, "/", front)
    world.web.route(HOST, "/wp-json/wp/v2/users", json_response(users))
    world.web.route(HOST, "/wp-json/wp/v2/pages", json_response(pages))
    forbidden = {"code": "rest_forbidden", "data": {"status": 401}}
    world.web.route(HOST, "/wp-json/wp/v2/posts", json_response(forbidden, 401))
    world.web.route(HOST, "/unlinked-page/", html("<p>Post to AB1 2CD, please.</p>"))
    world.web.route(HOST, "/author/alex/", html("<h1>Alex Example</h1><p>Posts by Alex</p>"))


async def test_the_wordpress_api_is_read_where_the_site_is_wordpress(
    world: Any, corpus: Any
) -> None:
    wordpress_site(world)
    profile = corpus.corpus_profile(websites=(START,), extra_pages=())
    async with world.services() as services:
        report = await Engine.from_checks([PagesCheck]).run(profile, services)
    by_kind = {(f.kind, f.location): f for f in report.findings if f.status.is_problem}
    users = f"{START}wp-json/wp/v2/users?per_page=100"
    drafts = f"{START}wp-json/wp/v2/pages?per_page=100"
    assert set(by_kind) == {
        ("email", users),  # the slug made from the login alex.home@example.net
        ("home-address", users),  # the biography
        ("phone", drafts),  # a draft the API lets through
        ("postcode", f"{START}unlinked-page/"),  # a published page no page links to
    }, [(f.kind, f.location, f.message) for f in report.findings]
    email = by_kind[("email", users)]
    assert "WordPress user profiles" in email.message and "(wp-json)" in email.message
    assert email.evidence[0].source == "site-api"
    assert email.actions[0] == "exposure.fix-site-api"
    assert "unpublished WordPress page" in by_kind[("phone", drafts)].message
    asked = {(r.path, r.query) for r in world.web.requests_to(HOST)}
    assert ("/", "author=1") in asked and ("/", "author=7") in asked
    assert ("/author/alex/", "") in asked
    # Closed (401) posts and absent authors are no one's error; nothing else failed either.
    assert not [f for f in report.findings if f.status.could_not_check]


async def test_squarespace_page_data_is_read_where_the_site_is_squarespace(
    world: Any, corpus: Any
) -> None:
    location = {"addressLine1": "12 Acacia Avenue", "addressLine2": "Ashcombe", "markerLat": 51.5}
    data = {"collection": {"title": "Home", "location": location}}

    def front(request: Request) -> Response:
        if request.query == "format=json":
            return json_response(data)
        return html(
            "<html><!-- This is Squarespace. --><head></head><body><p>Welcome</p>"
            '<a href="/about">About</a></body></html>'
        )

    world.web.route(HOST, "/", front)
    world.web.route(HOST, "/about", html("<p>About Alex</p>"))  # its ?format=json is HTML
    profile = corpus.corpus_profile(websites=(START,), extra_pages=())
    async with world.services() as services:
        report = await Engine.from_checks([PagesCheck]).run(profile, services)
    found = [(f.kind, f.location) for f in report.findings if f.status.is_problem]
    assert found == [("home-address", f"{START}?format=json")]
    [finding] = [f for f in report.findings if f.status.is_problem]
    assert "Squarespace" in finding.message
    assert ("/about", "format=json") in {(r.path, r.query) for r in world.web.requests_to(HOST)}


async def test_no_site_api_is_asked_of_a_site_that_is_neither(world: Any, corpus: Any) -> None:
    world.web.route(HOST, "/", html("<p>Hand-written HTML</p>"))
    async with world.services() as services:
        await Crawler(services.http).crawl(START)
    paths = paths_asked(world)
    assert not [p for p in paths if "wp-json" in p]
    assert not [r for r in world.web.requests_to(HOST) if "format=json" in r.query]


async def test_a_page_past_the_extraction_caps_is_partly_checked(world: Any, corpus: Any) -> None:
    # 2.2 MB of HTML (under the 5 MB body cap), the address after the 2 MB parsed; and a
    # text download of 1.1 M characters, the address after the first million.
    filler = "<p>" + "Campaign news and more campaign news. " * 60 + "</p>\n"
    big = filler * (2_200_000 // len(filler))
    tail = "<p>Alex lives at 12 Acacia Avenue, Ashcombe.</p>"
    world.web.route(HOST, "/", html(f'<p>Welcome</p><a href="/long">long</a>{big}{tail}'))
    words = "nothing personal here " * (1_100_000 // 22)
    world.web.route(HOST, "/notes.txt", text(words + "12 Acacia Avenue, Ashcombe"))
    world.web.route(HOST, "/long", html('<a href="/notes.txt">notes</a>'))
    profile = corpus.corpus_profile(websites=(START,), extra_pages=())
    async with world.services() as services:
        report = await Engine.from_checks([PagesCheck]).run(profile, services)
    partly = {f.location: f for f in report.findings if f.subject == "partly-checked"}
    assert set(partly) == {START, f"{START}notes.txt"}, [f.message for f in report.findings]
    assert all(f.status.could_not_check for f in partly.values())
    assert "2,097,152 characters" in partly[START].message
    assert "1,000,000 characters" in partly[f"{START}notes.txt"].message
    # The summary counts only what was read in full, and says the rest was partly checked.
    [clean] = [f for f in report.findings if f.status is Status.PASS]
    assert "in the 1 pages checked (2 more could only be partly checked)" in clean.message


async def test_every_cap_on_robots_txt_and_the_wordpress_api_is_named(
    world: Any, corpus: Any
) -> None:
    # 60 Disallow paths (50 read), 120 users in an answer (100 read), 9 answers announced by
    # X-WP-TotalPages (5 read), 120 accounts (10 archives asked for): each cap is named.
    api = f"{START}wp-json/"
    world.web.route(
        HOST, "/", html(f'<link rel="https://api.w.org/" href="{api}"><p>Nothing personal</p>')
    )
    world.web.route(HOST, "/robots.txt", text("".join(f"Disallow: /d{n}/\n" for n in range(60))))
    users = json.dumps([{"id": n, "name": f"User {n}"} for n in range(1, 121)]).encode()
    headers = (("Content-Type", "application/json"), ("X-WP-TotalPages", "9"))
    world.web.route(HOST, "/wp-json/wp/v2/users", Response(200, headers, users))
    profile = corpus.corpus_profile(websites=(START,), extra_pages=())
    async with world.services() as services:
        report = await Engine.from_checks([PagesCheck]).run(profile, services)
    assert not [f for f in report.findings if f.status is Status.PASS]
    [partly] = [f for f in report.findings if f.subject == "partly-checked"]
    assert partly.status.could_not_check
    for cap in (
        "the 50-path limit on robots.txt Disallow lines",
        "the 20 entries after the first 100 of a WordPress API answer",
        "the 5-answer limit on one WordPress API list",
        "the 10-account limit on author archives",
    ):
        assert cap in partly.message, partly.message
    asked = {(r.path, r.query) for r in world.web.requests_to(HOST)}
    assert ("/wp-json/wp/v2/users", "per_page=100&page=5") in asked
    assert ("/wp-json/wp/v2/users", "per_page=100&page=6") not in asked
    assert len([q for _p, q in asked if q.startswith("author=")]) == 10
    assert ("/d49/", "") in asked and ("/d50/", "") not in asked


def test_the_wordpress_readers_say_what_their_caps_left_unread() -> None:
    long = json.dumps([{"id": 1, "description": "x" * 100_001, "status": "draft"}]).encode()
    assert wordpress_users(long).not_read == [
        "the description field after its first 100,000 characters"
    ]
    huge = b"[" + b'"x",' * (1_100_000) + b'"x"]'  # over 4 MB
    assert wordpress_items(huge).not_read == ["everything after the first 4 MB"]
    assert wordpress_items(b'{"code": "rest_forbidden"}').not_read == []


async def test_the_link_depth_limit_is_named(world: Any, corpus: Any) -> None:
    world.web.route(HOST, "/", html('<a href="/d1">next</a>'))
    for n in range(1, 4):
        world.web.route(HOST, f"/d{n}", html(f'<a href="/d{n + 1}">next</a>'))
    async with world.services() as services:
        crawl = await Crawler(services.http, max_depth=2).crawl(START)
    assert {r.url for r in crawl.resources} == {START, f"{START}d1", f"{START}d2"}
    assert crawl.limited == "the 2-link depth limit"
    assert crawl.not_reached == (f"{START}d3",)
