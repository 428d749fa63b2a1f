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
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING

from auditor.checklist import GROUP_ORDER, Checklist, ChecklistItem, Group, ItemStatus
from auditor.masking import masked_audit
from auditor.model import Finding, Report, Severity, Status
from auditor.scores import (
    AreaScore,
    AuditCounts,
    Unchecked,
    area_in_words,
    outage_in_words,
    score_text,
    unchecked_in_words,
)
from auditor.scores import count as audit_counts
from auditor.scores import plural as plural
from auditor.standards.text import visible
from auditor.vocabulary import category_label, category_rank
from auditor.wording import URGENCY_SHORT

if TYPE_CHECKING:
    from auditor.changes import AuditDiff

SEVERITY_ORDER = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO]
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
    """The score's words (auditor/scores.py): "63%", or "not enough could be checked"."""
    return score_text(score)


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

    @cached_property
    def offline_fingerprints(self) -> frozenset[str]:
        """The findings that say only "no network" (grouped under the outage, not listed)."""
        return frozenset(f.fingerprint for u in self.counts.under_outage for f in u.reasons)

    def findings_by_category(self) -> list[tuple[str, list[Finding]]]:
        """Every finding by area, worst first; those grouped under an outage left out."""
        groups: dict[str, list[Finding]] = {}
        offline = self.offline_fingerprints
        for finding in self.findings.values():
            if finding.fingerprint in offline:
                continue
            groups.setdefault(self.category(finding.check_id), []).append(finding)
        return [
            (category, sorted(groups[category], key=finding_order)) for category in sorted(groups)
        ]

    @cached_property
    def counts(self) -> AuditCounts:
        """Every number the writers show, as auditor/scores.py defines it."""
        return audit_counts(self.report)

    def not_checked(self) -> list[Finding]:
        """The findings that say why something could not be checked."""
        return [f for f in self.findings.values() if f.status.could_not_check]

    def unchecked(self) -> tuple[Unchecked, ...]:
        """The checks that could not be checked, then those only partly checked."""
        return self.counts.unchecked

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


# -- the one-page summary ---------------------------------------------------------------

FIRST_ACTIONS = 3
MAX_NOT_CHECKED_IN_SUMMARY = 3
MAX_REASON = 100  # the summary's reason for a check that could not run; the full one follows
SERIOUS = (Severity.CRITICAL, Severity.HIGH)


class Grade(StrEnum):
    """An area's traffic light; GRADE_RULE says how it is given."""

    ACT_NOW = "act-now"
    IMPROVE = "improve"
    GOOD = "good"
    NOT_CHECKED = "not-checked"

    @property
    def label(self) -> str:
        return _GRADE_LABEL[self]

    @property
    def symbol(self) -> str:
        """A shape that carries the grade without colour."""
        return _GRADE_SYMBOL[self]


_GRADE_LABEL = {
    Grade.ACT_NOW: "Act now",
    Grade.IMPROVE: "Improve",
    Grade.GOOD: "Good",
    Grade.NOT_CHECKED: "Not checked",
}
_GRADE_SYMBOL = {Grade.ACT_NOW: "✖", Grade.IMPROVE: "▲", Grade.GOOD: "✔", Grade.NOT_CHECKED: "?"}
GRADE_ORDER = (Grade.ACT_NOW, Grade.IMPROVE, Grade.GOOD, Grade.NOT_CHECKED)
_U = URGENCY_SHORT
GRADE_RULE = (
    f"How each area is graded: Act now (✖) when an open problem is {_U[Severity.CRITICAL]} or "
    f"{_U[Severity.HIGH]}; Improve (▲) when all are {_U[Severity.MEDIUM]}, "
    f"{_U[Severity.LOW]} or {_U[Severity.INFO]}; Good (✔) when every "
    "check that ran passed; Not checked (?) when none of its checks could run. A check that "
    "could not run is never counted as a pass."
)


