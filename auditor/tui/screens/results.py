"""Results: findings by category with each area's score, and the detail of the one chosen."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import OptionList, Static

from auditor.masking import masked_audit
from auditor.model import Finding, Report, Severity, Status
from auditor.outage import ADVICE, CAUSED_BY_OUTAGE
from auditor.scores import (
    SCORE_RULE,
    AreaScore,
    count,
    outcomes_in_words,
    overall_in_words,
    plural,
    score_text,
)
from auditor.tui.screens.answer import asked
from auditor.tui.screens.base import AppScreen
from auditor.tui.screens.dialogs import ConfirmDialog
from auditor.tui.text import STATUS_STYLE, clean, plain
from auditor.tui.widgets.detail import finding_detail
from auditor.tui.widgets.item_list import ItemList
from auditor.vocabulary import category_label, category_rank
from auditor.wording import URGENCY_WORDS, status_with_symbol


def area_label(area: AreaScore) -> Text:
    """ "Email security — 63%: 7 passed, 5 with warnings; 3 could not be checked" (the
    words of auditor.scores, as in every report)."""
    text = Text(end="")
    text.append(f"{category_label(area.category, plain=True)} — {score_text(area)}", style="bold")
    outcomes = outcomes_in_words(area)
    if outcomes != "none":
        text.append(f": {outcomes}")
    return text


def split_at_fix(detail: Text) -> tuple[Text, Text]:
    """The detail before and from its "How to fix it" heading (f scrolls to the second)."""
    at = detail.plain.find("\n\nHow to fix it\n")
    if at < 0:
        return detail, Text(end="")
    head, rest = detail.divide([at + 2])
    head.rstrip()
    return head, rest


def finding_label(finding: Finding, dismissed: bool) -> Text:
    text = Text(end="")  # wraps: a long message is read whole in the list
    if dismissed:
        text.append(f"{'[-] dismissed':<18}", style="dim")
    else:
        text.append(f"{status_with_symbol(finding.status):<18}", style=STATUS_STYLE[finding.status])
    text.append(plain(finding.message))
    return text


class ResultsScreen(AppScreen):
    CSS_PATH = "screens.tcss"  # its rules, loaded when first opened (see app.tcss)
    AUTO_FOCUS = "#results-list"
    SUB_TITLE = "Results"
    HELP_TITLE = "Results"
    HELP_TEXT = (
        "What the audit found, by area, with each area's score. "
        + SCORE_RULE
        + " Move with the up and down arrows; the panel beside (or below) the list shows what "
        "was found, where, why it matters, how to fix it and the official advice. Scroll that "
        "panel from the list with page up and page down (or j and k), or press Enter to move "
        "into it. A question marked 'to answer' is answered with a. Press d if a finding is "
        "wrong (a false positive): it is dismissed by its fingerprint and stays dismissed in "
        "later audits (a critical or high one asks first). Your own details are hidden: v "
        "shows them on this screen only."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("c", "checklist", "Checklist"),
        Binding("f", "show_fix", "How to fix"),
        Binding("a", "answer", "Answer"),
        Binding("d", "dismiss_finding", "Dismiss"),
        Binding("e", "export", "Export", show=False),
        Binding("v", "reveal", "Show my details", show=False),
        Binding("s", "toggle_passes", "Hide or show passes", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.reveal = False
        self.show_passes = True
        self.selected: str | None = None  # fingerprint
        self.displayed: Finding | None = None  # the finding the detail panel shows
        self._shown_key: tuple[int, bool] | None = None
        self._shown_report: Report | None = None

    def body(self) -> ComposeResult:
        yield Static(id="results-summary")
        with Horizontal(id="results-body", classes="split"):
            yield ItemList[Finding](id="results-list", classes="split-list")
            with VerticalScroll(id="results-detail", classes="split-detail"):
                yield Static(id="results-detail-text")
                yield Static(id="results-detail-fix")

    def _shown(self) -> Report | None:
        """The audit as this screen shows it: the writers' masked copy unless revealed (the
        list and the detail pane both read it, so they hide exactly what the reports hide)."""
        report = self.session.report
        if report is None:
            return None
        key = (id(report), self.reveal)
        if self._shown_key != key:
            self._shown_key, self._shown_report = (
                key,
                masked_audit(report, None, reveal=self.reveal)[0],
            )
        return self._shown_report

    def refresh_view(self) -> None:
        report = self._shown()
        summary = self.query_one("#results-summary", Static)
        listing = self._list()
        if report is None:
            listing.fill([])
            summary.update(plain("No audit yet. Start one from the Welcome screen (n)."))
            self._show(None)
            return
        counts = count(report)
        dismissed = self.session.state.dismissed
        problems = sum(
            1 for f in report.findings if f.status.is_problem and f.fingerprint not in dismissed
        )
        line = overall_in_words(counts.overall)
        line += f" {plural(problems, 'finding')} to fix (problems and warnings)."
        if self.session.cancelled:
            line += " · the last audit was cancelled: these are the previous results"
        outage = report.outage
        if outage is not None:  # said once, plainly: every unread check is under it
            line = f"{outage.headline} {ADVICE} {line}"
        summary.update(plain(line))
        by_area: dict[str, list[Finding]] = {}
        unread: list[Finding] = []
        for finding in report.findings:
            if outage is not None and finding.status in CAUSED_BY_OUTAGE:
                unread.append(finding)
                continue
            by_area.setdefault(report.category_of(finding.check_id), []).append(finding)
        ordered = sorted(counts.areas, key=lambda a: (category_rank(a.category), a.category))
        rows: list[tuple[Text, Finding | None]] = []
        for area in ordered:
            findings = sorted(
                by_area.get(area.category, []),
                key=lambda f: (f.status.display_rank, -f.severity.rank),
            )
            if not self.show_passes:
                findings = [f for f in findings if f.status is not Status.PASS]
            if not findings and outage is not None:
                continue
            rows.append((area_label(area), None))
            rows += [(finding_label(f, f.fingerprint in dismissed), f) for f in findings]
        if outage is not None and unread:
            heading = f"{outage.headline} {plural(len(unread), 'finding')}: could not check"
            rows.append((Text(heading, style="bold", end=""), None))
            rows += [(finding_label(f, f.fingerprint in dismissed), f) for f in unread]
        listing.fill(rows)
        selected = self.selected
        if not listing.select_where(lambda f: f.fingerprint == selected):
            listing.highlight_near(0)
        self._show(listing.current)
        listing.focus()

    def _list(self) -> ItemList[Finding]:
        found: ItemList[Finding] = self.query_one("#results-list", ItemList)
        return found

    def _show(self, finding: Finding | None) -> None:
        detail = self.query_one("#results-detail-text", Static)
        fix = self.query_one("#results-detail-fix", Static)
        fix.update("")
        report = self._shown()
        self.displayed = finding
        if finding is None or report is None:
            detail.update(plain("The audit found nothing to show here." if report else ""))
            self.refresh_bindings()
            return
        self.selected = finding.fingerprint
        dismissed = finding.fingerprint in self.session.state.dismissed
        question = asked(finding, self.session.profile)
        head, rest = split_at_fix(
            finding_detail(
                finding,
                report,
                self.session.actions,
                dismissed,
                (question.key, question.current) if question else None,
            )
        )
        detail.update(head)
        fix.update(rest)
        self.refresh_bindings()
        self.query_one("#results-detail", VerticalScroll).scroll_home(animate=False)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        finding = self._list().current
        if finding is not None and finding is not self.displayed:
            self._show(finding)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#results-detail", VerticalScroll).focus()

    def _current(self) -> Finding | None:
        """The finding the detail panel shows (what every key acts on)."""
        return self.displayed

    def action_scroll_detail(self, pages: int) -> None:
        panel = self.query_one("#results-detail", VerticalScroll)
        panel.scroll_to(y=panel.scroll_y + pages * max(1, panel.size.height - 1), animate=False)

    def action_show_fix(self) -> None:
        fix = self.query_one("#results-detail-fix", Static)
        if self.displayed is None:
            self.notify("There is no finding here to act on.")
            return
        if not str(fix.render()).strip():
            self.notify("There is nothing to fix for this one.")
            return
        self.query_one("#results-detail", VerticalScroll).scroll_to_widget(
            fix, animate=False, top=True
        )

    def action_dismiss_finding(self) -> None:
        finding = self._current()
        if finding is None:
            self.notify("There is no finding here to act on.")
            return
        if not (finding.status.is_problem or finding.status is Status.MANUAL):
            self.notify("Only problems can be dismissed.")
            return
        dismissed = finding.fingerprint in self.session.state.dismissed
        if not dismissed and finding.severity.rank >= Severity.HIGH.rank:
            question = (
                f"This finding is {URGENCY_WORDS[finding.severity].lower()}: "
                f"“{clean(finding.message, 160)}”"
                " Dismiss it as a false positive? It stays dismissed in later audits (d again "
                "undoes it)."
            )

            def answered(yes: bool | None) -> None:
                if yes:
                    self._set_dismissed(finding, dismissed)

            self.auditor.push_screen(
                ConfirmDialog("Dismiss this finding?", question, yes="Dismiss"), answered
            )
            return
        self._set_dismissed(finding, dismissed)

    def _set_dismissed(self, finding: Finding, dismissed: bool) -> None:
        try:
            self.session.set_dismissed(finding.fingerprint, not dismissed)
        except Exception as exc:
            self.auditor.show_error(exc)
            return
        self.notify(
            "Dismissed as a false positive (d again to undo)."
            if not dismissed
            else "No longer dismissed."
        )
        self.redraw_if_changed()

    def action_answer(self) -> None:
        finding = self._current()
        question = asked(finding, self.session.profile) if finding is not None else None
        if question is None:
            self.notify("This finding asks no question: choose one marked “to answer”.")
            return
        self.auditor.ask_answers([question])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "answer":
            finding = self._current()
            return finding is not None and asked(finding, None) is not None
        return True

    def action_reveal(self) -> None:
        self.reveal = not self.reveal
        self.session.changed()
        self.redraw_if_changed()
        self.notify(
            "Your details are shown on this screen."
            if self.reveal
            else "Your details are hidden again."
        )

    def action_toggle_passes(self) -> None:
        self.show_passes = not self.show_passes
        self.session.changed()
        self.redraw_if_changed()

    def action_checklist(self) -> None:
        self.auditor.go("checklist")

    def action_export(self) -> None:
        self.auditor.export_report()

    def action_back(self) -> None:
        self.auditor.go("welcome")
