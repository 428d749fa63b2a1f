from __future__ import annotations

import tomllib
from pathlib import Path

from auditor.engine import Engine
from auditor.model import Finding, Report, Severity, Status
from auditor.profile import Account, ManualAnswer, Profile
from checks.accounts.messaging import MessagingCheck
from checks.accounts.twofactor import TwoFactorCheck
from tests.accounts.conftest import loopback_services

REPO = Path(__file__).resolve().parents[2]
ACTIONS = {
    a["id"]
    for a in tomllib.loads((REPO / "checks/data/actions/accounts.toml").read_text())["action"]
}

ACCOUNTS = (
    Account("gmail", "alex@example.org", "none", attested_on="2026-05-01", primary_email=True),
    Account("x", "@alexforward", "none", attested_on="2026-05-01"),
    Account("facebook", "alexforward", "sms", attested_on="2026-05-02"),
    Account("instagram", "alex.forward", "totp"),
    Account("linkedin", "in/alex", "passkey"),
    Account("bluesky", "@alex.bsky.social", "email"),
    Account("namecheap", "alexforward", "unknown"),
    Account("crowdfunder", "alex", "none"),
    Account("proton", "alex", "security-key", recovery_phone_public=True,
            backup_codes_offline=False),
    Account("mailchimp", "campaign", "sms", shared=True, second_factor_holder="Sam (volunteer)"),
    Account("stripe", "campaign", "totp", shared=True, second_factor_holder="campaign phone"),
    Account("nationbuilder", "campaign", "totp", shared=True),
    Account("friendface", "alex", "none"),
)  # fmt: skip


async def audit(profile: Profile, check: type = TwoFactorCheck) -> Report:
    async with loopback_services() as services:
        return await Engine.from_checks([check]).run(profile, services)


def by_subject(report: Report) -> dict[str, Finding]:
    return {f.subject: f for f in report.findings}


async def test_each_method_level_gets_its_status_severity_and_actions(private_home: Path) -> None:
    report = await audit(Profile(name="Alex Forward", accounts=ACCOUNTS))
    found = by_subject(report)

    gmail = found["gmail:alex@example.org:2fa"]
    assert (gmail.status, gmail.severity) == (Status.FAIL, Severity.CRITICAL)
    assert "accounts.2fa-primary-email" in gmail.actions and "accounts.2fa-gmail" in gmail.actions
    assert gmail.evidence[0].source == "attested"
    assert gmail.evidence[0].fetched_at == "2026-05-01"
    assert gmail.evidence[0].detail["docs"] == "https://support.google.com/accounts/answer/185839"

    x = found["x:@alexforward:2fa"]
    assert (x.status, x.severity) == (Status.FAIL, Severity.HIGH)

    facebook = found["facebook:alexforward:2fa"]
    assert (facebook.status, facebook.severity) == (Status.WARN, Severity.MEDIUM)
    assert "SIM-swap" in facebook.message and "security key" in facebook.message
    assert facebook.actions == ("accounts.2fa-replace-sms", "accounts.2fa-facebook")

    assert found["instagram:alex.forward:2fa"].status is Status.PASS
    assert found["linkedin:in/alex:2fa"].status is Status.PASS
    assert found["proton:alex:2fa"].status is Status.PASS

    bluesky = found["bluesky:@alex.bsky.social:2fa"]
    assert bluesky.status is Status.WARN and "email" in bluesky.message

    namecheap = found["namecheap:alexforward:2fa"]
    assert namecheap.status is Status.MANUAL and "accounts.2fa-record" in namecheap.actions

    crowdfunder = found["crowdfunder:alex:2fa"]
    assert crowdfunder.status is Status.WARN and "offers no two-step" in crowdfunder.message
    assert crowdfunder.severity is Severity.LOW

    unknown_service = found["friendface:alex:2fa"]
    assert unknown_service.status is Status.FAIL
    assert unknown_service.actions == ("accounts.2fa-turn-on",)

    assert found["proton:alex:recovery-phone"].status is Status.WARN
    assert found["proton:alex:backup-codes"].status is Status.WARN
    assert found["mailchimp:campaign:shared-factor"].status is Status.WARN
    assert found["stripe:campaign:shared-factor"].status is Status.PASS
    assert found["nationbuilder:campaign:shared-factor"].status is Status.MANUAL

    for finding in report.findings:
        assert set(finding.actions) <= ACTIONS, finding
        if finding.status.is_problem:
            assert finding.actions, finding


async def test_first_email_account_is_primary_when_none_is_marked() -> None:
    accounts = (Account("x", "@a", "totp"), Account("outlook", "a@outlook.com", "none"))
    found = by_subject(await audit(Profile(name="A", accounts=accounts)))
    assert found["outlook:a@outlook.com:2fa"].severity is Severity.CRITICAL


async def test_sms_on_the_primary_email_is_high_and_names_the_better_method() -> None:
    accounts = (Account("yahoo", "a@yahoo.co.uk", "sms", primary_email=True),)
    finding = by_subject(await audit(Profile(name="A", accounts=accounts)))[
        "yahoo:a@yahoo.co.uk:2fa"
    ]
    assert (finding.status, finding.severity) == (Status.WARN, Severity.HIGH)
    assert "security key" in finding.message


async def test_no_accounts_asks_for_them() -> None:
    report = await audit(Profile(name="A"))
    assert [f.status for f in report.findings] == [Status.MANUAL]


async def test_messaging_answers_become_pass_warn_or_question() -> None:
    answers = {
        "accounts.messaging.whatsapp": ManualAnswer("yes", "2026-05-01"),
        "accounts.messaging.signal": ManualAnswer("no", "2026-05-01"),
    }
    report = await audit(Profile(name="A", answers=answers), MessagingCheck)
    found = by_subject(report)
    assert found["whatsapp"].status is Status.PASS
    assert found["whatsapp"].evidence[0].fetched_at == "2026-05-01"
    assert found["signal"].status is Status.WARN
    assert found["signal"].actions == ("accounts.signal-registration-lock",)
    assert found["telegram"].status is Status.MANUAL
    for finding in report.findings:
        assert set(finding.actions) <= ACTIONS


async def test_a_service_with_nothing_to_turn_on_gets_advice_not_a_question() -> None:
    accounts = (Account("monzo", "alex", "unknown"), Account("starling", "alex", "none"))
    found = by_subject(await audit(Profile(name="A", accounts=accounts)))
    for subject, service in (("monzo:alex:2fa", "monzo"), ("starling:alex:2fa", "starling")):
        finding = found[subject]
        assert (finding.status, finding.severity) == (Status.WARN, Severity.LOW)
        assert "offers no two-step sign-in" in finding.message
        assert "lock" in finding.message  # the service's own advice, from the table's notes
        assert finding.actions == ("accounts.no-2fa-service", f"accounts.2fa-{service}")
