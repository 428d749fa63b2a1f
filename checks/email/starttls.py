"""Do the domain's mail servers accept encrypted connections (STARTTLS) with a good certificate?"""

from __future__ import annotations

import asyncio

from auditor.answers import mx_evidence
from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status
from auditor.net.failures import Failure
from auditor.net.smtp import SmtpProbeResult
from auditor.standards.web.certificates import (
    expiry_problem,
    issuer_from_der,
    names_from_der,
    not_after_from_der,
    not_after_from_peercert,
)
from auditor.vocabulary import Category, TargetKind
from auditor.wording import names, was_were

MAX_MX = 5
MODERN_TLS = ("TLSv1.2", "TLSv1.3")
PORT_BLOCKED = "Could not connect — outbound port 25 may be blocked on this network"


class StarttlsCheck(Check):
    meta = CheckMeta(
        id="email.starttls",
        title="Encrypted delivery to your mail servers (STARTTLS)",
        category=Category.EMAIL,
        target=TargetKind.DOMAIN,
        severity=Severity.MEDIUM,
        guidance="https://www.ncsc.gov.uk/collection/email-security-and-anti-spoofing",
        description="Connects to each mail server (MX) on port 25, asks for STARTTLS, and checks "
        "the TLS version and the certificate (trusted, right name, not about to expire). "
        "No mail is sent.",
        timeout=60.0,
        requires=("email.mx",),  # the mail servers, read once
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        domain = ctx.target
        now = ctx.services.clock()
        stamp = now.isoformat(timespec="seconds")
        lookup = await ctx.mx_facts()
        if lookup is None:
            return [ctx.mx_missing()]
        dns_evidence = mx_evidence(lookup.answer, domain, stamp)
        if lookup.could_not_check:
            return [
                ctx.finding(
                    ctx.dns_status(lookup.answer),
                    f"Could not look up the mail servers of {domain}: {lookup.answer.describe()}.",
                    location=f"{domain} MX",
                    evidence=[dns_evidence],
                )
            ]
        if lookup.null_mx or not lookup.hosts:
            reason = (
                "it publishes a null MX (it receives no email)"
                if lookup.null_mx
                else "it has no MX record"
            )
            # A null MX says "no mail here": nothing to test, rightly. No MX at all leaves
            # senders to try the domain's own address, which is not tested: could not check.
            return [
                ctx.finding(
                    Status.NOT_APPLICABLE if lookup.null_mx else Status.SKIPPED,
                    f"No mail server to test for {domain}: {reason}.",
                    location=f"{domain} MX",
                    evidence=[dns_evidence],
                )
            ]
        hosts = lookup.hosts[:MAX_MX]
        port = ctx.services.options.smtp_port
        results = await asyncio.gather(
            *(ctx.services.smtp.probe(h, port, origin=domain) for h in hosts)
        )
        findings = [judge(ctx, result, stamp) for result in results]
        if len(lookup.hosts) > MAX_MX:
            findings.append(
                ctx.not_read(
                    f"only the first {MAX_MX} of {len(lookup.hosts)} mail servers were tested; "
                    f"{names(lookup.hosts[MAX_MX:])} {was_were(lookup.hosts[MAX_MX:])} not",
                    location=f"{domain} MX",
                    subject="mx-cap",
                    evidence=[dns_evidence],
                )
            )
        return findings


def judge(ctx: CheckContext, result: SmtpProbeResult, stamp: str) -> Finding:
    """One finding for one mail server's probe."""
    host, where = result.host, f"{result.host}:{result.port}"
    not_after = not_after_from_peercert(result.certificate) or not_after_from_der(
        result.certificate_der
    )
    detail: dict[str, object] = {
        "starttls_offered": result.starttls_offered,
        "tls_version": result.tls_version,
        "cipher": result.cipher,
        "certificate_names": names_from_der(result.certificate_der),
        "certificate_issuer": issuer_from_der(result.certificate_der),
        "certificate_not_after": not_after.isoformat() if not_after else None,
        "certificate_error": result.certificate_error,
        "error": result.error,
    }
    evidence = Evidence(
        source="smtp",
        location=where,
        snippet="\n".join(result.transcript[-12:])[:2000] or result.error,
        fetched_at=stamp,
        detail=detail,
    )

    def finding(
        status: Status, message: str, *actions: str, severity: Severity | None = None
    ) -> Finding:
        return ctx.finding(
            status,
            message,
            severity=severity,
            location=where,
            subject=host,
            evidence=[evidence],
            actions=actions,
        )

    kind = result.error_kind
    if kind in (Failure.CONNECT, Failure.TIMEOUT) and not result.connected:
        return finding(Status.ERROR, f"{PORT_BLOCKED} (mail server {host}).")
    if kind == Failure.TIMEOUT:
        return finding(Status.TIMEOUT, f"Mail server {host} stopped answering during the test.")
    if kind == Failure.BLOCKED:
        return finding(Status.ERROR, f"Mail server {host} was not tested: {result.error}.")
    if kind == Failure.DNS:
        if result.no_address:
            return finding(
                Status.FAIL,
                f"Mail server {host} is listed in DNS but has no address, so mail to it "
                "cannot be delivered.",
                "email.fix-mx-host",
            )
        return finding(Status.ERROR, f"Could not look up the address of mail server {host}.")
    if kind == Failure.PROTOCOL and not result.tls_established and not result.starttls_offered:
        return finding(Status.ERROR, f"Mail server {host} did not speak SMTP as expected.")
    if kind == Failure.TLS and result.certificate_error:
        expiry = expiry_problem(not_after, ctx.services.clock())
        extra = f" ({expiry})" if expiry else ""
        return finding(
            Status.FAIL,
            f"Mail server {host} offers encryption but its certificate is not valid: "
            f"{result.certificate_error}{extra}.",
            "email.fix-mx-certificate",
        )
    if kind == Failure.TLS or (result.starttls_offered and not result.tls_established):
        return finding(
            Status.FAIL,
            f"Mail server {host} offers STARTTLS but the encrypted connection could not be set "
            "up (an old TLS version or a broken TLS setup).",
            "email.enable-starttls",
        )
    if not result.starttls_offered:
        return finding(
            Status.FAIL,
            f"Mail server {host} does not offer STARTTLS, so email to it travels unencrypted.",
            "email.enable-starttls",
        )
    if result.tls_version not in MODERN_TLS:
        return finding(
            Status.FAIL,
            f"Mail server {host} negotiated {result.tls_version or 'an unknown TLS version'}; "
            "TLS 1.2 or newer is needed.",
            "email.enable-starttls",
        )
    expiry = expiry_problem(not_after, ctx.services.clock())
    if expiry:
        return finding(
            Status.WARN,
            f"Mail server {host}: {expiry}; renew it before it breaks encrypted delivery.",
            "email.fix-mx-certificate",
        )
    return finding(
        Status.PASS,
        f"Mail server {host} offers STARTTLS with {result.tls_version} and a valid certificate.",
    )
