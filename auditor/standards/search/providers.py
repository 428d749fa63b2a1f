"""The search-provider plugin API: a provider builds the request for one page of results and
reads the answer; the core sends the request through the audit's HTTP client and matches
what comes back on this computer.

A provider is registered under the entry-point group ``auditor.search`` (the built-ins,
SearXNG and the Brave Search API, register in pyproject.toml exactly as a third party
would). It must be pure: no I/O, no clock, no environment. Its key (if it needs one) is given
to ``request`` by the core, read from a file, an environment variable or the OS keyring.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

MAX_FIELD = 2000  # characters kept of a result's title or snippet


class SearchAnswerMalformed(ValueError):
    """An answer that is not the provider's documented JSON shape; the message says how."""


@dataclass(frozen=True)
class SearchRequest:
    url: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SearchResult:
    url: str
    title: str = ""
    snippet: str = ""


class SearchProvider(ABC):
    name: ClassVar[str]  # the entry-point name, "searxng"
    title: ClassVar[str]  # for people: "SearXNG"
    endpoint: ClassVar[str]  # the Services endpoint name, overridable with --endpoint
    default_endpoint: ClassVar[str]  # "" when there is no public default (self-hosted)
    needs_key: ClassVar[bool] = False
    results_per_page: ClassVar[int] = 20

    @abstractmethod
    def request(self, base: str, query: str, page: int, key: str | None) -> SearchRequest:
        """The request for results page ``page`` (0 is the first) of ``query``."""

    @abstractmethod
    def parse(self, data: Any) -> list[SearchResult]:
        """The results in a decoded JSON answer; raises SearchAnswerMalformed."""


def text_field(item: dict[str, Any], key: str) -> str:
    value = item.get(key, "")
    return value[:MAX_FIELD] if isinstance(value, str) else ""


def base_url(base: str) -> str:
    return base if base.endswith("/") else base + "/"
