"""Snapshots of every screen at 80×24 and 120×40, from a canned audit with a frozen
clock (no times, ports or durations on screen). Update with: pytest --snapshot-update."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input
from tui_kit import (
    GUIDED_KEY,
    LONG_MESSAGE,
    CannedRunner,
    make_app,
    offline_report,
    wait_for,
)

from auditor.questions import answer_key

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def _after_audit(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        app: Any = pilot.app
        await wait_for(lambda: app.session.report is not None, pilot)
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_welcome(snap_compare: Any, size: tuple[int, int]) -> None:
    # a relative path that does not exist: the screen names it, the same on every run
    app = make_app(demo=False, profile_path=Path("no-such-folder/my-profile.toml"))
    assert snap_compare(app, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_run_finished(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=_after_audit())


@pytest.mark.parametrize("size", SIZES)
def test_results(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=_after_audit("enter"))


@pytest.mark.parametrize("size", SIZES)
def test_checklist(snap_compare: Any, size: tuple[int, int]) -> None:
    run_before = _after_audit("enter", "c")
    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


def _on_results(*keys: str, where: Callable[[Any], bool] | None = None) -> Any:
    """After the audit, on Results (at the finding ``where`` picks), then ``keys``."""

    async def run_before(pilot: Pilot[Any]) -> None:
        app: Any = pilot.app
        await wait_for(lambda: app.session.report is not None, pilot)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        if where is not None:
            assert app.screen.query_one("#results-list").select_where(where)
            await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_run_idle(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        pilot.app.switch_mode("run")
        await pilot.pause()

    app = make_app(demo=False, profile_path=Path("no-such-folder/my-profile.toml"))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_results_no_network(snap_compare: Any, size: tuple[int, int]) -> None:
    app = make_app(CannedRunner(report=offline_report))
    assert snap_compare(app, terminal_size=size, run_before=_on_results())


@pytest.mark.parametrize("size", SIZES)
def test_results_long_title_and_how_to_fix(snap_compare: Any, size: tuple[int, int]) -> None:
    pick = _on_results("f", where=lambda f: f.message == LONG_MESSAGE)
    assert snap_compare(make_app(), terminal_size=size, run_before=pick)


@pytest.mark.parametrize("size", SIZES)
def test_answer_dialog(snap_compare: Any, size: tuple[int, int]) -> None:
    pick = _on_results("a", where=lambda f: answer_key(f) == GUIDED_KEY)
    assert snap_compare(make_app(), terminal_size=size, run_before=pick)


@pytest.mark.parametrize("size", SIZES)
def test_dismiss_asks_first(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=_on_results("d"))


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=_on_results("question_mark"))


@pytest.mark.parametrize("size", SIZES)
def test_twofa(snap_compare: Any, size: tuple[int, int]) -> None:
    run_before = _on_results("escape", "t")
    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_profile_form(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press("p")
        await wait_for(lambda: bool(pilot.app.screen.query(".account-row Select")), pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # a blinking cursor would make the picture random
        await pilot.pause()

    app = make_app(demo=False, profile_path=Path("no-such-folder/my-profile.toml"))
    assert snap_compare(app, terminal_size=size, run_before=run_before)
