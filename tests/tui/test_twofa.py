"""The two-factor wizard: record a method and its holder, the authenticator self-test with a
frozen clock, and the breached-password check against the demo world's Pwned Passwords."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from textual.widgets import Input, OptionList, Select, Static, TabbedContent
from tui_kit import NOW, PROFILE_TOML, CannedRunner, make_app, wait_for, wait_for_report

from auditor.demo import candidate
from auditor.demo.content import apis
from auditor.demo.world import DemoWorld
from auditor.profile import load_profile
from auditor.tui.widgets.pwned_panel import PwnedPanel
from auditor.tui.widgets.totp_panel import TotpPanel


def _text(app: object, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


async def test_recording_a_method_updates_the_profile_file(tmp_path: Path) -> None:
    path = tmp_path / "profile.toml"
    path.write_text(PROFILE_TOML)
    path.chmod(0o600)
    app = make_app(demo=False, profile_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        assert app.screen.query_one("#twofa-accounts", OptionList).option_count == 1
        app.screen.query_one("#twofa-method", Select).value = "passkey"
        app.screen.query_one("#twofa-holder", Input).value = "me"
        app.screen.save()  # type: ignore[attr-defined]
        await pilot.pause()
        assert "saved to" in _text(app, "#twofa-status")
    account = load_profile(path).accounts[0]
    assert (account.twofa, account.second_factor_holder) == ("passkey", "me")
    assert account.attested_on == NOW.date().isoformat()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


async def test_totp_self_test_measures_clock_drift() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: app.session.report is not None, pilot)
        app.go("twofa")
        await pilot.pause()
        app.screen.query_one("#twofa-tabs", TabbedContent).active = "tab-totp"
        panel = app.screen.query_one(TotpPanel)
        panel.start()
        await pilot.pause()
        assert "▀" in _text(app, "#totp-qr") or "▄" in _text(app, "#totp-qr")
        test = panel.selftest
        assert test is not None
        ahead = NOW.timestamp() + 60  # the phone runs a minute fast
        app.screen.query_one("#totp-code1", Input).value = test.code_at(ahead - 30)
        app.screen.query_one("#totp-code2", Input).value = test.code_at(ahead)
        panel.check()
        await pilot.pause()
        result = _text(app, "#totp-result")
        assert "about 60 seconds ahead" in result
        assert panel.selftest is None and _text(app, "#totp-qr") == ""  # secret dropped
        panel.start()
        app.screen.query_one("#totp-code1", Input).value = "123456"
        app.screen.query_one("#totp-code2", Input).value = "123456"
        panel.check()
        assert "same" in _text(app, "#totp-result")


async def test_breached_password_check_clears_the_field() -> None:
    app = make_app(CannedRunner(), demo_world_factory=DemoWorld.run_in_thread)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_report(app, pilot)
        app.go("twofa")
        await pilot.pause()
        app.screen.query_one("#twofa-tabs", TabbedContent).active = "tab-pwned"
        await pilot.pause()
        field = app.screen.query_one("#pwned-password", Input)
        assert field.password
        field.value = candidate.DEMO_PASSWORD
        await pilot.click("#pwned-check")
        assert field.value == ""  # cleared at once
        await wait_for(lambda: "Checking" not in _text(app, "#pwned-result"), pilot)
        assert f"{apis.PASSWORD_COUNT:,} times" in _text(app, "#pwned-result")
        field.focus()
        field.value = "a-long-unbreached-passphrase-for-tests"
        await pilot.press("enter")
        assert field.value == ""
        await wait_for(lambda: "Not found" in _text(app, "#pwned-result"), pilot)


def _recorded(app: object, check_id: str) -> object:
    session = app.session  # type: ignore[attr-defined]
    return session.store.load_state(session.subject).interactions.get(check_id)


async def test_the_self_test_and_the_password_check_are_recorded_without_secrets() -> None:
    # Their outcomes reach the next audit (accounts.totp_selftest, accounts.passwords); the
    # state holds the verdict and counts only: no key, no code, no password.
    app = make_app(CannedRunner(), demo_world_factory=DemoWorld.run_in_thread)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_report(app, pilot)
        app.go("twofa")
        await pilot.pause()
        app.screen.query_one("#twofa-tabs", TabbedContent).active = "tab-totp"
        panel = app.screen.query_one(TotpPanel)
        panel.start()
        await pilot.pause()
        test = panel.selftest
        key, codes = (
            test.manual_key(),
            (test.code_at(NOW.timestamp() - 30), test.code_at(NOW.timestamp())),
        )
        app.screen.query_one("#totp-code1", Input).value = codes[0]
        app.screen.query_one("#totp-code2", Input).value = codes[1]
        panel.check()
        await pilot.pause()
        totp = _recorded(app, "accounts.totp_selftest")
        assert totp is not None and totp.status.value == "pass"  # type: ignore[attr-defined]
        app.screen.query_one("#twofa-tabs", TabbedContent).active = "tab-pwned"
        await pilot.pause()
        field = app.screen.query_one("#pwned-password", Input)
        field.value = candidate.DEMO_PASSWORD
        app.screen.query_one(PwnedPanel).check()
        await wait_for(lambda: _recorded(app, "accounts.passwords") is not None, pilot)
        field.value = "a-long-unbreached-passphrase-for-tests"
        app.screen.query_one(PwnedPanel).check()
        await wait_for(
            lambda: getattr(_recorded(app, "accounts.passwords"), "facts", {}).get("checked") == 2,
            pilot,
        )
        passwords = _recorded(app, "accounts.passwords")
        assert passwords.status.value == "fail"  # type: ignore[attr-defined]
        assert passwords.facts == {"checked": 2, "found_in_breaches": 1}  # type: ignore[attr-defined]
        saved = repr(app.session.store.load_state(app.session.subject).to_dict())
    for secret in (key, *codes, candidate.DEMO_PASSWORD, "a-long-unbreached-passphrase"):
        assert secret not in saved


async def test_the_wizard_keys_tabs_save_codes_in_order_and_back(tmp_path: Path) -> None:
    from textual.widgets import Tabs
    from textual.widgets._footer import FooterKey

    path = tmp_path / "profile.toml"
    path.write_text(PROFILE_TOML)
    path.chmod(0o600)
    app = make_app(demo=False, profile_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")  # the profile form, then the wizard from there
        await pilot.pause()
        app.go("twofa")
        await pilot.pause()
        footer = {key.key for key in app.screen.query(FooterKey)}
        assert {"ctrl+t", "ctrl+s", "ctrl+q", "question_mark"} <= footer
        app.screen.query_one("#twofa-method", Select).value = "passkey"
        await pilot.press("ctrl+s")  # Save has a key
        await wait_for(lambda: load_profile(path).accounts[0].twofa == "passkey", pilot)
        await pilot.press("ctrl+t")  # one key to the tab bar
        assert isinstance(app.focused, Tabs)
        await pilot.press("right")
        await pilot.pause()
        assert app.screen.query_one("#twofa-tabs", TabbedContent).active == "tab-totp"
        app.screen.query_one(TotpPanel).start()
        await pilot.pause()
        first = app.screen.query_one("#totp-code1", Input)
        assert app.screen.focused is first
        await pilot.press(*"12a3b456")  # letters are refused as typed
        assert first.value == "123456"
        assert app.screen.focused is app.screen.query_one("#totp-code2", Input)  # on to next
        await pilot.press("escape")  # back where it was opened from
        await pilot.pause()
        assert app.current_mode == "profile"
