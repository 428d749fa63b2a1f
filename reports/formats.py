"""The report formats: one enum for every ``--format``, the app's export and file suffixes.

A writer is a pure ``render(report, checklist=None, *, reveal=False, changes=None) -> str``
over typed objects: no I/O, clock or environment. The caller builds the checklist (it needs
the actions data and the person's saved state) and the changes since the last audit (from
the history); without them, writers leave those sections out. Writers are imported only
when used, so building the CLI parser stays fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from enum import StrEnum
from pathlib import PurePath
from typing import TYPE_CHECKING

from auditor.model import Report

if TYPE_CHECKING:
    from auditor.changes import AuditDiff
    from auditor.checklist import Checklist


class ReportFormat(StrEnum):
    MARKDOWN = "markdown"
    HTML = "html"
    JSON = "json"
    CSV = "csv"
    BRIEFING = "briefing"  # the HTML summary page alone, never with personal details

    @property
    def module(self) -> str:
        return _MODULES[self]

    @property
    def suffix(self) -> str:
        """The file suffix for this format, with the dot."""
        return _SUFFIXES[self]

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, text: str) -> ReportFormat:
        """The format named by ``text`` (as typed on the command line); ValueError names the
        choices."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(f"unknown format {text!r} (choose one of: {choices()})") from None

    @classmethod
    def for_path(cls, path: str | PurePath) -> ReportFormat | None:
        """The format a file name's suffix asks for (".md" is Markdown), or None."""
        return _BY_SUFFIX.get(PurePath(path).suffix.lower())


_MODULES = {
    ReportFormat.JSON: "reports.json_report",
    ReportFormat.MARKDOWN: "reports.markdown",
    ReportFormat.HTML: "reports.html",
    ReportFormat.CSV: "reports.csv_report",
    ReportFormat.BRIEFING: "reports.briefing",
}
_SUFFIXES = {
    ReportFormat.JSON: ".json",
    ReportFormat.MARKDOWN: ".md",
    ReportFormat.HTML: ".html",
    ReportFormat.CSV: ".csv",
    ReportFormat.BRIEFING: ".html",
}
_LABELS = {
    ReportFormat.JSON: "JSON",
    ReportFormat.MARKDOWN: "Markdown",
    ReportFormat.HTML: "HTML",
    ReportFormat.CSV: "CSV",
    ReportFormat.BRIEFING: "Briefing (one-page HTML summary)",
}
_BY_SUFFIX = {".md": ReportFormat.MARKDOWN, ".markdown": ReportFormat.MARKDOWN,
              ".json": ReportFormat.JSON, ".html": ReportFormat.HTML,
              ".htm": ReportFormat.HTML, ".csv": ReportFormat.CSV}  # fmt: skip


def format_for_output(
    chosen: ReportFormat | None, path: str | PurePath | None, default: ReportFormat
) -> ReportFormat:
    """The format to write: the one asked for; else the one the output file's suffix names
    (``-o audit.html`` is HTML); else ``default``. An explicit format whose suffix the file
    name contradicts (``--format json -o audit.html``) is refused with ValueError, one line:
    the file would be misread by whatever opens it. Shared by the CLI and the app."""
    implied = ReportFormat.for_path(path) if path else None
    if chosen is None:
        return implied or default
    if implied is not None and implied.suffix != chosen.suffix:
        raise ValueError(
            f"--format {chosen.value} writes {chosen.label}, but {PurePath(path or '').name} "
            f"ends in {PurePath(path or '').suffix} ({implied.label}); change one of them"
        )
    return chosen


# The names, in --format order (kept for callers that list them).
FORMATS = {f.value: f.module for f in ReportFormat}

Writer = Callable[..., str]


def choices() -> str:
    return ", ".join(f.value for f in ReportFormat)


def writer(fmt: ReportFormat | str) -> Writer:
    chosen = fmt if isinstance(fmt, ReportFormat) else ReportFormat.parse(fmt)
    render: Writer = importlib.import_module(chosen.module).render
    return render


def render(
    report: Report,
    fmt: ReportFormat | str,
    *,
    reveal: bool = False,
    checklist: Checklist | None = None,
    changes: AuditDiff | None = None,
) -> str:
    return writer(fmt)(report, checklist, reveal=reveal, changes=changes)
