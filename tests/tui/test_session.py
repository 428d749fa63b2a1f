"""The TUI's plain-Python parts: safe text, the session and its stores, the profile form."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text
from tui_kit import NOW, PROFILE_TOML, canned_actions, canned_report

from auditor.history import History
from auditor.model import Status
from auditor.profile import ProfileError, parse_profile
from auditor.tui.profile_form_data import (
    AccountRow,
    field_for,
    fields_from_profile,
    rows_from_profile,
    validate,
)
from auditor.tui.session import HistoryStore, MemoryStore, Session, export_path
from auditor.tui.text import STATUS_STYLE, clean, one_line, plain, status_text
from auditor.wording import STATUS_WORDS


def test_clean_replaces_control_characters_and_plain_never_parses_markup() -> None:
    assert clean("a\x1b[31mb\x07\u202ec\td") == "a\ufffd[31mb\ufffd\ufffdc d"
    shown = plain("[bold]not bold[/bold]")
    assert isinstance(shown, Text) and shown.plain == "[bold]not bold[/bold]" and not shown.spans
    assert one_line(ValueError("first line\nsecond")) == "first line"


def test_every_status_reads_without_colour() -> None:
    """The screen shows every status as the vocabulary's symbol and words, the colour only
    added (and left out without colour)."""
    for status in Status:
        words = STATUS_WORDS[status]
        shown = status_text(status, colour=False)
        assert shown.plain == f"{words.symbol} {words.label}" and not shown.style, status
        assert status_text(status).style == STATUS_STYLE[status], status
    said = {s: status_text(s).plain.split(" ", 1)[1] for s in Status}
    assert said[Status.PASS] == "pass" and said[Status.FAIL] == "fail"
    assert said[Status.ERROR] == said[Status.TIMEOUT] == "could not check"


def _session(store: MemoryStore | HistoryStore) -> Session:
    return Session(store=store, actions=canned_actions, clock=lambda: NOW)


def test_session_ticks_and_dismissals_rebuild_the_checklist() -> None:
    session = _session(MemoryStore())
    assert session.checklist() is None
    session.set_profile(parse_profile(PROFILE_TOML))
    session.finish(canned_report())
    checklist = session.checklist()
    assert checklist is not None
    assert checklist.items[0].id == "exposure.remove-home-address"
    version = session.version
    session.set_ticked("email.dmarc-enforce", True)
    assert session.version > version
    assert session.state.ticked["email.dmarc-enforce"] == NOW.isoformat()
    home = canned_report().findings[0]
    session.set_dismissed(home.fingerprint, True)
    item = session.checklist().item("exposure.remove-home-address")  # type: ignore[union-attr]
    assert item is not None and item.status.value == "dismissed"
    session.set_dismissed(home.fingerprint, False)
    assert home.fingerprint not in session.state.dismissed


def test_history_store_keeps_ticks_and_the_last_audit(tmp_path: Path) -> None:
    store = HistoryStore(History(tmp_path / "history"))
    session = _session(store)
    session.set_profile(parse_profile(PROFILE_TOML))
    session.finish(canned_report())
    session.set_ticked("email.dmarc-enforce", True)
    again = _session(HistoryStore(History(tmp_path / "history")))
    assert again.open_last()
    assert again.report is not None and again.report.subject == "Robin Testcase"
    assert "email.dmarc-enforce" in again.state.ticked


def test_demo_audits_are_kept_apart() -> None:
    store = MemoryStore()
    session = _session(store)
    session.enter_demo()
    session.finish(canned_report())
    assert set(store.reports) == {"demo"}
    assert store.latest_report(None) is not None  # only the demo's, when nothing else


def test_export_path_never_overwrites(tmp_path: Path) -> None:
    first = export_path(tmp_path, "Robin Testcase", "md")
    assert first.name == "candidate-audit-robin-testcase.md"
    first.write_text("x")
    assert export_path(tmp_path, "Robin Testcase", "md").name.endswith("-2.md")


def test_form_round_trips_a_profile_and_keeps_what_it_does_not_show() -> None:
    old = parse_profile(PROFILE_TOML + '\n[answers.exposure-guided]\nanswer = "yes"\n')
    fields = fields_from_profile(old)
    rows = rows_from_profile(old)
    assert fields["home_lines"] == "7 Quarry Lane, Wardley" and rows[0].twofa == "sms"
    again = validate(fields, rows, old, "form")
    assert again.home_addresses == old.home_addresses and again.answers == old.answers
    assert again.accounts == old.accounts


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"phones": "12345"}, "phones"),
        ({"home_postcode": "not a postcode"}, "home_postcode"),
        ({"name": ""}, "name"),
        ({"websites": "ftp://x"}, "websites"),
        ({"emails": "robin at home"}, "emails"),
    ],
)
def test_form_errors_point_at_their_field(change: dict[str, str], field: str) -> None:
    fields = fields_from_profile(parse_profile(PROFILE_TOML)) | change
    with pytest.raises(ProfileError) as caught:
        validate(fields, [], None, "form")
    assert field_for(caught.value) == field
    assert caught.value.fix  # the fix is shown next to the field


def test_form_account_errors_name_the_row() -> None:
    fields = fields_from_profile(None) | {"name": "Robin"}
    rows = [AccountRow("gmail", "a", "sms"), AccountRow("x", "b", "carrier pigeon")]
    with pytest.raises(ProfileError) as caught:
        validate(fields, rows, None, "form")
    assert field_for(caught.value) == "account-2-twofa"


def test_form_text_cannot_inject_toml() -> None:
    fields = fields_from_profile(None) | {"name": 'Robin"\nphones = ["x"]\n#\x7f'}
    profile = validate(fields, [], None, "form")
    assert profile.name.startswith('Robin"') and profile.phones == ()
