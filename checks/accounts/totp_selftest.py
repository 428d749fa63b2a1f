"""accounts.totp_selftest: does the person's authenticator app make the right codes?

Interactive: the app's two-factor screen (or ``auditor totp-test``) shows a throwaway QR code
and checks two consecutive codes with auditor/standards/accounts/totp.py. In an audit, this
check reports the outcome the app recorded (``ctx.interaction()``), else the person's answer
(``profile.answers["accounts.totp_selftest"]``), else invites them to run it.
"""

from __future__ import annotations

from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status
from auditor.vocabulary import Category, TargetKind

ANSWER_ID = "accounts.totp_selftest"


class TotpSelfTestCheck(Check):
    meta = CheckMeta(
        id="accounts.totp_selftest",
        title="Authenticator app self-test",
        category=Category.ACCOUNTS,
        target=TargetKind.PERSON,
        severity=Severity.LOW,
        guidance="https://www.ncsc.gov.uk/guidance/setting-two-step-verification-2sv",
        description="Scans a throwaway QR code into your authenticator app and checks two "
        "codes, which also measures your phone's clock drift. Nothing is stored.",
        interactive=True,
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        done = ctx.interaction()
        if done is not None:
            where = "authenticator self-test in the app"
            return [
                ctx.finding(
                    done.status,
                    f"{done.message} (self-test of {done.at[:10]})",
                    location=where,
                    evidence=[
                        Evidence(
                            source="interactive",
                            location=where,
                            snippet=done.message,
                            fetched_at=done.at or None,
                            detail=dict(done.facts),
                        )
                    ],
                    actions=[] if done.status is Status.PASS else ["accounts.totp-selftest"],
                )
            ]
        answer = ctx.profile.answers.get(ANSWER_ID)
        location = f"profile answers: {ANSWER_ID}"
        if answer is not None and answer.answer == "yes":
            return [
                ctx.finding(
                    Status.PASS,
                    "Your authenticator app passed the self-test.",
                    location=location,
                    evidence=[
                        Evidence(
                            source="attested",
                            location=location,
                            snippet="answer = yes",
                            fetched_at=answer.answered_on or None,
                        )
                    ],
                )
            ]
        return [
            ctx.finding(
                Status.MANUAL,
                "Run the authenticator self-test (auditor totp-test, or in the app) to check "
                "your phone makes the right codes and its clock is right.",
                severity=Severity.LOW,
                location=location,
                evidence=[Evidence(source="attested", location=location, snippet="not run yet")],
                actions=["accounts.totp-selftest"],
            )
        ]
