"""The briefing: the HTML report's summary page alone, for a projector or a handout.

Made to be shown to an audience (a police cyber briefing, a party meeting), so it never
shows personal details, not even when the person asks to reveal them: ``reveal`` is
ignored, the masked view is used, and the reasons a check could not run are left out
(they quote what the check saw). It links nowhere, loads nothing, and prints on one A4 page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditor.checklist import Checklist
from auditor.model import Report
from reports.html import header, page_head
from reports.html_summary import summary_section
from reports.view import AuditView, summarise

if TYPE_CHECKING:
    from auditor.changes import AuditDiff

BRIEFING_NOTE = (
    "A briefing: the summary of the audit only. It never shows personal details (home "
    "address, phones, personal emails), even when asked to reveal them."
)


def render(
    report: Report,
    checklist: Checklist | None = None,
    *,
    reveal: bool = False,  # the same signature as every writer; never revealed
    changes: AuditDiff | None = None,
) -> str:
    view = AuditView.of(report, checklist, reveal=False, changes=changes)
    heading = f"Candidate Auditor briefing: {view.report.subject}"
    summary = summarise(view, reasons=False)
    out = [*page_head(heading), '<body class="briefing">', "<main>"]
    out += header(view, heading, note=BRIEFING_NOTE)
    out += summary_section(summary, link_actions=False)
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"
