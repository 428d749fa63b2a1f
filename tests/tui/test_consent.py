"""The app asks before an audit sends anything about the person (issue 14): the question
names the provider and exactly what it receives, Yes runs the web search against the demo
world's SearXNG on loopback, No runs the audit without it and the report says why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static
from tui_kit import NOW, canned_actions, dialog_laid_out, wait_for

from auditor.audit import run_audit
from auditor.consent import NEVER_SENT
from auditor.demo import candidate as c
from auditor.demo.search_server import SEARCH_HOST
from auditor.demo.world import DemoWorld
from auditor.engine import EventSink
from auditor.model import Report, Status
from auditor.profile import Profile
from auditor.search import search_queries
from auditor.services import AuditOptions
from auditor.tui.app import create_app
from auditor.tui.screens.dialogs import ConsentDialog
from auditor.tui.session import MemoryStore


class SearchOnly:
    """The real engine, on the web search alone (the rest of the audit is not the point)."""

    def __init__(self) -> None:
        self.options: list[AuditOptions] = []

    async def __call__(
        self, profile: Profile, options: AuditOptions, on_event: EventSink
    ) -> Report:
        self.options.append(options)
        return await run_audit(profile, options, selected=["exposure.search"], on_event=on_event)


@pytest.fixture
def world() -> Iterator[DemoWorld]:
    running = DemoWorld.run_in_thread()
    try:
        yield running
    finally:
        running.stop_thread()


def searches_sent(world: DemoWorld) -> list[str]:
    return [r.query for r in world.web.requests_to(SEARCH_HOST)]


@pytest.mark.parametrize("answer", ["yes", "no", "escape"])
async def test_the_app_asks_before_sending_the_name_and_records_the_answer(
    world: DemoWorld, tmp_path: Path, answer: str
) -> None:
    options = world.audit_options()
    assert options.allow_personal_lookups  # the app must ask all the same
    runner = SearchOnly()
    app = create_app(
        profile_path=tmp_path / "profile.toml",
        clock=lambda: NOW,
        audit_runner=runner,
        store=MemoryStore(),
        actions=canned_actions(),
        options=options,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        app.session.set_profile(world.profile)
        app.start_audit()
        await wait_for(
            lambda: isinstance(app.screen, ConsentDialog) and dialog_laid_out(app.screen), pilot
        )
        dialog = app.screen
        assert isinstance(dialog, ConsentDialog)
        shown = str(dialog.query_one("#consent-text", Static).render())
        promise = str(dialog.query_one("#consent-promise", Static).render())
        title = str(dialog.query_one(".dialog-title").render())
        base = options.endpoints["searxng"]
        assert "SearXNG" in title and base in shown
        for query in search_queries(world.profile).sent:
            assert query in shown
        assert "your name and aliases, with your party and area" in shown
        assert NEVER_SENT in promise and "chose not to send" in promise
        for private in (c.HOME_STREET, c.HOME_POSTCODE, c.MOBILE_DISPLAY, c.PERSONAL_EMAIL):
            assert private not in shown + promise
        assert runner.options == [] and searches_sent(world) == []  # nothing before the answer
        if answer == "yes":
            await pilot.click("#yes", offset=(4, 1))
        elif answer == "no":
            await pilot.click("#no", offset=(4, 1))
        else:
            await pilot.press("escape")
        await wait_for(lambda: app.session.report is not None, pilot, timeout=60)
        report = app.session.report
    assert report is not None
    (used,) = runner.options
    findings = [f for f in report.findings if f.check_id == "exposure.search"]
    if answer == "yes":
        assert used.allow_personal_lookups and not used.personal_lookups_declined
        assert searches_sent(world)
        assert any(f.status is Status.FAIL for f in findings)
        assert all(f.subject != "consent" for f in findings)
    else:
        assert not used.allow_personal_lookups and used.personal_lookups_declined
        assert searches_sent(world) == []
        (skipped,) = findings
        assert skipped.status is Status.SKIPPED and skipped.subject == "consent"
        assert skipped.message.startswith("Not checked: you chose not to send your name")
        assert f"SearXNG ({base})" in skipped.message


async def test_no_question_when_nothing_would_be_sent(world: DemoWorld, tmp_path: Path) -> None:
    """No provider chosen: the search would send nothing, so the app does not ask."""
    options = world.audit_options(search_provider=None)
    runner = SearchOnly()
    app = create_app(
        profile_path=tmp_path / "profile.toml",
        clock=lambda: NOW,
        audit_runner=runner,
        store=MemoryStore(),
        actions=canned_actions(),
        options=options,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        app.session.set_profile(world.profile)
        app.start_audit()
        await wait_for(lambda: app.session.report is not None, pilot, timeout=60)
        assert not isinstance(app.screen, ConsentDialog)
        report = app.session.report
    assert report is not None and searches_sent(world) == []
    (skipped,) = [f for f in report.findings if f.check_id == "exposure.search"]
    assert skipped.subject == "consent" and "none chosen" in skipped.message


async def test_the_app_command_takes_the_search_options_and_asks_naming_them(
    world: DemoWorld,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`auditor --search-provider searxng --endpoint searxng=URL …` (no command) reaches the
    app's audits: the question names SearXNG at that URL, and Yes sends the searches there
    (through the same --nameserver/--connect-to/--ca-file options `auditor scan` takes).
    `auditor scan --dry-run` with the same options says what the dialog says."""
    import auditor.tui.app as app_module
    from auditor import cli

    world_options = world.audit_options()
    base = world_options.endpoints["searxng"]
    ca = tmp_path / "ca.pem"
    ca.write_text(world.ca_pem)
    profile = tmp_path / "profile.toml"
    profile.write_text(c.DEMO_PROFILE_TOML)
    argv = ["--profile", str(profile), "--search-provider", "searxng",
            "--endpoint", f"searxng={base}", "--ca-file", str(ca),
            "--nameserver", str(world_options.nameservers[0])]  # fmt: skip
    for rule in world.connect_rules():
        argv += ["--connect-to", f"{rule.host}:{rule.port}:{rule.to_host}:{rule.to_port}"]
    # `auditor scan --dry-run` with the same options, to hold it to the dialog's words.
    assert cli.main(["scan", *argv, "--dry-run"]) == 0
    dry_run = capsys.readouterr().out.splitlines()
    runner = SearchOnly()
    made: list[app_module.CandidateAuditorApp] = []
    real_create_app = app_module.create_app

    def create_for_test(**kwargs: object) -> app_module.CandidateAuditorApp:
        app = real_create_app(  # what the command gave, with the tests' clock, store, engine
            **kwargs, clock=lambda: NOW, audit_runner=runner, store=MemoryStore(),  # type: ignore[arg-type]
            actions=canned_actions(),
        )  # fmt: skip
        made.append(app)
        return app

    monkeypatch.setattr(app_module, "create_app", create_for_test)
    # The terminal itself is not here: the app the command built is driven by Pilot below.
    monkeypatch.setattr(app_module.CandidateAuditorApp, "run", lambda self, *a, **k: None)
    assert cli.main(argv) == 0
    (app,) = made
    assert app.options is not None and app.options.search_provider == "searxng"
    assert not app.options.allow_personal_lookups  # the app asks; no option answers for it
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.session.profile is not None
        queries = search_queries(app.session.profile).sent
        app.start_audit()
        await wait_for(
            lambda: isinstance(app.screen, ConsentDialog) and dialog_laid_out(app.screen), pilot
        )
        dialog = app.screen
        assert isinstance(dialog, ConsentDialog)
        title = str(dialog.query_one(".dialog-title").render())
        shown = str(dialog.query_one("#consent-text", Static).render())
        assert f"Send this to SearXNG ({base})?" in title.replace("\n", "")
        assert f"to SearXNG ({base}):" in shown.replace("\n", " ")
        assert queries and all(query in shown for query in queries)
        assert dialog.question_lines() and set(dialog.question_lines()) <= set(dry_run)
        assert NEVER_SENT in dry_run and NEVER_SENT in dialog.promise()
        assert searches_sent(world) == []  # nothing before the answer
        await pilot.click("#yes", offset=(4, 1))
        await wait_for(lambda: app.session.report is not None, pilot, timeout=60)
        report = app.session.report
    assert report is not None
    from urllib.parse import parse_qs

    asked = {parse_qs(query)["q"][0] for query in searches_sent(world)}
    assert asked == set(queries)  # exactly the searches shown, and only those
    findings = [f for f in report.findings if f.check_id == "exposure.search"]
    assert any(f.status is Status.FAIL for f in findings)
    home = (f"{c.HOME_NUMBER} {c.HOME_STREET}", c.HOME_STREET, c.HOME_LOCALITY,
            c.HOME_POSTCODE, c.MOBILE, c.MOBILE_DISPLAY, c.LANDLINE, c.LANDLINE_DISPLAY,
            c.PERSONAL_EMAIL)  # fmt: skip
    leaks = world.leaked(home)  # every request line, header and body the world received
    assert not leaks, leaks[:3]


