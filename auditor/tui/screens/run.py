"""Run: the audit live, per check and target, with a progress bar and a log; Escape cancels.

The audit is a plain async Textual worker on the app's own event loop: the engine and the
checks hand their CPU-heavy work (parsing pages, PDFs, photos) to worker threads, so awaiting
the audit here does not freeze the screen. Progress is posted straight to this screen as
typed messages. Escape cancels the worker (``Worker.cancel``): the audit's task gets
``asyncio.CancelledError``, its clients close their connections as it unwinds, and only then
does the screen say "cancelled". A cancelled audit is not saved anywhere.

The demo opens on this screen, so it imports only what drawing it needs: the engine, the
masker, the consent question and the services load when an audit starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import ProgressBar, RichLog, Static, Tree
from textual.widgets.tree import TreeNode
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from auditor.tui.runner import CheckName, check_names, name_for
from auditor.tui.screens.base import AppScreen
from auditor.tui.text import RUNNING_LABEL, STATUS_STYLE, one_line, plain
from auditor.vocabulary import category_label
from auditor.wording import status_with_symbol

if TYPE_CHECKING:
    from auditor.engine import Event
    from auditor.masking import Masker
    from auditor.model import Report, Status
    from auditor.profile import Profile
    from auditor.services import AuditOptions

_run_ids = itertools.count(1)


@dataclass(frozen=True)
class NodeKey:
    check_id: str
    target: str


class AuditProgress(Message):
    """One engine event of the audit ``run_id``."""

    def __init__(self, run_id: int, event: Event) -> None:
        super().__init__()
        self.run_id = run_id
        self.event = event


class AuditNames(Message):
    def __init__(self, run_id: int, names: dict[str, CheckName]) -> None:
        super().__init__()
        self.run_id = run_id
        self.names = names


class AuditEnded(Message):
    """The audit finished (report), failed (error) or was cancelled (neither)."""

    def __init__(self, run_id: int, report: Report | None, error: str | None) -> None:
        super().__init__()
        self.run_id = run_id
        self.report = report
        self.error = error


class RunScreen(AppScreen):
    AUTO_FOCUS = "#run-tree"
    SUB_TITLE = "Audit"
    HELP_TITLE = "Running the audit"
    HELP_TEXT = (
        "Every check runs against each of your domains and websites, and once for you as a "
        "person. Each line shows its state in words: pass, fail, warn, could not check (the "
        "check could not get an answer, which is not the same as a problem), or running. "
        "Escape cancels at any time; a cancelled audit is not saved."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel / back"),
        Binding("ctrl+c", "cancel", "Cancel", show=False, priority=True),
        Binding("enter", "results", "See results", priority=True),
        Binding("r", "again", "Run again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.run_id = 0
        self.running = False
        self.total = 0
        self.done = 0
        self.names: dict[str, CheckName] = {}
        self.nodes: dict[NodeKey, TreeNode[NodeKey]] = {}
        self.finished: set[NodeKey] = set()
        self.categories: dict[str, TreeNode[NodeKey]] = {}
        self._worker: Worker[None] | None = None
        self.masker: Masker | None = None  # the person's details, hidden in every target

    def body(self) -> ComposeResult:
        with Vertical(id="run"):
            yield Static("Nothing is running yet. Press r to start an audit.", id="run-status")
            # shown from the start of an audit: an idle bar would animate for nothing. Hidden
            # here, not on mount: the demo's first audit may start before this screen's Mount
            progress = ProgressBar(total=None, show_eta=False, id="run-progress")
            progress.display = False
            yield progress
            tree: Tree[NodeKey] = Tree("Checks", id="run-tree")
            tree.show_root = False
            yield tree
            yield RichLog(id="run-log", wrap=True, markup=False, max_lines=500)

    def refresh_view(self) -> None:
        if not self.running and self.session.demo and self.session.profile is None:
            self._status("Starting the demo world (the fictional candidate's servers)…")

    # -- starting and stopping ------------------------------------------------------------

    def start(self) -> None:
        if not self.query("#run-tree"):  # the first audit: the screen is still being built
            self.call_after_refresh(self.start)
            return
        session = self.session
        if session.profile is None:
            self.auditor.show_error("There is no profile to audit yet.")
            return
        profile = session.profile
        from auditor.consent import lookups_for_audit

        try:
            # The person answers the question below for this audit; no setting answers it.
            options = replace(
                self.auditor.audit_options(),
                interactions=session.recorded_interactions(),
                allow_personal_lookups=False,
                personal_lookups_declined=False,
            )
            lookups = lookups_for_audit(profile, options)
        except Exception as exc:
            self.auditor.show_error(exc)
            return
        if not lookups:
            self._begin(profile, options)
            return

        def answered(yes: bool | None) -> None:
            if self.running:  # an audit started meanwhile: this question is stale
                return
            allowed = bool(yes)
            self._begin(
                profile,
                replace(
                    options,
                    allow_personal_lookups=allowed,
                    personal_lookups_declined=not allowed,
                ),
            )

        from auditor.tui.screens.dialogs import ConsentDialog

        self._status("Waiting for your answer (Yes or No) before the audit starts.")
        self.auditor.push_screen(ConsentDialog(lookups), answered)

    def _begin(self, profile: Profile, options: AuditOptions) -> None:
        """Start the audit ``start`` prepared (and, when it asked, the person answered)."""
        self.auditor.run_screen = self  # so that quitting can cancel the audit first
        self.run_id = next(_run_ids)
        self.running = True
        self.refresh_bindings()
        self.total = self.done = 0
        self.nodes.clear()
        self.finished.clear()
        self.categories.clear()
        tree = self.query_one("#run-tree", Tree)
        tree.clear()
        self.query_one("#run-log", RichLog).clear()
        self.masker = run_masker(profile)
        bar = self.query_one("#run-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self._status(f"Auditing {profile.label}…")
        self._log(Text(f"Audit of {profile.label} started.", end=""))
        if options.personal_lookups_declined:
            self._log(Text("You chose not to send your name: those checks are skipped.", end=""))
        # exclusive: a worker still unwinding from an earlier audit is cancelled; its
        # messages carry the old run id and are ignored
        self._worker = self._run(self.run_id, profile, options)
        tree.focus()

    @work(exclusive=True, exit_on_error=False, group="audit")
    async def _run(self, run_id: int, profile: Profile, options: AuditOptions) -> None:
        self.post_message(AuditNames(run_id, await asyncio.to_thread(check_names)))
        audit = asyncio.ensure_future(
            self.auditor.runner(profile, options, lambda e: self._post(run_id, e))
        )
        try:
            report = await asyncio.shield(audit)
        except asyncio.CancelledError:
            # Cancel the audit once and let it unwind: Textual cancels a worker again when
            # the app quits (once for the app, once for the screen), and a second
            # CancelledError would cut the audit's closing of its connections short.
            audit.cancel()
            while not audit.done():
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait({audit})
            # the audit has unwound (its connections are closed): now say so, and stay cancelled
            self.post_message(AuditEnded(run_id, None, None))
            raise
        except Exception as exc:
            self.post_message(AuditEnded(run_id, None, one_line(exc)))
        else:
            self.post_message(AuditEnded(run_id, report, None))

    def _post(self, run_id: int, event: Event) -> None:
        self.post_message(AuditProgress(run_id, event))

    async def shutdown(self, timeout: float = 5.0) -> None:
        """Cancel a running audit and wait until it has closed its connections (the app is
        quitting: the demo world must not be stopped under live connections)."""
        worker = self._worker
        if worker is None or worker.is_finished:
            return
        if not worker.is_cancelled:  # a second cancel would cut the audit's closing short
            worker.cancel()
        with contextlib.suppress(WorkerCancelled, WorkerFailed, TimeoutError):
            await asyncio.wait_for(worker.wait(), timeout)

    def action_cancel(self) -> None:
        if not self.running:
            self.auditor.go("welcome")
            return
        worker = self._worker
        if worker is None or worker.is_cancelled:  # already closing its connections
            return
        self._status("Cancelling…")
        worker.cancel()

    def action_again(self) -> None:
        if self.running:
            self.notify("An audit is already running; Escape cancels it.")
            return
        self.auditor.start_audit()

    def on_tree_node_selected(self, event: Tree.NodeSelected[NodeKey]) -> None:
        event.stop()
        self.action_results()

    def action_results(self) -> None:
        if not self.running and self.session.report is not None and not self.session.cancelled:
            self.auditor.go("results")

    # -- messages from the worker ---------------------------------------------------------

    def on_audit_names(self, message: AuditNames) -> None:
        if message.run_id == self.run_id:
            self.names = message.names

    def on_audit_progress(self, message: AuditProgress) -> None:
        if message.run_id != self.run_id:
            return
        from auditor.engine import AuditPlanned, CheckFinished, CheckStarted  # the runner's

        event = message.event
        bar = self.query_one("#run-progress", ProgressBar)
        if isinstance(event, AuditPlanned):
            self.total = event.total
            bar.update(total=max(event.total, 1), progress=0)
        elif isinstance(event, CheckStarted):
            self._node(NodeKey(event.check_id, event.target), None)
        elif isinstance(event, CheckFinished):
            self.done += 1
            bar.update(progress=self.done)
            status = event.result.status
            self.finished.add(NodeKey(event.check_id, event.target))
            self._node(NodeKey(event.check_id, event.target), status)
            name = name_for(event.check_id, self.names)
            self._log(_line(status, name.title, masked(event.target, self.masker)))
            self._status(f"Auditing… {self.done} of {self.total} checks done. Escape cancels.")

    def on_audit_ended(self, message: AuditEnded) -> None:
        if message.run_id != self.run_id:
            return
        self.running = False
        self.call_after_refresh(self.refresh_bindings)
        # Once the outcome is drawn, the loop is idle: freeze what the audit left alive (its
        # report, its first imports), so the next audit's full collections do not walk it.
        self.call_after_refresh(self.auditor.heap.settle)
        if message.report is None:
            self._mark_unfinished("- cancelled" if message.error is None else "- stopped")
            if message.error is None:
                self.session.cancel()
                self._status("Audit cancelled. Nothing was saved. Press r to run it again.")
                self._log(Text("Audit cancelled; nothing was saved.", end=""))
            else:
                self._status("The audit stopped. Press r to try again.")
                self.auditor.show_error(f"The audit stopped: {message.error}")
            self._drawn_version = self.session.version
            return
        report = message.report
        try:
            self.session.finish(report)
        except Exception as exc:
            self.session.report = report
            self.session.changed()
            self.auditor.show_error(f"The audit finished but could not be saved: {one_line(exc)}")
        self._drawn_version = self.session.version
        self._relabel(report)
        self.query_one("#run-progress", ProgressBar).update(
            total=max(self.total, 1), progress=max(self.total, 1)
        )
        from auditor.audit import summary_line

        self._log(plain(summary_line(report)))
        self._status("Finished. Press Enter to see the results and your to-do list.")

    # -- drawing --------------------------------------------------------------------------

    def _status(self, text: str) -> None:
        self.query_one("#run-status", Static).update(plain(text))

    def _log(self, line: Text) -> None:
        self.query_one("#run-log", RichLog).write(line)

    def _node(self, key: NodeKey, status: Status | None) -> None:
        name = name_for(key.check_id, self.names)
        label = _line(status, name.title, masked(key.target, self.masker))
        node = self.nodes.get(key)
        if node is None:
            parent = self.categories.get(name.category)
            if parent is None:
                tree = self.query_one("#run-tree", Tree)
                parent = tree.root.add(
                    plain(category_label(name.category, plain=True)), expand=True
                )
                self.categories[name.category] = parent
            self.nodes[key] = parent.add_leaf(label, data=key)
        else:
            node.set_label(label)

    def _mark_unfinished(self, word: str) -> None:
        for key, node in self.nodes.items():
            if key not in self.finished:
                name = name_for(key.check_id, self.names)
                label = Text(f"{word:<18}", style="dim", end="", no_wrap=True)
                target = masked(key.target, self.masker)
                label.append(plain(f"{name.title} · {target}", style="dim"))
                node.set_label(label)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "results":
            ready = not self.running and self.session.report is not None
            return ready and not self.session.cancelled
        if action == "again":
            return not self.running
        return True

    def _relabel(self, report: Report) -> None:
        """Final labels from the report: the checks' own titles, and every pair shown."""
        self.names = {c.id: CheckName(c.title, c.category) for c in report.checks} | self.names
        for result in report.results:
            self._node(NodeKey(result.check_id, result.target), result.status)


def run_masker(profile: Profile) -> Masker | None:
    """The masker of the reports for this profile's details (its public name aside, as the
    reports keep it), so the targets on this screen hide what the reports hide."""
    from auditor.masking import profile_masker

    public = profile.label.casefold()
    values = tuple(v for v in profile.sensitive_values() if v.casefold() != public)
    return profile_masker(values)


def masked(target: str, masker: Masker | None) -> str:
    """auditor.masking.mask_text, imported when an audit draws its first target."""
    from auditor.masking import mask_text

    return mask_text(target, masker)


def _line(status: Status | None, title: str, target: str) -> Text:
    text = Text(end="", no_wrap=True)
    if status is None:
        text.append(f"{RUNNING_LABEL:<18}", style="italic")
    else:
        text.append(f"{status_with_symbol(status):<18}", style=STATUS_STYLE[status])
    text.append(plain(title))
    text.append(plain(f" · {target}", style="dim"))
    return text
