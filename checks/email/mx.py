"""email.mx: where the domain's mail goes, whether those servers resolve, and, for a domain
that takes no mail, whether it is locked down as a parked domain.

Publishes ``mx``: the one reading of the MX records (an ``MxFacts``: records, hosts by
preference, null MX, the mail provider), which email.starttls, email.dane, email.mta_sts and
accounts.inventory require instead of asking and parsing again.
"""

from __future__ import annotations

import asyncio
from typing import Any

from auditor.answers import dns_evidence
from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status
from auditor.net.dns import DnsAnswer, DnsOutcome
from auditor.standards.email.discovery import discover_dmarc, lookup_spf
from auditor.standards.email.mx_records import is_ip_literal, read_mx
from auditor.vocabulary import Category, TargetKind
from auditor.wording import names, was_were

MAX_MX_HOSTS = 20


class MxCheck(Check):
    meta = CheckMeta(
        id="email.mx",
        title="Mail servers (MX) and parked-domain protection",
        category=Category.EMAIL,
        target=TargetKind.DOMAIN,
        severity=Severity.MEDIUM,
        guidance="https://www.rfc-editor.org/rfc/rfc7505",
        description="Looks up where the domain's email is delivered, checks each mail server "
        "name resolves, recognises the email provider, and checks that a domain which takes "
        "no mail is locked down with SPF -all, DMARC reject and a null MX.",
        timeout=30.0,
        target_must_exist=False,  # it reports the missing domain itself
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        domain = ctx.target
        answer = await ctx.services.dns.query(domain, "MX")
        fetched_at = ctx.now_iso()
        facts = read_mx(domain, answer)
        ctx.publish("mx", facts)
        records, null_mx, hosts = facts.records, facts.null_mx, list(facts.hosts)
        provider = facts.provider
        if answer.could_not_check:
            return [ctx.could_not_check(answer, "the mail servers (MX)", subject="mx")]
        evidence = dns_evidence(answer, fetched_at)
        if answer.outcome is DnsOutcome.NXDOMAIN:
            return [
                ctx.finding(
                    Status.FAIL,
                    f"{domain} does not exist in DNS: check the spelling, and renew the domain "
                    "at once if it has lapsed, before someone else registers it.",
                    severity=Severity.HIGH,
                    location=domain,
                    subject="mx",
                    evidence=[evidence],
                    actions=["general.review-email-finding"],
                )
            ]
        if null_mx or not hosts:
            findings: list[Finding] = []
            if any(r.host == "" for r in records) and not null_mx:
                findings.append(
                    ctx.finding(
                        Status.FAIL,
                        'The domain mixes a null MX ("0 .") with other MX records, which '
                        "RFC 7505 forbids; senders may bounce or lose mail.",
                        location=domain,
                        subject="null-mx",
                        evidence=[evidence],
                        actions=["email.mx-fix-records"],
                    )
                )
            findings.append(await _parked(ctx, answer, null_mx, fetched_at))
            return findings
        findings = []
        if any(r.host == "" for r in records):
            findings.append(
                ctx.finding(
                    Status.FAIL,
                    'The domain mixes a null MX ("0 .") with real mail servers, which RFC 7505 '
                    "forbids; senders may bounce or lose mail.",
                    location=domain,
                    subject="null-mx",
                    evidence=[evidence],
                    actions=["email.mx-fix-records"],
                )
            )
        who = f" ({provider.name})" if provider else ""
        findings.append(
            ctx.finding(
                Status.PASS,
                f"Mail for {domain} is delivered to {len(hosts)} server(s){who}: "
                f"{', '.join(hosts[:5])}{' …' if len(hosts) > 5 else ''}.",
                location=domain,
                subject="mx",
                evidence=[evidence],
            )
        )
        checked = hosts[:MAX_MX_HOSTS]
        results = await asyncio.gather(*(_host_findings(ctx, host, fetched_at) for host in checked))
        for host_findings in results:
            findings.extend(host_findings)
        if len(hosts) > MAX_MX_HOSTS:
            untested = hosts[MAX_MX_HOSTS:]
            findings.append(
                ctx.not_read(
                    f"the first {MAX_MX_HOSTS} of {len(hosts)} mail servers were looked up; "
                    f"{names(untested)} {was_were(untested)} not",
                    location=domain,
                    subject="mx-cap",
                    evidence=[evidence],
                )
            )
        return findings


async def _host_findings(ctx: CheckContext, host: str, fetched_at: str) -> list[Finding]:
    subject = f"host:{host}"
    if is_ip_literal(host):
        return [
            ctx.finding(
                Status.FAIL,
                f"An MX record names the IP address {host} instead of a server name; mail "
                "servers look it up as a name and fail to deliver.",
                location=host,
                subject=subject,
                evidence=[
                    Evidence(
                        source="dns",
                        location=f"{ctx.target} MX",
                        snippet=host,
                        fetched_at=fetched_at,
                    )
                ],
                actions=["email.mx-fix-records"],
            )
        ]
    addresses, answers = await ctx.services.dns.addresses(host)
    evidence = [dns_evidence(a, fetched_at) for a in answers]
    findings: list[Finding] = []
    chain = next((a.cname_chain for a in answers if a.cname_chain), ())
    if chain:
        findings.append(
            ctx.finding(
                Status.WARN,
                f"The mail server name {host} is an alias (CNAME) for {chain[-1]}; RFC 2181 "
                "requires MX records to name the server itself, and some senders refuse.",
                severity=Severity.LOW,
                location=host,
                subject=f"cname:{host}",
                evidence=evidence,
                actions=["email.mx-fix-records"],
            )
        )
    if addresses:
        return findings
    failed = [a for a in answers if a.could_not_check]
    if failed:
        findings.append(
            ctx.could_not_check(failed[0], f"the address of mail server {host}", subject=subject)
        )
        return findings
    findings.append(
        ctx.finding(
            Status.FAIL,
            f"The mail server {host} named in the MX records has no address, so mail sent "
            "to it cannot be delivered.",
            location=host,
            subject=subject,
            evidence=evidence,
            actions=["email.fix-mx-host"],
        )
    )
    return findings


async def _parked(
    ctx: CheckContext, mx_answer: DnsAnswer, null_mx: bool, fetched_at: str
) -> Finding:
    """A domain that takes no mail should also send none: SPF -all, DMARC reject, null MX."""
    domain = ctx.target
    spf, dmarc = await asyncio.gather(
        lookup_spf(ctx.services.dns, domain), discover_dmarc(ctx.services.dns, domain)
    )
    evidence = [
        dns_evidence(mx_answer, fetched_at),
        dns_evidence(spf.answer, fetched_at, "\n".join(spf.records) or None),
        *(dns_evidence(a, fetched_at) for a in dmarc.answers),
    ]
    if spf.could_not_check:
        return ctx.could_not_check(
            spf.answer, "whether the domain is locked down as parked", subject="parked"
        )
    if dmarc.outcome == "error" and dmarc.failed_answer is not None:
        return ctx.could_not_check(
            dmarc.failed_answer,
            "whether the domain is locked down as parked",
            subject="parked",
        )
    record = dmarc.record
    dmarc_reject = (
        dmarc.policy == "reject"
        and record is not None
        and (record.pct is None or record.pct == 100)
        and not record.testing
    )
    missing: list[str] = []
    if not spf.denies_all:
        missing.append('an SPF record of exactly "v=spf1 -all"')
    if not dmarc_reject:
        missing.append("a DMARC record with p=reject")
    if not null_mx:
        missing.append('a null MX record ("0 .")')
    detail: dict[str, Any] = {
        "null_mx": null_mx,
        "spf_denies_all": spf.denies_all,
        "dmarc_reject": dmarc_reject,
        "missing": missing,
    }
    evidence.append(Evidence(source="analysis", location=domain, detail=detail))
    if not missing:
        return ctx.finding(
            Status.PASS,
            f"{domain} takes no email and is correctly parked: SPF -all, DMARC reject and a "
            "null MX tell everyone it never sends mail.",
            location=domain,
            subject="parked",
            evidence=evidence,
        )
    why = "has a null MX" if null_mx else "has no MX records"
    return ctx.finding(
        Status.WARN,
        f"{domain} {why}, so it takes no email; if it sends none either, lock it down against "
        f"forgery by adding {_join(missing)}.",
        location=domain,
        subject="parked",
        evidence=evidence,
        actions=["email.park-unused-domain"],
    )


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
