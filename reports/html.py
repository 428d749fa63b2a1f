"""The HTML report: one self-contained page to read on a screen, print on A4 or hand over.

Page one is the summary (reports/html_summary.py); then the checklist as a document, grouped
Do today / Before nomination papers / This week / Keep doing, each action with the findings
that led to it and their evidence folded under it; then what could not be checked and what
passed. No scripts and nothing from the network (a strict Content-Security-Policy says so to
the browser too); severity is a coloured label whose word carries the meaning, so it reads
the same in black and white. Every string from outside (TXT records, page titles, snippets,
even check ids from plugins) goes through ``html.escape`` after control characters are
neutralised.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from auditor.checklist import Checklist, ChecklistItem, ItemStatus
from auditor.model import Finding, Report, Status
from auditor.outage import ADVICE
from auditor.scores import unchecked_in_words
from auditor.wording import (
    DETAILS_HEADING,
    SURENESS_WORDS,
    details_for_volunteer,
    evidence_parts,
    status_tag,
)
from reports.html_summary import SEVERITY_STYLE, severity_tag, summary_section
from reports.view import (
    MASKED_NOTE,
    AuditView,
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

CSP = "default-src 'none'; style-src 'unsafe-inline'"
# On paper each finding's technical details are left out (they would add pages a candidate
# does not read); the page on screen shows them under every finding. Said on paper at the
# end (page one is the summary's, and full; page two starts with the checklist).
PRINT_NOTE = (
    "This printed copy leaves out the details for your IT volunteer (check ids, severity and "
    "confidence labels, fingerprints): the report on screen shows them under each finding, "
    "and the JSON and CSV reports hold them too."
)
MAX_EVIDENCE_SNIPPET = 200

_SEVERITY_CSS = "\n".join(
    f".sev-{s.value} {{ background: {colour}; border-color: {colour}; }}\n"
    f".item.sev-{s.value} {{ border-left-color: {colour}; background: #fff; }}"
    for s, (colour, _) in SEVERITY_STYLE.items()
)

CSS = (
    """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 1rem/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       color: #111; background: #fff; margin: 0; overflow-wrap: anywhere; }
.layout { display: grid; grid-template-columns: 14rem minmax(0, 1fr); gap: 2.5rem;
          max-width: 86rem; margin: 0 auto; padding: 1.5rem 2rem 3rem; }
