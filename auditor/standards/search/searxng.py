"""SearXNG's JSON search API: ``GET /search?q=…&format=json&pageno=N`` (docs.searxng.org,
"Search API"). The instance must list ``json`` in ``search.formats`` in its settings.yml,
or it answers 403; its limiter may answer 429 to scripts. The answer is an object whose
``results`` array holds objects with ``url``, ``title`` and ``content`` (the snippet), next
to ``query``, ``number_of_results``, ``answers``, ``infoboxes``, ``suggestions`` and
``unresponsive_engines``. Recommended to campaign IT: self-hosted, no key, no account."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from auditor.standards.search.providers import (
    SearchAnswerMalformed,
    SearchProvider,
    SearchRequest,
    SearchResult,
    base_url,
    text_field,
)


class SearxngProvider(SearchProvider):
    name = "searxng"
    title = "SearXNG"
    endpoint = "searxng"
    default_endpoint = ""  # a self-hosted instance: the person gives its URL
    needs_key = False

    def request(self, base: str, query: str, page: int, key: str | None) -> SearchRequest:
        params = {"q": query, "format": "json", "pageno": str(page + 1), "safesearch": "0"}
        url = f"{base_url(base)}search?{urlencode(params)}"
        return SearchRequest(url, (("Accept", "application/json"),))

    def parse(self, data: Any) -> list[SearchResult]:
        if not isinstance(data, dict):
            raise SearchAnswerMalformed("the answer is not a JSON object")
        results = data.get("results")
        if not isinstance(results, list):
            raise SearchAnswerMalformed("the answer has no results array")
        found: list[SearchResult] = []
        for number, item in enumerate(results, 1):
            if not isinstance(item, dict) or not isinstance(item.get("url"), str):
                raise SearchAnswerMalformed(f"result {number} has no url")
            found.append(
                SearchResult(item["url"], text_field(item, "title"), text_field(item, "content"))
            )
        return found
