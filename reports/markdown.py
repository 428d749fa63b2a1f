"""The Markdown report: the checklist first (what to do, in order, and why), then scores,
what could not be checked, and every finding with its evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditor.checklist import Checklist, ChecklistItem, ItemStatus
from auditor.model import Report
from reports.view import (
    ITEM_STATUS_LABEL,
    MASKED_NOTE,
    MAX_FINDINGS_PER_ITEM,
    STATUS_LABEL,
    AuditView,
    area_title,
    clean,
    effort,
    percent,
    safe_url,
    shorten,
    shown_findings,
    when,
)

if TYPE_CHECKING:
    from auditor.changes import AuditDiff

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


def render(
    report: Report,
    checklist: Checklist | None = None,
    *,
    reveal: bool = False,
    changes: AuditDiff | None = None,
) -> str:
    view = AuditView.of(report, checklist, reveal=reveal, changes=changes)
    shown = view.report
    lines = [
        f"# Candidate Auditor report: {_escape(shown.subject)}",
        "",
        f"Audit of {when(shown.started_at)} (finished {when(shown.finished_at)}); "
        f"candidate-auditor {_escape(shown.tool_version)}, report schema "
        f"{_escape(shown.schema_version)}.",
        "",
    ]
    if view.masked:
        lines += [MASKED_NOTE, ""]
    for problem in shown.problems:
        lines.append(f"> Problem: {_escape(problem)}")
    if shown.problems:
        lines.append("")
    if view.checklist is not None:
        lines += _scores(view.checklist)
        lines += _checklist(view)
    lines += _not_checked(view)
    lines += _findings(view)
    return "\n".join(lines).rstrip() + "\n"


def _scores(checklist: Checklist) -> list[str]:
    o = checklist.overall
    lines = [f"**Overall: {percent(o)} of checks passed** ({o.passed} passed, "
             f"{o.warned} with warnings, {o.failed} failed; {o.not_checked} could not be "
             f"checked, {o.to_answer} waiting for your answer).", ""]  # fmt: skip
    if checklist.scores:
        lines += [
            "| Area | Score | Passed | Warnings | Failed | Not checked | To answer |",
            "|---|---|---|---|---|---|---|",
        ]
        for s in checklist.scores:
            lines.append(
                f"| {_escape(area_title(s.category))} | {percent(s)} | {s.passed} | "
                f"{s.warned} | {s.failed} | {s.not_checked} | {s.to_answer} |"
            )
        lines.append("")
    return lines


def _checklist(view: AuditView) -> list[str]:
    lines = ["## What to do", ""]
    groups = view.groups()
    if not groups:
        return [*lines, "Nothing to do: no problems were found.", ""]
    for group, items in groups:
        lines += [f"### {_escape(group.label)}", ""]
        for item in items:
            lines += _item(item)
    return lines


def _item(item: ChecklistItem) -> list[str]:
    status = item.status
    action = item.action
    settled = status in (ItemStatus.DONE, ItemStatus.VERIFIED)
    box = "[x]" if settled else "[ ]"
    title = f"**{_escape(action.title)}**"
    if status is ItemStatus.DISMISSED:
        title = f"~~{title}~~"
    label = "" if status is ItemStatus.OPEN else f" — {ITEM_STATUS_LABEL[status]}"
    lines = [
        f"- {box} {title}{label}  ",
        f"  {_escape(action.why)}  ",
        f"  Who: {_escape(action.who)}, {effort(action.effort_minutes)}.",
        "",
    ]
    if item.ticked_but_still_found:
        lines += ["  *You ticked this, but this audit still found it.*", ""]
    if status is ItemStatus.VERIFIED and item.verified:
        lines += [f"  Verified by the audit of {when(item.verified.at)}.", ""]
    if item.dismissed_findings:
        count = len(item.dismissed_findings)
        lines += [f"  You dismissed {count} finding{'s' if count > 1 else ''} behind this.", ""]
    lines += [f"  {n}. {_escape(step)}" for n, step in enumerate(action.steps, 1)]
    lines.append("")
    found = shown_findings(item)
    if found:
        lines.append(f"  Found ({len(found)}):")
        for f in found[:MAX_FINDINGS_PER_ITEM]:
            where = f" — {_escape(f.location)}" if f.location else ""
            lines.append(f"  - {STATUS_LABEL[f.status]}: {_escape(f.message)}{where}")
        if len(found) > MAX_FINDINGS_PER_ITEM:
            lines.append(f"  - and {len(found) - MAX_FINDINGS_PER_ITEM} more (see below)")
        lines.append("")
    if item.questions:
        lines.append("  Questions to answer:")
        for q in item.questions:
            answer = f" — your answer: {_escape(q.answer)}" if q.answer else ""
            lines.append(f"  - {_escape(q.text)}{answer}")
        lines.append("")
    links = ", ".join(_link(link.title, link.url) for link in item.links)
    lines += [f"  Official guidance: {links}", ""]
    return lines


def _not_checked(view: AuditView) -> list[str]:
    missing = view.not_checked()
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
            f"- {_escape(view.title(f.check_id))} on {_escape(f.target)}: {_escape(f.message)}"
        )
    return [*lines, ""]


def _findings(view: AuditView) -> list[str]:
    lines = ["## All findings", ""]
    for category, findings in view.findings_by_category():
        lines += [f"### {_escape(area_title(category))}", ""]
        for f in findings:
            lines.append(
                f"- **{STATUS_LABEL[f.status]}** ({f.severity.value}) {_escape(f.message)}  \n"
                f"  {_escape(view.title(f.check_id))} — {_escape(f.check_id)} on "
                f"{_escape(f.target)}"
            )
            for evidence in f.evidence:
                where = _escape(evidence.location)
                snippet = _escape(shorten(clean(evidence.snippet)))
                lines.append(
                    f"  - {_escape(evidence.source)} at {where}"
                    + (f": {snippet}" if snippet else "")
                )
        lines.append("")
    return lines
