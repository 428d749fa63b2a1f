"""The audit's vocabulary: findings, their evidence, check results and the report.

Everything here is plain data (frozen dataclasses and string enums) so that writers, the
checklist and the TUI can consume it without knowing how a check produced it. The JSON
shape is documented in docs/report-format.md and versioned by ``SCHEMA_VERSION``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from auditor.outage import Outage
from auditor.vocabulary import Confidence, Severity, Status

__all__ = [
    "SCHEMA_VERSION",
    "CheckInfo",
    "CheckResult",
    "Confidence",
    "Evidence",
    "Finding",
    "Report",
    "Severity",
    "Status",
]

SCHEMA_VERSION = "1.2"  # 1.1: a finding names its rule; 1.2: the not-applicable status


@dataclass(frozen=True)
class Evidence:
    """What was seen, where, and when: the provenance of a finding.

    ``source`` names the kind of source ("dns", "page-text", "json-ld", "pdf", "exif",
    "rdap", "smtp", "http-header", "attested", ...). ``location`` is the URL, DNS name or
    file. ``snippet`` is the raw text as seen (attacker-controlled: writers escape it).
    ``sensitive`` lists substrings of the snippet that are the person's own data, so that
    writers can mask them unless the user asks to reveal them.
    """

    source: str
    location: str
    snippet: str = ""
    fetched_at: str | None = None
    sensitive: tuple[str, ...] = ()
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "location": self.location,
            "snippet": self.snippet,
            "fetched_at": self.fetched_at,
            "sensitive": list(self.sensitive),
            "detail": self.detail,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        return cls(
            source=str(data["source"]),
            location=str(data.get("location", "")),
            snippet=str(data.get("snippet", "")),
            fetched_at=data.get("fetched_at"),
            sensitive=tuple(data.get("sensitive", ())),
            detail=dict(data.get("detail", {})),
        )


@dataclass(frozen=True)
class Finding:
    """One observation of one check about one target.

    ``subject`` is what the finding is about within the target (a record, a matched
    identifier kind, an MX host); with check id, target, kind and location it makes the
    fingerprint, which stays the same across audits so that dismissals and diffs work.
    """

    check_id: str
    status: Status
    severity: Severity
    message: str
    target: str
    location: str = ""
    kind: str = ""
    subject: str = ""
    confidence: Confidence = Confidence.HIGH
    evidence: tuple[Evidence, ...] = ()
    actions: tuple[str, ...] = ()
    # The stable id of the rule that gave it ("SPF004", see auditor/rules.py and
    # docs/findings.md); empty for checks whose findings are not in a rule table yet.
    rule: str = ""
    # A finding read back from a saved (masked) audit keeps the fingerprint it was saved
    # with: its location may be masked now, but it is the same finding.
    recorded_fingerprint: str = field(default="", compare=False, repr=False)

    @property
    def fingerprint(self) -> str:
        if self.recorded_fingerprint:
            return self.recorded_fingerprint
        return self.fingerprint_over(self.target, self.location, self.subject)

    def fingerprint_over(self, target: str, location: str, subject: str) -> str:
        """The fingerprint of this finding with these three fields (masking's forms)."""
        key = "\x1f".join((self.check_id, target.lower(), self.kind, location, subject))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        return {
            "check_id": self.check_id,
            "status": self.status.value,
            "severity": self.severity.value,
            "confidence": self.confidence.value,
            "target": self.target,
            "location": self.location,
            "kind": self.kind,
            "subject": self.subject,
            "message": self.message,
            "evidence": [e.to_dict() for e in self.evidence],
            "actions": list(self.actions),
            "rule": self.rule,
            "fingerprint": self.fingerprint,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            check_id=str(data["check_id"]),
            status=Status(data["status"]),
            severity=Severity(data["severity"]),
            confidence=Confidence(data.get("confidence", "high")),
            target=str(data.get("target", "")),
            location=str(data.get("location", "")),
            kind=str(data.get("kind", "")),
            subject=str(data.get("subject", "")),
            message=str(data.get("message", "")),
            evidence=tuple(Evidence.from_dict(e) for e in data.get("evidence", ())),
            actions=tuple(data.get("actions", ())),
            rule=str(data.get("rule", "")),
            recorded_fingerprint=str(data.get("fingerprint", "")),
        )


@dataclass(frozen=True)
class CheckResult:
    """Everything one check produced for one target.

    ``facts`` is structured data that dependent checks read (``requires``): for example
    ``email.mx`` publishes the MX hosts that ``email.starttls`` connects to. It is not part
    of the report.
    """

    check_id: str
    target: str
    findings: tuple[Finding, ...]
    started_at: str
    duration_s: float
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        """The worst status among the findings, "could not check" outranking pass."""
        order = [
            Status.FAIL,
            Status.ERROR,
            Status.TIMEOUT,
            Status.WARN,
            Status.SKIPPED,
            Status.MANUAL,
            Status.PASS,
            Status.NOT_APPLICABLE,
        ]
        present = {f.status for f in self.findings}
        for status in order:
            if status in present:
                return status
        return Status.SKIPPED

    def to_dict(self) -> dict[str, Any]:
        return {
            "check_id": self.check_id,
            "target": self.target,
            "status": self.status.value,
            "started_at": self.started_at,
            "duration_s": round(self.duration_s, 3),
            "findings": [f.to_dict() for f in self.findings],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        """The inverse of to_dict (for saved audits); ``facts`` are not saved, so empty."""
        return cls(
            check_id=str(data["check_id"]),
            target=str(data.get("target", "")),
            findings=tuple(Finding.from_dict(f) for f in data.get("findings", ())),
            started_at=str(data.get("started_at", "")),
            duration_s=float(data.get("duration_s", 0.0)),
        )


@dataclass(frozen=True)
class CheckInfo:
    """What a report says about a check that ran (for readers that lack the plugin)."""

    id: str
    title: str
    category: str
    guidance: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "category": self.category,
            "guidance": self.guidance,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckInfo:
        return cls(
            id=str(data["id"]),
            title=str(data.get("title", "")),
            category=str(data.get("category", "")),
            guidance=str(data.get("guidance", "")),
        )


@dataclass(frozen=True)
class Report:
    """A complete audit: who (by label only), when, what ran and what it found."""

    subject: str
    started_at: str
    finished_at: str
    tool_version: str
    results: tuple[CheckResult, ...]
    checks: tuple[CheckInfo, ...] = ()
    problems: tuple[str, ...] = ()  # plugins that failed to load, and similar
    sensitive: tuple[str, ...] = ()  # the person's identifiers, for masking by writers
    schema_version: str = SCHEMA_VERSION
    outage: Outage | None = None  # no usable DNS answer all audit (auditor/outage.py)

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    def category_of(self, check_id: str) -> str:
        """The category a check declared, or the first part of its dotted id."""
        for check in self.checks:
            if check.id == check_id:
                return check.category
        return check_id.split(".", 1)[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "tool_version": self.tool_version,
            "subject": self.subject,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "checks": [c.to_dict() for c in self.checks],
            "results": [r.to_dict() for r in self.results],
            "problems": list(self.problems),
            "outage": self.outage.to_dict() if self.outage else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """The inverse of to_dict, for saved audits; ``sensitive`` is read when present
        (the history keeps it so that reports rendered later can still mask)."""
        return cls(
            subject=str(data["subject"]),
            started_at=str(data["started_at"]),
            finished_at=str(data.get("finished_at", "")),
            tool_version=str(data.get("tool_version", "")),
            results=tuple(CheckResult.from_dict(r) for r in data.get("results", ())),
            checks=tuple(CheckInfo.from_dict(c) for c in data.get("checks", ())),
            problems=tuple(str(p) for p in data.get("problems", ())),
            sensitive=tuple(str(v) for v in data.get("sensitive", ())),
            schema_version=str(data.get("schema_version", SCHEMA_VERSION)),
            outage=Outage.from_dict(data.get("outage")),
        )