@dataclass(frozen=True)
class AreaSummary:
    category: str
    grade: Grade
    problems: dict[Severity, int]  # open problems (failed or warned findings) by severity
    score: AreaScore | None  # the area's check counts (auditor/scores.py), with a checklist

    @property
    def title(self) -> str:
        return area_title(self.category)

    @property
    def problem_count(self) -> int:
        return sum(self.problems.values())

    @property
    def partly_checked(self) -> bool:
        return self.score is not None and (self.score.not_checked > 0 or self.score.partly > 0)

    def checks_in_words(self) -> str:
        """ "63%: 7 passed, 5 with warnings, 3 failed; 3 could not be checked", as
        auditor/scores.py counts the area's checks (SCORE_RULE says how)."""
        return "—" if self.score is None else area_in_words(self.score)

    def problems_in_words(self) -> str:
        """ "1 very urgent, 2 soon": open problems counted on the short urgency scale
        (wording.URGENCY_SHORT), the same scale as the chips beside each finding."""
        if not self.problem_count:
            return "no problems found"
        return ", ".join(
            f"{self.problems[s]} {URGENCY_SHORT[s]}" for s in SEVERITY_ORDER if self.problems.get(s)
        )


@dataclass(frozen=True)
class ChangeCounts:
    """What changed since the previous audit, as numbers (auditor/changes.py)."""

    fixed: int
    new: int
    still_open: int
    not_rechecked: int


@dataclass(frozen=True)
class NotChecked:
    title: str
    target: str
    reason: str
    partly: bool = False  # a problem was found in what could run; the rest could not


@dataclass(frozen=True)
class Summary:
    """Page one: the state in words, a grade per area, the first three things to do, what
    could not be checked and, on a re-audit, what changed."""

    grade: Grade
    headline: str
    detail: str
    areas: tuple[AreaSummary, ...]
    first_actions: tuple[ChecklistItem, ...]
    first_actions_heading: str
    more_actions: str  # "and 6 more to do today", or ""
    not_checked: tuple[NotChecked, ...]  # the first few checks that could not be (fully) checked
    not_checked_total: int  # every check that could not be (fully) checked
    not_checked_words: str  # "4 checks could not be checked, and 1 more was only partly checked"
    overall: AreaScore
    outage: str  # "No network: ... Because of it, 13 checks could not be checked."
    outage_checks: int  # the checks grouped under it (not listed one by one)

    @property
    def not_checked_rest(self) -> int:
        """Checks that could not be (fully) checked and are neither listed nor grouped."""
        return self.not_checked_total - self.outage_checks - len(self.not_checked)

    changes: ChangeCounts | None

    @property
    def severities_shown(self) -> tuple[Severity, ...]:
        """The severities any area has a problem of, most severe first."""
        return tuple(s for s in SEVERITY_ORDER if any(a.problems.get(s) for a in self.areas))

    def chart_description(self) -> str:
        """The chart's text alternative: every bar, in words."""
        if not any(a.problem_count for a in self.areas):
            return "No open problems in any area."
        parts = [f"{a.title}: {a.problems_in_words()}" for a in self.areas]
        return "Open problems by area and how urgent they are. " + "; ".join(parts) + "."


