"""App exports are the CLI's reports (issue 16): the same writers with the checklist, the
ticks and the score table, every format (CSV too), and a file that exists is replaced only
after a yes."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Select
from tui_kit import PROFILE_TOML, make_app, wait_for

from auditor.actions import load_actions
from auditor.cli import main
from auditor.profile import parse_profile, save_profile
from auditor.tui.screens.dialogs import ConfirmDialog, ExportDialog, MessageDialog
from auditor.tui.session import default_store
from auditor.wording import DETAILS_HEADING, URGENCY_WORDS
from reports.formats import ReportFormat


async def _export(app: object, pilot: object, fmt: str, path: Path) -> None:
    await pilot.press("e")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, ExportDialog)
    screen.query_one("#format", Select).value = fmt
    await pilot.pause()  # type: ignore[attr-defined]
    screen.query_one("#path", Input).value = str(path)
    await pilot.press("enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


@pytest.mark.parametrize("fmt", ["markdown", "json", "csv", "html", "briefing"])
async def test_an_app_export_equals_the_cli_report_of_the_same_audit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # one history for both
    profile = tmp_path / "my-profile.toml"
    save_profile(parse_profile(PROFILE_TOML, "test"), profile)
    exported = tmp_path / f"from-the-app{ReportFormat(fmt).suffix}"
    app = make_app(demo=False, profile_path=profile, store=default_store(), actions=load_actions())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await wait_for(lambda: app.session.report is not None, pilot)
        await pilot.press("enter", "c", "space")  # tick the first item
        await pilot.pause()
        assert app.session.state.ticked
        await _export(app, pilot, fmt, exported)
        assert isinstance(app.screen, MessageDialog)
    from_cli = tmp_path / f"from-the-cli{ReportFormat(fmt).suffix}"
    assert main(["report", "--format", fmt, "-o", str(from_cli)]) in (0, 1)
    capsys.readouterr()
    app_text, cli_text = exported.read_text(), from_cli.read_text()
    assert app_text == cli_text
    ticked = app.session.checklist()
    assert ticked is not None
    title = next(i.action.title for i in ticked.items if i.id in app.session.state.ticked)
    if fmt not in ("csv", "briefing"):  # CSV: a row per finding; the briefing: page one only
        assert title in app_text  # the checklist is in it
    if fmt == "markdown":
        assert "## What to do" in app_text and f"- [x] **{title}** — ticked as done" in app_text
    if fmt in ("markdown", "html", "briefing"):  # in the detail pane's words (issue 16)
        assert any(f"{words}" in app_text for words in URGENCY_WORDS.values())
        assert "critical severity" not in app_text and "found for certain" not in app_text
    if fmt in ("markdown", "html"):
        assert DETAILS_HEADING in app_text


async def test_exporting_over_a_file_asks_first(tmp_path: Path) -> None:
    existing = tmp_path / "report.md"
    existing.write_text("keep me")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.session.report is not None, pilot)
        await pilot.press("enter")
        await _export(app, pilot, "markdown", existing)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert existing.read_text() == "keep me"
        await _export(app, pilot, "csv", existing.with_suffix(".csv"))  # a new file: no question
        assert isinstance(app.screen, MessageDialog)
        await pilot.press("escape")
        await _export(app, pilot, "markdown", existing)
        await pilot.press("y")
        await pilot.pause()
        assert existing.read_text() != "keep me" and "Robin Testcase" in existing.read_text()
