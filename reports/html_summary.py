"""Page one of the HTML report (and the whole of the briefing): the state in words, a grade
per area with the rule that gives it, an inline SVG chart of open problems by area and
severity, the first three things to do, what could not be checked and, on a re-audit, what
changed since.

The chart is plain SVG in the page (no script, nothing fetched). It is readable without
colour: each severity has its own fill pattern, every bar is labelled with its numbers, and
the figure's <title>/<desc> and the grade table beside it say the same in words.
"""

from __future__ import annotations

import html

from auditor.model import Severity
from auditor.outage import ADVICE
from auditor.scores import SCORE_RULE, outcomes_in_words, plural, score_text
from auditor.wording import URGENCY_CAPTION, URGENCY_SHORT, URGENCY_WORDS
from reports.view import (
    GRADE_RULE,
    SEVERITY_ORDER,
    ChangeCounts,
    Summary,
    clean,
    effort,
)

# Fill and text colour per severity, and a pattern id: colour only adds to the pattern.
SEVERITY_STYLE = {
    Severity.CRITICAL: ("#8b1a1a", "solid"),
    Severity.HIGH: ("#c2410c", "stripes"),
    Severity.MEDIUM: ("#b7791f", "dots"),
    Severity.LOW: ("#2b6cb0", "grid"),
    Severity.INFO: ("#718096", "plain"),
}
_LABEL_WIDTH = 130
_BAR_HEIGHT = 20
_ROW_GAP = 7
_CHART_WIDTH = 460
_TOTAL_WIDTH = 40
_WHITE = (
    '<rect width="8" height="8" fill="#fff"/>'  # room for the total at the end of the longest bar
)


def _e(text: object) -> str:
    return html.escape(clean(text), quote=True)


def severity_tag(severity: Severity) -> str:
    """How urgent, as a label in the app's words ("Very urgent"); its class gives the colour
    (the word alone carries the meaning, so it reads the same in black and white)."""
    return f'<span class="sev sev-{_e(severity.value)}">{_e(URGENCY_WORDS[severity])}</span>'


def summary_section(summary: Summary, *, prefix: str = "", link_actions: bool = True) -> list[str]:
    """The summary as HTML lines; ``prefix`` keeps element ids unique if it appears twice."""
    grade = summary.grade
    out = [
        f'<section id="{prefix}summary" class="summary" aria-labelledby="{prefix}summary-title">',
        f'<h2 id="{prefix}summary-title">Summary</h2>',
        f'<div class="state grade-{grade.value}">'
        f'<span class="grade-symbol" aria-hidden="true">{_e(grade.symbol)}</span>'
        f'<div><p class="headline"><span class="visually-hidden">{_e(grade.label)}: </span>'
        f"{_e(summary.headline)}</p>",
    ]
    if summary.detail:
        out.append(f"<p>{_e(summary.detail)}</p>")
    out += ["</div>", "</div>", *_grades(summary), '<div class="summary-grid chart-row">']
    out += [*_chart(summary, prefix), f'<p class="rule">{_e(GRADE_RULE)} {_e(SCORE_RULE)}</p>',
            "</div>"]  # fmt: skip
    out += ['<div class="summary-grid">', "<div>"]
    out += _first_actions(summary, link_actions)
    out += ["</div>", "<div>", *_not_checked(summary), "</div>", "</div>"]
    if summary.changes is not None:
        out += _changes(summary.changes, prefix)
    out.append("</section>")
    return out


def _grades(summary: Summary) -> list[str]:
    out = [
        "<h3>Grade per area</h3>",
        '<div class="table-scroll"><table class="grades"><thead><tr><th scope="col">Area</th>'
        '<th scope="col">Grade</th><th scope="col"><span class="visually-hidden">Open problems: '
        f"</span>{URGENCY_CAPTION.capitalize()}</th>"
        '<th scope="col">Score: checks</th></tr></thead><tbody>',
    ]
    for area in summary.areas:
        out.append(
            f'<tr><th scope="row">{_e(area.title)}</th>'
            f'<td class="grade grade-{area.grade.value}"><span aria-hidden="true">'
            f"{_e(area.grade.symbol)}</span> {_e(area.grade.label)}"
            + f"</td><td>{_e(area.problems_in_words())}</td>"
            f"<td>{_e(area.checks_in_words())}</td></tr>"
        )
    overall = summary.overall
    problems = sum(a.problem_count for a in summary.areas)
    out.append(f'</tbody><tfoot><tr class="overall"><th scope="row">Overall</th><td></td>'
               f"<td>{_e(plural(problems, 'open problem'))}</td>"
               f"<td>{_e(outcomes_in_words(overall))}; score: {_e(score_text(overall))}</td>"
               "</tr></tfoot></table></div>")  # fmt: skip
    return out


