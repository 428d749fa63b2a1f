"""The HTML report as a person sees it: rendered by a real headless Chromium (Debian's
package, installed by .ci/run) at 1280 px and at a phone's 390 px, and printed to A4 PDF,
then read back with pypdf.

The demo audit is run once against the demo world on loopback; every browser run routes
its traffic to a refusing recorder on loopback, and the page's own requests are read from
Chromium's network log (tests/support/browser.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import socket
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from pypdf import PageObject, PdfReader

from auditor.actions import load_actions
from auditor.audit import run_audit
from auditor.changes import AuditDiff, diff
from auditor.checklist import Checklist, build_checklist
from auditor.demo.world import DemoWorld
from auditor.model import CheckResult, Evidence, Finding, Report, Severity, Status
from auditor.net.dns import Nameserver
from auditor.wording import DETAILS_HEADING
from reports import briefing, html
from reports.html_summary import SEVERITY_STYLE
from reports.view import AuditView, summarise
from tests.support.browser import Browser, Layout, RecordingProxy

# The demo report printed on A4, in pages: the summary on page one, then the checklist with
# each finding and its evidence under its action, what could not be checked and what passed.
# It was 49 pages of US Letter, half of them half empty, before issue 18, and 30 A4 pages once
# the Wayback Machine, web search and Observatory-graded header findings came; 27 now that
# the table of what passed has no area column (a row per area instead) and print lines are a
# little closer. The target leaves a page for a new check's few lines.
PRINT_PAGE_TARGET = 28
A4_POINTS = (595.0, 842.0)  # 210 x 297 mm; PDF user units are 1/72 inch
ONE_MM_IN_POINTS = 72 / 25.4
SCREEN, PHONE = 1280, 390  # CSS pixels: a laptop's browser window, a phone held upright
# A4's printable width at the report's 12 mm side margins, in CSS pixels (96 to the inch):
# what the print layout has to fit in.
A4_PRINTABLE_WIDTH = round((210 - 2 * 12) / 25.4 * 96)

# A hostile or just long audit: what pages, DNS and plugins hand back, unbroken.
LONG_URL = (
    "https://a-very-long-subdomain-of-a-campaign.example-campaign.org.uk/"
    + "/".join(f"a-path-segment-without-a-break-{i}" for i in range(12))
    + "?utm_source="
    + "x" * 180
)
LONG_WORD = "Unbrokenpagetitle" * 25
LONG_EVIDENCE = "v=spf1-evidence-line-without-spaces:" + "0123456789abcdef" * 40


def long_audit(report: Report) -> Report:
    """``report`` with every message, location, target, snippet and check title stretched by
    strings a browser cannot break at a space."""

    def evidence(ev: Evidence) -> Evidence:
        return dataclasses.replace(ev, location=LONG_URL, snippet=LONG_EVIDENCE)

    def stretched(f: Finding) -> Finding:
        return dataclasses.replace(f, message=f"{f.message} {LONG_WORD}", location=LONG_URL,
                                   target=f"{f.target}-{'t' * 120}",
                                   evidence=tuple(evidence(ev) for ev in f.evidence))  # fmt: skip

    def result(r: CheckResult) -> CheckResult:
        return dataclasses.replace(r, findings=tuple(stretched(f) for f in r.findings))

    return dataclasses.replace(
        report,
        subject=f"{report.subject} {LONG_WORD}",
        results=tuple(result(r) for r in report.results),
        checks=tuple(dataclasses.replace(c, title=f"{c.title} {LONG_WORD}") for c in report.checks),
        problems=(f"A plugin failed to load from {LONG_URL}",),
    )


def page_text(page: PageObject) -> str:
    """A PDF page's text as a reader sees it: ligatures ("ﬁ", "ﬀ") undone, spaces squashed."""
    return " ".join(unicodedata.normalize("NFKC", page.extract_text()).split())


def unspaced(text: str) -> str:
    return "".join(text.split())


