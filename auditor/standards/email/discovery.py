"""Discovering a domain's email-authentication records through an injected DNS client: the
DMARC policy (with the DMARCbis tree walk) and the SPF record as far as the parked-domain
profile and the DKIM hints need it. Queries are cached per audit by the client, so checks
that ask the same question share one lookup."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from auditor.net.dns import DnsAnswer, DnsClient
from auditor.net.domains import organisational_domain
from auditor.standards.email.dmarc_record import (
    DmarcRecord,
    DmarcSyntaxError,
    is_dmarc_candidate,
    parse_dmarc,
)
from auditor.standards.email.spf_record import is_spf_record

MAX_TREE_WALK_QUERIES = 8  # DMARCbis §4.10.1
MAX_WALK_LABELS = 7


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
    records: tuple[str, ...]  # the SPF records at the domain (RFC 7208 4.5: starting "v=spf1")

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


async def lookup_spf(dns: DnsClient, domain: str) -> SpfLookup:
    answer = await dns.txt(domain)
    return SpfLookup(answer, tuple(r for r in answer.records if is_spf_record(r)))
