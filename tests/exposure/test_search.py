"""exposure.search against the demo world's SearXNG-compatible engine and fictional web on
loopback (and a Brave-compatible route), with faults on the search host: what it finds,
what it must not report, what it sends, and how it fails."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import pytest

import auditor.search as search
from auditor.audit import run_audit
from auditor.demo import candidate as c
from auditor.demo import fiction_web as web
from auditor.demo.search_server import SEARCH_HOST
from auditor.demo.web_server import Request, Response, html, json_response, text
from auditor.demo.world import DemoWorld
from auditor.model import CheckResult, Finding, Status
from auditor.profile import Address, Profile
from auditor.search import load_provider, provider_names, search_queries
from auditor.services import Services
from auditor.standards.search.brave import BraveProvider
from auditor.standards.search.providers import SearchAnswerMalformed
from auditor.standards.search.removal import parse_table, removal_table
from auditor.standards.search.searxng import SearxngProvider
from auditor.testing import run_check
from checks.exposure.search import SearchCheck

IDENTIFIERS = [
    f"{c.HOME_NUMBER} {c.HOME_STREET}",
    c.HOME_STREET,
    c.HOME_LOCALITY,
    c.HOME_POSTCODE,
    c.MOBILE,
    c.MOBILE_DISPLAY,
    c.LANDLINE,
    c.LANDLINE_DISPLAY,
    c.PERSONAL_EMAIL,
]


@pytest.fixture
async def world() -> AsyncIterator[DemoWorld]:
    async with DemoWorld() as running:
        yield running


async def search_result(world: DemoWorld, **options: object) -> CheckResult:
    async with Services(world.audit_options(**options)) as services:
        return await run_check(SearchCheck, "person", services, world.profile)


def problems(result: CheckResult) -> dict[tuple[str, str], Finding]:
    return {(f.location, f.kind): f for f in result.findings if f.status.is_problem}


def searches_sent(world: DemoWorld) -> list[str]:
    return [r.query for r in world.web.requests_to(SEARCH_HOST)]


async def test_third_party_pages_with_the_address_are_found_with_their_removal_route(
    world: DemoWorld,
) -> None:
    found = problems(await search_result(world))
    assert set(found) == {
        (web.STORY, "home-address"),
        (web.LISTING, "home-address"),
        (web.LISTING, "phone"),
        (web.REGISTER, "home-address"),
        (web.FORUM, "phone"),
    }
    story = found[(web.STORY, "home-address")]
    assert "newspaper" in story.message and "IPSO" in story.message
    assert story.actions == ("exposure.newspaper-removal", "exposure.search-results-removal")
    removal = {link["url"] for link in story.evidence[0].detail["removal"]}
    assert "https://www.ipso.co.uk/make-a-complaint/" in removal
    assert "https://support.google.com/websearch/answer/12719076" in removal
    assert story.evidence[0].detail["found_by"]["query"] == f'"{c.NAME}"'
    listing = found[(web.LISTING, "home-address")]
    assert "people-search" in listing.message and listing.subject.startswith("search-page")
    register = found[(web.REGISTER, "home-address")]
    assert "monitoring officer" in register.message and register.evidence[0].source == "pdf-text"
    # The forum is gone, but its search snippet shows the mobile: the snippet is evidence.
    forum = found[(web.FORUM, "phone")]
    assert forum.subject.startswith("search-snippet") and forum.evidence[0].source == (
        "search-snippet"
    )


async def test_namesakes_the_party_office_and_own_sites_are_not_reported(
    world: DemoWorld,
) -> None:
    result = await search_result(world)
    locations = {f.location for f in result.findings if f.status.is_problem}
    assert web.NAMESAKE not in locations and web.CANDIDATES not in locations
    fetched = {(r.host, r.path) for r in world.web.requests}
    # The decoys were read (and judged clean), the candidate's own site was left to
    # exposure.pages.
    assert (web.NAMESAKE_PAPER, "/news/northam-baker-alex-marlowe-wins-county-show") in fetched
    assert (web.PARTY_SITE, "/candidates") in fetched
    assert not world.web.requests_to(f"www.{c.DOMAIN}")


async def test_the_queries_are_public_facts_only_and_listed_in_the_report(
    world: DemoWorld,
) -> None:
    result = await search_result(world)
    plan = search_queries(world.profile)
    assert f'"{c.NAME}" "{c.WARD}"' in plan.sent and f'"{c.NAME}" "{c.PARTY}"' in plan.sent
    sent = searches_sent(world)
    assert len(sent) == len(plan.sent)
    listed = next(f for f in result.findings if f.subject == "queries")
    assert listed.evidence[0].detail["queries"] == list(plan.sent)
    assert all(query in listed.message for query in plan.sent)
    assert not world.leaked(IDENTIFIERS)


def test_a_query_that_would_hold_the_address_is_withheld() -> None:
    home = Address(("14 Larkspur Crescent", "Pelham Green"), "ZX4 7PN")
    profile = Profile(
        name="Alex Marlowe",
        aliases=("Alex Marlowe 07700900461",),
        party="Larkspur Crescent Residents",
        area="Pelham Green",
        home_addresses=(home,),
        phones=("+447700900461",),
    )
    plan = search_queries(profile)
    assert plan.sent == ('"Alex Marlowe"',)
    assert len(plan.withheld) == 3  # the area, the party and the alias with the phone
    assert not any("Larkspur" in why or "Pelham" in why for why in plan.withheld)


async def test_off_until_a_provider_is_chosen_and_says_what_it_would_send(
    world: DemoWorld,
) -> None:
    result = await search_result(world, search_provider=None)
    assert [f.subject for f in result.findings] == ["no-provider"]
    assert result.findings[0].status is Status.SKIPPED
    assert f'"{c.NAME}" "{c.WARD}"' in result.findings[0].message
    assert not searches_sent(world)


async def test_the_engine_asks_for_consent_first(world: DemoWorld) -> None:
    options = world.audit_options(allow_personal_lookups=False)
    report = await run_audit(world.profile, options, selected=["exposure.search"])
    (skipped,) = [f for f in report.findings if f.check_id == "exposure.search"]
    assert skipped.subject == "consent" and skipped.status is Status.SKIPPED
    assert not searches_sent(world)


@pytest.mark.parametrize(
    ("fault", "params", "status", "cause"),
    [
        ("429", {"retry_after": "120"}, Status.ERROR, "rate-limiting"),
        ("5xx", {"status": 500}, Status.ERROR, "server error"),
        ("5xx", {"status": 503, "retry_after": "0"}, Status.ERROR, "503"),
        ("html-for-json", {}, Status.ERROR, "web page"),
        ("hang", {}, Status.TIMEOUT, ""),
    ],
)
async def test_search_trouble_is_could_not_check_naming_the_service(
    world: DemoWorld, fault: str, params: dict[str, Any], status: Status, cause: str
) -> None:
    world.web.faults.set(SEARCH_HOST, fault, **params)
    result = await search_result(world, http_timeout=0.5)
    named = [f for f in result.findings if f.status is status and "SearXNG" in f.message]
    assert any(cause in f.message for f in named), [f.message for f in result.findings]
    assert not [f for f in result.findings if f.status is Status.PASS]


@pytest.mark.parametrize(
    "body",
    [
        ["not", "an", "object"],
        {"query": "x"},
        {"results": [{"title": "no url"}]},
        {"results": "none"},
    ],
)
async def test_malformed_search_json_is_an_error_naming_the_service(
    world: DemoWorld, body: object
) -> None:
    world.web.route(SEARCH_HOST, "/search", json_response(body))
    result = await search_result(world)
    errors = [f.message for f in result.findings if f.status is Status.ERROR]
    assert any("SearXNG answered in an unexpected shape" in m for m in errors), errors


async def test_json_not_enabled_on_the_instance_is_named(world: DemoWorld) -> None:
    world.web.route(SEARCH_HOST, "/search", text("Forbidden", 403))
    result = await search_result(world)
    assert any("SearXNG refused the request (HTTP 403)" in f.message for f in result.findings)


BRAVE_KEY = "BSA-test-key-4242"


def brave_route(request: Request) -> Response:
    if request.header("x-subscription-token") != BRAVE_KEY:
        return json_response({"type": "ErrorResponse", "error": {"code": "SUBSCRIPTION"}}, 401)
    results = [
        {"title": "Launch | Fernbridge Gazette", "url": web.STORY, "description": "A launch…"},
        {
            "title": "Namesake",
            "url": web.NAMESAKE,
            "description": "Cake…",
            "extra_snippets": ["More cake"],
        },
    ]
    return json_response(
        {"type": "search", "query": {"original": "x"}, "web": {"results": results}}
    )


async def test_brave_sends_the_key_in_its_header_and_never_reports_it(world: DemoWorld) -> None:
    world.web.route(SEARCH_HOST, "/res/v1/web/search", brave_route)
    endpoints = {**world.audit_options().endpoints, "brave_search": f"https://{SEARCH_HOST}/"}
    result = await search_result(
        world, search_provider="brave", search_key=BRAVE_KEY, endpoints=endpoints
    )
    assert (web.STORY, "home-address") in problems(result)
    dumped = json.dumps([f.to_dict() for f in result.findings])
    assert BRAVE_KEY not in dumped
    sent = world.web.requests_to(SEARCH_HOST)
    assert sent and all(r.header("x-subscription-token") == BRAVE_KEY for r in sent)
    assert BRAVE_KEY not in repr(world.audit_options(search_key=BRAVE_KEY))


async def test_brave_without_a_key_is_skipped_naming_where_keys_come_from(
    world: DemoWorld,
) -> None:
    result = await search_result(world, search_provider="brave")
    assert [f.subject for f in result.findings] == ["key"]
    assert "AUDITOR_SEARCH_KEY" in result.findings[0].message


def test_providers_are_registered_as_entry_points_and_parse_their_formats() -> None:
    assert {"searxng", "brave"} <= set(provider_names())
    assert isinstance(load_provider("searxng"), SearxngProvider)
    with pytest.raises(ValueError, match="known: "):
        load_provider("bing")
    request = BraveProvider().request("https://api.search.brave.com", '"A B"', 1, "k")
    assert request.url.startswith("https://api.search.brave.com/res/v1/web/search?q=%22A+B%22")
    assert "offset=1" in request.url and ("X-Subscription-Token", "k") in request.headers
    assert BraveProvider().parse({"type": "search"}) == []  # no web results
    with pytest.raises(SearchAnswerMalformed):
        BraveProvider().parse({"web": {"results": [{"title": "x"}]}})
    searx = SearxngProvider().request("https://s.example", "q", 0, None)
    assert searx.url == "https://s.example/search?q=q&format=json&pageno=1&safesearch=0"


def test_removal_routes_by_known_site_by_kind_and_fallback() -> None:
    table = removal_table()
    assert (
        table.route_for("https://www.192.com/people/x").url == "https://www.192.com/misc/contact/"
    )
    assert table.route_for("https://www.bbc.co.uk/news/x").note.startswith("The BBC")
    assert table.route_for("https://www.ashcombe-herald.example/a").kind.id == "newspaper"
    assert table.route_for("https://moderngov.somewhere.gov.uk/x.pdf").kind.id == "council"
    listing = table.route_for("https://x.example/p", "Jane Doe | people search")
    assert listing.kind.id == "people-search"
    ch = table.route_for("https://find-and-update.company-information.service.gov.uk/officers/x")
    assert ch.kind.id == "companies-house"  # the longest suffix wins over .gov.uk
    assert table.route_for("https://blog.example/post").kind.id == "other"
    with pytest.raises(ValueError, match="search"):
        parse_table('[[kind]]\nid = "other"\ntitle = "t"\nhow = "h"\naction = "a"\n')


async def test_a_full_demo_audit_with_archives_and_search_sends_none_of_the_persons_data(
    world: DemoWorld,
) -> None:
    options = world.audit_options()
    assert options.search_provider == "searxng" and options.allow_personal_lookups
    report = await run_audit(world.profile, options)
    ran = {f.check_id for f in report.findings if f.status.is_problem}
    assert {"exposure.search", "exposure.archives"} <= ran
    assert searches_sent(world) and world.web.requests_to("archive.services.example")
    leaks = world.leaked(IDENTIFIERS)
    assert not leaks, leaks[:3]
    # Guided questions say what was checked and keep only what a tool cannot do.
    guided = {f.subject: f for f in report.findings if f.check_id == "exposure.guided"}
    archive_question = guided["exposure.guided.web-archive"]
    assert "were read automatically" in archive_question.message
    assert "archive.today" in archive_question.message
    assert "A web search for your name" in guided["exposure.guided.search-results"].message
    assert "Have you searched the people-search sites that need an account" in (
        guided["exposure.guided.people-search"].message
    )


def test_search_settings_do_not_change_the_profile() -> None:
    profile = DemoWorld().profile
    assert (profile.party, profile.area) == (c.PARTY, c.WARD)
    assert replace(profile, party="").party == ""


def story_with(padding: str) -> Response:
    """The newspaper story (the house number and street near its top), then ``padding``."""
    return html(web.story_page().replace("</main>", padding + "</main>"))


def partly_checked(result: CheckResult) -> Finding:
    (partly,) = [f for f in result.findings if f.subject == "partly-checked"]
    assert partly.status is Status.ERROR and partly.message.startswith("Partly checked: ")
    return partly


async def test_a_result_page_larger_than_the_size_read_is_partly_checked_and_its_leak_kept(
    world: DemoWorld,
) -> None:
    # 2.8 MB: the address near the top is read, the rest past the 2 MB cut is not.
    world.web.route(
        web.NEWSPAPER, urlsplit(web.STORY).path, story_with("<p>Library. </p>" * 180_000)
    )
    result = await search_result(world)
    assert (web.STORY, "home-address") in problems(result)
    partly = partly_checked(result)
    assert web.STORY in partly.message and "everything after its first 2 MB" in partly.message
    listed = next(f for f in result.findings if f.subject == "queries")
    assert "in part" in listed.message


async def test_a_result_page_whose_text_is_longer_than_the_matchers_examine_is_partly_checked(
    world: DemoWorld,
) -> None:
    # 1.2 million characters of text in 1.2 MB of HTML: read in full, examined to 1,000,000.
    world.web.route(
        web.NEWSPAPER, urlsplit(web.STORY).path, story_with("<p>" + "Library. " * 135_000 + "</p>")
    )
    result = await search_result(world)
    assert (web.STORY, "home-address") in problems(result)
    partly = partly_checked(result)
    assert web.STORY in partly.message
    assert "the page's text after its first 1,000,000 characters" in partly.message


def test_names_and_searches_past_the_limits_are_named_not_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    profile = Profile(
        name="Alex Marlowe", aliases=("Alex M", "A. Marlowe", "Lexi Marlowe", "Sandy Marlowe")
    )
    plan = search_queries(profile)
    assert plan.sent == ('"Alex Marlowe"', '"Alex M"', '"A. Marlowe"')
    assert plan.left_out == (
        "2 of your aliases were not searched for (only your name and the first 2 aliases are)",
    )
    monkeypatch.setattr(search, "MAX_QUERIES", 2)
    plan = search_queries(profile)
    assert plan.sent == ('"Alex Marlowe"', '"Alex M"')
    assert plan.left_out[1] == '1 search was not sent (the 2-search limit): "A. Marlowe"'


async def test_searches_past_the_query_limit_make_the_result_partly_checked(
    world: DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "MAX_QUERIES", 2)
    result = await search_result(world)
    assert len(searches_sent(world)) == 2
    partly = partly_checked(result)
    assert "not sent (the 2-search limit)" in partly.message
    assert f'"{c.NAME}" "{c.PARTY}"' in partly.message  # the one not sent, by name
    listed = next(f for f in result.findings if f.subject == "queries")
    assert len(listed.evidence[0].detail["queries"]) == 2


async def test_result_lists_past_the_limit_make_the_result_partly_checked(
    world: DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "MAX_RESULT_LISTS", 2)
    result = await search_result(world)
    assert len(searches_sent(world)) == 2
    partly = partly_checked(result)
    assert "7 result lists were not asked for (the 2-result-list limit)" in partly.message
    assert f'"{c.NAME}" "{c.PARTY}"' in partly.message  # the searches left out, by name
    listed = next(f for f in result.findings if f.subject == "queries")
    assert f'"{c.NAME}" "{c.PARTY}"' not in listed.message  # only what was sent is listed


async def test_results_past_the_per_list_limit_make_the_result_partly_checked(
    world: DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "MAX_RESULTS_PER_LIST", 1)
    result = await search_result(world)
    partly = partly_checked(result)
    assert f'results of the search "{c.NAME}" after its first 1' in partly.message


async def test_a_result_list_larger_than_the_size_read_is_partly_checked_naming_the_search(
    world: DemoWorld,
) -> None:
    huge = {"results": [{"url": web.STORY, "title": "x", "content": "y" * 3_000_000}]}
    world.web.route(SEARCH_HOST, "/search", json_response(huge))
    result = await search_result(world)
    partly = partly_checked(result)
    assert f'the results of the search "{c.NAME}" (the answer is larger than the 2 MB read)' in (
        partly.message
    )
    assert not [f for f in result.findings if f.status is Status.PASS]
