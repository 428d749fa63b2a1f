"""exposure.companies_house: company appointments under the person's name whose public
correspondence address is their home. Optional: it sends the person's name to Companies
House, so it needs the user's own free API key and their consent to personal lookups."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from auditor.answers import json_answer
from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Confidence, Evidence, Finding, Severity, Status
from auditor.standards.identity.matchers import IdentityMatcher, normalise_text
from auditor.vocabulary import Category, TargetKind

CH_ACTIONS = ("exposure.companies-house-address",)
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "sir", "dame", "cllr", "prof", "rev"})


def name_words(name: str) -> frozenset[str]:
    """Lower-case words of a name, without titles: "EXAMPLE, Alex" == "Alex Example"."""
    words = normalise_text(name.replace(",", " ")).lower().split()
    return frozenset(w.strip(".") for w in words if w.strip(".") not in _TITLES)


def officer_items(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, dict) or not isinstance(data.get("items", []), list):
        return []
    return [item for item in data.get("items", [])[:100] if isinstance(item, dict)]


def officer_address(item: dict[str, Any]) -> str:
    snippet = item.get("address_snippet")
    if isinstance(snippet, str) and snippet.strip():
        return snippet
    address = item.get("address")
    if isinstance(address, dict):
        return ", ".join(str(v) for v in address.values() if isinstance(v, str | int))
    return ""


class CompaniesHouseCheck(Check):
    meta = CheckMeta(
        id="exposure.companies_house",
        title="Your home address on the Companies House register",
        category=Category.EXPOSURE,
        target=TargetKind.PERSON,
        severity=Severity.HIGH,
        guidance=(
            "https://www.gov.uk/government/publications/restricting-the-disclosure-of-your-psc-"
            "information"
        ),
        description=(
            "Searches the Companies House officer register for your name (with your own free "
            "API key, and only if you allow personal lookups) and compares the public "
            "correspondence addresses with your home, on this computer."
        ),
        services=("companies_house",),
        sends_personal_data=True,
        timeout=30.0,
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        options = ctx.services.options  # consent (sends_personal_data) is the engine's gate
        if not options.companies_house_key:
            return [
                _skipped(
                    ctx,
                    "Skipped: needs your free Companies House API key (register at "
                    "developer.company-information.service.gov.uk and give the file "
                    "holding it with --companies-house-key-file).",
                )
            ]
        matcher = IdentityMatcher.from_profile(ctx.profile)
        if not ctx.profile.name or not matcher.homes:
            return [_skipped(ctx, "Skipped: the profile needs your name and home address.")]
        base = ctx.services.endpoint("companies_house")
        url = (base if base.endswith("/") else base + "/") + "search/officers?q="
        url += quote(ctx.profile.name) + "&items_per_page=100"
        token = base64.b64encode(f"{options.companies_house_key}:".encode()).decode()
        result = await ctx.services.http.fetch(
            url, headers={"Authorization": f"Basic {token}", "Accept": "application/json"}
        )
        data, problem = json_answer(result, "Companies House")
        if problem:
            where = base + "search/officers"  # not the URL: it holds the person's name
            return [
                ctx.finding(
                    Status.ERROR,
                    f"Could not check Companies House: {problem}.",
                    location=where,
                    kind="officer-address",
                    subject="lookup",
                    evidence=[Evidence(source="companies-house", location=where, snippet=problem)],
                )
            ]
        return judge(ctx, matcher, data, base, result.fetched_at)


def judge(
    ctx: CheckContext, matcher: IdentityMatcher, data: Any, base: str, fetched_at: str
) -> list[Finding]:
    wanted = [name_words(n) for n in (ctx.profile.name, *ctx.profile.aliases) if n.strip()]
    findings: list[Finding] = []
    same_name = 0
    for item in officer_items(data):
        title = str(item.get("title", ""))
        if name_words(title) not in wanted:
            continue
        same_name += 1
        address = officer_address(item)
        matches = [
            m for m in matcher.find(address) if m.kind in ("home-address", "postcode", "street")
        ]
        if not matches:
            continue
        best = max(matches, key=lambda m: m.rank)
        link = item.get("links", {}).get("self", "") if isinstance(item.get("links"), dict) else ""
        location = base.rstrip("/") + str(link) if link else base + "search/officers"
        status = Status.FAIL if best.severity.rank >= Severity.HIGH.rank else Status.WARN
        findings.append(
            ctx.finding(
                status,
                "A Companies House appointment in your name shows your home address as its "
                "public correspondence address.",
                severity=best.severity,
                location=location,
                kind="officer-address",
                subject=str(link) or best.subject,
                confidence=Confidence.MEDIUM,  # a namesake at the same address is unlikely
                evidence=[
                    Evidence(
                        source="companies-house",
                        location=location,
                        snippet=f"{title}: {address}",
                        fetched_at=fetched_at or None,
                        sensitive=tuple(s for m in matches for s in m.sensitive),
                    )
                ],
                actions=CH_ACTIONS,
            )
        )
    if not findings:
        findings.append(
            ctx.finding(
                Status.PASS,
                f"None of the {same_name} Companies House officers with your name shows your "
                "home address.",
                location=base + "search/officers",
                kind="officer-address",
                subject="clean",
            )
        )
    return findings


def _skipped(ctx: CheckContext, message: str) -> Finding:
    return ctx.finding(Status.SKIPPED, message, kind="officer-address", subject="setup")
