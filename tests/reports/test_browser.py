"""The HTML report as a person sees it: rendered by a real headless Chromium (Debian's
package, installed by .ci/run) at 1280 px and printed to A4 PDF, then read back with pypdf.

The demo audit is run once against the demo world on loopback; every browser run routes
its traffic to a refusing recorder on loopback, and the page's own requests are read from
Chromium's network log (tests/support/browser.py).
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from pypdf import PageObject, PdfReader

from auditor.actions import load_actions
from auditor.audit import run_audit
from auditor.checklist import Checklist, build_checklist
from auditor.demo.world import DemoWorld
from auditor.model import Report, Severity
from reports import briefing, html
from reports.html_summary import SEVERITY_STYLE
from reports.view import AuditView, summarise
from tests.support.browser import Browser, RecordingProxy

# The demo report printed on A4, in pages: the summary on page one, then the checklist with
# each finding and its evidence under its action, what could not be checked and what passed.
# It was 49 pages of US Letter, half of them half empty, before issue 18; it is 29 now (with
# the Wayback Machine, web search and Observatory-graded header findings), and a new check's
# few lines fit the margin.
PRINT_PAGE_TARGET = 31
A4_POINTS = (595.0, 842.0)  # 210 x 297 mm; PDF user units are 1/72 inch
ONE_MM_IN_POINTS = 72 / 25.4


def page_text(page: PageObject) -> str:
    """A PDF page's text as a reader sees it: ligatures ("ﬁ", "ﬀ") undone, spaces squashed."""
    return " ".join(unicodedata.normalize("NFKC", page.extract_text()).split())


