"""The JSON report: the documented, versioned schema (docs/report-format.md).

Rendered from the masked typed view (reports/view.py), so it hides exactly what the other
formats hide. ``report_dict`` is the same data as a dictionary, for the history.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from auditor.checklist import Checklist
from auditor.masking import sensitive_values
from auditor.model import Report, Status
from reports.view import AuditView

if TYPE_CHECKING:
    from auditor.changes import AuditDiff

__all__ = ["audit_dict", "render", "report_dict", "sensitive_values"]

# json.dumps escapes C0 controls only. C1 controls (U+009B is a terminal's CSI) and bidi
# overrides from attacker-controlled text would reach a terminal that shows the file raw;
# as \uXXXX escapes the JSON says exactly the same thing.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def render(
    report: Report,
    checklist: Checklist | None = None,
    *,
    reveal: bool = False,
    changes: AuditDiff | None = None,
) -> str:
    view = AuditView.of(report, checklist, reveal=reveal, changes=changes)
    text = json.dumps(audit_dict(view), indent=2, ensure_ascii=False)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def audit_dict(view: AuditView) -> dict[str, Any]:
    data = view.report.to_dict()
    data["masked"] = view.masked
    counts = Counter(f.status for f in view.report.findings)
    # Findings by status (what the checks said), and the checks by outcome as every
    # report and the CLI count them (auditor/scores.py).
    data["summary"] = {status.value: counts.get(status, 0) for status in Status}
    data["counts"] = view.counts.to_dict()
    data["checklist"] = view.checklist.to_dict() if view.checklist is not None else None
    return data


def report_dict(
    report: Report, *, reveal: bool = False, checklist: Checklist | None = None
) -> dict[str, Any]:
    """The report (masked unless ``reveal``) as the JSON writer's dictionary."""
    return audit_dict(AuditView.of(report, checklist, reveal=reveal))
