"""Provider-first DKIM discovery gives the verdicts of the full sweep, with fewer queries.

Both modes run the bulk audit (email.spf, email.dmarc, email.dkim, email.mx, through the
real engine and bulk runner) over the same corpora on the loopback DNS server: the
benchmark's synthetic campaign domains and a corpus of mixed-provider set-ups
(auditor/demo/bulk_corpus.py). Every check's status and every finding's status, severity,
subject, location and message must be the same; only the evidence note of a "nothing
found" finding may differ (it lists the selectors actually asked).
"""

from __future__ import annotations

from collections import Counter

import pytest

from auditor.bulk import DEFAULT_BULK_CHECKS, BulkItem, run_bulk
from auditor.demo import bulk_corpus
from auditor.demo.dns_server import DnsServer
from auditor.engine import Engine
from auditor.model import Report, Status
from auditor.net.dns import Nameserver
from auditor.registry import discover, select
from auditor.services import AuditOptions, Services
from auditor.standards.email.providers import (
    dkim_providers,
    load_mail_providers,
    sending_providers,
    spf_targets,
)
from tests.email_auth.conftest import start_dns_server

BENCHMARK_DOMAINS = 64  # every case the benchmark's corpus varies on occurs below 64

Verdict = tuple[str, str, tuple[tuple[str, str, str, str, str], ...]]


def verdicts(report: Report) -> list[Verdict]:
    out = []
    for result in sorted(report.results, key=lambda r: r.check_id):
        findings = sorted(
            (f.status.value, f.severity.value, f.subject, f.location, f.message)
            for f in result.findings
        )
        out.append((result.check_id, result.status.value, tuple(findings)))
    return out


async def audit_all(
    server: DnsServer, domains: list[str], sweep: str
) -> tuple[dict[str, list[Verdict]], dict[str, int]]:
    """Verdicts per domain, and the queries the server saw per domain (by owner name)."""
    server.clear_log()
    engine = Engine(select(discover(), list(DEFAULT_BULK_CHECKS), []))
    options = AuditOptions(
        nameservers=(Nameserver("127.0.0.1", server.port),),
        dns_timeout=2.0,
        max_dns_in_flight=64,
        max_checks_in_flight=64,
        audit_deadline=None,
        dkim_sweep=sweep,
    )
    results: dict[str, list[Verdict]] = {}

    def keep(domain: str, report: Report) -> None:
        results[domain] = verdicts(report)

    items = [BulkItem(n, domain=d) for n, d in enumerate(domains, start=1)]
    async with Services(options) as services:
        # Few domains at a time: on a loaded machine no check comes near its time limit.
        await run_bulk(
            items, engine, services, on_result=keep, on_skip=lambda _: None,
            max_domains_in_flight=16,
        )  # fmt: skip
    per_domain: Counter[str] = Counter()
    for query in server.queries:
        name = query.qname.rstrip(".").lower()
        owner = next((d for d in domains if name == d or name.endswith("." + d)), "(shared)")
        per_domain[owner] += 1
    return results, dict(per_domain)


@pytest.fixture
async def corpus_server() -> DnsServer:
    server = await start_dns_server()
    for zone in bulk_corpus.provider_zones():
        server.add_zone(zone)
    for index in range(BENCHMARK_DOMAINS):
        server.add_zone(bulk_corpus.domain_zone(index)[1])
    for _domain, zone in bulk_corpus.mixed_zones():
        server.add_zone(zone)
    return server


async def test_both_modes_give_the_same_verdicts_on_both_corpora(
    corpus_server: DnsServer,
) -> None:
    server = corpus_server
    try:
        benchmark = [bulk_corpus.domain_zone(i)[0] for i in range(BENCHMARK_DOMAINS)]
        mixed = [d for d, _ in bulk_corpus.mixed_zones()]
        domains = benchmark + mixed
        full, full_queries = await audit_all(server, domains, "full")
        first, first_queries = await audit_all(server, domains, "providers")
    finally:
        await server.stop()
    assert sorted(full) == sorted(first) == sorted(domains)
    for domain in domains:
        assert first[domain] == full[domain], domain
    # Nothing was lost to a failed lookup, and the corpus has every kind of DKIM verdict.
    dkim = {d: dict((c, s) for c, s, _ in full[d])["email.dkim"] for d in domains}
    assert Status.ERROR.value not in dkim.values() and Status.TIMEOUT.value not in dkim.values()
    assert {Status.PASS.value, Status.WARN.value, Status.FAIL.value} <= set(dkim.values())
    # Fewer queries: the bound on the benchmark corpus (shared provider names are
    # asked once per run and spread over the domains as in the benchmark's count).
    shared = first_queries.get("(shared)", 0)
    per_domain = (sum(first_queries[d] for d in benchmark) + shared) / len(benchmark)
    assert per_domain <= 15, per_domain
    full_per_domain = (sum(full_queries[d] for d in benchmark) + shared) / len(benchmark)
    assert full_per_domain > 35, full_per_domain  # the sweep really was full
    for domain in mixed:
        assert first_queries[domain] <= full_queries[domain], domain


async def test_full_sweep_finds_a_key_no_named_provider_explains(
    dns_server: DnsServer,
) -> None:
    """The limit of provider-first, and why --dkim-sweep full exists: a Google domain that
    also has a key under Microsoft's selector, with nothing naming Microsoft, stops at the
    Google key."""
    dns_server.add_zone(bulk_corpus.provider_zones()[0])
    domain = "mixed-unnamed.org.uk"
    dns_server.add_zone(
        "\n".join(
            [
                f"$ORIGIN {domain}.",
                bulk_corpus.SOA,
                *bulk_corpus.GOOGLE_MX,
                '@ 300 TXT "v=spf1 include:_spf.google.com ~all"',
                f"google._domainkey 300 TXT {bulk_corpus.KEY_2048}",
                f"selector1._domainkey 300 TXT {bulk_corpus.KEY_1024}",
            ]
        )
    )
    full, _ = await audit_all(dns_server, [domain], "full")
    first, _ = await audit_all(dns_server, [domain], "providers")
    subjects = {
        mode: {f[2] for c, _s, fs in found[domain] if c == "email.dkim" for f in fs}
        for mode, found in (("full", full), ("providers", first))
    }
    assert subjects["full"] == {"selector:google", "selector:selector1"}
    assert subjects["providers"] == {"selector:google"}


def test_sending_providers_from_mx_hosts_and_spf_terms() -> None:
    providers = dkim_providers(load_mail_providers())
    targets = spf_targets(
        [
            "v=spf1 include:_spf.google.com ~include:servers.mcsv.net "
            "include:%{d}.example redirect=spf.brevo.com. -all"
        ]
    )
    assert targets == ["_spf.google.com", "servers.mcsv.net", "spf.brevo.com"]
    hosts = ["x.mail.protection.outlook.com", *targets, "notgoogle.com"]
    named = [p.name for p in sending_providers(hosts, providers)]
    assert named == ["Google Workspace", "Microsoft 365", "Mailchimp", "Brevo (Sendinblue)"]
    assert sending_providers(["evilgoogle.com", "google.com.evil.example"], providers) == []
