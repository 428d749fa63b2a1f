"""The CSV report: one row per finding, for spreadsheets and bulk comparison.

CSV-injection safe: a cell whose text starts with = + - @ (or a tab or carriage return)
is prefixed with a single quote, so a spreadsheet shows it as text instead of running it
as a formula (OWASP "CSV Injection"). Control characters are neutralised as in every
writer; personal details are masked unless ``reveal``.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from auditor.checklist import Checklist
from auditor.model import Report
from auditor.standards.text import spreadsheet_cell
from reports.view import AuditView, clean, finding_order, shorten

if TYPE_CHECKING:
    from auditor.changes import AuditDiff

COLUMNS = (
    "audit_started_at",
    "subject",
    "category",
    "check_id",
    "check_title",
    "target",
    "status",
    "severity",
    "confidence",
    "kind",
    "location",
    "message",
    "evidence_source",
    "evidence_location",
    "evidence_snippet",
    "evidence_count",
    "actions",
    "checklist_group",
    "checklist_status",
    "fingerprint",
)


def safe_cell(value: object) -> str:
    return spreadsheet_cell(value)


def render(
    report: Report,
    checklist: Checklist | None = None,
    *,
    reveal: bool = False,
    changes: AuditDiff | None = None,
) -> str:
    view = AuditView.of(report, checklist, reveal=reveal, changes=changes)
    shown = view.report
    placement = _placement(view.checklist)
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for finding in sorted(view.findings.values(), key=finding_order):
        evidence = finding.evidence[0] if finding.evidence else None
        groups, statuses, actions = placement.get(finding.fingerprint, ([], [], []))
        row = {
            "audit_started_at": shown.started_at,
            "subject": shown.subject,
            "category": view.category(finding.check_id),
            "check_id": finding.check_id,
            "check_title": view.title(finding.check_id),
            "target": finding.target,
            "status": finding.status.value,
            "severity": finding.severity.value,
            "confidence": finding.confidence.value,
            "kind": finding.kind,
            "location": finding.location,
            "message": finding.message,
            "evidence_source": evidence.source if evidence else "",
            "evidence_location": evidence.location if evidence else "",
            "evidence_snippet": shorten(clean(evidence.snippet)) if evidence else "",
            "evidence_count": len(finding.evidence),
            "actions": " ".join(actions or finding.actions),
            "checklist_group": " ".join(dict.fromkeys(groups)),
            "checklist_status": " ".join(dict.fromkeys(statuses)),
            "fingerprint": finding.fingerprint,
        }
        writer.writerow([safe_cell(row[column]) for column in COLUMNS])
    return stream.getvalue()


def _placement(checklist: Checklist | None) -> dict[str, tuple[list[str], list[str], list[str]]]:
    """fingerprint -> (checklist groups, item statuses, action ids) of the items it feeds."""
    placed: dict[str, tuple[list[str], list[str], list[str]]] = {}
    if checklist is None:
        return placed
    for item in checklist.items:
        for fingerprint in item.fingerprints:
            groups, statuses, actions = placed.setdefault(fingerprint, ([], [], []))
            groups.append(item.group.value)
            statuses.append(item.status.value)
            actions.append(item.id)
    return placed
