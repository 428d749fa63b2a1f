"""Web search for exposure.search (core): the registered search providers, the key, the
queries, and reading the result lists politely.

Providers are plugins under the entry-point group ``auditor.search`` (the built-ins,
SearXNG and the Brave Search API, register like third parties). Queries are built only
from what is public on the ballot paper: the name and aliases, optionally with the party
and the ward or constituency. A query that would contain any part of the home address,
the postcode, a phone number or a personal email is never sent, whatever the profile says.
A key comes from a file, an environment variable or the OS keyring; never from the profile,
and it is never written into a report or the history.
"""

from __future__ import annotations

import asyncio
import importlib
import os
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from auditor.answers import json_answer
from auditor.polite import PoliteClient
from auditor.standards.identity.identifiers import normalise_phone
from auditor.standards.search.providers import (
    SearchAnswerMalformed,
    SearchProvider,
    SearchResult,
)

if TYPE_CHECKING:
    from auditor.net.http import HttpClient
    from auditor.profile import Profile

GROUP = "auditor.search"
KEY_ENV = "AUDITOR_SEARCH_KEY"
KEYRING_SERVICE = "candidate-auditor"
MAX_NAMES = 3  # the name and two aliases
MAX_QUERIES = 9
PAGES_PER_QUERY = 1
MAX_RESULT_LISTS = 12  # pages of results asked of the provider in one audit
CONCURRENCY = 2
BUDGET_S = 60.0
MAX_ANSWER = 2 * 1024 * 1024
MAX_RESULTS_PER_LIST = 100  # results read from one answer, whatever the provider sends


def provider_names() -> list[str]:
    return sorted({ep.name for ep in entry_points(group=GROUP)})


def load_provider(name: str) -> SearchProvider:
    """The registered provider ``name``; ValueError naming the known ones otherwise."""
    for point in entry_points(group=GROUP):
        if point.name == name:
            provider = point.load()
            if not (isinstance(provider, type) and issubclass(provider, SearchProvider)):
                raise ValueError(
                    f"search provider {name!r} ({point.value}) is not a SearchProvider"
                )
            return provider()
    known = ", ".join(provider_names()) or "none installed"
    raise ValueError(f"unknown search provider {name!r} (known: {known})")


@dataclass(frozen=True)
class FoundKey:
    """The search provider's key, or None; ``problem`` is one line when the OS keyring could
    not be asked (not installed, no backend, an error), with what to do instead, and
    ``keyring_unusable`` says why in a few words ("the keyring package is not installed")."""

    key: str | None
    problem: str = ""
    keyring_unusable: str = ""


def find_key(provider: str, title: str = "") -> FoundKey:
    """The key in AUDITOR_SEARCH_KEY, else in the OS keyring (service "candidate-auditor",
    user "search-<provider>"); a keyring that cannot be asked is said, never a silent no key."""
    value = os.environ.get(KEY_ENV, "").strip()
    if value:
        return FoundKey(value)
    try:  # optional: only when the person has installed the keyring package
        keyring: Any = importlib.import_module("keyring")
    except ImportError:
        return _unusable(provider, title, "the keyring package is not installed")
    try:
        stored = keyring.get_password(KEYRING_SERVICE, f"search-{provider}")
    except Exception as exc:  # a backend's own errors (none usable, locked, refused)
        if _no_backend(exc):
            why = "the keyring package has no backend it can use on this computer"
        else:
            why = f"the OS keyring could not be read ({type(exc).__name__})"
        return _unusable(provider, title, why)
    return FoundKey(stored.strip() if isinstance(stored, str) and stored.strip() else None)


def _no_backend(exc: Exception) -> bool:
    """keyring's NoKeyringError: no recommended backend (keyring.backends.fail.Keyring)."""
    try:
        errors: Any = importlib.import_module("keyring.errors")
    except ImportError:
        return False
    no_keyring = getattr(errors, "NoKeyringError", None)
    return isinstance(no_keyring, type) and isinstance(exc, no_keyring)


def _unusable(provider: str, title: str, why: str) -> FoundKey:
    problem = (
        f"the OS keyring cannot be asked for your {title or provider} key: {why}. Put the key "
        f"in a file and give --search-key-file FILE, or set {KEY_ENV}."
    )
    return FoundKey(None, problem, why)


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def private_parts(profile: Profile) -> list[str]:
    """What must never be in a query, squashed: each home line with a house number, every
    street line, the postcodes, phone digits and emails."""
    parts: list[str] = []
    for home in profile.home_addresses:
        parts += [_squash(line) for line in home.lines[:2] if line.strip()]
        # The street without its house number ("12 Acacia Avenue" -> "acaciaavenue").
        parts += [_squash(line.lstrip("0123456789 ,/-")) for line in home.lines[:2]]
        if home.postcode:
            parts.append(_squash(home.postcode))
    for phone in profile.phones:
        digits = "".join(ch for ch in (normalise_phone(phone) or phone) if ch.isdigit())
        if digits:
            parts += [digits[-9:]]  # the national number without its leading 0 or 44
    parts += [_squash(email) for email in profile.emails]
    return [p for p in parts if len(p) >= 4]


@dataclass(frozen=True)
class QueryPlan:
    sent: tuple[str, ...]
    withheld: tuple[str, ...] = ()  # why a query was not built (never the query itself)
    left_out: tuple[str, ...] = ()  # what a limit left unsearched, in plain words


