"""The profile form (issue 16): every problem shown at once on Save, each naming its field,
nothing typed lost; the fields the profile has are in the form; saved 0600 in a 0700
folder, never over a file the person did not choose."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Label, Static
from tui_kit import make_app, wait_for

from auditor.tui.screens.profile_form import ProfileScreen

BAD = {
    "name": "",
    "phones": "07700 900456, 12345",
    "home_lines": "7 Quarry Lane",
    "home_postcode": "not a postcode",
    "emails": "robin at home",
    "websites": "ftp://robinforwardley.example",
}


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
            "Home postcode: 'not a postcode' is not a UK postcode",
            "Personal phone numbers: '12345' is not a phone number",
            "Personal email addresses: 'robin at home' is not an email address",
            "Campaign websites: 'ftp://robinforwardley.example'",
        ):
            assert named in summary
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
