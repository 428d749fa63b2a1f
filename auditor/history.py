"""Audit history: saved audits, the person's checklist state, and diffs between audits.

Everything lives in the user data directory (platformdirs ``user_data_dir("candidate-auditor")``
/ ``history``), directories 0700 and files 0600, written atomically (a temporary file renamed
over the target, auditor.files.write_private_text), so an audit interrupted mid-write leaves
the history as it was. Audits are saved masked, by the core masker (auditor.masking) that the
writers and the TUI use: a file on disk must never become the leak the audit looks for, so a
report rendered later from the history cannot --reveal what was hidden. Fingerprints are kept
as recorded, so dismissals and diffs still match. Secrets are never written (the report holds
none; evidence details under secret-looking keys are dropped as a second guard).

Layout::

    history/audits/<UTC stamp>--<subject slug>.json   one saved audit each
    history/state/<subject slug>.json                 ticks, dismissals, answers, verified

Loading tolerates anything else in those folders: a corrupt, truncated or foreign file is
skipped with a one-line warning in ``History.warnings``, never a traceback.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.actions import ActionSet
from auditor.changes import AuditDiff, diff
from auditor.checklist import ChecklistState, ItemStatus, Verified, build_checklist
from auditor.files import (
    PRIVATE_DIR_MODE,
    UnreadableFile,
    make_private_dirs,
    read_limited_text,
    write_private_text,
)
from auditor.masking import fingerprinted, masked_audit, masked_fingerprint
from auditor.model import Report

APP_NAME = "candidate-auditor"
DEMO_SUBJECT = "demo"  # the demo world's audits, kept apart from the person's own
AUDIT_FORMAT = "candidate-auditor/audit"
STATE_FORMAT = "candidate-auditor/checklist-state"
# Version 2: fingerprints are taken from the masked fields (auditor.masking.fingerprinted);
# version 1 files (fingerprints hashed from the unmasked fields) are read and migrated.
FORMAT_VERSION = 2
MAX_FILE_BYTES = 64 * 1024 * 1024
# A saved audit nests about eight levels deep; a file nested far deeper is not ours, and
# every later reader (the report model, the masker, the writers) would recurse into it.
MAX_JSON_DEPTH = 64

# Evidence detail keys that could only hold a secret; dropped before saving, whatever a check
# put there (checks must not put secrets in findings; this is the belt to that brace).
SECRET_KEYS = frozenset(
    {"secret", "totp_secret", "otp_secret", "password", "passphrase", "backup_codes",
     "recovery_codes", "api_key", "access_token", "seed"}
)  # fmt: skip


class HistoryError(Exception):
    """A saved audit that cannot be found or read: one line for the person."""


def default_root() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME)) / "history"


def subject_slug(subject: str) -> str:
    """A file-name-safe, collision-free key for a subject ("Jane Doe" -> "jane-doe-1a2b3c")."""
    words = re.sub(r"[^a-z0-9]+", "-", subject.lower()).strip("-")[:40] or "audit"
    digest = hashlib.sha256(subject.encode("utf-8")).hexdigest()[:6]
    return f"{words}-{digest}"


def _stamp(started_at: str) -> str:
    try:
        moment = datetime.fromisoformat(started_at)
    except ValueError:
        return "00000000T000000Z"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class AuditRecord:
    """One saved audit, as listed (the report itself is loaded on demand)."""

    id: str  # the file name without .json: "<stamp>--<slug>"
    path: Path
    subject: str  # the history subject: the report's subject, or "demo"
    label: str  # the report's own subject line
    started_at: str


@dataclass(frozen=True)
class Recorded:
    record: AuditRecord
    diff: AuditDiff | None  # against the previous audit of the same subject, if any
    verified: tuple[str, ...]  # action ids this audit confirmed fixed


def audit_to_dict(report: Report, subject: str) -> dict[str, Any]:
    masked, _ = masked_audit(report, None)
    data = masked.to_dict()
    data["masked"] = True
    for result in data["results"]:
        for finding in result["findings"]:
            for evidence in finding["evidence"]:
                evidence["detail"] = _without_secrets(evidence["detail"])
    return {"format": AUDIT_FORMAT, "version": FORMAT_VERSION, "subject": subject, "report": data}


def _without_secrets(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            k: _without_secrets(v) for k, v in value.items() if str(k).lower() not in SECRET_KEYS
        }
    if isinstance(value, list):
        return [_without_secrets(v) for v in value]
    return value


class History:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else default_root()
        self.warnings: list[str] = []

    @property
    def audits_dir(self) -> Path:
        return self.root / "audits"

    @property
    def state_dir(self) -> Path:
        return self.root / "state"

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def _ensure_dirs(self) -> None:
        for directory in (self.audits_dir, self.state_dir):
            make_private_dirs(directory)  # every folder it creates is 0700
        # our own folders are set to 0700 even when an older version made them wider
        for directory in (self.root, self.audits_dir, self.state_dir):
            os.chmod(directory, PRIVATE_DIR_MODE)
        if self.root.parent.name == APP_NAME:
            os.chmod(self.root.parent, PRIVATE_DIR_MODE)

    # -- audits ----------------------------------------------------------------------

    def save(self, report: Report, *, subject: str | None = None) -> AuditRecord:
        subject = subject or report.subject
        self._ensure_dirs()
        base = f"{_stamp(report.started_at)}--{subject_slug(subject)}"
        name, n = base, 1
        while (self.audits_dir / f"{name}.json").exists():
            n += 1
            name = f"{base}-{n}"
        path = self.audits_dir / f"{name}.json"
        text = json.dumps(audit_to_dict(report, subject), ensure_ascii=False, indent=1)
        write_private_text(path, text + "\n")
        return AuditRecord(name, path, subject, report.subject, report.started_at)

    def audits(self, subject: str | None = None) -> list[AuditRecord]:
        """Saved audits, oldest first; unreadable files skipped with a warning."""
        if not self.audits_dir.is_dir():
            return []
        records = []
        for path in sorted(self.audits_dir.glob("*.json")):
            if path.name.startswith("."):  # a temporary file left by an interrupted write
                continue
            record = self._read_record(path)
            if record is not None and (subject is None or record.subject == subject):
                records.append(record)
        records.sort(key=lambda r: (_stamp(r.started_at), r.id))
        return records

    def subjects(self) -> list[str]:
        return sorted({r.subject for r in self.audits()})

    def latest(self, subject: str | None = None) -> AuditRecord | None:
        """The newest audit of ``subject``; without one, the newest of the person's own
        (the demo's only when there is nothing else)."""
        records = self.audits(subject)
        if subject is None:
            own = [r for r in records if r.subject != DEMO_SUBJECT]
            records = own or records
        return records[-1] if records else None

    def previous(self, record: AuditRecord) -> AuditRecord | None:
        key = (_stamp(record.started_at), record.id)
        earlier = [r for r in self.audits(record.subject) if (_stamp(r.started_at), r.id) < key]
        return earlier[-1] if earlier else None

    def find(self, ref: str) -> AuditRecord:
        """An audit by id, unique id prefix, or path to a saved audit file."""
        candidate = Path(ref).expanduser()
        if candidate.suffix == ".json" and candidate.is_file():
            record = self._read_record(candidate, follow_symlinks=True)  # the person's own path
            if record is None:
                raise HistoryError(f"{ref}: not a saved audit ({self.warnings[-1]})")
            return record
        records = self.audits()
        exact = [r for r in records if r.id == ref]
        matches = exact or [r for r in records if r.id.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise HistoryError(f"no saved audit {ref!r} (list them with: auditor report --list)")
        raise HistoryError(f"{ref!r} matches {len(matches)} audits; give more of the id")

    def load(self, record: AuditRecord | str) -> Report:
        if isinstance(record, str):
            record = self.find(record)
        data = self._read_json(record.path, follow_symlinks=record.path.parent != self.audits_dir)
        try:
            if data is None:
                raise ValueError(self.warnings[-1] if self.warnings else "unreadable")
            report = Report.from_dict(data["report"])
        except (KeyError, ValueError, TypeError, AttributeError, RecursionError) as exc:
            raise HistoryError(f"{record.path.name}: cannot read this audit ({exc})") from None
        if data.get("version") == 1:
            # Saved with the old fingerprints (hashes of unmasked fields): take them again from
            # the fields as saved, which are masked, as a new audit takes them.
            report = fingerprinted(report, None)
        return report

    def _read_json(self, path: Path, *, follow_symlinks: bool = False) -> dict[str, Any] | None:
        try:
            data = read_json_file(path, follow_symlinks=follow_symlinks)
        except (OSError, ValueError) as exc:
            self._warn(f"skipped {path.name}: {_reason(exc)}")
            return None
        if not isinstance(data, dict) or data.get("format") != AUDIT_FORMAT:
            self._warn(f"skipped {path.name}: not a candidate-auditor audit")
            return None
        return data

    def _read_record(self, path: Path, *, follow_symlinks: bool = False) -> AuditRecord | None:
        data = self._read_json(path, follow_symlinks=follow_symlinks)
        if data is None:
            return None
        report = data.get("report")
        if (
            not isinstance(report, dict)
            or not isinstance(report.get("subject"), str)
            or not isinstance(report.get("started_at"), str)
            or not isinstance(report.get("results"), list)
            or not isinstance(data.get("subject"), str)
        ):
            self._warn(f"skipped {path.name}: incomplete audit")
            return None
        return AuditRecord(
            path.stem, path, data["subject"], report["subject"], report["started_at"]
        )

    # -- checklist state -------------------------------------------------------------

    def _state_path(self, subject: str) -> Path:
        return self.state_dir / f"{subject_slug(subject)}.json"

    def load_state(self, subject: str) -> ChecklistState:
        path = self._state_path(subject)
        if not path.exists():
            return ChecklistState()
        try:
            data = read_json_file(path)
            if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
                raise ValueError("not a checklist state file")
            state = ChecklistState.from_dict(data.get("state", {}))
        except (OSError, ValueError, AttributeError, TypeError) as exc:
            # Keep the damaged file for the person to look at, and start afresh.
            aside = path.with_name(f"{path.name}.unreadable")
            with contextlib.suppress(OSError):
                os.replace(path, aside)
            self._warn(
                f"checklist state for {subject!r} was unreadable ({exc}); kept as {aside.name}"
            )
            return ChecklistState()
        if data.get("version") == 1:
            state = self._migrate_state(subject, state)
        return state

    def _migrate_state(self, subject: str, state: ChecklistState) -> ChecklistState:
        """A version 1 state names findings by their old fingerprints: rename each to the new
        one, read from this subject's version 1 audits (which hold both), and save it as
        version 2. A fingerprint no saved audit holds is kept as it was (it can no longer
        match a finding, as a dismissal of a finding that is gone never could)."""
        renamed: dict[str, str] = {}
        for record in self.audits(subject):
            data = self._read_json(record.path)
            if data is None or data.get("version") != 1:
                continue
            with contextlib.suppress(KeyError, ValueError, TypeError, AttributeError):
                for finding in Report.from_dict(data["report"]).findings:
                    renamed[finding.fingerprint] = masked_fingerprint(finding, None)

        def keys(mapping: Mapping[str, str]) -> dict[str, str]:
            return {renamed.get(k, k): v for k, v in mapping.items()}

        verified = {
            action: replace(mark, fingerprints=tuple(renamed.get(f, f) for f in mark.fingerprints))
            for action, mark in state.verified.items()
        }
        state = replace(
            state, dismissed=keys(state.dismissed), answers=keys(state.answers), verified=verified
        )
        self.save_state(subject, state)
        return state

    def save_state(self, subject: str, state: ChecklistState) -> None:
        self._ensure_dirs()
        data = {"format": STATE_FORMAT, "version": FORMAT_VERSION, "subject": subject,
                "state": state.to_dict()}  # fmt: skip
        write_private_text(self._state_path(subject), json.dumps(data, indent=1) + "\n")

    def _update(self, subject: str, **changes: Mapping[str, Any]) -> ChecklistState:
        state = replace(self.load_state(subject), **changes)
        self.save_state(subject, state)
        return state

    def tick(self, subject: str, action_id: str, *, at: str | None = None) -> ChecklistState:
        state = self.load_state(subject)
        return self._update(subject, ticked={**state.ticked, action_id: at or _now()})

    def untick(self, subject: str, action_id: str) -> ChecklistState:
        state = self.load_state(subject)
        return self._update(subject, ticked=_without(state.ticked, [action_id]))

    def dismiss(self, subject: str, fingerprint: str, *, note: str = "") -> ChecklistState:
        state = self.load_state(subject)
        return self._update(subject, dismissed={**state.dismissed, fingerprint: note or _now()})

    def undismiss(self, subject: str, fingerprint: str) -> ChecklistState:
        state = self.load_state(subject)
        return self._update(subject, dismissed=_without(state.dismissed, [fingerprint]))

    def answer(self, subject: str, fingerprint: str, text: str) -> ChecklistState:
        state = self.load_state(subject)
        return self._update(subject, answers={**state.answers, fingerprint: text})

    # -- one step: save, compare, verify ---------------------------------------------

    def record(self, report: Report, actions: ActionSet, *, subject: str | None = None) -> Recorded:
        """Save ``report`` and mark verified every action whose findings it no longer finds."""
        subject = subject or report.subject
        before = self.latest(subject)
        record = self.save(report, subject=subject)
        if before is None:
            return Recorded(record, None, ())
        try:
            previous = self.load(before)
        except HistoryError as exc:
            self._warn(str(exc))
            return Recorded(record, None, ())
        changes = diff(previous, report)
        state = self.load_state(subject)
        state, verified = apply_verification(previous, report, changes, actions, state)
        self.save_state(subject, state)
        return Recorded(record, changes, verified)


def read_json_file(path: Path, *, follow_symlinks: bool = False) -> Any:
    """JSON from one of the tool's own files: a regular file (never a FIFO, a device or, by
    default, a symbolic link: its folder is the tool's, so a link there was not made by it),
    at most MAX_FILE_BYTES, nested at most MAX_JSON_DEPTH deep. Raises OSError or
    ValueError (UnreadableFile, JSONDecodeError, or "nested too deeply")."""
    text = read_limited_text(path, limit=MAX_FILE_BYTES, follow_symlinks=follow_symlinks)
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if _depth_over(data, MAX_JSON_DEPTH):
        raise ValueError("nested too deeply")
    return data


def _depth_over(data: Any, limit: int) -> bool:
    """Whether lists and objects nest deeper than ``limit`` (iterative: no recursion)."""
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth >= limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _reason(exc: BaseException) -> str:
    if isinstance(exc, UnreadableFile) or str(exc) == "nested too deeply":
        return str(exc)
    if isinstance(exc, ValueError):
        return "truncated or not JSON"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


def apply_verification(
    previous: Report,
    current: Report,
    changes: AuditDiff,
    actions: ActionSet,
    state: ChecklistState,
) -> tuple[ChecklistState, tuple[str, ...]]:
    """The state after a re-audit: actions whose every finding was fixed become verified
    (their tick is no longer needed); verified actions found again lose the mark."""
    fixed = {f.fingerprint for f in changes.fixed}
    verified = dict(state.verified)
    ticked = dict(state.ticked)
    newly: list[str] = []
    for item in build_checklist(previous, actions, state).items:
        if item.status not in (ItemStatus.OPEN, ItemStatus.DONE) or not item.findings:
            continue
        problems = [f.fingerprint for f in item.findings if f.status.is_problem]
        if problems and all(fp in fixed for fp in problems):
            verified[item.id] = Verified(current.started_at, tuple(problems))
            ticked.pop(item.id, None)
            newly.append(item.id)
    still_found = {i.id for i in build_checklist(current, actions, state).items if i.findings}
    for action_id in still_found & set(verified):
        del verified[action_id]
    return (
        replace(state, verified=verified, ticked=ticked),
        tuple(a for a in newly if a in verified),
    )


def _without(mapping: Mapping[str, str], keys: Iterable[str]) -> dict[str, str]:
    drop = set(keys)
    return {k: v for k, v in mapping.items() if k not in drop}
