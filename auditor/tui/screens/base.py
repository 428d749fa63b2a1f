"""What every full screen shares: header, footer, help text, redraw on session changes."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header

if TYPE_CHECKING:
    from auditor.tui.app import CandidateAuditorApp
    from auditor.tui.session import Session


class AppScreen(Screen[None]):
    """A full screen of the app. Subclasses compose ``body()`` and redraw in ``refresh_view``
    whenever the session changed since they last drew."""

    HELP_TITLE: ClassVar[str] = "Help"
    HELP_TEXT: ClassVar[str] = ""
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012 (Screen declares it)
        (0, "-narrow"),
        (110, "-wide"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._drawn_version = -1

    @property
    def auditor(self) -> CandidateAuditorApp:
        return cast("CandidateAuditorApp", self.app)

    @property
    def session(self) -> Session:
        return self.auditor.session

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        yield from self.body()
        # compact, and no palette entry (help names ctrl+p): Quit and Help stay in sight at 80
        yield Footer(compact=True, show_command_palette=False)

    def body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.redraw_if_changed()

    def on_screen_resume(self) -> None:
        self.redraw_if_changed()

    def redraw_if_changed(self) -> None:
        if self._drawn_version == self.session.version:
            return
        self._drawn_version = self.session.version
        try:
            self.refresh_view()
        except Exception as exc:  # drawing must never take the app down
            self.auditor.show_error(exc)

    def refresh_view(self) -> None:
        """Redraw from the session (called on mount and when the session changed)."""
