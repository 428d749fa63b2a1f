"""DANE for SMTP (RFC 7672): TLSA records at _25._tcp.<mx>, validated by DNSSEC."""

from __future__ import annotations

import asyncio

import dns.rdtypes.ANY.TLSA

from auditor.answers import mx_evidence
from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status
from auditor.standards.domain.dnssec_chain import (
    AnchorError,
    Anchors,
    ChainState,
    load_anchors,
    validate_chain,
    validate_rrset,
)
from auditor.vocabulary import Category, TargetKind
from auditor.wording import names, was_were

ACTION_SETUP = "email.dane-setup"
ACTION_FIX = "email.dane-fix"
DIGEST_LENGTHS = {1: 32, 2: 64}
MAX_MX = 5  # as email.starttls: the first five mail servers


def tlsa_problems(records: list[tuple[int, int, int, bytes]]) -> tuple[list[str], list[str]]:
    """(errors that break DANE, advice) for (usage, selector, matching type, data) tuples."""
    errors: list[str] = []
    advice: list[str] = []
    for usage, selector, mtype, data in records:
        shown = f"{usage} {selector} {mtype}"
        if usage > 3 or selector > 1 or mtype > 2:
            errors.append(f"TLSA {shown} uses an unknown usage, selector or matching type")
        elif mtype in DIGEST_LENGTHS and len(data) != DIGEST_LENGTHS[mtype]:
            errors.append(
                f"TLSA {shown} has a {len(data)}-byte digest, not {DIGEST_LENGTHS[mtype]}"
            )
        elif usage in (0, 1):
            advice.append(f"TLSA {shown}: PKIX usages (0, 1) are not used for SMTP; use 3 1 1")
        elif mtype == 0:
            advice.append(f"TLSA {shown}: a full certificate is fragile; use 3 1 1")
    return errors, advice


class DaneCheck(Check):
    meta = CheckMeta(
        id="email.dane",
        title="DANE for incoming mail (TLSA records)",
        category=Category.EMAIL,
        target=TargetKind.DOMAIN,
        severity=Severity.MEDIUM,
        guidance="https://www.rfc-editor.org/rfc/rfc7672",
        description="When the mail servers' zones are signed with DNSSEC, checks the TLSA "
        "records at _25._tcp.<mx> validate and use sane parameters (DANE-EE 3 1 1 recommended).",
        timeout=60.0,
        requires=("email.mx",),  # the mail servers, read once
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        domain = ctx.target
        stamp = ctx.services.clock().isoformat(timespec="seconds")
        try:
            anchors, _file = load_anchors(
                ctx.services.options.trust_anchor_file, ctx.services.options.trust_anchors
            )
        except AnchorError as exc:
            return [ctx.finding(Status.ERROR, f"Could not load the DNSSEC trust anchors: {exc}.")]
        lookup = await ctx.mx_facts()
        if lookup is None:
            return [ctx.mx_missing()]
        if lookup.could_not_check:
            return [
                ctx.finding(
                    ctx.dns_status(lookup.answer),
                    f"Could not look up the mail servers of {domain}: {lookup.answer.describe()}.",
                    evidence=[mx_evidence(lookup.answer, domain, stamp)],
                )
            ]
        if lookup.null_mx:
            return [
                ctx.finding(
                    Status.NOT_APPLICABLE,
                    f"DANE does not apply to {domain}: it publishes a null MX (it receives "
                    f"no email).",
                    evidence=[mx_evidence(lookup.answer, domain, stamp)],
                )
            ]
        if not lookup.hosts:
            return [
                ctx.finding(
                    Status.SKIPPED,
                    f"No mail server to check DANE for: {domain} has no usable MX record.",
                    evidence=[mx_evidence(lookup.answer, domain, stamp)],
                )
            ]
        hosts = lookup.hosts[:MAX_MX]
        found = list(
            await asyncio.gather(*(self._one(ctx, host, anchors, stamp) for host in hosts))
        )
        untested = lookup.hosts[MAX_MX:]
        if untested:
            found.append(
                ctx.not_read(
                    f"DANE was checked for the first {MAX_MX} of {len(lookup.hosts)} mail "
                    f"servers; {names(untested)} {was_were(untested)} not",
                    location=f"{domain} MX",
                    subject="mx-cap",
                    evidence=[mx_evidence(lookup.answer, domain, stamp)],
                )
            )
        return found

    @staticmethod
    async def _one(ctx: CheckContext, host: str, anchors: Anchors, stamp: str) -> Finding:
        name = f"_25._tcp.{host}"
        now = ctx.services.clock()
        chain = await validate_chain(ctx.services.dns, name, anchors, now)
        result = await validate_rrset(ctx.services.dns, name, "TLSA", chain, now)
        records: list[tuple[int, int, int, bytes]] = []
        if result.rrset is not None:
            for rdata in result.rrset:
                assert isinstance(rdata, dns.rdtypes.ANY.TLSA.TLSA)
                records.append((rdata.usage, rdata.selector, rdata.mtype, bytes(rdata.cert)))
        evidence = [
            Evidence(
                source="dns",
                location=f"{name} TLSA",
                snippet="\n".join(
                    [*(r.to_text() for r in result.rrset or ()), *chain.links, result.reason]
                )[:2000],
                fetched_at=stamp,
                detail={"chain": chain.state.value, "tlsa": result.state.value},
            )
        ]

        def finding(
            status: Status, message: str, *actions: str, severity: Severity | None = None
        ) -> Finding:
            return ctx.finding(
                status,
                message,
                severity=severity,
                location=f"{name} TLSA",
                subject=host,
                evidence=evidence,
                actions=actions,
            )

        if chain.state is ChainState.INDETERMINATE or result.state is ChainState.INDETERMINATE:
            # The chain's reason first: when it could not be checked, the TLSA answer's own
            # reason ("no TLSA record") is not a finding, only what an unusable server said.
            reason = chain.reason if chain.state is ChainState.INDETERMINATE else result.reason
            return finding(Status.ERROR, f"Could not check DANE for {host}: {reason}.")
        if chain.state is ChainState.INSECURE:
            # No DNSSEC, no DANE: email.dnssec reports the missing signatures.
            return finding(
                Status.NOT_APPLICABLE,
                f"DANE does not apply to {host}: its zone is not signed with DNSSEC.",
            )
        if result.state is ChainState.BOGUS or chain.state is ChainState.BOGUS:
            reason = result.reason if result.state is ChainState.BOGUS else chain.reason
            return finding(
                Status.FAIL,
                f"The DNSSEC signatures for {host}'s TLSA records do not validate, so senders "
                f"that use DANE will not deliver to it: {reason}.",
                ACTION_FIX,
                severity=Severity.HIGH,
            )
        if result.absent:
            return finding(
                Status.WARN,
                f"Mail server {host} is in a signed zone but publishes no TLSA record (DANE).",
                ACTION_SETUP,
                severity=Severity.LOW,
            )
        errors, advice = tlsa_problems(records)
        if errors:
            return finding(
                Status.FAIL,
                f"The TLSA records for {host} are not usable: {errors[0]}.",
                ACTION_FIX,
            )
        if advice:
            return finding(
                Status.WARN,
                f"The TLSA records for {host} work but are not recommended: {advice[0]}.",
                ACTION_FIX,
                severity=Severity.LOW,
            )
        return finding(Status.PASS, f"Mail server {host} has DNSSEC-validated DANE TLSA records.")
