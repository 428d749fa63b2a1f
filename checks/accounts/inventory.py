"""accounts.inventory: the accounts that matter, from the profile and from public signals.

Besides the accounts the person listed, it reads each campaign website's home page for
links to social accounts, and each campaign domain's MX records for the email provider.
An account found that way but missing from the profile becomes a manual finding ("add it
and tell us how it is protected").
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Confidence, Evidence, Finding, Severity, Status
from auditor.profile import Account
from auditor.standards.accounts.discovery import (
    classify_url,
    social_links,
)
from auditor.standards.accounts.services_table import ServiceTable
from auditor.standards.email.mx_records import MxFacts
from auditor.standards.email.providers import load_mail_providers, provider_host
from auditor.vocabulary import Category, TargetKind

MAX_PAGE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Found:
    service: str  # service table key
    handle: str
    source: str  # "website" or "mx"
    location: str  # the page URL or the DNS name
    snippet: str  # the link or the MX record
    fetched_at: str | None


def normalise_handle(service: str, handle: str) -> str:
    text = handle.strip()
    if text.startswith(("http://", "https://")):
        link = classify_url(text)
        if link is not None:
            text = link.handle
    return text.lower().strip("/").removeprefix("@")


class InventoryCheck(Check):
    meta = CheckMeta(
        id="accounts.inventory",
        title="Your accounts",
        category=Category.ACCOUNTS,
        target=TargetKind.PERSON,
        severity=Severity.MEDIUM,
        guidance="https://www.ncsc.gov.uk/collection/top-tips-for-staying-secure-online",
        description="Lists the accounts in your profile, plus social accounts linked from your "
        "campaign website and the email provider behind your campaign domain.",
        timeout=45.0,
        requires=("email.mx",),  # the mail provider behind each campaign domain, read once
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        table = await ctx.service_table()
        findings: list[Finding] = []
        found: list[Found] = []
        site_results = await asyncio.gather(*(self._site(ctx, url) for url in ctx.profile.websites))
        readings = {f.domain: f for f in await ctx.requirement_facts("email.mx", "mx")}
        mx_results = [self._mx(ctx, d, readings.get(d)) for d in ctx.profile.domains]
        for extra_findings, extra_found in (*site_results, *mx_results):
            findings.extend(extra_findings)
            found.extend(extra_found)

        known = ctx.profile.accounts
        for account in known:
            service = table.get(account.service)
            name = service.name if service else account.service
            label = f"{name} {account.handle}".strip()
            findings.append(
                ctx.finding(
                    Status.PASS,
                    f"Your {label} account is in your profile.",
                    severity=Severity.INFO,
                    location=f"profile account: {account.service} {account.handle}".strip(),
                    kind="account",
                    subject=f"{account.service}:{account.handle.lower()}",
                    evidence=[
                        Evidence(
                            source="attested",
                            location="profile",
                            snippet=f"service = {account.service}",
                            fetched_at=account.attested_on or None,
                        )
                    ],
                )
            )
        seen: set[tuple[str, str]] = set()
        for item in found:
            key = (item.service, normalise_handle(item.service, item.handle))
            if key in seen:
                continue
            seen.add(key)
            service = table.get(item.service)
            in_profile = _in_profile(item, known, table)
            if in_profile:
                continue
            findings.append(self._discovered(ctx, item, table))
        return findings

    def _discovered(self, ctx: CheckContext, item: Found, table: ServiceTable) -> Finding:
        service = table.get(item.service)
        name = service.name if service else item.service
        major = bool(service and service.major)
        if item.source == "mx":
            message = (
                f"Your campaign domain {item.handle} receives email "
                f"through {name}; add that account to your profile and tell us how it is "
                f"protected."
            )
            severity = Severity.MEDIUM
        else:
            message = (
                f"We found your {name} {item.handle} on your site; add it to your profile and "
                f"tell us how it is protected."
            )
            severity = Severity.MEDIUM if major else Severity.LOW
        return ctx.finding(
            Status.MANUAL,
            message,
            severity=severity,
            location=item.location,
            kind="account",
            subject=f"{item.service}:{normalise_handle(item.service, item.handle)}",
            confidence=Confidence.HIGH if item.source == "mx" else Confidence.MEDIUM,
            evidence=[
                Evidence(
                    source="page-link" if item.source == "website" else "dns",
                    location=item.location,
                    snippet=item.snippet[:300],
                    fetched_at=item.fetched_at,
                )
            ],
            actions=["accounts.add-to-profile"],
        )

    async def _site(self, ctx: CheckContext, url: str) -> tuple[list[Finding], list[Found]]:
        result = await ctx.services.http.fetch(url, origin=url, max_bytes=MAX_PAGE_BYTES)
        if not result.ok:
            return [
                ctx.finding(
                    ctx.fetch_status(result),
                    f"Could not read {url} to look for your social accounts: {result.error}.",
                    severity=Severity.LOW,
                    location=url,
                    subject="site-unreadable",
                    evidence=[
                        Evidence(
                            source="http",
                            location=url,
                            snippet=result.error,
                            fetched_at=result.fetched_at,
                        )
                    ],
                )
            ], []
        if result.status_code != 200:
            return [
                ctx.finding(
                    Status.ERROR,
                    f"Could not read {url} to look for your social accounts: it answered "
                    f"HTTP {result.status_code}.",
                    severity=Severity.LOW,
                    location=url,
                    subject="site-unreadable",
                    evidence=[
                        Evidence(
                            source="http",
                            location=result.final_url,
                            snippet=f"HTTP {result.status_code}",
                            fetched_at=result.fetched_at,
                        )
                    ],
                )
            ], []
        if result.content_type not in ("text/html", "application/xhtml+xml", ""):
            return [], []
        # A hostile page is megabytes of HTML: parse it off the event loop.
        links = await asyncio.to_thread(social_links, result.text(), result.final_url)
        found = [
            Found(link.service, link.handle, "website", result.final_url, link.url,
                  result.fetched_at)
            for link in links
        ]  # fmt: skip
        if not result.truncated:
            return [], found
        cut = ctx.not_read(
            f"{url} is larger than the {MAX_PAGE_BYTES // 2**20} MB read, so links to social "
            f"accounts after that were not looked for",
            severity=Severity.LOW,
            location=url,
            subject="site-partly-read",
            evidence=[
                Evidence(
                    source="http",
                    location=result.final_url,
                    snippet=f"read the first {len(result.body):,} bytes",
                    fetched_at=result.fetched_at,
                )
            ],
        )
        return [cut], found

    @staticmethod
    def _mx(
        ctx: CheckContext, domain: str, reading: MxFacts | None
    ) -> tuple[list[Finding], list[Found]]:
        """The provider behind a domain's MX records, from email.mx's reading of them."""
        if reading is None:  # email.mx did not get as far as reading them
            return [
                ctx.finding(
                    Status.ERROR,
                    f"Could not look up who handles email for {domain}: the MX records were "
                    "not read (email.mx did not finish).",
                    severity=Severity.LOW,
                    location=f"{domain} MX",
                    subject="mx-unknown",
                )
            ], []
        answer = reading.answer
        if answer.could_not_check:
            return [
                ctx.finding(
                    ctx.dns_status(answer),
                    f"Could not look up who handles email for {domain}: {answer.describe()}.",
                    severity=Severity.LOW,
                    location=f"{domain} MX",
                    subject="mx-unknown",
                    evidence=[
                        Evidence(
                            source="dns",
                            location=f"{domain} MX",
                            snippet=answer.error or answer.outcome.value,
                        )
                    ],
                )
            ], []
        found = provider_host(reading.hosts, load_mail_providers())
        if found is None:
            return [], []
        provider, host = found
        record = next((r for r in answer.records if host in r.lower()), host)
        seen_at = ctx.services.clock().isoformat(timespec="seconds")
        return [], [Found(provider.key, domain, "mx", f"{domain} MX", record, seen_at)]


def _in_profile(item: Found, accounts: tuple[Account, ...], table: ServiceTable) -> bool:
    service = table.get(item.service)
    wanted = normalise_handle(item.service, item.handle)
    for account in accounts:
        listed = table.get(account.service)
        same_service = listed is not None and service is not None and listed.key == service.key
        same_service = same_service or account.service.lower() == item.service
        if not same_service:
            continue
        if item.source == "mx" or not account.handle:
            return True
        if normalise_handle(account.service, account.handle) == wanted:
            return True
    return False