async def test_the_app_says_when_the_keyring_cannot_be_asked_for_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`auditor --search-provider brave` with no key file, no AUDITOR_SEARCH_KEY and no keyring
    package: the app says so on its screen in one line, with what to do instead (stderr
    would be hidden behind the app)."""
    import sys

    import auditor.tui.app as app_module
    from auditor import cli
    from auditor.search import KEY_ENV

    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.setitem(sys.modules, "keyring", None)  # `import keyring` raises ImportError
    profile = tmp_path / "profile.toml"
    profile.write_text(c.DEMO_PROFILE_TOML)
    made: list[app_module.CandidateAuditorApp] = []
    real_create_app = app_module.create_app

    def create_for_test(**kwargs: object) -> app_module.CandidateAuditorApp:
        app = real_create_app(
            **kwargs, clock=lambda: NOW, store=MemoryStore(), actions=canned_actions(),  # type: ignore[arg-type]
        )  # fmt: skip
        made.append(app)
        return app

    monkeypatch.setattr(app_module, "create_app", create_for_test)
    monkeypatch.setattr(app_module.CandidateAuditorApp, "run", lambda self, *a, **k: None)
    assert cli.main(["--profile", str(profile), "--search-provider", "brave"]) == 0
    (app,) = made
    notes: list[str] = []
    app.notify = lambda message, **kw: notes.append(str(message))  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    assert notes == [
        "the OS keyring cannot be asked for your Brave Search API key: the keyring package is "
        "not installed. Put the key in a file and give --search-key-file FILE, or set "
        "AUDITOR_SEARCH_KEY."
    ]
    assert app.options is not None and app.options.search_key is None
