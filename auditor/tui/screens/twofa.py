"""Two-factor wizard: for each account, which method is on and who holds it; the
authenticator self-test; the breached-password check."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    Button,
    Input,
    Label,
    OptionList,
    Select,
    Static,
    TabbedContent,
    TabPane,
    Tabs,
)
from textual.widgets.option_list import Option

from auditor.profile import Account
from auditor.tui.profile_form_data import TWOFA_CHOICES, TWOFA_NAMES
from auditor.tui.screens.base import AppScreen
from auditor.tui.text import plain
from auditor.tui.widgets.pwned_panel import PwnedPanel
from auditor.tui.widgets.totp_panel import TotpPanel

ACCOUNTS_INTRO = (
    "For each account, choose how you prove it is you after your password, and who holds "
    "that second step (your phone, your agent's…). Check in the account's security settings "
    "if unsure. Saving records today's date with your answer."
)


def account_label(account: Account) -> Text:
    text = Text(end="", no_wrap=True)
    text.append(plain(f"{account.service:<14} "))
    text.append(plain(TWOFA_NAMES.get(account.twofa, account.twofa)))
    if account.attested_on:
        text.append(plain(f"  (checked {account.attested_on})", style="dim"))
    return text


class TwoFactorScreen(AppScreen):
    CSS_PATH = "screens.tcss"  # its rules, loaded when first opened (see app.tcss)
    SUB_TITLE = "Two-factor wizard"
    HELP_TITLE = "Two-factor wizard"
    HELP_TEXT = (
        "Two-step sign-in stops someone who has your password. Accounts: record which method "
        "each account uses and who holds it. Authenticator test: checks your app and your "
        "phone's clock with a throwaway code. Password check: tells you whether a password "
        "is in known breaches without sending it anywhere. ctrl+t takes you to the tab bar "
        "from anywhere on this screen; the left and right arrows then move between the tabs. "
        "ctrl+s saves the account's answer. Escape goes back to the screen you came from."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+t", "tabs", "Tabs"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def body(self) -> ComposeResult:
        with TabbedContent(id="twofa-tabs"):
            with TabPane("Accounts", id="tab-accounts"), VerticalScroll(can_focus=False):
                yield Static(plain(ACCOUNTS_INTRO), classes="panel-intro")
                yield OptionList(id="twofa-accounts")
                with Vertical(id="twofa-editor"):
                    yield Label("Method", classes="field-label")
                    yield Select(
                        [(label, value) for value, label in TWOFA_CHOICES],
                        allow_blank=False,
                        value="unknown",
                        id="twofa-method",
                    )
                    yield Label(
                        "Who holds the second step (me, my agent, …)", classes="field-label"
                    )
                    yield Input(id="twofa-holder", max_length=60)
                    with Horizontal(classes="form-buttons"):
                        yield Button("Save answer (ctrl+s)", variant="primary", id="twofa-save")
                yield Static("", id="twofa-status")
            with TabPane("Authenticator test", id="tab-totp"), VerticalScroll():
                yield TotpPanel(self.session.clock, id="totp-panel")
            with TabPane("Password check", id="tab-pwned"), VerticalScroll(can_focus=False):
                yield PwnedPanel(self.auditor.audit_options, id="pwned-panel")

    def refresh_view(self) -> None:
        menu = self.query_one("#twofa-accounts", OptionList)
        highlighted = menu.highlighted
        menu.clear_options()
        profile = self.session.profile
        accounts = profile.accounts if profile else ()
        if not accounts:
            self.query_one("#twofa-status", Static).update(
                plain(
                    "No accounts in the profile yet: add them on the Profile screen (p on Welcome)."
                )
            )
            return
        menu.add_options([Option(account_label(a), id=str(i)) for i, a in enumerate(accounts)])
        menu.highlighted = highlighted if highlighted is not None else 0
        self._load(menu.highlighted or 0)

    def _load(self, index: int) -> None:
        profile = self.session.profile
        if profile is None or not 0 <= index < len(profile.accounts):
            return
        account = profile.accounts[index]
        self.query_one("#twofa-method", Select).value = account.twofa
        self.query_one("#twofa-holder", Input).value = account.second_factor_holder

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._load(event.option_index)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#twofa-method", Select).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "twofa-save":
            event.stop()
            self.save()

    def save(self) -> None:
        profile = self.session.profile
        index = self.query_one("#twofa-accounts", OptionList).highlighted
        status = self.query_one("#twofa-status", Static)
        if profile is None or index is None or not 0 <= index < len(profile.accounts):
            status.update(plain("Choose an account first."))
            return
        method = self.query_one("#twofa-method", Select).value
        holder = self.query_one("#twofa-holder", Input).value.strip()
        account = replace(
            profile.accounts[index],
            twofa=method if isinstance(method, str) else "unknown",
            second_factor_holder=holder,
            attested_on=self.session.clock().date().isoformat(),
        )
        accounts = (*profile.accounts[:index], account, *profile.accounts[index + 1 :])
        updated = replace(profile, accounts=accounts)

        def saved(path: Path | None) -> None:
            where = f"saved to {path}" if path else "kept for this demo session"
            status.update(plain(f"✔ {account.service}: {TWOFA_NAMES.get(account.twofa)}, {where}."))
            self.redraw_if_changed()

        self.auditor.save_profile(updated, saved)

    def on_totp_panel_finished(self, event: TotpPanel.Finished) -> None:
        self.session.record_totp_selftest(event.step_offset, event.drift_seconds, event.description)

    def on_pwned_panel_checked(self, event: PwnedPanel.Checked) -> None:
        self.session.record_password_check(event.breaches)

    def on_screen_suspend(self) -> None:
        self.query_one("#totp-panel", TotpPanel).stop()

    def action_tabs(self) -> None:
        self.query_one("#twofa-tabs", TabbedContent).query_one(Tabs).focus()

    def action_save(self) -> None:
        tabs = self.query_one("#twofa-tabs", TabbedContent)
        if tabs.active != "tab-accounts":
            self.notify("ctrl+s saves an account's answer, on the Accounts tab.")
            return
        self.save()

    def action_back(self) -> None:
        self.auditor.go_back("twofa")
