"""DNSSEC: is the domain signed, and does its chain of trust validate from the root?"""

from __future__ import annotations

from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status
from auditor.net.dns import DnsAnswer
from auditor.standards.domain.dnssec_chain import (
    AnchorError,
    ChainResult,
    ChainState,
    ds_for_keys,
    load_anchors,
    validate_chain,
    validate_rrset,
)
from auditor.vocabulary import Category, TargetKind

ACTION_ENABLE = "domain.dnssec-enable"
ACTION_FIX = "domain.dnssec-fix"
ACTION_PUBLISH_DS = "domain.dnssec-publish-ds"


def chain_evidence(name: str, chain: ChainResult, anchor_file: str, stamp: str) -> Evidence:
    return Evidence(
        source="dns",
        location=name,
        snippet="\n".join([*chain.links, chain.reason])[:2000],
        fetched_at=stamp,
        detail={"state": chain.state.value, "zone": chain.zone, "anchors": anchor_file},
    )


async def _island_keys(ctx: CheckContext, chain: ChainResult) -> DnsAnswer | None:
    """The domain's DNSKEY answer when the zone the parent proves unsigned is the domain
    itself and it publishes keys (an island of security); None otherwise."""
    if chain.zone.rstrip(".").lower() != ctx.target:
        return None
    keys = await ctx.services.dns.query(ctx.target, "DNSKEY")
    return keys if keys.ok else None


class DnssecCheck(Check):
    meta = CheckMeta(
        id="domain.dnssec",
        title="DNSSEC signing and chain of trust",
        category=Category.DOMAIN,
        target=TargetKind.DOMAIN,
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
        island = await _island_keys(ctx, chain) if chain.state is ChainState.INSECURE else None
        if island is not None:
            # Signed, but the parent proves there is no DS: validators never reach the keys,
            # so the zone is exactly as forgeable as an unsigned one (RFC 4035 5.2: a proven
            # insecure delegation; RFC 4033 5: an "island of security") - the same level as
            # unsigned, not a broken chain (a DS that matches no key is bogus, and fails).
            wanted = ds_for_keys(domain, island.rdata)
            ds = f" (DS {wanted[0]})" if wanted else ""
            parent = domain.split(".", 1)[1] if "." in domain else "its parent"
            return [
                ctx.finding(
                    Status.WARN,
                    f"{domain} is signed with DNSSEC, but {parent} has no DS record for it "
                    "(and proves there is none), so validating resolvers treat it as unsigned "
                    "and its DNS answers can still be forged. Publish its DS record at the "
                    f"registrar{ds} to link the chain of trust.",
                    severity=Severity.LOW,
                    location=domain,
                    subject="missing-ds",
                    evidence=evidence,
                    actions=[ACTION_PUBLISH_DS],
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
