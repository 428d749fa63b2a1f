"""accounts.twofactor: grade the second factor the person says each account uses."""

from __future__ import annotations

from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status
from auditor.standards.accounts.grading import NCSC_2SV, assess_account, primary_email_index
from auditor.vocabulary import Category, TargetKind


class TwoFactorCheck(Check):
    meta = CheckMeta(
        id="accounts.twofactor",
        title="Two-step sign-in on your accounts",
        category=Category.ACCOUNTS,
        target=TargetKind.PERSON,
        severity=Severity.HIGH,
        guidance="https://www.ncsc.gov.uk/guidance/setting-two-step-verification-2sv",
        description="Grades the second step each account in the profile uses (passkey or "
        "security key, authenticator app, text message, email, none) and checks shared "
        "accounts and recovery settings.",
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        accounts = ctx.profile.accounts
        if not accounts:
            return [
                ctx.finding(
                    Status.MANUAL,
                    "List your accounts (email, social media, domain, donations) in your "
                    "profile so we can check how each is protected.",
                    severity=Severity.MEDIUM,
                    subject="no-accounts",
                    evidence=[Evidence(source="attested", location=ctx.profile.source)],
                    actions=["accounts.2fa-record"],
                )
            ]
        table = await ctx.service_table()
        primary = primary_email_index(accounts, table)
        findings: list[Finding] = []
        for index, account in enumerate(accounts):
            service = table.get(account.service)
            location = f"profile account: {account.service} {account.handle}".strip()
            detail = {
                "service": service.key if service else account.service,
                "method": account.twofa,
                "attested_on": account.attested_on,
                "offered": list(service.methods) if service else [],
                "docs": service.docs if service else NCSC_2SV,
                "setting": service.setting if service else "",
                "primary_email": index == primary,
            }
            evidence = Evidence(
                source="attested",
                location=location,
                snippet=f"twofa = {account.twofa}",
                fetched_at=account.attested_on or None,
                detail=detail,
            )
            for item in assess_account(account, service, primary=index == primary):
                findings.append(
                    ctx.finding(
                        item.status,
                        item.message,
                        severity=item.severity,
                        location=location,
                        kind="account",
                        subject=f"{account.service}:{account.handle.lower()}:{item.subject}",
                        evidence=[evidence],
                        actions=item.actions,
                    )
                )
        return findings
