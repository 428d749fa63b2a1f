"""One masker everywhere: the demo audit and a hostile audit, rendered to every written format,
saved to the history and shown on every TUI screen (read from the rendered widgets), are all
searched for every one of the person's identifiers (issues 12 and 13).

Both audits are real: the demo world's loopback servers, and a hostile site on loopback that
writes the person's details the ways pages do (abbreviated street types, other spacing). The
hostile site's forms are matched on the page, not in the profile: the TUI once masked with
the profile's values only and showed them.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from textual.widgets import Static
from tui_kit import NOW, wait_for

from auditor.actions import ActionSet, load_actions
from auditor.audit import run_audit
from auditor.checklist import ChecklistState, build_checklist
from auditor.demo import candidate as c
from auditor.demo.dns_server import DnsServer
from auditor.demo.web_server import Response, WebServer, html
from auditor.demo.world import DemoWorld
from auditor.engine import AuditPlanned, Engine, EventSink
from auditor.history import History
from auditor.masking import sensitive_values
from auditor.model import Report
from auditor.profile import Profile, parse_profile
from auditor.services import AuditOptions, Services
from auditor.testing import loopback_options
from auditor.tui.app import create_app
from auditor.tui.screens.checklist import ChecklistScreen
from auditor.tui.screens.results import ResultsScreen
from auditor.tui.session import MemoryStore
from auditor.tui.widgets.item_list import ItemList
from checks.exposure.pages import PagesCheck
from checks.exposure.photos import PhotosCheck
from reports.formats import ReportFormat, writer


def squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


@dataclass(frozen=True)
class Person:
    """The identifiers to search for, as squashed needles (case, spaces and punctuation gone:
    every way a page or a writer could space or punctuate them)."""

    needles: dict[str, tuple[str, ...]]
    home: tuple[float, float]  # searched for as numbers: decimal degrees, and degrees-minutes

    def leaks(self, text: str) -> list[str]:
        flat = squash(text)
        found = [kind for kind, needles in self.needles.items() if any(n in flat for n in needles)]
        if self.positions(text):
            found.append("home coordinates")
        return found

    def positions(self, text: str) -> list[str]:
        """Numbers within about 5 km of the home's latitude or longitude (either sign)."""
        # How long a check took (seconds, in JSON and the history) is not a position: under
        # load a check can take 1.8 s, which is near the demo home's longitude.
        text = DURATION.sub("", text)
        near = []
        for number in DECIMAL.findall(text):
            if any(abs(abs(float(number)) - abs(h)) <= 0.05 for h in self.home):
                near.append(number)
        for degrees, minutes in DMS.findall(text):
            value = int(degrees) + int(minutes) / 60
            if any(abs(value - abs(h)) <= 0.05 for h in self.home):
                near.append(f"{degrees}°{minutes}'")
        return near


DURATION = re.compile(r'"duration_s":\s*[\d.]+')
DECIMAL = re.compile(r"\d{1,3}\.\d{2,}")
DMS = re.compile(r"(\d{1,3})\s*°\s*(\d{1,2})")


DEMO_PERSON = Person(
    {
        "home address": (squash(c.HOME_LINES[0]), squash(c.HOME_STREET)),
        "locality": (squash(c.HOME_LOCALITY),),
        "postcode": (squash(c.HOME_POSTCODE),),
        "mobile": (c.MOBILE[3:],),  # the national digits are in every form
        "landline": (c.LANDLINE[3:],),
        "email": (squash(c.PERSONAL_EMAIL),),
    },
    (c.HOME_LAT, c.HOME_LON),
)

# -- the hostile site ------------------------------------------------------------------------

HOME_LAT, HOME_LON = 52.20412, -1.70337

