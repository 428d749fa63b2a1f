"""The person's identifiers masked in typed objects: a Report and its Checklist, copied.

Writers render what ``masked_audit`` returns, so every format (and the history, through
``reports.json_report.report_dict``) hides the same things. Fingerprints are taken before
masking and kept (``recorded_fingerprint``): a masked finding is still the same finding for
dismissals, ticks and re-audit diffs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from auditor.checklist import Checklist, ChecklistItem, Question
from auditor.model import CheckResult, Evidence, Finding, Report
from reports.masking import compile_masker, mask_text

Masker = re.Pattern[str] | None


def sensitive_values(report: Report) -> list[str]:
    """What to mask: the person's identifiers, less their public name (the report's title
    already shows it, and masking it would blank out the campaign domain too)."""
    values = list(report.sensitive)
    for finding in report.findings:
        for evidence in finding.evidence:
            values.extend(evidence.sensitive)
    public = _squash(report.subject)
    return [v for v in values if _squash(v) != public]


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def masked_audit(
    report: Report, checklist: Checklist | None, *, reveal: bool = False
) -> tuple[Report, Checklist | None]:
    """The report and checklist as a reader may see them: masked unless ``reveal``."""
    if reveal:
        return report, checklist
    masker = compile_masker(sensitive_values(report))
    results = tuple(_result(r, masker) for r in report.results)
    masked_report = replace(
        report,
        results=results,
        problems=tuple(mask_text(p, masker) for p in report.problems),
        sensitive=(),
    )
    if checklist is None:
        return masked_report, None
    by_fingerprint = {f.fingerprint: f for f in masked_report.findings}

    def finding(f: Finding) -> Finding:
        return by_fingerprint.get(f.fingerprint) or _finding(f, masker)

    items = tuple(_item(item, finding, masker) for item in checklist.items)
    masked_checklist = replace(
        checklist,
        items=items,
        not_checked=tuple(finding(f) for f in checklist.not_checked),
        problems=tuple(mask_text(p, masker) for p in checklist.problems),
    )
    return masked_report, masked_checklist


def _result(result: CheckResult, masker: Masker) -> CheckResult:
    return replace(
        result,
        target=mask_text(result.target, masker),
        findings=tuple(_finding(f, masker) for f in result.findings),
    )


def _finding(finding: Finding, masker: Masker) -> Finding:
    return replace(
        finding,
        message=mask_text(finding.message, masker),
        location=mask_text(finding.location, masker),
        subject=mask_text(finding.subject, masker),
        target=mask_text(finding.target, masker),
        evidence=tuple(_evidence(e, masker) for e in finding.evidence),
        recorded_fingerprint=finding.fingerprint,
    )


def _evidence(evidence: Evidence, masker: Masker) -> Evidence:
    return replace(
        evidence,
        snippet=mask_text(evidence.snippet, masker),
        location=mask_text(evidence.location, masker),
        sensitive=(),
        detail=_mask_tree(evidence.detail, masker),
    )


def _item(
    item: ChecklistItem, finding: Callable[[Finding], Finding], masker: Masker
) -> ChecklistItem:
    return replace(
        item,
        findings=tuple(finding(f) for f in item.findings),
        dismissed_findings=tuple(finding(f) for f in item.dismissed_findings),
        questions=tuple(
            Question(
                q.fingerprint, q.check_id, mask_text(q.text, masker), mask_text(q.answer, masker)
            )
            for q in item.questions
        ),
    )


def _mask_tree(value: Any, masker: Masker) -> Any:
    if isinstance(value, str):
        return mask_text(value, masker)
    if isinstance(value, list):
        return [_mask_tree(v, masker) for v in value]
    if isinstance(value, dict):
        return {k: _mask_tree(v, masker) for k, v in value.items()}
    return value
