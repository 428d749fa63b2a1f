"""DNSSEC: is the domain signed, and does its chain of trust validate from the root?"""

from __future__ import annotations

from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status
from auditor.standards.domain.dnssec_chain import (
    AnchorError,
    ChainResult,
    ChainState,
    load_anchors,
    validate_chain,
    validate_rrset,
)

ACTION_ENABLE = "domain.dnssec-enable"
ACTION_FIX = "domain.dnssec-fix"


def chain_evidence(name: str, chain: ChainResult, anchor_file: str, stamp: str) -> Evidence:
    return Evidence(
        source="dns",
        location=name,
        snippet="\n".join([*chain.links, chain.reason])[:2000],
        fetched_at=stamp,
        detail={"state": chain.state.value, "zone": chain.zone, "anchors": anchor_file},
    )


async def _signed_but_not_linked(ctx: CheckContext, chain: ChainResult) -> bool:
    """The unsigned delegation is the domain itself, and the domain publishes DNSKEYs."""
    if chain.zone.rstrip(".").lower() != ctx.target:
        return False
    keys = await ctx.services.dns.query(ctx.target, "DNSKEY")
    return keys.ok


class DnssecCheck(Check):
    meta = CheckMeta(
        id="domain.dnssec",
        title="DNSSEC signing and chain of trust",
        category="domain",
        target="domain",
        severity=Severity.MEDIUM,
        guidance="https://www.rfc-editor.org/rfc/rfc4033",
        description="Validates the DNSSEC chain of trust from the root trust anchor (DS at each "
        "parent, DNSKEY at each child, signatures and their dates) down to the domain.",
        timeout=45.0,
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        domain = ctx.target
        now = ctx.services.clock()
        stamp = now.isoformat(timespec="seconds")
        try:
            anchors, anchor_file = load_anchors(
                ctx.services.options.trust_anchor_file, ctx.services.options.trust_anchors
            )
        except AnchorError as exc:
            return [ctx.finding(Status.ERROR, f"Could not load the DNSSEC trust anchors: {exc}.")]
        chain = await validate_chain(ctx.services.dns, domain, anchors, now)
        if chain.state is ChainState.SECURE:
            soa = await validate_rrset(ctx.services.dns, chain.zone, "SOA", chain, now)
            if soa.state is not ChainState.SECURE and not soa.absent:
                chain = ChainResult(soa.state, soa.reason, chain.zone, None, chain.links)
        evidence = [chain_evidence(domain, chain, anchor_file, stamp)]
        if chain.state is ChainState.SECURE:
            return [
                ctx.finding(
                    Status.PASS,
                    f"{domain} is signed with DNSSEC and the chain of trust validates.",
                    location=domain,
                    evidence=evidence,
                )
            ]
        if chain.state is ChainState.INSECURE and await _signed_but_not_linked(ctx, chain):
            # The zone publishes keys, but its parent has no DS for it: the operator signed
            # it and the chain of trust is broken at the DS link (fixed at the registrar).
            return [
                ctx.finding(
                    Status.FAIL,
                    f"{domain} is signed (it publishes DNSSEC keys) but the chain of trust is "
                    f"broken at the DS link: {chain.reason}. Validating resolvers treat it as "
                    "unsigned until the DS record is published at the registrar.",
                    severity=Severity.MEDIUM,
                    location=domain,
                    subject="missing-ds",
                    evidence=evidence,
                    actions=[ACTION_FIX],
                )
            ]
        if chain.state is ChainState.INSECURE:
            return [
                ctx.finding(
                    Status.WARN,
                    f"{domain} is not signed with DNSSEC, so its DNS answers can be forged "
                    "in transit.",
                    severity=Severity.LOW,
                    location=domain,
                    evidence=evidence,
                    actions=[ACTION_ENABLE],
                )
            ]
        if chain.state is ChainState.BOGUS:
            return [
                ctx.finding(
                    Status.FAIL,
                    f"{domain} is signed with DNSSEC but the signatures do not validate, so "
                    f"validating resolvers will treat it as unreachable: {chain.reason}.",
                    severity=Severity.HIGH,
                    location=domain,
                    evidence=evidence,
                    actions=[ACTION_FIX],
                )
            ]
        return [
            ctx.finding(
                Status.ERROR,
                f"Could not check DNSSEC for {domain}: {chain.reason}.",
                location=domain,
                evidence=evidence,
            )
        ]
