"""The engine runs checks × targets concurrently, isolates failures and timeouts, resolves
``requires`` through futures and streams progress. The checks here are tiny fakes of the
check API (no network), which is what the engine sees of any real check."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest

from auditor.check import Check, CheckContext, CheckMeta
from auditor.demo.dns_server import DnsServer
from auditor.engine import AuditPlanned, CheckFinished, CheckStarted, Engine, Event, PlanError
from auditor.model import Finding, Severity, Status
from auditor.net.dns import Nameserver
from auditor.profile import Profile
from auditor.registry import CheckEntry
from auditor.services import AuditOptions, Services
from auditor.vocabulary import TargetKind

PROFILE = Profile(name="Test Person", domains=("one.example", "two.example"))
ZONES = [
    f"$ORIGIN {name}.\n@ 300 SOA ns hm 1 3600 600 86400 300\n@ 300 NS ns\nns 300 A 127.0.0.1\n"
    for name in ("example", "one.example", "two.example")
]


@pytest.fixture(autouse=True)
async def dns_port() -> AsyncIterator[int]:
    """The engine asks whether each domain exists before its checks: on loopback."""
    async with DnsServer(ZONES) as server:
        global LOOPBACK_DNS
        LOOPBACK_DNS = (Nameserver("127.0.0.1", server.port),)
        yield server.port


LOOPBACK_DNS: tuple[Nameserver, ...] = ()


def loopback_options(**overrides: object) -> AuditOptions:
    return AuditOptions(nameservers=LOOPBACK_DNS, dns_timeout=0.5, **overrides)  # type: ignore[arg-type]


def meta(check_id: str, **overrides: object) -> CheckMeta:
    values: dict[str, object] = {
        "id": check_id,
        "title": check_id.title(),
        "category": check_id.split(".")[0],
        "target": "domain",
        "severity": Severity.MEDIUM,
        "guidance": "https://example.org/guidance",
        "timeout": 5.0,
    }
    values.update(overrides)
    return CheckMeta(**values)  # type: ignore[arg-type]


class Passing(Check):
    meta = meta("email.passing")

    async def run(self, ctx: CheckContext) -> list[Finding]:
        ctx.publish("seen", ctx.target)
        return [ctx.finding(Status.PASS, f"{ctx.target} is fine")]


class Broken(Check):
    meta = meta("email.broken")

    async def run(self, ctx: CheckContext) -> list[Finding]:
        raise RuntimeError("boom\nsecond line")


class Slow(Check):
    meta = meta("email.slow", timeout=0.2)

    async def run(self, ctx: CheckContext) -> list[Finding]:
        await asyncio.sleep(30)
        return []


class Dependent(Check):
    meta = meta("email.dependent", requires=("email.passing",))

    async def run(self, ctx: CheckContext) -> list[Finding]:
        seen = await ctx.requirement_facts("email.passing", "seen")
        return [ctx.finding(Status.WARN, f"saw {seen}")]


class PersonLevel(Check):
    meta = meta("exposure.person", target=TargetKind.PERSON, requires=("email.passing",))

    async def run(self, ctx: CheckContext) -> list[Finding]:
        seen = sorted(await ctx.requirement_facts("email.passing", "seen"))
        return [ctx.finding(Status.FAIL, ",".join(seen))]


class Empty(Check):
    meta = meta("email.empty")

    async def run(self, ctx: CheckContext) -> list[Finding]:
        return []


async def run_engine(*checks: type[Check], options: AuditOptions | None = None) -> tuple[Any, ...]:
    events: list[Event] = []
    async with Services(options or loopback_options()) as services:
        report = await Engine.from_checks(list(checks)).run(
            PROFILE, services, on_event=events.append
        )
    return report, events


async def test_each_check_runs_once_per_target_and_reports_progress() -> None:
    report, events = await run_engine(Passing)
    assert sorted(r.target for r in report.results) == ["one.example", "two.example"]
    assert all(r.status is Status.PASS for r in report.results)
    assert isinstance(events[0], AuditPlanned) and events[0].total == 2
    assert sum(isinstance(e, CheckStarted) for e in events) == 2
    assert sum(isinstance(e, CheckFinished) for e in events) == 2


async def test_a_broken_or_slow_check_does_not_hide_the_others() -> None:
    report, _ = await run_engine(Passing, Broken, Slow)
    by_check = {(r.check_id, r.target): r for r in report.results}
    assert by_check[("email.passing", "one.example")].status is Status.PASS
    broken = by_check[("email.broken", "one.example")].findings[0]
    assert broken.status is Status.ERROR
    assert "RuntimeError: boom" in broken.message and "second line" not in broken.message
    slow = by_check[("email.slow", "two.example")].findings[0]
    assert slow.status is Status.TIMEOUT
    assert not slow.status.is_problem  # could not check is never a fail


async def test_requires_waits_for_the_same_target_or_all_targets() -> None:
    report, events = await run_engine(Dependent, PersonLevel, Passing)
    by_check = {(r.check_id, r.target): r for r in report.results}
    assert by_check[("email.dependent", "one.example")].findings[0].message == "saw ['one.example']"
    person = by_check[("exposure.person", "Test Person")].findings[0]
    assert person.message == "one.example,two.example"
    order = [e.check_id for e in events if isinstance(e, CheckStarted)]
    assert order.index("exposure.person") > max(
        i for i, c in enumerate(order) if c == "email.passing"
    )


async def test_a_check_that_finds_nothing_is_reported_as_skipped_not_pass() -> None:
    report, _ = await run_engine(Empty)
    assert {r.status for r in report.results} == {Status.SKIPPED}


async def test_audit_deadline_turns_unfinished_checks_into_timeouts() -> None:
    options = loopback_options(audit_deadline=0.3)
    report, _ = await run_engine(Passing, Slow, options=options)
    slow = [r for r in report.results if r.check_id == "email.slow"]
    assert all(r.status is Status.TIMEOUT for r in slow)


def test_dependency_cycles_are_rejected_when_the_engine_is_built() -> None:
    class A(Check):
        meta = meta("email.a", requires=("email.b",))

        async def run(self, ctx: CheckContext) -> list[Finding]:
            return []

    class B(Check):
        meta = meta("email.b", requires=("email.a",))

        async def run(self, ctx: CheckContext) -> list[Finding]:
            return []

    with pytest.raises(PlanError, match="cycle"):
        Engine.from_checks([A, B])


async def test_undeclared_requirement_is_a_bug_reported_as_error() -> None:
    class Sneaky(Check):
        meta = meta("email.sneaky")

        async def run(self, ctx: CheckContext) -> list[Finding]:
            await ctx.requirement("email.passing")
            return []

    report, _ = await run_engine(Sneaky, Passing)
    sneaky = [r for r in report.results if r.check_id == "email.sneaky"]
    assert all(r.status is Status.ERROR for r in sneaky)


async def test_cancellation_propagates_cleanly() -> None:
    async with Services(loopback_options()) as services:
        task = asyncio.ensure_future(Engine.from_checks([Slow, Passing]).run(PROFILE, services))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_checks_of_a_domain_that_does_not_exist_are_skipped_naming_it() -> None:
    class Reporter(Check):
        meta = meta("email.reporter", target_must_exist=False)

        async def run(self, ctx: CheckContext) -> list[Finding]:
            return [ctx.finding(Status.FAIL, f"{ctx.target} is gone")]

    profile = Profile(name="Test Person", domains=("one.example", "lapsed.example"))
    async with Services(loopback_options()) as services:
        report = await Engine.from_checks([Passing, Reporter]).run(profile, services)
    by_pair = {(r.check_id, r.target): r.findings[0] for r in report.results}
    assert by_pair[("email.passing", "one.example")].status is Status.PASS
    skipped = by_pair[("email.passing", "lapsed.example")]
    assert skipped.status is Status.SKIPPED and "does not exist" in skipped.message
    assert skipped.evidence and "NXDOMAIN" in skipped.evidence[0].snippet
    assert by_pair[("email.reporter", "lapsed.example")].status is Status.FAIL


class SendsName(Check):
    """Records that it ran: a check that sends something about the person."""

    meta = meta("exposure.sends_name", target=TargetKind.PERSON, sends_personal_data=True,
                services=("people_search",))  # fmt: skip
    ran: ClassVar[list[str]] = []

    async def run(self, ctx: CheckContext) -> list[Finding]:
        SendsName.ran.append(ctx.target)
        return [ctx.finding(Status.PASS, "Looked the person up.")]


@pytest.mark.parametrize("consent", [False, True])
async def test_the_engine_enforces_consent_for_checks_that_send_personal_data(
    consent: bool,
) -> None:
    SendsName.ran.clear()
    async with Services(loopback_options(allow_personal_lookups=consent)) as services:
        report = await Engine.from_checks([SendsName]).run(PROFILE, services)
    (finding,) = report.findings
    if consent:
        assert SendsName.ran == [PROFILE.label] and finding.status is Status.PASS
    else:
        assert SendsName.ran == []  # never run, so nothing was sent
        assert finding.status is Status.SKIPPED and finding.subject == "consent"
        assert "People Search" in finding.message and "--allow-personal-lookups" in finding.message


async def test_check_classes_are_loaded_off_the_event_loop_one_at_a_time() -> None:
    # A check module's first import is CPU work the app's screen would freeze for: the
    # engine loads each class in a worker thread, and never two at once.
    loop_thread = threading.get_ident()
    threads: list[int] = []
    active = [0]
    overlapped = [False]
    by_id: dict[str, type[Check]] = {Passing.meta.id: Passing, Dependent.meta.id: Dependent}

    def load(entry: CheckEntry) -> type[Check]:
        active[0] += 1
        overlapped[0] |= active[0] > 1
        threads.append(threading.get_ident())
        time.sleep(0.01)  # a slow import, so that two loads at once would overlap
        active[0] -= 1
        if entry.id == "email.broken":
            raise ImportError("no module named 'missing_dependency'")
        return by_id[entry.id]

    entries = [
        CheckEntry(c.meta.id, c.__module__, c.__name__, c.meta)
        for c in (Passing, Dependent, Broken)
    ]
    async with Services(loopback_options()) as services:
        report = await Engine(entries, load=load).run(PROFILE, services)
    assert len(threads) == 6 and loop_thread not in threads
    assert not overlapped[0]
    by_check = {(r.check_id, r.target): r for r in report.results}
    assert by_check[("email.passing", "one.example")].status is Status.PASS
    assert by_check[("email.dependent", "two.example")].status is Status.WARN
    broken = by_check[("email.broken", "one.example")].findings[0]
    assert broken.status is Status.ERROR and "missing_dependency" in broken.message
