"""Checklist: what to do, grouped and ordered; tick with space, filter, export."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, OptionList, Static

from auditor.checklist import ChecklistItem, ItemStatus
from auditor.masking import masked_audit
from auditor.model import Finding
from auditor.tui.screens.answer import AskedQuestion, asked
from auditor.tui.screens.base import AppScreen
from auditor.tui.text import plain
from auditor.tui.widgets.detail import item_detail
from auditor.tui.widgets.item_list import ItemList


class ChecklistList(ItemList[ChecklistItem]):
    """The to-do list: space ticks the item; page keys scroll its steps."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("space", "screen.tick", "Tick")]


def item_label(item: ChecklistItem) -> Text:
    text = Text(end="")  # wraps: a long title is read whole
    settled = item.status is not ItemStatus.OPEN
    text.append(f"{item.status.mark:<14}", style="dim" if settled else "bold")
    text.append(plain(item.action.title, style="dim" if settled else ""))
    return text


class ChecklistScreen(AppScreen):
    CSS_PATH = "screens.tcss"  # its rules, loaded when first opened (see app.tcss)
    AUTO_FOCUS = "#checklist-list"
    SUB_TITLE = "Checklist"
    HELP_TITLE = "Checklist"
    HELP_TEXT = (
        "Your to-do list from the audit, most urgent first: Do today, Before nomination papers, "
        "This week, Keep doing. Each item says why, the steps, who should do it and roughly how "
        "long it takes, with the official advice. Press space to tick an item when it is done; "
        "the next audit checks it again. Page up and page down scroll the item's steps from "
        "the list (Enter or Tab moves into them). An item with a question is answered with a "
        "(saved in your profile). / filters the list by words; h hides what is done; e "
        "exports the report to a private file."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("space", "tick", "Tick or untick", show=False),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("a", "answer", "Answer"),
        Binding("e", "export", "Export"),
        Binding("h", "hide_done", "Hide done", show=False),
        Binding("r", "results", "Results", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter_text = ""
        self.hide_done = False
        self.selected: str | None = None
        self.keep_line: int | None = None
        self.findings: dict[str, Finding] = {}  # fingerprint -> finding (masked)

    def body(self) -> ComposeResult:
        yield Static(id="checklist-summary")
        yield Input(
            placeholder="Filter: type words, Enter to apply, Escape to clear", id="checklist-filter"
        )
        with Horizontal(id="checklist-body", classes="split"):
            yield ChecklistList(id="checklist-list", classes="split-list")
            with VerticalScroll(id="checklist-detail", classes="split-detail"):
                yield Static(id="checklist-detail-text")

    def _matches(self, item: ChecklistItem) -> bool:
        if self.hide_done and item.status is not ItemStatus.OPEN:
            return False
        if not self.filter_text:
            return True
        haystack = " ".join(
            (
                item.action.title,
                item.action.why,
                item.action.who,
                item.id,
                item.group.label,
                *item.action.steps,
            )
        ).lower()
        return all(word in haystack for word in self.filter_text.lower().split())

    def refresh_view(self) -> None:
        summary = self.query_one("#checklist-summary", Static)
        listing = self.query_one("#checklist-list", ChecklistList)
        checklist = self.session.checklist()
        self.findings = {}
        if checklist is not None and self.session.report is not None:
            # The items (and their findings, questions and answers) as the reports show them.
            masked, checklist = masked_audit(self.session.report, checklist)
            self.findings = {f.fingerprint: f for f in masked.findings}
        if checklist is None:
            listing.fill([])
            summary.update(plain("No audit yet, so no checklist. Start one from Welcome (n)."))
            self._show(None)
            return
        open_items = len(checklist.open_items)
        line = f"{open_items} to do of {len(checklist.items)}"
        if self.filter_text:
            line += f" · filtered by “{self.filter_text}”"
        if self.hide_done:
            line += " · done items hidden"
        if not self.session.store.persistent:
            line += " · ticks are kept until you quit"
        summary.update(plain(line))
        rows: list[tuple[Text, ChecklistItem | None]] = []
        for group, items in checklist.groups():
            shown = [i for i in items if self._matches(i)]
            if not shown:
                continue
            left = sum(1 for i in items if i.status is ItemStatus.OPEN)
            rows.append((Text(f"{group.label} ({left} to do)", style="bold", end=""), None))
            rows += [(item_label(item), item) for item in shown]
        listing.fill(rows)
        kept, self.keep_line = self.keep_line, None
        selected = self.selected
        if kept is not None:  # after a tick: stay on the same row, the item moves away
            listing.highlight_near(kept)
        elif not listing.select_where(lambda i: i.id == selected):
            listing.highlight_near(0)
        self._show(listing.current)
        if not isinstance(self.focused, Input):
            listing.focus()

    def _show(self, item: ChecklistItem | None) -> None:
        detail = self.query_one("#checklist-detail-text", Static)
        report = self.session.report
        if item is None or report is None:
            detail.update(plain("Nothing to show here." if report else ""))
            return
        self.selected = item.id
        detail.update(item_detail(item, self._questions(item)))
        self.query_one("#checklist-detail", VerticalScroll).scroll_home(animate=False)

    def _questions(self, item: ChecklistItem) -> list[AskedQuestion]:
        """The item's questions that have a name in the profile's answers."""
        found = (self.findings.get(q.fingerprint) for q in item.questions)
        return [q for q in (asked(f, self.session.profile) for f in found if f) if q]

    def _current(self) -> ChecklistItem | None:
        return self.query_one("#checklist-list", ChecklistList).current

    def action_answer(self) -> None:
        item = self._current()
        questions = self._questions(item) if item is not None else []
        if not questions:
            self.notify("This item has no question to answer.")
            return
        self.auditor.ask_answers(questions)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "answer":
            item = self._current()
            return item is not None and bool(item.questions)
        return True

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        item = self._current()
        if item is not None:
            self._show(item)
        self.refresh_bindings()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#checklist-detail", VerticalScroll).focus()

    def action_tick(self) -> None:
        item = self._current()
        if item is None:
            return
        if item.status in (ItemStatus.DISMISSED, ItemStatus.VERIFIED):
            self.notify("This one is already settled; nothing to tick.")
            return
        try:
            self.session.set_ticked(item.id, item.status is not ItemStatus.DONE)
        except Exception as exc:
            self.auditor.show_error(exc)
            return
        self.selected = item.id
        self.keep_line = self.query_one("#checklist-list", ChecklistList).highlighted
        self.redraw_if_changed()

    def action_scroll_detail(self, pages: int) -> None:
        panel = self.query_one("#checklist-detail", VerticalScroll)
        panel.scroll_to(y=panel.scroll_y + pages * max(1, panel.size.height - 1), animate=False)

    def action_filter(self) -> None:
        self.query_one("#checklist-filter", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter_text = event.value.strip()[:80]
        self.session.changed()
        self.redraw_if_changed()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#checklist-list", ChecklistList).focus()

    def action_hide_done(self) -> None:
        self.hide_done = not self.hide_done
        self.session.changed()
        self.redraw_if_changed()

    def action_export(self) -> None:
        self.auditor.export_report()

    def action_results(self) -> None:
        self.auditor.go("results")

    def action_back(self) -> None:
        filter_input = self.query_one("#checklist-filter", Input)
        if self.focused is filter_input:
            filter_input.value = ""
            self.query_one("#checklist-list", ChecklistList).focus()
            return
        self.auditor.go("results" if self.session.report else "welcome")
