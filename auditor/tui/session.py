"""What the app knows between screens: the profile, the last report, the checklist state.

Plain Python (no Textual), so it is tested directly. Ticks and dismissals go to the audit
history (auditor.history) when it is available; otherwise they are kept in memory for this
session only, and ``Session.persistent`` says so for the screens to tell the person.

The app builds a Session before its first screen, so this module imports only what that
needs: the history, the checklist and the profile's parser load at their first use.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from auditor.actions import ActionSet
    from auditor.changes import AuditDiff
    from auditor.checklist import Checklist, ChecklistState
    from auditor.interactions import Interaction
    from auditor.model import Report
    from auditor.profile import Profile

DEMO_SUBJECT = "demo"
Clock = Callable[[], datetime]


class StateStore(Protocol):
    persistent: bool

    def load_state(self, subject: str) -> ChecklistState: ...
    def save_state(self, subject: str, state: ChecklistState) -> None: ...
    def save_report(self, report: Report, actions: ActionSet, subject: str) -> AuditDiff | None: ...
    def latest_report(self, subject: str | None) -> Report | None: ...


class MemoryStore:
    """Ticks, dismissals and reports for this session only."""

    persistent = False

    def __init__(self) -> None:
        self.states: dict[str, ChecklistState] = {}
        self.reports: dict[str, Report] = {}

    def load_state(self, subject: str) -> ChecklistState:
        from auditor.checklist import ChecklistState

        return self.states.get(subject, ChecklistState())

    def save_state(self, subject: str, state: ChecklistState) -> None:
        self.states[subject] = state

    def save_report(self, report: Report, actions: ActionSet, subject: str) -> AuditDiff | None:
        self.reports[subject] = report
        return None

    def latest_report(self, subject: str | None) -> Report | None:
        if subject is not None:
            return self.reports.get(subject)
        own = [r for s, r in self.reports.items() if s != DEMO_SUBJECT]
        found = own or list(self.reports.values())
        return found[-1] if found else None


class HistoryStore:
    """The audit history on disk (0600 files, atomic writes), via auditor.history: the one
    given, or the one at ``root`` (default: the user data folder), opened at its first use
    (auditor.history loads the masker, and with it phonenumbers)."""

    persistent = True

    def __init__(self, history: Any = None, *, root: Path | None = None) -> None:
        self._history = history
        self._root = root

    @property
    def history(self) -> Any:
        if self._history is None:
            from auditor.history import History

            self._history = History(self._root)
        return self._history

    def load_state(self, subject: str) -> ChecklistState:
        state: ChecklistState = self.history.load_state(subject)
        return state

    def save_state(self, subject: str, state: ChecklistState) -> None:
        self.history.save_state(subject, state)

    def save_report(self, report: Report, actions: ActionSet, subject: str) -> AuditDiff | None:
        """Saved as ``auditor scan`` saves it; what changed since the subject's last audit."""
        changes: AuditDiff | None = self.history.record(report, actions, subject=subject).diff
        return changes

    def latest_report(self, subject: str | None) -> Report | None:
        record = self.history.latest(subject)
        if record is None:
            return None
        loaded: Report = self.history.load(record)
        return loaded


def default_store(root: Path | None = None) -> StateStore:
    """The audit history on disk (loaded when first needed)."""
    return HistoryStore(root=root)


