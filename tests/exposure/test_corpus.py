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
