"""The JSON report: the documented, versioned schema (docs/report-format.md)."""

from __future__ import annotations

import json
from typing import Any

from auditor.model import Report
from reports.masking import compile_masker, mask_text


def render(report: Report, *, reveal: bool = False) -> str:
    return json.dumps(report_dict(report, reveal=reveal), indent=2, ensure_ascii=False) + "\n"


def report_dict(report: Report, *, reveal: bool = False) -> dict[str, Any]:
    data = report.to_dict()
    data["masked"] = not reveal
    if reveal:
        return data
    sensitive = list(report.sensitive)
    for finding in report.findings:
        for evidence in finding.evidence:
            sensitive.extend(evidence.sensitive)
    masker = compile_masker(sensitive)
    for result in data["results"]:
        for finding in result["findings"]:
            finding["message"] = mask_text(finding["message"], masker)
            finding["location"] = mask_text(finding["location"], masker)
            for evidence in finding["evidence"]:
                evidence["snippet"] = mask_text(evidence["snippet"], masker)
                evidence["location"] = mask_text(evidence["location"], masker)
                evidence["sensitive"] = []
                evidence["detail"] = _mask_tree(evidence["detail"], masker)
    return data


def _mask_tree(value: Any, masker: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value, masker)
    if isinstance(value, list):
        return [_mask_tree(v, masker) for v in value]
    if isinstance(value, dict):
        return {k: _mask_tree(v, masker) for k, v in value.items()}
    return value
