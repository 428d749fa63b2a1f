"""The whole corpus through the four crawl-based checks: every planted leak is found, no
decoy is flagged, each URL is fetched once per audit, and nothing personal leaves."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from auditor.engine import Engine
from auditor.model import Report
from checks.exposure.documents import DocumentsCheck
from checks.exposure.imprint import ImprintCheck
from checks.exposure.pages import PagesCheck
from checks.exposure.photos import PhotosCheck

CHECKS = [PagesCheck, DocumentsCheck, PhotosCheck, ImprintCheck]


async def audit(world: Any, corpus: Any) -> Report:
    async with world.services() as services:
        return await Engine.from_checks(CHECKS).run(corpus.corpus_profile(), services)


def problems(report: Report) -> set[tuple[str, str, str]]:
    return {
        (f.check_id, urlsplit(f.location).path, f.kind)
        for f in report.findings
        if f.status.is_problem
    }


async def test_every_planted_leak_is_found_and_no_decoy_is_flagged(world: Any, corpus: Any) -> None:
    report = await audit(world, corpus)
    found = problems(report)
    missed = corpus.PLANTED - found
    false_positives = found - corpus.PLANTED
    assert not missed, f"planted leaks not found: {sorted(missed)}"
    assert not false_positives, f"reported but not planted: {sorted(false_positives)}"
    flagged_decoys = {path for (_check, path, _kind) in found} & set(corpus.DECOYS)
    assert not flagged_decoys
    precision = len(found & corpus.PLANTED) / len(found)
    recall = len(found & corpus.PLANTED) / len(corpus.PLANTED)
    assert (precision, recall) == (1.0, 1.0)


async def test_what_a_cap_or_a_broken_part_leaves_unread_is_partly_checked(
    world: Any, corpus: Any
) -> None:
    """A tag bomb, a 45-page PDF and a photo whose GPS has a zero denominator: each is named
    as not fully read (could not check), never counted as a clean pass (issue 13)."""
    import io

    from PIL import Image, TiffImagePlugin
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(45):
        writer.add_blank_page(100, 100)
    long_pdf = io.BytesIO()
    writer.write(long_pdf)
    tags = Image.Exif()
    zero = TiffImagePlugin.IFDRational(1, 0)
    tags[0x8825] = {1: "N", 2: (51.0, 30.0, zero), 3: "W", 4: (0.0, 8.0, 31.2)}
    photo = io.BytesIO()
    Image.new("RGB", (8, 8)).save(photo, "JPEG", exif=tags)
    bomb = '<a href="/limits/long.pdf">pdf</a><img src="/limits/zero.jpg">' + "<p>" * 150_000
    site = corpus.SITE
    world.web.route(site, "/limits/bomb", corpus.page("Bomb", bomb))
    world.web.route(site, "/limits/long.pdf", corpus.binary(long_pdf.getvalue(), "application/pdf"))
    world.web.route(site, "/limits/zero.jpg", corpus.binary(photo.getvalue(), "image/jpeg"))
    profile = corpus.corpus_profile(websites=(), extra_pages=(f"https://{site}/limits/bomb",))
    async with world.services() as services:
        report = await Engine.from_checks(CHECKS).run(profile, services)
    partly = {
        (f.check_id, urlsplit(f.location).path): f.message
        for f in report.findings
        if f.subject == "partly-checked"
    }
    assert partly == {
        ("exposure.pages", "/limits/bomb"): "Partly checked: on this page, the page after its "
        "first 100,000 elements could not be read, so it was not checked.",
        ("exposure.documents", "/limits/long.pdf"): "Partly checked: on this document, pages 31 "
        "to 45 (only the first 30 are read) could not be read, so it was not checked.",
        # An imprint sits at the foot of a page: the unread part may be where it is.
        ("exposure.imprint", "/limits/bomb"): "Partly checked: on this page, the page after "
        "its first 100,000 elements could not be read, so it was not checked.",
        ("exposure.imprint", "/limits/long.pdf"): "Partly checked: on this document, pages 31 "
        "to 45 (only the first 30 are read) could not be read, so it was not checked.",
        ("exposure.photos", "/limits/zero.jpg"): "Partly checked: on this photo, the photo's "
        "exact GPS position (part of it is written with a zero divisor) could not be read, so it "
        "was not checked.",
    }
    assert all(f.status.could_not_check for f in report.findings if f.subject == "partly-checked")
    pages = [f for f in report.findings if f.check_id == "exposure.pages"]
    assert not any(f.status.value == "pass" for f in pages), [f.message for f in pages]
