"""The demo audit's checklist, end to end: the fictional candidate's home-address exposures
and their primary email without two-step sign-in lead the list, each with official links."""

from __future__ import annotations

from auditor.actions import load_actions
from auditor.audit import run_audit
from auditor.checklist import Group, build_checklist
from auditor.demo.world import DemoWorld


async def test_home_address_and_primary_email_lead_the_demo_checklist() -> None:
    async with DemoWorld() as world:
        report = await run_audit(world.profile, world.audit_options())
    checklist = build_checklist(report, load_actions())
    today = checklist.group(Group.TODAY)
    assert today, "the demo must have something to do today"
    top = today[:8]

    def about_home(item: object) -> bool:
        return any(f.kind in ("home-address", "gps-location") for f in item.findings)  # type: ignore[attr-defined]

    def primary_email_2fa(item: object) -> bool:
        return any(
            f.check_id == "accounts.twofactor" and f.severity.value == "critical"
            for f in item.findings  # type: ignore[attr-defined]
        )

    assert about_home(today[0]), today[0].action.title
    # The primary email's 2FA is among the critical items, ahead of every lesser one (the
    # demo's home-address exposures, on its own pages and on third-party ones, come first).
    titles = [i.action.title for i in today]
    first_2fa = next((n for n, item in enumerate(today) if primary_email_2fa(item)), None)
    assert first_2fa is not None, titles
    assert all(item.severity.value == "critical" for item in today[: first_2fa + 1]), titles
    for item in top:
        assert item.action.links and all(
            link.url.startswith("https://") for link in item.action.links
        )
    # Nothing "could not check" is presented as an action to fix.
    assert all(not f.status.could_not_check for item in checklist.items for f in item.findings)
