"""Once an audit's outcome is drawn, the app freezes what the audit left alive (its report,
its imports), so the next audit's full collections do not walk it (auditor/heap.py). A full
collection walks exactly what ``gc.get_objects()`` lists; nothing here is timed."""

from __future__ import annotations

import gc

from tui_kit import make_app, wait_for

from auditor.tui.screens.run import RunScreen


def walked_by_a_full_collection(thing: object) -> bool:
    assert gc.is_tracked(thing)
    return any(each is thing for each in gc.get_objects())


async def test_each_audit_in_the_app_leaves_its_report_frozen() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.session.report is not None, pilot)
        await wait_for(lambda: app.heap.settled == 1, pilot)
        first = app.session.report
        assert first is not None and not walked_by_a_full_collection(first)
        assert not walked_by_a_full_collection(first.findings[0])

        await pilot.press("r")  # audit again
        await wait_for(lambda: app.session.report is not first, pilot)
        await wait_for(lambda: app.heap.settled == 2, pilot)
        again = app.session.report
        assert isinstance(app.screen, RunScreen) and not app.screen.running
        assert again is not None and not walked_by_a_full_collection(again)
        assert not walked_by_a_full_collection(again.findings[0])
