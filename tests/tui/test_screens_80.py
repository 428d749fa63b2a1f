"""The app at 80×24 (issue 16): Quit and Help stay in every footer, "How to fix it" is in
reach from the list, a critical finding is dismissed only after a yes, an area's line never
answers "choose a finding first", and the Run screen hides what the reports hide."""

from __future__ import annotations

from typing import Any

import pytest
from textual.geometry import Region
from textual.widgets import ProgressBar, Static, Tree
from textual.widgets._footer import FooterKey
from tui_kit import LONG_MESSAGE, CannedRunner, canned_report, make_app, wait_for

from auditor.engine import AuditPlanned, CheckFinished, CheckStarted, EventSink
from auditor.model import CheckResult, Finding, Report, Severity, Status
from auditor.profile import Profile
from auditor.services import AuditOptions
from auditor.tui.screens.dialogs import ConfirmDialog
from auditor.tui.screens.results import ResultsScreen
from auditor.tui.screens.run import RunScreen
from auditor.tui.widgets.item_list import ItemList


def _footer_keys(app: Any) -> dict[str, Any]:
    return {key.key: key for key in app.screen.query(FooterKey)}


@pytest.mark.parametrize("keys", [(), ("enter",), ("enter", "c")], ids=["run", "results", "list"])
async def test_quit_and_help_stay_in_the_footer_at_80_columns(keys: tuple[str, ...]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.session.report is not None, pilot)
        await pilot.press(*keys)
        await pilot.pause()
        shown = _footer_keys(app)
        for key in ("ctrl+q", "question_mark"):
            assert key in shown, f"{key} is not in the footer of {type(app.screen).__name__}"
            assert shown[key].region.right <= 80 and shown[key].region.width > 0


async def test_how_to_fix_is_reached_from_the_list_without_tab() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.session.report is not None, pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, ResultsScreen)
        panel = app.screen.query_one("#results-detail")
        fix = app.screen.query_one("#results-detail-fix", Static)
        assert "How to fix it" in str(fix.render())
        assert panel.scroll_y == 0
        await pilot.press("pagedown")
        assert panel.scroll_y > 0
        assert isinstance(app.focused, ItemList)  # still in the list
        await pilot.press("pageup", "f")
        await pilot.pause()
        assert panel.scroll_y > 0 and fix.region.y <= panel.region.y + 1  # heading at the top
        assert "PgDn" in str(_footer_keys(app)["pagedown"].render())


async def test_a_critical_finding_is_dismissed_only_after_a_yes() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.session.report is not None, pilot)
        await pilot.press("enter")
        assert app.screen.displayed.severity is Severity.CRITICAL  # type: ignore[attr-defined]
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert not app.session.state.dismissed
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert len(app.session.state.dismissed) == 1
        await pilot.press("d")  # undoing asks nothing
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog) and not app.session.state.dismissed


async def test_headings_are_not_choosable_and_a_finding_line_never_asks_to_choose() -> None:
    app = make_app()
    notes: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.notify = lambda message, **kw: notes.append(str(message))  # type: ignore[method-assign]
        await wait_for(lambda: app.session.report is not None, pilot)
        await pilot.press("enter")
        listing = app.screen.query_one("#results-list", ItemList)
        assert listing.items[0] is None and listing.get_option_at_index(0).disabled
        assert "failed" in str(listing.get_option_at_index(0).prompt)  # the area, in words
        await pilot.press("up")  # the area's line above is skipped: still a finding
        await pilot.press("d", "n")  # on a finding: the confirmation, never "choose"
        await pilot.pause()
        assert listing.current is not None
        assert not any("first" in n or "no finding" in n for n in notes)


async def test_a_long_title_is_read_whole_in_the_list_at_80_columns() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.session.report is not None, pilot)
        await pilot.press("enter")
        listing = app.screen.query_one("#results-list", ItemList)
        assert listing.select_where(lambda f: f.message == LONG_MESSAGE)
        await pilot.pause()
        crop = Region(0, 0, listing.size.width, listing.size.height)
        drawn = " ".join("".join(seg.text for seg in strip) for strip in listing.render_lines(crop))
        words = " ".join(drawn.split())
        assert "that most readers never see" in words  # the end of the title, not cut off


PHONE = "07700 900456"  # in tui_kit's profile


class TargetRunner(CannedRunner):
    """A check whose target carries the person's phone number."""

    async def __call__(
        self, profile: Profile, options: AuditOptions, on_event: EventSink
    ) -> Report:
        report = canned_report()
        target = f"whatsapp {PHONE}"
        finding = Finding("accounts.messaging", Status.MANUAL, Severity.MEDIUM, "PIN?", target)
        result = CheckResult("accounts.messaging", target, (finding,), report.started_at, 0.1)
        on_event(AuditPlanned(1))
        on_event(CheckStarted(result.check_id, target))
        on_event(CheckFinished(result.check_id, target, result))
        return report


async def test_the_run_screen_masks_targets_and_shows_no_bar_until_an_audit_runs() -> None:
    app = make_app(TargetRunner(), demo=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.session.set_profile(canned_profile())
        app.switch_mode("run")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        assert not app.screen.query_one("#run-progress", ProgressBar).display
        app.screen.start()
        await wait_for(lambda: app.session.report is not None, pilot)
        tree = app.screen.query_one("#run-tree", Tree)
        labels = [str(leaf.label) for area in tree.root.children for leaf in area.children]
        assert any("whatsapp" in label for label in labels)
        assert not any("900456" in label for label in labels)
        assert app.screen.query_one("#run-progress", ProgressBar).display


def canned_profile() -> Profile:
    from tui_kit import PROFILE_TOML

    from auditor.profile import parse_profile

    return parse_profile(PROFILE_TOML, "test")