def as_printed(text: str) -> str:
    """Text to find in a PDF page's text: no spaces, ligatures undone, any case (labels are
    upper-cased by CSS)."""
    return unspaced(unicodedata.normalize("NFKC", text)).casefold()


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
def long_pages(
    demo_audit: tuple[Report, Checklist], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """The report and the briefing of the demo audit and of its long twin."""
    report, _ = demo_audit
    folder = tmp_path_factory.mktemp("long")
    pages = {}
    for name, audit in (("demo", report), ("long", long_audit(report))):
        checklist = build_checklist(audit, load_actions())
        for kind, writer in (("report", html.render), ("briefing", briefing.render)):
            page = folder / f"{name}-{kind}.html"
            page.write_text(writer(audit, checklist), encoding="utf-8")
            pages[f"{name} {kind}"] = page
    return pages


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


def fits(layout: Layout) -> bool:
    return (
        layout.inner_width == layout.width
        and layout.scroll_width <= layout.width
        and not layout.sticking_out
    )


def test_the_width_check_sees_a_page_wider_than_a_phone(browser: Browser, tmp_path: Path) -> None:
    # The control: a page with one long unbroken line and a wide table, and none of the
    # report's CSS, is wider than a phone (which zooms out to show it all) and, on paper,
    # sticks out past the printable width.
    page = tmp_path / "wide.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width">'
        f"</head><body><p>{LONG_URL}</p><table><tr><td>{LONG_WORD}</td></tr></table>"
        "</body></html>",
        encoding="utf-8",
    )
    layout = browser.measure(page, PHONE)
    assert not fits(layout)
    assert layout.inner_width > PHONE and layout.scroll_width > PHONE
    on_paper = browser.measure(page, A4_PRINTABLE_WIDTH, print_media=True)
    assert not fits(on_paper) and on_paper.scroll_width > A4_PRINTABLE_WIDTH
    sticking_out = {p.element for p in on_paper.sticking_out}
    assert sticking_out == {"text in p", "table"}, on_paper.sticking_out


@pytest.mark.parametrize("name", ["demo report", "long report", "demo briefing", "long briefing"])
@pytest.mark.parametrize("width", [SCREEN, PHONE])
def test_nothing_is_wider_than_the_window(
    browser: Browser, long_pages: dict[str, Path], name: str, width: int
) -> None:
    # On a laptop and on a phone nothing sticks out past the window and the page never
    # scrolls sideways (long URLs, evidence and titles wrap; the table of what passed
    # scrolls within itself on a phone); a phone has no need to zoom out.
    layout = browser.measure(long_pages[name], width)
    assert fits(layout), layout
    assert layout.page_requests == ()


@pytest.mark.parametrize("name", ["demo report", "long report"])
def test_nothing_is_wider_than_a4_paper(
    browser: Browser, long_pages: dict[str, Path], name: str
) -> None:
    # Laid out with the print styles at A4's printable width: nothing would be cut off at
    # the paper's edge.
    layout = browser.measure(long_pages[name], A4_PRINTABLE_WIDTH, print_media=True)
    assert fits(layout), layout
    assert layout.scrolling_boxes == 0  # no table in a box that would scroll, on paper


def test_the_print_keeps_headings_with_their_text_and_findings_whole(
    demo_page: Path, demo_pdf: tuple[PdfReader, tuple[str, ...]]
) -> None:
    # What a briefing audience would trip over on paper: a heading alone at the foot of a
    # page, or a finding or a row of the table of what passed cut in two.
    pdf, _ = demo_pdf
    pages = [as_printed(page.extract_text()) for page in pdf.pages]
    soup = BeautifulSoup(demo_page.read_text(encoding="utf-8"), "html.parser")
    # Each finding's details for the IT volunteer are on screen, not on paper (the printed
    # copy says so at its end): a finding is whole when the rest of it is on one page.
    assert not any(as_printed(DETAILS_HEADING) in text for text in pages)
    assert pages[-1].endswith(as_printed(html.PRINT_NOTE))
    details = soup.select(".found > li .details")
    assert len(details) > 50
    for hidden in details:
        hidden.decompose()
    headings = [
        as_printed(h.get_text()) for h in soup.select("main h2, main h3, main h4, .list-label")
    ]
    assert len(headings) > 20
    for number, text in enumerate(pages[:-1], 1):
        alone = [h for h in headings if text.endswith(h)]
        assert not alone, f"page {number} ends with the heading {alone}"
    rows = soup.select("table.passed tbody tr:not(.area)")
    blocks = [*rows, *soup.select(".found > li")]
    assert len(rows) > 10 and len(blocks) > 50
    for block in blocks:
        whole = as_printed(block.get_text())
        assert any(whole in text for text in pages), f"cut across pages: {block.get_text()[:100]}"


