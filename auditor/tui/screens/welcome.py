"""Welcome: what the tool does and never sends, and where to start."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from auditor.tui.screens.base import AppScreen
from auditor.tui.text import plain

ABOUT = (
    "Candidate Auditor looks at what your public footprint gives away: your home address, "
    "phone numbers and personal email on web pages, documents and photos; how well your "
    "important accounts are protected; and whether your campaign's email and website are set "
    "up safely. Then it gives you a short to-do list, most urgent first. It runs on this "
    "computer. Your home address, phone numbers, personal emails and passwords are only "
    "compared here and are never sent anywhere."
)

MENU = (
    ("new", "n", "Start a new audit"),
    ("last", "o", "Open the last audit"),
    ("demo", "d", "Try the demo (a fictional candidate, works offline)"),
    ("profile", "p", "Who is audited: your profile"),
    ("open-profile", "f", "Open a profile file (as made by auditor init)"),
    ("twofa", "t", "Two-factor wizard: check your sign-in protection"),
    ("results", "r", "See the results and your to-do list"),
)


class WelcomeScreen(AppScreen):
    AUTO_FOCUS = "#menu"
    SUB_TITLE = "Welcome"
    HELP_TITLE = "Welcome"
    HELP_TEXT = (
        "Start here. A new audit asks who is audited (your profile) the first time, then runs "
        "every check and shows what it found with a to-do list. The demo audits a fictional "
        "candidate on this computer only, so you can see how it works without your own details."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "choose('new')", "New audit"),
        Binding("o", "choose('last')", "Open last"),
        Binding("d", "choose('demo')", "Demo"),
        Binding("p", "choose('profile')", "Profile", show=False),
        Binding("f", "choose('open-profile')", "Open file", show=False),
        Binding("t", "choose('twofa')", "2FA", show=False),
        Binding("r", "choose('results')", "Results", show=False),
        Binding("q", "choose('quit')", "Quit", show=False),
    ]

    def body(self) -> ComposeResult:
        with VerticalScroll(id="welcome", can_focus=False):
            yield Static(
                Text("Check your public footprint before you stand", style="bold"),
                id="welcome-heading",
            )
            yield Static(plain(ABOUT), id="about")
            yield Static(id="profile-status")
            yield OptionList(
                *(
                    Option(Text.assemble((f"{key}  ", "bold"), label), id=name)
                    for name, key, label in MENU
                ),
                id="menu",
            )

    def refresh_view(self) -> None:
        session = self.session
        if session.demo:
            status = "Demo mode: auditing the fictional candidate Alex Marlowe, offline."
        elif session.profile is not None:
            status = f"Profile: {session.profile.label}, from {session.profile_path}."
        else:
            status = (
                f"No profile yet in {session.profile_path}: a new audit starts by asking who "
                "is audited. Made one with 'auditor init FILE'? Open it with f."
            )
        if session.report is not None:
            status += " Results are ready (r)."
        self.query_one("#profile-status", Static).update(plain(status))
        self.query_one("#menu", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_choose(event.option.id or "")

    def action_choose(self, choice: str) -> None:
        app = self.auditor
        if choice == "new":
            app.start_audit()
        elif choice == "last":
            self._open_last()
        elif choice == "demo":
            self._demo()
        elif choice in ("profile", "twofa", "results"):
            app.go(choice)
        elif choice == "open-profile":
            app.ask_open_profile()
        elif choice == "quit":
            app.exit(0)

    def _open_last(self) -> None:
        try:
            found = self.session.open_last()
        except Exception as exc:
            self.auditor.show_error(exc)
            return
        if not found:
            self.auditor.show_message(
                "No saved audit", "There is no earlier audit yet. Start a new one with n."
            )
            return
        self.auditor.go("results")

    def _demo(self) -> None:
        self.auditor.enter_demo()