def summarise(view: AuditView, *, reasons: bool = True) -> Summary:
    """Page one's facts. ``reasons=False`` leaves out why each check could not run (the
    reasons quote what the check saw: for an audience, the check and target are enough)."""
    dismissed: set[str] = set()
    if view.checklist is not None:
        for item in view.checklist.items:
            dismissed.update(f.fingerprint for f in item.dismissed_findings)
    open_problems = [
        f for f in view.findings.values() if f.status.is_problem and f.fingerprint not in dismissed
    ]
    counts = view.counts
    scores = {s.category: s for s in counts.areas}
    categories = set(scores) | {view.category(f.check_id) for f in view.findings.values()}
    ordered = sorted(categories, key=lambda c: (category_rank(c), c))
    areas = []
    for category in ordered:
        problems: dict[Severity, int] = {}
        for f in open_problems:
            if view.category(f.check_id) == category:
                problems[f.severity] = problems.get(f.severity, 0) + 1
        # "Good" needs a check of the area with a verdict: a skipped check or a question to
        # answer is no evidence that anything is safe.
        score = scores.get(category)
        ran = score.checked > 0 if score is not None else False
        areas.append(AreaSummary(category, _grade(problems, ran), problems, score))
    grade = min((a.grade for a in areas), key=GRADE_ORDER.index, default=Grade.NOT_CHECKED)
    missing = counts.other_unchecked
    first, heading, more = _first_actions(view.checklist)
    return Summary(
        grade=grade,
        headline=_headline(grade, areas),
        detail=_detail(view.checklist, counts),
        areas=tuple(areas),
        first_actions=first,
        first_actions_heading=heading,
        more_actions=more,
        not_checked=tuple(
            NotChecked(
                view.title(u.check_id),
                u.target,
                shorten(u.reasons[0].message, MAX_REASON) if reasons and u.reasons else "",
                u.partly,
            )
            for u in missing[:MAX_NOT_CHECKED_IN_SUMMARY]
        ),
        not_checked_total=len(counts.unchecked),
        not_checked_words=unchecked_in_words(counts),
        overall=counts.overall,
        outage=outage_in_words(counts),
        outage_checks=len(counts.under_outage),
        changes=None
        if view.changes is None
        else ChangeCounts(
            fixed=len(view.changes.fixed),
            new=len(view.changes.new),
            still_open=len(view.changes.still_open),
            not_rechecked=len(view.changes.not_rechecked),
        ),
    )


def _grade(problems: dict[Severity, int], ran: bool) -> Grade:
    if any(problems.get(s) for s in SERIOUS):
        return Grade.ACT_NOW
    if problems:
        return Grade.IMPROVE
    return Grade.GOOD if ran else Grade.NOT_CHECKED


def _headline(grade: Grade, areas: list[AreaSummary]) -> str:
    serious = sum(a.problems.get(s, 0) for a in areas for s in SERIOUS)
    if grade is Grade.ACT_NOW:
        where = [a.title.lower() for a in areas if a.grade is Grade.ACT_NOW]
        return (
            f"Needs action today: {plural(serious, 'serious problem')} (critical or high) "
            f"in {_and(where)}."
        )
    if grade is Grade.IMPROVE:
        count = sum(a.problem_count for a in areas)
        return f"No serious problems; {plural(count, 'smaller problem')} to fix."
    if grade is Grade.GOOD:
        return "In good shape: every check that ran passed."
    return "Nothing could be checked, so nothing here is known to be safe."


_GROUP_IN_WORDS = {
    Group.TODAY: "to do today",
    Group.NOMINATION: "before nomination papers",
    Group.WEEK: "this week",
    Group.KEEP: "to keep doing",
}


def _detail(checklist: Checklist | None, counts: AuditCounts) -> str:
    parts = [counts.outage.headline] if counts.outage is not None else []
    if checklist is not None:
        open_by_group = {g: 0 for g in GROUP_ORDER}
        for item in checklist.open_items:
            open_by_group[item.group] += 1
        todo = [f"{open_by_group[g]} {_GROUP_IN_WORDS[g]}" for g in GROUP_ORDER if open_by_group[g]]
        if todo:
            parts.append("Things to do: " + _and(todo) + ".")
    unchecked = unchecked_in_words(counts)
    if unchecked:
        # Checks, as auditor/scores.py counts them: the same number on every page and stderr.
        parts.append(f"{unchecked}.")
    return " ".join(parts)


def _first_actions(checklist: Checklist | None) -> tuple[tuple[ChecklistItem, ...], str, str]:
    if checklist is None:
        return (), "", ""
    today = [i for i in checklist.group(Group.TODAY) if i.status is ItemStatus.OPEN]
    if today:
        rest = len(today) - FIRST_ACTIONS
        more = f"and {rest} more to do today, listed under What to do" if rest > 0 else ""
        heading = "The three things to do today" if len(today) >= 3 else "To do today"
        return tuple(today[:FIRST_ACTIONS]), heading, more
    open_items = [i for i in checklist.open_items if i.findings or i.questions]
    return tuple(open_items[:FIRST_ACTIONS]), "The first things to do", ""


def _and(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
