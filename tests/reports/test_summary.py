"""Page one of every human-readable report: the state in words, a grade per area by the stated
rule, the first three things to do, what could not be checked and, on a re-audit, what
changed; the briefing (that page alone, never with personal details); the Markdown summary."""

from __future__ import annotations

import re
from dataclasses import replace

from auditor.changes import diff
from auditor.checklist import Checklist
from auditor.model import CheckInfo, Report, Severity, Status
from auditor.wording import URGENCY_SHORT
from reports import briefing, html, json_report, markdown
from reports.view import GRADE_RULE, SEVERITY_ORDER, AuditView, Grade, summarise
from tests.reports.conftest import HOSTILE_TITLE, HOSTILE_TXT
from tests.reports.test_writers import UNMASKED
from tests.support.reports import finding, report_from

AT = "2026-05-01T09:00:00+00:00"
CHECKS = [CheckInfo(f"{area}.x", f"{area} check", area, "high") for area in
          ("email", "web", "domain", "accounts")]  # fmt: skip


def _report(*findings: object) -> Report:
    return report_from(list(findings), CHECKS, started_at=AT, finished_at=AT, duration=1.0)  # type: ignore[arg-type]


def test_the_grade_rule_as_stated() -> None:
    audit = _report(
        finding("email.x", Status.FAIL, Severity.HIGH),  # serious: act now
        finding("web.x", Status.WARN, Severity.MEDIUM),  # only smaller problems: improve
        finding("domain.x", Status.PASS, Severity.INFO),  # ran and passed: good
        finding("accounts.x", Status.TIMEOUT, Severity.HIGH),  # nothing ran: not checked
    )
    summary = summarise(AuditView.of(audit))
    grades = {a.category: a.grade for a in summary.areas}
    assert grades == {"email": Grade.ACT_NOW, "web": Grade.IMPROVE, "domain": Grade.GOOD,
                      "accounts": Grade.NOT_CHECKED}  # fmt: skip
    assert summary.grade is Grade.ACT_NOW and summary.headline.startswith("Needs action today")
    assert summary.not_checked_total == 1
    # A could-not-check is never a pass: an area whose only check timed out is not good.
    alone = summarise(AuditView.of(_report(finding("accounts.x", Status.TIMEOUT))))
    assert alone.grade is Grade.NOT_CHECKED and "Nothing could be checked" in alone.headline
    fine = summarise(AuditView.of(_report(finding("domain.x", Status.PASS, Severity.INFO))))
    assert fine.grade is Grade.GOOD and fine.headline.startswith("In good shape")
    # Nor is an area where a check was skipped and another only asks a question (the
    # no-network audit's "Personal details: Good" came from such an area).
    asked = _report(
        finding("accounts.x", Status.SKIPPED, Severity.INFO),
        finding("accounts.x", Status.MANUAL, Severity.MEDIUM),
        finding("domain.x", Status.PASS, Severity.INFO),
    )
    grades = {a.category: a.grade for a in summarise(AuditView.of(asked)).areas}
    assert grades == {"accounts": Grade.NOT_CHECKED, "domain": Grade.GOOD}


def test_html_summary_comes_first_with_grades_chart_and_three_actions(
    report: Report, checklist: Checklist
) -> None:
    page = html.render(report, checklist)
    summary = summarise(AuditView.of(report, checklist))
    body = page.split("<main>", 1)[1]
    assert body.index('id="summary"') < body.index('id="checklist"')
    assert GRADE_RULE in page.replace("&#x27;", "'")
    for area in summary.areas:
        assert f"{area.title}: {area.problems_in_words()}" in page  # in the chart's <desc>
    first = page.split('class="first-actions"', 1)[1].split("</ol>", 1)[0]
    assert len(re.findall("<li>", first)) == len(summary.first_actions) == 2  # only two today
    for item in summary.first_actions:
        assert f'href="#action-{item.id}"' in first and f'id="action-{item.id}"' in page


