"""One definition of every count (auditor/scores.py), the same in stderr, every writer and
the JSON: checks and findings named as such, "could not be checked" one number, and no
percentage when too little could run (issue 16)."""

from __future__ import annotations

import json
import re

from auditor.audit import summary_line
from auditor.model import CheckInfo, Report, Severity, Status
from auditor.scores import (
    NOT_ENOUGH,
    NOTHING_CHECKED,
    SCORE_RULE,
    AreaScore,
    count,
    overall_in_words,
    score_text,
)
from reports import csv_report, html, json_report, markdown
from tests.support.reports import finding, report_from

AT = "2026-05-01T09:00:00+00:00"
CHECKS = [
    CheckInfo(f"{area}.{name}", f"{area} {name} check", area, "high")
    for area in ("email", "web", "domain")
    for name in ("a", "b", "c")
]


def _report(*findings: object) -> Report:
    return report_from(list(findings), CHECKS, started_at=AT, finished_at=AT, duration=1.0)  # type: ignore[arg-type]


def _mixed() -> Report:
    return _report(
        finding("email.a", Status.PASS, Severity.INFO),
        finding("email.b", Status.WARN, Severity.MEDIUM),
        # One check, two parts that could not run: one check, two findings.
        finding("email.c", Status.TIMEOUT, subject="mx1"),
        finding("email.c", Status.ERROR, subject="mx2"),
        # A problem found in one part, another part unread: failed and partly checked.
        finding("web.a", Status.FAIL, Severity.HIGH, subject="page1"),
        finding("web.a", Status.ERROR, subject="page2"),
        finding("web.b", Status.SKIPPED),
        finding("domain.a", Status.PASS, Severity.INFO),
        finding("domain.b", Status.MANUAL, Severity.INFO),
    )


def test_checks_partition_and_findings_are_counted_apart() -> None:
    counts = count(_mixed())
    o = counts.overall
    assert (o.passed, o.warned, o.failed, o.not_checked, o.to_answer) == (2, 1, 1, 2, 1)
    assert o.checks == counts.checks == 7 == len(_mixed().results)
    assert counts.could_not_check == 2 and counts.partly_checked == 1
    assert counts.findings == 9
    assert [u.check_id for u in counts.unchecked] == ["email.c", "web.b", "web.a"]
    assert [u.partly for u in counts.unchecked] == [False, False, True]
    assert len(counts.unchecked[0].reasons) == 2


def test_could_not_check_is_the_same_number_in_stderr_and_every_writer() -> None:
    report = _mixed()
    line = summary_line(report)
    assert line.startswith("7 checks on ")
    assert "2 could not be checked" in line and "9 findings" in line
    md = markdown.render(report)
    page = html.render(report)
    for text in (md, page):
        assert "2 checks could not be checked, and 1 more was only partly checked" in text
        # the finding counts never pass for "could not be checked"
        assert not re.search(r"\b[0-9]+ things? could not be checked", text)
    data = json.loads(json_report.render(report))
    assert data["counts"]["checks"]["not_checked"] == 2
    assert data["counts"]["checks"]["partly_checked"] == 1
    assert data["counts"]["checks"]["checks"] == 7
    assert data["counts"]["findings"]["total"] == 9
    # findings by status stay for the IT volunteer
    assert data["summary"]["error"] == 2 and data["summary"]["timeout"] == 1
    rows = csv_report.render(report).splitlines()
    assert len(rows) == 1 + 9  # one row per finding


def test_a_warning_counts_half_and_the_report_says_so() -> None:
    report = _report(
        finding("email.a", Status.PASS, Severity.INFO),
        finding("email.b", Status.WARN, Severity.MEDIUM),
    )
    assert count(report).overall.percent == 75
    for text in (markdown.render(report), html.render(report).replace("&#x27;", "'")):
        assert "75%" in text and SCORE_RULE in text.replace("&quot;", '"')


def test_no_percentage_below_the_stated_share_checked() -> None:
    report = _report(
        finding("email.a", Status.PASS, Severity.INFO),
        finding("email.b", Status.TIMEOUT),
        finding("email.c", Status.ERROR),
        finding("web.a", Status.ERROR),
    )
    overall = count(report).overall
    assert overall.checked == 1 and overall.scorable == 4
    assert overall.percent is None and score_text(overall) == NOT_ENOUGH
    words = overall_in_words(overall)
    assert "%" not in words and "1 of 4 checks ran" in words
    md = markdown.render(report)
    assert "100%" not in md and NOT_ENOUGH in md
    assert "Overall: not checked" not in md and "not checked of checks" not in md
    assert f"{NOT_ENOUGH}: 1 passed; 2 could not be checked" in md
    line = summary_line(report)
    assert f"score: {NOT_ENOUGH}" in line and "%" not in line


def test_nothing_checked_has_words_not_a_number() -> None:
    report = _report(finding("email.a", Status.TIMEOUT), finding("web.a", Status.ERROR))
    overall = count(report).overall
    assert score_text(overall) == NOTHING_CHECKED
    md = markdown.render(report)
    assert "No overall score: nothing could be checked (0 of 2 checks ran" in md
    assert "%" not in md.split("## All findings")[0]


def test_the_share_rule_at_its_edge() -> None:
    half = AreaScore("email", passed=1, not_checked=1)
    assert half.enough_checked and half.percent == 100
    below = AreaScore("email", passed=1, not_checked=2)
    assert not below.enough_checked and below.percent is None
    only_questions = AreaScore("email", to_answer=3)
    assert score_text(only_questions) == "nothing to score"


def test_what_does_not_apply_is_neither_a_pass_nor_could_not_check() -> None:
    audit = _report(
        finding("email.a", Status.NOT_APPLICABLE, subject="null-mx"),  # no mail: no STARTTLS
        # One MX host without DNSSEC (no DANE there), another with a verdict: the verdict.
        finding("email.b", Status.NOT_APPLICABLE, subject="mx1"),
        finding("email.b", Status.PASS, Severity.INFO, subject="mx2"),
        finding("email.c", Status.PASS, Severity.INFO),
    )
    counts = count(audit)
    [email] = counts.areas
    assert (email.passed, email.not_checked, email.not_applicable, email.checks) == (2, 0, 1, 3)
    assert email.percent == 100 and counts.could_not_check == 0
    assert "1 does not apply" in overall_in_words(counts.overall)
    assert {r.check_id: r.status for r in audit.results}["email.a"] is Status.NOT_APPLICABLE
    data = json.loads(json_report.render(audit))
    assert data["counts"]["checks"]["not_applicable"] == 1
    assert data["counts"]["findings"]["not-applicable"] == 2
