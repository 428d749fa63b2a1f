"""Results: findings by category with each area's score, and the detail of the one chosen."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from auditor.masking import masked_audit
from auditor.model import Finding, Report, Status
from auditor.scores import AreaScore, score
from auditor.tui.screens.answer import asked
from auditor.tui.screens.base import AppScreen
from auditor.tui.text import STATUS_LABEL, STATUS_STYLE, plain
from auditor.tui.widgets.detail import finding_detail
from auditor.vocabulary import category_label, category_rank


def area_label(area: AreaScore) -> Text:
    name = category_label(area.category, plain=True)
    percent = "not scored" if area.percent is None else f"{area.percent}%"
    parts = [
        f"{n} {word}"
        for n, word in (
            (area.failed, "fail"),
            (area.warned, "warn"),
            (area.not_checked, "could not check"),
            (area.to_answer, "to answer"),
        )
        if n
    ]
    text = Text(end="", no_wrap=True)
    text.append(f"{name} — {percent}", style="bold")
    if parts:
        text.append(f"  ({', '.join(parts)})")
    return text


def finding_label(finding: Finding, dismissed: bool) -> Text:
    text = Text(end="", no_wrap=True)
    if dismissed:
        text.append(f"{'[-] dismissed':<18}", style="dim")
    else:
        text.append(f"{STATUS_LABEL[finding.status]:<18}", style=STATUS_STYLE[finding.status])
    text.append(plain(finding.message, limit=300))
    return text


class ResultsScreen(AppScreen):
    AUTO_FOCUS = "#results-tree"
    SUB_TITLE = "Results"
    HELP_TITLE = "Results"
    HELP_TEXT = (
        "What the audit found, by area, with each area's score (passes count fully, warnings "
        "half, problems nothing; checks that could not run are left out of the score). Move "
        "with the arrow keys; the panel shows what was found, where, why it matters, how to fix "
        "it and the official advice. Press d if a finding is wrong (a false positive): it is "
        "dismissed by its fingerprint and stays dismissed in later audits. Your own details "
        "are hidden: v shows them on this screen only."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("c", "checklist", "Checklist"),
        Binding("d", "dismiss_finding", "False positive"),
        Binding("v", "reveal", "Show details"),
        Binding("e", "export", "Export"),
        Binding("a", "answer", "Answer"),
        Binding("s", "toggle_passes", "Show passes", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.reveal = False
        self.show_passes = True
        self.selected: str | None = None  # fingerprint
        self._shown_key: tuple[int, bool] | None = None
        self._shown_report: Report | None = None

    def body(self) -> ComposeResult:
        yield Static(id="results-summary")
        with Horizontal(id="results-body", classes="split"):
            tree: Tree[Finding] = Tree("Results", id="results-tree", classes="split-list")
            tree.show_root = False
            yield tree
            with VerticalScroll(id="results-detail", classes="split-detail"):
                yield Static(id="results-detail-text")

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
        tree = self.query_one("#results-tree", Tree)
        tree.clear()
        if report is None:
            summary.update(plain("No audit yet. Start one from the Welcome screen (n)."))
            self._show(None)
            return
        areas, overall = score(report)
        dismissed = self.session.state.dismissed
        problems = sum(
            1 for f in report.findings if f.status.is_problem and f.fingerprint not in dismissed
        )
        not_checked = sum(1 for f in report.findings if f.status.could_not_check)
        line = f"Overall score {overall.percent if overall.percent is not None else '—'}%"
        line += f" · {problems} problem{'s' if problems != 1 else ''} to fix"
        if not_checked:
            line += f" · {not_checked} could not be checked"
        if self.session.cancelled:
            line += " · the last audit was cancelled: these are the previous results"
        summary.update(plain(line))
        by_area: dict[str, list[Finding]] = {}
        for finding in report.findings:
            by_area.setdefault(report.category_of(finding.check_id), []).append(finding)
        ordered = sorted(areas, key=lambda a: (category_rank(a.category), a.category))
        first: TreeNode[Finding] | None = None
        chosen: TreeNode[Finding] | None = None
        for area in ordered:
            findings = sorted(
                by_area.get(area.category, []),
                key=lambda f: (f.status.display_rank, -f.severity.rank),
            )
            if not self.show_passes:
                findings = [f for f in findings if f.status is not Status.PASS]
            node = tree.root.add(area_label(area), expand=True)
            for finding in findings:
                leaf = node.add_leaf(
                    finding_label(finding, finding.fingerprint in dismissed), data=finding
                )
                first = first or leaf
                if finding.fingerprint == self.selected:
                    chosen = leaf
        target = chosen or first
        if target is not None:
            self.call_after_refresh(tree.move_cursor, target)
        self._show(target.data if target is not None else None)
        tree.focus()

    def _show(self, finding: Finding | None) -> None:
        detail = self.query_one("#results-detail-text", Static)
        report = self._shown()
        if finding is None or report is None:
            detail.update(plain("Choose a finding to see what was found and how to fix it."))
            return
        self.selected = finding.fingerprint
        dismissed = finding.fingerprint in self.session.state.dismissed
        question = asked(finding, self.session.profile)
        detail.update(
            finding_detail(
                finding,
                report,
                self.session.actions,
                dismissed,
                (question.key, question.current) if question else None,
            )
        )
        self.refresh_bindings()
        self.query_one("#results-detail", VerticalScroll).scroll_home(animate=False)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[Finding]) -> None:
        event.stop()
        if event.node.data is not None:
            self._show(event.node.data)

    def on_tree_node_selected(self, event: Tree.NodeSelected[Finding]) -> None:
        event.stop()
        if event.node.data is not None:
            self.query_one("#results-detail", VerticalScroll).focus()

    def _current(self) -> Finding | None:
        node = self.query_one("#results-tree", Tree).cursor_node
        data = node.data if node is not None else None
        return data if isinstance(data, Finding) else None

    def action_dismiss_finding(self) -> None:
        finding = self._current()
        if finding is None:
            self.notify("Choose a finding first.")
            return
        if not (finding.status.is_problem or finding.status is Status.MANUAL):
            self.notify("Only problems can be dismissed.")
            return
        dismissed = finding.fingerprint in self.session.state.dismissed
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
