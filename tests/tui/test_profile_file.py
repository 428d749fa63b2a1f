"""One profile wherever you start (issue 16): the app opens, edits and saves the very TOML
file that 'auditor init' writes and 'auditor scan --profile' reads, and never replaces a
file it did not read (or its comments) without asking."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from textual.widgets import Input, Static
from tui_kit import make_app, wait_for

from auditor.profile import load_profile
from auditor.profile_template import write_template
from auditor.tui.screens.dialogs import ConfirmDialog, ErrorDialog, OpenProfileDialog
from auditor.tui.screens.profile_form import ProfileScreen

FILLED = 'name = "Robin Testcase"\ndomains = ["robinforwardley.example"]\n'


def _status(app: object) -> str:
    return str(app.screen.query_one("#profile-status", Static).render())  # type: ignore[attr-defined]


async def test_the_app_opens_the_profile_it_was_given(tmp_path: Path) -> None:
    path = tmp_path / "my-profile.toml"
    path.write_text(FILLED)
    app = make_app(demo=False, profile_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.session.profile is not None and app.session.profile.name == "Robin Testcase"
        assert "Robin Testcase" in _status(app) and "my-profile.toml" in _status(app)


async def test_a_blank_init_template_opens_the_form_and_saving_asks_about_comments(
    tmp_path: Path,
) -> None:
    path = tmp_path / "my-profile.toml"
    write_template(path)
    before = path.read_text()
    app = make_app(demo=False, profile_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProfileScreen)  # no error dialog for a blank form
        app.screen.query_one("#field-name", Input).value = "Robin Testcase"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # no: the file is left as it is
        await pilot.pause()
        assert path.read_text() == before
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        assert load_profile(path).name == "Robin Testcase"
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        # read and written here since: the next save does not ask again
        app.screen.query_one("#field-name", Input).value = "Robin Q Testcase"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
        assert load_profile(path).name == "Robin Q Testcase"


async def test_a_file_changed_outside_the_app_is_not_replaced_unasked(tmp_path: Path) -> None:
    path = tmp_path / "profile.toml"
    path.write_text(FILLED)
    app = make_app(demo=False, profile_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        await pilot.pause()
        edited = FILLED + '# edited in a text editor meanwhile\nphones = ["07700 900456"]\n'
        path.write_text(edited)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "changed since the app read it" in str(
            app.screen.query_one(".dialog-body", Static).render()
        )
        await pilot.press("escape")
        await pilot.pause()
        assert path.read_text() == edited


async def test_open_action_switches_to_another_profile_file(tmp_path: Path) -> None:
    first = tmp_path / "first.toml"
    first.write_text(FILLED)
    second = tmp_path / "second.toml"
    second.write_text('name = "Sam Second"\n')
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "X"\ndomians = ["a.example"]\n')
    app = make_app(demo=False, profile_path=first)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, OpenProfileDialog)
        app.screen.query_one("#open-path", Input).value = str(broken)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)  # named problem, old profile kept
        assert app.session.profile_path == first and app.session.profile is not None
        await pilot.press("escape", "f")
        await pilot.pause()
        app.screen.query_one("#open-path", Input).value = str(second)
        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, ProfileScreen), pilot)
        assert app.session.profile is not None and app.session.profile.name == "Sam Second"
        assert app.screen.query_one("#field-name", Input).value == "Sam Second"
        assert "second.toml" in str(app.screen.query_one("#profile-where", Static).render())
