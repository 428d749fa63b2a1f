"""The Markdown report: findings grouped by category, problems first, evidence quoted."""

from __future__ import annotations

from auditor.model import Finding, Report, Status
from reports.json_report import report_dict

STATUS_LABEL = {
    "fail": "FAIL",
    "warn": "WARN",
    "pass": "PASS",
    "manual": "TO ANSWER",
    "error": "COULD NOT CHECK",
    "timeout": "COULD NOT CHECK (timeout)",
    "skipped": "NOT CHECKED",
}
STATUS_ORDER = ["fail", "warn", "error", "timeout", "manual", "skipped", "pass"]
SEVERITY_ORDER = ["critical", "high", "medium", "low", "info"]


def _escape(text: str) -> str:
    # Attacker-controlled text (TXT records, page titles) must not become Markdown or HTML.
    text = "".join(ch if ch.isprintable() or ch == " " else "\ufffd" for ch in text)
    for char in "\\`*_{}[]<>()#|!":
        text = text.replace(char, "\\" + char)
    return text


def render(report: Report, *, reveal: bool = False) -> str:
    data = report_dict(report, reveal=reveal)
    titles = {c["id"]: c["title"] for c in data["checks"]}
    categories: dict[str, list[dict[str, object]]] = {}
    category_of = {c["id"]: c["category"] for c in data["checks"]}
    for result in data["results"]:
        for finding in result["findings"]:
            category = category_of.get(finding["check_id"], finding["check_id"].split(".")[0])
            categories.setdefault(category, []).append(finding)
    lines = [
        f"# Audit of {_escape(data['subject'])}",
        "",
        f"Started {data['started_at']}, finished {data['finished_at']}; "
        f"candidate-auditor {data['tool_version']}, report schema {data['schema_version']}.",
        "",
    ]
    if data["masked"]:
        lines += ["Personal details (home address, phones, emails) are shown as [hidden].", ""]
    for problem in data["problems"]:
        lines.append(f"> Problem: {_escape(problem)}")
    for category in sorted(categories):
        findings = sorted(
            categories[category],
            key=lambda f: (STATUS_ORDER.index(str(f["status"])),
                           SEVERITY_ORDER.index(str(f["severity"]))),
        )  # fmt: skip
        lines += [f"## {category.capitalize()}", ""]
        for f in findings:
            title = titles.get(str(f["check_id"]), str(f["check_id"]))
            label = STATUS_LABEL[str(f["status"])]
            lines.append(
                f"- **{label}** ({f['severity']}) {_escape(str(f['message']))}  \n"
                f"  {_escape(title)} — `{f['check_id']}` on {_escape(str(f['target']))}"
            )
            for evidence in f["evidence"]:  # type: ignore[attr-defined]
                where = _escape(str(evidence["location"]))
                snippet = _escape(str(evidence["snippet"]))[:300]
                lines.append(
                    f"  - {evidence['source']} at {where}" + (f": {snippet}" if snippet else "")
                )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def status_label(finding: Finding) -> str:
    return STATUS_LABEL[finding.status.value] if finding.status in Status else "?"
