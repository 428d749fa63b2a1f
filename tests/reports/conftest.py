"""A fixed report, actions and checklist state for the writer tests, and the golden files.

Regenerate the golden files after an intended change with:
    UPDATE_GOLDEN=1 pytest tests/reports
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from auditor.actions import ActionSet
from auditor.checklist import Checklist, ChecklistState, Verified, build_checklist
from auditor.model import CheckInfo, Confidence, Evidence, Finding, Report, Severity, Status
from tests.support.reports import DOMAIN, PERSON, actions_from, finding, report_from

GOLDEN = Path(__file__).parent / "golden"
HOME = "12 Acacia Avenue"
POSTCODE = "AB1 2CD"
PHONE = "+447700900123"
EMAIL = "jane.candidate@example.com"
SENSITIVE = (HOME, "Ashcombe", POSTCODE, PHONE, EMAIL)
HOSTILE_TXT = 'v=spf1 <script>alert("x")</script> \x1b[31mred\x1b[0m -all'
HOSTILE_TITLE = '=HYPERLINK("https://evil.example","click") <img src=x onerror=alert(1)>'
AT = "2026-05-01T09:00:00+00:00"

ACTIONS_TOML = """
[[action]]
id = "exposure.remove-home-address"
title = "Get your home address taken off the pages that show it"
why = "Anyone who reads those pages can find your home. Page owners can usually remove it in a day."
steps = ["Open each page listed below.", "Ask the owner to replace your address with your agent's."]
who = "candidate"
effort_minutes = 30
priority = "critical"
links = [{ title = "NPSA: protect information about you", url = "https://www.npsa.gov.uk/protect-information-about-you" }]

[[action]]
id = "accounts.primary-email-2fa"
title = "Turn on 2-step verification for your main email"
why = "Whoever controls your main inbox can reset every other account."
steps = ["Open your email account's security settings.", "Turn on 2-step verification with an authenticator app or security key."]
who = "candidate"
effort_minutes = 15
priority = "critical"
links = [{ title = "NCSC: guidance for high-risk individuals", url = "https://www.ncsc.gov.uk/collection/defending-democracy/guidance-for-high-risk-individuals" }]

[[action]]
id = "email.dmarc-enforce"
title = "Turn on DMARC enforcement so others cannot send email as your domain"
why = "Without it, anyone can send convincing email that appears to come from your campaign."
steps = ["Publish a DMARC record with p=quarantine.", "Move to p=reject after two weeks of clean reports."]
who = "campaign IT volunteer"
effort_minutes = 30
priority = "high"
links = [{ title = "NCSC: email security and anti-spoofing", url = "https://www.ncsc.gov.uk/collection/email-security-and-anti-spoofing" }]

[[action]]
id = "web.add-headers"
title = "Add the recommended security headers to your website"
why = "They stop other sites framing yours and limit what injected scripts can do."
steps = ["Ask your host to add the headers named below."]
who = "registrar or host"
effort_minutes = 30
priority = "low"
links = [{ title = "NCSC: defending democracy", url = "https://www.ncsc.gov.uk/collection/defending-democracy" }]

[[action]]
id = "exposure.imprint-office-address"
title = "Use your agent's address in imprints"
why = "Imprints are printed in their thousands and posted online."
steps = ["Agree the imprint address with your agent."]
who = "agent"
effort_minutes = 20
priority = "high"
when = "nomination"
links = [{ title = "Electoral Commission: candidates and agents", url = "https://www.electoralcommission.org.uk/i-am-a/candidate-or-agent" }]

[[action]]
id = "general.review-exposure-finding"
title = "Ask for this personal detail to be removed from where it was found"
why = "Personal details on public pages help people find you."
steps = ["Ask the page owner to remove it."]
who = "candidate"
effort_minutes = 30
priority = "high"
fallback_for = "exposure"
links = [{ title = "NPSA: protect information about you", url = "https://www.npsa.gov.uk/protect-information-about-you" }]

[[action]]
id = "general.answer-questions"
title = "Answer the questions only you can answer"
why = "Some things cannot be seen from outside."
steps = ["Answer each question below."]
who = "candidate"
effort_minutes = 15
priority = "medium"
fallback_for = "manual"
links = [{ title = "Electoral Commission: candidates and agents", url = "https://www.electoralcommission.org.uk/i-am-a/candidate-or-agent" }]

[[action]]
id = "accounts.backup-codes"
title = "Keep your backup codes somewhere offline"
why = "If you lose your phone, backup codes are how you get back in."
steps = ["Print the codes and keep them at home."]
who = "candidate"
effort_minutes = 10
priority = "medium"
links = [{ title = "NCSC: defending democracy", url = "https://www.ncsc.gov.uk/collection/defending-democracy" }]

