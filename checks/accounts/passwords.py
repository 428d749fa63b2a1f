"""accounts.passwords: has a password the person uses appeared in a known breach?

Interactive: the password is typed into the TUI (or a CLI prompt) and checked with
auditor/standards/accounts/pwned.py by k-anonymity (only 5 characters of its SHA-1 leave the
machine). In an audit this check cannot see any password, so it invites the person to run
the check where they can type it.
"""

from __future__ import annotations

from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status


class PasswordsCheck(Check):
    meta = CheckMeta(
        id="accounts.passwords",
        title="Passwords found in breaches",
        category="accounts",
        target="person",
        severity=Severity.HIGH,
        guidance="https://www.ncsc.gov.uk/collection/top-tips-for-staying-secure-online/three-random-words",
        description="Checks a password you type against Pwned Passwords without sending it: "
        "only the first 5 characters of its SHA-1 hash leave your computer.",
        services=("pwned_passwords",),
        interactive=True,
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        location = "interactive password check"
        return [
            ctx.finding(
                Status.MANUAL,
                "Check your important passwords against known breaches in the guided app; "
                "the password never leaves your computer.",
                severity=Severity.MEDIUM,
                location=location,
                evidence=[
                    Evidence(
                        source="attested",
                        location=location,
                        snippet="not run in this audit",
                        detail={"service": ctx.services.endpoint("pwned_passwords")},
                    )
                ],
                actions=["accounts.password-check"],
            )
        ]
