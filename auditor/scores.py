"""Every count an audit reports, defined once: the CLI's summary line, every writer and the
app read them from here, so "could not be checked" is the same number everywhere.

Two things are counted, and always named:

- **checks**: one check on one target (``email.spf`` on a domain) counts once, by
  ``result_outcome`` of its findings: passed, warned, failed, could not be checked, or
  waiting for the person's answer, or does not apply (nothing there to check: no mail
  server behind a null MX). These six add up to the number of checks.
- **findings**: what the checks said, one line each; a check may say several things.

"Could not be checked" is always a number of checks: those with no verdict because a part
of them could not run. A check that found a problem but could not run every part is
counted by its problem, and *also* named "partly checked", so nothing unrun is hidden.

The score of an area is the share of its checks that ran and passed, a warning counting
half a pass (``SCORE_RULE`` says so wherever a score is shown). It is given only when at
least ``MIN_SHARE_CHECKED`` of the area's checks ran; below that the words are "not enough
could be checked", never a percentage. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.model import CheckResult, Finding, Report, Status
from auditor.outage import Outage, explained_by_outage
from auditor.vocabulary import STATUS_DISPLAY_ORDER
from auditor.wording import findings_of_status

# A score needs at least this share of the area's checks (questions aside) to have run.
MIN_SHARE_CHECKED = 0.5
WARNING_WEIGHT = 0.5

SCORE_RULE = (
    "Score: the share of the checks that ran which passed, a warning counting half a pass; "
    "no score where fewer than half of the checks could run."
)
NOT_ENOUGH = "not enough could be checked"
NOTHING_CHECKED = "nothing could be checked"
NOTHING_TO_SCORE = "nothing to score"


@dataclass(frozen=True)
class AreaScore:
    """The checks of one area (or of the whole audit, ``category="overall"``) by outcome."""

    category: str
    passed: int = 0
    warned: int = 0
    failed: int = 0
    not_checked: int = 0  # no verdict: something could not run (error, timeout, skipped)
    to_answer: int = 0  # manual
    not_applicable: int = 0  # nothing there to check (a domain that receives no mail)
    partly: int = 0  # warned or failed, and some part could not run (counted there too)

    @property
    def checks(self) -> int:
        """Every check of the area, whatever its outcome."""
        return (
            self.passed
            + self.warned
            + self.failed
            + self.not_checked
            + self.to_answer
            + self.not_applicable
        )

    @property
    def checked(self) -> int:
        """Checks with a verdict (passed, warned or failed)."""
        return self.passed + self.warned + self.failed

    @property
    def could_not_check(self) -> int:
        """Checks with no verdict because something could not run: the one
        "could not be checked" number."""
        return self.not_checked

    @property
    def scorable(self) -> int:
        """Checks that a machine could run (questions for the person aside)."""
        return self.checked + self.not_checked

    @property
    def enough_checked(self) -> bool:
        return self.checked > 0 and self.checked >= MIN_SHARE_CHECKED * self.scorable

    @property
    def percent(self) -> int | None:
        """The rounded score, or None when too little could be checked to give one
        (``score_text`` says which)."""
        if not self.enough_checked:
            return None
        # Half up (62.5 -> 63), as people expect; round() would give the even 62.
        earned = self.passed + WARNING_WEIGHT * self.warned
        return math.floor(100 * earned / self.checked + 0.5)

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "percent": self.percent,
            "checks": self.checks,
            "passed": self.passed,
            "warned": self.warned,
            "failed": self.failed,
            "not_checked": self.not_checked,
            "partly_checked": self.partly,
            "to_answer": self.to_answer,
            "not_applicable": self.not_applicable,
            "enough_checked": self.enough_checked,
        }


def result_outcome(statuses: Iterable[Status]) -> str:
    """How one check × target counts: "fail", "warn", "pass", "not-checked", "manual" or
    "not-applicable" (every finding says there is nothing to check; such findings beside
    others are left out of the count).

    A definite problem counts even when part of the check could not run (one MX failing
    STARTTLS is a fail whatever the other did); a pass needs every part to have run.
    """
    given = set(statuses)
    present = given - {Status.NOT_APPLICABLE}
    if given and not present:
        return "not-applicable"
    if Status.FAIL in present:
        return "fail"
    if Status.WARN in present:
        return "warn"
    if not present or any(s.could_not_check for s in present):
        return "not-checked"
    if Status.MANUAL in present:
        return "manual"
    return "pass"


def is_partly_checked(result: CheckResult) -> bool:
    """A verdict was reached on part of the check, and another part could not run."""
    statuses = [f.status for f in result.findings]
    return result_outcome(statuses) in ("fail", "warn") and any(s.could_not_check for s in statuses)


@dataclass(frozen=True)
class Unchecked:
    """One check on one target that could not be (fully) checked, with the findings that
    say why."""

    result: CheckResult
    partly: bool
    reasons: tuple[Finding, ...]
    outage: bool = False  # the audit had no network, and that explains every reason

    @property
    def check_id(self) -> str:
        return self.result.check_id

    @property
    def target(self) -> str:
        return self.result.target


@dataclass(frozen=True)
class AuditCounts:
    """The whole audit's numbers: checks (overall and per area) and findings."""

    overall: AreaScore
    areas: tuple[AreaScore, ...]
    findings: int
    findings_by_status: Mapping[Status, int] = field(default_factory=dict)
    unchecked: tuple[Unchecked, ...] = ()  # not checked first, then partly checked
    outage: Outage | None = None

    @property
    def under_outage(self) -> tuple[Unchecked, ...]:
        """The checks that could not be (fully) checked because there was no network."""
        return tuple(u for u in self.unchecked if u.outage)

    @property
    def other_unchecked(self) -> tuple[Unchecked, ...]:
        return tuple(u for u in self.unchecked if not u.outage)

    @property
    def checks(self) -> int:
        return self.overall.checks

    @property
    def could_not_check(self) -> int:
        return self.overall.could_not_check

    @property
    def partly_checked(self) -> int:
        return self.overall.partly

    def to_dict(self) -> dict[str, Any]:
        return {
            "checks": self.overall.to_dict() | {"category": "overall"},
            "findings": {
                "total": self.findings,
                **{s.value: self.findings_by_status.get(s, 0) for s in Status},
            },
        }


