"""What the human-readable writers share: plain-English labels, the masked typed view of an
audit, and the neutralising of attacker-controlled text (control characters, escapes).

Every writer starts from ``AuditView.of(report, checklist, reveal=...)``: the Report and
Checklist with the person's details already masked (auditor/masking.py), so every format
shows the same facts and hides the same things.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from auditor.checklist import Checklist, ChecklistItem, Group, ItemStatus
from auditor.masking import masked_audit
from auditor.model import Finding, Report, Severity, Status
from auditor.scores import AreaScore
from auditor.standards.text import visible
from auditor.vocabulary import category_label

if TYPE_CHECKING:
    from auditor.changes import AuditDiff

STATUS_LABEL = {
    Status.FAIL: "FAIL",
    Status.WARN: "WARN",
    Status.PASS: "PASS",
    Status.MANUAL: "TO ANSWER",
    Status.ERROR: "COULD NOT CHECK",
    Status.TIMEOUT: "COULD NOT CHECK (timeout)",
    Status.SKIPPED: "NOT CHECKED",
}
SEVERITY_ORDER = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO]
ITEM_STATUS_LABEL = {
    ItemStatus.OPEN: "to do",
    ItemStatus.DONE: "ticked as done",
    ItemStatus.DISMISSED: "dismissed",
    ItemStatus.VERIFIED: "verified fixed",
}
MASKED_NOTE = (
    "Personal details (home address, phones, personal emails) are shown as [hidden]. "
    "Run the report with --reveal to show them."
)
MAX_SNIPPET = 300
MAX_FINDINGS_PER_ITEM = 8
_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`()\\]+$")


def clean(text: object, *, one_line: bool = True) -> str:
    """Text with control characters (terminal escapes, NUL, bidi overrides) made visible
    as U+FFFD, so attacker-controlled strings cannot drive a terminal or hide text."""
    return visible(text, one_line=one_line)


def shorten(text: str, limit: int = MAX_SNIPPET) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safe_url(url: str) -> str | None:
    """The URL when it is a plain http(s) address safe to put in a link, else None."""
    return url if _SAFE_URL.match(url) else None


def when(iso: str) -> str:
    """ "2026-05-01T09:00:00+00:00" -> "1 May 2026, 09:00 UTC" (the raw text if unparsable)."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return clean(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def effort(minutes: int) -> str:
    if minutes < 60:
        return f"about {minutes} minutes"
    hours = round(minutes / 30) / 2
    text = f"{hours:g}"
    return f"about {text} hour" + ("" if hours == 1 else "s")


def area_title(category: str) -> str:
    return "Overall" if category == "overall" else category_label(category)


def percent(score: AreaScore) -> str:
    return "not checked" if score.percent is None else f"{score.percent}%"


def plural(count: int, word: str, many: str = "") -> str:
    """ "1 check", "2 checks" (``many`` for irregular plurals)."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


@dataclass(frozen=True)
class AuditView:
    """The audit as a reader may see it (masked unless revealed), with the lookups every
    writer needs."""

    report: Report
    checklist: Checklist | None
    masked: bool
    findings: dict[str, Finding]  # fingerprint -> masked finding, in report order
    titles: dict[str, str]  # check id -> title
    categories: dict[str, str]  # check id -> category
    changes: AuditDiff | None = None

    @classmethod
    def of(
        cls,
        report: Report,
        checklist: Checklist | None = None,
        *,
        reveal: bool = False,
        changes: AuditDiff | None = None,
    ) -> AuditView:
        shown, shown_checklist = masked_audit(report, checklist, reveal=reveal)
        findings = {f.fingerprint: f for f in shown.findings}
        titles = {c.id: c.title for c in shown.checks}
        categories = {c.id: c.category for c in shown.checks}
        return cls(shown, shown_checklist, not reveal, findings, titles, categories, changes)

    def category(self, check_id: str) -> str:
        return self.categories.get(check_id, check_id.split(".", 1)[0])

    def title(self, check_id: str) -> str:
        return self.titles.get(check_id, check_id)

    def findings_by_category(self) -> list[tuple[str, list[Finding]]]:
        groups: dict[str, list[Finding]] = {}
        for finding in self.findings.values():
            groups.setdefault(self.category(finding.check_id), []).append(finding)
        return [
            (category, sorted(groups[category], key=finding_order)) for category in sorted(groups)
        ]

    def not_checked(self) -> list[Finding]:
        return [f for f in self.findings.values() if f.status.could_not_check]

    def groups(self) -> list[tuple[Group, list[ChecklistItem]]]:
        """Checklist groups in order, each with its items (empty groups left out)."""
        return [] if self.checklist is None else self.checklist.groups()


def finding_order(finding: Finding) -> tuple[int, int, str]:
    return (
        finding.status.display_rank,
        SEVERITY_ORDER.index(finding.severity),
        finding.check_id,
    )


def shown_findings(item: ChecklistItem) -> list[Finding]:
    """The findings listed under a checklist item (questions are listed on their own)."""
    return [f for f in item.findings if f.status is not Status.MANUAL]