def unspaced(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def demo_audit() -> tuple[Report, Checklist]:
    async def audit() -> Report:
        async with DemoWorld() as world:
            return await run_audit(world.profile, world.audit_options())

    report = asyncio.run(audit())
    return report, build_checklist(report, load_actions())


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with RecordingProxy() as proxy:
        yield Browser(tmp_path_factory.mktemp("chromium"), proxy)


@pytest.fixture(scope="module")
def demo_page(
    demo_audit: tuple[Report, Checklist], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    report, checklist = demo_audit
    page = tmp_path_factory.mktemp("report") / "demo-report.html"
    page.write_text(html.render(report, checklist), encoding="utf-8")
    return page


@pytest.fixture(scope="module")
def demo_pdf(browser: Browser, demo_page: Path) -> tuple[PdfReader, tuple[str, ...]]:
    printed = browser.pdf(demo_page, demo_page.with_suffix(".pdf"))
    return PdfReader(printed.output), printed.page_requests


def test_the_recorder_sees_a_page_that_loads_from_outside(browser: Browser, tmp_path: Path) -> None:
    # The control: without the report's CSP, a page's image requests are seen (so the
    # checks below, that the report makes none, can fail).
    page = tmp_path / "leaky.html"
    page.write_text(
        '<!DOCTYPE html><p>leaky</p><img src="http://outside.example/pixel.png">'
        '<link rel="stylesheet" href="https://fonts.example/font.css">',
        encoding="utf-8",
    )
    seen = browser.pdf(page, tmp_path / "leaky.pdf").page_requests
    assert "http://outside.example/pixel.png" in seen
    assert "https://fonts.example/font.css" in seen
    requests = browser.proxy.requests
    assert any("outside.example" in line for line in requests), requests


def test_the_report_csp_blocks_what_a_hostile_snippet_could_load(
    browser: Browser, tmp_path: Path
) -> None:
    # The report's own head, with markup a hostile page title might have become if escaping
    # ever failed: the Content-Security-Policy alone must stop the request.
    head = html.render(Report("x", "", "", "0", ())).split("<body>")[0]
    page = tmp_path / "csp.html"
    page.write_text(
        head + '<body><img src="http://outside.example/pixel.png"></body></html>',
        encoding="utf-8",
    )
    assert browser.pdf(page, tmp_path / "csp.pdf").page_requests == ()


def test_the_demo_report_makes_no_request(
    browser: Browser, demo_page: Path, demo_pdf: tuple[PdfReader, tuple[str, ...]], tmp_path: Path
) -> None:
    _, printed_requests = demo_pdf
    assert printed_requests == ()
    shown = browser.screenshot(demo_page, tmp_path / "demo.png")
    assert shown.page_requests == ()


def test_the_demo_report_prints_on_a4_within_the_page_target(
    demo_pdf: tuple[PdfReader, tuple[str, ...]],
) -> None:
    pdf, _ = demo_pdf
    for number, page in enumerate(pdf.pages, 1):
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert all(
            abs(got - want) < ONE_MM_IN_POINTS for got, want in zip(size, A4_POINTS, strict=True)
        ), f"page {number} is {size} points, not A4"
    assert 1 < len(pdf.pages) <= PRINT_PAGE_TARGET, len(pdf.pages)


def test_the_summary_fits_on_page_one(
    demo_audit: tuple[Report, Checklist], demo_pdf: tuple[PdfReader, tuple[str, ...]]
) -> None:
    report, checklist = demo_audit
    summary = summarise(AuditView.of(report, checklist))
    pdf, _ = demo_pdf
    first, second = (page_text(p) for p in pdf.pages[:2])
    # Compared without spaces: text extractors differ on the space after a symbol
    # ("✖ Act now" from pypdf 7, "✖Act now" from pypdf 4.0, the floor).
    on_page_one = unspaced(first)
    assert unspaced(summary.headline.split(":")[0]) in on_page_one
    for heading in ("Grade per area", "The three things to do today", "What could not be checked"):
        assert unspaced(heading) in on_page_one, heading
    for area in summary.areas:
        shown = f"{area.title} {area.grade.symbol} {area.grade.label}"
        assert unspaced(shown) in on_page_one, area.title
    assert len(summary.first_actions) == 3
    for item in summary.first_actions:
        assert unspaced(item.action.title) in on_page_one, item.action.title
    # The summary ends on page one: the next page starts with the checklist.
    assert second.startswith("What to do Do today"), second[:80]


def test_the_chart_is_drawn_and_has_a_text_alternative(
    demo_audit: tuple[Report, Checklist], demo_page: Path, browser: Browser, tmp_path: Path
) -> None:
    report, checklist = demo_audit
    summary = summarise(AuditView.of(report, checklist))
    soup = BeautifulSoup(demo_page.read_text(encoding="utf-8"), "html.parser")
    chart = soup.select_one("figure.chart svg")
    assert chart is not None and chart.get("role") == "img"
    named = [soup.find(id=i) for i in str(chart.get("aria-labelledby", "")).split()]
    assert [t.name for t in named if t is not None] == ["title", "desc"]
    description = named[1].get_text() if named[1] is not None else ""
    for area in summary.areas:
        assert f"{area.title}: {area.problems_in_words()}" in description
    # What the screen shows: the critical bars in their colour, and content across the width.
    shot = browser.screenshot(demo_page, tmp_path / "summary.png", height=1100)
    image = Image.open(shot.output).convert("RGB")
    critical = tuple(int(SEVERITY_STYLE[Severity.CRITICAL][0][i : i + 2], 16) for i in (1, 3, 5))
    colours = image.getcolors(maxcolors=1 << 20) or []
    assert sum(n for n, rgb in colours if rgb == critical) > 200  # bars, not a stray pixel
    right_half = image.crop((image.width // 2, 0, image.width, image.height)).convert("L")
    darkest = right_half.getextrema()[0]  # (min, max) of the one grey band
    assert isinstance(darkest, int) and darkest < 100, "nothing dark on the right half"


def test_the_briefing_prints_on_one_a4_page_and_makes_no_request(
    demo_audit: tuple[Report, Checklist], browser: Browser, tmp_path: Path
) -> None:
    report, checklist = demo_audit
    page = tmp_path / "briefing.html"
    page.write_text(briefing.render(report, checklist, reveal=True), encoding="utf-8")
    printed = browser.pdf(page, tmp_path / "briefing.pdf")
    pdf = PdfReader(printed.output)
    assert len(pdf.pages) == 1 and printed.page_requests == ()
    text = page_text(pdf.pages[0])
    assert "Grade per area" in text and "The three things to do today" in text
    assert browser.screenshot(page, tmp_path / "briefing.png").page_requests == ()
