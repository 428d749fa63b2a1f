"""The remediation checklist: what to do, in what order, why, and where the official advice is.

Pure: ``build_checklist(report, actions, state)`` reads a Report, the loaded actions and the
person's saved ticks/dismissals/answers, and returns a Checklist. No I/O, clock or
environment, so the TUI, the writers and the tests all see the same list.

Order: an item's risk is the worst severity of the findings that led to it; ties go to the
most exposing kind (the home address first), then the most certain and easiest to exploit,
then the quickest fix. Groups follow the order a calm adviser would give:

- "Do today": critical, and high that takes an hour or less while the day's total stays
  within two hours (critical always stays);
- "Before nomination papers": actions tied to the nomination (``when = "nomination"``);
- "This week": the rest of high and medium;
- "Keep doing": habits and monitoring (``when = "ongoing"``) and low.

The Checklist also carries each area's score (auditor/scores.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from auditor.actions import MANUAL, Action, ActionSet, Link
from auditor.interactions import Interaction, interactions_from
from auditor.model import Finding, Report, Severity, Status
from auditor.scores import AreaScore, score
from auditor.vocabulary import ExposureKind


class Group(StrEnum):
    TODAY = "today"
    NOMINATION = "nomination"
    WEEK = "week"
    KEEP = "keep"

    @property
    def label(self) -> str:
        return _GROUP_TITLES[self]


_GROUP_TITLES = {
    Group.TODAY: "Do today",
    Group.NOMINATION: "Before nomination papers",
    Group.WEEK: "This week",
    Group.KEEP: "Keep doing",
}
GROUP_ORDER = (Group.TODAY, Group.NOMINATION, Group.WEEK, Group.KEEP)


class ItemStatus(StrEnum):
    OPEN = "open"
    DONE = "done"  # ticked by the person
    DISMISSED = "dismissed"  # every finding behind it dismissed (by fingerprint)
    VERIFIED = "verified"  # a re-audit no longer finds the problem

    @property
    def label(self) -> str:
        """What the item's state is called in the written reports: "ticked as done"."""
        return _ITEM_WORDS[self][0]

    @property
    def mark(self) -> str:
        """The app's: a box and a short word that fit the checklist's column, "[x] done"."""
        box, short = _ITEM_WORDS[self][1:]
        return f"[{box}] {short}"


# The one vocabulary of an item's state: (label, the app's box, the app's short word).
_ITEM_WORDS: dict[ItemStatus, tuple[str, str, str]] = {
    ItemStatus.OPEN: ("to do", " ", "to do"),
    ItemStatus.DONE: ("ticked as done", "x", "done"),
    ItemStatus.DISMISSED: ("dismissed", "-", "dismissed"),
    ItemStatus.VERIFIED: ("verified fixed", "✔", "fixed"),
}


_OTHER_EXPOSURE_RANK = 5  # an exposure finding of no ExposureKind (a page that could not be read)
_NOT_EXPOSURE_RANK = 6
_CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}
_PRIORITY_SEVERITY = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
}
QUICK_FIX_MINUTES = 60
TODAY_BUDGET_MINUTES = 120  # quick high-severity fixes beyond this wait for "This week"


@dataclass(frozen=True)
class Verified:
    """An action a re-audit confirmed fixed: when, and which findings went away."""

    at: str
    fingerprints: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at, "fingerprints": list(self.fingerprints)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Verified:
        return cls(str(data.get("at", "")), tuple(str(f) for f in data.get("fingerprints", ())))


