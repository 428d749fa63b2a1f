"""An imprint sits at the foot of a page: a page read only in part (the matchers' limit, the
crawl's size cap) must make exposure.imprint "partly checked", never "no imprint found"."""

from __future__ import annotations

from auditor.model import Status
from auditor.testing import run_check
from checks.exposure.imprint import ImprintCheck
from tests.exposure.conftest import SITE, World, corpus_profile, page

IMPRINT = "<p>Promoted by Alex Marlowe, 12 Acacia Avenue, AB1 2CD.</p>"


async def test_an_imprint_past_the_matchers_limit_is_partly_checked_not_clean(
    world: World,
) -> None:
    filler = "Library news. " * 80_000  # 1.12 million characters before the imprint
    world.web.route(SITE, "/", page("Home", f"<p>{filler}</p>{IMPRINT}"))
    async with world.services() as services:
        result = await run_check(ImprintCheck, "person", services, corpus_profile())
    home = f"https://{SITE}/"
    partly = [f for f in result.findings if f.subject == "partly-checked" and f.location == home]
    assert len(partly) == 1 and partly[0].status is Status.ERROR
    assert partly[0].kind == "imprint"
    assert "after its first 1,000,000 characters" in partly[0].message
    assert not [f for f in result.findings if f.status is Status.PASS]


async def test_a_page_cut_at_the_size_cap_is_not_reported_as_having_no_imprint(
    world: World,
) -> None:
    # The start page is read whole; the page it links to is cut before its imprint.
    filler = "<p>Library news.</p>" * 8_000  # 160 KB before the imprint
    world.web.route(SITE, "/", page("Home", '<a href="/news">News</a>'))
    world.web.route(SITE, "/news", page("News", f"{filler}{IMPRINT}"))
    async with world.services() as services:
        services.http.max_bytes = 64 * 1024  # pages are read up to this, the rest is cut
        result = await run_check(ImprintCheck, "person", services, corpus_profile())
    (cut,) = [f for f in result.findings if f.subject == "truncated"]
    assert cut.status is Status.ERROR and cut.location == f"https://{SITE}/news"
    assert "larger than the 64 KB read" in cut.message
    assert not [f for f in result.findings if f.status is Status.PASS]
