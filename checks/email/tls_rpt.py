"""TLS-RPT (RFC 8460): where senders report failures to deliver your mail securely."""

from __future__ import annotations

from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status
from auditor.standards.email.tls_rpt_record import TlsRptError, is_tlsrpt_record, parse_tlsrpt
from auditor.vocabulary import Category, TargetKind

ACTION = "email.tls-rpt-setup"


class TlsRptCheck(Check):
    meta = CheckMeta(
        id="email.tls_rpt",
        title="TLS reporting (TLS-RPT)",
        category=Category.EMAIL,
        target=TargetKind.DOMAIN,
        severity=Severity.LOW,
        guidance="https://www.rfc-editor.org/rfc/rfc8460",
        description="Reads the _smtp._tls TXT record: exactly one v=TLSRPTv1 record with valid "
        "mailto: or https: report addresses.",
        timeout=20.0,
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        domain = ctx.target
        name = f"_smtp._tls.{domain}"
        answer = await ctx.services.dns.txt(name)
        evidence = Evidence(
            source="dns",
            location=f"{name} TXT",
            snippet="\n".join(answer.records)[:2000] or answer.describe(),
            fetched_at=ctx.services.clock().isoformat(timespec="seconds"),
        )

        def finding(status: Status, message: str) -> Finding:
            return ctx.finding(
                status,
                message,
                location=f"{name} TXT",
                evidence=[evidence],
                actions=[ACTION] if status.is_problem else [],
            )

        if answer.could_not_check:
            return [
                finding(Status.ERROR, f"Could not look up the TLS-RPT record: {answer.describe()}.")
            ]
        records = [r for r in answer.records if is_tlsrpt_record(r)]
        if not records:
            return [
                finding(
                    Status.WARN,
                    f"{domain} has no TLS-RPT record, so nobody hears when senders fail to "
                    "deliver its mail securely.",
                )
            ]
        if len(records) > 1:
            return [
                finding(
                    Status.FAIL,
                    f"{domain} has {len(records)} TLS-RPT records; senders ignore them unless "
                    "there is exactly one.",
                )
            ]
        try:
            record = parse_tlsrpt(records[0])
        except TlsRptError as exc:
            return [finding(Status.FAIL, f"The TLS-RPT record is not valid: {exc}.")]
        if record.problems:
            return [
                finding(
                    Status.WARN,
                    f"The TLS-RPT record has an unusable report address: {record.problems[0]}.",
                )
            ]
        return [
            finding(
                Status.PASS,
                f"TLS failure reports for {domain} go to {', '.join(record.rua[:3])}.",
            )
        ]
