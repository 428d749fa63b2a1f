"""How the app runs an audit: the injectable runner and its default (auditor.audit).

The runner is awaited in a plain async Textual worker on the app's own event loop (the run
screen's ``_run``); cancelling that worker cancels the runner. A runner must therefore not
hold the loop: the default one's engine and checks hand their CPU-heavy work (a large PDF, a
photo, page parsing) to worker threads, so the screen stays live during an audit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:  # the engine, services and profile load when an audit starts, not before
    from auditor.engine import EventSink
    from auditor.model import Report
    from auditor.profile import Profile
    from auditor.services import AuditOptions

Clock = Callable[[], datetime]


class AuditRunner:
    """The default: the catalogue's checks through the engine (``auditor.audit.run_audit``)."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock

    async def __call__(
        self, profile: Profile, options: AuditOptions, on_event: EventSink
    ) -> Report:
        from auditor.audit import run_audit

        return await run_audit(profile, options, on_event=on_event, clock=self.clock)


RunnerType: TypeAlias = "Callable[[Profile, AuditOptions, EventSink], Awaitable[Report]]"


@dataclass(frozen=True)
class CheckName:
    title: str
    category: str


def check_names() -> dict[str, CheckName]:
    """Titles and categories of the installed checks, read without importing them."""
    try:
        from auditor.registry import discover

        catalogue = discover()
    except Exception:  # a broken plugin must not stop the audit screen; ids are shown instead
        return {}
    return {e.id: CheckName(e.meta.title, e.meta.category) for e in catalogue.entries}


def name_for(check_id: str, names: dict[str, CheckName]) -> CheckName:
    known = names.get(check_id)
    if known is not None:
        return known
    return CheckName(check_id, check_id.split(".", 1)[0])