[[action]]
id = "general.recheck-after-fixing"
title = "Run the audit again after you fix things"
why = "A fix is only done when a fresh audit no longer finds the problem."
steps = ["Run the audit again."]
who = "campaign IT volunteer"
effort_minutes = 10
priority = "low"
when = "ongoing"
standing = true
links = [{ title = "NPSA: protect information about you", url = "https://www.npsa.gov.uk/protect-information-about-you" }]
"""  # noqa: E501

CHECKS = (
    CheckInfo("exposure.pages", "Personal details on web pages", "exposure",
              "https://www.npsa.gov.uk/protect-information-about-you"),
    CheckInfo("exposure.imprint", "Imprints", "exposure",
              "https://www.electoralcommission.org.uk/i-am-a/candidate-or-agent"),
    CheckInfo("exposure.guided", "Guided questions", "exposure", "javascript:alert(1)"),
    CheckInfo("accounts.twofactor", "Two-step verification", "accounts",
              "https://www.ncsc.gov.uk/collection/defending-democracy"),
    CheckInfo("email.dmarc", "DMARC policy", "email",
              "https://www.ncsc.gov.uk/collection/email-security-and-anti-spoofing"),
    CheckInfo("email.spf", "SPF record", "email", "https://www.rfc-editor.org/rfc/rfc7208"),
    CheckInfo("email.mx", "Mail servers", "email", "https://www.rfc-editor.org/rfc/rfc5321"),
    CheckInfo("web.headers", "Security headers", "web",
              "https://www.ncsc.gov.uk/collection/defending-democracy"),
)  # fmt: skip


def _finding(check_id: str, status: Status, severity: Severity, message: str, **kw: Any) -> Finding:
    target = DOMAIN if check_id.startswith(("email", "web")) else PERSON
    target = str(kw.pop("target", target))
    return finding(check_id, status, severity, message=message, target=target, **kw)


def fixed_report() -> Report:
    home_page = "https://party.example/team/jane"
    findings = [
        _finding("exposure.pages", Status.FAIL, Severity.CRITICAL,
                 "Your home address is on your party's team page.", kind="home-address",
                 location=home_page, subject="home-1", actions=("exposure.remove-home-address",),
                 evidence=(Evidence("page-text", home_page,
                                    "Jane lives at 12 acacia avenue, Ashcombe ab12cd - call "
                                    "07700 900123", AT, sensitive=(HOME, POSTCODE)),)),
        _finding("exposure.pages", Status.WARN, Severity.MEDIUM,
                 "Your personal mobile number is on a club page.", kind="phone",
                 location="https://club.example/contact", subject="phone-1",
                 confidence=Confidence.MEDIUM, actions=("exposure.remove-home-address",),
                 evidence=(Evidence("page-text", "https://club.example/contact",
                                    "Membership: +44 (0)7700-900-123", AT),)),
        _finding("exposure.imprint", Status.FAIL, Severity.HIGH,
                 "A leaflet's imprint gives your home address.", kind="imprint",
                 location="https://example-campaign.org.uk/leaflet.pdf",
                 actions=("exposure.imprint-office-address",),
                 evidence=(Evidence("pdf", "https://example-campaign.org.uk/leaflet.pdf",
                                    "Promoted by J Candidate, 12 Acacia Ave, Ashcombe AB1 2CD",
                                    AT),)),
        _finding("exposure.guided", Status.MANUAL, Severity.INFO,
                 "Have you opted out of the open electoral register?",
                 subject="open-register"),
        _finding("accounts.twofactor", Status.FAIL, Severity.CRITICAL,
                 f"Your main email ({EMAIL}) has no 2-step verification.", kind="primary-email",
                 subject="gmail", actions=("accounts.primary-email-2fa",),
                 evidence=(Evidence("attested", "profile: account gmail",
                                    f"{EMAIL}: twofa = none", "2026-04-30"),)),
        _finding("email.dmarc", Status.FAIL, Severity.HIGH,
                 "There is no DMARC policy, so anyone can send email as your domain.",
                 location="_dmarc.example-campaign.org.uk", actions=("email.dmarc-enforce",),
                 evidence=(Evidence("dns", "_dmarc.example-campaign.org.uk TXT",
                                    "(no record: NXDOMAIN)", AT),)),
        _finding("email.spf", Status.TIMEOUT, Severity.HIGH,
                 "Could not check the SPF record: the DNS server did not answer in time.",
                 location="example-campaign.org.uk",
                 evidence=(Evidence("dns", "example-campaign.org.uk TXT", HOSTILE_TXT, AT),)),
        _finding("email.mx", Status.PASS, Severity.INFO, "Your domain has working mail servers.",
                 location="example-campaign.org.uk"),
        _finding("web.headers", Status.WARN, Severity.LOW,
                 "Your website does not send a Content-Security-Policy header.",
                 location="https://example-campaign.org.uk/", actions=("web.add-headers",),
                 evidence=(Evidence("http-header", "https://example-campaign.org.uk/",
                                    f"<title>{HOSTILE_TITLE}</title>", AT),)),
    ]  # fmt: skip
    return report_from(
        findings,
        CHECKS,
        started_at=AT,
        finished_at="2026-05-01T09:02:30+00:00",
        duration=0.25,
        subject="Jane Candidate",
        problems=("plugin acme.check failed to load: ModuleNotFoundError",),
        sensitive=SENSITIVE,
    )


def fixed_actions(tmp: Path) -> ActionSet:
    return actions_from(tmp, ACTIONS_TOML)


def fixed_checklist(report: Report, actions: ActionSet) -> Checklist:
    web = next(f for f in report.findings if f.check_id == "web.headers")
    question = next(f for f in report.findings if f.status is Status.MANUAL)
    state = ChecklistState(
        ticked={"email.dmarc-enforce": "2026-04-30T18:00:00+00:00"},
        dismissed={web.fingerprint: "2026-04-30: the host cannot change headers"},
        answers={question.fingerprint: "not yet"},
        verified={
            "accounts.backup-codes": Verified("2026-04-24T09:00:00+00:00", ("0123456789abcdef",))
        },
    )
    return build_checklist(report, actions, state)


@pytest.fixture
def report() -> Report:
    return fixed_report()


@pytest.fixture
def checklist(report: Report, tmp_path: Path) -> Checklist:
    return fixed_checklist(report, fixed_actions(tmp_path))


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if os.environ.get("UPDATE_GOLDEN") == "1":
            path.write_bytes(text.encode("utf-8"))
        expected = path.read_bytes().decode("utf-8") if path.exists() else None
        assert expected is not None, f"{path} is missing: run with UPDATE_GOLDEN=1"
        assert text == expected, f"{name} differs from its golden file (UPDATE_GOLDEN=1 to accept)"

    return check
