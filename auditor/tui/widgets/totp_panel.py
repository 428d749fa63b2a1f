"""The authenticator-app self-test: scan a throwaway QR code, type two codes, see the drift.

The throwaway secret lives only in the SelfTest object held here, and is dropped when the
test ends or the screen is left. It is never saved, logged or put in a message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Static

from auditor.tui.text import plain

INTRO = (
    "Check that your authenticator app works and that your phone's clock is right. Start "
    "the test, scan the code with your app (it is a throwaway test account, not a real "
    "one), then type the code it shows, wait for the next one and type that too. Delete the "
    "test account from the app afterwards."
)


CODE_DIGITS = 6  # the self-test's codes (auditor.standards.accounts.totp)


def load_totp() -> Any:
    """The TOTP library, loaded when the self-test starts (not with the app)."""
    from auditor.standards.accounts import totp

    return totp


class TotpPanel(Vertical):
    class Finished(Message):
        """The self-test gave a verdict: the clock drift only, never the key or a code."""

        def __init__(self, step_offset: int, drift_seconds: int, description: str) -> None:
            super().__init__()
            self.step_offset = step_offset
            self.drift_seconds = drift_seconds
            self.description = description

    def __init__(self, clock: Callable[[], datetime], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clock = clock
        self.selftest: Any = None

    def compose(self) -> ComposeResult:
        yield Static(plain(INTRO), classes="panel-intro")
        yield Button("Start the self-test", id="totp-start")
        yield Static("", id="totp-key")
        yield Static("", id="totp-qr")
        with Horizontal(classes="totp-codes"):
            # digits only, as typed: a letter never gets into a code box
            yield Input(placeholder="first code", id="totp-code1", max_length=8, restrict="[0-9]*")
            yield Input(placeholder="next code", id="totp-code2", max_length=8, restrict="[0-9]*")
            yield Button("Check", id="totp-check")
        yield Static("", id="totp-result")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "totp-start":
            event.stop()
            self.start()
        elif event.button.id == "totp-check":
            event.stop()
            self.check()

    def on_input_changed(self, event: Input.Changed) -> None:
        """A whole first code moves on to the second box, in order."""
        if event.input.id == "totp-code1" and len(event.value) == CODE_DIGITS:
            self.query_one("#totp-code2", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "totp-code1":
            self.query_one("#totp-code2", Input).focus()
        else:
            self.check()

    def start(self) -> None:
        totp = load_totp()
        result = self.query_one("#totp-result", Static)
        self.selftest = totp.new_selftest("self-test")
        self.query_one("#totp-qr", Static).update(Text(self.selftest.qr_text(border=1), end=""))
        self._started(True)
        key = self.selftest.manual_key()
        self.query_one("#totp-key", Static).update(
            plain(f"Cannot scan? Type this key into the app instead: {key}")
        )
        result.update(plain("Scanned? Type the code your app shows, then the next one."))
        self.query_one("#totp-code1", Input).focus()

    def check(self) -> None:
        totp = load_totp()
        result = self.query_one("#totp-result", Static)
        if self.selftest is None:
            result.update(plain("Start the self-test first."))
            return
        first = self.query_one("#totp-code1", Input)
        second = self.query_one("#totp-code2", Input)
        try:
            outcome = self.selftest.verify_pair(first.value, second.value, self.clock())
        except totp.TotpError as exc:
            result.update(plain(f"✖ {exc}"))
            return
        result.update(plain(("✔ " if outcome.step_offset == 0 else "! ") + outcome.describe()))
        self.post_message(
            self.Finished(outcome.step_offset, outcome.drift_seconds, outcome.describe())
        )
        self.stop()
        first.value = second.value = ""

    def stop(self) -> None:
        """Forget the throwaway secret and take the QR code off the screen."""
        self.selftest = None
        self.query_one("#totp-qr", Static).update("")
        self.query_one("#totp-key", Static).update("")
        self._started(False)

    def _started(self, started: bool) -> None:
        """While the code is up, it goes to the top (it is tall: 80×24 needs scrolling)."""
        self.query_one(".panel-intro").display = not started
        self.query_one("#totp-start").display = not started
