from __future__ import annotations

import dataclasses
from pathlib import Path

from auditor.demo.dns_server import DnsServer
from auditor.demo.web_server import WebServer, html
from auditor.engine import Engine
from auditor.model import Report, Status
from auditor.profile import Account, Profile
from auditor.standards.accounts.discovery import classify_url
from auditor.standards.email.providers import load_mail_providers, provider_host
from checks.accounts.inventory import InventoryCheck
from checks.email.mx import MxCheck
from tests.accounts.conftest import loopback_services

PAGE = """<!doctype html><html><body>
<a href="https://x.com/alexforward">X</a>
<a href="https://twitter.com/intent/tweet?text=Vote">Share</a>
<a href="https://www.instagram.com/alex.forward/">Instagram</a>
<a href="https://www.facebook.com/sharer/sharer.php?u=https://alex.example">Share</a>
<a href="https://www.facebook.com/AlexForwardCampaign">Facebook</a>
<a href="https://mastodon.social/@alexf" rel="me">Mastodon</a>
<a href="https://bsky.app/profile/alexforward.bsky.social">Bluesky</a>
<a href="https://www.linkedin.com/in/alex-forward">LinkedIn</a>
<a href="https://www.youtube.com/@AlexForward">YouTube</a>
<a href="https://www.tiktok.com/@alexforward">TikTok</a>
<a href="https://www.threads.net/@alex.forward">Threads</a>
<a href="https://medium.com/@alex">Blog</a>
<a href="/contact">Contact</a>
</body></html>"""


async def run_inventory(profile: Profile, dns: DnsServer) -> Report:
    async with loopback_services(dns) as services:
        report = await Engine.from_checks([MxCheck, InventoryCheck]).run(profile, services)
    # email.mx runs first (inventory reads its MX facts); only the inventory's results are tested
    inventory = tuple(r for r in report.results if r.check_id == "accounts.inventory")
    return dataclasses.replace(report, results=inventory)


async def test_site_links_and_mx_become_accounts(
    web: WebServer, dns: DnsServer, private_home: Path
) -> None:
    web.route("*", "/", html(PAGE))
    profile = Profile(
        name="Alex Forward",
        websites=(f"http://127.0.0.1:{web.http_port}/",),
        domains=("campaign.example", "selfhosted.example"),
        accounts=(Account("x", "@alexforward", "totp"), Account("twitter", "alexforward", "sms")),
    )
    report = await run_inventory(profile, dns)
    manual = {f.subject: f for f in report.findings if f.status is Status.MANUAL}
    assert set(manual) == {
        "instagram:alex.forward", "facebook:alexforwardcampaign", "mastodon:alexf@mastodon.social",
        "bluesky:alexforward.bsky.social", "linkedin:in/alex-forward", "youtube:alexforward",
        "tiktok:alexforward", "threads:alex.forward", "google-workspace:campaign.example",
    }  # fmt: skip
    instagram = manual["instagram:alex.forward"]
    assert "We found your Instagram alex.forward on your site" in instagram.message
    assert instagram.actions == ("accounts.add-to-profile",)
    assert instagram.evidence[0].snippet == "https://www.instagram.com/alex.forward/"
    workspace = manual["google-workspace:campaign.example"]
    assert "Google Workspace" in workspace.message
    assert "aspmx.l.google.com" in workspace.evidence[0].snippet
    known = [f for f in report.findings if f.status is Status.PASS]
    assert len(known) == 2
    # The X account is in the profile and linked from the site: listed once, as known.
    assert not [s for s in manual if s.startswith("x:")]
    assert [f for f in known if f.subject.startswith("x:")]


async def test_unreadable_site_and_failing_dns_are_could_not_check(
    web: WebServer, dns: DnsServer
) -> None:
    web.route("*", "/", html("<h1>down</h1>", status=500))
    dns.faults.set("campaign.example", "servfail")
    profile = Profile(
        name="A", websites=(f"http://127.0.0.1:{web.http_port}/",), domains=("campaign.example",)
    )
    report = await run_inventory(profile, dns)
    statuses = {f.subject: f.status for f in report.findings}
    assert statuses == {"site-unreadable": Status.ERROR, "mx-unknown": Status.ERROR}
    assert all("Could not" in f.message for f in report.findings)


def test_url_classifier_edges() -> None:
    assert classify_url("https://www.facebook.com/profile.php?id=1234") is not None
    assert classify_url("https://x.com/i/flow/login") is None
    assert classify_url("https://x.com/this_handle_is_far_too_long") is None
    assert classify_url("javascript:alert(1)") is None
    assert classify_url("https://www.youtube.com/watch?v=abc") is None
    providers = load_mail_providers()
    found = provider_host(["mx1.selfhosted.example", "x.mail.protection.outlook.com"], providers)
    assert found is not None
    assert (found[0].key, found[0].name, found[1]) == (
        "microsoft-365", "Microsoft 365", "x.mail.protection.outlook.com",
    )  # fmt: skip
    assert provider_host(["evilgoogle.com"], providers) is None


async def test_a_page_larger_than_the_read_is_partly_checked(
    web: WebServer, dns: DnsServer
) -> None:
    # The link sits past the 2 MB read: not found, and the check says it stopped reading.
    filler = "<p>" + "x" * 1000 + "</p>\n"
    page = "<html><body>" + filler * 2200 + '<a href="https://x.com/pastthecap">X</a></body></html>'
    web.route("*", "/", html(page))
    profile = Profile(name="A", websites=(f"http://127.0.0.1:{web.http_port}/",))
    report = await run_inventory(profile, dns)
    cut = [f for f in report.findings if f.subject == "site-partly-read"]
    assert len(cut) == 1 and cut[0].status is Status.ERROR, report.findings
    assert "larger than the 2 MB read" in cut[0].message
    assert not [f for f in report.findings if f.subject.startswith("x:")]
    assert report.results[0].status is not Status.PASS
