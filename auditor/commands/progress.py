"""Progress on stderr for the headless commands: one updating line on a terminal, nothing
otherwise (logs and CI get the summary only)."""

from __future__ import annotations

import sys
from typing import TextIO

from auditor.engine import AuditPlanned, CheckFinished, CheckStarted, Event


class ProgressLine:
    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total = 0
        self.done = 0
        self.running: set[str] = set()

    def __call__(self, event: Event) -> None:
        if isinstance(event, AuditPlanned):
            self.total = event.total
        elif isinstance(event, CheckStarted):
            self.running.add(event.check_id)
        elif isinstance(event, CheckFinished):
            self.done += 1
            self.running.discard(event.check_id)
        if self.enabled:
            current = ", ".join(sorted(self.running)[:3])
            line = f"[{self.done}/{self.total}] {current}"[:78]
            self.stream.write("\r\x1b[2K" + line)
            self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
