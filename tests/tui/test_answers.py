"""Guided questions answered where they are asked (issue 16): a "to answer" finding is
answered in the app, and the answer, dated, is in the profile file the CLI reads."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from textual.widgets import Input, Static
from tui_kit import GUIDED_KEY, PROFILE_TOML, canned_report, make_app, wait_for

from auditor.actions import load_actions
from auditor.model import Evidence
from auditor.profile import load_profile, parse_profile, save_profile
from auditor.questions import answer_key
from auditor.tui.screens.answer import AnswerDialog
from auditor.tui.screens.checklist import ChecklistScreen
from auditor.tui.screens.results import ResultsScreen
from auditor.tui.widgets.detail import finding_detail
from auditor.tui.widgets.item_list import ItemList


def _profile_file(tmp_path: Path) -> Path:
    path = tmp_path / "my-profile.toml"
    save_profile(parse_profile(PROFILE_TOML, "test"), path)  # no comments: saving asks nothing
    return path


def _detail(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def _results_on_question(app: Any, pilot: Any) -> None:
    await pilot.press("n")  # Welcome: start a new audit of the profile
    await wait_for(lambda: app.session.report is not None, pilot)
    await pilot.press("enter")
    assert isinstance(app.screen, ResultsScreen)
    listing = app.screen.query_one("#results-list", ItemList)
    assert listing.select_where(lambda f: answer_key(f) == GUIDED_KEY)
    await pilot.pause()


async def test_a_guided_question_answered_in_results_is_saved_to_the_profile_file(
    tmp_path: Path,
) -> None:
    path = _profile_file(tmp_path)
    app = make_app(demo=False, profile_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _results_on_question(app, pilot)
        detail = _detail(app, "#results-detail-text")
        assert "Press a to answer here" in detail
        # the question reads as advice, not as something found on a page; its name and the
        # profile heading are for the IT volunteer, at the end
        whole = detail + _detail(app, "#results-detail-fix")
        assert "Found in" not in whole and "Where:" not in whole
        assert whole.index("Details (for your IT volunteer)") < whole.index(GUIDED_KEY)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AnswerDialog)
        assert GUIDED_KEY in _detail(app, "#answer-where")
        await pilot.press("y")
        await wait_for(lambda: GUIDED_KEY in load_profile(path).answers, pilot)
        answer = load_profile(path).answers[GUIDED_KEY]
        assert (answer.answer, answer.answered_on) == ("yes", "2026-04-02")
        assert load_profile(path).name == "Robin Testcase"  # the rest of the file is kept
        assert isinstance(app.screen, ResultsScreen)
        await pilot.pause()
        assert "You answered: Yes, done (answered 2026-04-02)" in _detail(
            app, "#results-detail-text"
        )


async def test_own_words_from_the_checklist_are_saved_and_replace_an_earlier_answer(
    tmp_path: Path,
) -> None:
    path = _profile_file(tmp_path)
    app = make_app(demo=False, profile_path=path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _results_on_question(app, pilot)
        await pilot.press("a", "n")  # first "no, not yet"
        await wait_for(lambda: GUIDED_KEY in load_profile(path).answers, pilot)
        assert load_profile(path).answers[GUIDED_KEY].answer == "no"
        await pilot.press("c")
        assert isinstance(app.screen, ChecklistScreen)
        listing = app.screen.query_one("#checklist-list", ItemList)
        assert listing.select_where(lambda i: i.id == "exposure.open-register-opt-out")
        await pilot.pause()
        detail = _detail(app, "#checklist-detail-text")
        assert f"Question name {GUIDED_KEY}: you answered No, not yet" in detail
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AnswerDialog)
        app.screen.query_one("#answer-own", Input).focus()
        await pilot.press(*"only the full register, yes")  # y and n are letters here
        await pilot.press("enter")
        await wait_for(lambda: load_profile(path).answers[GUIDED_KEY].answer != "no", pilot)
        assert load_profile(path).answers[GUIDED_KEY].answer == "only the full register, yes"


async def test_a_finding_without_a_question_offers_no_answer(tmp_path: Path) -> None:
    app = make_app(demo=False, profile_path=_profile_file(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await wait_for(lambda: app.session.report is not None, pilot)
        await pilot.press("enter")  # the first finding is the home address: no question
        await pilot.pause()
        assert app.screen.check_action("answer", ()) is False
        await pilot.press("a")
        await pilot.pause()
        assert not isinstance(app.screen, AnswerDialog)


def test_a_question_with_advice_says_where_it_comes_from_not_what_was_found() -> None:
    report = canned_report()
    question = next(f for r in report.results for f in r.findings if f.kind == "guided")
    advice = Evidence("guided", "https://www.electoralcommission.org.uk/i-am-a/candidate")
    question = replace(question, evidence=(advice,), location="exposure.guided.x")
    text = str(finding_detail(question, report, load_actions(), False, ("exposure.guided.x", None)))
    assert "Where this question comes from" in text
    assert "• The official advice at https://www.electoralcommission.org.uk/" in text
    assert "Found in" not in text and "Where: exposure.guided.x" not in text
    # the same finding that is not asked as a question keeps its place and its evidence words
    text = str(finding_detail(question, report, load_actions(), False, None))
    assert "Where: exposure.guided.x" in text and "• Found in the official advice" in text
