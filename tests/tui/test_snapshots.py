"""Snapshots of the main screens at 80×24 and 120×40, from a canned audit with a frozen
clock (no times, ports or durations on screen). Update with: pytest --snapshot-update."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from tui_kit import make_app, wait_for

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
