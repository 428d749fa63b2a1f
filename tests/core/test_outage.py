"""No network (issue 16): a DNS resolver that cannot be reached is said once, plainly, and
the could-not-check findings are grouped under it in stderr and every human-readable
report, while JSON and CSV keep each finding's technical detail. Real servers on loopback:
a resolver that never answers (the demo DNS server's "timeout" fault), a port where
nothing listens, one that answers SERVFAIL to everything, and the demo world itself."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.audit import outage_line, run_audit
from auditor.demo.dns_server import DnsServer
from auditor.demo.world import DemoWorld
from auditor.model import Report
from auditor.net.dns import Nameserver
from auditor.outage import NOT_RESOLVING, UNREACHABLE, Outage
from auditor.profile import profile_for_domain
from auditor.scores import count
from auditor.services import AuditOptions
from reports import csv_report, html, json_report, markdown
from tests.support.zones import small_zone

DOMAIN = "example-campaign.org.uk"
ZONE = small_zone(DOMAIN)
EMAIL_CHECKS = ("email.spf", "email.dmarc", "email.mx")
RAW = ("Errno", "OSError", "ConnectionRefusedError", "TimeoutError")


def closed_udp_port() -> int:
    """A loopback UDP port where nothing listens (bound, read, closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def audit(port: int) -> Report:
    options = AuditOptions(
        nameservers=(Nameserver("127.0.0.1", port),), dns_timeout=0.3, dns_attempts=1
    )
    return asyncio.run(run_audit(profile_for_domain(DOMAIN), options, selected=list(EMAIL_CHECKS)))


def test_a_port_where_nothing_listens_is_no_network_said_once() -> None:
    port = closed_udp_port()
    report = audit(port)
    assert report.outage == Outage(UNREACHABLE, (f"127.0.0.1:{port}",), "refused")
    headline = report.outage.headline
    assert headline.startswith(
        f"No network: your computer could not reach its DNS resolver 127.0.0.1:{port} ("
    )
    counts = count(report)
    assert len(counts.under_outage) == counts.could_not_check == len(EMAIL_CHECKS)
    md = markdown.render(report)
    page = html.render(report)
    for text in (md, page):
        # Once on page one's summary, once heading Could not check: never per finding.
        assert text.count("could not reach its DNS resolver") == 3, text.count("could not reach")
        for raw in RAW:
            assert raw not in text, raw
    assert "Because of it, 3 checks could not be checked." in md
    # The technical details stay for the IT volunteer.
    data = json.loads(json_report.render(report))
    assert data["outage"]["kind"] == UNREACHABLE and data["outage"]["message"] == headline
    assert "ConnectionRefusedError" in json.dumps(data["results"])
    assert "ConnectionRefusedError" in csv_report.render(report)
    # A saved audit keeps its outage (the history stores to_dict).
    again = Report.from_dict(report.to_dict())
    assert again.outage == report.outage


@pytest.mark.parametrize(
    ("fault", "kind", "cause"),
    [("timeout", UNREACHABLE, "timeout"), ("servfail", NOT_RESOLVING, "SERVFAIL")],
)
def test_a_resolver_that_never_answers_or_only_fails(fault: str, kind: str, cause: str) -> None:
    async def scenario() -> Report:
        async with DnsServer([ZONE]) as server:
            server.faults.set_global(fault)
            options = AuditOptions(
                nameservers=(Nameserver("127.0.0.1", server.port),),
                dns_timeout=0.3,
                dns_attempts=1,
            )
            return await run_audit(profile_for_domain(DOMAIN), options, selected=list(EMAIL_CHECKS))

    report = asyncio.run(scenario())
    assert report.outage is not None
    assert (report.outage.kind, report.outage.cause) == (kind, cause)
    line = outage_line(report)
    assert line.startswith("No network: ") and "run the audit again" in line
    if kind == NOT_RESOLVING:
        assert "answered, but could not look up any name (it said SERVFAIL)" in line
    else:
        assert "(nothing answered)" in line


def test_one_answer_means_the_network_was_there() -> None:
    async def scenario() -> Report:
        async with DnsServer([ZONE]) as server:
            server.faults.set("_dmarc." + DOMAIN, "timeout")
            options = AuditOptions(
                nameservers=(Nameserver("127.0.0.1", server.port),),
                dns_timeout=0.3,
                dns_attempts=1,
            )
            return await run_audit(profile_for_domain(DOMAIN), options, selected=list(EMAIL_CHECKS))

    report = asyncio.run(scenario())
    assert report.outage is None
    assert count(report).could_not_check >= 1  # the DMARC lookup timed out, on its own
    assert "No network" not in markdown.render(report)


def test_the_demo_world_has_a_network() -> None:
    async def scenario() -> Report:
        async with DemoWorld() as world:
            return await run_audit(world.profile, world.audit_options(), selected=["email.spf"])

    assert asyncio.run(scenario()).outage is None


def test_the_cli_says_no_network_once_and_exits_2(tmp_path: Path) -> None:
    port = closed_udp_port()
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data")}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", "--domain", DOMAIN, "--nameserver",
         f"127.0.0.1:{port}", "--timeout", "0.3", "--select", ",".join(EMAIL_CHECKS),
         "--no-save", "-q"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.count(f"could not reach its DNS resolver 127.0.0.1:{port}") == 1
    for raw in RAW:
        assert raw not in result.stderr, raw
    assert result.stderr.splitlines()[-1].endswith("In all, nothing checked: there was no network.")
    assert "No network" in result.stdout and "Errno" not in result.stdout
