"""The app end to end with Pilot: a canned audit through the real screens, and the real
demo world once (start, run, open a finding, tick an item, export)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from textual.widgets import Input, Static, Tree
from tui_kit import HOSTILE, NOW, CannedRunner, make_app, wait_for

from auditor.tui.app import create_app
from auditor.tui.screens.checklist import ChecklistScreen
from auditor.tui.screens.dialogs import ErrorDialog, ExportDialog, MessageDialog
from auditor.tui.screens.help import HelpScreen
from auditor.tui.screens.results import ResultsScreen
from auditor.tui.screens.run import RunScreen
from auditor.tui.session import MemoryStore
from auditor.tui.widgets.item_list import ItemList


def _text(app: object, selector: str) -> str:
    widget = app.screen.query_one(selector, Static)  # type: ignore[attr-defined]
    return str(widget.render())


async def test_demo_mode_runs_straight_away_and_shows_results() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.session.report is not None, pilot)
        assert isinstance(app.screen, RunScreen)
        assert "Finished" in _text(app, "#run-status")
        tree = app.screen.query_one("#run-tree", Tree)
        labels = [str(leaf.label) for cat in tree.root.children for leaf in cat.children]
        assert any(label.startswith("✖ fail") and "Home address" in label for label in labels)
        assert any(label.startswith("? could not check") for label in labels)
        await pilot.press("enter")
        assert isinstance(app.screen, ResultsScreen)
        detail = _text(app, "#results-detail-text")
        assert "Your home address is published on this page." in detail
        assert "Why it matters" in detail and "How to fix it" in _text(app, "#results-detail-fix")
        assert "[hidden]" in detail and "Quarry Lane" not in detail  # masked by default
        await pilot.press("v")
        assert "7 Quarry Lane" in _text(app, "#results-detail-text")
        await pilot.press("d", "y")  # critical: dismissed after a yes
        assert app.session.state.dismissed  # by fingerprint
        await pilot.press("d")
        assert not app.session.state.dismissed


async def test_attacker_text_is_shown_literally() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: app.session.report is not None, pilot)
        await pilot.press("enter")
        listing = app.screen.query_one("#results-list", ItemList)
        assert listing.select_where(lambda f: f.check_id == "web.headers")
        await pilot.pause()
        detail = _text(app, "#results-detail-text")
        assert "[bold red]FAKE PASS[/]" in detail  # not parsed as markup
        assert "\x1b" not in detail and "\x07" not in detail
        assert "\ufffd[2J" in detail
        assert HOSTILE not in detail


async def test_checklist_tick_filter_and_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.session.report is not None, pilot)
        await pilot.press("enter", "c")
        assert isinstance(app.screen, ChecklistScreen)
        await pilot.pause()
        listing = app.screen.query_one("#checklist-list", ItemList)
        first = listing.current
        assert first is not None
        assert first.id == "exposure.remove-home-address"  # most urgent first
        await pilot.press("space")
        assert app.session.state.ticked == {"exposure.remove-home-address": NOW.isoformat()}
        await pilot.pause()
        listing = app.screen.query_one("#checklist-list", ItemList)
        assert listing.current is not None
        assert listing.current.id == "exposure.open-register-opt-out"  # stays on its row
        assert listing.select_where(lambda i: i.id == "exposure.remove-home-address")
        assert listing.highlighted is not None
        prompt = str(listing.get_option_at_index(listing.highlighted).prompt)
        assert prompt.startswith("[x] done")
        await pilot.press("space")
        assert app.session.state.ticked == {}
        await pilot.press("slash", *"dmarc")
        listing = app.screen.query_one("#checklist-list", ItemList)
        shown = [item.id for item in listing.entries()]
        assert shown == ["email.dmarc-enforce"]
        await pilot.press("escape")  # clears the filter
        assert app.screen.query_one("#checklist-filter", Input).value == ""
        await pilot.press("e")
        assert isinstance(app.screen, ExportDialog)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        written = tmp_path / "candidate-audit-demo.md"
        assert written.exists()
        assert stat.S_IMODE(os.stat(written).st_mode) == 0o600
        text = written.read_text()
        assert "Robin Testcase" in text and "7 Quarry Lane" not in text
        assert str(written) in _text(app, ".dialog-body")


async def test_cancel_marks_the_audit_cancelled_and_saves_nothing() -> None:
    store = MemoryStore()
    app = make_app(CannedRunner(hold=True), store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: isinstance(app.screen, RunScreen) and app.screen.done >= 1, pilot)
        await pilot.press("escape")
        await wait_for(lambda: app.session.cancelled, pilot)
        assert app.session.report is None and store.reports == {}
        assert "cancelled" in _text(app, "#run-status")
        assert not app.screen.running  # type: ignore[attr-defined]


async def test_a_failing_audit_is_a_dialog_not_a_crash() -> None:
    app = make_app(CannedRunner(fail="resolver exploded\nwith a second line"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: isinstance(app.screen, ErrorDialog), pilot)
        await pilot.pause()
        assert _text(app, ".dialog-body") == "The audit stopped: resolver exploded"
        await pilot.press("enter")
        assert isinstance(app.screen, RunScreen)
        assert app.is_running


async def test_help_and_command_palette_commands() -> None:
    app = make_app(demo=False, profile_path=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Go to: Checklist" in titles and "Start a new audit" in titles
        app.go("checklist")
        await pilot.pause()
        assert "No audit yet" in _text(app, "#checklist-summary")


async def test_new_audit_without_profile_opens_the_form_and_saves_0600(tmp_path: Path) -> None:
    path = tmp_path / "profile.toml"
    app = make_app(demo=False, profile_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        assert app.screen.query_one("#field-name", Input).has_focus
        await pilot.press(*"Robin", "tab", "tab", "tab", "tab", *"12345", "ctrl+s")
        await pilot.pause()
        assert "is not a phone number" in str(app.screen.query_one("#error-phones").render())
        assert not path.exists()
        phones = app.screen.query_one("#field-phones", Input)
        phones.value = "07700 900456"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert app.session.profile is not None and app.session.profile.phones == ("+447700900456",)
        assert phones.has_focus and not phones.password  # shown while focused
        await pilot.press("tab")
        assert phones.password  # masked again once it lost the focus


async def test_the_real_demo_world_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """auditor demo as a person would use it: start, run, open a finding, tick, export."""
    monkeypatch.chdir(tmp_path)
    app = create_app(demo=True, store=MemoryStore())
    async with app.run_test(size=(80, 24)) as pilot:
        # The demo searches its fictional web for the name: the app asks first (issue 14).
        await wait_for(lambda: bool(app.screen.query("#consent-text")), pilot, timeout=60)
        await pilot.press("y")
        await wait_for(lambda: app.session.report is not None, pilot, timeout=60)
        assert app.demo_world is not None
        report = app.session.report
        assert report is not None and report.subject == "Alex Marlowe"
        assert any(f.status.is_problem for f in report.findings)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        await pilot.press("down")
        assert "What was found" in _text(app, "#results-detail-text")
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("space")
        assert len(app.session.state.ticked) == 1
        await pilot.press("e", "enter")
        await pilot.pause()
        exported = list(tmp_path.glob("candidate-audit-*.md"))
        assert len(exported) == 1 and stat.S_IMODE(os.stat(exported[0]).st_mode) == 0o600
        world = app.demo_world
    assert app.demo_world is None and world is not None  # stopped on exit


def test_run_app_turns_a_failure_into_one_line_and_exit_code_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import auditor.tui.app as app_module

    def broken(**_: object) -> None:
        raise RuntimeError("no terminal here\nTraceback (most recent call last): ...")

    monkeypatch.setattr(app_module, "create_app", broken)
    assert app_module.run_app() == 2
    err = capsys.readouterr().err
    assert err == "auditor: the app stopped: no terminal here\n"
