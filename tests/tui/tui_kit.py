"""A fixed audit for the TUI tests: a canned report played through the app's runner hook,
fixed actions and a frozen clock, so screens are the same on every run (snapshots)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from auditor.actions import Action, ActionSet, Link
from auditor.engine import AuditPlanned, CheckFinished, CheckStarted, EventSink
from auditor.model import (
    CheckInfo,
    CheckResult,
    Confidence,
    Evidence,
    Finding,
    Report,
    Severity,
    Status,
)
from auditor.outage import UNREACHABLE, Outage
from auditor.profile import Profile, parse_profile
from auditor.services import AuditOptions
from auditor.tui.app import CandidateAuditorApp, create_app
from auditor.tui.session import MemoryStore

NOW = datetime(2026, 4, 2, 9, 30, tzinfo=UTC)
PROFILE_TOML = """
name = "Robin Testcase"
phones = ["07700 900456"]
emails = ["robin.home@example.com"]
domains = ["robinforwardley.example"]

[[home]]
lines = ["7 Quarry Lane", "Wardley"]
postcode = "WA1 2BC"

[[account]]
service = "gmail"
handle = "robin.campaign@gmail.com"
twofa = "sms"
"""
HOSTILE = "[bold red]FAKE PASS[/] \x1b[2J\x07 title"

CHECKS = (
    CheckInfo("exposure.pages", "Home address on your web pages", "exposure",
              "https://www.electoralcommission.org.uk/"),
    CheckInfo("email.dmarc", "DMARC policy", "email",
              "https://www.ncsc.gov.uk/collection/email-security-and-anti-spoofing"),
    CheckInfo("web.headers", "Security headers", "web", "https://owasp.org/"),
    CheckInfo("accounts.twofactor", "Two-step sign-in on your accounts", "accounts",
              "https://www.ncsc.gov.uk/"),
    CheckInfo("exposure.guided", "Guided: where your address may be public off your sites",
              "exposure", "https://www.electoralcommission.org.uk/i-am-a/candidate-or-agent"),
    CheckInfo("exposure.documents", "Home address in your documents", "exposure",
              "https://www.electoralcommission.org.uk/"),
)  # fmt: skip
GUIDED_KEY = "exposure.guided.open-register"
LONG_MESSAGE = (
    "Your home postcode appears in the properties of the leaflet PDF you published for the "
    "spring campaign launch, in the author and subject fields that most readers never see"
)


def _finding(check_id: str, status: Status, severity: Severity, message: str, **kw: Any) -> Finding:
    target = (
        "robinforwardley.example" if check_id.startswith(("email", "web")) else "Robin Testcase"
    )
    return Finding(check_id, status, severity, message, target, **kw)


def canned_report() -> Report:
    page = "https://www.robinforwardley.example/about"
    home = _finding(
        "exposure.pages", Status.FAIL, Severity.CRITICAL,
        "Your home address is published on this page.", location=page, kind="home-address",
        evidence=(Evidence("page-text", page, "Write to me at 7 Quarry Lane, Wardley WA1 2BC",
                           "2026-04-02T09:30:00+00:00"),),
        actions=("exposure.remove-home-address",),
    )  # fmt: skip
    dmarc = _finding(
        "email.dmarc", Status.WARN, Severity.HIGH,
        "DMARC is set to report only, so others can still send email as your domain.",
        location="_dmarc.robinforwardley.example", subject="policy",
        evidence=(Evidence("dns", "_dmarc.robinforwardley.example", "v=DMARC1; p=none"),),
        actions=("email.dmarc-enforce",),
    )  # fmt: skip
    hostile = _finding(
        "web.headers", Status.ERROR, Severity.INFO,
        f"Could not check: the page title was {HOSTILE}", location=page, subject="error",
        evidence=(Evidence("http-header", page, HOSTILE),),
    )  # fmt: skip
    twofa = _finding(
        "accounts.twofactor", Status.PASS, Severity.INFO,
        "Your Gmail account uses an authenticator app.", subject="gmail",
        confidence=Confidence.HIGH,
    )  # fmt: skip
    guided = _finding(
        "exposure.guided", Status.MANUAL, Severity.HIGH,
        "Have you opted out of the open (edited) electoral register? The open register is "
        "sold to anyone and feeds people-search websites.",
        location=GUIDED_KEY, kind="guided", subject=GUIDED_KEY, confidence=Confidence.LOW,
        actions=("exposure.open-register-opt-out",),
    )  # fmt: skip
    leaflet = "https://www.robinforwardley.example/leaflet.pdf"
    long_title = _finding(
        "exposure.documents", Status.FAIL, Severity.MEDIUM, LONG_MESSAGE, location=leaflet,
        kind="postcode", evidence=(Evidence("pdf-metadata", leaflet, "Subject: WA1 2BC"),),
        actions=("exposure.clean-document-properties",),
    )  # fmt: skip
    results = tuple(
        CheckResult(f.check_id, f.target, (f,), "2026-04-02T09:30:00+00:00", 0.1)
        for f in (home, dmarc, hostile, twofa, guided, long_title)
    )
    profile = parse_profile(PROFILE_TOML, "test")
    return Report(
        subject="Robin Testcase",
        started_at="2026-04-02T09:30:00+00:00",
        finished_at="2026-04-02T09:30:01+00:00",
        tool_version="test",
        results=results,
        checks=CHECKS,
        sensitive=profile.sensitive_values(),
    )


def offline_report() -> Report:
    """The canned audit on a computer with no network: every machine check could not run."""
    report = canned_report()
    results = []
    for result in report.results:
        if result.check_id in ("exposure.guided", "accounts.twofactor"):
            results.append(result)
            continue
        finding = _finding(
            result.check_id, Status.ERROR, Severity.INFO,
            "Could not check: the DNS lookup failed (no response from 10.0.0.1).",
            location=result.target, subject="error",
        )  # fmt: skip
        results.append(replace(result, findings=(finding,)))
    outage = Outage(UNREACHABLE, ("10.0.0.1",), "timeout")
    return replace(report, results=tuple(results), outage=outage)


def canned_actions() -> ActionSet:
    link = Link(
        "Electoral Commission: candidate guidance", "https://www.electoralcommission.org.uk/"
    )
    return ActionSet.of(
        [
            Action("exposure.remove-home-address", "Take your home address off the page",
                   "Anyone who reads the page can find your home.",
                   ("Ask whoever runs the page to remove it.", "Check again after a week."),
                   "candidate", 20, "critical", (link,)),
            Action("email.dmarc-enforce", "Turn on DMARC enforcement",
                   "Others can send email that looks as if it came from your campaign.",
                   ("Change p=none to p=quarantine.",), "campaign IT volunteer", 30, "high",
                   (Link("NCSC: email security", "https://www.ncsc.gov.uk/collection/email-security-and-anti-spoofing"),)),
            Action("exposure.open-register-opt-out", "Opt out of the open electoral register",
                   "The open register is sold to anyone.",
                   ("Ask your council's electoral services to take you off the open register.",),
                   "candidate", 10, "high", (link,)),
            Action("exposure.clean-document-properties",
                   "Remove your postcode from the hidden properties of every leaflet and "
                   "document on your website before you publish it again",
                   "Document properties travel with the file.",
                   ("Open the file's properties and clear the author and subject.",),
                   "campaign IT volunteer", 15, "medium", (link,)),
            Action("general.keep-software-updated", "Keep your phone and computer updated",
                   "Updates close the holes attackers use.", ("Turn on automatic updates.",),
                   "candidate", 10, "medium", (link,), when="ongoing", standing=True),
        ]
    )  # fmt: skip


class CannedRunner:
    """Plays the canned report's results as engine events, then returns the report.
    ``hold`` makes it wait (until cancelled) after the first result; ``fail`` raises."""

    def __init__(
        self,
        *,
        hold: bool = False,
        fail: str | None = None,
        report: Callable[[], Report] | None = None,
    ) -> None:
        self.hold = hold
        self.fail = fail
        self.report = report or canned_report
        self.calls = 0

    async def __call__(
        self, profile: Profile, options: AuditOptions, on_event: EventSink
    ) -> Report:
        self.calls += 1
        report = self.report()
        on_event(AuditPlanned(len(report.results)))
        for index, result in enumerate(report.results):
            on_event(CheckStarted(result.check_id, result.target))
            await asyncio.sleep(0)
            on_event(CheckFinished(result.check_id, result.target, result))
            if self.fail and index == 1:
                raise RuntimeError(self.fail)
            if self.hold:
                await asyncio.sleep(60)
        return report


class FakeWorld:
    """Stands in for the demo world: a profile and options, nothing served."""

    def __init__(self) -> None:
        self.profile = parse_profile(PROFILE_TOML, "test")
        self.stopped = False

    def audit_options(self) -> AuditOptions:
        return AuditOptions()

    def stop_thread(self) -> None:
        self.stopped = True


def make_app(runner: CannedRunner | None = None, **kwargs: Any) -> CandidateAuditorApp:
    kwargs.setdefault("demo", True)
    if kwargs["demo"]:
        kwargs.setdefault("demo_world_factory", FakeWorld)
    return create_app(
        clock=lambda: NOW,
        audit_runner=runner or CannedRunner(),
        store=kwargs.pop("store", MemoryStore()),
        actions=kwargs.pop("actions", canned_actions()),
        **kwargs,
    )


async def wait_for(condition: Callable[[], bool], pilot: Any, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.05)


async def wait_for_report(app: Any, pilot: Any, timeout: float = 60.0) -> None:
    """Waits for the audit's report, saying No to the search question on the way: the real
    demo world offers a web-search provider, so the app asks before sending the name."""
    from auditor.tui.screens.dialogs import ConsentDialog

    def settled() -> bool:
        return app.session.report is not None or (
            isinstance(app.screen, ConsentDialog) and dialog_laid_out(app.screen)
        )

    await wait_for(settled, pilot, timeout)
    if app.session.report is None:
        await pilot.click("#no", offset=(4, 1))
    await wait_for(lambda: app.session.report is not None, pilot, timeout)


def dialog_laid_out(screen: Any) -> bool:
    """Its buttons are on screen: a click before the first layout lands on a zero-size region
    and misses (the dialog stays up and the test times out)."""
    buttons = screen.query("Button")
    return bool(buttons) and all(button.region.area > 0 for button in buttons)
