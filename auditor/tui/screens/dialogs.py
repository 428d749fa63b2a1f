"""Small modal dialogs: an error (one line, never a traceback), a message, export, yes/no,
and the consent question before an audit sends anything about the person."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from auditor.tui.text import lines, one_line, plain
from reports.formats import ReportFormat

if TYPE_CHECKING:
    from auditor.consent import OutsideLookup


class MessageDialog(ModalScreen[None]):
    """A title, one or a few lines of plain text, and OK."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("enter", "close", "Close", show=False),
    ]

    def __init__(self, title: str, message: str, *, kind: str = "info") -> None:
        super().__init__(classes=f"dialog-screen {kind}")
        self.title_text = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            yield Static(plain(self.message, limit=1000), classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", variant="primary", id="ok")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class ErrorDialog(MessageDialog):
    """Every error the person sees: one plain line and what to do next."""

    def __init__(self, error: BaseException | str, *, title: str = "That did not work") -> None:
        super().__init__(title, one_line(error), kind="error")


# (format name, file suffix without the dot, label), from the one format list.
EXPORT_FORMATS = tuple((f.value, f.suffix.lstrip("."), f.label) for f in ReportFormat)


class ExportDialog(ModalScreen[tuple[str, Path] | None]):
    """Choose a format and a file name; returns (format name, path) or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, default_path: Path, available: tuple[str, ...]) -> None:
        super().__init__(classes="dialog-screen")
        self.default_path = default_path
        self.available = available

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Export the report", classes="dialog-title")
            yield Static(
                "The file is private to you (only your user can read it). Personal details "
                "are hidden in it.",
                classes="dialog-body",
            )
            yield Label("Format:")
            yield Select(
                [(label, name) for name, _ext, label in EXPORT_FORMATS if name in self.available],
                value="markdown" if "markdown" in self.available else Select.NULL,
                allow_blank=False,
                id="format",
            )
            yield Label("Save as:")
            yield Input(str(self.default_path), id="path")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#export", Button).focus()

    def _chosen(self) -> str:
        value = self.query_one("#format", Select).value
        return value if isinstance(value, str) else "markdown"

    def on_select_changed(self, event: Select.Changed) -> None:
        path_input = self.query_one("#path", Input)
        extension = {n: e for n, e, _ in EXPORT_FORMATS}[self._chosen()]
        path_input.value = str(Path(path_input.value).with_suffix("." + extension))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "export":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        text = self.query_one("#path", Input).value.strip()
        if not text:
            self.app.push_screen(ErrorDialog("Give the file a name first."))
            return
        self.dismiss((self._chosen(), Path(text).expanduser()))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; returns True only for the explicit yes (Esc and No are no)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "no", "No"),
        Binding("y", "yes", "Yes", show=False),
        Binding("n", "no", "No", show=False),
    ]

    def __init__(self, title: str, question: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.question = question
        self.yes_label = yes
        self.no_label = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            yield Static(plain(self.question, limit=1000), classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes_label, variant="warning", id="yes")
                yield Button(self.no_label, variant="primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()  # the safe answer is the default

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)


class ConsentDialog(ModalScreen[bool]):
    """Before an audit: names who would receive what about the person, and asks. True only
    for the explicit yes (Esc and No run the audit without those checks)."""

    DEFAULT_CSS = """
    ConsentDialog #consent-body {
        height: auto;
        max-height: 7;
        margin-bottom: 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "no", "No"),
        Binding("y", "yes", "Yes", show=False),
        Binding("n", "no", "No", show=False),
    ]

    def __init__(self, lookups: Sequence[OutsideLookup]) -> None:
        super().__init__(classes="dialog-screen")
        self.lookups = tuple(lookups)

    @property
    def receivers(self) -> str:
        return " and ".join(dict.fromkeys(lookup.receiver for lookup in self.lookups))

    def question_lines(self) -> list[str]:
        """Who receives what, exactly, line by line (scrolls when long): the words of
        ``auditor scan --dry-run`` too."""
        from auditor.consent import question_lines

        return question_lines(self.lookups)

    @staticmethod
    def promise() -> str:
        """What is never sent and what each answer does (always in view)."""
        from auditor.consent import NEVER_SENT

        return (
            f"{NEVER_SENT} Yes sends exactly this. No runs the audit without it, and the "
            "report says it was not checked because you chose not to send it."
        )

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(f"Send this to {self.receivers}?"), classes="dialog-title")
            with VerticalScroll(id="consent-body"):
                yield Static(lines(*self.question_lines()), id="consent-text")
            yield Static(plain(self.promise()), id="consent-promise", classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes, send it", variant="warning", id="yes")
                yield Button("No", variant="primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()  # the safe answer is the default

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)


class OpenProfileDialog(ModalScreen[Path | None]):
    """Type the path of a profile file (the TOML of ``auditor init`` / ``scan --profile``)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: Path | None, default: Path) -> None:
        super().__init__(classes="dialog-screen")
        self.current = current
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Open a profile file", classes="dialog-title")
            yield Static(
                plain(
                    "The same file 'auditor scan --profile FILE' reads. A file that does not "
                    f"exist yet is created when you save. The app's own: {self.default}"
                ),
                classes="dialog-body",
            )
            yield Label("File:")
            yield Input(str(self.current or self.default), id="open-path")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Open", variant="primary", id="open")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#open-path", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "open":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        text = self.query_one("#open-path", Input).value.strip()
        if not text:
            self.app.push_screen(ErrorDialog("Type the file's name first."))
            return
        self.dismiss(Path(text).expanduser())

    def action_cancel(self) -> None:
        self.dismiss(None)
