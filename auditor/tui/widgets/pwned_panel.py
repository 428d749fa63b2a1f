"""Has this password been in a known breach? Pwned Passwords by k-anonymity.

Only the first five characters of the password's SHA-1 hash leave this computer. The
password is read from the masked field, the field is cleared at once, and the value is held
only for the one lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Static

from auditor.services import AuditOptions
from auditor.tui.text import one_line, plain

INTRO = (
    "Type a password to see whether it appears in known data breaches. The password never "
    "leaves this computer: only the first five characters of a scrambled form of it (its "
    "SHA-1 hash) are sent to the Pwned Passwords service, and nothing is stored. The field "
    "is cleared as soon as you press Check."
)


def describe(count: int) -> str:
    if count:
        return (
            f"✖ This password has appeared {count:,} times in data breaches. Stop using "
            "it: change it everywhere you use it, starting with your email."
        )
    return (
        "✔ Not found in known breaches. Still use a different password for every "
        "account, ideally from a password manager."
    )


class PwnedPanel(Vertical):
    class Checked(Message):
        """One password was looked up: how many breaches list it (never the password)."""

        def __init__(self, breaches: int) -> None:
            super().__init__()
            self.breaches = breaches

    def __init__(self, options: Callable[[], AuditOptions], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.options = options

    def compose(self) -> ComposeResult:
        yield Static(plain(INTRO), classes="panel-intro")
        with Horizontal(classes="pwned-row"):
            yield Input(password=True, placeholder="password to check", id="pwned-password")
            yield Button("Check", id="pwned-check")
        yield Static("", id="pwned-result")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "pwned-check":
            event.stop()
            self.check()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.check()

    def check(self) -> None:
        field = self.query_one("#pwned-password", Input)
        password = field.value
        field.value = ""  # cleared before anything else happens
        result = self.query_one("#pwned-result", Static)
        if not password:
            result.update(plain("Type a password first."))
            return
        try:
            options = self.options()
        except Exception as exc:
            result.update(plain(f"? Could not check: {one_line(exc)}"))
            return
        result.update(plain("Checking…"))
        self._lookup(password, options)

    @work(exclusive=True, exit_on_error=False, group="pwned")
    async def _lookup(self, password: str, options: AuditOptions) -> None:
        result = self.query_one("#pwned-result", Static)
        from auditor.services import Services
        from auditor.standards.accounts.pwned import breach_count

        try:
            async with Services(options) as services:
                endpoint = services.endpoint("pwned_passwords")
                found = await breach_count(services.http, endpoint, password)
        except Exception as exc:
            result.update(plain(f"? Could not check: {type(exc).__name__}"))
            return
        finally:
            password = ""  # the only copy this panel held
        if isinstance(found, int):
            result.update(plain(describe(found)))
            self.post_message(self.Checked(found))
        else:
            result.update(plain(f"? Could not check: {found.message}"))
