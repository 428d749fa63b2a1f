"""auditor diff: what was fixed, what is new and what is still open between two audits."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from auditor.commands.common import parse_severity

if TYPE_CHECKING:
    from auditor.changes import AuditDiff
    from auditor.history import AuditRecord, History

HELP = "compare two saved audits: fixed, new and still open (default: the last two)"
EPILOG = (
    "exit codes: 0 no new problem at or above --fail-on; 1 a new one appeared; 2 bad input "
    "(fewer than two saved audits, an unknown id)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "audits", nargs="*", metavar="AUDIT",
        help="OLD NEW (ids or files); one AUDIT compares it with the audit before it; "
        "none compares the last two of the same subject",
    )  # fmt: skip
    parser.add_argument("--subject", metavar="NAME", help='the last two audits of NAME ("demo")')
    parser.add_argument("--format", choices=["text", "json"], default="text", help="(text)")
    parser.add_argument(
        "--reveal", action="store_true",
        help="show the home address, phones and emails (masked by default)",
    )  # fmt: skip
    parser.add_argument(
        "--fail-on", type=parse_severity, default="high", metavar="SEVERITY",
        help="exit 1 when a NEW problem at or above this severity appeared (high)",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from auditor.changes import diff
    from auditor.commands.common import UsageError, emit_report, say
    from auditor.history import History, HistoryError

    history = History()
    try:
        old, new = _pick(history, args)
        previous, current = history.load(old), history.load(new)
    except HistoryError as exc:
        raise UsageError(str(exc)) from None
    finally:
        for warning in history.warnings:
            say(f"warning: {warning}")
    if old.subject != new.subject:
        say(f"note: comparing audits of different subjects ({old.subject!r}, {new.subject!r})")
    changes = diff(previous, current)
    sensitive = [*previous.sensitive, *current.sensitive]
    if args.format == "json":
        text = _json(old, new, changes, sensitive, reveal=args.reveal)
    else:
        text = _text(old, new, changes, sensitive, reveal=args.reveal)
    emit_report(text, None)
    say(
        f"{len(changes.fixed)} fixed, {len(changes.new)} new, {len(changes.still_open)} still "
        f"open, {len(changes.not_rechecked)} could not be rechecked"
    )
    worst = [f for f in changes.new if f.severity.rank >= args.fail_on.rank]
    return 1 if worst else 0


def _pick(history: History, args: argparse.Namespace) -> tuple[AuditRecord, AuditRecord]:
    from auditor.commands.common import UsageError

    refs: list[str] = args.audits
    if len(refs) > 2:
        raise UsageError("give at most two audits: OLD NEW")
    if len(refs) == 2:
        return history.find(refs[0]), history.find(refs[1])
    new = history.find(refs[0]) if refs else history.latest(args.subject)
    if new is None:
        raise UsageError("no saved audits yet; run 'auditor scan' first")
    old = history.previous(new)
    if old is None:
        raise UsageError(f"{new.id} is the only saved audit of {new.subject!r}: nothing to compare")
    return old, new


def _text(
    old: AuditRecord,
    new: AuditRecord,
    changes: AuditDiff,
    sensitive: list[str],
    *,
    reveal: bool,
) -> str:
    from auditor.masking import compile_masker, mask_text
    from auditor.wording import URGENCY_WORDS
    from reports.view import clean, when

    masker = None if reveal else compile_masker(sensitive)

    def show(text: str) -> str:
        return clean(mask_text(text, masker))

    lines = [
        f"Comparing {old.id} ({when(old.started_at)})",
        f"     with {new.id} ({when(new.started_at)}): {show(new.label)}",
        "",
    ]
    sections = (
        ("Fixed", changes.fixed),
        ("New", changes.new),
        ("Still open", changes.still_open),
        ("Could not recheck (not counted as fixed)", changes.not_rechecked),
    )
    for title, findings in sections:
        lines.append(f"{title} ({len(findings)}):")
        for f in sorted(findings, key=lambda f: (-f.severity.rank, f.check_id, f.location)):
            where = f" — {show(f.location)}" if f.location else ""
            # How urgent in the app's words; the check id named as such, for the IT
            # volunteer (--format json has every label).
            lines.append(f"  - {URGENCY_WORDS[f.severity]}: {show(f.message)}{where} "
                         f"(check id: {show(f.check_id)})")  # fmt: skip
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _json(
    old: AuditRecord,
    new: AuditRecord,
    changes: AuditDiff,
    sensitive: list[str],
    *,
    reveal: bool,
) -> str:
    import json

    from auditor.masking import compile_masker, mask_text

    masker = None if reveal else compile_masker(sensitive)
    data = changes.to_dict()
    for findings in data.values():
        for f in findings:
            for key in ("message", "location", "subject", "target"):
                f[key] = mask_text(f[key], masker)
            if not reveal:
                f["evidence"] = []  # the full evidence is in 'auditor report'
    out = {
        "old": {"id": old.id, "subject": old.subject, "started_at": old.started_at},
        "new": {"id": new.id, "subject": new.subject, "started_at": new.started_at},
        "masked": not reveal,
        **data,
    }
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"