def search_queries(profile: Profile) -> QueryPlan:
    """The queries for ``profile``: each name quoted, alone and with the area and the
    party. A query holding any private part is withheld, and the reason is kept; names and
    queries past the limits are counted in ``left_out``, so the result says "partly
    checked" rather than passing as if every name had been searched."""
    names = list(dict.fromkeys(n.strip() for n in (profile.name, *profile.aliases) if n.strip()))
    private = private_parts(profile)
    extras = [(profile.area.strip(), "area"), (profile.party.strip(), "party")]
    sent: list[str] = []
    withheld: list[str] = []
    left_out: list[str] = []
    if len(names) > MAX_NAMES:
        unsearched = len(names) - MAX_NAMES
        left_out.append(
            f"{unsearched} of your aliases {'was' if unsearched == 1 else 'were'} not searched "
            f"for (only your name and the first {MAX_NAMES - 1} aliases are)"
        )
    for name in names[:MAX_NAMES]:
        asks = [(f'"{name}"', "name")]
        asks += [(f'"{name}" "{extra}"', what) for extra, what in extras if extra]
        for query, what in asks:
            if any(part in _squash(query) for part in private):
                withheld.append(
                    f"a search with your {what} was not sent: it would hold part of your home "
                    "address, postcode, phone or email"
                )
            elif query not in sent:
                sent.append(query)
    if len(sent) > MAX_QUERIES:
        over = len(sent) - MAX_QUERIES
        left_out.append(
            f"{over} search{'es' if over > 1 else ''} {'were' if over > 1 else 'was'} not sent "
            f"(the {MAX_QUERIES}-search limit): {'; '.join(sent[MAX_QUERIES:])}"
        )
    return QueryPlan(tuple(sent[:MAX_QUERIES]), tuple(dict.fromkeys(withheld)), tuple(left_out))


@dataclass(frozen=True)
class FoundResult:
    result: SearchResult
    query: str
    rank: int  # 1 is the first result of the query


@dataclass(frozen=True)
class QueryFailure:
    query: str
    error: str
    timeout: bool = False


@dataclass
class SearchReading:
    results: list[FoundResult] = field(default_factory=list)
    failures: list[QueryFailure] = field(default_factory=list)
    not_asked: dict[str, int] = field(default_factory=dict)  # reason -> queries not sent
    not_read: list[str] = field(default_factory=list)  # results a cap left unread, in words
    sent: set[str] = field(default_factory=set)  # the queries the provider was asked
    lists_read: int = 0


class SearchReader:
    def __init__(
        self,
        http: HttpClient,
        provider: SearchProvider,
        base: str,
        key: str | None,
        *,
        budget_s: float = BUDGET_S,
    ) -> None:
        self.provider = provider
        self.base = base
        self.key = key
        self.client = PoliteClient(http, provider.title, concurrency=CONCURRENCY, budget_s=budget_s)

    async def read(self, queries: tuple[str, ...]) -> SearchReading:
        reading = SearchReading()
        asks = [(q, page) for q in queries for page in range(PAGES_PER_QUERY)]
        if len(asks) > MAX_RESULT_LISTS:
            skipped = asks[MAX_RESULT_LISTS:]
            named = "; ".join(dict.fromkeys(q for q, _page in skipped))
            reading.not_read.append(
                f"{len(skipped)} result list{'s were' if len(skipped) > 1 else ' was'} not asked "
                f"for (the {MAX_RESULT_LISTS}-result-list limit), of the searches {named}"
            )
            asks = asks[:MAX_RESULT_LISTS]
        await asyncio.gather(*(self._ask(q, page, reading) for q, page in asks))
        reading.results.sort(key=lambda r: (queries.index(r.query), r.rank))
        return reading

    async def _ask(self, query: str, page: int, reading: SearchReading) -> None:
        request = self.provider.request(self.base, query, page, self.key)
        result = await self.client.fetch(request.url, dict(request.headers), max_bytes=MAX_ANSWER)
        if result is None:
            reason = self.client.not_sent()
            reading.not_asked[reason] = reading.not_asked.get(reason, 0) + 1
            return
        reading.sent.add(query)
        if result.ok and result.status_code == 200 and result.truncated:
            reading.not_read.append(
                f"the results of the search {query} (the answer is larger than the "
                f"{MAX_ANSWER // (1024 * 1024)} MB read)"
            )
            return
        data, problem = json_answer(result, self.provider.title)
        if not problem:
            try:
                found = self.provider.parse(data)
            except SearchAnswerMalformed as exc:
                problem = f"{self.provider.title} answered in an unexpected shape: {exc}"
        if problem:
            timeout = result.timed_out
            reading.failures.append(QueryFailure(query, problem, timeout))
            return
        reading.lists_read += 1
        if len(found) > MAX_RESULTS_PER_LIST:
            reading.not_read.append(
                f"{len(found) - MAX_RESULTS_PER_LIST} results of the search {query} after its "
                f"first {MAX_RESULTS_PER_LIST}"
            )
        offset = page * self.provider.results_per_page
        for rank, item in enumerate(found[:MAX_RESULTS_PER_LIST], offset + 1):
            reading.results.append(FoundResult(item, query, rank))