def _chart(summary: Summary, prefix: str) -> list[str]:
    areas = summary.areas
    severities = summary.severities_shown
    title_id, desc_id = f"{prefix}chart-title", f"{prefix}chart-desc"
    widest = max((a.problem_count for a in areas), default=0)
    scale = (_CHART_WIDTH - _LABEL_WIDTH - _TOTAL_WIDTH) / widest if widest else 0.0
    legend_y = len(areas) * (_BAR_HEIGHT + _ROW_GAP) + 8
    height = legend_y + (28 if severities else 0)
    out = [
        '<figure class="chart">',
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {_CHART_WIDTH} {height}" '
        f'width="{_CHART_WIDTH}" height="{height}" aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">Open problems by area and {URGENCY_CAPTION} they are</title>',
        f'<desc id="{desc_id}">{_e(summary.chart_description())}</desc>',
        *_patterns(prefix),
    ]
    for row, area in enumerate(areas):
        y = row * (_BAR_HEIGHT + _ROW_GAP)
        middle = y + _BAR_HEIGHT / 2 + 4
        out.append(f'<text x="{_LABEL_WIDTH - 8}" y="{middle:g}" text-anchor="end" '
                   f'class="bar-label">{_e(area.title)}</text>')  # fmt: skip
        x = float(_LABEL_WIDTH)
        for severity in SEVERITY_ORDER:
            count = area.problems.get(severity, 0)
            if not count:
                continue
            width = count * scale
            out.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{_BAR_HEIGHT}" '
                f'fill="url(#{prefix}fill-{severity.value})" stroke="#111" stroke-width="1">'
                f"<title>{_e(area.title)}: {count} {_e(URGENCY_SHORT[severity])}</title></rect>"
            )
            if width >= 16:
                out.append(f'<text x="{x + width / 2:.1f}" y="{middle:g}" text-anchor="middle" '
                           f'class="bar-count">{count}</text>')  # fmt: skip
            x += width
        total = "none" if not area.problem_count else str(area.problem_count)
        out.append(f'<text x="{x + 6:.1f}" y="{middle:g}" class="bar-total">{total}</text>')
    x = 0
    if severities:  # the legend names its scale first: "How urgent: very urgent, urgent, …"
        caption = URGENCY_CAPTION.capitalize() + ":"
        out.append(f'<text x="0" y="{legend_y + 13}" class="legend">{_e(caption)}</text>')
        x = 12 + 7 * len(caption)
    for severity in severities:
        word = URGENCY_SHORT[severity]
        out.append(
            f'<rect x="{x}" y="{legend_y}" width="16" height="16" '
            f'fill="url(#{prefix}fill-{severity.value})" stroke="#111" stroke-width="1"/>'
            f'<text x="{x + 21}" y="{legend_y + 13}" class="legend">{_e(word)}</text>'
        )
        x += 32 + 7 * len(word)
    out += ["</svg>", "<figcaption>Open problems (failed or warned findings) by area and "
            f"{URGENCY_CAPTION}; the number in each bar is the count.</figcaption>",
            "</figure>"]  # fmt: skip
    return out


def _patterns(prefix: str) -> list[str]:
    """One fill per severity that still differs when printed in black and white."""
    out = ["<defs>"]
    for severity, (colour, kind) in SEVERITY_STYLE.items():
        pid = f"{prefix}fill-{severity.value}"
        if kind == "solid":
            body = f'<rect width="8" height="8" fill="{colour}"/>'
        elif kind == "stripes":
            body = (f'{_WHITE}<path d="M-2,10 L10,-2 M-2,2 L2,-2 M6,10 L10,6" stroke="{colour}" '
                    'stroke-width="3"/>')  # fmt: skip
        elif kind == "dots":
            body = f'{_WHITE}<circle cx="4" cy="4" r="2.2" fill="{colour}"/>'
        elif kind == "grid":
            body = f'{_WHITE}<path d="M0,4 H8 M4,0 V8" stroke="{colour}" stroke-width="1.5"/>'
        else:
            body = f'{_WHITE}<rect width="8" height="8" fill="{colour}" opacity=".25"/>'
        out.append(f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
                   f"{body}</pattern>")  # fmt: skip
    out.append("</defs>")
    return out