HOSTILE_PROFILE = """
name = "Pat Hostile"
phones = ["+447700900777", "+441632960555"]
emails = ["pat.hostile@mailbox.example"]
websites = ["https://www.pat-hostile.example/"]

[[home]]
lines = ["12 Acacia Parade", "Wickelham Green"]
postcode = "ZX9 4QT"
latitude = 52.20412
longitude = -1.70337
"""
HOSTILE_PERSON = Person(
    {
        "home address": ("12acaciaparade", "12acaciapde", "acaciaparade", "acaciapde"),
        "locality": ("wickelhamgreen",),
        "postcode": ("zx94qt",),
        "mobile": ("7700900777",),
        "landline": ("1632960555",),
        "email": ("pathostilemailbox",),
        # What a window cut through an identifier used to leave ("…elham Green", "01632…").
        "partial form": ("elhamgreen", "wickelham", "01632", "1632960", "960555", "0900777"),
    },
    (HOME_LAT, HOME_LON),
)
HOSTILE_ZONE = """
$ORIGIN pat-hostile.example.
$TTL 300
@        SOA ns1 hostmaster 1 7200 3600 1209600 300
@        NS  ns1
ns1      A   127.0.0.1
www      A   81.2.69.142
"""
PHONE_NATIONAL = "7700900777"


def phone_forms() -> list[str]:
    """The mobile as pages write it: every prefix, separator and grouping, 300 forms and
    more (the old masker kept the 200 longest values, so these pushed the address out)."""
    forms = []
    for prefix in ("+44 ", "+44", "0044 ", "0044", "0", "+44 (0)", "+44(0)", "(0)", "tel:+44"):
        for sep in (" ", "-", ".", "", "  ", "/"):
            for cut in ((4, 7), (4,), (3, 6), (2, 5, 8), (5,), (1, 4, 7), (6,), (4, 6, 8)):
                pieces, last = [], 0
                for at in (*cut, len(PHONE_NATIONAL)):
                    pieces.append(PHONE_NATIONAL[last:at])
                    last = at
                forms.append(prefix + sep.join(pieces))
    return sorted(set(forms))


def gps_photo() -> bytes:
    """A JPEG whose EXIF GPS puts it about 20 m from the home."""
    image = Image.new("RGB", (16, 12), (90, 140, 80))
    exif = Image.Exif()
    lat, lon = HOME_LAT + 0.00015, HOME_LON + 0.0001
    # Assigned as a whole: Pillow 10.0 (the floor) does not keep a dict that get_ifd()
    # returned for an IFD the image did not have yet.
    exif[0x8825] = {1: "N", 2: _dms(lat), 3: "W", 4: _dms(lon)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 2)


MAP_EMBED = (
    "https://www.google.com/maps/embed?pb=!1m18!1m12!1m3!1d2436.2"
    f"!2d{HOME_LON + 0.0002:.5f}!3d{HOME_LAT - 0.0001:.5f}!2m3!1f0!2f0!3f0"
)
OSM_LINK = (
    f"https://www.openstreetmap.org/?mlat={HOME_LAT:.5f}&mlon={HOME_LON:.5f}"
    f"#map=17/{HOME_LAT:.5f}/{HOME_LON:.5f}"
)
CUT_PAGES = {
    # The locality and the landline at every distance before the postcode: one of these
    # windows starts inside each of them ("…elham Green", "…0 555"), another ends inside.
    f"/cut-{gap}": (
        f"<p>{'x' * 30} Wickelham Green {'y' * gap} zx9 4qt {'z' * gap} 01632 960 555 end</p>"
    )
    for gap in range(45, 80, 3)
}
FORMS = phone_forms()
# Four forms to a page, so that each page's finding carries them all (a snippet's window):
# together, hundreds of values longer than the address lines.
FORM_PAGES = {
    f"/forms-{n}": "<p>Ring " + " or ".join(FORMS[n : n + 4]) + " any time.</p>"
    for n in range(0, len(FORMS), 4)
}
HOSTILE_PAGES = {
    "/": (
        '<p>Pat Hostile for Wardley.</p><a href="/about">about</a><a href="/contact">contact</a>'
        '<a href="/map">map</a><img src="/canvassing.jpg">'
        + "".join(f'<a href="{path}">more</a>' for path in (*CUT_PAGES, *FORM_PAGES))
    ),
    # The page writes the address its own way: these forms are matched on the page.
    "/about": "<p>Pat lives at 12 ACACIA PDE., Wickelham  Green, zx9 4qt.</p>",
    "/contact": (
        "<p>Call Pat on +44 (0)7700-900-777 or 01632 960 555, or write to "
        "pat.hostile [at] mailbox [dot] example.</p>"
    ),
    "/map": (
        f'<p>Find us here.</p><iframe src="{MAP_EMBED}"></iframe><a href="{OSM_LINK}">map</a>'
    ),
    **CUT_PAGES,
    **FORM_PAGES,
}


