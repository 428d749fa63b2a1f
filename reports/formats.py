"""The report formats by name, loaded lazily (a writer is a pure ``render(report, *, reveal)``)."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from auditor.model import Report

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


def render(report: Report, name: str, *, reveal: bool = False) -> str:
    return writer(name)(report, reveal=reveal)