def earlier_audit(report: Report) -> Report:
    """An earlier audit of the same person: one problem that has since been fixed (a check
    that now passes failed then), and a few that were not there yet."""
    fixed_one = False
    results = []
    for number, result in enumerate(report.results):
        findings = list(result.findings)
        if number % 4 == 0 and any(f.status.is_problem for f in findings):
            findings.remove(next(f for f in findings if f.status.is_problem))
        if not fixed_one and findings and all(f.status is Status.PASS for f in findings):
            findings[0] = dataclasses.replace(findings[0], status=Status.FAIL)
            fixed_one = True
        results.append(dataclasses.replace(result, findings=tuple(findings)))
    return dataclasses.replace(report, results=tuple(results))


@pytest.fixture(scope="module")
def re_audit(demo_audit: tuple[Report, Checklist]) -> AuditDiff:
    report, _ = demo_audit
    changes = diff(earlier_audit(report), report)
    assert changes.fixed and changes.new and changes.still_open
    return changes


@pytest.mark.parametrize("writer", [html.render, briefing.render], ids=["report", "briefing"])
def test_a_re_audit_summary_still_fits_on_page_one(
    demo_audit: tuple[Report, Checklist],
    re_audit: AuditDiff,
    browser: Browser,
    tmp_path: Path,
    writer: Callable[..., str],
) -> None:
    # What changed since the previous audit (words and a small chart) is part of the
    # summary: on paper it stays on page one with the rest, and the briefing stays one page.
    report, checklist = demo_audit
    page = tmp_path / "re-audit.html"
    page.write_text(writer(report, checklist, changes=re_audit), encoding="utf-8")
    printed = browser.pdf(page, tmp_path / "re-audit.pdf")
    pdf = PdfReader(printed.output)
    first = as_printed(pdf.pages[0].extract_text())
    words = (f"{len(re_audit.fixed)} fixed, {len(re_audit.new)} new, "
             f"{len(re_audit.still_open)} still open")  # fmt: skip
    for text in ("Grade per area", "The three things to do today", "What could not be checked",
                 "Since the previous audit", words, "Still open"):  # fmt: skip
        assert as_printed(text) in first, text
    if writer is briefing.render:
        assert len(pdf.pages) == 1
    else:
        assert page_text(pdf.pages[1]).startswith("What to do Do today")
        assert len(pdf.pages) <= PRINT_PAGE_TARGET
    assert printed.page_requests == ()
    assert fits(browser.measure(page, PHONE))


def test_the_briefing_fills_one_projector_screen(
    browser: Browser, long_pages: dict[str, Path]
) -> None:
    # On a 1920 x 1080 projector the whole summary is one screenful: the state across the
    # top, the grades and chart on the left, the three things to do and what could not be
    # checked on the right, with no scrolling.
    layout = browser.measure(long_pages["demo briefing"], 1920, height=1080)
    assert fits(layout), layout
    assert layout.scroll_height <= 1080, layout.scroll_height


