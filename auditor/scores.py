"""Area scores in the manner of internet.nl, from a Report.

Per category, the share of checks passing (pass 1, warn 0.5, fail 0); checks that could not
run or wait for the person's answer are left out of the percentage and counted separately.
One check × target counts once, by ``result_outcome`` of its findings. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from auditor.model import Report, Status


@dataclass(frozen=True)
class AreaScore:
    """internet.nl-style score: pass 1, warn 0.5, fail 0; the rest reported separately."""

    category: str
    passed: int = 0
    warned: int = 0
    failed: int = 0
    not_checked: int = 0  # error, timeout, skipped
    to_answer: int = 0  # manual

    @property
    def checked(self) -> int:
        return self.passed + self.warned + self.failed

    @property
    def percent(self) -> int | None:
        """Rounded percentage, or None when nothing in the area could be checked."""
        if not self.checked:
            return None
        # Half up (62.5 -> 63), as people expect; round() would give the even 62.
        return math.floor(100 * (self.passed + 0.5 * self.warned) / self.checked + 0.5)

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "percent": self.percent,
            "passed": self.passed,
            "warned": self.warned,
            "failed": self.failed,
            "not_checked": self.not_checked,
            "to_answer": self.to_answer,
        }


def result_outcome(statuses: Iterable[Status]) -> str:
    """How one check × target counts: "fail", "warn", "pass", "not-checked" or "manual".

    A definite problem counts even when part of the check could not run (one MX failing
    STARTTLS is a fail whatever the other did); a pass needs every part to have run.
    """
    present = set(statuses)
    if Status.FAIL in present:
        return "fail"
    if Status.WARN in present:
        return "warn"
    if not present or any(s.could_not_check for s in present):
        return "not-checked"
    if Status.MANUAL in present:
        return "manual"
    return "pass"


def score(report: Report) -> tuple[tuple[AreaScore, ...], AreaScore]:
    counts: dict[str, dict[str, int]] = {}
    for result in report.results:
        category = report.category_of(result.check_id)
        outcome = result_outcome(f.status for f in result.findings)
        bucket = counts.setdefault(category, {})
        bucket[outcome] = bucket.get(outcome, 0) + 1

    def area(name: str, c: Mapping[str, int]) -> AreaScore:
        return AreaScore(
            name,
            passed=c.get("pass", 0),
            warned=c.get("warn", 0),
            failed=c.get("fail", 0),
            not_checked=c.get("not-checked", 0),
            to_answer=c.get("manual", 0),
        )

    areas = tuple(area(name, counts[name]) for name in sorted(counts))
    total: dict[str, int] = {}
    for c in counts.values():
        for key, value in c.items():
            total[key] = total.get(key, 0) + value
    return areas, area("overall", total)
