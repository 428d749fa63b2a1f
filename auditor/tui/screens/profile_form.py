"""Profile: who is audited, as a form; validated by the profile parser, saved 0600."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from auditor.profile import Profile
from auditor.tui.profile_form_data import (
    SENSITIVE_FIELDS,
    TWOFA_CHOICES,
    AccountRow,
    FormError,
    fields_from_profile,
    form_errors,
    private_changes,
    rows_from_profile,
    validate,
)
from auditor.tui.screens.base import AppScreen
from auditor.tui.screens.dialogs import ConfirmDialog
from auditor.tui.text import lines as text_lines
from auditor.tui.text import plain
from auditor.tui.widgets.private_input import PrivateInput

# (key, label, example, a plain-words note or ""), in the order the form shows them; a
# heading starts each group. The first fields keep their order: people learn it.
Field = tuple[str, str, str, str]
GROUPS: tuple[tuple[str, tuple[Field, ...]], ...] = (
    ("Who you are", (
        ("name", "Your name, as on the ballot paper", "Alex Example", ""),
        ("aliases", "Other names you are known by (commas between)", "Cllr Alex Example", ""),
    )),
    ("Private: the audit looks for these on public pages", (
        ("home_lines", "Home address: first lines (private)", "12 Acacia Avenue, Ashcombe", ""),
        ("home_postcode", "Home postcode (private)", "AB1 2CD", ""),
        ("phones", "Personal phone numbers (private)", "07700 900123", ""),
        ("emails", "Personal email addresses (private)", "alex.home@example.com", ""),
        ("home_position", "Where your home is on a map (optional, private)", "51.5072, -0.1276",
         "Why: photos can carry the spot where they were taken, and maps on web pages show a "
         "spot. With your home's position the audit can tell you when one gives your home "
         "away. Copy the two numbers from a map website (right-click your home)."),
    )),
    ("Fine to show", (
        ("office_lines", "Address that is fine to show: agent or party office", "1 High Street",
         ""),
        ("office_postcode", "Its postcode", "AB1 2EF", ""),
    )),
    ("Your campaign online", (
        ("domains", "Campaign domain names", "alexforashcombe.org.uk", ""),
        ("websites", "Campaign websites", "https://www.alexforashcombe.org.uk/", ""),
        ("extra_pages", "Other pages about you to read (not security-checked)",
         "https://www.example-party.org.uk/people/alex",
         "Your party profile, your council page: read for your private details."),
        ("dkim_selectors", "DKIM selectors (only if your IT helper asks)", "google", ""),
    )),
    ("On the ballot paper (optional)", (
        ("party", "Your party", "Example Party",
         "Only used, if you switch on the web search, to tell you apart from namesakes."),
        ("area", "Ward, division or constituency", "Ashcombe Ward", ""),
    )),
)  # fmt: skip
FIELDS = tuple(field for _heading, fields in GROUPS for field in fields)
YES_NO_UNSURE = ((True, "yes"), (False, "no"), (None, "not sure"))


def kept_elsewhere(profile: Profile | None) -> str:
    """What the profile holds that the form does not show (kept as it is when saving)."""
    if profile is None:
        return ""
    kept = []
    if len(profile.home_addresses) > 1:
        kept.append(f"{len(profile.home_addresses) - 1} more home address(es)")
    if len(profile.public_addresses) > 1:
        kept.append(f"{len(profile.public_addresses) - 1} more address(es) fine to show")
    if profile.answers:
        kept.append(
            f"{len(profile.answers)} answer(s) to the audit's questions (change them from the "
            "Results or Checklist)"
        )
    return ("Also kept, not shown here: " + "; ".join(kept) + ".") if kept else ""


def _place(problem: FormError) -> str:
    """The field, or the account row ("account-2"), a problem belongs to."""
    field = problem.field
    return "-".join(field.split("-")[:2]) if field.startswith("account-") else field


class AccountRowWidget(Vertical):
    """One account: the service, the account name, how its sign-in is protected."""

    def __init__(self, number: int, serial: int, row: AccountRow) -> None:
        super().__init__(classes="account-row", id=f"account-{serial}")
        self.number = number
        self.row = row

    def compose(self) -> ComposeResult:
        row = self.row
        yield Label(f"Account {self.number}", classes="account-heading")
        with Horizontal(classes="account-line"):
            yield Input(row.service, placeholder="service: gmail, x…", classes="account-service")
            yield PrivateInput(
                row.handle, placeholder="account name or email", classes="account-handle"
            )
            yield Select(
                [(label, value) for value, label in TWOFA_CHOICES],
                value=row.twofa,
                allow_blank=False,
                compact=True,
                classes="account-twofa",
            )
        with Horizontal(classes="account-line"):
            yield Input(
                row.holder, placeholder="who has the phone or key: me, my agent…",
                classes="account-holder",
            )  # fmt: skip
            yield Checkbox(
                "My main inbox", row.primary_email, compact=True, classes="account-primary",
                tooltip="The inbox that can reset your other accounts' passwords",
            )  # fmt: skip
            yield Checkbox(
                "Shared", row.shared, compact=True, classes="account-shared",
                tooltip="More than one person logs in to it",
            )  # fmt: skip
        with Horizontal(classes="account-line"):
            yield Select(
                [(f"Recovery number public: {w}", v) for v, w in YES_NO_UNSURE],
                value=row.recovery_phone_public, allow_blank=False, compact=True,
                classes="account-recovery",
            )  # fmt: skip
            yield Select(
                [(f"Backup codes on paper: {w}", v) for v, w in YES_NO_UNSURE],
                value=row.backup_codes_offline, allow_blank=False, compact=True,
                classes="account-backup",
            )  # fmt: skip

    def value(self) -> AccountRow:
        if not self.is_mounted or not self.children:  # not drawn yet: as it was given
            return self.row
        twofa = self.query_one(".account-twofa", Select).value
        recovery = self.query_one(".account-recovery", Select).value
        backup = self.query_one(".account-backup", Select).value
        return replace(
            self.row,  # the date the method was checked is kept while it is unchanged
            service=self.query_one(".account-service", Input).value,
            handle=self.query_one(".account-handle", Input).value,
            twofa=twofa if isinstance(twofa, str) else "unknown",
            holder=self.query_one(".account-holder", Input).value,
            primary_email=self.query_one(".account-primary", Checkbox).value,
            shared=self.query_one(".account-shared", Checkbox).value,
            recovery_phone_public=recovery if isinstance(recovery, bool) else None,
            backup_codes_offline=backup if isinstance(backup, bool) else None,
        )

    def part(self, name: str) -> Widget:
        """The widget of one part of the row ("service", "handle", "twofa", "holder")."""
        return self.query_one(f".account-{name}")


class ProfileScreen(AppScreen):
    CSS_PATH = "screens.tcss"  # its rules, loaded when first opened (see app.tcss)
    # The form's own pieces (screens.tcss styles what it shares with other screens).
    DEFAULT_CSS = """
    ProfileScreen .form-heading { margin-top: 1; text-style: bold underline; color: $accent; }
    ProfileScreen .field-note { color: $text-muted; height: auto; }
    ProfileScreen .field-changed { color: $warning; height: auto; display: none; }
    ProfileScreen .field-changed.-shown { display: block; }
    ProfileScreen #form-kept { color: $text-muted; height: auto; }
    ProfileScreen .account-row { height: auto; margin-top: 1; }
    ProfileScreen .account-heading { text-style: italic; }
    ProfileScreen .account-line { height: auto; }
    ProfileScreen .account-line Select { margin-left: 1; }
    ProfileScreen .account-holder { width: 1fr; }
    ProfileScreen .account-line Checkbox { width: auto; margin-left: 1; }
    ProfileScreen .account-recovery, ProfileScreen .account-backup { width: 1fr; }
    ProfileScreen .account-line .account-recovery { margin-left: 0; }
    """
    AUTO_FOCUS = "#field-name"
    SUB_TITLE = "Profile"
    HELP_TITLE = "Profile: who is audited"
    HELP_TEXT = (
        "Only your name is needed; everything else makes the audit more thorough. Private "
        "details (home address, personal phones and emails, account names) are hidden until "
        "you move into the field. They are compared on this computer only and never sent "
        "anywhere. Separate several values with commas. ctrl+s saves the profile to a file "
        "only your user can read. If something needs fixing, nothing is saved and nothing you "
        "typed is lost: every problem is listed at the top of the form and under its field, "
        "and the first one has the cursor. If you change a saved private detail, Save first "
        "says which ones (never the values) and asks. "
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
        self.rows = 0  # account rows made so far (each one's id)
        self.row_widgets: list[AccountRowWidget] = []  # the rows shown, in order
        self.visited: set[str] = set()  # fields left at least once: their problems show
        self.show_all = False  # after a Save: every problem shows
        # What the form held when last loaded or saved: a private field typed over since
        # is named before saving.
        self.baseline: dict[str, str] = {}
        self.baseline_rows: list[AccountRow] = []

    def body(self) -> ComposeResult:
        with VerticalScroll(id="profile-form", can_focus=False):
            yield Static(id="profile-where")
            yield Static(id="form-problems", classes="field-error")
            yield Static(id="form-kept")
            for heading, fields in GROUPS:
                yield Label(heading, classes="form-heading")
                for key, label, example, note in fields:
                    yield Label(label, classes="field-label")
                    if note:
                        yield Static(plain(note), classes="field-note")
                    kind = PrivateInput if key in SENSITIVE_FIELDS else Input
                    yield kind(placeholder=f"e.g. {example}", id=f"field-{key}")
                    if key in SENSITIVE_FIELDS:
                        yield Label("", id=f"changed-{key}", classes="field-changed")
                    yield Label("", id=f"error-{key}", classes="field-error")
            yield Label("Accounts that matter", classes="form-heading")
            yield Static(
                plain(
                    "Your email, social media and messaging accounts: the service, the "
                    "account name, and how you prove it is you after your password."
                ),
                classes="field-note",
            )
            yield Widget(id="accounts")
            yield Label("", id="error-accounts", classes="field-error")
            with Horizontal(classes="form-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Add account", id="add-account")
                yield Button("Save and audit", id="save-audit")
                yield Button("Open another file", id="open-profile")

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        # Focusing the name centres it, which hid the file's name and the first heading:
        # the form opens at its top.
        form = self.query_one("#profile-form", VerticalScroll)
        self.call_after_refresh(form.scroll_home, animate=False)

    def refresh_view(self) -> None:
        profile = self.session.profile
        if self.loaded is profile and self.rows and self.shown_path == self.session.profile_path:
            return
        same_file = self.rows and self.shown_path == self.session.profile_path
        values = fields_from_profile(profile)
        typed, rows_typed = self._values()
        for key, *_about in FIELDS:
            # The profile changed under the form (an answer saved from the Results): what
            # the person typed and has not saved yet stays; the rest shows the new profile.
            if not (same_file and typed[key] != self.baseline.get(key, "")):
                self.query_one(f"#field-{key}", Input).value = values[key]
        self.baseline = {key: values[key] for key, *_about in FIELDS}
        if not (same_file and rows_typed != self.baseline_rows):
            self.query_one("#accounts", Widget).remove_children()
            self.row_widgets = []
            for row in rows_from_profile(profile) or [AccountRow()]:
                self._add_row(row)
        self.baseline_rows = rows_from_profile(profile) or [AccountRow()]
        self.loaded = profile
        self.shown_path = self.session.profile_path
        self._show_where()
        self.query_one("#form-kept", Static).update(plain(kept_elsewhere(profile)))

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
        # ids are never reused: rows being removed stay in the DOM for a moment
        self.rows += 1
        widget = AccountRowWidget(len(self.row_widgets) + 1, self.rows, row)
        self.row_widgets.append(widget)
        self.query_one("#accounts", Widget).mount(widget)

    def action_add_account(self) -> None:
        self._add_row(AccountRow())

    def _values(self) -> tuple[dict[str, str], list[AccountRow]]:
        fields = {key: self.query_one(f"#field-{key}", Input).value for key, *_about in FIELDS}
        rows = [w.value() for w in self.row_widgets]
        return fields, rows

    def _check(self, *, saving: bool = True) -> Profile | None:
        """The profile the form makes, or None with its problems shown. Save shows every
        field's problem (and keeps showing them all, as they are fixed); before the first
        Save, leaving a field shows the problems of the fields visited so far."""
        fields, rows = self._values()
        source = str(self.session.profile_path or "profile")
        problems = form_errors(fields, rows, self.session.profile, source, today=self._today())
        self.show_all = self.show_all or saving
        shown = problems if self.show_all else [p for p in problems if _place(p) in self.visited]
        self._show_problems(shown, summary=self.show_all)
        if not saving:
            return None
        if problems:
            self._focus_field(problems[0].field)
            return None
        return validate(fields, rows, self.session.profile, source, today=self._today())

    def _today(self) -> str:
        """The date a two-step method chosen here is recorded as checked on."""
        return self.session.clock().date().isoformat()

    def _show_problems(self, problems: list[FormError], *, summary: bool) -> None:
        for label in self.query(".field-error").results():
            label.update("")  # type: ignore[attr-defined]
            label.remove_class("-shown")
        under: dict[str, list[str]] = {}
        for problem in problems:
            where = "accounts" if problem.field.startswith("account-") else problem.field
            under.setdefault(where, []).append("✖ " + problem.message)
        for where, lines in under.items():
            shown = self.query_one(f"#error-{where}", Label)
            shown.update(text_lines(*lines))
            shown.add_class("-shown")
        self.query_one("#form-problems", Static).update("")
        if summary and problems:
            count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
            box = self.query_one("#form-problems", Static)
            box.update(text_lines(f"Not saved yet: {count} to fix.",
                                  *("✖ " + p.message for p in problems)))  # fmt: skip
            box.add_class("-shown")

    def _focus_field(self, field: str) -> None:
        if field.startswith("account-"):
            _, number, part = field.split("-", 2)
            rows = self.row_widgets
            if 0 < int(number) <= len(rows):
                rows[int(number) - 1].part(part).focus()
            return
        self.query_one(f"#field-{field}", Input).focus()

    def on_input_blurred(self, event: Input.Blurred) -> None:
        key = event.input.id or ""
        row = next((a for a in event.input.ancestors if isinstance(a, AccountRowWidget)), None)
        if row is not None:
            key = f"account-{self.row_widgets.index(row) + 1}" if row in self.row_widgets else ""
        self.visited.add(key.removeprefix("field-"))
        self._check(saving=False)

    def on_input_changed(self, event: Input.Changed) -> None:
        key = (event.input.id or "").removeprefix("field-")
        if key not in SENSITIVE_FIELDS or not self.baseline.get(key):
            return
        note = self.query_one(f"#changed-{key}", Label)
        changed = private_changes({key: self.baseline[key]}, {key: event.value})
        note.set_class(bool(changed), "-shown")
        note.update(
            "You are changing a saved private detail, hidden on screen: Save asks first."
            if changed
            else ""
        )

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
            self.notify(
                "Not saved: what to fix is listed at the top of the form and under each field.",
                severity="warning",
            )
            return False

        fields, rows = self._values()

        def saved(path: Path | None) -> None:
            self.show_all = False
            self.loaded = self.session.profile
            self.baseline, self.baseline_rows = fields, rows
            for note in self.query(".field-changed").results(Label):
                note.update("")
                note.remove_class("-shown")
            self._drawn_version = self.session.version
            self._show_where()
            if path is None:
                self.notify("Updated for this demo session (the demo's profile is not saved).")
            else:
                self.notify(f"Saved to {path}.")
            if then_audit:
                self.auditor.start_audit()

        changes = private_changes(
            self.baseline, fields,
            [row.handle for row in self.baseline_rows], [row.handle for row in rows],
        )  # fmt: skip
        if not changes:
            self.auditor.save_profile(profile, saved)
            return True

        def answered(yes: bool | None) -> None:
            if yes:
                self.auditor.save_profile(profile, saved)
            else:
                self.notify(
                    "Not saved: the saved details are kept, and what you typed is still here.",
                    severity="warning",
                )

        question = (
            "Saving would change private details that are hidden on screen: "
            + "; ".join(changes)
            + ". Save the new ones in their place?"
        )
        self.app.push_screen(
            ConfirmDialog("Replace saved private details?", question, yes="Save"), answered
        )
        return True

    def action_back(self) -> None:
        self.auditor.go_back("profile")