class Session:
    """The app's state; every change bumps ``version`` so screens know to redraw."""

    def __init__(
        self,
        *,
        store: StateStore,
        actions: Callable[[], ActionSet],
        clock: Clock | None = None,
        demo: bool = False,
    ) -> None:
        self.store = store
        self._load_actions = actions
        self._actions: ActionSet | None = None
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self.demo = demo
        self.profile: Profile | None = None
        self.profile_path: Path | None = None
        # What the profile file looked like when this session last read or wrote it, so
        # that a save never replaces a file changed (or never opened) here without asking.
        self.profile_file: FileSignature | None = None
        self.profile_file_has_comments = False
        self.report: Report | None = None
        self.changes: AuditDiff | None = None  # since the previous audit (for the exports)
        self._state: ChecklistState | None = None  # None: no tick yet (made at first use)
        self.cancelled = False
        self.version = 0
        # This app session's password-check tally (counts only: never a password or hash).
        self.passwords_checked = 0
        self.passwords_breached = 0

    @property
    def actions(self) -> ActionSet:
        if self._actions is None:
            self._actions = self._load_actions()
        return self._actions

    @property
    def state(self) -> ChecklistState:
        """The ticks, dismissals and answers of the subject shown."""
        if self._state is None:
            from auditor.checklist import ChecklistState

            self._state = ChecklistState()
        return self._state

    @state.setter
    def state(self, state: ChecklistState) -> None:
        self._state = state

    @property
    def subject(self) -> str:
        if self.demo:
            return DEMO_SUBJECT
        if self.report is not None:
            return self.report.subject
        return self.profile.label if self.profile else "unnamed audit"

    def changed(self) -> None:
        self.version += 1

    def enter_demo(self) -> None:
        """From here on, audit the fictional candidate; the person's own profile file and
        history are left alone (the demo's ticks are kept under "demo")."""
        self.demo = True
        self.profile = None
        self.profile_path = None
        self.report = None
        self.changes = None
        self._state = None
        self.cancelled = False
        self.changed()

    def set_profile(self, profile: Profile, path: Path | None = None) -> None:
        self.profile = profile
        if path is not None:
            self.profile_path = path
        self.changed()

    def profile_read(self, path: Path, text: str) -> None:
        """The profile file was just read (or written) by this session."""
        self.profile_path = path
        self.profile_file = FileSignature.of(path)
        from auditor.profile_template import has_own_comments

        self.profile_file_has_comments = has_own_comments(text)

    def open_profile_path(self, path: Path) -> None:
        """Work on another profile file from now on (not read yet: it may not exist)."""
        self.profile = None
        self.profile_path = path
        self.profile_file = None
        self.profile_file_has_comments = False
        self.report = None
        self.changes = None
        self._state = None
        self.changed()

    def overwrite_question(self) -> str | None:
        """Why saving to the profile file needs the person's yes first, or None."""
        path = self.profile_path
        if path is None or not path.exists():
            return None
        if FileSignature.of(path) != self.profile_file:
            return (
                f"{path} already exists and was changed since the app read it (or was never "
                "opened here). Replace it with what is in the app?"
            )
        if self.profile_file_has_comments:
            return (
                f"Saving rewrites {path} in the app's layout: the comments in it (the notes "
                "from 'auditor init') are not kept. Save anyway?"
            )
        return None

    def finish(self, report: Report) -> None:
        """A completed audit: keep it, save it to the history, reload the ticks."""
        self.report = report
        self.cancelled = False
        self.changes = None
        self.changes = self.store.save_report(report, self.actions, self.subject)
        self.state = self.store.load_state(self.subject)
        self.changed()

    def cancel(self) -> None:
        self.cancelled = True
        self.changed()

    def open_last(self) -> bool:
        report = self.store.latest_report(DEMO_SUBJECT if self.demo else None)
        if report is None:
            return False
        self.report = report
        self.state = self.store.load_state(self.subject)
        self.changed()
        return True

    def checklist(self) -> Checklist | None:
        if self.report is None:
            return None
        from auditor.checklist import build_checklist

        return build_checklist(self.report, self.actions, self.state)

    def _now(self) -> str:
        return self.clock().astimezone(UTC).isoformat(timespec="seconds")

    def set_ticked(self, action_id: str, ticked: bool) -> None:
        marks = dict(self.state.ticked)
        if ticked:
            marks[action_id] = self._now()
        else:
            marks.pop(action_id, None)
        self._save(replace(self.state, ticked=marks))

    def set_dismissed(self, fingerprint: str, dismissed: bool) -> None:
        marks = dict(self.state.dismissed)
        if dismissed:
            marks[fingerprint] = "false positive, " + self._now()
        else:
            marks.pop(fingerprint, None)
        self._save(replace(self.state, dismissed=marks))

    def recorded_interactions(self) -> dict[str, Interaction]:
        """What the person did in the interactive checks, for the next audit to report."""
        return dict(self.store.load_state(self.subject).interactions)

    def record_interaction(self, interaction: Interaction) -> None:
        """Keep an interactive check's outcome for this subject's next audits. The state is
        read afresh first: the app may not have loaded this subject's ticks yet."""
        state = self.store.load_state(self.subject)
        recorded = {**state.interactions, interaction.check_id: interaction}
        self._save(replace(state, interactions=recorded))

    def record_totp_selftest(self, step_offset: int, drift_seconds: int, description: str) -> None:
        from auditor.interactions import Interaction
        from auditor.model import Status

        in_step = step_offset == 0
        self.record_interaction(
            Interaction(
                check_id="accounts.totp_selftest",
                status=Status.PASS if in_step else Status.WARN,
                message=(
                    "Your authenticator app passed the self-test and your phone's clock is right."
                    if in_step
                    else description
                ),
                at=self._now(),
                facts={"clock_steps": step_offset, "drift_seconds": drift_seconds},
            )
        )

    def record_password_check(self, breaches: int) -> None:
        """One more password checked in this app session; the tally is what is recorded."""
        from auditor.interactions import Interaction
        from auditor.model import Status

        self.passwords_checked += 1
        self.passwords_breached += breaches > 0
        checked, breached = self.passwords_checked, self.passwords_breached
        if breached:
            message = (
                f"{breached} of the {checked} password{'s' if checked != 1 else ''} you checked "
                "appears in known data breaches: change it everywhere you use it."
            )
        else:
            message = (
                f"None of the {checked} password{'s' if checked != 1 else ''} you checked "
                "appears in known data breaches."
            )
        self.record_interaction(
            Interaction(
                check_id="accounts.passwords",
                status=Status.FAIL if breached else Status.PASS,
                message=message,
                at=self._now(),
                facts={"checked": checked, "found_in_breaches": breached},
            )
        )

    def _save(self, state: ChecklistState) -> None:
        self.store.save_state(self.subject, state)
        self.state = state
        self.changed()


@dataclass(frozen=True)
class FileSignature:
    """A file's modification time and size: enough to notice that someone else wrote it."""

    modified_ns: int
    size: int

    @classmethod
    def of(cls, path: Path) -> FileSignature | None:
        try:
            info = os.stat(path)
        except OSError:
            return None
        return cls(info.st_mtime_ns, info.st_size)


def export_path(directory: Path, subject: str, extension: str) -> Path:
    """A file name for an export that does not overwrite an existing file."""
    stem = "".join(c if c.isalnum() else "-" for c in subject.lower()).strip("-") or "audit"
    stem = f"candidate-audit-{stem[:40]}"
    candidate = directory / f"{stem}.{extension}"
    number = 2
    while candidate.exists():
        candidate = directory / f"{stem}-{number}.{extension}"
        number += 1
    return candidate


def private_mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777
