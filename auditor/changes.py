"""What changed between two audits: fixed, new, still open, not rechecked.

A pure comparison of two typed reports, in the core so the history store and every writer
(which renders a diff beside a report) share one type without writers importing the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from auditor.model import Finding, Report


@dataclass(frozen=True)
class AuditDiff:
    """What changed between two audits, by finding fingerprint (problems only)."""

    fixed: tuple[Finding, ...]  # in the old audit, checked again and not found
    new: tuple[Finding, ...]
    still_open: tuple[Finding, ...]
    not_rechecked: tuple[Finding, ...]  # in the old audit; the new one could not check

    def to_dict(self) -> dict[str, Any]:
        return {
            name: [f.to_dict() for f in getattr(self, name)]
            for name in ("fixed", "new", "still_open", "not_rechecked")
        }


def diff(previous: Report, current: Report) -> AuditDiff:
    """Fixed / new / still open between two audits, by fingerprint.

    A problem counts as fixed only when the new audit ran that check on that target and
    got a definite answer; if it could not check, the problem is "not rechecked", never
    fixed.
    """
    old = {f.fingerprint: f for f in previous.findings if f.status.is_problem}
    now = {f.fingerprint: f for f in current.findings if f.status.is_problem}
    definite: set[tuple[str, str]] = set()
    for result in current.results:
        if result.findings and not any(f.status.could_not_check for f in result.findings):
            definite.add((result.check_id, result.target.lower()))
    fixed: list[Finding] = []
    not_rechecked: list[Finding] = []
    for fingerprint, finding in old.items():
        if fingerprint in now:
            continue
        if (finding.check_id, finding.target.lower()) in definite:
            fixed.append(finding)
        else:
            not_rechecked.append(finding)
    return AuditDiff(
        fixed=tuple(fixed),
        new=tuple(f for k, f in now.items() if k not in old),
        still_open=tuple(f for k, f in now.items() if k in old),
        not_rechecked=tuple(not_rechecked),
    )
