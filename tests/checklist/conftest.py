"""Hand-built reports and actions for the checklist and history tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from auditor.actions import ActionSet
from auditor.model import CheckInfo, Finding, Report
from tests.support.reports import actions_from, finding, report_from

CHECKS = (
    CheckInfo("exposure.pages", "Personal details on web pages", "exposure",
              "https://www.npsa.gov.uk/protect-information-about-you"),
    CheckInfo("accounts.twofactor", "Two-factor on key accounts", "accounts",
              "https://www.ncsc.gov.uk/collection/defending-democracy/guidance-for-high-risk-individuals"),
    CheckInfo("email.dmarc", "DMARC policy", "email",
              "https://www.ncsc.gov.uk/collection/email-security-and-anti-spoofing"),
    CheckInfo("email.spf", "SPF record", "email", "https://www.rfc-editor.org/rfc/rfc7208"),
    CheckInfo("web.headers", "Security headers", "web", "https://owasp.org/www-project-secure-headers/"),
    CheckInfo("exposure.guided", "Guided questions", "exposure",
              "https://www.electoralcommission.org.uk/i-am-a/candidate-or-agent"),
)  # fmt: skip

ACTIONS_TOML = """
[[action]]
id = "exposure.remove-home-address"
title = "Remove your home address from the page"
why = "Anyone can find your home from it."
steps = ["Ask the site owner to remove it."]
who = "candidate"
effort_minutes = 20
priority = "critical"
links = [{ title = "NPSA", url = "https://www.npsa.gov.uk/protect-information-about-you" }]

[[action]]
id = "accounts.primary-email-2fa"
title = "Turn on 2-step verification on your main email"
why = "Your main inbox resets every other account."
steps = ["Open the security settings.", "Turn on 2-step verification."]
who = "candidate"
effort_minutes = 15
priority = "critical"
links = [{ title = "NCSC", url = "https://www.ncsc.gov.uk/collection/defending-democracy/guidance-for-high-risk-individuals" }]

[[action]]
id = "email.dmarc-enforce"
title = "Turn on DMARC enforcement"
why = "Others can send email as your domain."
steps = ["Publish p=quarantine."]
who = "campaign IT volunteer"
effort_minutes = 30
priority = "high"
links = [{ title = "NCSC email", url = "https://www.ncsc.gov.uk/collection/email-security-and-anti-spoofing" }]

[[action]]
id = "email.spf-fix"
title = "Fix the SPF record"
why = "A broken SPF record lets spoofed mail through."
steps = ["Correct the record."]
who = "campaign IT volunteer"
effort_minutes = 90
priority = "high"
links = [{ title = "RFC 7208", url = "https://www.rfc-editor.org/rfc/rfc7208" }]

[[action]]
id = "web.add-headers"
title = "Add security headers"
why = "They harden the site."
steps = ["Ask the host."]
who = "registrar or host"
effort_minutes = 30
priority = "low"
links = [{ title = "NCSC", url = "https://www.ncsc.gov.uk/collection/defending-democracy" }]

[[action]]
id = "exposure.imprint-agent-address"
title = "Use your agent's address in imprints"
why = "Imprints are printed in their thousands."
steps = ["Agree the address with your agent."]
who = "agent"
effort_minutes = 30
priority = "high"
when = "nomination"
links = [{ title = "Electoral Commission", url = "https://www.electoralcommission.org.uk/i-am-a/candidate-or-agent" }]
"""  # noqa: E501

FindingFactory = Callable[..., Finding]


def report_of(
    findings: Sequence[Finding], *, started_at: str = "2026-05-01T09:00:00Z", **kw: Any
) -> Report:
    return report_from(
        findings,
        CHECKS,
        started_at=started_at,
        finished_at=kw.pop("finished_at", started_at.replace("09:00", "09:01")),
        duration=0.5,
        subject=kw.pop("subject", "Jane Candidate"),
        sensitive=kw.pop("sensitive", ("12 Acacia Avenue", "AB1 2CD", "+447700900123")),
        **kw,
    )


@pytest.fixture
def actions(tmp_path: Path) -> ActionSet:
    """The test actions plus the real general.toml (fallbacks, standing advice)."""
    return actions_from(tmp_path / "actions", ACTIONS_TOML, general=True)


@pytest.fixture
def make_finding() -> FindingFactory:
    return finding


@pytest.fixture
def make_report() -> Callable[..., Report]:
    return report_of
