"""The audit's vocabulary, in one place: statuses, severities, confidence, categories, targets.

This is the bottom floor beside ``auditor.net``: every other layer (library, core, checks,
writers, TUI) reads these names from here and keeps no copy of its own.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"  # could not check: SERVFAIL, refused, rate-limited, bad answer
    TIMEOUT = "timeout"  # could not check: no answer in time
    SKIPPED = "skipped"  # could not check: a prerequisite was missing or failed
    MANUAL = "manual"  # only the person can answer; the tool asks and records

    @property
    def could_not_check(self) -> bool:
        """True for the statuses that must never be read as pass or as "missing"."""
        return self in (Status.ERROR, Status.TIMEOUT, Status.SKIPPED)

    @property
    def is_problem(self) -> bool:
        return self in (Status.WARN, Status.FAIL)


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose one of: {choices})") from None


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Category(StrEnum):
    EMAIL = "email"
    WEB = "web"
    DOMAIN = "domain"
    EXPOSURE = "exposure"
    ACCOUNTS = "accounts"


class TargetKind(StrEnum):
    DOMAIN = "domain"  # once per campaign domain
    WEBSITE = "website"  # once per campaign website URL
    PERSON = "person"  # once per audit (the profile as a whole)
