"""The report formats by name, loaded lazily.

A writer is a pure ``render(report, *, reveal=False, checklist=None) -> str``: no I/O, clock
or environment. The caller builds the checklist (it needs the actions data and the person's
saved state); without one, writers leave the checklist section out.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from auditor.model import Report

if TYPE_CHECKING:
    from auditor.checklist import Checklist

FORMATS = {
    "json": "reports.json_report",
    "markdown": "reports.markdown",
    "html": "reports.html",
    "csv": "reports.csv_report",
}

Writer = Callable[..., str]


def writer(name: str) -> Writer:
    try:
        module = importlib.import_module(FORMATS[name])
    except KeyError:
        raise ValueError(f"unknown format {name!r} (choose one of: {', '.join(FORMATS)})") from None
    render: Writer = module.render
    return render


def render(
    report: Report, name: str, *, reveal: bool = False, checklist: Checklist | None = None
) -> str:
    return writer(name)(report, reveal=reveal, checklist=checklist)
