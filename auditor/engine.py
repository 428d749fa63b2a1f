"""The engine: checks × targets in one TaskGroup, with timeouts, limits and dependencies.

Each (check, target) pair is one task. A task first waits for the results it ``requires``
(futures, so no polling and no ordering by hand), then takes a slot from the global
concurrency limit, then runs the check under its own timeout and the audit deadline. An
exception or a timeout becomes an ``error``/``timeout`` finding for that pair alone: one
broken or slow check never cancels or hides the others. Progress is streamed as events.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from auditor import __version__
from auditor.check import Check, CheckContext, CheckMeta, RequirementLookup
from auditor.masking import fingerprinted
from auditor.model import CheckInfo, CheckResult, Evidence, Finding, Report, Severity, Status
from auditor.net.dns import DnsAnswer
from auditor.profile import Profile
from auditor.registry import CheckEntry, find_cycle, load_check
from auditor.services import Services
from auditor.vocabulary import TargetKind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckStarted:
    check_id: str
    target: str


@dataclass(frozen=True)
class CheckFinished:
    check_id: str
    target: str
    result: CheckResult


@dataclass(frozen=True)
class AuditPlanned:
    total: int  # number of (check, target) pairs


Event = AuditPlanned | CheckStarted | CheckFinished
EventSink = Callable[[Event], None]


class PlanError(ValueError):
    """The selected checks cannot be run together (a dependency cycle, say)."""


def targets_for(kind: str, profile: Profile) -> list[str]:
    if kind == TargetKind.DOMAIN:
        return list(profile.domains)
    if kind == TargetKind.WEBSITE:
        return list(profile.websites)
    # A scan of a bare domain or URL has no person in it: nothing to ask or match.
    return [profile.label] if profile.name else []


@dataclass(frozen=True)
class _Planned:
    meta: CheckMeta
    target: str
    load: Callable[[], type[Check]]
    module: str = ""  # the module the default loader imports ("" for a custom loader)


class Engine:
    def __init__(
        self,
        entries: Sequence[CheckEntry],
        *,
        load: Callable[[CheckEntry], type[Check]] | None = None,
    ) -> None:
        cycle = find_cycle(list(entries))
        if cycle:
            raise PlanError("checks depend on each other in a cycle: " + " → ".join(cycle))
        # Interactive checks run like the others: their run() reports the outcome the person
        # recorded in the app (ctx.interaction()) or invites them to do it.
        self.entries = list(entries)
        self._load = load or (lambda entry: load_check(entry.module, entry.attr))
        # How each entry is loaded, made once: a bulk run plans thousands of audits.
        self._loaders = [
            (entry, functools.partial(self._load, entry), entry.module if load is None else "")
            for entry in self.entries
        ]
        self._check_infos = tuple(
            CheckInfo(e.meta.id, e.meta.title, e.meta.category, e.meta.guidance)
            for e in self.entries
        )

    @classmethod
    def from_checks(cls, checks: Sequence[type[Check]]) -> Engine:
        """An engine over check classes given directly (tests, embedding)."""
        by_id = {c.meta.id: c for c in checks}
        entries = [CheckEntry(c.meta.id, c.__module__, c.__name__, c.meta) for c in checks]
        return cls(entries, load=lambda entry: by_id[entry.id])

    def plan(self, profile: Profile) -> list[_Planned]:
        planned: list[_Planned] = []
        for entry, load, module in self._loaders:
            for target in targets_for(entry.meta.target, profile):
                planned.append(_Planned(entry.meta, target, load, module))
        return planned

    async def run(
        self,
        profile: Profile,
        services: Services,
        *,
        on_event: EventSink | None = None,
        problems: Sequence[str] = (),
    ) -> Report:
        started_at = services.clock()
        emit = on_event or (lambda _event: None)
        planned = self.plan(profile)
        emit(AuditPlanned(len(planned)))
        loop = asyncio.get_running_loop()
        futures: dict[tuple[str, str], asyncio.Future[CheckResult]] = {
            (p.meta.id, p.target): loop.create_future() for p in planned
        }
        kinds = {p.meta.id: p.meta.target for p in planned}
        limit = asyncio.Semaphore(services.options.max_checks_in_flight)
        import_lock = asyncio.Lock()
        deadline = services.options.audit_deadline
        audit_deadline = None if deadline is None else time.monotonic() + deadline

        async def requirement_lookup(
            meta: CheckMeta, target: str, check_id: str
        ) -> list[CheckResult]:
            if check_id not in kinds:
                return []
            if kinds[check_id] == meta.target:
                keys = [(check_id, target)]
            else:
                keys = [k for k in futures if k[0] == check_id]
            return [await asyncio.shield(futures[k]) for k in keys]

        async def run_one(item: _Planned) -> None:
            key = (item.meta.id, item.target)
            try:
                for required in item.meta.requires:
                    await requirement_lookup(item.meta, item.target, required)
                async with limit:
                    emit(CheckStarted(*key))

                    async def lookup(check_id: str) -> list[CheckResult]:
                        return await requirement_lookup(item.meta, item.target, check_id)

                    result = await self._execute(
                        item, profile, services, audit_deadline, lookup, import_lock
                    )
            except asyncio.CancelledError:
                if not futures[key].done():
                    futures[key].cancel()
                raise
            futures[key].set_result(result)
            emit(CheckFinished(item.meta.id, item.target, result))

        async with asyncio.TaskGroup() as group:
            for item in planned:
                group.create_task(run_one(item), name=f"{item.meta.id}@{item.target}")

        results = tuple(futures[(p.meta.id, p.target)].result() for p in planned)
        report = Report(
            subject=profile.label,
            started_at=_iso(started_at),
            finished_at=_iso(services.clock()),
            tool_version=__version__,
            results=results,
            checks=self._check_infos,
            problems=tuple(problems),
            sensitive=profile.sensitive_values(),
        )
        # Fingerprints from the masked fields, so none is a hash of the person's details.
        return fingerprinted(report)

    @staticmethod
    async def _load_off_loop(item: _Planned, import_lock: asyncio.Lock) -> type[Check]:
        """The check's class, its module imported in a worker thread.

        A check module's first import (with the library it pulls in) is tens of ms of
        CPU each, a few hundred ms over a whole first audit; on the loop it would freeze
        the app that long (benchmarks/loop_stall.py). One import at a time, so two
        threads never import modules that import each other. A module already imported is
        only looked up (a bulk run would otherwise make a thread hop per check per domain)."""
        loaded = sys.modules.get(item.module) if item.module else None
        if loaded is not None and not getattr(loaded.__spec__, "_initializing", False):
            return item.load()
        async with import_lock:
            return await asyncio.to_thread(item.load)

    async def _execute(
        self,
        item: _Planned,
        profile: Profile,
        services: Services,
        audit_deadline: float | None,
        lookup: RequirementLookup,
        import_lock: asyncio.Lock,
    ) -> CheckResult:
        meta, target = item.meta, item.target
        started_wall = services.clock()
        started = time.monotonic()
        context = CheckContext(meta, target, profile, services, lookup)
        budget = meta.timeout
        ran_out_of = "its own time limit"
        if audit_deadline is not None and audit_deadline - time.monotonic() < budget:
            budget = max(0.0, audit_deadline - time.monotonic())
            ran_out_of = "the audit's time limit"
        try:
            if budget <= 0:
                raise TimeoutError
            async with asyncio.timeout(budget):
                missing = None
                if meta.target == TargetKind.DOMAIN and meta.target_must_exist:
                    missing = await services.missing_domain(target)
                if meta.sends_personal_data and not services.options.allow_personal_lookups:
                    findings = [_no_consent(context)]
                elif missing is not None:
                    findings = [_domain_missing(context, missing)]
                else:
                    check = (await self._load_off_loop(item, import_lock))()
                    findings = list(await check.run(context))
        except TimeoutError:
            findings = [
                context.finding(
                    Status.TIMEOUT,
                    f"Could not check: {meta.title} did not finish within {ran_out_of} "
                    f"({budget:.0f}s).",
                    severity=Severity.INFO,
                    subject="timeout",
                )
            ]
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a check's bug must not take the audit down
            log.debug("check %s failed on %s", meta.id, target, exc_info=True)
            findings = [
                context.finding(
                    Status.ERROR,
                    f"Could not check: {meta.title} stopped with an internal error "
                    f"({type(exc).__name__}: {_one_line(exc)}).",
                    severity=Severity.INFO,
                    subject="internal-error",
                )
            ]
        if not findings:
            findings = [
                context.finding(
                    Status.SKIPPED, "Nothing to check here.", severity=Severity.INFO,
                    subject="empty",
                )
            ]  # fmt: skip
        return CheckResult(
            check_id=meta.id,
            target=target,
            findings=tuple(findings),
            started_at=_iso(started_wall),
            duration_s=time.monotonic() - started,
            facts=dict(context.facts),
        )


def _no_consent(context: CheckContext) -> Finding:
    """A check that sends something about the person runs only with their consent: the engine
    enforces ``sends_personal_data``, so no check can forget to. The finding says what it
    would have sent and to whom (auditor/consent.py), and whether the person said no."""
    from auditor.consent import declined_message, describe, not_allowed_message

    options = context.services.options
    lookup = describe(context.meta, context.profile, options)
    declined = options.personal_lookups_declined
    return context.finding(
        Status.SKIPPED,
        declined_message(lookup) if declined else not_allowed_message(lookup),
        severity=Severity.INFO,
        subject="consent",
    )


def _domain_missing(context: CheckContext, answer: DnsAnswer) -> Finding:
    return context.finding(
        Status.SKIPPED,
        f"Not checked: {context.target} does not exist in DNS (NXDOMAIN). Check the spelling, "
        "and whether the registration has lapsed.",
        severity=Severity.INFO,
        subject="domain-missing",
        location=context.target,
        evidence=[
            Evidence(
                source="dns",
                location=f"{answer.name} {answer.rdtype}",
                snippet=answer.describe(),
                fetched_at=_iso(context.services.clock()),
            )
        ],
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else "no details"
