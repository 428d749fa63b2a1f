"""accounts.messaging: the PIN or password that stops a SIM-swap taking over a messaging app.

WhatsApp, Signal and Telegram register a phone number with an SMS code; whoever gets the
number (a SIM swap) can re-register the account unless a PIN or password is also set. Only
the person can tell us, so these are manual questions; answers are read from
``profile.answers["accounts.messaging.<app>"]``.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status
from auditor.vocabulary import Category, TargetKind


@dataclass(frozen=True)
class MessagingQuestion:
    app: str  # answers key suffix and service table key
    name: str
    feature: str
    question: str
    action: str


QUESTIONS = (
    MessagingQuestion(
        "whatsapp", "WhatsApp", "two-step verification PIN",
        "Have you turned on WhatsApp's two-step verification PIN "
        "(Settings → Account → Two-step verification)?",
        "accounts.whatsapp-pin",
    ),
    MessagingQuestion(
        "signal", "Signal", "Registration Lock",
        "Have you turned on Signal's Registration Lock (Settings → Account → Registration Lock)?",
        "accounts.signal-registration-lock",
    ),
    MessagingQuestion(
        "telegram", "Telegram", "cloud password",
        "Have you set a Telegram cloud password "
        "(Settings → Privacy and Security → Two-Step Verification)?",
        "accounts.telegram-password",
    ),
)  # fmt: skip


def answer_id(app: str) -> str:
    return f"accounts.messaging.{app}"


class MessagingCheck(Check):
    meta = CheckMeta(
        id="accounts.messaging",
        title="Messaging apps locked against SIM swaps",
        category=Category.ACCOUNTS,
        target=TargetKind.PERSON,
        severity=Severity.MEDIUM,
        guidance="https://www.ncsc.gov.uk/guidance/setting-two-step-verification-2sv",
        description="Asks whether WhatsApp's two-step PIN, Signal's Registration Lock and "
        "Telegram's cloud password are on.",
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        findings: list[Finding] = []
        for q in QUESTIONS:
            key = answer_id(q.app)
            answer = ctx.profile.answers.get(key)
            location = f"profile answers: {key}"
            if answer is None:
                findings.append(
                    ctx.finding(
                        Status.MANUAL,
                        q.question,
                        severity=Severity.MEDIUM,
                        location=location,
                        subject=q.app,
                        evidence=[
                            Evidence(
                                source="attested", location=location, snippet="not answered yet"
                            )
                        ],
                        actions=[q.action],
                    )
                )
                continue
            evidence = Evidence(
                source="attested",
                location=location,
                snippet=f"answer = {answer.answer}",
                fetched_at=answer.answered_on or None,
                detail={"note": answer.note} if answer.note else {},
            )
            if answer.answer == "yes":
                status, severity = Status.PASS, Severity.INFO
                message = f"Your {q.name} has its {q.feature} on."
                actions: list[str] = []
            elif answer.answer == "no":
                status, severity = Status.WARN, Severity.MEDIUM
                message = (
                    f"Turn on {q.name}'s {q.feature}: without it, anyone who takes over your "
                    f"phone number can take over your {q.name}."
                )
                actions = [q.action]
            elif answer.answer == "not-applicable":
                status, severity = Status.PASS, Severity.INFO
                message = f"You told us you do not use {q.name}."
                actions = []
            else:
                status, severity = Status.MANUAL, Severity.MEDIUM
                message = q.question + ' (answer "yes" or "no")'
                actions = [q.action]
            findings.append(
                ctx.finding(
                    status,
                    message,
                    severity=severity,
                    location=location,
                    subject=q.app,
                    evidence=[evidence],
                    actions=actions,
                )
            )
        return findings