def legend_swatches(browser: Browser, page: Path) -> dict[str, list[int]]:
    """Each chart legend swatch as seen without colour: its grey pixels, inside its border."""
    png, boxes = browser.look_without_colour(page, "figure.chart svg rect[width='16']")
    image = Image.open(io.BytesIO(png)).convert("L")
    swatches = {}
    for name, left, top, right, bottom in boxes:
        inside = image.crop((round(left) + 2, round(top) + 2, round(right) - 2, round(bottom) - 2))
        swatches[name] = list(inside.tobytes())  # one byte a pixel, in greys
    return swatches


def test_without_colour_the_control_chart_cannot_be_read(browser: Browser, tmp_path: Path) -> None:
    # The control: a legend of solid colours only is, to a person who sees no colour, a row
    # of plain grey squares, and the check below sees that.
    page = tmp_path / "colour-only.html"
    squares = "".join(
        f'<rect x="{80 * i}" y="0" width="16" height="16" fill="{colour}"/>'
        f'<text x="{80 * i + 21}" y="13">{name}</text>'
        for i, (name, colour) in enumerate([("high", "#c2410c"), ("medium", "#b7791f")])
    )
    page.write_text(
        f'<!DOCTYPE html><figure class="chart"><svg width="200" height="20">{squares}</svg>'
        "</figure>",
        encoding="utf-8",
    )
    swatches = legend_swatches(browser, page)
    assert set(swatches) == {"high", "medium"}
    png, _ = browser.look_without_colour(page, "rect")
    shot = Image.open(io.BytesIO(png)).convert("RGB")
    red, green, blue = (list(band.tobytes()) for band in shot.split())
    assert all(max(p) - min(p) <= 2 for p in zip(red, green, blue, strict=True))  # greys only
    assert all(len(set(pixels)) == 1 for pixels in swatches.values())  # one grey each


def test_without_colour_the_chart_still_tells_severities_apart(
    browser: Browser, demo_page: Path
) -> None:
    # Readable without colour: seen in greys only, every severity's fill in the chart's
    # legend is its own pattern (stripes, dots, a grid), so no two look alike and at most
    # one is a plain fill.
    swatches = legend_swatches(browser, demo_page)
    assert len(swatches) >= 4, swatches.keys()
    plain = [name for name, pixels in swatches.items() if max(pixels) - min(pixels) < 40]
    assert len(plain) <= 1, plain
    seen = [tuple(pixels) for pixels in swatches.values()]
    assert len(set(seen)) == len(seen), "two severities look the same without colour"


@pytest.fixture(scope="module")
def offline_audit() -> tuple[Report, Checklist]:
    """A different audit: the demo candidate's, on a computer whose DNS resolver is a
    loopback port where nothing listens (so most checks could not be checked)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])

    async def audit() -> Report:
        async with DemoWorld() as world:
            nowhere = (Nameserver("127.0.0.1", port),)
            options = world.audit_options(nameservers=nowhere, dns_timeout=0.3, dns_attempts=1)
            return await run_audit(world.profile, options)

    report = asyncio.run(audit())
    assert report.outage is not None
    return report, build_checklist(report, load_actions())


@pytest.mark.parametrize("writer", [html.render, briefing.render], ids=["report", "briefing"])
def test_an_audit_without_network_still_reads_as_a_summary_first(
    offline_audit: tuple[Report, Checklist],
    browser: Browser,
    tmp_path: Path,
    writer: Callable[..., str],
) -> None:
    # The outage is said once on page one, with the rest of the summary; the page fits a
    # phone and a laptop.
    report, checklist = offline_audit
    assert report.outage is not None
    page = tmp_path / "offline.html"
    page.write_text(writer(report, checklist), encoding="utf-8")
    printed = browser.pdf(page, tmp_path / "offline.pdf")
    pdf = PdfReader(printed.output)
    first = as_printed(pdf.pages[0].extract_text())
    for text in ("Grade per area", "What could not be checked", report.outage.headline):
        assert as_printed(text) in first, text
    if writer is briefing.render:
        assert len(pdf.pages) == 1
    else:
        assert page_text(pdf.pages[1]).startswith("What to do")
    assert printed.page_requests == ()
    for width in (SCREEN, PHONE):
        assert fits(browser.measure(page, width)), width
