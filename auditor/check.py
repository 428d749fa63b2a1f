"""The check plugin API: frozen metadata plus one ``async run(ctx)``.

A check is registered through the entry-point group ``auditor.checks`` (the built-ins in
``checks/`` register exactly like a third-party plugin). Its ``meta`` must be written as a
literal ``CheckMeta(...)`` in the class body so that ``auditor checks`` can list it by
reading the source, without importing the module (see auditor/registry.py).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from auditor.answers import dns_evidence, dns_status, fetch_status
from auditor.interactions import Interaction
from auditor.model import CheckResult, Evidence, Finding
from auditor.rules import Rule, RuleTable
from auditor.standards.accounts.services_table import ServiceTable, load_service_table
from auditor.vocabulary import Category, Confidence, Severity, Status, TargetKind

if TYPE_CHECKING:
    from auditor.net.dns_types import DnsAnswer
    from auditor.net.http import FetchResult
    from auditor.profile import Profile
    from auditor.services import Services
    from auditor.standards.email.mx_records import MxFacts

T = TypeVar("T")


@dataclass(frozen=True)
class CheckMeta:
    """Bandit-style metadata every check declares; a test lints all of it."""

    id: str  # stable, dotted, starts with the category: "email.spf"
    title: str
    # Written as the enum or its value ("email"); __post_init__ turns a string into the
    # enum, so a plugin with an area the reports do not have fails when it is read.
    category: Category
    target: TargetKind
    severity: Severity  # default severity of its worst finding
    guidance: str  # https link to the official guidance or RFC
    description: str = ""
    requires: tuple[str, ...] = ()
    timeout: float = 30.0
    # Third-party services the check calls (Endpoints names). They are named in the UI and docs.
    services: tuple[str, ...] = ()
    # True when a call sends something about the person (a name, say): opt-in only.
    sends_personal_data: bool = False
    # True when the check needs the person at the keyboard (TOTP self-test, password check).
    interactive: bool = False
    # Domain checks are not run on a domain that does not exist (NXDOMAIN): they would only
    # say "no record". The checks that report the missing domain itself set this False.
    target_must_exist: bool = True

    def __post_init__(self) -> None:
        for name, kind in (("category", Category), ("target", TargetKind)):
            value = getattr(self, name)
            try:
                object.__setattr__(self, name, kind(value))
            except ValueError:
                choices = ", ".join(v.value for v in kind)
                raise ValueError(
                    f"{self.id}: unknown {name} {value!r} (choose one of: {choices})"
                ) from None

    def effective_severity(self, status: Status) -> Severity:
        """The severity of a finding that names none: the default for a problem."""
        return self.severity if status.is_problem else Severity.INFO


class Check(ABC):
    meta: ClassVar[CheckMeta]
    # Every finding the check can give, when it gives them through ``ctx.by_rule``
    # (auditor/rules.py); docs/findings.md lists them.
    rules: ClassVar[RuleTable | None] = None

    @abstractmethod
    async def run(self, ctx: CheckContext) -> list[Finding]:
        """Look at ``ctx.target`` and return findings; raise only for bugs."""


RequirementLookup = Callable[[str], Awaitable[list[CheckResult]]]


class CheckContext:
    """What a running check may use: its target, the profile, the shared services.

    One context per (check, target). ``finding()`` fills in the check id, target and the
    default severity so that a check's code reads as its logic.
    """

    def __init__(
        self,
        meta: CheckMeta,
        target: str,
        profile: Profile,
        services: Services,
        requirement_lookup: RequirementLookup,
    ) -> None:
        self.meta = meta
        self.target = target
        self.profile = profile
        self.services = services
        self.facts: dict[str, Any] = {}
        self._requirement_lookup = requirement_lookup

    async def requirement(self, check_id: str) -> list[CheckResult]:
        """Results of a check named in ``meta.requires``: for the same target when the two
        checks share a target kind, otherwise for every target of that check."""
        if check_id not in self.meta.requires:
            raise KeyError(f"{self.meta.id} reads {check_id} without declaring it in requires")
        return await self._requirement_lookup(check_id)

    async def requirement_facts(self, check_id: str, key: str) -> list[Any]:
        """The ``key`` fact published by each result of a required check (absent ones skipped)."""
        return [r.facts[key] for r in await self.requirement(check_id) if key in r.facts]

    async def mx_facts(self) -> MxFacts | None:
        """email.mx's reading of the target domain's MX records (declare
        ``requires=("email.mx",)``); None when email.mx did not get as far as reading them."""
        found = await self.requirement_facts("email.mx", "mx")
        return next((f for f in found if f.domain == self.target), None)

    async def service_table(self) -> ServiceTable:
        """The accounts service table, loaded once per audit for every check that grades
        accounts."""

        async def load() -> ServiceTable:
            return load_service_table()

        return await self.services.once("accounts.service_table", load)

    def mx_missing(self) -> Finding:
        """The honest finding when email.mx left no reading of the MX records."""
        return self.finding(
            Status.ERROR,
            f"Could not check: the mail servers (MX) of {self.target} were not read "
            "(email.mx did not finish).",
            location=f"{self.target} MX",
            subject="mx",
        )

    def interaction(self) -> Interaction | None:
        """The latest recorded outcome of this (interactive) check, if the person ran it."""
        return self.services.options.interactions.get(self.meta.id)

    def publish(self, key: str, value: Any) -> None:
        """Make structured data available to dependent checks (not part of the report)."""
        self.facts[key] = value

    def now_iso(self) -> str:
        """The audit clock's now, as evidence timestamps write it."""
        return self.services.clock().isoformat(timespec="seconds")

    @staticmethod
    def dns_status(answer: DnsAnswer) -> Status:
        """``timeout`` for a DNS timeout, ``error`` for any other lookup failure."""
        return dns_status(answer)

    @staticmethod
    def fetch_status(result: FetchResult) -> Status:
        """``timeout`` for an HTTP timeout, ``error`` for any other failed fetch."""
        return fetch_status(result)

    def could_not_check(
        self,
        answer: DnsAnswer,
        what: str,
        *,
        subject: str = "",
        severity: Severity = Severity.INFO,
    ) -> Finding:
        """The honest finding for a DNS lookup that got no answer: never "missing"."""
        reason = answer.error or answer.outcome.value
        return self.finding(
            dns_status(answer),
            f"Could not check {what}: the DNS lookup of {answer.name} failed ({reason}).",
            severity=severity,
            location=answer.name,
            subject=subject,
            evidence=[dns_evidence(answer, self.now_iso())],
        )

    def not_read(
        self,
        what: str,
        *,
        location: str = "",
        subject: str = "partly-checked",
        severity: Severity = Severity.INFO,
        evidence: Sequence[Evidence] = (),
    ) -> Finding:
        """The honest finding for a cap that stopped the check before the end: "could not
        check" the part named in ``what`` ("mail servers mx6 and mx7 were not tested"), so
        the rest's verdict never reads as the whole's."""
        return self.finding(
            Status.ERROR,
            f"Partly checked: {what}.",
            severity=severity,
            location=location,
            subject=subject,
            evidence=evidence,
        )

    def finding(
        self,
        status: Status,
        message: str,
        *,
        severity: Severity | None = None,
        location: str = "",
        kind: str = "",
        subject: str = "",
        confidence: Confidence = Confidence.HIGH,
        evidence: Sequence[Evidence] = (),
        actions: Sequence[str] = (),
    ) -> Finding:
        return self._finding(
            status,
            message,
            severity=severity,
            location=location,
            kind=kind,
            subject=subject,
            confidence=confidence,
            evidence=evidence,
            actions=actions,
        )

    def by_rule(
        self,
        rule: Rule,
        facts: Mapping[str, object] | None = None,
        *,
        location: str = "",
        kind: str = "",
        confidence: Confidence = Confidence.HIGH,
        evidence: Sequence[Evidence] = (),
    ) -> Finding:
        """The finding ``rule`` describes, its message filled in from ``facts``."""
        return self._finding(
            rule.status,
            rule.text(**(facts or {})),
            severity=rule.severity,
            location=location,
            kind=kind,
            subject=rule.subject_of(**(facts or {})),
            confidence=confidence,
            evidence=evidence,
            actions=rule.actions,
            rule=rule.id,
        )

    def _finding(
        self,
        status: Status,
        message: str,
        *,
        severity: Severity | None,
        location: str,
        kind: str,
        subject: str,
        confidence: Confidence,
        evidence: Sequence[Evidence],
        actions: Sequence[str],
        rule: str = "",
    ) -> Finding:
        if severity is None:
            severity = self.meta.effective_severity(status)
        return Finding(
            check_id=self.meta.id,
            status=status,
            severity=severity,
            message=message,
            target=self.target,
            location=location,
            kind=kind,
            subject=subject,
            confidence=confidence,
            evidence=tuple(evidence),
            actions=tuple(actions),
            rule=rule,
        )