def _first_actions(summary: Summary, link_actions: bool) -> list[str]:
    if not summary.first_actions:
        return ["<h3>What to do first</h3>", "<p>Nothing to do: no problems were found.</p>"]
    out = [f"<h3>{_e(summary.first_actions_heading)}</h3>", '<ol class="first-actions">']
    for item in summary.first_actions:
        title = _e(item.action.title)
        if link_actions:
            title = f'<a href="#action-{_e(item.id)}">{title}</a>'
        out.append(
            f"<li>{severity_tag(item.severity)} "
            f'<strong>{title}</strong><br><span class="meta">{_e(item.action.who)}, '
            f"{_e(effort(item.action.effort_minutes))}</span></li>"
        )
    out.append("</ol>")
    if summary.more_actions:
        out.append(f'<p class="meta">{_e(summary.more_actions)}.</p>')
    return out


def _not_checked(summary: Summary) -> list[str]:
    out = ["<h3>What could not be checked</h3>"]
    if not summary.not_checked_total:
        return [*out, "<p>Every check could run.</p>"]
    out.append(f"<p>{_e(summary.not_checked_words)}: neither passes nor problems.</p>")
    if summary.outage:
        out.append(f'<p class="outage"><strong>{_e(summary.outage)}</strong> {_e(ADVICE)}</p>')
    out.append('<ul class="not-checked">')
    for item in summary.not_checked:
        partly = " (partly checked)" if item.partly else ""
        reason = f": {_e(item.reason)}" if item.reason else ""
        out.append(
            f"<li><strong>{_e(item.title)}</strong> on {_e(item.target)}{partly}{reason}</li>"
        )
    rest = summary.not_checked_rest
    if rest > 0:
        out.append(f"<li>and {rest} more, listed under Could not check</li>")
    return [*out, "</ul>"]


# Fixed and new are solid (green, dark red); still open is an outline; not rechecked dashed.
_CHANGE_STYLE = {
    "solid-good": ("#2f855a", ""),
    "solid-bad": ("#8b1a1a", ""),
    "open": ("#fff", ""),
    "unknown": ("#fff", ' stroke-dasharray="4 3"'),
}


def _changes(changes: ChangeCounts, prefix: str) -> list[str]:
    rows = [
        ("Fixed", changes.fixed, "solid-good"),
        ("New", changes.new, "solid-bad"),
        ("Still open", changes.still_open, "open"),
        ("Not rechecked", changes.not_rechecked, "unknown"),
    ]
    words = ", ".join(f"{count} {label.lower()}" for label, count, _ in rows)
    widest = max(count for _, count, _ in rows) or 1
    bar_space = 220
    out = [
        '<div class="changes">',
        "<h3>Since the previous audit</h3>",
        f"<p>{_e(words)}.</p>",
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 360 {len(rows) * 22}" '
        f'width="360" height="{len(rows) * 22}" aria-labelledby="{prefix}changes-title">',
        f'<title id="{prefix}changes-title">Changes since the previous audit: {_e(words)}</title>',
    ]
    for row, (label, count, kind) in enumerate(rows):
        y = row * 22
        width = bar_space * count / widest
        fill, dash = _CHANGE_STYLE[kind]
        out.append(f'<text x="100" y="{y + 14}" text-anchor="end" class="bar-label">{label}</text>')
        if count:
            out.append(f'<rect x="108" y="{y + 2}" width="{width:.1f}" height="16" fill="{fill}" '
                       f'stroke="#111" stroke-width="1.5"{dash}/>')  # fmt: skip
        out.append(f'<text x="{108 + width + 6:.1f}" y="{y + 14}" class="bar-total">{count}</text>')
    return [*out, "</svg>", "</div>"]
