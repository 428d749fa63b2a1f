"""The actions data: every file of every registered actions package lints clean; the loader
names problems."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from auditor.actions import (
    ActionError,
    count_sentences,
    lint_actions,
    load_actions,
    parse_actions_file,
    registered_folders,
)

ACTIONS_DIR = files("checks.data.actions")

GOOD = """
[[action]]
id = "email.thing"
title = "Do the thing"
why = "Because."
steps = ["One."]
who = "candidate"
effort_minutes = 5
priority = "low"
links = [{ title = "NCSC", url = "https://www.ncsc.gov.uk/" }]
"""


def test_every_shipped_action_file_lints_clean() -> None:
    assert "general.toml" in {p.name for p in ACTIONS_DIR.iterdir()}
    assert lint_actions(ACTIONS_DIR) == []
    assert lint_actions() == []  # every registered package together


def test_the_builtin_actions_are_found_through_the_entry_point() -> None:
    folders, problems = registered_folders()
    assert problems == []
    assert any(str(folder) == str(ACTIONS_DIR) for folder in folders)
    assert load_actions().actions == load_actions(ACTIONS_DIR, strict=True).actions


def test_a_registered_package_that_cannot_be_found_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from importlib.metadata import EntryPoint

    import auditor.actions as actions_module

    broken = EntryPoint("broken", "no_such_plugin.actions", "auditor.actions")
    real = actions_module.entry_points  # type: ignore[attr-defined]

    def with_broken(group: str) -> list[EntryPoint]:
        return [*real(group=group), broken]

    monkeypatch.setattr(actions_module, "entry_points", with_broken)
    loaded = load_actions()
    assert "general.recheck-after-fixing" in loaded.actions
    assert len(loaded.problems) == 1 and "'broken' (no_such_plugin.actions)" in loaded.problems[0]
    with pytest.raises(ActionError):
        load_actions(strict=True)


def test_shipped_actions_meet_the_schema() -> None:
    actions = load_actions(ACTIONS_DIR, strict=True).actions
    assert "general.recheck-after-fixing" in actions
    for action in actions.values():
        assert action.title and action.steps
        assert count_sentences(action.why) <= 2, action.id
        assert action.effort_minutes > 0
        assert action.who in ("candidate", "agent", "campaign IT volunteer", "registrar or host")
        assert action.priority in ("critical", "high", "medium", "low")
        assert action.links and all(link.url.startswith("https://") for link in action.links)


def test_general_has_a_fallback_for_every_builtin_category() -> None:
    loaded = load_actions(ACTIONS_DIR, strict=True)
    for category in ("email", "web", "domain", "exposure", "accounts"):
        fallback = loaded.fallback(category)
        assert fallback is not None and fallback.id.startswith("general."), category
    nomination = {a.id for a in loaded.actions.values() if a.when == "nomination"}
    assert {"general.home-address-form", "general.imprint-address"} <= nomination


def test_sentence_counting() -> None:
    assert count_sentences("One sentence, e.g. with an abbreviation.") == 1
    assert count_sentences("First. Second.") == 2
    assert count_sentences("First. Second! Third?") == 3


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('id = "email.thing"', 'id = "Email Thing"'), "id must look like"),
        (('why = "Because."', 'why = "One. Two. Three."'), "at most 2 sentences"),
        (('steps = ["One."]', "steps = []"), "steps must be"),
        (('who = "candidate"', 'who = "the cat"'), "who must be one of"),
        (("effort_minutes = 5", "effort_minutes = 0"), "effort_minutes"),
        (('priority = "low"', 'priority = "urgent"'), "priority must be"),
        (("https://www.ncsc.gov.uk/", "http://www.ncsc.gov.uk/"), "https://"),
        (('priority = "low"', 'priority = "low"\nwhen = "someday"'), "when must be"),
        (('priority = "low"', 'priority = "low"\nbogus = 1'), "unknown key"),
    ],
)
def test_validation_errors_name_the_file_and_the_action(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(ActionError) as caught:
        parse_actions_file(path)
    assert "broken.toml" in str(caught.value)
    assert expected in str(caught.value)
    if "Email Thing" not in change[1]:
        assert "'email.thing'" in str(caught.value)


def test_duplicate_ids_across_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.toml").write_text(GOOD, encoding="utf-8")
    problems = lint_actions(tmp_path)
    assert len(problems) == 1 and "b.toml" in problems[0] and "a.toml" in problems[0]
    with pytest.raises(ActionError):
        load_actions(tmp_path, strict=True)
    lenient = load_actions(tmp_path)
    assert list(lenient.actions) == ["email.thing"] and len(lenient.problems) == 1


def test_lenient_loading_skips_a_broken_file_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.toml").write_text("[[action]\nid = ", encoding="utf-8")
    loaded = load_actions(tmp_path)
    assert list(loaded.actions) == ["email.thing"]
    assert len(loaded.problems) == 1 and "bad.toml" in loaded.problems[0]
    assert "not valid TOML" in lint_actions(tmp_path)[0]
