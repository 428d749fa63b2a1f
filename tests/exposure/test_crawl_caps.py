"""The crawl's own caps, each met by a hostile answer from a real server on loopback (issue 13):
a Squarespace ``?format=json`` answer and a WordPress REST API answer cut at the size read, a
page with more links than are read, a robots.txt longer than is read. Each leaves something
unread, so ``exposure.pages`` must end "partly checked", naming the limit, and never pass.

In each case the home address sits only in the part a cap leaves unread: a crawl that lost
the cap silently would report "no sign of your home address" (a pass)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from auditor.crawl import MAX_API_PAGES, MAX_LINKS, MAX_ROBOTS, links_of_page
from auditor.demo.web_server import Request, Response, html, text
from auditor.engine import Engine
from auditor.model import Finding, Report, Status
from auditor.net.http import DEFAULT_MAX_BYTES
from auditor.standards.web.site_apis import (
    MAX_JSON,
    squarespace_data_broken,
    wordpress_items,
    wordpress_users,
)
from checks.exposure.documents import DocumentsCheck
from checks.exposure.imprint import ImprintCheck
from checks.exposure.pages import PagesCheck
from checks.exposure.photos import PhotosCheck

HOST = "api.leaks.example"  # a host of the corpus world with nothing routed on it
START = f"https://{HOST}/"
ADDRESS = "Alex lives at 12 Acacia Avenue, Ashcombe."


def json_bytes(body: bytes) -> Response:
    return Response(200, (("Content-Type", "application/json"),), body)


def squarespace_home(world: Any, body: bytes) -> None:
    """The start page of a Squarespace site whose page data (``?format=json``) is ``body``."""

    def front(request: Request) -> Response:
        if request.query == "format=json":
            return json_bytes(body)
        return html("<html><!-- This is Squarespace. --><head></head><body><p>Welcome</p>")

    world.web.route(HOST, "/", front)


async def pages_report(world: Any, corpus: Any) -> Report:
    profile = corpus.corpus_profile(websites=(START,), extra_pages=())
    async with world.services() as services:
        return await Engine.from_checks([PagesCheck]).run(profile, services)


def partly_checked(report: Report) -> Finding:
    """The one finding that names the limits the crawl met; the report has no pass."""
    everything = [(f.status, f.subject, f.location, f.message) for f in report.findings]
    assert not [f for f in report.findings if f.status is Status.PASS], everything
    crawl = [
        f
        for f in report.findings
        if f.subject == "partly-checked" and [e for e in f.evidence if e.source == "crawl"]
    ]
    assert len(crawl) == 1, everything
    [partly] = crawl
    assert partly.status is Status.ERROR and partly.status.could_not_check
    assert partly.message.startswith("Partly checked"), partly.message
    return partly


async def test_a_squarespace_page_data_answer_cut_at_the_size_read_is_partly_checked(
    world: Any, corpus: Any
) -> None:
    # 6 MB of page data (over the 5 MB read); the address is in its last part.
    filler = "Campaign news and more campaign news. " * (6 * 2**20 // 38)
    data = {"collection": {"description": filler, "location": {"addressLine1": ADDRESS}}}
    body = json.dumps(data).encode()
    assert len(body) > DEFAULT_MAX_BYTES

    squarespace_home(world, body)
    report = await pages_report(world, corpus)
    assert ("/", "format=json") in {(r.path, r.query) for r in world.web.requests_to(HOST)}
    partly = partly_checked(report)
    limit = f"the {DEFAULT_MAX_BYTES // 2**20} MB limit on a site API answer"
    assert limit in partly.message, partly.message
    assert f"{START}?format=json" in partly.message  # what was not read, by its address
    assert not [f for f in report.findings if f.kind == "home-address"]


async def test_a_wordpress_api_answer_cut_at_the_size_read_is_partly_checked(
    world: Any, corpus: Any
) -> None:
    # One user whose biography runs past the 5 MB read, the address at its end.
    api = f"{START}wp-json/"
    world.web.route(HOST, "/", html(f'<link rel="https://api.w.org/" href="{api}"><p>Hello</p>'))
    biography = "Campaign news. " * (6 * 2**20 // 15) + ADDRESS
    users = json.dumps([{"id": 1, "name": "Alex Example", "description": biography}]).encode()
    assert len(users) > DEFAULT_MAX_BYTES
    world.web.route(HOST, "/wp-json/wp/v2/users", json_bytes(users))
    report = await pages_report(world, corpus)
    partly = partly_checked(report)
    for limit in (
        f"the {DEFAULT_MAX_BYTES // 2**20} MB limit on a site API answer",
        f"everything after the first {MAX_JSON // 2**20} MB of a WordPress API answer",
    ):
        assert limit in partly.message, partly.message
    assert f"{START}wp-json/wp/v2/users?per_page=100" in partly.message
    assert not [f for f in report.findings if f.kind == "home-address"]


async def test_a_wordpress_api_answer_over_the_json_cap_is_partly_checked(
    world: Any, corpus: Any
) -> None:
    # Under the 5 MB body read but over the 4 MB the WordPress reader parses: read whole by
    # the HTTP client, still not read by the parser, and said.
    api = f"{START}wp-json/"
    world.web.route(HOST, "/", html(f'<link rel="https://api.w.org/" href="{api}"><p>Hello</p>'))
    biography = "Campaign news. " * ((MAX_JSON + 2**19) // 15) + ADDRESS
    users = json.dumps([{"id": 1, "name": "Alex Example", "description": biography}]).encode()
    assert MAX_JSON < len(users) < DEFAULT_MAX_BYTES
    world.web.route(HOST, "/wp-json/wp/v2/users", json_bytes(users))
    report = await pages_report(world, corpus)
    partly = partly_checked(report)
    assert (
        f"everything after the first {MAX_JSON // 2**20} MB of a WordPress API answer"
        in partly.message
    ), partly.message
    assert "MB limit on a site API answer" not in partly.message  # the body was read whole
    assert not [f for f in report.findings if f.kind == "home-address"]


async def test_a_page_with_more_links_than_are_read_is_partly_checked(
    world: Any, corpus: Any
) -> None:
    # 5,000 links back to the start page, then the one link to the page with the address.
    links = '<a href="/">home</a>' * MAX_LINKS
    tail = "<a href='/contact'>contact</a><p>More paragraphs, no links.</p>" * 1
    world.web.route(HOST, "/", html(f"<p>Welcome</p>{links}{tail}"))
    world.web.route(HOST, "/contact", html(f"<p>{ADDRESS}</p>"))
    report = await pages_report(world, corpus)
    assert "/contact" not in [r.path for r in world.web.requests_to(HOST)]
    partly = partly_checked(report)
    assert f"the {MAX_LINKS:,}-link limit on one page" in partly.message, partly.message
    # Named by the first link not read, and counted: one link past the 5,000 read.
    assert f"1 more address found on the site was not read (such as {START}contact)" in (
        partly.message
    )


async def test_a_robots_txt_longer_than_is_read_is_partly_checked(world: Any, corpus: Any) -> None:
    # Over 512 KB of comments, then the Disallow line naming the page with the address.
    comments = "# a very long comment about the campaign's web pages\n" * (MAX_ROBOTS // 50 + 2000)
    robots = f"User-agent: *\n{comments}Disallow: /private/\n"
    assert len(robots) > MAX_ROBOTS
    world.web.route(HOST, "/", html("<p>Welcome</p>"))
    world.web.route(HOST, "/robots.txt", text(robots))
    world.web.route(HOST, "/private/", html(f"<p>{ADDRESS}</p>"))
    report = await pages_report(world, corpus)
    assert "/private/" not in [r.path for r in world.web.requests_to(HOST)]
    partly = partly_checked(report)
    assert f"the {MAX_ROBOTS // 1024} KB limit on robots.txt" in partly.message, partly.message
    assert f"{START}robots.txt" in partly.message


async def test_documents_and_photos_never_say_none_were_found_after_a_crawl_cut_short(
    world: Any, corpus: Any
) -> None:
    # Three pages, a two-page limit: the page that links the leaflet and the photo is not
    # read, so "No PDF documents were found" (or "No photos") would be a pass over nothing.
    world.web.route(HOST, "/", html('<p>Welcome</p><a href="/a">a</a><a href="/b">b</a>'))
    world.web.route(HOST, "/a", html("<p>News</p>"))
    world.web.route(HOST, "/b", html('<a href="/leaflet.pdf">leaflet</a><img src="/me.jpg">'))
    profile = corpus.corpus_profile(websites=(START,), extra_pages=())
    async with world.services(crawl_max_pages=2) as services:
        report = await Engine.from_checks([DocumentsCheck, PhotosCheck]).run(profile, services)
    assert "/leaflet.pdf" not in [r.path for r in world.web.requests_to(HOST)]
    for check in ("exposure.documents", "exposure.photos"):
        findings = [f for f in report.findings if f.check_id == check]
        everything = [(f.status, f.message) for f in findings]
        assert not [f for f in findings if f.status is Status.PASS], everything
        [partly] = [f for f in findings if f.subject == "partly-checked"]
        assert "the 2-page limit" in partly.message and partly.status.could_not_check


def test_the_link_cap_counts_and_names_what_it_did_not_read() -> None:
    exactly = '<a href="/a">a</a>' * MAX_LINKS + "<p>more text</p><div>no links</div>"
    assert links_of_page(exactly, START).more == 0  # tags without links past the cap: no cut
    over = '<a href="/a">a</a>' * (MAX_LINKS - 1) + '<img src="/b.jpg" srcset="/c.jpg 2x">'
    found = links_of_page(over + '<a href="/d">d</a>', START)
    assert len(found.links) == MAX_LINKS and found.links[-1] == f"{START}b.jpg"
    assert (found.more, found.first_unread) == (2, f"{START}c.jpg")


async def test_squarespace_page_data_past_its_page_limit_is_named(world: Any, corpus: Any) -> None:
    # 25 pages, each with its ?format=json; the data of the first 20 is read, the rest named.
    pages = [f"/p{n}" for n in range(24)]
    menu = "".join(f'<a href="{p}">{p}</a>' for p in pages)
    marker = "<!-- This is Squarespace. -->"

    def page(request: Request) -> Response:
        if request.query == "format=json":
            return json_bytes(json.dumps({"collection": {"title": request.path}}).encode())
        return html(f"<html>{marker}<body><p>Welcome</p>{menu}</body></html>")

    for path in ["/", *pages]:
        world.web.route(HOST, path, page)
    report = await pages_report(world, corpus)
    asked = [r for r in world.web.requests_to(HOST) if r.query == "format=json"]
    assert len(asked) == MAX_API_PAGES
    partly = partly_checked(report)
    assert f"the {MAX_API_PAGES}-page limit on Squarespace page data" in partly.message
    assert "5 more addresses found on the site were not read" in partly.message, partly.message


async def test_imprints_are_never_passed_over_after_a_crawl_cut_short(
    world: Any, corpus: Any
) -> None:
    # The page read has an imprint with the office address; the page the limit leaves unread
    # may hold one with the home address, so "the imprints found give an address that is not
    # your home" would claim what was not seen.
    office = "<p>Promoted by Sam Agent on behalf of Alex Example, both at 40 Acacia Avenue.</p>"
    world.web.route(HOST, "/", html(f'<a href="/a">a</a><a href="/b">b</a>{office}'))
    for path in ("/a", "/b"):
        world.web.route(HOST, path, html(office))
    profile = corpus.corpus_profile(websites=(START,), extra_pages=())
    async with world.services(crawl_max_pages=2) as services:
        report = await Engine.from_checks([ImprintCheck]).run(profile, services)
    everything = [(f.status, f.message) for f in report.findings]
    assert not [f for f in report.findings if f.status is Status.PASS], everything
    [partly] = [f for f in report.findings if f.subject == "partly-checked"]
    assert "the 2-page limit" in partly.message and partly.status.could_not_check
    async with world.services() as services:  # the whole site read: a pass
        report = await Engine.from_checks([ImprintCheck]).run(profile, services)
    assert [f.status for f in report.findings] == [Status.PASS], everything


# A PHP notice before the JSON (a plugin warning printed into the answer), a trailing comma,
# and an answer that stops mid-string: each is meant as JSON and is not, so it may hold
# anything; read as "nothing published", a site whose API lists the address would pass.
BROKEN_USERS = {
    "php-notice": b"<br />\n<b>Deprecated</b>: Function create_function() is deprecated in "
    b"/var/www/wp-content/plugins/old/old.php on line 12<br />\n"
    + json.dumps([{"id": 1, "name": "Alex Example", "description": ADDRESS}]).encode(),
    "trailing-comma": json.dumps([{"id": 1, "description": ADDRESS}]).encode()[:-1] + b",]",
    "cut-mid-string": json.dumps([{"id": 1, "description": ADDRESS}]).encode()[:-20],
}


@pytest.mark.parametrize("broken", sorted(BROKEN_USERS))
async def test_a_wordpress_api_answer_that_is_not_valid_json_is_partly_checked(
    world: Any, corpus: Any, broken: str
) -> None:
    api = f"{START}wp-json/"
    world.web.route(HOST, "/", html(f'<link rel="https://api.w.org/" href="{api}"><p>Hello</p>'))
    world.web.route(HOST, "/wp-json/wp/v2/users", json_bytes(BROKEN_USERS[broken]))
    report = await pages_report(world, corpus)
    assert ("/wp-json/wp/v2/users", "per_page=100") in {
        (r.path, r.query) for r in world.web.requests_to(HOST)
    }
    partly = partly_checked(report)
    assert "a WordPress API answer that is not valid JSON" in partly.message, partly.message
    assert f"{START}wp-json/wp/v2/users?per_page=100" in partly.message  # the one not read
    assert "MB limit" not in partly.message  # read whole: broken, not cut


async def test_a_closed_wordpress_api_answering_with_a_page_is_not_a_limit(
    world: Any, corpus: Any
) -> None:
    # A security plugin that answers the API with the login page (200, HTML) publishes
    # nothing there: no limit met, and the site read whole is a pass.
    api = f"{START}wp-json/"
    world.web.route(HOST, "/", html(f'<link rel="https://api.w.org/" href="{api}"><p>Hello</p>'))
    for route in ("users", "pages", "posts"):
        world.web.route(HOST, f"/wp-json/wp/v2/{route}", html("<form>Log in</form>"))
    report = await pages_report(world, corpus)
    everything = [(f.status, f.subject, f.message) for f in report.findings]
    assert not [f for f in report.findings if f.subject == "partly-checked"], everything


async def test_squarespace_page_data_that_is_not_valid_json_is_partly_checked(
    world: Any, corpus: Any
) -> None:
    # One line of page data whose address value lost its closing quote: the string scanner
    # skips the rest of that line, so the data cannot count as read.
    body = b'{"collection": {"title": "Home", "location": {"addressLine1": "' + ADDRESS.encode()
    body += b'}, "website": {"siteTitle": "Alex Example"}}}'

    squarespace_home(world, body)
    report = await pages_report(world, corpus)
    assert ("/", "format=json") in {(r.path, r.query) for r in world.web.requests_to(HOST)}
    partly = partly_checked(report)
    assert "Squarespace page data that is not valid JSON" in partly.message, partly.message
    assert f"{START}?format=json" in partly.message


def test_the_wordpress_readers_tell_broken_json_from_a_page_or_nothing() -> None:
    bom = wordpress_users(b'\xef\xbb\xbf[{"id": 1, "name": "Alex Example"}]', "application/json")
    assert (bom.records, bom.broken) == ([{"name": "Alex Example"}], False)  # read, not broken
    assert wordpress_items(b"<html><form>Log in</form></html>", "text/html").broken is False
    assert wordpress_items(b" \r\n", "application/json").broken is False  # empty: nothing there
    assert wordpress_items(b'{"code": "rest_forbidden"}', "application/json").broken is False
    assert wordpress_items(BROKEN_USERS["php-notice"], "application/json").broken is True
    assert wordpress_items(BROKEN_USERS["trailing-comma"]).broken is True
    assert squarespace_data_broken(b'{"a": "b}') and not squarespace_data_broken(b'{"a": "b"}')
