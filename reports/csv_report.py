"""The CSV report: one row per finding, for spreadsheets and bulk comparison.

CSV-injection safe: a cell whose text starts with = + - @ (or a tab or carriage return)
is prefixed with a single quote, so a spreadsheet shows it as text instead of running it
as a formula (OWASP "CSV Injection"). Control characters are neutralised as in every
writer; personal details are masked unless ``reveal``.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from auditor.checklist import Checklist
from auditor.model import Report
from reports.json_report import report_dict
from reports.view import View, clean, finding_order, shorten

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
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: object) -> str:
    text = clean(value)
    if text.startswith(_FORMULA_START) or text.lstrip().startswith(_FORMULA_START[:4]):
        return "'" + text
    return text


def render(report: Report, *, reveal: bool = False, checklist: Checklist | None = None) -> str:
    view = View.of(report_dict(report, reveal=reveal, checklist=checklist))
    placement = _placement(view)
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for finding in sorted(view.findings.values(), key=finding_order):
        evidence = finding["evidence"][0] if finding["evidence"] else {}
        groups, statuses, actions = placement.get(finding["fingerprint"], ([], [], []))
        row = {
            "audit_started_at": view.data["started_at"],
            "subject": view.data["subject"],
            "category": view.category(finding["check_id"]),
            "check_id": finding["check_id"],
            "check_title": view.title(finding["check_id"]),
            "target": finding["target"],
            "status": finding["status"],
            "severity": finding["severity"],
            "confidence": finding["confidence"],
            "kind": finding["kind"],
            "location": finding["location"],
            "message": finding["message"],
            "evidence_source": evidence.get("source", ""),
            "evidence_location": evidence.get("location", ""),
            "evidence_snippet": shorten(clean(evidence.get("snippet", ""))),
            "evidence_count": len(finding["evidence"]),
            "actions": " ".join(actions or finding["actions"]),
            "checklist_group": " ".join(dict.fromkeys(groups)),
            "checklist_status": " ".join(dict.fromkeys(statuses)),
            "fingerprint": finding["fingerprint"],
        }
        writer.writerow([safe_cell(row[column]) for column in COLUMNS])
    return stream.getvalue()


def _placement(view: View) -> dict[str, tuple[list[str], list[str], list[str]]]:
    """fingerprint -> (checklist groups, item statuses, action ids) of the items it feeds."""
    placed: dict[str, tuple[list[str], list[str], list[str]]] = {}
    checklist: dict[str, Any] | None = view.checklist
    if checklist is None:
        return placed
    for item in checklist["items"]:
        for fingerprint in (*item["findings"], *item["dismissed_findings"]):
            groups, statuses, actions = placed.setdefault(fingerprint, ([], [], []))
            groups.append(item["group"])
            statuses.append(item["status"])
            actions.append(item["id"])
    return placed
