"""Help for the current screen: what it is for and its keys (also in the footer)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Label, Static

GENERAL = (
    "Everywhere: ? help for the screen · ctrl+p command palette (go to any screen) · "
    "tab moves between parts of the screen · ctrl+q quits. The mouse is optional."
)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("question_mark", "close", "Close", show=False),
    ]

    def __init__(self, screen_type: type[Screen[Any]]) -> None:
        super().__init__(classes="dialog-screen")
        self.screen_type = screen_type

    def compose(self) -> ComposeResult:
        title = getattr(self.screen_type, "HELP_TITLE", "Help")
        text = getattr(self.screen_type, "HELP_TEXT", "")
        keys = Text(end="")
        for binding in getattr(self.screen_type, "BINDINGS", []):
            if isinstance(binding, Binding) and binding.description:
                shown = binding.key_display or binding.key
                keys.append(f"{shown:>8}  ", style="bold")
                keys.append(binding.description + "\n")
        with Vertical(classes="dialog help"):
            yield Label(Text(f"Help: {title}"), classes="dialog-title")
            with VerticalScroll(classes="help-body"):
                yield Static(Text(text, end=""))
                if keys:
                    yield Label("Keys on this screen", classes="help-heading")
                    yield Static(keys)
                yield Static(Text(GENERAL, style="dim", end=""), classes="help-general")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", variant="primary", id="close")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
