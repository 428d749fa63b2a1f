"""What the person did in an interactive check, so its result reaches the next report.

Some checks need the person at the keyboard: the authenticator self-test (scan a throwaway
QR code, type two codes) and the breached-password check (type a password). The front end
(the app's two-factor screen) runs the interaction and records its outcome here; the history
keeps the latest one per check beside the ticks (auditor.checklist.ChecklistState), and the
next audit passes it to the check (``AuditOptions.interactions`` → ``ctx.interaction()``),
which turns it into a finding with its date. Nothing secret is ever recorded: no TOTP key,
no code, no password, no hash prefix — only the verdict, a plain message and small counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.vocabulary import Status

MAX_MESSAGE = 400
MAX_FACTS = 8
_RECORDABLE = frozenset({Status.PASS, Status.WARN, Status.FAIL, Status.ERROR})
Fact = str | int | bool


@dataclass(frozen=True)
class Interaction:
    """One interactive check's latest outcome: the verdict, in words, and when."""

    check_id: str
    status: Status
    message: str
    at: str  # ISO 8601, when the person did it
    facts: Mapping[str, Fact] = field(default_factory=dict)  # e.g. {"clock_steps": 0}

    def __post_init__(self) -> None:
        if self.status not in _RECORDABLE:
            raise ValueError(f"an interaction ends in pass, warn, fail or error, not {self.status}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "check_id": self.check_id,
            "status": self.status.value,
            "message": self.message,
            "at": self.at,
            "facts": dict(self.facts),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Interaction | None:
        """The saved form read back; None for anything malformed (a hand-edited file)."""
        try:
            status = Status(str(data.get("status", "")))
            facts_raw = data.get("facts", {})
            facts = {
                str(k)[:40]: v
                for k, v in (facts_raw.items() if isinstance(facts_raw, Mapping) else ())
                if isinstance(v, str | int | bool)
            }
            return cls(
                check_id=str(data["check_id"])[:80],
                status=status,
                message=str(data.get("message", ""))[:MAX_MESSAGE],
                at=str(data.get("at", ""))[:40],
                facts=dict(list(facts.items())[:MAX_FACTS]),
            )
        except (KeyError, TypeError, ValueError):
            return None


def interactions_from(data: object) -> dict[str, Interaction]:
    """Saved interactions by check id, skipping anything malformed."""
    if not isinstance(data, Mapping):
        return {}
    found: dict[str, Interaction] = {}
    for value in data.values():
        if isinstance(value, Mapping) and (interaction := Interaction.from_dict(value)):
            found[interaction.check_id] = interaction
    return found