def test_the_briefing_is_the_summary_alone_and_never_shows_personal_details(
    report: Report, checklist: Checklist
) -> None:
    shown = briefing.render(report, checklist, reveal=True)
    assert shown == briefing.render(report, checklist)  # reveal changes nothing
    for value in UNMASKED:
        assert value.lower() not in shown.lower(), value
    assert "Grade per area" in shown and 'id="checklist"' not in shown
    assert 'href="#' not in shown  # nothing to link to: the page is alone
    # Not even masked evidence or reasons: what checks saw stays in the full report.
    assert "[hidden]" not in shown
    assert "alert(" in HOSTILE_TXT and "alert(" not in shown
    assert "HYPERLINK" in HOSTILE_TITLE and "HYPERLINK" not in shown


def test_markdown_starts_with_the_summary_as_text(report: Report, checklist: Checklist) -> None:
    text = markdown.render(report, checklist)
    summary = summarise(AuditView.of(report, checklist))
    assert text.index("## Summary") < text.index("## What to do")
    head = text.split("## What to do", 1)[0]
    assert "| Area | Grade | Open problems (how urgent) | Score: checks |" in head
    for area in summary.areas:
        assert f"| {area.title} | {area.grade.symbol} {area.grade.label} |" in head
    for n, item in enumerate(summary.first_actions, 1):
        assert f"{n}. **{item.action.title}**" in head


def test_every_summary_counts_problems_on_the_urgency_scale_the_chips_use(
    report: Report, checklist: Checklist
) -> None:
    # The area table, the chart's legend and bar titles, the grade rule and the Markdown
    # table say "1 very urgent, 1 urgent" (wording.URGENCY_SHORT), as the chips beside each
    # finding say "Very urgent": never the labels "1 critical, 1 high" that JSON and CSV keep.
    summary = summarise(AuditView.of(report, checklist))
    counted = [s for s in SEVERITY_ORDER if any(a.problems.get(s) for a in summary.areas)]
    assert len(counted) >= 3
    page = html.render(report, checklist)
    top = page.split('id="checklist"', 1)[0]
    table = top.split('<table class="grades">', 1)[1].split("</table>", 1)[0]
    legend = re.findall(r'class="legend">([^<]*)<', top)
    bars = re.findall(r"<title>[^<:]*: (\d+) ([^<]*)</title></rect>", top)
    assert legend == ["How urgent:", *(URGENCY_SHORT[s] for s in summary.severities_shown)]
    assert bars and {word for _, word in bars} <= set(URGENCY_SHORT.values())
    assert ">How urgent</th>" in table
    md = markdown.render(report, checklist).split("## What to do", 1)[0]
    for words in (table, md, GRADE_RULE, summary.chart_description()):
        for severity in counted:
            label = re.compile(rf"\b\d+ {severity.value}\b")
            assert not label.search(words), (severity, words)
        assert all(re.search(rf"\b{URGENCY_SHORT[s]}\b", words) for s in counted[:2]), words
    for area in summary.areas:
        for severity, count in area.problems.items():
            assert f"{count} {URGENCY_SHORT[severity]}" in area.problems_in_words()
    assert "critical" not in GRADE_RULE and "severity" not in GRADE_RULE
    # The machine formats keep the labels.
    assert '"severity": "critical"' in json_report.render(report, checklist)


def test_a_re_audit_shows_what_changed_in_every_summary(
    report: Report, checklist: Checklist
) -> None:
    fixed_dmarc = tuple(
        replace(r, findings=tuple(replace(f, status=Status.PASS) for f in r.findings))
        if r.check_id == "email.dmarc" else r
        for r in report.results
    )  # fmt: skip
    later = replace(report, results=fixed_dmarc)
    changes = diff(report, later)
    assert len(changes.fixed) == 1 and not changes.new
    page = html.render(later, checklist, changes=changes)
    words = (f"{len(changes.fixed)} fixed, 0 new, {len(changes.still_open)} still open, "
             f"{len(changes.not_rechecked)} not rechecked")  # fmt: skip
    changed = page.split('class="changes"', 1)[1].split("</div>", 1)[0]
    assert words in changed and "<svg" in changed and "<title" in changed
    assert words in briefing.render(later, checklist, changes=changes)
    text = markdown.render(later, checklist, changes=changes)
    assert "### Since the previous audit" in text and words in text
    assert "Fixed         " in text  # the small text chart
    assert 'class="changes"' not in html.render(later, checklist)  # first audit: no section