def score(report: Report) -> tuple[tuple[AreaScore, ...], AreaScore]:
    """Each area's checks by outcome, and the whole audit's (``category="overall"``)."""
    counts = count(report)
    return counts.areas, counts.overall


def count(report: Report) -> AuditCounts:
    """Every number the audit reports (see the module's docstring for the definitions)."""
    buckets: dict[str, dict[str, int]] = {}
    not_checked: list[Unchecked] = []
    partly: list[Unchecked] = []
    for result in report.results:
        category = report.category_of(result.check_id)
        outcome = result_outcome(f.status for f in result.findings)
        bucket = buckets.setdefault(category, {})
        bucket[outcome] = bucket.get(outcome, 0) + 1
        reasons = tuple(f for f in result.findings if f.status.could_not_check)
        offline = report.outage is not None and explained_by_outage(f.status for f in reasons)
        if outcome == "not-checked":
            not_checked.append(Unchecked(result, False, reasons, offline))
        elif reasons and outcome in ("fail", "warn"):
            bucket["partly"] = bucket.get("partly", 0) + 1
            partly.append(Unchecked(result, True, reasons, offline))

    def area(name: str, c: Mapping[str, int]) -> AreaScore:
        return AreaScore(
            name,
            passed=c.get("pass", 0),
            warned=c.get("warn", 0),
            failed=c.get("fail", 0),
            not_checked=c.get("not-checked", 0),
            to_answer=c.get("manual", 0),
            not_applicable=c.get("not-applicable", 0),
            partly=c.get("partly", 0),
        )

    areas = tuple(area(name, buckets[name]) for name in sorted(buckets))
    total: dict[str, int] = {}
    for c in buckets.values():
        for key, value in c.items():
            total[key] = total.get(key, 0) + value
    by_status: dict[Status, int] = {}
    for finding in report.findings:
        by_status[finding.status] = by_status.get(finding.status, 0) + 1
    return AuditCounts(
        overall=area("overall", total),
        areas=areas,
        findings=sum(by_status.values()),
        findings_by_status=by_status,
        unchecked=(*not_checked, *partly),
        outage=report.outage,
    )


