"""The writers: golden files, escaping of hostile text, CSV injection, masking everywhere."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable

import pytest

from auditor.checklist import Checklist
from auditor.model import SCHEMA_VERSION, Report, Severity
from auditor.wording import (
    DETAILS_HEADING,
    SURENESS_WORDS,
    URGENCY_WORDS,
    details_for_volunteer,
    urgency_in_words,
)
from reports import csv_report, html, json_report, markdown
from reports.formats import FORMATS, ReportFormat, render
from reports.view import AuditView

GoldenCheck = Callable[[str, str], None]
UNMASKED = [
    "12 Acacia Avenue", "12 acacia avenue", "12 Acacia Ave", "AB1 2CD", "ab12cd",
    "07700 900123", "7700-900-123", "900123", "jane.candidate@example.com", "Ashcombe",
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "filename"),
    [("json", "report.json"), ("markdown", "report.md"), ("html", "report.html"),
     ("csv", "report.csv")],
)  # fmt: skip
def test_golden(
    name: str, filename: str, report: Report, checklist: Checklist, golden: GoldenCheck
) -> None:
    golden(filename, render(report, name, checklist=checklist))


def test_golden_revealed_markdown(
    report: Report, checklist: Checklist, golden: GoldenCheck
) -> None:
    golden("report-revealed.md", markdown.render(report, reveal=True, checklist=checklist))


def test_writers_are_pure_and_deterministic(report: Report, checklist: Checklist) -> None:
    for name in FORMATS:
        assert render(report, name, checklist=checklist) == render(
            report, name, checklist=checklist
        )
        render(report, name)  # without a checklist too


@pytest.mark.parametrize("name", sorted(set(FORMATS) - {ReportFormat.BRIEFING.value}))
def test_no_report_shows_personal_details_unless_revealed(
    name: str, report: Report, checklist: Checklist
) -> None:
    masked = render(report, name, checklist=checklist)
    for value in UNMASKED:
        assert value.lower() not in masked.lower(), (name, value)
    assert "[hidden]" in masked
    revealed = render(report, name, reveal=True, checklist=checklist)
    assert "12 acacia avenue" in revealed.lower() and "jane.candidate@example.com" in revealed


def test_html_escapes_hostile_text_and_terminal_escapes(
    report: Report, checklist: Checklist
) -> None:
    page = html.render(report, checklist=checklist)
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "\x1b" not in page and "\ufffd[31mred" in page
    assert 'href="javascript' not in page
    tags = set(re.findall(r"<([a-zA-Z0-9]+)", page))
    allowed = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3",
               "h4", "p", "section", "table", "thead", "tbody", "tr", "th", "td", "div",
               "tfoot", "span", "ol", "ul", "li", "strong", "em", "s", "a", "code", "br", "nav",
               "main",
               "figure", "figcaption", "svg", "defs", "pattern", "rect", "path", "circle",
               "text", "desc"}  # fmt: skip
    assert tags <= allowed
    assert "http://" not in page.split("<style>")[1].split("</style>")[0]  # no external assets
    assert "@media print" in page and "size: A4" in page  # printed as test_browser.py checks


def test_markdown_escapes_hostile_text(report: Report, checklist: Checklist) -> None:
    text = markdown.render(report, checklist=checklist)
    without_links = re.sub(r"\]\(<https://[^>\s]+>\)", "](link)", text)
    without_links = re.sub(r"^> ", "", without_links, flags=re.MULTILINE)  # block quotes
    assert re.search(r"(?<!\\)[<>]", without_links) is None  # every angle bracket escaped
    assert "\x1b" not in text
    assert "\\<script\\>" in text


def test_markdown_lists_the_checklist_before_the_findings(
    report: Report, checklist: Checklist
) -> None:
    text = markdown.render(report, checklist=checklist)
    order = [text.index(h) for h in ("## What to do", "### Do today", "## All findings")]
    assert order == sorted(order)
    today = text.split("### Do today")[1].split("###")[0]
    assert today.index("home address") < today.index("2-step verification")
    assert "https://www.npsa.gov.uk/protect-information-about-you" in today


def test_csv_one_row_per_finding_and_injection_safe(report: Report, checklist: Checklist) -> None:
    rows = list(csv.DictReader(io.StringIO(csv_report.render(report, checklist=checklist))))
    assert len(rows) == len(report.findings)
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value
    message_cells = [r["evidence_snippet"] for r in rows if r["check_id"] == "web.headers"]
    assert message_cells == ["<title>=HYPERLINK(\"https://evil.example\",\"click\") "
                             "<img src=x onerror=alert(1)></title>"]  # fmt: skip
    dmarc = next(r for r in rows if r["check_id"] == "email.dmarc")
    assert dmarc["checklist_group"] == "today" and dmarc["checklist_status"] == "done"


def test_csv_safe_cell() -> None:
    assert csv_report.safe_cell("=1+1") == "'=1+1"
    assert csv_report.safe_cell("  @SUM(A1)") == "'  @SUM(A1)"
    assert csv_report.safe_cell("\t=cmd") == "' =cmd"
    assert csv_report.safe_cell("-2") == "'-2"
    assert csv_report.safe_cell("plain") == "plain"


def test_json_has_the_checklist_and_is_valid(report: Report, checklist: Checklist) -> None:
    data = json.loads(json_report.render(report, checklist=checklist))
    assert data["schema_version"] == SCHEMA_VERSION and data["masked"] is True
    items = data["checklist"]["items"]
    assert [i["id"] for i in items[:2]] == [
        "exposure.remove-home-address",
        "accounts.primary-email-2fa",
    ]
    fingerprints = {f["fingerprint"] for r in data["results"] for f in r["findings"]}
    for item in items:
        assert set(item["findings"]) <= fingerprints
    statuses = {i["id"]: i["status"] for i in items}
    assert statuses["email.dmarc-enforce"] == "done"
    assert statuses["web.add-headers"] == "dismissed"
    assert statuses["accounts.backup-codes"] == "verified"
    assert data["summary"]["fail"] == 4 and data["summary"]["timeout"] == 1
    assert data["checklist"]["overall"]["percent"] is not None


def test_one_format_enum_names_every_writer_and_suffix(
    report: Report, checklist: Checklist
) -> None:
    from reports.formats import ReportFormat

    for fmt in ReportFormat:
        assert render(report, fmt, checklist=checklist) == render(
            report, fmt.value, checklist=checklist
        )
    assert ReportFormat.parse(" HTML ") is ReportFormat.HTML
    assert ReportFormat.for_path("out/Audit.MD") is ReportFormat.MARKDOWN
    assert ReportFormat.for_path("audit.html") is ReportFormat.HTML
    assert ReportFormat.for_path("audit.pdf") is None
    with pytest.raises(ValueError, match="choose one of: markdown, html, json, csv, briefing"):
        ReportFormat.parse("pdf")


def test_writers_take_typed_objects_and_do_not_mutate_them(
    report: Report, checklist: Checklist
) -> None:
    before = (report.to_dict(), checklist.to_dict())
    for name in FORMATS:
        render(report, name, checklist=checklist)
    assert (report.to_dict(), checklist.to_dict()) == before
    data = json.loads(json_report.render(report, checklist))  # checklist as a positional
    assert data["checklist"] is not None


def test_every_action_shows_its_id_for_report_tick(report: Report, checklist: Checklist) -> None:
    text, page = markdown.render(report, checklist), html.render(report, checklist)
    assert checklist.items
    for item in checklist.items:
        assert f"When done: `auditor report --tick {item.id}`" in text
        assert f"When done: <code>auditor report --tick {item.id}</code>" in page


def test_markdown_and_html_say_severity_and_confidence_in_the_apps_words(
    report: Report, checklist: Checklist
) -> None:
    # The app's detail pane says "Very urgent. We are sure."; the written reports say the
    # same, and keep the raw labels only in the part labelled for the IT volunteer.
    text, page = markdown.render(report, checklist), html.render(report, checklist)
    for f in AuditView.of(report).findings.values():  # masked, as the reports show them
        words = urgency_in_words(f.severity, f.confidence, problem=f.status.is_problem)
        assert f"{markdown._escape(f.message)}  \n  {words}  \n" in text, f.message
        details = details_for_volunteer(f.check_id, f.severity, f.confidence, f.fingerprint)
        assert f"{DETAILS_HEADING}: {'; '.join(details)}" in text
        if f.status.is_problem:  # each is listed under its action in the HTML
            assert f'sev-{f.severity.value}">{URGENCY_WORDS[f.severity]}</span>' in page
            assert f". {SURENESS_WORDS[f.confidence]}." in page
    for item in checklist.items:
        assert f"{URGENCY_WORDS[item.severity]}</span> " in page
    raw_words = ["critical severity", "high severity", "found for certain", "(critical)"]
    raw_words += [f'">{s.value}</span>' for s in Severity]
    for raw in raw_words:
        assert raw not in text and raw not in page, raw
    # Outside the details part, "severity: " and "confidence: " are nowhere.
    candidate_text = "\n".join(line for line in text.splitlines() if DETAILS_HEADING not in line)
    assert "severity: " not in candidate_text and "confidence: " not in candidate_text
    listed = len(re.findall(r'<li><span class="tag">', page))
    assert listed and page.count(f'<span class="details">{DETAILS_HEADING}: ') == listed
