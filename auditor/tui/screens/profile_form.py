"""Profile: who is audited, as a form; validated by the profile parser, saved 0600."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from auditor.profile import Profile, ProfileError
from auditor.tui.profile_form_data import (
    SENSITIVE_FIELDS,
    TWOFA_CHOICES,
    AccountRow,
    field_for,
    fields_from_profile,
    fix_text,
    rows_from_profile,
    validate,
)
from auditor.tui.screens.base import AppScreen
from auditor.tui.text import plain
from auditor.tui.widgets.private_input import PrivateInput

FIELDS = (
    ("name", "Your name, as on the ballot paper", "Alex Example"),
    ("aliases", "Other names you are known by (commas between)", "Cllr Alex Example"),
    ("home_lines", "Home address: first lines (private)", "12 Acacia Avenue, Ashcombe"),
    ("home_postcode", "Home postcode (private)", "AB1 2CD"),
    ("phones", "Personal phone numbers (private)", "07700 900123"),
    ("emails", "Personal email addresses (private)", "alex.home@example.com"),
    ("office_lines", "Address that is fine to show: agent or party office", "1 High Street"),
    ("office_postcode", "Its postcode", "AB1 2EF"),
    ("domains", "Campaign domain names", "alexforashcombe.org.uk"),
    ("websites", "Campaign websites", "https://www.alexforashcombe.org.uk/"),
)


class AccountRowWidget(Horizontal):
    def __init__(self, number: int, row: AccountRow) -> None:
        super().__init__(classes="account-row", id=f"account-{number}")
        self.number = number
        self.row = row

    def compose(self) -> ComposeResult:
        yield Input(self.row.service, placeholder="service: gmail, x…", classes="account-service")
        yield PrivateInput(
            self.row.handle, placeholder="account name or email", classes="account-handle"
        )
        yield Select(
            [(label, value) for value, label in TWOFA_CHOICES],
            value=self.row.twofa,
            allow_blank=False,
            classes="account-twofa",
        )

    def value(self) -> AccountRow:
        twofa = self.query_one(".account-twofa", Select).value
        return AccountRow(
            self.query_one(".account-service", Input).value,
            self.query_one(".account-handle", Input).value,
            twofa if isinstance(twofa, str) else "unknown",
        )


class ProfileScreen(AppScreen):
    AUTO_FOCUS = "#field-name"
    SUB_TITLE = "Profile"
    HELP_TITLE = "Profile: who is audited"
    HELP_TEXT = (
        "Only your name is needed; everything else makes the audit more thorough. Private "
        "details (home address, personal phones and emails, account names) are hidden until "
        "you move into the field. They are compared on this computer only and never sent "
        "anywhere. Separate several values with commas. ctrl+s saves the profile to a file "
        "only your user can read; a problem is shown under the field with how to fix it. "
        "It is the same TOML file that 'auditor init' writes and 'auditor scan --profile' "
        "reads; without --profile the app uses the one in your user config folder "
        "(~/.config/candidate-auditor/profile.toml on Linux). ctrl+o opens another file."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+a", "add_account", "Add account"),
        Binding("ctrl+o", "open", "Open file"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loaded: Profile | None = None
        self.shown_path: Path | None = None
        self.rows = 0

    def body(self) -> ComposeResult:
        with VerticalScroll(id="profile-form", can_focus=False):
            yield Static(id="profile-where")
            for key, label, example in FIELDS:
                yield Label(label, classes="field-label")
                kind = PrivateInput if key in SENSITIVE_FIELDS else Input
                yield kind(placeholder=f"e.g. {example}", id=f"field-{key}")
                yield Label("", id=f"error-{key}", classes="field-error")
            yield Label(
                "Accounts that matter (service, account, two-step method)", classes="field-label"
            )
            yield Widget(id="accounts")
            yield Label("", id="error-accounts", classes="field-error")
            with Horizontal(classes="form-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Add account", id="add-account")
                yield Button("Save and audit", id="save-audit")
                yield Button("Open another file", id="open-profile")

    def refresh_view(self) -> None:
        profile = self.session.profile
        if self.loaded is profile and self.rows and self.shown_path == self.session.profile_path:
            return
        self.loaded = profile
        self.shown_path = self.session.profile_path
        for key, value in fields_from_profile(profile).items():
            self.query_one(f"#field-{key}", Input).value = value
        box = self.query_one("#accounts", Widget)
        box.remove_children()
        rows = rows_from_profile(profile) or [AccountRow()]
        self.rows = 0
        for row in rows:
            self._add_row(row)
        self._show_where()

    def _show_where(self) -> None:
        where = self.session.profile_path
        text = (
            f"Profile file: {where} (only you can read it). ctrl+o opens another."
            if where and where.exists()
            else f"Will be saved to {where} (ctrl+o opens another file)."
            if where
            else "The demo's profile is not saved."
        )
        self.query_one("#profile-where", Static).update(plain(text))

    def _add_row(self, row: AccountRow) -> None:
        self.rows += 1
        self.query_one("#accounts", Widget).mount(AccountRowWidget(self.rows, row))

    def action_add_account(self) -> None:
        self._add_row(AccountRow())

    def _values(self) -> tuple[dict[str, str], list[AccountRow]]:
        fields = {key: self.query_one(f"#field-{key}", Input).value for key, _l, _e in FIELDS}
        rows = [w.value() for w in self.query(AccountRowWidget)]
        return fields, rows

    def _check(self, *, focus: bool = True) -> Profile | None:
        for label in self.query(".field-error").results(Label):
            label.update("")
            label.remove_class("-shown")
        fields, rows = self._values()
        source = str(self.session.profile_path or "profile")
        try:
            return validate(fields, rows, self.session.profile, source)
        except ProfileError as exc:
            self._show_error(exc, rows, focus=focus)
            return None

    def _show_error(self, error: ProfileError, rows: list[AccountRow], *, focus: bool) -> None:
        field = field_for(error)
        message = plain("✖ " + fix_text(error))
        if field.startswith("account-"):
            number = int(field.split("-")[1])
            filled = [i for i, r in enumerate(rows, 1) if r.service.strip() or r.handle.strip()]
            row = filled[number - 1] if 0 < number <= len(filled) else 1
            shown = self.query_one("#error-accounts", Label)
            shown.update(plain(f"✖ account {row}: ") + message)
            shown.add_class("-shown")
            if focus:
                self.query_one(f"#account-{row} Input").focus()
            return
        shown = self.query_one(f"#error-{field}", Label)
        shown.update(message)
        shown.add_class("-shown")
        if focus:
            self.query_one(f"#field-{field}", Input).focus()

    def on_input_blurred(self, event: Input.Blurred) -> None:
        if self.session.profile is not None or event.value:
            self._check(focus=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "add-account":
            self.action_add_account()
        elif event.button.id == "save":
            self.action_save()
        elif event.button.id == "save-audit":
            self.action_save(then_audit=True)
        elif event.button.id == "open-profile":
            self.auditor.ask_open_profile()

    def action_open(self) -> None:
        self.auditor.ask_open_profile()

    def action_save(self, then_audit: bool = False) -> bool:
        profile = self._check()
        if profile is None:
            self.notify("Not saved: see the message under the field.", severity="warning")
            return False

        def saved(path: Path | None) -> None:
            self.loaded = self.session.profile
            self._drawn_version = self.session.version
            self._show_where()
            if path is None:
                self.notify("Updated for this demo session (the demo's profile is not saved).")
            else:
                self.notify(f"Saved to {path}.")
            if then_audit:
                self.auditor.start_audit()

        self.auditor.save_profile(profile, saved)
        return True

    def action_back(self) -> None:
        self.auditor.go_back("profile")
