"""auditor scan: audit a profile, a bare domain or a website, headless."""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import TYPE_CHECKING

from auditor.commands.common import add_network_options, add_report_options

if TYPE_CHECKING:
    from collections.abc import Sequence

    from auditor.changes import AuditDiff
    from auditor.checklist import Checklist
    from auditor.interactions import Interaction
    from auditor.model import Report

ARCHIVES_CHECK = "exposure.archives"
HELP = "audit a profile, a domain or a website and print the report"
EPILOG = (
    "exit codes: 0 no problem at or above --fail-on (high); 1 a problem at or above it; 2 "
    "could not run (bad input or options, an -o that cannot be written, a --select that names"
    " no check) or nothing could be checked (for example no network); 130 interrupted."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--profile", metavar="FILE", help="the person's profile (TOML)")
    source.add_argument("--domain", metavar="DOMAIN", help="audit just this campaign domain")
    source.add_argument("--url", metavar="URL", help="audit just this website")
    add_report_options(parser)
    add_network_options(parser)
    parser.add_argument(
        "--dry-run", action="store_true",
        help="print what the web-archive and web-search checks would send, and send nothing",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from auditor.commands.common import (
        UsageError,
        check_selection,
        options_from_args,
        resolve_output,
    )
    from auditor.profile import ProfileError, load_profile, profile_for_domain, profile_for_url

    check_selection(args)
    resolve_output(args, protected=(args.profile,) if args.profile else ())
    try:
        # "is not None": an empty value is still the option given (and an error to name),
        # never a fall-through to another source.
        if args.profile is not None:
            if not args.profile.strip():
                raise UsageError("--profile: give the profile file's name")
            profile = load_profile(args.profile)
        elif args.domain is not None:
            profile = profile_for_domain(args.domain)
        else:
            profile = profile_for_url(args.url)
    except ProfileError as exc:
        raise UsageError(str(exc)) from None
    options = options_from_args(args)
    if args.dry_run:
        from auditor.commands.common import split_ids

        print_outside_requests(
            profile, options, selected=split_ids(args.select), ignored=split_ids(args.ignore)
        )
        return 0
    return run_and_report(profile, options, args)


def print_outside_requests(
    profile: object,
    options: object,
    *,
    selected: Sequence[str] = (),
    ignored: Sequence[str] = (),
) -> None:
    """--dry-run: exactly what exposure.archives and exposure.search (and any other check
    that would send something about the person) would send, in the words of the app's
    question (auditor.consent), ending with what is never sent. Sends nothing.

    Only the checks the real run with the same --select and --ignore would run are said
    (``auditor.registry.select``, as ``run_audit`` chooses them)."""
    import sys

    from auditor.archives import SERVICE, archive_targets
    from auditor.consent import (
        NEVER_SENT,
        SEARCH_CHECK,
        OutsideLookup,
        describe,
        planned_lookups,
        question_lines,
    )
    from auditor.profile import Profile
    from auditor.registry import discover, select
    from auditor.search import load_provider, search_queries
    from auditor.services import AuditOptions

    assert isinstance(profile, Profile) and isinstance(options, AuditOptions)
    out = sys.stdout
    metas = [entry.meta for entry in select(discover(), list(selected), list(ignored))]
    if any(m.id == ARCHIVES_CHECK for m in metas):
        archive = options.endpoints["wayback"]
        out.write(f"{ARCHIVES_CHECK} would ask {SERVICE} ({archive}) about:\n")
        for target in archive_targets(profile.domains, profile.websites, profile.extra_pages):
            scope = {"domain": " and its subdomains", "host": " (the whole site)"}.get(
                target.match_type, ""
            )
            out.write(f"  {target.query}{scope}\n")
    search = next((describe(m, profile, options) for m in metas if m.id == SEARCH_CHECK), None)
    lookups: list[OutsideLookup] = []
    if search is not None:  # always said, even with no provider chosen: what it would send
        lookups.append(search)
        out.writelines(f"{line}\n" for line in question_lines([search]))
        out.writelines(f"  (withheld: {why})\n" for why in search_queries(profile).withheld)
    # The others only when they would really send something (a key given, say).
    others = planned_lookups(profile, options, (m for m in metas if m.id != SEARCH_CHECK))
    lookups += others
    out.writelines(f"{line}\n" for line in question_lines(others))
    if search is not None and not search.ready:
        if not options.search_provider:
            out.write("exposure.search is off: it sends nothing until you choose a provider "
                      "(--search-provider searxng or brave).\n")  # fmt: skip
        else:
            provider = load_provider(options.search_provider)
            if not options.endpoints.get(provider.endpoint):
                out.write(f"exposure.search sends nothing until you give the address of your "
                          f"instance: --endpoint {provider.endpoint}=https://….\n")  # fmt: skip
            elif provider.needs_key and not options.search_key:
                where = "--search-key-file FILE, AUDITOR_SEARCH_KEY or the OS keyring"
                if options.search_keyring_unusable:
                    where = ("--search-key-file FILE or AUDITOR_SEARCH_KEY; the OS keyring could "
                             f"not be used: {options.search_keyring_unusable}")  # fmt: skip
                out.write(f"exposure.search sends nothing without your key for the "
                          f"{provider.title} ({where}).\n")  # fmt: skip
    if search is None and not lookups and not any(m.id == ARCHIVES_CHECK for m in metas):
        out.write("None of the checks chosen (--select, --ignore) sends anything about you to "
                  "an outside service: no web search, no web-archive lookup.\n")  # fmt: skip
    if any(lookup.ready for lookup in lookups) and not options.allow_personal_lookups:
        out.write("These run only if you allow them: add --allow-personal-lookups (they send "
                  "your name).\n")  # fmt: skip
    out.write(f"{NEVER_SENT}\n")
    out.write("Nothing was sent (--dry-run).\n")


def run_and_report(
    profile: object,
    options: object,
    args: argparse.Namespace,
    *,
    history_subject: str | None = None,
) -> int:
    """Shared by scan and demo --headless: run, write the report, summarise, exit code.

    A completed audit is saved to the history (unless --no-save); the demo's under the
    subject "demo" so that it never mixes with the person's own.
    """
    import asyncio

    from auditor.audit import exit_code, outage_line, run_audit, summary_line
    from auditor.commands.common import UsageError, emit_report, say, split_ids
    from auditor.commands.progress import ProgressLine
    from auditor.engine import PlanError
    from auditor.heap import settle
    from auditor.profile import Profile
    from auditor.services import AuditOptions
    from reports.formats import render

    assert isinstance(profile, Profile) and isinstance(options, AuditOptions)
    if history_subject is None and getattr(args, "command", None) == "demo":
        from auditor.history import DEMO_SUBJECT

        history_subject = DEMO_SUBJECT
    options = replace(
        options, interactions=_recorded_interactions(history_subject or profile.label)
    )
    for note in profile.notes:
        say(f"note: {note}")
    progress = ProgressLine(enabled=False if args.quiet else None)
    # Before the loop starts: what the command has loaded so far is frozen, so the audit's
    # full collections do not walk it (they would hold its network work, auditor/heap.py).
    settle()
    try:
        report = asyncio.run(
            run_audit(
                profile,
                options,
                selected=split_ids(args.select),
                ignored=split_ids(args.ignore),
                on_event=progress,
            )
        )
    except PlanError as exc:
        raise UsageError(str(exc)) from None
    finally:
        progress.finish()
    checklist, changes, kept = _save(report, args, history_subject)
    emit_report(
        render(report, args.format, reveal=args.reveal, checklist=checklist, changes=changes),
        args.output,
        force=getattr(args, "force", False),
        kept=kept,
    )
    for problem in report.problems:
        say(f"problem: {problem}")
    if report.outage is not None:
        say(outage_line(report))
    say(summary_line(report))
    return exit_code(report, args.fail_on)


def _recorded_interactions(subject: str) -> dict[str, Interaction]:
    """What the person did in the app's interactive checks (the authenticator self-test, the
    password check), so this audit reports it; an unreadable history just means none."""
    from auditor.commands.common import say
    from auditor.history import History, HistoryError

    history = History()
    try:
        recorded = dict(history.load_state(subject).interactions)
    except (OSError, HistoryError):
        return {}
    for warning in history.warnings:
        say(f"warning: {warning}")
    return recorded


def save_and_checklist(report: Report, args: argparse.Namespace, subject: str | None) -> Checklist:
    """Save the audit to the history (unless --no-save) and build its checklist."""
    return save_with_changes(report, args, subject)[0]


def save_with_changes(
    report: Report, args: argparse.Namespace, subject: str | None
) -> tuple[Checklist, AuditDiff | None]:
    """Save the audit to the history (unless --no-save) and build its checklist, with what
    changed since the subject's previous audit (None when there is none or it was not saved).

    The history must never cost the person their report: trouble saving is one line on
    stderr, and the report is still written.
    """
    checklist, changes, _ = _save(report, args, subject)
    return checklist, changes


def _save(
    report: Report, args: argparse.Namespace, subject: str | None
) -> tuple[Checklist, AuditDiff | None, str]:
    """``save_with_changes``, and what a failed write of the report should say about the
    audit: where it is kept, or that it must be run again."""
    from auditor.actions import load_actions
    from auditor.checklist import build_checklist
    from auditor.commands.common import say
    from auditor.history import History, HistoryError

    actions = load_actions()
    for problem in actions.problems:
        say(f"problem: {problem}")
    subject = subject or report.subject
    ran = any(not f.status.could_not_check for f in report.findings)
    if not ran or getattr(args, "no_save", False):  # nothing could run: nothing to keep
        why = "it was not saved (--no-save)"
        if not ran:
            why = "nothing could be checked, so it was not saved"
        return build_checklist(report, actions), None, f"{why}: run the audit again"
    history = History()
    try:
        recorded = history.record(report, actions, subject=subject)
        state = history.load_state(subject)
    except (OSError, HistoryError) as exc:
        say(f"warning: this audit was not saved to the history ({exc})")
        return build_checklist(report, actions), None, "it was not saved: run the audit again"
    for warning in history.warnings:
        say(f"warning: {warning}")
    if recorded.diff is not None:
        d = recorded.diff
        say(f"since the last audit: {len(d.fixed)} fixed, {len(d.new)} new, "
            f"{len(d.still_open)} still open")  # fmt: skip
    say(f"saved as {recorded.record.id} (auditor report {recorded.record.id})")
    kept = (f"the audit is saved in the history: write the report with "
            f"'auditor report {recorded.record.id} -o FILE'")  # fmt: skip
    return build_checklist(report, actions, state), recorded.diff, kept
