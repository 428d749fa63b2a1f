"""Run one audit: catalogue → selection → engine → report. Shared by the CLI and the TUI."""

from __future__ import annotations

import asyncio
import importlib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from auditor.engine import Engine, EventSink
from auditor.masking import profile_masker
from auditor.model import Report, Severity, Status
from auditor.net.domains import public_suffix
from auditor.net.tls import make_ssl_context
from auditor.outage import ADVICE, outage_from
from auditor.profile import Profile
from auditor.registry import Catalogue, discover, select
from auditor.scores import (
    count,
    findings_in_words,
    outage_in_words,
    outcomes_in_words,
    plural,
    score_text,
)
from auditor.services import AuditOptions, Services


def _prepare(
    profile: Profile, options: AuditOptions, catalogue: Catalogue | None
) -> tuple[Catalogue, ssl.SSLContext]:
    """The CPU work an audit does up front or on its first use, run in a worker thread so
    that the app's event loop keeps drawing (each is tens of ms; on the loop they froze the
    screen, benchmarks/loop_stall.py): every check's metadata read with ``ast``, the system
    trust store, and, once per process, the bundled Public Suffix List, the profile's masker,
    the async backend httpcore imports on the first request, httpx (``Services`` makes its
    HTTP client on a check's first request) and dnspython's query module (the DNS client
    imports it on its first truncated answer, for TCP)."""
    catalogue = catalogue or discover()
    context = make_ssl_context(options.ca_file, options.ca_pem)
    public_suffix("example.org.uk")
    profile_masker(profile.sensitive_values())
    importlib.import_module("dns.asyncquery")
    importlib.import_module("auditor.net.http")  # Services makes its HTTP client on first use
    try:
        importlib.import_module("anyio._backends._asyncio")
    except ImportError:  # another httpcore backend: it is imported on first use instead
        pass
    return catalogue, context


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
    chosen, context = await asyncio.to_thread(_prepare, profile, options, catalogue)
    entries = select(chosen, list(selected), list(ignored))
    engine = Engine(entries)
    async with Services(options, clock=clock, ssl_context=context) as services:
        report = await engine.run(profile, services, on_event=on_event, problems=chosen.problems)
        outage = outage_from(services.dns.health)
    return report if outage is None else replace(report, outage=outage)


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
    """The audit in one line for stderr: its checks by outcome and score, then its findings
    (auditor/scores.py defines every number, as the reports and the app show them)."""
    counts = count(report)
    overall = counts.overall
    line = (
        f"{plural(counts.checks, 'check')} on {report.subject}: {outcomes_in_words(overall)}; "
        f"score: {score_text(overall)}. {findings_in_words(counts)}."
    )
    if nothing_checked(report):
        why = "there was no network" if report.outage else "no check could reach what it looks at"
        line += f" In all, nothing checked: {why}."
    return line


def outage_line(report: Report) -> str:
    """ "No network: ... Because of it, 13 checks could not be checked. Check that ...",
    said once on stderr before the summary line; "" when the network was there."""
    text = outage_in_words(count(report))
    return f"{text} {ADVICE}" if text else ""
