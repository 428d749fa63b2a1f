"""Every status has its words in every medium, and all of them come from the one vocabulary
(auditor.wording.STATUS_WORDS): the written reports' tag, the terminal's symbol and words,
and the counts of findings. The app's side is in tests/tui/test_session.py."""

from __future__ import annotations

import html as html_lib
from types import ModuleType

import pytest

from auditor.checklist import ItemStatus
from auditor.model import CheckInfo, Report, Status
from auditor.scores import count, findings_in_words
from auditor.vocabulary import STATUS_DISPLAY_ORDER
from auditor.wording import (
    STATUS_WORDS,
    findings_of_status,
    status_label,
    status_tag,
    status_with_symbol,
)
from reports import html, markdown
from tests.support.reports import finding, report_from

AT = "2026-05-01T09:00:00+00:00"


def test_every_status_has_words_in_every_medium() -> None:
    assert set(STATUS_WORDS) == set(Status) == set(STATUS_DISPLAY_ORDER)
    for status in Status:
        words = STATUS_WORDS[status]
        assert words.label and words.symbol and words.one and words.many, status
        assert status_tag(status).startswith(words.label.upper()), status
        assert status_with_symbol(status) == f"{words.symbol} {words.label}", status
        assert findings_of_status(status, 1) == f"1 {words.one}"
        assert findings_of_status(status, 2) == f"2 {words.many}"
    # Could not check is its own status, said the same for an error and a time-out, and
    # never like a pass or a problem.
    assert status_label(Status.ERROR) == status_label(Status.TIMEOUT) == "could not check"
    assert status_tag(Status.TIMEOUT) == "COULD NOT CHECK (timeout)"
    verdicts = {status_label(s) for s in (Status.PASS, Status.WARN, Status.FAIL)}
    assert status_label(Status.ERROR) not in verdicts
    # Each symbol is one character the terminal shows before the words.
    assert all(len(w.symbol) == 1 for w in STATUS_WORDS.values())


def _report_with_every_status() -> Report:
    findings = [
        finding("email.spf", status, message=f"spf says {status.value}", subject=status.value)
        for status in Status
    ]
    checks = [CheckInfo("email.spf", "SPF", "email", "https://example.org")]
    return report_from(findings, checks, started_at=AT, finished_at=AT, duration=1.0)


@pytest.mark.parametrize("writer", [markdown, html], ids=["markdown", "html"])
def test_the_written_reports_tag_every_status_from_the_vocabulary(writer: ModuleType) -> None:
    out = writer.render(_report_with_every_status())
    for status in Status:
        lines = [line for line in out.splitlines() if f"spf says {status.value}" in line]
        assert lines, status
        tag = status_tag(status)
        shown = (f"**{tag}**", f"- {tag}:") if writer is markdown else (
            f'<span class="tag">{html_lib.escape(tag)}</span>',
        )  # fmt: skip
        assert any(s in line for s in shown for line in lines), (status, lines)


def test_the_counts_of_findings_use_the_vocabulary() -> None:
    words = findings_in_words(count(_report_with_every_status()))
    assert words.startswith("8 findings: ")
    for status in Status:
        assert findings_of_status(status, 1) in words, status


def test_every_checklist_state_has_words_in_every_medium() -> None:
    """A to-do item's state, from the one vocabulary (auditor.checklist.ItemStatus): the
    written reports' label and the app's box with a short word that fits its column."""
    labels = {s: s.label for s in ItemStatus}
    assert labels == {
        ItemStatus.OPEN: "to do",
        ItemStatus.DONE: "ticked as done",
        ItemStatus.DISMISSED: "dismissed",
        ItemStatus.VERIFIED: "verified fixed",
    }
    for state in ItemStatus:
        assert state.mark.startswith("[") and state.mark[2:4] == "] ", state
        assert state.label.endswith(state.mark[4:]), state  # the short word ends the label
        assert len(state.mark) <= 14, state  # the app's checklist column
    assert ItemStatus.DONE.mark == "[x] done" and ItemStatus.OPEN.mark == "[ ] to do"
