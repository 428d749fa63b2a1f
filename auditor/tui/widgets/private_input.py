"""An input for private details: masked like a password until it has the focus."""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class PrivateInput(Input):
    def __init__(self, value: str = "", **kwargs: object) -> None:
        super().__init__(value, password=True, **kwargs)  # type: ignore[arg-type]

    def _on_focus(self, event: events.Focus) -> None:
        self.password = False
        super()._on_focus(event)

    def _on_blur(self, event: events.Blur) -> None:
        self.password = True
        super()._on_blur(event)
