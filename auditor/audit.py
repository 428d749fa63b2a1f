"""Run one audit: catalogue → selection → engine → report. Shared by the CLI and the TUI."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from auditor.engine import Engine, EventSink
from auditor.model import Report, Severity, Status
from auditor.profile import Profile
from auditor.registry import Catalogue, discover, select
from auditor.services import AuditOptions, Services
from auditor.vocabulary import STATUS_DISPLAY_ORDER


async def run_audit(
    profile: Profile,
    options: AuditOptions,
    *,
    selected: Sequence[str] = (),
    ignored: Sequence[str] = (),
    on_event: EventSink | None = None,
    catalogue: Catalogue | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Report:
    catalogue = catalogue or discover()
    entries = select(catalogue, list(selected), list(ignored))
    engine = Engine(entries)
    async with Services(options, clock=clock) as services:
        return await engine.run(profile, services, on_event=on_event, problems=catalogue.problems)


def nothing_checked(report: Report) -> bool:
    """No verdict rests on anything the audit looked at, and something could not be checked.

    Verdicts drawn only from what the person wrote in the profile ("attested": the 2FA
    method they named) are not a check of anything: with the DNS server dead, those are
    all an audit would pass, and it must not read (or exit) as a clean run.
    """
    findings = report.findings
    looked = [
        f
        for f in findings
        if f.status in (Status.PASS, Status.WARN, Status.FAIL)
        and (not f.evidence or any(e.source != "attested" for e in f.evidence))
    ]
    failed = any(f.status in (Status.ERROR, Status.TIMEOUT) for f in findings)
    return not looked and failed


def exit_code(report: Report, fail_on: Severity) -> int:
    """pip-audit style: 0 clean, 1 a problem at or above ``fail_on``, 2 nothing could run."""
    findings = report.findings
    verdicts = [f for f in findings if f.status in (Status.PASS, Status.WARN, Status.FAIL)]
    if findings and not verdicts and all(f.status is Status.MANUAL for f in findings):
        return 0  # only questions for the person: nothing failed, nothing broke
    if not verdicts or nothing_checked(report):
        return 2
    worst = [f for f in findings if f.status.is_problem and f.severity.rank >= fail_on.rank]
    return 1 if worst else 0


def summary_line(report: Report) -> str:
    counts: dict[Status, int] = {}
    for finding in report.findings:
        counts[finding.status] = counts.get(finding.status, 0) + 1
    parts = [f"{counts[s]} {s.value}" for s in STATUS_DISPLAY_ORDER if counts.get(s)]
    could_not = sum(counts.get(s, 0) for s in (Status.ERROR, Status.TIMEOUT, Status.SKIPPED))
    tail = f" ({could_not} could not be checked)" if could_not else ""
    if nothing_checked(report):
        tail += "; nothing checked: no check could reach what it looks at"
    return f"{len(report.results)} checks on {report.subject}: " + ", ".join(parts) + tail
