"""exposure.rdap: the campaign domain's public registration record (RDAP, the successor of
WHOIS). Registrant and administrative contacts that show the person's home address, phone
or email are findings; a redacted record passes. Only the domain name is sent."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from auditor.answers import json_answer
from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Confidence, Evidence, Finding, Severity, Status
from auditor.net.http import FetchResult
from auditor.standards.content.rdap_parse import (
    RdapFormatError,
    base_for,
    parse_bootstrap,
    parse_domain,
)
from auditor.standards.identity.matchers import IdentityMatcher
from auditor.vocabulary import Category, ExposureKind, TargetKind

RDAP_ACTIONS = ("exposure.domain-privacy",)


class RdapCheck(Check):
    meta = CheckMeta(
        id="exposure.rdap",
        title="Your details in the domain's public registration record",
        category=Category.EXPOSURE,
        target=TargetKind.DOMAIN,
        severity=Severity.HIGH,
        guidance="https://www.nominet.uk/lookup/",
        description=(
            "Looks up the campaign domain's registration record (RDAP, which replaces WHOIS) "
            "and checks whether it shows your home address, phone or email, or is redacted."
        ),
        services=("rdap_bootstrap", "rdap_uk"),
        timeout=30.0,
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        domain = ctx.target.lower().rstrip(".")
        url, problem = await _rdap_url(ctx, domain)
        if not url:
            return [_error(ctx, problem, domain)]
        # The registry's URL comes from IANA's directory (or the .uk endpoint): the guard
        # judges it by that configured endpoint.
        directory = ctx.services.endpoint("rdap_uk" if domain.endswith(".uk") else "rdap_bootstrap")
        result = await ctx.services.http.fetch(
            url, origin=directory, headers={"Accept": "application/rdap+json"}
        )
        data, problem = json_answer(result, "The registry's RDAP service")
        if problem:
            return [_error(ctx, problem, url)]
        try:
            record = parse_domain(data)
        except RdapFormatError as exc:
            return [_error(ctx, f"the registry's answer could not be read: {exc}", url)]
        return judge(ctx, record, url, result.fetched_at)


async def _rdap_url(ctx: CheckContext, domain: str) -> tuple[str, str]:
    path = "domain/" + quote(domain)
    if domain.endswith(".uk"):
        base = ctx.services.endpoint("rdap_uk")
        return (base if base.endswith("/") else base + "/") + path, ""
    bootstrap_url = ctx.services.endpoint("rdap_bootstrap")

    async def fetch_bootstrap() -> FetchResult:
        return await ctx.services.http.fetch(bootstrap_url)

    result = await ctx.services.once(f"rdap-bootstrap:{bootstrap_url}", fetch_bootstrap)
    data, problem = json_answer(result, "IANA's RDAP directory")
    if problem:
        return "", problem
    try:
        found = base_for(parse_bootstrap(data), domain)
    except RdapFormatError as exc:
        return "", f"IANA's RDAP directory could not be read: {exc}"
    if found is None:
        return "", f"no RDAP service is listed for {domain.rsplit('.', 1)[-1]!r} domains"
    return found + path, ""


def _error(ctx: CheckContext, problem: str, location: str) -> Finding:
    return ctx.finding(
        Status.ERROR,
        f"Could not check the domain's registration record: {problem}.",
        location=location,
        kind="registrant",
        subject="lookup",
        evidence=[Evidence(source="rdap", location=location, snippet=problem)],
    )


def judge(ctx: CheckContext, record: Any, url: str, fetched_at: str) -> list[Finding]:
    matcher = IdentityMatcher.from_profile(ctx.profile)
    names = {n.strip().lower() for n in (ctx.profile.name, *ctx.profile.aliases) if n.strip()}
    findings: list[Finding] = []
    for contact in record.contacts:
        role = "/".join(r for r in contact.roles if r in ("registrant", "administrative"))
        exposed = contact.exposed
        for field, value in exposed.items():
            matches = matcher.find(value)
            if field.startswith("name") and value.strip().lower() in names:
                findings.append(
                    _exposed(ctx, url, fetched_at, role, field, value, Severity.LOW, "name")
                )
            if matches:
                best = max(matches, key=lambda m: m.rank)
                severity = best.severity if best.kind != "email" else Severity.MEDIUM
                findings.append(
                    _exposed(ctx, url, fetched_at, role, field, value, severity, best.kind)
                )
    if record.not_read:
        unread = "; ".join(record.not_read)
        findings.append(
            ctx.not_read(
                f"in the registration record, {unread} could not be read, so it was not checked",
                location=url,
                evidence=[Evidence(source="rdap", location=url, snippet=unread)],
            )
        )
    if not findings:
        hidden = all(not c.exposed for c in record.contacts) or record.redacted_extension
        message = (
            "The registration record hides the registrant's details (redacted)."
            if hidden
            else "The registration record shows contact details, but not your home address, "
            "phone or email."
        )
        findings.append(
            ctx.finding(
                Status.PASS,
                message,
                location=url,
                kind="registrant",
                subject="clean",
                evidence=[Evidence(source="rdap", location=url, fetched_at=fetched_at or None)],
            )
        )
    return findings


def _exposed(
    ctx: CheckContext,
    url: str,
    fetched_at: str,
    role: str,
    field: str,
    value: str,
    severity: Severity,
    kind: str,
) -> Finding:
    what = "name" if kind == "name" else ExposureKind.what_of(kind)
    status = Status.FAIL if severity.rank >= Severity.HIGH.rank else Status.WARN
    return ctx.finding(
        status,
        f"The domain's public registration record shows your {what} (as the {role} contact).",
        severity=severity,
        location=url,
        kind="registrant",
        subject=f"{role}:{field.split()[0]}:{kind}",
        confidence=Confidence.HIGH,
        evidence=[
            Evidence(
                source="rdap",
                location=url,
                snippet=f"{role} {field}: {value}",
                fetched_at=fetched_at or None,
                sensitive=(value,),
            )
        ],
        actions=RDAP_ACTIONS,
    )
