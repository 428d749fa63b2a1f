"""auditor report: render a saved audit (the latest by default), with its checklist."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from auditor.commands.common import add_format_option, add_output_options, parse_severity

if TYPE_CHECKING:
    from auditor.changes import AuditDiff
    from auditor.history import AuditRecord, History
    from auditor.model import Report

HELP = "render a saved audit (the latest by default) with its checklist"
EPILOG = (
    "exit codes: as auditor scan, for the saved audit shown: 0 no problem at or above "
    "--fail-on; 1 problems found; 2 bad input (no saved audit, an unknown id or action, an -o"
    " that cannot be written). --tick, --untick, --dismiss and --undismiss alone print one "
    "line saying what changed and exit 0; add --format or -o for the report too."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "audit", nargs="?", metavar="AUDIT",
        help="a saved audit's id (or the start of it) or the path to its file; default: latest",
    )  # fmt: skip
    parser.add_argument("--subject", metavar="NAME", help='the latest audit of NAME (or "demo")')
    add_format_option(parser)
    add_output_options(parser)
    parser.add_argument(
        "--reveal", action="store_true",
        help="show the home address, phones and emails in the report (masked by default)",
    )  # fmt: skip
    parser.add_argument(
        "--fail-on", type=parse_severity, default="high", metavar="SEVERITY",
        help="exit 1 when the audit has a problem at or above this severity (high)",
    )  # fmt: skip
    parser.add_argument("--list", action="store_true", help="list the saved audits and stop")
    state = parser.add_argument_group("checklist (saved for the audit's subject)")
    state.add_argument(
        "--tick",
        action="append",
        default=[],
        metavar="ACTION",
        help="mark a checklist action as done (repeatable)",
    )
    state.add_argument("--untick", action="append", default=[], metavar="ACTION")
    state.add_argument(
        "--dismiss",
        action="append",
        default=[],
        metavar="FINGERPRINT",
        help="dismiss a finding, e.g. a false positive (repeatable)",
    )
    state.add_argument("--undismiss", action="append", default=[], metavar="FINGERPRINT")


def run(args: argparse.Namespace) -> int:
    from auditor.actions import load_actions
    from auditor.audit import exit_code, outage_line, summary_line
    from auditor.checklist import build_checklist
    from auditor.commands.common import UsageError, emit_report, resolve_output, say
    from auditor.history import History, HistoryError
    from reports.formats import render

    changes_state = bool(args.tick or args.untick or args.dismiss or args.undismiss)
    confirm_only = changes_state and args.format is None and args.output is None
    resolve_output(args)
    history = History()
    try:
        if args.list:
            return _list(history)
        record = history.find(args.audit) if args.audit else history.latest(args.subject)
        if record is None:
            which = f" of {args.subject!r}" if args.subject else ""
            raise UsageError(f"no saved audits{which} yet; run 'auditor scan' first")
        report = history.load(record)
    except HistoryError as exc:
        raise UsageError(str(exc)) from None
    finally:
        for warning in history.warnings:
            say(f"warning: {warning}")
    actions = load_actions()
    for problem in actions.problems:
        say(f"problem: {problem}")
    shown = len(history.warnings)
    _update_state(history, record.subject, report, args, quiet=confirm_only)
    if confirm_only:
        for warning in history.warnings[shown:]:
            say(f"warning: {warning}")
        print(_confirmation(actions, record.label or record.subject, args))
        return 0
    checklist = build_checklist(report, actions, history.load_state(record.subject))
    for warning in history.warnings[shown:]:  # the checklist state's, read just now
        say(f"warning: {warning}")
    changes = _changes_since_previous(history, record, report)
    emit_report(
        render(report, args.format, reveal=args.reveal, checklist=checklist, changes=changes),
        args.output,
        force=args.force,
        kept=f"the saved audit {record.id} is unchanged: try again with another -o",
    )
    if args.reveal:
        say("note: saved audits keep your personal details hidden; for a report that shows "
            "them, run a new 'auditor scan --reveal'")  # fmt: skip
    if report.outage is not None:
        say(outage_line(report))
    say(f"{summary_line(report)} (saved audit {record.id})")
    return exit_code(report, args.fail_on)


def _confirmation(actions: object, subject: str, args: argparse.Namespace) -> str:
    """One line: what --tick and the like changed in the subject's checklist."""
    from auditor.actions import ActionSet
    from auditor.scores import plural
    from reports.view import clean

    assert isinstance(actions, ActionSet)

    def named(ids: list[str]) -> str:
        shown = []
        for action_id in dict.fromkeys(ids):
            action = actions.get(action_id)
            shown.append(f"{action_id} ({action.title})" if action else action_id)
        return clean("; ".join(shown))

    parts = []
    if args.tick:
        parts.append(f"ticked {named(args.tick)}")
    if args.untick:
        parts.append(f"unticked {named(args.untick)}")
    if args.dismiss:
        parts.append(f"dismissed {plural(len(set(args.dismiss)), 'finding')}")
    if args.undismiss:
        parts.append(f"brought back {plural(len(set(args.undismiss)), 'finding')}")
    return f"Checklist of {subject} updated: {', '.join(parts)}."


def _changes_since_previous(
    history: History, record: AuditRecord, report: Report
) -> AuditDiff | None:
    """What changed since the subject's audit before this one, for the report's summary; a
    previous audit that cannot be read is one warning, not a lost report."""
    from auditor.changes import diff
    from auditor.commands.common import say
    from auditor.history import HistoryError

    previous = history.previous(record)
    if previous is None:
        return None
    try:
        return diff(history.load(previous), report)
    except HistoryError as exc:
        say(f"warning: the previous audit could not be read, so changes are not shown ({exc})")
        return None


def _list(history: object) -> int:
    import sys

    from auditor.history import History

    assert isinstance(history, History)
    records = history.audits()
    if not records:
        print("No saved audits yet. Run 'auditor scan' (or 'auditor demo --headless').")
        return 0
    width = max(len(r.id) for r in records)
    for record in records:
        label = (
            record.label if record.subject == record.label else f"{record.label} [{record.subject}]"
        )
        sys.stdout.write(f"{record.id:<{width}}  {record.started_at}  {label}\n")
    return 0


def _update_state(
    history: History, subject: str, report: Report, args: argparse.Namespace, *, quiet: bool = False
) -> None:
    """Apply --tick/--untick/--dismiss/--undismiss; unknown ids are refused, not guessed."""
    from auditor.actions import load_actions
    from auditor.commands.common import UsageError, say

    known_actions = set(load_actions().actions)
    fingerprints = {f.fingerprint for f in report.findings}
    for action_id in [*args.tick, *args.untick]:
        if action_id not in known_actions:
            raise UsageError(f"no checklist action {action_id!r} (the ids are in --format json)")
    for fingerprint in [*args.dismiss, *args.undismiss]:
        if fingerprint not in fingerprints:
            raise UsageError(f"no finding {fingerprint!r} in this audit (see --format csv)")
    for action_id in args.tick:
        history.tick(subject, action_id)
    for action_id in args.untick:
        history.untick(subject, action_id)
    for fingerprint in args.dismiss:
        history.dismiss(subject, fingerprint)
    for fingerprint in args.undismiss:
        history.undismiss(subject, fingerprint)
    changed = len(args.tick) + len(args.untick) + len(args.dismiss) + len(args.undismiss)
    if changed and not quiet:  # else the one line of confirmation says it
        say(f"checklist updated for {subject!r} ({changed} change{'s' if changed > 1 else ''})")
