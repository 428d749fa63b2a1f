"""accounts.passwords: has a password the person uses appeared in a known breach?

Interactive: the password is typed into the app (or a CLI prompt) and checked with
auditor/standards/accounts/pwned.py by k-anonymity (only 5 characters of its SHA-1 leave the
machine). In an audit this check never sees a password: it reports the outcome the app
recorded (how many were checked and found, ``ctx.interaction()``) or invites the person to
run the check where they can type it.
"""

from __future__ import annotations

from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status
from auditor.vocabulary import Category, TargetKind

# After a check in the app: nothing to do when none was found, change it when one was,
# try again when the check could not reach the service.
_ACTIONS_AFTER: dict[Status, list[str]] = {
    Status.PASS: [],
    Status.FAIL: ["accounts.password-change-breached"],
}


class PasswordsCheck(Check):
    meta = CheckMeta(
        id="accounts.passwords",
        title="Passwords found in breaches",
        category=Category.ACCOUNTS,
        target=TargetKind.PERSON,
        severity=Severity.HIGH,
        guidance="https://www.ncsc.gov.uk/collection/top-tips-for-staying-secure-online/three-random-words",
        description="Checks a password you type against Pwned Passwords without sending it: "
        "only the first 5 characters of its SHA-1 hash leave your computer.",
        services=("pwned_passwords",),
        interactive=True,
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        location = "interactive password check"
        done = ctx.interaction()
        if done is not None:
            return [
                ctx.finding(
                    done.status,
                    f"{done.message} (checked {done.at[:10]})",
                    severity=Severity.HIGH if done.status is Status.FAIL else Severity.MEDIUM,
                    location=location,
                    evidence=[
                        Evidence(
                            source="interactive",
                            location=location,
                            snippet=done.message,
                            fetched_at=done.at or None,
                            detail=dict(done.facts),
                        )
                    ],
                    actions=_ACTIONS_AFTER.get(done.status, ["accounts.password-check"]),
                )
            ]
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
