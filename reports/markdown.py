"""The Markdown report: the checklist first (what to do, in order, and why), then scores,
what could not be checked, and every finding with its evidence."""

from __future__ import annotations

from typing import Any

from auditor.checklist import Checklist
from auditor.model import Finding, Report, Status
from reports.json_report import report_dict
from reports.view import (
    ITEM_STATUS_LABEL,
    MASKED_NOTE,
    MAX_FINDINGS_PER_ITEM,
    STATUS_LABEL,
    View,
    area_title,
    clean,
    effort,
    percent,
    safe_url,
    shorten,
    when,
)

_MARKDOWN_SPECIAL = "\\`*_{}[]<>|~"


def _escape(text: object) -> str:
    # Attacker-controlled text (TXT records, page titles) must not become Markdown or HTML.
    cleaned = clean(text)
    for char in _MARKDOWN_SPECIAL:
        cleaned = cleaned.replace(char, "\\" + char)
    return cleaned


def _link(title: str, url: str) -> str:
    safe = safe_url(url)
    return f"[{_escape(title)}](<{safe}>)" if safe else f"{_escape(title)}: {_escape(url)}"


def render(report: Report, *, reveal: bool = False, checklist: Checklist | None = None) -> str:
    view = View.of(report_dict(report, reveal=reveal, checklist=checklist))
    data = view.data
    lines = [
        f"# Candidate Auditor report: {_escape(data['subject'])}",
        "",
        f"Audit of {when(data['started_at'])} (finished {when(data['finished_at'])}); "
        f"candidate-auditor {_escape(data['tool_version'])}, report schema "
        f"{_escape(data['schema_version'])}.",
        "",
    ]
    if data["masked"]:
        lines += [MASKED_NOTE, ""]
    for problem in data["problems"]:
        lines.append(f"> Problem: {_escape(problem)}")
    if data["problems"]:
        lines.append("")
    if view.checklist is not None:
        lines += _scores(view.checklist)
        lines += _checklist(view)
    lines += _not_checked(view)
    lines += _findings(view)
    return "\n".join(lines).rstrip() + "\n"


def _scores(checklist: dict[str, Any]) -> list[str]:
    overall = checklist["overall"]
    lines = [f"**Overall: {percent(overall)} of checks passed** ({overall['passed']} passed, "
             f"{overall['warned']} with warnings, {overall['failed']} failed; "
             f"{overall['not_checked']} could not be checked, {overall['to_answer']} "
             f"waiting for your answer).", ""]  # fmt: skip
    if checklist["scores"]:
        lines += [
            "| Area | Score | Passed | Warnings | Failed | Not checked | To answer |",
            "|---|---|---|---|---|---|---|",
        ]
        for s in checklist["scores"]:
            lines.append(
                f"| {_escape(area_title(s['category']))} | {percent(s)} | {s['passed']} | "
                f"{s['warned']} | {s['failed']} | {s['not_checked']} | {s['to_answer']} |"
            )
        lines.append("")
    return lines


def _checklist(view: View) -> list[str]:
    lines = ["## What to do", ""]
    groups = view.groups()
    if not groups:
        return [*lines, "Nothing to do: no problems were found.", ""]
    for title, items in groups:
        lines += [f"### {_escape(title)}", ""]
        for item in items:
            lines += _item(item, view)
    return lines


def _item(item: dict[str, Any], view: View) -> list[str]:
    status = item["status"]
    box = "[x]" if status in ("done", "verified") else "[ ]"
    title = f"**{_escape(item['title'])}**"
    if status == "dismissed":
        title = f"~~{title}~~"
    label = "" if status == "open" else f" — {ITEM_STATUS_LABEL[status]}"
    lines = [
        f"- {box} {title}{label}  ",
        f"  {_escape(item['why'])}  ",
        f"  Who: {_escape(item['who'])}, {effort(item['effort_minutes'])}.",
        "",
    ]
    if status == "done" and item["findings"]:
        lines += ["  *You ticked this, but this audit still found it.*", ""]
    if status == "verified" and item["verified"]:
        lines += [f"  Verified by the audit of {when(item['verified']['at'])}.", ""]
    if item["dismissed_findings"]:
        count = len(item["dismissed_findings"])
        lines += [f"  You dismissed {count} finding{'s' if count > 1 else ''} behind this.", ""]
    lines += [f"  {n}. {_escape(step)}" for n, step in enumerate(item["steps"], 1)]
    lines.append("")
    found = [view.findings[fp] for fp in item["findings"] if fp in view.findings]
    found = [f for f in found if f["status"] != "manual"]
    if found:
        lines.append(f"  Found ({len(found)}):")
        for f in found[:MAX_FINDINGS_PER_ITEM]:
            where = f" — {_escape(f['location'])}" if f["location"] else ""
            lines.append(f"  - {STATUS_LABEL[f['status']]}: {_escape(f['message'])}{where}")
        if len(found) > MAX_FINDINGS_PER_ITEM:
            lines.append(f"  - and {len(found) - MAX_FINDINGS_PER_ITEM} more (see below)")
        lines.append("")
    if item["questions"]:
        lines.append("  Questions to answer:")
        for q in item["questions"]:
            answer = f" — your answer: {_escape(q['answer'])}" if q["answer"] else ""
            lines.append(f"  - {_escape(q['text'])}{answer}")
        lines.append("")
    links = ", ".join(_link(link["title"], link["url"]) for link in item["links"])
    lines += [f"  Official guidance: {links}", ""]
    return lines


def _not_checked(view: View) -> list[str]:
    missing = [f for f in view.findings.values() if f["status"] in ("error", "timeout", "skipped")]
    if not missing:
        return []
    lines = [
        "## Could not check",
        "",
        "These were not checked, so they are neither passes nor problems. "
        "Run the audit again later; if it keeps happening, the reason is given.",
        "",
    ]
    for f in missing:
        lines.append(
            f"- {_escape(view.title(f['check_id']))} on {_escape(f['target'])}: "
            f"{_escape(f['message'])}"
        )
    return [*lines, ""]


def _findings(view: View) -> list[str]:
    lines = ["## All findings", ""]
    for category, findings in view.findings_by_category():
        lines += [f"### {_escape(area_title(category))}", ""]
        for f in findings:
            lines.append(
                f"- **{STATUS_LABEL[f['status']]}** ({f['severity']}) {_escape(f['message'])}  \n"
                f"  {_escape(view.title(f['check_id']))} — {_escape(f['check_id'])} on "
                f"{_escape(f['target'])}"
            )
            for evidence in f["evidence"]:
                where = _escape(evidence["location"])
                snippet = _escape(shorten(clean(evidence["snippet"])))
                lines.append(
                    f"  - {_escape(evidence['source'])} at {where}"
                    + (f": {snippet}" if snippet else "")
                )
        lines.append("")
    return lines


def status_label(finding: Finding) -> str:
    return STATUS_LABEL[finding.status.value] if finding.status in Status else "?"
