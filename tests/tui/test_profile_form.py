"""The profile form (issue 16): every problem shown at once on Save, each naming its field,
nothing typed lost; the fields the profile has are in the form; saved 0600 in a 0700
folder, never over a file the person did not choose."""

from __future__ import annotations

import os
import stat
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Label, Select, Static
from tui_kit import NOW, make_app, wait_for

from auditor.profile import Account, load_profile
from auditor.tui.screens.dialogs import ConfirmDialog
from auditor.tui.screens.profile_form import ProfileScreen

BAD = {
    "name": "",
    "phones": "07700 900456, 12345",
    "home_lines": "7 Quarry Lane",
    "home_postcode": "not a postcode",
    "emails": "robin at home",
    "websites": "ftp://robinforwardley.example",
}

FULL_TOML = """# my own note
name = "Robin Testcase"
phones = ["07700 900456"]
extra_pages = ["https://party.example/robin"]

[[home]]
lines = ["7 Quarry Lane", "Wardley"]
postcode = "WA1 2BC"
latitude = 53.4808
longitude = -2.2426

[[home]]
label = "flat in town"
lines = ["Flat 2, 9 Mill Street", "Wardley"]
postcode = "WA1 3DE"

[[account]]
service = "gmail"
handle = "robin.campaign@gmail.com"
twofa = "sms"
attested_on = 2026-01-05
shared = true
backup_codes_offline = false
second_factor_holder = "me"

[answers."exposure.guided.open-register"]
answer = "yes"
answered_on = 2026-03-01
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o600)
    return path


def _text(app: object, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


async def _open_form(pilot: object, app: object) -> None:
    await pilot.press("p")  # type: ignore[attr-defined]
    await wait_for(lambda: isinstance(app.screen, ProfileScreen), pilot)  # type: ignore[attr-defined]
    await wait_for(lambda: bool(app.screen.query(".account-row")), pilot)  # type: ignore[attr-defined]


async def test_save_shows_every_problem_at_once_and_keeps_what_was_typed(tmp_path: Path) -> None:
    path = tmp_path / "profile.toml"
    app = make_app(demo=False, profile_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_form(pilot, app)
        for key, value in BAD.items():
            app.screen.query_one(f"#field-{key}", Input).value = value
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not path.exists()
        summary = _text(app, "#form-problems")
        assert "5 problems" in summary
        for named in (
            "Your name: is empty",
            "Home postcode: is not a UK postcode",
            "Personal phone numbers: the 2nd is not a phone number",
            "Personal email addresses: the 1st is not an email address",
            "Campaign websites: 'ftp://robinforwardley.example'",
        ):
            assert named in summary
        # what was typed in a private field is never repeated in a message (a public one is)
        for private in ("not a postcode", "12345", "robin at home"):
            assert private not in summary
        # one line each, and each also under its own field
        assert len(summary.splitlines()) == 6
        for key in ("name", "home_postcode", "phones", "emails", "websites"):
            under = app.screen.query_one(f"#error-{key}", Label)
            assert under.has_class("-shown") and "✖" in str(under.render())
        assert not app.screen.query_one("#error-home_lines", Label).has_class("-shown")
        # nothing typed is lost, and the first field to fix has the focus
        for key, value in BAD.items():
            assert app.screen.query_one(f"#field-{key}", Input).value == value
        assert app.screen.query_one("#field-name", Input).has_focus
        # fixing one takes its line away at once; the others stay listed
        app.screen.query_one("#field-name", Input).value = "Robin Testcase"
        await pilot.press("tab")
        await pilot.pause()
        assert "4 problems" in _text(app, "#form-problems")
        assert not app.screen.query_one("#error-name", Label).has_class("-shown")
        assert not path.exists()


async def test_leaving_a_field_shows_only_the_problems_of_fields_visited() -> None:
    app = make_app(demo=False, profile_path=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_form(pilot, app)
        app.screen.query_one("#field-websites", Input).value = "ftp://x"
        app.screen.query_one("#field-phones", Input).focus()
        await pilot.press(*"12345", "tab")
        await pilot.pause()
        assert app.screen.query_one("#error-phones", Label).has_class("-shown")
        # not visited yet: not shown before Save
        assert not app.screen.query_one("#error-websites", Label).has_class("-shown")
        assert not app.screen.query_one("#form-problems", Static).has_class("-shown")


async def test_every_field_the_profile_has_is_saved_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "new-folder" / "profile.toml"
    app = make_app(demo=False, profile_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_form(pilot, app)
        values = {
            "name": "Robin Testcase",
            "home_lines": "7 Quarry Lane, Wardley",
            "home_postcode": "wa1 2bc",
            "home_position": "53.4808, -2.2426",
            "extra_pages": "https://party.example/people/robin, https://council.example/cllr",
            "dkim_selectors": "google",
            "party": "Example Party",
            "area": "Wardley Ward",
        }
        for key, value in values.items():
            app.screen.query_one(f"#field-{key}", Input).value = value
        row = app.screen.query_one(".account-row")
        row.query_one(".account-service", Input).value = "gmail"
        row.query_one(".account-handle", Input).value = "robin.campaign@gmail.com"
        row.query_one(".account-twofa", Select).value = "totp"
        row.query_one(".account-holder", Input).value = "my agent"
        row.query_one(".account-primary", Checkbox).value = True
        row.query_one(".account-recovery", Select).value = False
        row.query_one(".account-backup", Select).value = True
        await pilot.press("ctrl+s")
        await wait_for(path.exists, pilot)
        assert not app.screen.query_one("#form-problems", Static).has_class("-shown")
    saved = load_profile(path)
    home = saved.home_addresses[0]
    assert (home.latitude, home.longitude) == (53.4808, -2.2426)
    assert home.lines == ("7 Quarry Lane", "Wardley") and home.postcode == "WA1 2BC"
    assert saved.extra_pages == (
        "https://party.example/people/robin",
        "https://council.example/cllr",
    )
    assert (saved.dkim_selectors, saved.party, saved.area) == (
        ("google",), "Example Party", "Wardley Ward",
    )  # fmt: skip
    assert saved.accounts == (
        Account(
            "gmail", "robin.campaign@gmail.com", "totp", "my agent", NOW.date().isoformat(),
            primary_email=True, recovery_phone_public=False, backup_codes_offline=True,
        ),
    )  # fmt: skip
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


async def test_the_form_shows_a_saved_profile_and_saving_keeps_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "profile.toml"
    original = load_profile(_write(path, FULL_TOML))
    app = make_app(demo=False, profile_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_form(pilot, app)
        screen = app.screen
        assert screen.query_one("#field-home_position", Input).value == "53.4808, -2.2426"
        assert screen.query_one("#field-extra_pages", Input).value == "https://party.example/robin"
        row = screen.query_one(".account-row")
        assert row.query_one(".account-shared", Checkbox).value is True
        assert row.query_one(".account-backup", Select).value is False
        kept = str(screen.query_one("#form-kept", Static).render())
        assert "1 more home address" in kept and "1 answer" in kept
        await pilot.press("ctrl+s")
        await pilot.pause()
        if isinstance(app.screen, ConfirmDialog):  # the file's comments would be dropped
            await pilot.press("y")
        await wait_for(lambda: path.read_text() != FULL_TOML, pilot)
    again = load_profile(path)
    assert replace(again, notes=(), source="") == replace(original, notes=(), source="")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_every_field_fits_the_width_at_both_sizes(size: tuple[int, int]) -> None:
    app = make_app(demo=False, profile_path=None)
    async with app.run_test(size=size) as pilot:
        await _open_form(pilot, app)
        form = app.screen.query_one("#profile-form")
        for key in BAD:  # with problems shown too: they wrap, never run off the edge
            app.screen.query_one(f"#field-{key}", Input).value = BAD[key]
        await pilot.press("ctrl+s")
        await pilot.pause()
        widgets = list(form.query("Label, Static, Input, Select, Checkbox, Button"))
        assert len(widgets) > 40
        for widget in widgets:
            if not widget.display:
                continue
            form.scroll_to_widget(widget, animate=False)
            await pilot.pause()
            region = widget.region
            assert region.height > 0, widget
            assert region.width == widget.outer_size.width, widget  # not cut at the right
            assert region.right <= size[0] - 2, widget  # and clear of the scroll bar
        for select in form.query(Select):
            shown = next(str(label) for label, value in select._options if value == select.value)
            assert len(shown) + 2 <= select.content_size.width, shown  # the choice reads whole


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def _focused_on(selector: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _open_form(pilot, pilot.app)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # a blinking cursor would make the picture random
        await pilot.pause()
        widget = pilot.app.screen.query_one(selector)
        widget.focus(scroll_visible=False)  # scrolled here, without animation
        pilot.app.screen.query_one("#profile-form").scroll_to_center(widget, animate=False)
        await pilot.pause()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_home_position_and_why(snap_compare: Any, size: tuple[int, int]) -> None:
    app = make_app(demo=False, profile_path=Path("no-such-folder/my-profile.toml"))
    run_before = _focused_on("#field-home_position")
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_account_with_its_flags(snap_compare: Any, size: tuple[int, int]) -> None:
    app = make_app(demo=False, profile_path=Path("no-such-folder/my-profile.toml"))
    run_before = _focused_on(".account-backup")
    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_typing_over_a_hidden_private_detail_is_said_and_asked_before_saving(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path / "profile.toml", FULL_TOML.replace("# my own note\n", ""))
    before = path.read_text()
    app = make_app(demo=False, profile_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_form(pilot, app)
        phones = app.screen.query_one("#field-phones", Input)
        assert phones.password  # hidden until the cursor is in it
        note = app.screen.query_one("#changed-phones", Label)
        assert not note.has_class("-shown")
        phones.focus()
        phones.value = ""
        await pilot.press(*"07700 900999", "tab")
        assert note.has_class("-shown") and "Save asks first" in str(note.render())
        # a new detail in an empty private field is not a replacement: not asked about
        app.screen.query_one("#field-emails", Input).value = "robin.home@example.com"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        question = str(app.screen.query_one(".dialog-body", Static).render())
        assert "Personal phone numbers: 1 added, 1 removed" in question
        assert "email" not in question.lower()
        assert "900999" not in question and "900456" not in question  # no value shown
        await pilot.press("n")
        await pilot.pause()
        assert path.read_text() == before  # the saved number is kept
        assert isinstance(app.screen, ProfileScreen)
        assert app.screen.query_one("#field-phones", Input).value == "07700 900999"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await wait_for(lambda: path.read_text() != before, pilot)
        assert load_profile(path).phones == ("+447700900999",)
        assert not note.has_class("-shown")
        # saved: the next Save has nothing private to ask about
        app.screen.query_one("#field-name", Input).value = "Robin Q Testcase"
        await pilot.press("ctrl+s")
        await wait_for(lambda: load_profile(path).name == "Robin Q Testcase", pilot)
        assert isinstance(app.screen, ProfileScreen)


async def test_a_hidden_form_pasted_back_is_never_saved(tmp_path: Path) -> None:
    path = _write(tmp_path / "profile.toml", FULL_TOML.replace("# my own note\n", ""))
    before = path.read_text()
    app = make_app(demo=False, profile_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_form(pilot, app)
        app.screen.query_one("#field-home_postcode", Input).value = "•••••••"
        app.screen.query_one("#field-emails", Input).value = "[hidden]"
        app.screen.query_one(".account-handle", Input).value = "robin.••••@gmail.com"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ProfileScreen) and path.read_text() == before
        summary = _text(app, "#form-problems")
        assert "3 problems" in summary
        assert "Home postcode: holds a hidden form" in summary
        assert "Personal email addresses: holds a hidden form" in summary
        assert "Account 1, account name: holds a hidden form" in summary
        assert app.screen.query_one("#field-home_postcode", Input).has_focus


async def test_what_was_typed_survives_the_profile_changing_under_the_form(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path / "profile.toml", FULL_TOML)
    app = make_app(demo=False, profile_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_form(pilot, app)
        app.screen.query_one("#field-aliases", Input).value = "Cllr Robin"
        profile = app.session.profile
        assert profile is not None
        # as the answer dialog does: a new profile object, saved elsewhere in the app
        app.session.set_profile(replace(profile, party="New Party"))
        app.screen.redraw_if_changed()  # type: ignore[attr-defined]
        await pilot.pause()
        assert app.screen.query_one("#field-aliases", Input).value == "Cllr Robin"
        assert app.screen.query_one("#field-party", Input).value == "New Party"
