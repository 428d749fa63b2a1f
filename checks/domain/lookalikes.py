"""Lookalike domains: registered typosquats of the campaign domain, and whether they can
send or receive email (the phishing risk)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Confidence, Evidence, Finding, Severity, Status
from auditor.net.dns import DnsAnswer, DnsClient, DnsOutcome
from auditor.net.domains import organisational_domain
from auditor.standards.domain.permutations import Lookalike, permutations
from auditor.vocabulary import Category, TargetKind

MAX_FINDINGS = 50
# As many workers as the DNS client lets queries fly (DnsClient max_in_flight): 32 left half
# of them idle and made this check, the audit's critical path, 1.2x (100 ms answers) to 1.7x
# (50 ms) longer (benchmarks/RESULTS-time-budget.md).
IN_FLIGHT = 64
ACTION_WITH_MX = "domain.lookalike-report"
ACTION_PARKED = "domain.lookalike-defend"


@dataclass(frozen=True)
class Probe:
    lookalike: Lookalike
    answers: tuple[DnsAnswer, ...]
    registered: bool
    failed: bool  # DNS could not say
    mx: DnsAnswer | None = None

    @property
    def has_mail(self) -> bool:
        return self.mx is not None and self.mx.ok and not _null_mx(self.mx)


def _null_mx(answer: DnsAnswer) -> bool:
    return len(answer.records) == 1 and answer.records[0].split()[-1] in (".", "")


async def probe(dns: DnsClient, lookalike: Lookalike) -> Probe:
    ns = await dns.query(lookalike.name, "NS")
    answers = [ns]
    if ns.outcome is DnsOutcome.NXDOMAIN:
        # The name does not exist, so it has no address either (RFC 8020): one query for
        # most of the names, which lets the default bound cover far more of them.
        return Probe(lookalike, tuple(answers), registered=False, failed=False)
    if not ns.ok:
        a = await dns.query(lookalike.name, "A")
        answers.append(a)
        if not a.ok:
            failed = ns.could_not_check and a.could_not_check
            return Probe(lookalike, tuple(answers), registered=False, failed=failed)
    mx = await dns.query(lookalike.name, "MX")
    return Probe(lookalike, (*answers, mx), registered=True, failed=False, mx=mx)


class LookalikesCheck(Check):
    meta = CheckMeta(
        id="domain.lookalikes",
        title="Registered lookalike domains",
        category=Category.DOMAIN,
        target=TargetKind.DOMAIN,
        severity=Severity.HIGH,
        guidance="https://www.ncsc.gov.uk/collection/phishing-scams",
        description="Generates names a voter could mistake for the campaign domain (other "
        "endings, look-alike letters, typos, campaign words, bit flips, Cyrillic where the "
        "registry allows it), likeliest first, and asks DNS which exist and which can "
        "handle email.",
        timeout=120.0,
        target_must_exist=False,  # squats on a lapsed domain matter all the more
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        domain = ctx.target
        stamp = ctx.services.clock().isoformat(timespec="seconds")
        own = {organisational_domain(d) for d in ctx.profile.domains} | {
            organisational_domain(domain)
        }
        budget = max(0, ctx.services.options.lookalikes)
        candidates = [c for c in permutations(domain, limit=budget + len(own)) if c.name not in own]
        candidates = candidates[:budget]
        probed: dict[int, Probe] = {}
        queue = iter(enumerate(candidates))

        async def worker() -> None:
            # IN_FLIGHT workers taking the next name, not one task per name: 1,500 tasks
            # made and first stepped at once held the event loop for 30-45 ms
            # (benchmarks/loop_stall.py).
            for index, candidate in queue:
                probed[index] = await probe(ctx.services.dns, candidate)

        if not candidates:
            # "None of 0 names is registered" would read as a pass for nothing checked.
            if budget == 0:
                return [
                    ctx.finding(
                        Status.SKIPPED,
                        f"Lookalike domains of {domain} were not checked (--lookalikes 0).",
                        location=domain,
                        subject="summary",
                    )
                ]
            return [
                ctx.finding(
                    Status.ERROR,
                    f"Could not check lookalike domains of {domain}: no lookalike name "
                    "could be made from it.",
                    location=domain,
                    subject="summary",
                )
            ]
        await asyncio.gather(*(worker() for _ in range(min(IN_FLIGHT, len(candidates)))))
        probes = [probed[i] for i in range(len(candidates))]
        hits = [p for p in probes if p.registered]
        failed = sum(p.failed for p in probes)
        findings: list[Finding] = []
        # Those that can receive (and so likely send) mail first: the phishing risk.
        hits.sort(key=lambda p: (not p.has_mail, candidates.index(p.lookalike)))
        for hit in hits[:MAX_FINDINGS]:
            findings.append(self._hit(ctx, hit, stamp))
        counts = {"checked": len(probes), "registered": len(hits), "failed": failed}
        summary_evidence = Evidence(
            source="dns",
            location=domain,
            snippet=f"{len(probes)} lookalike names checked, {len(hits)} registered, "
            f"{failed} could not be checked",
            fetched_at=stamp,
            detail=counts,
        )
        if probes and failed * 2 > len(probes):
            findings.append(
                ctx.finding(
                    Status.ERROR,
                    f"Could not check most lookalike names of {domain}: {failed} of "
                    f"{len(probes)} DNS lookups failed.",
                    location=domain,
                    subject="summary",
                    evidence=[summary_evidence],
                )
            )
        elif not hits:
            findings.append(
                ctx.finding(
                    Status.PASS,
                    f"None of {len(probes)} lookalike names of {domain} is registered"
                    + (f" ({failed} could not be checked)." if failed else "."),
                    location=domain,
                    subject="summary",
                    evidence=[summary_evidence],
                )
            )
        return findings

    @staticmethod
    def _hit(ctx: CheckContext, hit: Probe, stamp: str) -> Finding:
        name = hit.lookalike.shown
        evidence = [
            Evidence(
                source="dns",
                location=f"{a.name} {a.rdtype}",
                snippet="\n".join(a.records)[:1000] or a.describe(),
                fetched_at=stamp,
                detail={"kind": hit.lookalike.kind, "display": hit.lookalike.display},
            )
            for a in hit.answers
        ]
        shown = name if name == hit.lookalike.name else f"{name} ({hit.lookalike.name})"
        if hit.has_mail:
            return ctx.finding(
                Status.FAIL,
                f"The lookalike domain {shown} is registered and can receive email, so it could "
                "be used to send phishing that looks like it comes from your campaign.",
                severity=Severity.HIGH,
                location=hit.lookalike.name,
                subject=hit.lookalike.name,
                confidence=Confidence.MEDIUM,
                evidence=evidence,
                actions=[ACTION_WITH_MX, ACTION_PARKED],
            )
        if hit.mx is not None and hit.mx.could_not_check:
            # Registered is a fact; whether it takes mail is unknown: never say "no email".
            return ctx.finding(
                Status.WARN,
                f"The lookalike domain {shown} is registered; whether it can receive email "
                f"could not be checked ({hit.mx.outcome.value}). Check who owns it.",
                severity=Severity.HIGH,
                location=hit.lookalike.name,
                subject=hit.lookalike.name,
                confidence=Confidence.MEDIUM,
                evidence=evidence,
                actions=[ACTION_WITH_MX, ACTION_PARKED],
            )
        return ctx.finding(
            Status.WARN,
            f"The lookalike domain {shown} is registered (no email set up); check who owns it.",
            severity=Severity.MEDIUM,
            location=hit.lookalike.name,
            subject=hit.lookalike.name,
            confidence=Confidence.MEDIUM,
            evidence=evidence,
            actions=[ACTION_PARKED],
        )