@dataclass(frozen=True)
class ChecklistState:
    """What the person has done with the checklist; persisted by auditor.history."""

    ticked: Mapping[str, str] = field(default_factory=dict)  # action id -> when ticked
    dismissed: Mapping[str, str] = field(default_factory=dict)  # fingerprint -> why/when
    answers: Mapping[str, str] = field(default_factory=dict)  # fingerprint -> answer
    verified: Mapping[str, Verified] = field(default_factory=dict)  # action id -> mark
    # check id -> the latest outcome of an interactive check (auditor.interactions)
    interactions: Mapping[str, Interaction] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ticked": dict(self.ticked),
            "dismissed": dict(self.dismissed),
            "answers": dict(self.answers),
            "verified": {k: v.to_dict() for k, v in self.verified.items()},
            "interactions": {k: v.to_dict() for k, v in self.interactions.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChecklistState:
        def strings(key: str) -> dict[str, str]:
            value = data.get(key, {})
            if not isinstance(value, Mapping):
                return {}
            return {str(k): str(v) for k, v in value.items()}

        verified_raw = data.get("verified", {})
        verified = (
            {
                str(k): Verified.from_dict(v)
                for k, v in verified_raw.items()
                if isinstance(v, Mapping)
            }
            if isinstance(verified_raw, Mapping)
            else {}
        )
        return cls(
            strings("ticked"),
            strings("dismissed"),
            strings("answers"),
            verified,
            interactions_from(data.get("interactions")),
        )


@dataclass(frozen=True)
class Question:
    """A manual check's question, with the person's answer when they gave one."""

    fingerprint: str
    check_id: str
    text: str
    answer: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "fingerprint": self.fingerprint,
            "check_id": self.check_id,
            "text": self.text,
            "answer": self.answer,
        }


@dataclass(frozen=True)
class ChecklistItem:
    action: Action
    severity: Severity
    group: Group
    status: ItemStatus
    findings: tuple[Finding, ...] = ()  # open findings that led here (not dismissed)
    dismissed_findings: tuple[Finding, ...] = ()
    questions: tuple[Question, ...] = ()
    guidance: tuple[str, ...] = ()  # the checks' own guidance links
    fallback: bool = False  # the generic action, because the findings named none we know
    ticked_at: str = ""
    verified: Verified | None = None

    @property
    def id(self) -> str:
        return self.action.id

    @property
    def fingerprints(self) -> tuple[str, ...]:
        return tuple(f.fingerprint for f in (*self.findings, *self.dismissed_findings))

    @property
    def links(self) -> tuple[Link, ...]:
        """The action's official links, then any check guidance not already among them."""
        known = {link.url for link in self.action.links}
        extra = tuple(
            Link("Guidance for this check", url) for url in self.guidance if url not in known
        )
        return self.action.links + extra

    @property
    def ticked_but_still_found(self) -> bool:
        return self.status is ItemStatus.DONE and bool(self.findings)

    def to_dict(self) -> dict[str, Any]:
        data = self.action.to_dict()
        data["links"] = [link.to_dict() for link in self.links]
        data.update(
            {
                "severity": self.severity.value,
                "group": self.group.value,
                "status": self.status.value,
                "fallback": self.fallback,
                "findings": [f.fingerprint for f in self.findings],
                "dismissed_findings": [f.fingerprint for f in self.dismissed_findings],
                "questions": [q.to_dict() for q in self.questions],
                "ticked_at": self.ticked_at,
                "verified": self.verified.to_dict() if self.verified else None,
            }
        )
        return data


@dataclass(frozen=True)
class Checklist:
    items: tuple[ChecklistItem, ...]
    scores: tuple[AreaScore, ...]
    overall: AreaScore
    not_checked: tuple[Finding, ...] = ()
    problems: tuple[str, ...] = ()

    def group(self, group: Group) -> list[ChecklistItem]:
        return [item for item in self.items if item.group is group]

    def groups(self) -> list[tuple[Group, list[ChecklistItem]]]:
        """Non-empty groups in reading order."""
        return [(g, self.group(g)) for g in GROUP_ORDER if self.group(g)]

    def item(self, action_id: str) -> ChecklistItem | None:
        return next((i for i in self.items if i.id == action_id), None)

    @property
    def open_items(self) -> list[ChecklistItem]:
        return [i for i in self.items if i.status is ItemStatus.OPEN]

    def to_dict(self) -> dict[str, Any]:
        return {
            "groups": [
                {"id": g.value, "title": g.label, "items": [i.id for i in self.group(g)]}
                for g in GROUP_ORDER
            ],
            "items": [item.to_dict() for item in self.items],
            "scores": [s.to_dict() for s in self.scores],
            "overall": self.overall.to_dict(),
            "not_checked": [f.fingerprint for f in self.not_checked],
            "problems": list(self.problems),
        }