nav.contents { position: sticky; top: 1rem; align-self: start; font-size: .9rem;
               border-right: 1px solid #bbb; padding-right: 1rem; }
nav.contents ul { list-style: none; padding: 0; margin: .3rem 0; }
nav.contents li { margin: .25rem 0; }
nav.contents li li { padding-left: .8rem; }
main { min-width: 0; }
h1 { font-size: 1.7rem; margin: 0 0 .2rem; }
h2 { font-size: 1.35rem; border-bottom: 2px solid #111; padding-bottom: .15rem;
     margin: 2rem 0 .8rem; }
h3 { font-size: 1.1rem; margin: 1.2rem 0 .4rem; }
.meta, .note, .rule { color: #333; font-size: .88rem; }
.note { border-left: 4px solid #111; padding: .3rem .7rem; background: #f3f3f3; margin: .5rem 0; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
/* A table wider than a phone scrolls within itself, never the page */
.table-scroll { overflow-x: auto; max-width: 100%; }
th, td { border: 1px solid #777; padding: .25rem .45rem; text-align: left; vertical-align: top; }
thead th { background: #e8e8e8; }
a { color: #0b3d91; }
code, .snippet { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: .82rem;
                 overflow-wrap: anywhere; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
                   clip: rect(0 0 0 0); white-space: nowrap; }

/* The summary */
.summary h2 { margin-top: 1rem; }
.state { display: flex; gap: 1rem; align-items: center; border: 2px solid #111;
         border-left-width: 10px; padding: .6rem 1rem; margin: .6rem 0 1rem; }
.state p { margin: .15rem 0; }
.state .headline { font-size: 1.25rem; font-weight: 700; }
.grade-symbol { font-size: 2.2rem; line-height: 1; }
.summary-grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0 2rem; }
.grades { overflow-wrap: break-word; }  /* our own words: break between them, not inside */
.grade { white-space: nowrap; font-weight: 600; }
.grade-act-now { border-left-color: #8b1a1a; } td.grade-act-now { color: #8b1a1a; }
.grade-improve { border-left-color: #b7791f; } td.grade-improve { color: #7a4f0e; }
.grade-good { border-left-color: #2f855a; } td.grade-good { color: #22643f; }
.grade-not-checked { border-left-color: #718096; border-left-style: dashed; }
.chart { margin: .8rem 0 0; }
.chart-row { align-items: start; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); }
.chart-row .rule { margin-top: 1rem; }
.chart svg { max-width: 100%; height: auto; display: block; }
.chart figcaption { font-size: .8rem; color: #333; }
.bar-label, .legend { font: 13px system-ui, Arial, sans-serif; fill: #111; }
.bar-total { font: 600 13px system-ui, Arial, sans-serif; fill: #111; }
.bar-count { font: 700 12px system-ui, Arial, sans-serif; fill: #000; stroke: #fff;
             stroke-width: 3px; paint-order: stroke; }
.first-actions { padding-left: 1.3rem; margin: .3rem 0; }
.first-actions li { margin: .35rem 0; }
.not-checked { padding-left: 1.1rem; font-size: .88rem; margin: .3rem 0; }
.changes svg { display: block; max-width: 100%; height: auto; }
/* What changed since the previous audit: the words, and the chart beside them */
.changes { display: grid; grid-template-columns: minmax(0, max-content) auto; column-gap: 3rem;
           justify-content: start; align-items: start; }
.changes h3, .changes p { grid-column: 1; }
.changes svg { grid-column: 2; grid-row: 1 / span 2; align-self: center; margin-top: .6rem; }

/* Severity: a label whose word carries the meaning; the colour only adds */
.sev { display: inline-block; border: 1px solid #111; border-radius: 3px; padding: 0 .35rem;
       font-size: .78rem; font-weight: 700; letter-spacing: .02em; white-space: nowrap;
       color: #fff; vertical-align: .1em; }
.tag { display: inline-block; border: 1px solid #111; border-radius: 3px; padding: 0 .35rem;
       font-size: .72rem; font-weight: 600; text-transform: uppercase; letter-spacing: .03em;
       margin-right: .3rem; vertical-align: .1em; }

/* The checklist */
.group-intro { margin: .2rem 0 .6rem; }
.item { border: 1px solid #777; border-left: 8px solid #777; padding: .5rem .9rem .6rem;
        margin: .7rem 0; }
.item h4 { margin: .1rem 0 .35rem; font-size: 1.02rem; }
.item .number { font-weight: 700; margin-right: .3rem; }
.item p { margin: .3rem 0; }
.item-body { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0 1.5rem; }
.item-body ol { margin: .3rem 0; padding-left: 1.3rem; }
.item.done, .item.verified, .item.dismissed { border-style: dashed; }
.found { list-style: none; padding: 0; margin: .2rem 0; font-size: .88rem; }
.found > li { margin: 0 0 .45rem; padding-left: .6rem; border-left: 3px solid #bbb;
              break-inside: avoid; }
.found.many { columns: 2; column-gap: 1.5rem; }
.evidence { display: block; color: #333; font-size: .8rem; }
.details { display: block; color: #555; font-size: .75rem; overflow-wrap: anywhere; }
.print-only { display: none; }
.snippet { display: block; white-space: pre-wrap; background: #f6f6f6; border: 1px solid #ccc;
           padding: .1rem .35rem; margin-top: .1rem; }
.guidance { font-size: .88rem; }
.unchecked { padding-left: 1.1rem; }
.outage { border: 2px solid #111; padding: .3rem .6rem; }
.tick { font-size: .85rem; margin-top: 0; }
.unchecked > li { margin: .3rem 0; }
.overall { font-weight: 600; }
.passed { table-layout: fixed; }
.passed .col-check { width: 31%; } .passed .col-found { width: 39%; }
.passed .col-evidence { width: 30%; }
.passed tr.area th { background: #f3f3f3; border-top: 2px solid #111; }
"""
    + _SEVERITY_CSS
    + """
/* The briefing: the summary alone, large enough for a projector */
@media screen { html.briefing { font-size: 18px; } }
.briefing main { max-width: 72rem; margin: 0 auto; padding: 1.5rem 2rem 2rem; }
/* On a wide screen (a projector) the briefing is one screenful: the state across the top,
   the grades and chart on the left, what to do first and what could not be checked on the
   right */
@media screen and (min-width: 70rem) {
  .briefing .summary { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
                       column-gap: 2.5rem; align-items: start; }
  .briefing .summary > * { grid-column: 1; }
  .briefing .summary > h2, .briefing .summary > .state { grid-column: 1 / -1; }
  .briefing .summary > .summary-grid:not(.chart-row) { grid-column: 2; grid-row: 3 / span 4;
                                                       grid-template-columns: minmax(0, 1fr); }
  .briefing .summary > .summary-grid:not(.chart-row) h3 { margin-top: 1.2rem; }
  .briefing main { max-width: 110rem; }
}
@media screen and (max-width: 60rem) {
  .layout { grid-template-columns: minmax(0, 1fr); padding: 1rem; }
  nav.contents { position: static; border-right: none; border-bottom: 1px solid #bbb; }
  .summary-grid, .item-body { grid-template-columns: minmax(0, 1fr); }
  .passed { min-width: 34rem; }
  .changes { grid-template-columns: minmax(0, 1fr); }
  .changes svg { grid-column: 1; grid-row: auto; }
}
@media screen and (max-width: 30rem) {
  .layout, .briefing main { padding: .8rem .6rem 2rem; }
  th, td { padding: .2rem .3rem; }
  .grades { font-size: .85rem; }
  .state { padding: .5rem .6rem; gap: .6rem; }
  .item { padding: .45rem .6rem .5rem; }
}
@page { size: A4; margin: 13mm 12mm 14mm; }
@media print {
  html { font-size: 9.5pt; }  /* every size is in rem, so this scales the whole page */
  body { line-height: 1.38; }
  .layout, .briefing main { display: block; max-width: none; padding: 0; }
  nav.contents { display: none; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  h2 { margin-top: 1rem; }
  .summary { break-after: page; }
  header .note { margin: .3rem 0; }
  .state { padding: .35rem .8rem; margin: .4rem 0 .6rem; }
  .chart { margin-top: .4rem; }
  .summary h3 { margin-top: .8rem; }
  .grades { font-size: .82rem; }
  .summary h2 { margin-top: 0; }
  .state .headline { font-size: 1.15rem; }
  .chart { margin-top: .6rem; }
  .item { margin: .45rem 0; padding: .35rem .7rem .45rem; }
  .item h4 { break-after: avoid; }
  h2, h3 { break-after: avoid; }
  .found > li, tr { break-inside: avoid; }
  .passed tr.area { break-after: avoid; }
  .list-label { break-after: avoid; }
  a { color: #000; }
  .item a[href^="http"]::after { content: " (" attr(href) ")"; font-size: 7pt;
                                 overflow-wrap: anywhere; }
  .note, thead th, .snippet { background: none; }
  .table-scroll { overflow: visible; }
  .changes { break-inside: avoid; }
  .changes svg { height: 5rem; width: auto; margin-top: .4rem; }
  .passed { font-size: .8rem; }
  .passed th, .passed td { padding: .12rem .35rem; }
  .details { display: none; }  /* PRINT_NOTE says so, at the end */
  .print-only { display: block; }
}
"""
)


def _e(text: object) -> str:
    """Escape attacker-controlled text for HTML body and attribute contexts."""
    return html.escape(clean(text), quote=True)


def _link(title: str, url: str) -> str:
    safe = safe_url(url)
    if safe is None:
        return f"{_e(title)}: <code>{_e(url)}</code>"
    return f'<a href="{_e(safe)}">{_e(title)}</a>'


def page_head(title: str, *, page_class: str = "report") -> list[str]:
    return [
        "<!DOCTYPE html>",
        f'<html lang="en-GB" class="{_e(page_class)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        f"<title>{_e(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
    ]


def header(view: AuditView, heading: str, *, note: str = MASKED_NOTE) -> list[str]:
    shown = view.report
    out = [
        "<header>",
        f"<h1>{_e(heading)}</h1>",
        f'<p class="meta">Audit of {_e(when(shown.started_at))} (finished '
        f"{_e(when(shown.finished_at))}); candidate-auditor {_e(shown.tool_version)}, "
        f"report schema {_e(shown.schema_version)}.</p>",
    ]
    if view.masked:
        out.append(f'<p class="note">{_e(note)}</p>')
    out += [f'<p class="note">Problem: {_e(p)}</p>' for p in shown.problems]
    out.append("</header>")
    return out


def render(
    report: Report,
    checklist: Checklist | None = None,
    *,
    reveal: bool = False,
    changes: AuditDiff | None = None,
) -> str:
    view = AuditView.of(report, checklist, reveal=reveal, changes=changes)
    heading = f"Candidate Auditor report: {view.report.subject}"
    out = [*page_head(heading), "<body>", '<div class="layout">', *_contents(view), "<main>"]
    out += header(view, heading)
    out += summary_section(summarise(view))
    if view.checklist is not None:
        out += _checklist(view)
    out += _not_checked(view)
    out += _passed(view) if view.checklist is not None else _all_findings(view)
    out.append(f'<p class="note print-only">{_e(PRINT_NOTE)}</p>')
    out += ["</main>", "</div>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _contents(view: AuditView) -> list[str]:
    out = ['<nav class="contents" aria-label="Contents">', "<strong>Contents</strong>", "<ul>",
           '<li><a href="#summary">Summary</a></li>']  # fmt: skip
    if view.checklist is not None:
        out.append('<li><a href="#checklist">What to do</a><ul>')
        for group, items in view.groups():
            open_count = sum(1 for i in items if i.status is ItemStatus.OPEN)
            out.append(f'<li><a href="#group-{_e(group.value)}">{_e(group.label)}</a> '
                       f"({open_count})</li>")  # fmt: skip
        out.append("</ul></li>")
    if view.unchecked():
        out.append('<li><a href="#not-checked">Could not check</a></li>')
    if view.checklist is not None:
        out.append('<li><a href="#passed">What passed</a></li>')
    else:
        out.append('<li><a href="#findings">All findings</a></li>')
    return [*out, "</ul>", "</nav>"]


def _checklist(view: AuditView) -> list[str]:
    out = ['<section id="checklist">', "<h2>What to do</h2>"]
    groups = view.groups()
    if not groups:
        out.append("<p>Nothing to do: no problems were found.</p>")
    number = 0
    for group, items in groups:
        out.append(f'<h3 id="group-{_e(group.value)}">{_e(group.label)}</h3>')
        for item in items:
            number += 1
            out += _item(view, item, number)
    out.append("</section>")
    return out


def _item(view: AuditView, item: ChecklistItem, number: int) -> list[str]:
    status = item.status
    action = item.action
    box = "[x]" if status in (ItemStatus.DONE, ItemStatus.VERIFIED) else "[&nbsp;]"
    classes = f"item sev-{item.severity.value} {status.value}"
    tags = severity_tag(item.severity) + " "
    if status is not ItemStatus.OPEN:
        tags += f'<span class="tag">{_e(status.label)}</span>'
    title = _e(action.title)
    if status is ItemStatus.DISMISSED:
        title = f"<s>{title}</s>"
    out = [
        f'<div class="{_e(classes)}" id="action-{_e(item.id)}">',
        f'<h4><span class="number">{number}.</span><code>{box}</code> {tags}{title}</h4>',
        '<div class="item-body">',
        "<div>",
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
    out += ["</div>", "<div>"]
    out.append(f'<p class="tick">When done: <code>auditor report --tick {_e(item.id)}</code></p>')
    if item.questions:
        out.append("<p><strong>Questions to answer:</strong></p><ul>")
        for q in item.questions:
            answer = f" — your answer: {_e(q.answer)}" if q.answer else ""
            out.append(f"<li>{_e(q.text)}{answer}</li>")
        out.append("</ul>")
    links = ", ".join(_link(link.title, link.url) for link in item.links)
    out += [f'<p class="guidance"><strong>Official guidance:</strong> {links}</p>', "</div>"]
    out.append("</div>")
    # The findings run the card's full width, in two columns when there are several, so a
    # long list does not leave the advice beside it a column of white space.
    found = shown_findings(item)
    if found:
        out.append(f'<p class="list-label"><strong>Found ({len(found)}):</strong></p>')
        out += _found(view, found)
    if item.dismissed_findings:
        count = len(item.dismissed_findings)
        out.append(f'<p class="list-label"><strong>Dismissed ({count}):</strong></p>')
        out += _found(view, list(item.dismissed_findings))
    return [*out, "</div>"]


def _found(view: AuditView, findings: list[Finding]) -> list[str]:
    """Each finding under its action: what, where, and the evidence with its source."""
    out = ['<ul class="found many">' if len(findings) > 1 else '<ul class="found">']
    for f in findings:
        where = f" — <code>{_e(f.location)}</code>" if f.location else ""
        # The app's words: how urgent on the label, how sure after the check's name; the
        # technical labels last, for the IT volunteer.
        sure = f". {_e(SURENESS_WORDS[f.confidence])}." if f.status.is_problem else ""
        line = (f'<li><span class="tag">{_e(status_tag(f.status))}</span>'
                f"{severity_tag(f.severity)} {_e(f.message)}{where}"
                f'<span class="evidence">{_e(view.title(f.check_id))}, on '
                f"{_e(f.target)}{sure}")  # fmt: skip
        for ev in f.evidence:
            snippet = shorten(clean(ev.snippet), MAX_EVIDENCE_SNIPPET)
            line += f"<br>Seen in {_evidence(ev.source, ev.location)}"
            if snippet:
                line += f'<span class="snippet">{_e(snippet)}</span>'
        details = details_for_volunteer(f.check_id, f.severity, f.confidence, f.fingerprint)
        line += f'<span class="details">{_e(DETAILS_HEADING)}: {_e("; ".join(details))}</span>'
        out.append(line + "</span></li>")
    return [*out, "</ul>"]


def _evidence(source: str, location: str) -> str:
    """Where a piece of evidence was seen, in words, with the location as code."""
    before, where, after = evidence_parts(source, location)
    return _e(before) + (f"<code>{_e(where)}</code>" if where else "") + _e(after)


def _not_checked(view: AuditView) -> list[str]:
    counts = view.counts
    if not counts.unchecked:
        return []
    out = [
        '<section id="not-checked">',
        "<h2>Could not check</h2>",
        f"<p>{_e(unchecked_in_words(counts))}. What could not run is neither a pass nor a "
        "problem. Run the audit again later; if it keeps happening, the reason is given.</p>",
    ]
    if counts.outage is not None:
        out.append(f'<p class="outage"><strong>{_e(counts.outage.headline)}</strong> '
                   f"{_e(ADVICE)}</p>")  # fmt: skip
        out.append("<p>Because of it, these could not be checked (each one's technical details "
                   "are in the JSON and CSV reports):</p>")  # fmt: skip
        out.append('<ul class="not-checked">')
        for u in counts.under_outage:
            partly = " (partly checked)" if u.partly else ""
            out.append(
                f"<li><strong>{_e(view.title(u.check_id))}</strong> on {_e(u.target)}{partly}</li>"
            )
        out.append("</ul>")
        if counts.other_unchecked:
            out.append("<p>For other reasons:</p>")
    out.append('<ul class="unchecked">')
    for u in counts.other_unchecked:
        partly = (
            ' <span class="tag">partly checked</span> the problems found are listed above;'
            if u.partly
            else ""
        )
        out.append(f"<li><strong>{_e(view.title(u.check_id))}</strong> on {_e(u.target)}:{partly}")
        out += [*_found(view, list(u.reasons)), "</li>"]
    return [*out, "</ul>", "</section>"]


def _passed(view: AuditView) -> list[str]:
    """What passed, one row each: the problems are under their actions above."""
    passed = [f for f in view.findings.values() if f.status is Status.PASS]
    out = ['<section id="passed">', "<h2>What passed</h2>"]
    if not passed:
        return [*out, "<p>No check passed outright.</p>", "</section>"]
    # One row per check, under a row naming its area (a column repeating the area on every
    # row took a tenth of the width and so more lines per row, on screen and on paper).
    out.append('<div class="table-scroll"><table class="passed"><thead><tr>'
               '<th scope="col" class="col-check">Check</th>'
               '<th scope="col" class="col-found">What it found</th>'
               '<th scope="col" class="col-evidence">Evidence</th></tr></thead>')  # fmt: skip
    for category, findings in view.findings_by_category():
        rows = []
        for f in findings:
            if f.status is not Status.PASS:
                continue
            evidence = "; ".join(_evidence(ev.source, ev.location) for ev in f.evidence)
            rows.append(
                f"<tr><td>{_e(view.title(f.check_id))} on {_e(f.target)}</td>"
                f"<td>{_e(f.message)}</td><td>{evidence or '—'}</td></tr>"
            )
        if rows:
            out += ['<tbody><tr class="area"><th scope="rowgroup" colspan="3">'
                    f"{_e(area_title(category))}</th></tr>", *rows, "</tbody>"]  # fmt: skip
    return [*out, "</table></div>", "</section>"]


def _all_findings(view: AuditView) -> list[str]:
    """Without a checklist there are no actions to fold findings under: list them all (but
    those grouped under an outage, listed under Could not check)."""
    out = ['<section id="findings">', "<h2>All findings</h2>"]
    for category, findings in view.findings_by_category():
        out.append(f"<h3>{_e(area_title(category))}</h3>")
        out += _found(view, findings)
    return [*out, "</section>"]
