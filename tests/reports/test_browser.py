"""The HTML report as a person sees it: rendered by a real headless Chromium (Debian's
package, installed by .ci/run) at 1280 px and printed to A4 PDF, then read back with pypdf.

The demo audit is run once against the demo world on loopback; every browser run routes
its traffic to a refusing recorder on loopback, and the page's own requests are read from
Chromium's network log (tests/support/browser.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from auditor.actions import load_actions
from auditor.audit import run_audit
from auditor.checklist import Checklist, build_checklist
from auditor.demo.world import DemoWorld
from auditor.model import Report
from reports import html
from tests.support.browser import Browser, RecordingProxy

# The demo report printed on A4, in pages. It was 49 pages of US Letter before issue 18.
PRINT_PAGE_TARGET = 40
A4_POINTS = (595.0, 842.0)  # 210 x 297 mm; PDF user units are 1/72 inch
ONE_MM_IN_POINTS = 72 / 25.4


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