# ---------------------------------------------------------------------------------------


def build_checklist(
    report: Report, actions: ActionSet, state: ChecklistState | None = None
) -> Checklist:
    state = state or ChecklistState()
    guidance_of = {c.id: c.guidance for c in report.checks if c.guidance}
    problems: list[str] = list(actions.problems)
    by_action: dict[str, list[Finding]] = {}
    fallbacks: set[str] = set()
    chosen: dict[str, Action] = {}
    for finding in report.findings:
        if not (finding.status.is_problem or finding.status is Status.MANUAL):
            continue
        known = [actions.get(a) for a in finding.actions]
        for action_id, action in zip(finding.actions, known, strict=True):
            if action is None:
                problems.append(f"{finding.check_id} names unknown action {action_id!r}")
        found = [a for a in known if a is not None]
        if not found:
            category = report.category_of(finding.check_id)
            fallback = (
                (actions.fallback(MANUAL) if finding.status is Status.MANUAL else None)
                or actions.fallback(category)
                or _generic_fallback(category)
            )
            found = [fallback]
            fallbacks.add(fallback.id)
        for action in found:
            chosen[action.id] = action
            if finding not in by_action.setdefault(action.id, []):
                by_action[action.id].append(finding)
    items = [
        _item(chosen[action_id], findings, state, guidance_of, action_id in fallbacks)
        for action_id, findings in by_action.items()
    ]
    present = set(by_action)
    for action in actions.standing():
        if action.id not in present:
            items.append(_item(action, [], state, guidance_of, fallback=False))
            present.add(action.id)
    for action_id, mark in state.verified.items():
        action = actions.get(action_id)
        if action is not None and action_id not in present:
            items.append(_verified_item(action, mark))
            present.add(action_id)
    items.sort(key=_order_key)
    items = _fit_today(items)
    scores, overall = score(report)
    not_checked = tuple(f for f in report.findings if f.status.could_not_check)
    return Checklist(tuple(items), scores, overall, not_checked, tuple(dict.fromkeys(problems)))


def _item(
    action: Action,
    findings: list[Finding],
    state: ChecklistState,
    guidance_of: Mapping[str, str],
    fallback: bool,
) -> ChecklistItem:
    dismissed = tuple(f for f in findings if f.fingerprint in state.dismissed)
    open_ = tuple(f for f in findings if f.fingerprint not in state.dismissed)
    problems = [f for f in findings if f.status.is_problem]
    priority = _PRIORITY_SEVERITY[action.priority]
    if problems:
        severity = max((f.severity for f in problems), key=lambda s: s.rank)
        group = _group(severity, action)
    elif findings:  # only questions: as urgent as the advice, never less
        severity = max(priority, *(f.severity for f in findings), key=lambda s: s.rank)
        group = _group(severity, action)
    else:  # standing advice with nothing found: never crowds out "Do today"
        severity = priority
        group = _group(severity, action, standing=True)
    questions = tuple(
        Question(f.fingerprint, f.check_id, f.message, state.answers.get(f.fingerprint, ""))
        for f in findings
        if f.status is Status.MANUAL
    )
    if findings and not open_:
        status = ItemStatus.DISMISSED
    elif action.id in state.ticked:
        status = ItemStatus.DONE
    else:
        status = ItemStatus.OPEN
    guidance = tuple(
        dict.fromkeys(guidance_of[f.check_id] for f in findings if f.check_id in guidance_of)
    )
    return ChecklistItem(
        action=action,
        severity=severity,
        group=group,
        status=status,
        findings=open_,
        dismissed_findings=dismissed,
        questions=questions,
        guidance=guidance,
        fallback=fallback,
        ticked_at=state.ticked.get(action.id, ""),
    )


