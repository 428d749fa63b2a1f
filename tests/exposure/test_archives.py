"""exposure.archives against the demo world's Wayback-compatible archive on loopback: the
CDX API and id_ playback in the Internet Archive's formats, with faults switched on the
archive's host (429, 503, 5xx, hangs, malformed CDX JSON)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

import auditor.archives as archives
import auditor.polite as polite
from auditor.demo import candidate as c
from auditor.demo.archive_server import ARCHIVE_HOST
from auditor.demo.web_server import html, json_response, text
from auditor.demo.world import DemoWorld
from auditor.model import CheckResult, Finding, Status
from auditor.services import Services
from auditor.standards.web.wayback import REMOVAL_URL
from auditor.testing import run_check
from checks.exposure.archives import ArchivesCheck

CONTACT_2019 = f"/web/20190514093000id_/http://www.{c.DOMAIN}:80/contact"


@pytest.fixture
async def world() -> AsyncIterator[DemoWorld]:
    async with DemoWorld() as running:
        yield running


async def archives_result(world: DemoWorld, **options: object) -> CheckResult:
    async with Services(world.audit_options(**options)) as services:
        return await run_check(ArchivesCheck, "person", services, world.profile)


def problems(result: CheckResult) -> list[Finding]:
    return [f for f in result.findings if f.status.is_problem]


def archive_requests(world: DemoWorld) -> list[str]:
    return [f"{r.path}?{r.query}" for r in world.web.requests_to(ARCHIVE_HOST)]


async def test_an_archived_copy_gone_from_the_live_site_is_its_own_finding(
    world: DemoWorld,
) -> None:
    result = await archives_result(world)
    contact = [f for f in problems(result) if "/contact" in f.location]
    assert [(f.kind, f.subject.split(":")[0]) for f in contact] == [
        ("home-address", "archived-only")
    ]
    finding = contact[0]
    assert finding.status is Status.FAIL
    assert "May 2019" in finding.message and "no longer" in finding.message
    assert finding.location == (
        f"https://{ARCHIVE_HOST}/web/20190514093000/http://www.{c.DOMAIN}:80/contact"
    )
    detail = finding.evidence[0].detail
    assert detail["captured"] == "2019-05-14" and detail["live"] == "gone"
    assert detail["removal"] == REMOVAL_URL
    assert "exposure.web-archive-removal" in finding.actions
    # The snippet shows the address, marked sensitive so that writers mask it.
    assert c.HOME_STREET in finding.evidence[0].snippet
    assert any(c.HOME_STREET in s for s in finding.evidence[0].sensitive)


async def test_a_page_removed_from_the_site_and_a_leak_both_live_and_archived(
    world: DemoWorld,
) -> None:
    found = problems(await archives_result(world))
    surgery = [f for f in found if "street-surgery" in f.location]
    assert [(f.kind, f.subject) for f in surgery] == [("phone", "archived-only:phone-1")]
    assert "page itself is gone" in surgery[0].message
    about = [f for f in found if f.location.endswith("/about")]
    # Live and archived: one finding per kind that says both.
    assert sorted(f.kind for f in about) == ["home-address", "phone"]
    assert all(f.subject.startswith("archived-and-live") for f in about)
    assert all("live page" in f.message and "archived" in f.message for f in about)
    # The party page's old copy shows nothing of the person's: no finding for it.
    assert not [f for f in found if c.PARTY_DOMAIN in f.location]


async def test_only_public_domains_and_urls_are_asked_and_the_cdx_filters_hold(
    world: DemoWorld,
) -> None:
    await archives_result(world)
    sent = archive_requests(world)
    cdx = [s for s in sent if s.startswith("/cdx/search/cdx")]
    assert len(cdx) == 3  # two campaign domains and the party page
    assert all("output=json" in s and "collapse=digest" in s for s in cdx)
    played = [s for s in sent if s.startswith("/web/")]
    assert all("id_/" in s for s in played)
    assert f"{CONTACT_2019}?" in played
    # Collapsed duplicate, robots.txt (not a page) and a 404 capture are never fetched.
    assert not [s for s in played if "20190601080000" in s or "robots.txt" in s]
    assert not [s for s in played if "old-page" in s]
    assert not world.leaked([c.HOME_POSTCODE, c.HOME_STREET, c.MOBILE_DISPLAY, c.PERSONAL_EMAIL])


async def test_rate_limited_with_a_long_pause_stops_politely_naming_the_cause(
    world: DemoWorld,
) -> None:
    world.web.faults.set(ARCHIVE_HOST, "429", retry_after="120")
    result = await archives_result(world)
    errors = [f for f in result.findings if f.status is Status.ERROR]
    assert errors and not problems(result)
    named = [f for f in errors if "Wayback Machine" in f.message and "rate-limiting" in f.message]
    assert named, [f.message for f in errors]
    # Asked to wait two minutes: no retry, and no request after the first refusal's answer.
    assert len(archive_requests(world)) == archives.CONCURRENCY


async def test_unavailable_is_retried_then_reported(world: DemoWorld) -> None:
    world.web.faults.set(ARCHIVE_HOST, "5xx", status=503, retry_after="0")
    result = await archives_result(world)
    messages = [f.message for f in result.findings if f.status is Status.ERROR]
    assert any("Wayback Machine" in m and "503" in m for m in messages), messages
    assert len(archive_requests(world)) >= polite.RETRIES + 1


async def test_server_error_is_an_error_naming_the_service(world: DemoWorld) -> None:
    world.web.faults.set(ARCHIVE_HOST, "5xx", status=500)
    result = await archives_result(world)
    messages = [f.message for f in result.findings if f.status is Status.ERROR]
    assert len(messages) == 3 and all("Wayback Machine" in m for m in messages), messages
    assert not [f for f in result.findings if f.status is Status.PASS]


async def test_a_hanging_archive_is_a_timeout(world: DemoWorld) -> None:
    world.web.faults.set(ARCHIVE_HOST, "hang")
    result = await archives_result(world, http_timeout=0.5)
    timeouts = [f for f in result.findings if f.status is Status.TIMEOUT]
    assert timeouts and all("Wayback Machine" in f.message or "in time" in f.message
                            for f in timeouts)  # fmt: skip
    assert not [f for f in result.findings if f.status is Status.PASS]


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        ({"captures": []}, "not a JSON array"),
        ([["timestamp"]], "original"),
        ([["timestamp", "original"], ["20190514093000"]], "row 2"),
        ([["timestamp", "original"], ["2019-05-14", "http://x.example/"]], "timestamp"),
        ([["timestamp", "original"], [20190514, "http://x.example/"]], "strings"),
    ],
)
async def test_malformed_cdx_json_is_an_error_naming_the_service(
    world: DemoWorld, body: object, cause: str
) -> None:
    world.web.route(ARCHIVE_HOST, "/cdx/search/cdx", json_response(body))
    result = await archives_result(world)
    messages = [f.message for f in result.findings if f.status is Status.ERROR]
    assert messages and all("Wayback Machine" in m and cause in m for m in messages), messages


async def test_cdx_that_is_not_json_is_an_error(world: DemoWorld) -> None:
    world.web.route(ARCHIVE_HOST, "/cdx/search/cdx", text("[[not json", 200, "application/json"))
    result = await archives_result(world)
    assert any("not JSON" in f.message for f in result.findings if f.status is Status.ERROR)


async def test_a_capture_that_cannot_be_read_is_named_and_the_rest_goes_on(
    world: DemoWorld,
) -> None:
    world.web.faults.set(ARCHIVE_HOST, "5xx", path=CONTACT_2019, status=500)
    result = await archives_result(world)
    unread = [f for f in result.findings if f.subject == "capture"]
    assert len(unread) == 1 and "May 2019" in unread[0].message
    assert unread[0].location.endswith(f"/web/20190514093000/http://www.{c.DOMAIN}:80/contact")
    assert [f for f in problems(result) if "street-surgery" in f.location]


async def test_a_cap_makes_the_result_partly_checked(
    world: DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archives, "MAX_CAPTURES", 2)
    result = await archives_result(world)
    partly = [f for f in result.findings if f.subject == "partly-checked"]
    assert len(partly) == 1 and partly[0].status is Status.ERROR
    assert "the 2-capture limit" in partly[0].message
    assert len([s for s in archive_requests(world) if s.startswith("/web/")]) == 2


async def test_no_captures_at_all_passes_saying_so(world: DemoWorld) -> None:
    world.web.route(ARCHIVE_HOST, "/cdx/search/cdx", json_response([]))
    result = await archives_result(world)
    assert [f.subject for f in result.findings] == ["no-captures"]
    assert result.findings[0].status is Status.PASS


async def test_a_capture_longer_than_the_matchers_examine_is_partly_checked_and_its_leak_kept(
    world: DemoWorld,
) -> None:
    # The 2019 /contact copy, with the address at the top and 1.2 million characters of
    # text after it: the leak is reported, and the unexamined rest is named.
    body = f"<p>Write to us at {c.HOME_NUMBER} {c.HOME_STREET}, {c.HOME_POSTCODE}.</p>"
    world.web.route(ARCHIVE_HOST, CONTACT_2019, html(body + "<p>" + "News. " * 200_000 + "</p>"))
    result = await archives_result(world)
    contact = [f for f in problems(result) if "/contact" in f.location]
    assert [(f.kind, f.subject.split(":")[0]) for f in contact] == [
        ("home-address", "archived-only")
    ]
    (partly,) = [f for f in result.findings if f.subject == "partly-checked"]
    assert partly.status is Status.ERROR and partly.kind == "archive"
    assert partly.location == contact[0].location
    assert "archived copy" in partly.message
    assert "the page's text after its first 1,000,000 characters" in partly.message


async def test_the_byte_limit_holds_however_many_captures_wait_and_is_named(
    world: DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every capture is queued at once: the limit must be judged as each fetch is sent.
    monkeypatch.setattr(archives, "MAX_BYTES", 1500)
    async with Services(world.audit_options()) as services:
        reader = archives.ArchiveReader(services.http, services.endpoint("wayback"))
        profile = world.profile
        targets = archives.archive_targets(profile.domains, profile.websites, profile.extra_pages)
        reading = await reader.read(targets)
    assert sum(len(r.result.body) for r in reading.read) <= 1500
    assert reading.unread.get("the 1.46 KB limit on all copies read", 0) > 0
    result = await archives_result(world)
    (partly,) = [
        f for f in result.findings if f.subject == "partly-checked" and "/web/" not in f.location
    ]
    assert partly.status is Status.ERROR
    assert "by the 1.46 KB limit on all copies read" in partly.message


async def test_a_capture_larger_than_the_part_read_is_partly_checked_at_its_address(
    world: DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archives, "CAPTURE_BYTES", 200)
    result = await archives_result(world)
    partly = [f for f in result.findings if f.subject == "partly-checked" and "/web/" in f.location]
    assert partly and all(f.status is Status.ERROR for f in partly)
    assert all("everything after its first 200 bytes" in f.message for f in partly)
    assert not [f for f in result.findings if f.status is Status.PASS]


async def test_a_list_of_copies_cut_at_the_rows_asked_for_is_partly_checked(
    world: DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archives, "CDX_LIMIT", 2)
    result = await archives_result(world)
    (partly,) = [f for f in result.findings if f.subject == "partly-checked"]
    assert partly.status is Status.ERROR
    assert f"listed the first 2 copies of {c.DOMAIN} and may hold more" in partly.message
    assert all("limit=2" in s for s in archive_requests(world) if s.startswith("/cdx/"))