async def hostile_audit() -> Report:
    async with (
        DnsServer([HOSTILE_ZONE]) as dns_server,
        WebServer(hostnames=["www.pat-hostile.example"]) as web,
    ):
        for path, body in HOSTILE_PAGES.items():
            web.route("www.pat-hostile.example", path, html(body))
        photo = Response(body=gps_photo(), headers=(("Content-Type", "image/jpeg"),))
        web.route("www.pat-hostile.example", "/canvassing.jpg", photo)
        options = loopback_options(dns_server.port, web, dns_timeout=0.5, http_timeout=2.0)
        profile = parse_profile(HOSTILE_PROFILE, "hostile")
        async with Services(options) as services:
            return await Engine.from_checks([PagesCheck, PhotosCheck]).run(profile, services)


async def demo_audit() -> Report:
    async with DemoWorld() as world:
        return await run_audit(world.profile, world.audit_options())


@pytest.fixture(scope="module")
def audits() -> dict[str, tuple[Report, Person]]:
    return {
        "demo": (asyncio.run(demo_audit()), DEMO_PERSON),
        "hostile": (asyncio.run(hostile_audit()), HOSTILE_PERSON),
    }


@pytest.fixture(scope="module")
def actions() -> ActionSet:
    return load_actions()


AUDITS = ["demo", "hostile"]


@pytest.mark.parametrize("name", AUDITS)
def test_the_audits_really_found_the_person(
    audits: dict[str, tuple[Report, Person]], name: str
) -> None:
    """Without this the searches below could pass on an audit that found nothing."""
    report, person = audits[name]
    unmasked = json.dumps(report.to_dict(), ensure_ascii=False)
    found = set(person.leaks(unmasked))
    assert {"home address", "postcode", "mobile", "home coordinates"} <= found, found
    if name == "hostile":  # every attack page was read, and the photo's position found
        locations = {f.location for f in report.findings}
        assert "https://www.pat-hostile.example/map" in locations
        assert {f"https://www.pat-hostile.example{path}" for path in FORM_PAGES} <= locations
        assert len(set(sensitive_values(report))) > 250  # the masker was given them all
        assert any(f.kind == "gps-location" for f in report.findings)


def written(report: Report, actions: ActionSet, tmp_path: Path) -> Iterator[tuple[str, str]]:
    checklist = build_checklist(report, actions, ChecklistState())
    for fmt in ReportFormat:
        yield fmt.value, writer(fmt)(report, checklist)
    record = History(tmp_path / "history").save(report)
    yield "history", record.path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", AUDITS)
def test_every_written_artefact_hides_every_identifier(
    audits: dict[str, tuple[Report, Person]], actions: ActionSet, name: str, tmp_path: Path
) -> None:
    report, person = audits[name]
    for where, text in written(report, actions, tmp_path):
        assert not person.leaks(text), f"{name} audit, {where}: shows {person.leaks(text)}"