def _verified_item(action: Action, mark: Verified) -> ChecklistItem:
    severity = _PRIORITY_SEVERITY[action.priority]
    return ChecklistItem(
        action=action,
        severity=severity,
        group=_group(severity, action, standing=True),
        status=ItemStatus.VERIFIED,
        verified=mark,
    )


def _group(severity: Severity, action: Action, *, standing: bool = False) -> Group:
    if action.when == "nomination":  # the nomination deadline is the real deadline
        return Group.NOMINATION
    if severity is Severity.CRITICAL and not standing:
        return Group.TODAY
    if action.when == "ongoing":
        return Group.KEEP
    if standing:
        return Group.WEEK if severity.rank >= Severity.MEDIUM.rank else Group.KEEP
    if severity is Severity.HIGH and action.effort_minutes <= QUICK_FIX_MINUTES:
        return Group.TODAY
    if severity.rank >= Severity.MEDIUM.rank:
        return Group.WEEK
    return Group.KEEP


def _fit_today(items: list[ChecklistItem]) -> list[ChecklistItem]:
    """Keep "Do today" doable: every critical item, then quick high ones while they fit in
    TODAY_BUDGET_MINUTES; the rest of the high ones move to "This week" (in order)."""
    used = 0
    fitted = []
    for item in items:
        if item.group is Group.TODAY and item.status is ItemStatus.OPEN:
            effort = item.action.effort_minutes
            if item.severity is not Severity.CRITICAL and used + effort > TODAY_BUDGET_MINUTES:
                item = replace(item, group=Group.WEEK)
            else:
                used += effort
        fitted.append(item)
    return fitted


def exposure_rank(finding: Finding) -> int:
    kind = ExposureKind.of(finding.kind)
    if kind is not None:
        return kind.rank
    if finding.check_id.startswith("exposure."):
        return _OTHER_EXPOSURE_RANK
    return _NOT_EXPOSURE_RANK


def _order_key(item: ChecklistItem) -> tuple[int, int, int, int, int, int, int, str]:
    findings = item.findings or item.dismissed_findings
    exposure = min((exposure_rank(f) for f in findings), default=_NOT_EXPOSURE_RANK)
    certainty = min((_CONFIDENCE_RANK[f.confidence.value] for f in findings), default=2)
    # A check lists its actions main fix first ("take it off the page" before "ask search
    # engines to forget the old copy"): follow-ups wait for the fixes they follow, so a
    # critical main fix elsewhere (2FA on the primary email) is not queued behind them.
    listed = [f.actions.index(item.id) for f in findings if item.id in f.actions]
    primacy = round(100 * sum(1 for i in listed if i > 0) / len(listed)) if listed else 0
    settled = item.status is not ItemStatus.OPEN
    return (
        int(settled),  # what is still to do comes first within a group
        -item.severity.rank,
        primacy,  # every main fix of this severity before any follow-up
        exposure,
        certainty,
        -len(findings),  # found in more places: easier to find, so more exposed
        item.action.effort_minutes,
        item.id,
    )


def _generic_fallback(category: str) -> Action:
    # Only when no general.toml fallback covers the category (a third-party plugin's).
    return Action(
        id=f"general.review-{category}-finding",
        title="Review this finding with whoever manages the service it names",
        why="The check that found this did not say how to fix it. Its guidance link explains "
        "what it looks for.",
        steps=(
            "Read the finding and its evidence.",
            "Follow the check's guidance link, then run the audit again.",
        ),
        who="campaign IT volunteer",
        effort_minutes=30,
        priority="medium",
        links=(
            Link(
                "NCSC: defending democracy",
                "https://www.ncsc.gov.uk/collection/defending-democracy",
            ),
        ),
        fallback_for=category,
        source="(built in)",
    )
