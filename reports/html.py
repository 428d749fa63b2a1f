"""The HTML report: one self-contained, printable page (no scripts, no external assets).

Made to be printed for a police briefing or handed to an agent: all CSS inline, a print
stylesheet with page breaks between sections, and meaning carried by words and borders
rather than colour, so it reads the same in black and white. Every string that came from
outside (TXT records, page titles, snippets, even check ids from plugins) goes through
``html.escape`` after control characters are neutralised.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from auditor.checklist import Checklist, ChecklistItem, ItemStatus
from auditor.model import Report
from auditor.scores import AreaScore
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

_CSS = """
:root { color-scheme: light; }
body { font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       color: #111; background: #fff; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.3rem; border-bottom: 2px solid #111; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1.1rem; margin-top: 1.5rem; }
.meta, .note { color: #333; font-size: .9rem; }
.note { border-left: 4px solid #111; padding: .3rem .7rem; background: #f3f3f3; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border: 1px solid #555; padding: .25rem .5rem; text-align: left; }
th { background: #e8e8e8; }
.item { border: 1px solid #555; border-left-width: 6px; padding: .5rem .9rem; margin: .8rem 0; }
.item h4 { margin: .1rem 0 .3rem; font-size: 1rem; }
.item.critical { border-left-style: double; border-left-width: 9px; }
.item.dismissed, .item.verified, .item.done { border-style: dashed; }
.tag { display: inline-block; border: 1px solid #111; border-radius: 3px; padding: 0 .35rem;
       font-size: .75rem; font-weight: 600; text-transform: uppercase; letter-spacing: .03em;
       margin-right: .3rem; }
.box { font-family: ui-monospace, monospace; margin-right: .3rem; }
.found li, .evidence li { font-size: .9rem; }
code, .snippet { font-family: ui-monospace, "Cascadia Mono", Menlo, monospace; font-size: .85rem;
                 overflow-wrap: anywhere; }
.snippet { display: block; white-space: pre-wrap; background: #f6f6f6; border: 1px solid #ccc;
           padding: .2rem .4rem; margin-top: .15rem; }
.finding { margin: .5rem 0; break-inside: avoid; page-break-inside: avoid; }
a { color: #0b3d91; }
@page { size: A4; margin: 14mm 13mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  #findings { break-before: page; }
  a { color: #000; text-decoration: underline; }
  a[href]::after { content: " (" attr(href) ")"; font-size: 8pt; overflow-wrap: anywhere; }
  .note, th, .snippet { background: none; }
}
"""


def _e(text: object) -> str:
    """Escape attacker-controlled text for HTML body and attribute contexts."""
    return html.escape(clean(text), quote=True)


def _link(title: str, url: str) -> str:
    safe = safe_url(url)
    if safe is None:
        return f"{_e(title)}: <code>{_e(url)}</code>"
    return f'<a href="{_e(safe)}">{_e(title)}</a>'


def render(
    report: Report,
    checklist: Checklist | None = None,
    *,
    reveal: bool = False,
    changes: AuditDiff | None = None,
) -> str:
    view = AuditView.of(report, checklist, reveal=reveal, changes=changes)
    shown = view.report
    out = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        f"<title>Candidate Auditor report: {_e(shown.subject)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>Candidate Auditor report: {_e(shown.subject)}</h1>",
        f'<p class="meta">Audit of {_e(when(shown.started_at))} (finished '
        f"{_e(when(shown.finished_at))}); candidate-auditor {_e(shown.tool_version)}, "
        f"report schema {_e(shown.schema_version)}.</p>",
    ]
    if view.masked:
        out.append(f'<p class="note">{_e(MASKED_NOTE)}</p>')
    out += [f'<p class="note">Problem: {_e(p)}</p>' for p in shown.problems]
    out.append("</header>")
    if view.checklist is not None:
        out += _checklist(view, view.checklist)
    out += _not_checked(view)
    out += _findings(view)
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _scores(checklist: Checklist) -> list[str]:
    o = checklist.overall
    out = [
        f"<p><strong>Overall: {percent(o)} of checks passed</strong> "
        f"({o.passed} passed, {o.warned} with warnings, {o.failed} "
        f"failed; {o.not_checked} could not be checked, {o.to_answer} waiting "
        "for your answer).</p>"
    ]
    if checklist.scores:
        out.append(
            "<table><thead><tr><th>Area</th><th>Score</th><th>Passed</th><th>Warnings</th>"
            "<th>Failed</th><th>Not checked</th><th>To answer</th></tr></thead><tbody>"
        )
        for s in checklist.scores:
            out.append(_score_row(s))
        out.append("</tbody></table>")
    return out


def _score_row(s: AreaScore) -> str:
    return (
        f"<tr><td>{_e(area_title(s.category))}</td><td>{percent(s)}</td>"
        f"<td>{s.passed}</td><td>{s.warned}</td><td>{s.failed}</td>"
        f"<td>{s.not_checked}</td><td>{s.to_answer}</td></tr>"
    )


def _checklist(view: AuditView, checklist: Checklist) -> list[str]:
    out = ['<section id="checklist">', "<h2>What to do</h2>", *_scores(checklist)]
    groups = view.groups()
    if not groups:
        out.append("<p>Nothing to do: no problems were found.</p>")
    for group, items in groups:
        out.append(f"<h3>{_e(group.label)}</h3>")
        for item in items:
            out += _item(item)
    out.append("</section>")
    return out


def _item(item: ChecklistItem) -> list[str]:
    status = item.status
    action = item.action
    box = "[x]" if status in (ItemStatus.DONE, ItemStatus.VERIFIED) else "[&nbsp;]"
    classes = " ".join(c for c in ("item", item.severity.value, status.value) if c)
    tags = f'<span class="tag">{_e(item.severity.value)}</span>'
    if status is not ItemStatus.OPEN:
        tags += f'<span class="tag">{_e(ITEM_STATUS_LABEL[status])}</span>'
    title = _e(action.title)
    if status is ItemStatus.DISMISSED:
        title = f"<s>{title}</s>"
    out = [
        f'<div class="{_e(classes)}" id="action-{_e(item.id)}">',
        f'<h4><span class="box">{box}</span>{tags}{title}</h4>',
        f"<p>{_e(action.why)}</p>",
        f"<p><strong>Who:</strong> {_e(action.who)}, {_e(effort(action.effort_minutes))}.</p>",
    ]
    if item.ticked_but_still_found:
        out.append("<p><em>You ticked this, but this audit still found it.</em></p>")
    if status is ItemStatus.VERIFIED and item.verified:
        out.append(f"<p>Verified by the audit of {_e(when(item.verified.at))}.</p>")
    if item.dismissed_findings:
        count = len(item.dismissed_findings)
        out.append(f"<p>You dismissed {count} finding{'s' if count > 1 else ''} behind this.</p>")
    out.append("<ol>" + "".join(f"<li>{_e(step)}</li>" for step in action.steps) + "</ol>")
    found = shown_findings(item)
    if found:
        out.append(f'<p><strong>Found ({len(found)}):</strong></p><ul class="found">')
        for f in found[:MAX_FINDINGS_PER_ITEM]:
            where = f" — <code>{_e(f.location)}</code>" if f.location else ""
            out.append(f"<li>{_e(STATUS_LABEL[f.status])}: {_e(f.message)}{where}</li>")
        if len(found) > MAX_FINDINGS_PER_ITEM:
            out.append(f"<li>and {len(found) - MAX_FINDINGS_PER_ITEM} more (see below)</li>")
        out.append("</ul>")
    if item.questions:
        out.append("<p><strong>Questions to answer:</strong></p><ul>")
        for q in item.questions:
            answer = f" — your answer: {_e(q.answer)}" if q.answer else ""
            out.append(f"<li>{_e(q.text)}{answer}</li>")
        out.append("</ul>")
    links = ", ".join(_link(link.title, link.url) for link in item.links)
    out += [f"<p><strong>Official guidance:</strong> {links}</p>", "</div>"]
    return out


def _not_checked(view: AuditView) -> list[str]:
    missing = view.not_checked()
    if not missing:
        return []
    out = [
        '<section id="not-checked">',
        "<h2>Could not check</h2>",
        "<p>These were not checked, so they are neither passes nor problems. Run the audit "
        "again later; if it keeps happening, the reason is given.</p>",
        "<ul>",
    ]
    for f in missing:
        out.append(f"<li>{_e(view.title(f.check_id))} on {_e(f.target)}: {_e(f.message)}</li>")
    return [*out, "</ul>", "</section>"]


def _findings(view: AuditView) -> list[str]:
    out = ['<section id="findings">', "<h2>All findings</h2>"]
    for category, findings in view.findings_by_category():
        out.append(f"<h3>{_e(area_title(category))}</h3>")
        for f in findings:
            out += [
                '<div class="finding">',
                f'<p><span class="tag">{_e(STATUS_LABEL[f.status])}</span>'
                f'<span class="tag">{_e(f.severity.value)}</span>{_e(f.message)}<br>',
                f'<span class="meta">{_e(view.title(f.check_id))} — '
                f"<code>{_e(f.check_id)}</code> on {_e(f.target)}</span></p>",
            ]
            if f.evidence:
                out.append('<ul class="evidence">')
                for ev in f.evidence:
                    snippet = shorten(clean(ev.snippet))
                    out.append(
                        f"<li>{_e(ev.source)} at <code>{_e(ev.location)}</code>"
                        + (f'<span class="snippet">{_e(snippet)}</span>' if snippet else "")
                        + "</li>"
                    )
                out.append("</ul>")
            out.append("</div>")
    out.append("</section>")
    return out