# -- the same numbers in words (the CLI, every writer and the app) ----------------------


def plural(count: int, word: str, many: str = "") -> str:
    """ "1 check", "2 checks" (``many`` for irregular plurals)."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def score_text(s: AreaScore) -> str:
    """ "63%", or why there is no score: never a percentage of checks that did not run."""
    if s.percent is not None:
        return f"{s.percent}%"
    if s.scorable == 0:
        return NOTHING_TO_SCORE
    return NOTHING_CHECKED if s.checked == 0 else NOT_ENOUGH


def outcomes_in_words(s: AreaScore, *, answers: bool = True) -> str:
    """ "7 passed, 5 with warnings, 3 failed (1 only partly checked); 3 could not be
    checked; 2 waiting for your answer" (the parts that are not zero)."""
    verdicts = [f"{n} {word}" for n, word in ((s.passed, "passed"), (s.warned, "with warnings"),
                                              (s.failed, "failed")) if n]  # fmt: skip
    text = ", ".join(verdicts)
    if s.partly:
        text += f" ({s.partly} only partly checked)"
    rest = []
    if s.not_checked:
        rest.append(f"{s.not_checked} could not be checked")
    if answers and s.to_answer:
        rest.append(f"{s.to_answer} waiting for your answer")
    if s.not_applicable:
        rest.append(f"{s.not_applicable} {'does' if s.not_applicable == 1 else 'do'} not apply")
    return "; ".join(p for p in (text, *rest) if p) or "none"


def area_in_words(s: AreaScore) -> str:
    """An area's score and checks: "63%: 7 passed, 5 with warnings, 3 failed; 3 could not be
    checked" or "not enough could be checked: 1 passed; 4 could not be checked"."""
    return f"{score_text(s)}: {outcomes_in_words(s, answers=False)}"


def overall_in_words(s: AreaScore) -> str:
    """The audit's headline numbers, never a percentage when too little could run."""
    checks = plural(s.checks, "check")
    if s.percent is not None:
        head = f"Overall score: {s.percent}% over the {plural(s.checked, 'check')} that ran"
    elif s.scorable == 0:
        head = f"No score: nothing here for a machine to check ({checks})"
    else:
        head = (
            f"No overall score: {score_text(s)} ({s.checked} of {s.scorable} checks ran; "
            f"a score needs at least half)"
        )
    return f"{head}. Of {checks}: {outcomes_in_words(s)}."


def findings_in_words(counts: AuditCounts) -> str:
    """ "95 findings: 25 problems, 20 warnings, 34 passes, 15 questions, 1 error,
    5 skipped" (findings, labelled as such, never called checks)."""
    parts = []
    for status in STATUS_DISPLAY_ORDER:
        n = counts.findings_by_status.get(status, 0)
        if n:
            parts.append(findings_of_status(status, n))
    head = plural(counts.findings, "finding")
    return f"{head}: {', '.join(parts)}" if parts else head


def outage_in_words(counts: AuditCounts) -> str:
    """ "No network: your computer could not reach its DNS resolver 10.0.0.1 (nothing
    answered). 13 checks could not be checked because of it.", or "" with a network."""
    if counts.outage is None:
        return ""
    under = counts.under_outage
    full = sum(1 for u in under if not u.partly)
    partly = len(under) - full
    parts = []
    if full:
        parts.append(f"{plural(full, 'check')} could not be checked")
    if partly:
        parts.append(f"{plural(partly, 'check')} only partly")
    because = f" Because of it, {' and '.join(parts)}." if parts else ""
    return f"{counts.outage.headline}{because}"


def unchecked_in_words(counts: AuditCounts) -> str:
    """ "4 checks could not be checked, and 1 more was only partly checked", or ""."""
    n, partly = counts.could_not_check, counts.partly_checked
    parts = []
    if n:
        parts.append(f"{plural(n, 'check')} could not be checked")
    if partly:
        verb = "was" if partly == 1 else "were"
        who = f"{partly} more" if n else plural(partly, "check")
        parts.append(f"{who} {verb} only partly checked")
    return ", and ".join(parts)
