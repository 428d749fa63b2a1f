"""The address guard for URLs that come from a third party (issue 13): a search provider's
results name pages on domains nobody in the audit chose, and a hostile domain can publish an
A record for a loopback, private or cloud-metadata address. Such a page must not be fetched
from a public provider's results, and the check must say it was not read (never pass over it).

Real DNS and web servers on loopback; every name connects to the loopback listener through
``--connect-to``, as a real private host would be reached, so only the guard (which judges the
resolved address) stands in the way."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from auditor.demo.dns_server import DnsServer
from auditor.demo.web_server import WebServer, html, json_response
from auditor.model import CheckResult, Status
from auditor.profile import Profile
from auditor.services import DEFAULT_ENDPOINTS, AuditOptions, Services
from auditor.testing import loopback_options, run_check
from checks.exposure.search import SearchCheck

ZONE = """
$ORIGIN results.example.
$TTL 300
@         SOA ns1 hostmaster 1 7200 3600 1209600 300
@         NS  ns1
ns1       A   127.0.0.1
search    A   81.2.69.142
news      A   81.2.69.142
inside    A   127.0.0.1
lan       A   10.0.0.7
metadata  A   169.254.169.254
mixed     A   0.0.0.0
nat64     AAAA 64:ff9b::a00:7
"""
SEARCH = "search.results.example"
PUBLIC_PAGE = "https://news.results.example/story"
HOSTILE = ["inside", "lan", "metadata", "mixed", "nat64"]
ADDRESSES = ["127.0.0.1", "10.0.0.7", "169.254.169.254", "0.0.0.0", "64:ff9b::a00:7"]
PAGE = "<p>Alex Example, of 12 Acacia Avenue, Ashcombe, spoke at the meeting.</p>"


@pytest.fixture
async def servers() -> AsyncIterator[tuple[DnsServer, WebServer]]:
    hosts = [SEARCH, "news.results.example", *(f"{h}.results.example" for h in HOSTILE)]
    async with DnsServer([ZONE]) as dns_server, WebServer(hostnames=hosts) as web:
        yield dns_server, web


def options(dns_server: DnsServer, web: WebServer, search_host: str) -> AuditOptions:
    return loopback_options(
        dns_server.port,
        web,
        dns_timeout=0.5,
        http_timeout=2.0,
        endpoints={**DEFAULT_ENDPOINTS, "searxng": f"https://{search_host}/"},
        search_provider="searxng",
        allow_personal_lookups=True,
    )


async def search_with(dns_server: DnsServer, web: WebServer, search_host: str) -> CheckResult:
    urls = [PUBLIC_PAGE, *(f"https://{h}.results.example/page" for h in HOSTILE)]
    results = [{"url": u, "title": "Meeting notes", "content": "Alex Example"} for u in urls]
    web.route(search_host, "/search", json_response({"query": "x", "results": results}))
    for host in ["news", *HOSTILE]:
        web.route(f"{host}.results.example", "/story", html(PAGE))
        web.route(f"{host}.results.example", "/page", html(PAGE))
    profile = Profile(name="Alex Example", phones=("+447700900123",))
    async with Services(options(dns_server, web, search_host)) as services:
        return await run_check(SearchCheck, "person", services, profile)


async def test_a_public_providers_results_never_reach_private_addresses(
    servers: tuple[DnsServer, WebServer],
) -> None:
    dns_server, web = servers
    result = await search_with(dns_server, web, SEARCH)
    assert web.requests_to(SEARCH), "the search was not sent"
    reached = {h: [r.path for r in web.requests_to(f"{h}.results.example")] for h in HOSTILE}
    assert reached == {h: [] for h in HOSTILE}, reached
    # The public result was read, so the guard refused only what it had to.
    assert [r.path for r in web.requests_to("news.results.example")] == ["/story"]
    messages = [(f.status, f.message) for f in result.findings]
    # Only the list of searches sent is a pass; the check as a whole is could-not-check.
    assert [f.subject for f in result.findings if f.status is Status.PASS] == ["queries"]
    assert result.status.could_not_check, messages
    [partly] = [f for f in result.findings if f.subject == "partly-checked"]
    assert partly.status.could_not_check
    # Said for where the address came from: the provider's results, not a start URL.
    assert "start URL" not in partly.message, partly.message
    refused = "a search result from SearXNG pointed at an address on this computer or a private"
    for host, address in zip(HOSTILE, ADDRESSES, strict=True):
        said = f"{refused} network ({host}.results.example, {address}); not read"
        assert f"https://{host}.results.example/page ({said})" in partly.message, partly.message


async def test_a_provider_on_this_computer_may_point_at_pages_on_it(
    servers: tuple[DnsServer, WebServer],
) -> None:
    # A self-hosted SearXNG on loopback searching a lab's own pages: the provider is the
    # origin, and it is itself private, as the demo world is.
    dns_server, web = servers
    result = await search_with(dns_server, web, "inside.results.example")
    assert [r.path for r in web.requests_to("inside.results.example")].count("/page") == 1
    assert result.findings
