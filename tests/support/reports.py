"""Hand-built findings, reports and action sets shared by the checklist and report tests.

Each test folder keeps its own data (checks, actions TOML, findings) in its conftest; what
is shared is how they are put together: ``finding`` fills in a Finding's defaults,
``report_from`` groups findings into one CheckResult per check and target, and
``actions_from`` loads an actions TOML (optionally beside the real general.toml).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from auditor.actions import ActionSet, load_actions
from auditor.model import (
    CheckInfo,
    CheckResult,
    Confidence,
    Evidence,
    Finding,
    Report,
    Severity,
    Status,
)

PERSON = "Jane Candidate"
DOMAIN = "example-campaign.org.uk"
TOOL_VERSION = "0.1.0"
GENERAL_TOML = Path(__file__).resolve().parents[2] / "checks" / "data" / "actions" / "general.toml"


def finding(
    check_id: str,
    status: Status = Status.FAIL,
    severity: Severity = Severity.HIGH,
    *,
    kind: str = "",
    location: str = "",
    subject: str = "",
    actions: Sequence[str] = (),
    message: str = "",
    confidence: Confidence = Confidence.HIGH,
    evidence: Sequence[Evidence] = (),
    target: str = "",
) -> Finding:
    """A Finding; without a message one is made from its parts, and without a target the
    exposure and accounts checks are about the person, the others about the domain."""
    return Finding(
        check_id=check_id,
        status=status,
        severity=severity,
        message=message or f"{check_id} {status.value} {kind} {location}".strip(),
        target=target or (PERSON if check_id.split(".")[0] in ("exposure", "accounts")
                          else DOMAIN),
        location=location,
        kind=kind,
        subject=subject,
        confidence=confidence,
        evidence=tuple(evidence),
        actions=tuple(actions),
    )  # fmt: skip


def report_from(
    findings: Sequence[Finding],
    checks: Sequence[CheckInfo],
    *,
    started_at: str,
    finished_at: str,
    duration: float,
    subject: str = PERSON,
    **kw: Any,
) -> Report:
    """A Report with one CheckResult per check and target, in the order first seen; each
    result started at ``started_at`` and took ``duration`` seconds."""
    by_check: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        by_check.setdefault((f.check_id, f.target), []).append(f)
    results = tuple(
        CheckResult(check_id, target, tuple(fs), started_at, duration)
        for (check_id, target), fs in by_check.items()
    )
    return Report(
        subject=subject,
        started_at=started_at,
        finished_at=finished_at,
        tool_version=TOOL_VERSION,
        results=results,
        checks=tuple(checks),
        **kw,
    )


def actions_from(folder: Path, toml: str, *, general: bool = False) -> ActionSet:
    """The actions in ``toml`` (written to ``folder``/test.toml), with a copy of the real
    general.toml beside them when ``general`` (fallbacks, standing advice); loaded strictly."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "test.toml").write_text(toml, encoding="utf-8")
    if general:
        (folder / "general.toml").write_text(GENERAL_TOML.read_text(encoding="utf-8"), "utf-8")
    return load_actions(folder, strict=True)
