"""DNS lookups the email-authentication checks share: evidence from a DNS answer, the honest
"could not check" finding, DMARC policy discovery (with the DMARCbis tree walk) and the
SPF record of a domain as far as the parked-domain profile needs it.

The checks call these directly through ``ctx.services.dns`` (cached per audit) instead of
declaring ``requires``, so each check stays independent of the others' results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from auditor.check import CheckContext
from auditor.model import Evidence, Finding, Severity, Status
from auditor.net.dns import DnsAnswer, DnsClient, DnsOutcome
from auditor.net.domains import organisational_domain
from auditor.standards.email.dmarc_record import (
    DmarcRecord,
    DmarcSyntaxError,
    is_dmarc_candidate,
    parse_dmarc,
)

MAX_TREE_WALK_QUERIES = 8  # DMARCbis §4.10.1
MAX_WALK_LABELS = 7
MAX_SNIPPET = 2000


def now_iso(ctx: CheckContext) -> str:
    return ctx.services.clock().isoformat(timespec="seconds")


def dns_evidence(answer: DnsAnswer, fetched_at: str, snippet: str | None = None) -> Evidence:
    """What one DNS question returned, as evidence: the name, the raw records, the outcome."""
    text = snippet if snippet is not None else "\n".join(answer.records)
    detail: dict[str, object] = {"outcome": answer.outcome.value}
    if answer.cname_chain:
        detail["cname_chain"] = list(answer.cname_chain)
    if answer.error:
        detail["error"] = answer.error
    return Evidence(
        source="dns",
        location=f"{answer.name} {answer.rdtype}",
        snippet=(text or answer.describe())[:MAX_SNIPPET],
        fetched_at=fetched_at,
        detail=detail,
    )


def could_not_check(
    ctx: CheckContext,
    answer: DnsAnswer,
    what: str,
    *,
    subject: str = "",
    severity: Severity = Severity.INFO,
) -> Finding:
    """ERROR/TIMEOUT for a lookup that did not get an answer: never "missing"."""
    status = Status.TIMEOUT if answer.outcome is DnsOutcome.TIMEOUT else Status.ERROR
    reason = answer.error or answer.outcome.value
    return ctx.finding(
        status,
        f"Could not check {what}: the DNS lookup of {answer.name} failed ({reason}).",
        severity=severity,
        location=answer.name,
        subject=subject,
        evidence=[dns_evidence(answer, now_iso(ctx))],
    )


# -- DMARC discovery ------------------------------------------------------------------------

DmarcOutcome = Literal["found", "absent", "multiple", "invalid", "error"]


@dataclass(frozen=True)
class DmarcLookup:
    domain: str
    outcome: DmarcOutcome
    answers: tuple[DnsAnswer, ...]  # every question asked, in order
    record_name: str = ""  # the _dmarc name the result comes from (or where it stopped)
    record: DmarcRecord | None = None
    raw_records: tuple[str, ...] = ()  # the DMARC candidates seen at record_name
    error: str = ""  # the syntax error, when outcome is "invalid"

    @property
    def inherited(self) -> bool:
        """The policy comes from a parent domain's record (tree walk)."""
        return bool(self.record_name) and self.record_name != f"_dmarc.{self.domain}"

    @property
    def policy_domain(self) -> str:
        return self.record_name.removeprefix("_dmarc.")

    @property
    def policy(self) -> str | None:
        """The policy receivers apply to mail from ``domain``; None when no policy applies."""
        if self.outcome != "found" or self.record is None:
            return None
        return self.record.policy_for(subdomain=self.inherited)

    @property
    def failed_answer(self) -> DnsAnswer | None:
        return self.answers[-1] if self.outcome == "error" and self.answers else None


def tree_walk_names(domain: str) -> list[str]:
    """The names whose ``_dmarc`` record may hold the policy for ``domain``, nearest first.

    DMARCbis §4.10.1: the domain itself, then (for a name deeper than 7 labels) its 7-label
    ancestor, then one label fewer each step; stopped at the organisational domain from
    the bundled public suffix list, and at 8 queries.
    """
    domain = domain.rstrip(".").lower()
    names = [domain]
    try:
        org = organisational_domain(domain)
    except Exception:  # the PSL library on odd input: no walk rather than a crash
        return names
    if org == domain or not domain.endswith("." + org):
        return names
    labels = domain.split(".")
    floor = len(org.split("."))
    count = min(len(labels) - 1, MAX_WALK_LABELS)
    while count >= floor and len(names) < MAX_TREE_WALK_QUERIES:
        names.append(".".join(labels[-count:]))
        count -= 1
    return names


async def discover_dmarc(dns: DnsClient, domain: str) -> DmarcLookup:
    """Find the DMARC record that governs ``domain``: its own, or the nearest ancestor's."""
    answers: list[DnsAnswer] = []
    for name in tree_walk_names(domain):
        record_name = f"_dmarc.{name}"
        answer = await dns.txt(record_name)
        answers.append(answer)
        if answer.could_not_check:
            return DmarcLookup(domain, "error", tuple(answers), record_name)
        candidates = tuple(r for r in answer.records if is_dmarc_candidate(r))
        if not candidates:
            continue
        if len(candidates) > 1:
            return DmarcLookup(domain, "multiple", tuple(answers), record_name, None, candidates)
        try:
            record = parse_dmarc(candidates[0])
        except DmarcSyntaxError as exc:
            return DmarcLookup(
                domain, "invalid", tuple(answers), record_name, None, candidates, str(exc)
            )
        return DmarcLookup(domain, "found", tuple(answers), record_name, record, candidates)
    return DmarcLookup(domain, "absent", tuple(answers))


# -- SPF, as the parked-domain profile needs it -----------------------------------------------


@dataclass(frozen=True)
class SpfLookup:
    answer: DnsAnswer
    records: tuple[str, ...]  # the v=spf1 records at the domain

    @property
    def could_not_check(self) -> bool:
        return self.answer.could_not_check

    @property
    def denies_all(self) -> bool:
        """Exactly one SPF record, and it is ``v=spf1 -all`` (no sender is allowed)."""
        if len(self.records) != 1:
            return False
        terms = self.records[0].lower().split()
        return terms == ["v=spf1", "-all"]


def is_spf_record(text: str) -> bool:
    lowered = text.strip().lower()
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


async def lookup_spf(dns: DnsClient, domain: str) -> SpfLookup:
    answer = await dns.txt(domain)
    return SpfLookup(answer, tuple(r for r in answer.records if is_spf_record(r)))
