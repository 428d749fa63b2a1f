"""The JSON report: the documented, versioned schema (docs/report-format.md).

``report_dict`` is also the masked view the other writers start from, so masking is done
once, here, for every format: every string a finding, its evidence or a manual question
carries passes through the masker unless ``reveal`` is set.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from auditor.checklist import Checklist
from auditor.model import Report, Status
from reports.masking import compile_masker, mask_text

_FINDING_TEXT = ("message", "location", "subject", "target")
_EVIDENCE_TEXT = ("snippet", "location")


# json.dumps escapes C0 controls only. C1 controls (U+009B is a terminal's CSI) and bidi
# overrides from attacker-controlled text would reach a terminal that shows the file raw;
# as \uXXXX escapes the JSON says exactly the same thing.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def render(report: Report, *, reveal: bool = False, checklist: Checklist | None = None) -> str:
    data = report_dict(report, reveal=reveal, checklist=checklist)
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


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


def report_dict(
    report: Report, *, reveal: bool = False, checklist: Checklist | None = None
) -> dict[str, Any]:
    data = report.to_dict()
    data["masked"] = not reveal
    counts = Counter(f.status.value for f in report.findings)
    data["summary"] = {status.value: counts.get(status.value, 0) for status in Status}
    data["checklist"] = checklist.to_dict() if checklist is not None else None
    if reveal:
        return data
    masker = compile_masker(sensitive_values(report))
    for result in data["results"]:
        result["target"] = mask_text(result["target"], masker)
        for finding in result["findings"]:
            for key in _FINDING_TEXT:
                finding[key] = mask_text(finding[key], masker)
            for evidence in finding["evidence"]:
                for key in _EVIDENCE_TEXT:
                    evidence[key] = mask_text(evidence[key], masker)
                evidence["sensitive"] = []
                evidence["detail"] = _mask_tree(evidence["detail"], masker)
    data["problems"] = [mask_text(p, masker) for p in data["problems"]]
    if data["checklist"] is not None:
        for item in data["checklist"]["items"]:
            for question in item["questions"]:
                question["text"] = mask_text(question["text"], masker)
                question["answer"] = mask_text(question["answer"], masker)
        data["checklist"]["problems"] = [
            mask_text(p, masker) for p in data["checklist"]["problems"]
        ]
    return data


def _mask_tree(value: Any, masker: re.Pattern[str] | None) -> Any:
    if isinstance(value, str):
        return mask_text(value, masker)
    if isinstance(value, list):
        return [_mask_tree(v, masker) for v in value]
    if isinstance(value, dict):
        return {k: _mask_tree(v, masker) for k, v in value.items()}
    return value
