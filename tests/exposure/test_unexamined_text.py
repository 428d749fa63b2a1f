"""The matchers examine the first MAX_TEXT characters of a text segment: the rest is named
in plain words, so that the page's result is "partly checked", never a silent pass."""

from __future__ import annotations

from auditor.exposure import examined, extraction_sightings
from auditor.model import Status
from auditor.profile import Address, Profile
from auditor.standards.content.pipeline import extract
from auditor.standards.identity.matchers import MAX_TEXT, IdentityMatcher, unexamined
from auditor.testing import run_check
from checks.exposure.pages import PagesCheck
from tests.exposure.conftest import SITE, World, corpus_profile, page

HOME = Address(("12 Acacia Avenue", "Ashcombe"), "AB1 2CD")


def test_a_segment_up_to_the_limit_is_examined_whole_and_a_longer_one_says_what_was_not() -> None:
    assert unexamined("a" * MAX_TEXT) == ""
    assert unexamined("a" * (MAX_TEXT + 1)) == (
        "the page's text after its first 1,000,000 characters"
    )
    assert unexamined("a" * (MAX_TEXT + 1), "in an HTML comment") == (
        "the text in an HTML comment after its first 1,000,000 characters"
    )


def test_a_postcode_past_the_limit_is_not_seen_so_the_extraction_names_the_rest() -> None:
    matcher = IdentityMatcher.from_profile(Profile(name="Alex Marlowe", home_addresses=(HOME,)))
    filler = "Library news. " * 80_000  # 1.12 million characters
    page = f"<html><body><p>{filler}</p><p>Write to AB1 2CD.</p></body></html>".encode()
    extraction = extract("html", page, "text/html", "https://www.example.org/")
    # What the matchers cannot see must be named, or this page would pass as clean.
    assert not extraction_sightings(matcher, extraction, "https://www.example.org/", "")
    named = examined(extraction).not_read
    assert "the page's text after its first 1,000,000 characters" in named
    assert examined(examined(extraction)).not_read == named  # named once

    short = extract("html", b"<p>Write to AB1 2CD.</p>", "text/html", "https://www.example.org/")
    assert examined(short).not_read == ()
    (sighting,) = extraction_sightings(matcher, short, "https://www.example.org/", "")
    assert sighting.match.kind == "postcode"


async def test_the_campaign_site_page_with_too_long_a_text_is_partly_checked(world: World) -> None:
    # The address after a million characters of filler: the matchers never see it, so the
    # page must say it was only partly checked (exposure.pages reads extraction_of's list).
    filler = "Library news. " * 80_000
    world.web.route(SITE, "/", page("Home", f"<p>{filler}</p><p>12 Acacia Avenue, AB1 2CD</p>"))
    async with world.services() as services:
        result = await run_check(PagesCheck, "person", services, corpus_profile())
    home = f"https://{SITE}/"
    partly = [f for f in result.findings if f.subject == "partly-checked" and f.location == home]
    assert len(partly) == 1 and partly[0].status is Status.ERROR
    assert "the page's text after its first 1,000,000 characters" in partly[0].message
    assert not [f for f in result.findings if f.status is Status.PASS]
