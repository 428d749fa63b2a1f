"""The four checks together through the real engine, for a campaign domain and a parked
spare domain, with one shared DNS cache."""

from __future__ import annotations

from auditor.demo.dns_server import DnsServer
from auditor.engine import Engine
from auditor.model import Status
from auditor.profile import Profile
from checks.email.bimi import BimiCheck
from checks.email.dkim import DkimCheck
from checks.email.dmarc import DmarcCheck
from checks.email.mx import MxCheck
from tests.email_auth.conftest import add_zone, make_services
from tests.email_auth.keys import rsa_p, txt

CAMPAIGN = "candidate.org.uk"
SPARE = "candidate2026.org.uk"


async def test_engine_runs_all_four(dns_server: DnsServer) -> None:
    add_zone(
        dns_server,
        CAMPAIGN,
        [
            ("@", "MX", ["10 mx1"]),
            ("mx1", "A", ["192.0.2.25"]),
            ("@", "TXT", ['"v=spf1 mx -all"']),
            ("_dmarc", "TXT", [f'"v=DMARC1; p=reject; rua=mailto:d@{CAMPAIGN}"']),
            ("google._domainkey", "TXT", [txt(f"v=DKIM1; p={rsa_p(2048)}")]),
        ],
    )
    add_zone(
        dns_server,
        SPARE,
        [
            ("@", "MX", ["0 ."]),
            ("@", "TXT", ['"v=spf1 -all"']),
            ("_dmarc", "TXT", ['"v=DMARC1; p=reject"']),
        ],
    )
    profile = Profile(name="Test Candidate", domains=(CAMPAIGN, SPARE))
    services = make_services(dns_server)
    try:
        report = await Engine.from_checks([DmarcCheck, DkimCheck, MxCheck, BimiCheck]).run(
            profile, services
        )
    finally:
        await services.aclose()
    results = {(r.check_id, r.target): r for r in report.results}
    assert len(results) == 8
    assert results[("email.dmarc", CAMPAIGN)].status is Status.PASS
    assert results[("email.dkim", CAMPAIGN)].status is Status.PASS
    assert results[("email.mx", CAMPAIGN)].status is Status.PASS
    assert results[("email.bimi", CAMPAIGN)].status is Status.PASS
    assert results[("email.mx", SPARE)].status is Status.PASS  # correctly parked
    assert {f.subject: f.status for f in results[("email.mx", SPARE)].findings}[
        "parked"
    ] is Status.PASS
    assert results[("email.dkim", SPARE)].status is Status.PASS  # parked: sends no mail
    assert list(results[("email.mx", CAMPAIGN)].facts["mx"].hosts) == [f"mx1.{CAMPAIGN}"]
    # DMARC was asked once per domain although dmarc, mx (parked) and bimi all read it.
    dmarc_queries = [q for q in dns_server.queries if q.qname == f"_dmarc.{SPARE}"]
    assert len(dmarc_queries) == 1
