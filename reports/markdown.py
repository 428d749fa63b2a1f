"""The Markdown report: the summary as text first (the state in words, a grade per area in a
table, the three things to do today, what could not be checked and what changed since the
last audit), then the checklist (what to do, in order, and why), what could not be checked,
and every finding with its evidence. Reads well in a terminal or pasted into an email."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditor.checklist import Checklist, ChecklistItem, ItemStatus
from auditor.model import Report
from auditor.outage import ADVICE
from auditor.scores import SCORE_RULE, overall_in_words, plural, unchecked_in_words
from auditor.wording import (
    DETAILS_HEADING,
    URGENCY_CAPTION,
    URGENCY_WORDS,
    details_for_volunteer,
    evidence_in_words,
    status_tag,
    urgency_in_words,
)
from reports.view import (
    GRADE_RULE,
    MASKED_NOTE,
    MAX_FINDINGS_PER_ITEM,
    AuditView,
    ChangeCounts,
    Summary,
    area_title,
    clean,
    effort,
    safe_url,
    shorten,
    shown_findings,
    summarise,
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
    lines += _summary(summarise(view))
    lines += _scores(view)
    if view.checklist is not None:
        lines += _checklist(view)
    lines += _not_checked(view)
    lines += _findings(view)
    return "\n".join(lines).rstrip() + "\n"


def _summary(summary: Summary) -> list[str]:
    lines = ["## Summary", "", f"**{summary.grade.symbol} {_escape(summary.headline)}**", ""]
    if summary.detail:
        lines += [_escape(summary.detail), ""]
    lines += [
        f"| Area | Grade | Open problems ({URGENCY_CAPTION}) | Score: checks |",
        "|---|---|---|---|",
    ]
    for area in summary.areas:
        lines.append(
            f"| {_escape(area.title)} | {area.grade.symbol} {area.grade.label} | "
            f"{_escape(area.problems_in_words())} | {_escape(area.checks_in_words())} |"
        )
    lines += ["", _escape(GRADE_RULE), ""]
    if summary.first_actions:
        lines += [f"### {_escape(summary.first_actions_heading)}", ""]
        for n, item in enumerate(summary.first_actions, 1):
            lines.append(
                f"{n}. **{_escape(item.action.title)}** ({URGENCY_WORDS[item.severity]}): "
                f"{_escape(item.action.who)}, {effort(item.action.effort_minutes)}"
            )
        if summary.more_actions:
            lines += ["", f"{_escape(summary.more_actions)}."]
        lines.append("")
    if summary.not_checked_total:
        lines += ["### What could not be checked", "",
                  f"{_escape(summary.not_checked_words)}; what could not run is neither a pass "
                  "nor a problem.", ""]  # fmt: skip
        if summary.outage:
            lines += [f"**{_escape(summary.outage)}** {_escape(ADVICE)}", ""]
        for missing in summary.not_checked:
            partly = " (partly checked)" if missing.partly else ""
            reason = f": {_escape(missing.reason)}" if missing.reason else ""
            lines.append(f"- {_escape(missing.title)} on {_escape(missing.target)}{partly}{reason}")
        if summary.not_checked_rest > 0:
            lines.append(f"- and {summary.not_checked_rest} more, listed under Could not check")
        if summary.not_checked or summary.not_checked_rest > 0:
            lines.append("")
    if summary.changes is not None:
        lines += _changes(summary.changes)
    return lines


CHANGE_BAR_WIDTH = 30


def _changes(changes: ChangeCounts) -> list[str]:
    rows = [("Fixed", changes.fixed), ("New", changes.new), ("Still open", changes.still_open),
            ("Not rechecked", changes.not_rechecked)]  # fmt: skip
    widest = max(count for _, count in rows) or 1
    words = ", ".join(f"{count} {label.lower()}" for label, count in rows)
    lines = ["### Since the previous audit", "", f"{words}.", "", "```"]
    for label, count in rows:
        bar = "#" * round(CHANGE_BAR_WIDTH * count / widest)
        lines.append(f"{label:<14}{bar} {count}".rstrip())
    return [*lines, "```", ""]


def _scores(view: AuditView) -> list[str]:
    # Each area's counts are in the summary's table; this is the audit's total, and the rule.
    return [f"**{_escape(overall_in_words(view.counts.overall))}**", "",
            _escape(SCORE_RULE), ""]  # fmt: skip


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
    label = "" if status is ItemStatus.OPEN else f" — {status.label}"
    lines = [
        f"- {box} {title}{label}  ",
        f"  {_escape(action.why)}  ",
        f"  Who: {_escape(action.who)}, {effort(action.effort_minutes)}.  ",
        f"  When done: `auditor report --tick {item.id}`",
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
            lines.append(f"  - {status_tag(f.status)}: {_escape(f.message)}{where}")
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
    counts = view.counts
    if not counts.unchecked:
        return []
    lines = [
        "## Could not check",
        "",
        f"{_escape(unchecked_in_words(counts))}. What could not run is neither a pass "
        "nor a problem. Run the audit again later; if it keeps happening, the reason is given.",
        "",
    ]
    if counts.outage is not None:
        lines += [f"**{_escape(counts.outage.headline)}** {_escape(ADVICE)}", "",
                  "Because of it, these could not be checked (each one's technical details "
                  "are in the JSON and CSV reports):", ""]  # fmt: skip
        lines += [f"- {_escape(view.title(u.check_id))} on {_escape(u.target)}"
                  + (" (partly)" if u.partly else "") for u in counts.under_outage]  # fmt: skip
        if counts.other_unchecked:
            lines += ["", "For other reasons:", ""]
    for u in counts.other_unchecked:
        partly = " (partly checked: the problems found are listed above)" if u.partly else ""
        lines.append(f"- {_escape(view.title(u.check_id))} on {_escape(u.target)}{partly}:")
        lines += [f"  - {_escape(f.message)}" for f in u.reasons]
    return [*lines, ""]


def _findings(view: AuditView) -> list[str]:
    lines = ["## All findings", ""]
    offline = len(view.offline_fingerprints)
    if offline:
        lines += [f"{plural(offline, 'finding')} that could not be checked for lack of a network "
                  "are left out here: they are listed under Could not check, and each one's "
                  "technical details are in the JSON and CSV reports.", ""]  # fmt: skip
    for category, findings in view.findings_by_category():
        lines += [f"### {_escape(area_title(category))}", ""]
        for f in findings:
            # As the app's detail pane says it: the plain words first, the labels last.
            words = urgency_in_words(f.severity, f.confidence, problem=f.status.is_problem)
            lines.append(
                f"- **{status_tag(f.status)}** {_escape(f.message)}  \n"
                f"  {_escape(words)}  \n"
                f"  {_escape(view.title(f.check_id))}, on {_escape(f.target)}"
            )
            for evidence in f.evidence:
                snippet = _escape(shorten(clean(evidence.snippet)))
                seen = _escape(evidence_in_words(evidence.source, evidence.location))
                lines.append(f"  - Seen in {seen}" + (f": {snippet}" if snippet else ""))
            details = details_for_volunteer(f.check_id, f.severity, f.confidence, f.fingerprint)
            lines.append(f"  - {DETAILS_HEADING}: {_escape('; '.join(details))}")
        lines.append("")
    return lines
