"""Streaming rows for bulk audits: one CSV row or one JSON line per domain (pure)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from auditor.model import Report
from auditor.standards.text import spreadsheet_cell


def csv_header(check_ids: Sequence[str]) -> str:
    return _csv_line(["domain", *check_ids, "worst_severity", "problems"])


def csv_row(domain: str, report: Report, check_ids: Sequence[str]) -> str:
    statuses = {r.check_id: r.status.value for r in report.results}
    problems = [f for f in report.findings if f.status.is_problem]
    worst = max((f.severity for f in problems), key=lambda s: s.rank, default=None)
    summary = " | ".join(f"{f.check_id}: {f.message}" for f in problems)
    cells = [domain, *(statuses.get(c, "") for c in check_ids)]
    return _csv_line([*cells, worst.value if worst else "", summary])


def jsonl_row(domain: str, report: Report) -> str:
    results = sorted(report.results, key=lambda r: r.check_id)
    data = {
        "domain": domain,
        "results": [
            {
                "check_id": r.check_id,
                "status": r.status.value,
                "findings": [
                    {
                        "status": f.status.value,
                        "severity": f.severity.value,
                        "message": f.message,
                        "location": f.location,
                        "evidence": [e.snippet for e in f.evidence][:5],
                        "fingerprint": f.fingerprint,
                    }
                    for f in sorted(r.findings, key=lambda f: f.status.display_rank)
                ],
            }
            for r in results
        ],
    }
    return json.dumps(data, ensure_ascii=False) + "\n"


def _csv_line(cells: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([spreadsheet_cell(c) for c in cells])
    return buffer.getvalue()
