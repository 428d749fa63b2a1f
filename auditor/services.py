"""The services one audit shares between all its checks, built once from the options.

One DNS client (with its cache), one HTTP client, one SMTP probe, the endpoints of the
third-party services, a clock, and ``once()`` for work several checks need (a site crawl)
that must be done once per audit.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from auditor.interactions import Interaction
from auditor.net.connect import Connector, ConnectRule
from auditor.net.dns import DnsAnswer, DnsClient, DnsOutcome, Nameserver
from auditor.net.smtp import SmtpProbe
from auditor.net.tls import make_ssl_context

if TYPE_CHECKING:
    from auditor.net.http import HttpClient

T = TypeVar("T")

LOOKALIKES_DEFAULT = 1500  # see AuditOptions.lookalikes

# Third-party services the checks may call. Named in the UI and docs (docs/privacy.md);
# each is overridable with --endpoint NAME=URL (the demo world and tests point them at
# loopback servers).
DEFAULT_ENDPOINTS: Mapping[str, str] = {
    "pwned_passwords": "https://api.pwnedpasswords.com/range/",
    "twofa_directory": "https://api.2fa.directory/v3/all.json",
    "rdap_bootstrap": "https://data.iana.org/rdap/dns.json",
    "rdap_uk": "https://rdap.nominet.uk/uk/",
    "companies_house": "https://api.company-information.service.gov.uk/",
    "google_directory": "https://admin.googleapis.com/admin/directory/v1/",
    "microsoft_graph": "https://graph.microsoft.com/v1.0/",
    "wayback": "https://web.archive.org/",  # CDX API and id_ playback (docs/web-archives.md)
    # Web search (docs/web-search.md): a SearXNG instance has no public default, the person
    # gives their own (--endpoint searxng=URL).
    "searxng": "",
    "brave_search": "https://api.search.brave.com/",
}


@dataclass(frozen=True)
class AuditOptions:
    nameservers: tuple[Nameserver, ...] = ()
    connect_to: tuple[ConnectRule, ...] = ()
    ca_file: str | None = None
    ca_pem: str | None = None  # extra trusted CA as PEM text (the demo world's throwaway CA)
    endpoints: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ENDPOINTS))
    dns_timeout: float = 2.0
    dns_attempts: int = 3
    http_timeout: float = 10.0
    smtp_timeout: float = 10.0
    smtp_port: int = 25
    max_dns_in_flight: int = 64
    dns_cache_size: int = 200_000  # answers kept; bulk runs keep fewer
    # Checks mostly wait on the network, but parsing big bodies is CPU: 16 keeps a 2-core
    # laptop responsive (a 200 MB fault body starved other fetches at 64).
    max_checks_in_flight: int = 16
    audit_deadline: float | None = 300.0  # seconds for the whole audit
    # Services that send something about the person (a name) need explicit consent.
    allow_personal_lookups: bool = False
    # The person was asked (the app's question before an audit) and said no: the checks
    # are reported as "you chose not to send …" rather than "allow it with a flag".
    personal_lookups_declined: bool = False
    companies_house_key: str | None = field(default=None, repr=False)
    # exposure.search: the provider the person chose (an auditor.search entry point), and
    # its key, read from a file, the environment or the OS keyring (never the profile).
    search_provider: str | None = None
    search_key: str | None = field(default=None, repr=False)
    # Why the OS keyring could not be asked for that key ("the keyring package is not
    # installed"), "" when it could or was not asked: then exposure.search's finding names
    # only the key file and AUDITOR_SEARCH_KEY, never a keyring that cannot work here.
    search_keyring_unusable: str = ""
    trust_anchor_file: str | None = None  # DNSSEC anchors instead of the IANA root
    trust_anchors: str | None = None  # the same as text (the demo world's own anchor)
    # How many lookalike names to resolve at most (likeliest first). 1500 holds every name
    # the generator makes for campaign names up to about 22 letters, which covers 99% of
    # dnstwist's registrable ASCII names for them (benchmarks/RESULTS-lookalikes.md); an
    # unregistered name costs one query (NXDOMAIN for NS).
    lookalikes: int = LOOKALIKES_DEFAULT
    # email.dkim: "providers" probes the selectors of the providers the domain names (MX,
    # SPF includes) first and stops when the rest cannot change the answer; "full" probes
    # every selector of the table on every domain.
    dkim_sweep: str = "providers"
    crawl_max_pages: int = 200
    crawl_max_depth: int = 4
    # The latest outcome of each interactive check, recorded by the app (never a secret).
    interactions: Mapping[str, Interaction] = field(default_factory=dict)

    def with_endpoints(self, overrides: Mapping[str, str]) -> AuditOptions:
        unknown = sorted(set(overrides) - set(DEFAULT_ENDPOINTS))
        if unknown:
            names = ", ".join(sorted(DEFAULT_ENDPOINTS))
            raise ValueError(f"unknown endpoint {unknown[0]!r} (known: {names})")
        return replace(self, endpoints={**self.endpoints, **overrides})


class Services:
    def __init__(
        self,
        options: AuditOptions,
        clock: Callable[[], datetime] | None = None,
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.options = options
        self.clock = clock or (lambda: datetime.now(UTC))
        self.dns = DnsClient(
            options.nameservers or None,
            timeout=options.dns_timeout,
            attempts=options.dns_attempts,
            max_in_flight=options.max_dns_in_flight,
            cache_size=options.dns_cache_size,
        )
        self.connector = Connector(self.dns, options.connect_to)
        self._ssl_context = ssl_context
        self.endpoints = options.endpoints
        self._once: dict[str, asyncio.Task[Any]] = {}

    async def missing_domain(self, domain: str) -> DnsAnswer | None:
        """The NXDOMAIN answer when ``domain`` does not exist; None when it exists or DNS
        could not say (then each check reports its own "could not check")."""
        answer = await self.dns.query(domain, "SOA")
        return answer if answer.outcome is DnsOutcome.NXDOMAIN else None

    # The TLS context and the HTTP and SMTP clients are made when a check first needs them:
    # loading the system trust store is 30-80 ms of CPU (run_audit builds the context in a
    # worker thread, where OpenSSL releases the GIL, and passes it in), and importing httpx
    # a tenth of a second, which a bulk audit of mail records would spend in every process.
    @property
    def ssl_context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = make_ssl_context(self.options.ca_file, self.options.ca_pem)
        return self._ssl_context

    @functools.cached_property
    def http(self) -> HttpClient:
        from auditor.net.http import HttpClient

        return HttpClient(
            self.connector, ssl_context=self.ssl_context, timeout=self.options.http_timeout
        )

    @functools.cached_property
    def smtp(self) -> SmtpProbe:
        return SmtpProbe(
            self.connector, ssl_context=self.ssl_context, timeout=self.options.smtp_timeout
        )

    def endpoint(self, name: str) -> str:
        return self.endpoints[name]

    async def once(self, key: str, factory: Callable[[], Awaitable[T]]) -> T:
        """Run ``factory`` once per audit for ``key``; every caller gets the same result."""
        task = self._once.get(key)
        if task is None:
            task = asyncio.ensure_future(factory())
            self._once[key] = task
        return await asyncio.shield(task)  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        for task in self._once.values():
            if not task.done():
                task.cancel()
        self.dns.close()
        if "http" in self.__dict__:  # made (cached_property keeps it there)
            await self.http.aclose()

    async def __aenter__(self) -> Services:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
