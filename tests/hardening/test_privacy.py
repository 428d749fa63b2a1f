"""Secrets and privacy: what a full demo audit writes to disk and sends on the wire.

The person's home address, postcode, phones and email are matched locally and never sent;
TOTP secrets and typed passwords live in memory only; every file the tool writes is 0600 in
0700 folders; and a public site cannot lead the crawler into loopback or private addresses.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import stat
from pathlib import Path

import pytest

from auditor import cli
from auditor.audit import run_audit
from auditor.demo import candidate as c
from auditor.demo.dns_server import DnsServer
from auditor.demo.web_server import WebServer, html, redirect, text
from auditor.demo.world import DemoWorld
from auditor.engine import Engine
from auditor.model import Status
from auditor.profile import Profile
from auditor.services import Services
from auditor.standards.accounts.pwned import breach_count
from auditor.standards.accounts.totp import new_selftest
from auditor.testing import loopback_options
from checks.exposure.pages import PagesCheck

# The person's identifiers in every format they are written in (the demo profile, the site's
# obfuscations, RDAP's +44.7700… form): compared with case, spaces and punctuation removed.
IDENTIFIERS = {
    "home address": ["14 Larkspur Crescent", "Larkspur Crescent"],
    "postcode": ["ZX4 7PN"],
    "personal mobile": ["7700 900461"],  # the national digits are in every format
    "home landline": ["1632 960274"],
    "personal email": ["alex.marlowe@postbox.example", "alex.marlowe at postbox dot example"],
}
TRAFFIC_VALUES = [
    "14 Larkspur Crescent",
    "Larkspur",
    "Pelham Green",
    c.HOME_POSTCODE,
    c.MOBILE,
    c.MOBILE_DISPLAY,
    c.LANDLINE,
    c.LANDLINE_DISPLAY,
    c.PERSONAL_EMAIL,
]
PASSWORD = c.DEMO_PASSWORD


def squash(data: str) -> str:
    return "".join(ch for ch in data.lower() if ch.isalnum())


def files_under(*roots: Path) -> list[Path]:
    return sorted(p for root in roots for p in root.rglob("*") if p.is_file())


def secrets_in_memory_only() -> tuple[str, str]:
    """Use the TOTP self-test and the Pwned Passwords helper as the app does; return the
    TOTP secret (base32) and the SHA-1 of the typed password, to search for afterwards."""
    selftest = new_selftest("privacy test")
    now = 1_800_000_000.0
    selftest.verify_pair(selftest.code_at(now - 30), selftest.code_at(now), now)
    secret = selftest.manual_key().replace(" ", "")

    async def check_password() -> None:
        async with DemoWorld() as world, Services(world.audit_options()) as services:
            count = await breach_count(
                services.http, services.endpoint("pwned_passwords"), PASSWORD
            )
            assert isinstance(count, int) and count > 0, count

    asyncio.run(check_password())
    return secret, hashlib.sha1(PASSWORD.encode()).hexdigest()


def test_every_file_a_demo_audit_writes_is_private_and_holds_no_secret(
    private_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    totp_secret, password_sha1 = secrets_in_memory_only()
    assert cli.main(["demo", "--headless", "--format", "html", "-o", "report.html"]) in (0, 1)
    for fmt in ("json", "markdown", "csv", "html"):
        assert cli.main(["report", "--format", fmt, "-o", f"saved.{fmt}"]) in (0, 1)

    written = files_under(private_home, out)
    reports = [p for p in written if p.parent == out]
    assert {p.name for p in reports} >= {"report.html", "saved.json", "saved.csv"}
    history = [p for p in written if p.parent != out]
    assert history, "the audit was not saved to the history"

    for path in written:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == 0o600, f"{path} is {oct(mode)}"
    data_dirs = {p.parent for p in history}
    tool_root = private_home / ".local" / "share" / "candidate-auditor"
    for folder in [tool_root, *tool_root.rglob("*")]:
        if folder.is_dir():
            mode = stat.S_IMODE(folder.stat().st_mode)
            assert mode == 0o700, f"{folder} is {oct(mode)}"
    assert all(d == tool_root or tool_root in d.parents for d in data_dirs)

    secrets = {
        "TOTP secret": squash(totp_secret),
        "typed password": squash(PASSWORD),
        "password hash": password_sha1,
    }
    for path in written:
        flat = squash(path.read_text(encoding="utf-8", errors="replace"))
        found = [name for name, value in secrets.items() if value in flat]
        assert not found, f"{path.name} holds {found}"
    for path in reports:
        flat = squash(path.read_text(encoding="utf-8", errors="replace"))
        found = [
            kind for kind, values in IDENTIFIERS.items() if any(squash(v) in flat for v in values)
        ]
        assert not found, f"{path.name} shows unmasked {found}"


def test_the_saved_history_holds_no_unmasked_identifier(
    private_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["demo", "--headless", "--format", "json", "-o", "report.json"]) in (0, 1)
    history = files_under(private_home)
    assert history
    for path in history:
        flat = squash(path.read_text(encoding="utf-8"))
        found = [
            kind for kind, values in IDENTIFIERS.items() if any(squash(v) in flat for v in values)
        ]
        assert not found, f"{path.name} holds unmasked {found}"


async def test_a_full_demo_audit_sends_none_of_the_persons_data() -> None:
    async with DemoWorld() as world:
        options = world.audit_options(allow_personal_lookups=False)
        report = await run_audit(world.profile, options)
        async with Services(options) as services:
            await breach_count(services.http, services.endpoint("pwned_passwords"), PASSWORD)
        traffic = world.traffic()
        leaks = world.leaked(TRAFFIC_VALUES)
    assert len(report.results) > 30 and len(traffic) > 100  # the audit really ran
    # The exposure checks found the planted leaks locally, so the data was there to send.
    assert any(f.kind == "home-address" and f.status is Status.FAIL for f in report.findings)
    assert not leaks, leaks[:3]
    flat = " ".join(traffic).lower()
    digest = hashlib.sha1(PASSWORD.encode()).hexdigest()
    assert digest[:5] in flat  # the k-anonymity prefix went out...
    assert digest[5:] not in flat and PASSWORD not in flat  # ...and nothing more


# -- the crawler's guard at the check level -------------------------------------------------

ZONE = """
$ORIGIN public-site.example.
$TTL 300
@        SOA ns1 hostmaster 1 7200 3600 1209600 300
@        NS  ns1
ns1      A   127.0.0.1
www      A   81.2.69.142
intranet A   127.0.0.1
"""
START = "https://www.public-site.example/"
INSIDE = "intranet.public-site.example"


async def test_a_public_site_cannot_lead_the_crawl_into_loopback() -> None:
    async with (
        DnsServer([ZONE]) as dns_server,
        WebServer(hostnames=["www.public-site.example", INSIDE]) as web,
    ):
        web.route(
            "www.public-site.example",
            "/",
            html(
                f'<a href="https://{INSIDE}/private">staff</a>'
                f'<a href="/moved">moved</a><a href="/contact">contact</a>'
            ),
        )
        web.route("www.public-site.example", "/moved", redirect(f"https://{INSIDE}/secret"))
        web.route("www.public-site.example", "/contact", html("<p>Write to the office.</p>"))
        web.route(
            "www.public-site.example",
            "/sitemap.xml",
            text(
                f"<urlset><url><loc>https://{INSIDE}/listed</loc></url></urlset>",
                content_type="application/xml",
            ),
        )
        for path in ("/private", "/secret", "/listed"):
            web.route(INSIDE, path, html("<p>internal: 14 Larkspur Crescent, ZX4 7PN</p>"))
        # Every name connects to the loopback listener, as a real public host would not:
        # only the guard (which judges the resolved address) stands in the way.
        options = loopback_options(dns_server.port, web, dns_timeout=0.5, http_timeout=2.0)
        profile = Profile(name="Alex Example", phones=("+447700900123",), websites=(START,))
        async with Services(options) as services:
            report = await Engine.from_checks([PagesCheck]).run(profile, services)

    assert not web.requests_to(INSIDE), [r.path for r in web.requests_to(INSIDE)]
    assert [r.path for r in web.requests_to("www.public-site.example") if r.path == "/contact"]
    blocked = [
        f
        for f in report.findings
        if f.status is Status.ERROR and "private or loopback" in f.message
    ]
    assert {f.location for f in blocked} >= {
        f"https://{INSIDE}/private",
        "https://www.public-site.example/moved",
    }, [(f.status, f.location, f.message) for f in report.findings]
    assert not [f for f in report.findings if f.status is Status.FAIL]


def test_written_modes_do_not_depend_on_the_umask(
    private_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    old = os.umask(0)  # the most permissive umask a user could have
    try:
        assert cli.main(["demo", "--headless", "--format", "csv", "-o", "r.csv", "--no-save"]) in (
            0,
            1,
        )
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "r.csv").stat().st_mode) == 0o600