def test_revealed_reports_do_show_them(
    audits: dict[str, tuple[Report, Person]], actions: ActionSet
) -> None:
    """The search can fail: with --reveal the same writer shows the identifiers."""
    report, person = audits["hostile"]
    revealed = writer(ReportFormat.MARKDOWN)(report, None, reveal=True)
    assert {"home address", "postcode", "mobile"} <= set(person.leaks(revealed))


# -- the TUI ---------------------------------------------------------------------------------


class ReportRunner:
    """The app's audit hook, returning an audit already run against real servers."""

    def __init__(self, report: Report) -> None:
        self.report = report

    async def __call__(
        self, profile: Profile, options: AuditOptions, on_event: EventSink
    ) -> Report:
        on_event(AuditPlanned(len(self.report.results)))
        return self.report


class NoWorld:
    def __init__(self) -> None:
        self.profile = parse_profile(HOSTILE_PROFILE, "hostile")

    def audit_options(self) -> AuditOptions:
        return AuditOptions()

    def stop_thread(self) -> None:
        pass


def _rendered(app: object, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


def _rows(listing: ItemList[Any]) -> list[tuple[int, str]]:
    """(index, prompt) of every line of a list, headings too (they are drawn)."""
    return [(i, str(listing.get_option_at_index(i).prompt)) for i in range(listing.option_count)]


async def tui_screens(report: Report, actions: ActionSet) -> list[tuple[str, str]]:
    """Every line the results and checklist screens draw: each list label, and the detail
    pane of every finding and every item, as rendered."""
    shown: list[tuple[str, str]] = []
    app = create_app(
        demo=True,
        clock=lambda: NOW,
        audit_runner=ReportRunner(report),
        store=MemoryStore(),
        actions=actions,
        demo_world_factory=NoWorld,
    )
    async with app.run_test(size=(160, 60)) as pilot:
        await wait_for(lambda: app.session.report is not None, pilot)
        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, ResultsScreen), pilot)
        listing = app.screen.query_one("#results-list", ItemList)
        shown.append(("results summary", _rendered(app, "#results-summary")))
        for index, prompt in _rows(listing):
            shown.append(("results list", prompt))
            if listing.items[index] is None:
                continue
            listing.highlighted = index
            await pilot.pause()
            shown.append(("results detail", _rendered(app, "#results-detail-text")))
            shown.append(("results fix", _rendered(app, "#results-detail-fix")))
        await pilot.press("c")
        await wait_for(lambda: isinstance(app.screen, ChecklistScreen), pilot)
        items = app.screen.query_one("#checklist-list", ItemList)
        for index, prompt in _rows(items):
            shown.append(("checklist list", prompt))
            if items.items[index] is None:
                continue
            items.highlighted = index
            await pilot.pause()
            shown.append(("checklist detail", _rendered(app, "#checklist-detail-text")))
        # The search can fail: revealing on the results screen shows them.
        await pilot.press("r")
        await wait_for(lambda: isinstance(app.screen, ResultsScreen), pilot)
        await pilot.press("v")
        await pilot.pause()
        revealed = []
        listing = app.screen.query_one("#results-list", ItemList)
        for index, _prompt in _rows(listing):
            if listing.items[index] is None:
                continue
            listing.highlighted = index
            await pilot.pause()
            revealed.append(_rendered(app, "#results-detail-text"))
        shown.append(("revealed", "\n".join(revealed)))
    return shown


@pytest.mark.parametrize("name", AUDITS)
async def test_every_tui_screen_hides_what_the_writers_hide(
    audits: dict[str, tuple[Report, Person]], actions: ActionSet, name: str
) -> None:
    report, person = audits[name]
    screens = await tui_screens(report, actions)
    details = [text for where, text in screens if where == "results detail"]
    assert len(details) == len(report.findings)  # every finding was opened
    for where, text in screens:
        if where == "revealed":
            assert {"home address", "postcode", "mobile"} <= set(person.leaks(text))
        else:
            assert not person.leaks(text), f"{name} audit, TUI {where}: {person.leaks(text)}"
