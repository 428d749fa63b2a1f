"""exposure.search: pages on other people's sites (newspapers, people-search listings,
council registers, company-data sites) that a web search for the person's name finds, and
that show their home address, phones or emails. Opt-in: it sends the name (and, if given,
the party and area) to the search provider the person chose, and nothing else; every page
it finds is matched on this computer. Findings name the page, the site and where to ask
for removal (auditor/standards/data/removal_routes.toml)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field, replace

from auditor.check import Check, CheckContext, CheckMeta
from auditor.crawl import kind_by_name, kind_of, normalise_url, site_of
from auditor.exposure import (
    Sighting,
    best_per_location,
    exposure_finding,
    no_identifiers_finding,
    resource_scan,
    scan_segments,
    sighting_kind,
)
from auditor.model import Evidence, Finding, Severity, Status
from auditor.net.failures import Failure
from auditor.search import (
    BUDGET_S,
    FoundResult,
    QueryFailure,
    SearchReader,
    SearchReading,
    load_provider,
    search_queries,
)
from auditor.standards.content.exif_gps import ImageUnreadable
from auditor.standards.content.extract import Segment
from auditor.standards.content.pdf_text import PdfUnreadable
from auditor.standards.identity.matchers import IdentityMatcher
from auditor.standards.search.removal import RemovalRoute, removal_table
from auditor.vocabulary import Category, ExposureKind, TargetKind

MAX_PAGES = 30  # result pages read in one audit
PAGE_BYTES = 2 * 1024 * 1024
FETCH_CONCURRENCY = 4
# Off the person's own sites, a street name alone (no house number, no postcode) is most
# often someone else's street of the same name: only the stronger kinds are reported.
REPORTED_KINDS = frozenset({"home-address", "postcode", "phone", "email", "map-location"})


class SearchCheck(Check):
    meta = CheckMeta(
        id="exposure.search",
        title="Your personal details on pages a web search finds",
        category=Category.EXPOSURE,
        target=TargetKind.PERSON,
        severity=Severity.HIGH,
        guidance="https://support.google.com/websearch/answer/12719076",
        description=(
            "Searches the web with the provider you choose (a SearXNG instance or the Brave "
            "Search API) for your name and aliases, with your party and area if given, reads "
            "the pages found and looks, on this computer, for your home address, phones and "
            "emails. Sends only those public search words to the provider."
        ),
        services=("searxng", "brave_search"),
        sends_personal_data=True,
        timeout=180.0,
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        options = ctx.services.options
        plan = search_queries(ctx.profile)
        if not options.search_provider:
            return [not_chosen(ctx, plan.sent)]
        try:
            provider = load_provider(options.search_provider)
        except ValueError as exc:
            return [skipped(ctx, f"Not run: {exc}.", "provider")]
        base = ctx.services.endpoint(provider.endpoint)
        if not base:
            needs = f"the address of your instance: --endpoint {provider.endpoint}=https://…"
            return [skipped(ctx, f"Not run: {provider.title} needs {needs}", "endpoint")]
        if provider.needs_key and not options.search_key:
            return [skipped(ctx, no_key_message(provider.title, options.search_keyring_unusable),
                            "key")]  # fmt: skip
        matcher = IdentityMatcher.from_profile(ctx.profile)
        if matcher.empty:
            return [no_identifiers_finding(ctx, matcher)]
        if not plan.sent:
            why = "; ".join(plan.withheld) or "the profile has no name"
            return [skipped(ctx, f"Not run: no search could be built from public facts ({why}).",
                            "no-queries")]  # fmt: skip
        # Within a third of the audit's deadline for the searches, and as long again for
        # the pages, so that the check ends with what it read.
        deadline = options.audit_deadline
        budget = min(BUDGET_S, deadline / 3) if deadline else BUDGET_S
        reader = SearchReader(
            ctx.services.http, provider, base, options.search_key, budget_s=budget
        )
        reading = await reader.read(plan.sent)
        # The campaign's own sites and listed pages are exposure.pages' to read; the rest of
        # a party or council site is not the person's, and is read here.
        own = {site_of(u) for u in ctx.profile.websites} | {d.lower() for d in ctx.profile.domains}
        listed = {normalise_url(u) for u in ctx.profile.extra_pages}
        pages = PageReader(ctx, matcher, own, listed, budget, origin=base, provider=provider.title)
        outcome = await pages.read(reading.results)
        run = SearchRun(provider.title, base, plan.sent, plan.withheld, plan.left_out)
        return findings_for_search(ctx, run, reading, outcome)


# The host and address a guard refusal names: "refused to connect to HOST (ADDRESS): …".
_REFUSED = re.compile(r"refused to connect to (\S{1,300}) \(([0-9A-Fa-f:.]{1,64})\)")


@dataclass(frozen=True)
class SearchRun:
    provider: str  # for people: "SearXNG"
    base: str  # the endpoint (never a URL with the name in it)
    queries: tuple[str, ...]
    withheld: tuple[str, ...]
    left_out: tuple[str, ...] = ()  # what the query limits left unsearched, in plain words


@dataclass
class PageOutcome:
    sightings: dict[tuple[str, str], tuple[Sighting, FoundResult, str]]  # (url, kind) -> ..
    read: int = 0
    own_sites: int = 0
    not_read: list[tuple[str, str]] = field(default_factory=list)  # (url, why)
    partly_read: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (url, what)
    over_limit: int = 0


class PageReader:
    """Each result once: its snippet, then the page itself through the audit's HTTP client.
    A result's address is a third party's word (the provider's, and the DNS of a domain no one
    in the audit chose), so the address guard judges every page by ``origin``, the provider's
    endpoint: from a public provider, a result whose host resolves to a loopback, private or
    link-local address is not fetched (it is named as not read); a provider on this computer
    or the local network (a self-hosted SearXNG, the demo world) may lead to pages there."""

    def __init__(
        self,
        ctx: CheckContext,
        matcher: IdentityMatcher,
        own: set[str],
        listed: set[str],
        budget_s: float = BUDGET_S,
        *,
        origin: str,
        provider: str = "the search provider",
    ) -> None:
        self.budget_s = budget_s
        self.origin = origin
        self.provider = provider
        self.ctx = ctx
        self.matcher = matcher
        self.own = own
        self.listed = listed
        self.gate = asyncio.Semaphore(FETCH_CONCURRENCY)

    async def read(self, results: list[FoundResult]) -> PageOutcome:
        outcome = PageOutcome({})
        unique: dict[str, FoundResult] = {}
        for found in results:
            url = normalise_url(found.result.url)
            if not url:
                continue
            if site_of(url) in self.own or url in self.listed:
                outcome.own_sites += 1  # exposure.pages reads the person's own sites
                continue
            unique.setdefault(url, found)
        chosen = list(unique.items())
        outcome.over_limit = max(0, len(chosen) - MAX_PAGES)
        tasks = [asyncio.ensure_future(self._one(u, f, outcome)) for u, f in chosen[:MAX_PAGES]]
        if tasks:
            _done, late = await asyncio.wait(tasks, timeout=self.budget_s)
            for task in late:
                task.cancel()
            outcome.over_limit += len(late)  # counted as not read (the time limit)
        return outcome

    async def _one(self, url: str, found: FoundResult, outcome: PageOutcome) -> None:
        at = self.ctx.now_iso()
        snippet_text = f"{found.result.title} — {found.result.snippet}"
        snippet = scan_segments(self.matcher, [Segment("search-snippet", snippet_text)], url, at)
        self._keep(outcome, snippet, found, "snippet")
        async with self.gate:
            result = await self.ctx.services.http.fetch(
                url, origin=self.origin, max_bytes=PAGE_BYTES
            )
        if not result.ok or (result.status_code or 0) >= 400:
            why = result.error or f"it answered HTTP {result.status_code}"
            if result.error_kind == Failure.BLOCKED:  # the provider's word led there, not yours
                refused = _REFUSED.search(why)
                at = f" ({refused.group(1)}, {refused.group(2)})" if refused else ""
                why = (
                    f"a search result from {self.provider} pointed at an address on this "
                    f"computer or a private network{at}; not read"
                )
            outcome.not_read.append((url, why))
            return
        kind = kind_of(result, kind_by_name(url))
        try:
            scan = await resource_scan(self.matcher, result, kind, result.final_url, url)
        except (PdfUnreadable, ImageUnreadable) as exc:
            outcome.not_read.append((url, str(exc)))
            return
        if scan.not_read:  # what it shows is reported; the rest was not seen
            outcome.partly_read.append((url, scan.not_read))
        else:
            outcome.read += 1
        self._keep(outcome, scan.sightings, found, "page")

    @staticmethod
    def _keep(
        outcome: PageOutcome, sightings: list[Sighting], found: FoundResult, where: str
    ) -> None:
        for sighting in best_per_location(sightings):
            kind = sighting_kind(sighting)
            if kind not in REPORTED_KINDS:
                continue
            key = (sighting.url, kind)
            current = outcome.sightings.get(key)
            # The page itself is better evidence than the snippet; otherwise the stronger match.
            if (
                current is None
                or (where == "page" and current[2] == "snippet")
                or (where == current[2] and sighting.match.rank > current[0].match.rank)
            ):
                outcome.sightings[key] = (sighting, found, where)


def findings_for_search(
    ctx: CheckContext, run: SearchRun, reading: SearchReading, outcome: PageOutcome
) -> list[Finding]:
    table = removal_table()
    findings = [query_failure(ctx, run, f) for f in reading.failures]
    for (url, kind), (sighting, found, where) in outcome.sightings.items():
        route = table.route_for(url, found.result.title)
        findings.append(page_finding(ctx, run.provider, sighting, found, where, kind, route))
    findings += partly(ctx, run, reading, outcome)
    findings.append(queries_finding(ctx, run, reading, outcome, findings))
    return findings


def page_finding(
    ctx: CheckContext,
    provider: str,
    sighting: Sighting,
    found: FoundResult,
    where: str,
    kind: str,
    route: RemovalRoute,
) -> Finding:
    what = ExposureKind.what_of(kind)
    site = route.site
    if where == "page":
        message = (
            f"A page on {site} ({route.kind.title}) shows your {what}. It was found by "
            f"searching {provider} for {found.query}. {route.kind.how}"
        )
    else:
        message = (
            f"A search result for a page on {site} ({route.kind.title}) shows your {what} in "
            f"its snippet ({provider}, {found.query}); the page itself did not show it when "
            f"read, or could not be read. {route.kind.how}"
        )
    if route.note:
        message += f" {route.note}"
    search_kind = removal_table().search_route()
    actions = tuple(dict.fromkeys((route.kind.action, search_kind.action)))
    finding = exposure_finding(ctx, sighting, message, actions, kind=kind)
    evidence = finding.evidence[0]
    detail = {
        **evidence.detail,
        "found_by": {"provider": provider, "query": found.query, "rank": found.rank},
        "title": found.result.title[:300],
        "site": site,
        "site_kind": route.kind.id,
        "removal": [{"title": t, "url": u} for t, u in (*route.links(), *search_kind.links)],
    }
    return replace(
        finding,
        subject=f"search-{where}:{finding.subject}",
        evidence=(replace(evidence, detail=detail),),
    )


def query_failure(ctx: CheckContext, run: SearchRun, failure: QueryFailure) -> Finding:
    return ctx.finding(
        Status.TIMEOUT if failure.timeout else Status.ERROR,
        f"Could not search {run.provider} for {failure.query}: {failure.error}.",
        location=run.base,
        kind="search",
        subject=f"query:{failure.query}",
        evidence=[Evidence(source="search", location=run.base, snippet=failure.error)],
    )


def partly(
    ctx: CheckContext, run: SearchRun, reading: SearchReading, outcome: PageOutcome
) -> list[Finding]:
    gaps: list[str] = [*run.left_out, *reading.not_read]
    for why, count in reading.not_asked.items():
        gaps.append(f"{count} search{'es' if count > 1 else ''} not sent ({why})")
    if outcome.over_limit:
        gaps.append(
            f"{outcome.over_limit} result pages not read (the {MAX_PAGES}-page or the time limit)"
        )
    unread = outcome.not_read
    if unread:
        named = "; ".join(f"{url[:120]} ({why[:160]})" for url, why in unread[:8])
        more = f" and {len(unread) - 8} more" if len(unread) > 8 else ""
        gaps.append(f"{len(unread)} result page{'s' if len(unread) > 1 else ''} could not be "
                    f"read: {named}{more}")  # fmt: skip
    partly_read = outcome.partly_read
    if partly_read:
        named = "; ".join(f"{url[:120]} ({'; '.join(what)[:240]})" for url, what in partly_read[:8])
        more = f" and {len(partly_read) - 8} more" if len(partly_read) > 8 else ""
        gaps.append(
            f"{len(partly_read)} result page{'s were' if len(partly_read) > 1 else ' was'} only "
            f"partly read, so what follows was not checked: {named}{more}"
        )
    if not gaps:
        return []
    return [
        ctx.finding(
            Status.ERROR,
            "Partly checked: " + "; ".join(gaps) + ".",
            location=run.base,
            kind="search",
            subject="partly-checked",
        )
    ]


def queries_finding(
    ctx: CheckContext,
    run: SearchRun,
    reading: SearchReading,
    outcome: PageOutcome,
    findings: list[Finding],
) -> Finding:
    """The searches sent, listed in the report whatever came of them."""
    sent = tuple(q for q in run.queries if q in reading.sent)
    listed = "; ".join(sent or run.queries)
    held = f" {'; '.join(run.withheld).capitalize()}." if run.withheld else ""
    counted = f"{len(reading.results)} results, {outcome.read} pages read"
    if outcome.partly_read:
        counted += f" in full, {len(outcome.partly_read)} in part"
    if not reading.lists_read:
        status = Status.ERROR
        message = f"Could not search {run.provider}: none of the searches was answered ({listed})."
    elif any(f.status.is_problem for f in findings):
        status = Status.PASS
        message = f"Searched {run.provider} for: {listed} ({counted}).{held}"
    elif any(f.status.could_not_check for f in findings):
        status = Status.PASS
        message = (
            f"Searched {run.provider} for: {listed} ({counted}); none of the pages read shows "
            f"your home address, phone or email, but not everything could be read.{held}"
        )
    else:
        status = Status.PASS
        message = (
            f"Searched {run.provider} for: {listed} ({counted}); none of the pages found shows "
            f"your home address, phone or email.{held}"
        )
    return ctx.finding(
        status,
        message,
        location=run.base,
        kind="search",
        subject="queries",
        evidence=[
            Evidence(
                source="search",
                location=run.base,
                snippet="\n".join(sent),
                detail={"provider": run.provider, "queries": list(sent)},
            )
        ],
    )


def not_chosen(ctx: CheckContext, queries: tuple[str, ...]) -> Finding:
    return ctx.finding(
        Status.SKIPPED,
        "Not run: choose a search provider to search the web for pages about you "
        "(--search-provider searxng with --endpoint searxng=URL of your instance, or brave "
        "with an API key). It would receive only these searches: "
        + ("; ".join(queries) or "(none)")
        + ".",
        kind="setup",
        subject="no-provider",
        evidence=[Evidence(source="search", location="", snippet="\n".join(queries))],
    )


def no_key_message(title: str, keyring_unusable: str = "") -> str:
    """Where the key can come from, naming the OS keyring only when it can be asked here."""
    if keyring_unusable:
        return (
            f"Not run: {title} needs your API key. The OS keyring could not be used: "
            f"{keyring_unusable}. Put the key in a file and give --search-key-file FILE, or "
            "set the AUDITOR_SEARCH_KEY environment variable."
        )
    where = (
        "from a file with --search-key-file, the AUDITOR_SEARCH_KEY environment variable, or "
        "the OS keyring"
    )
    return f"Not run: {title} needs your API key ({where})."


def skipped(ctx: CheckContext, message: str, subject: str) -> Finding:
    return ctx.finding(Status.SKIPPED, message, kind="setup", subject=subject)
