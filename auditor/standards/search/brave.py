"""The Brave Search API's web search: ``GET /res/v1/web/search?q=…&count=20&offset=N`` with
the key in the ``X-Subscription-Token`` header (api-dashboard.search.brave.com, "Web search").
``offset`` counts pages of ``count`` results (0 to 9). The answer's ``web.results`` array
holds objects with ``url``, ``title``, ``description`` and, on some plans, ``extra_snippets``;
an answer without a ``web`` object has no web results."""

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

MAX_OFFSET = 9


class BraveProvider(SearchProvider):
    name = "brave"
    title = "Brave Search API"
    endpoint = "brave_search"
    default_endpoint = "https://api.search.brave.com/"
    needs_key = True

    def request(self, base: str, query: str, page: int, key: str | None) -> SearchRequest:
        if not key:
            raise ValueError("the Brave Search API needs a key")
        params = {
            "q": query,
            "count": str(self.results_per_page),
            "offset": str(min(page, MAX_OFFSET)),
            "country": "GB",
            "safesearch": "off",
        }
        url = f"{base_url(base)}res/v1/web/search?{urlencode(params)}"
        headers = (("Accept", "application/json"), ("X-Subscription-Token", key))
        return SearchRequest(url, headers)

    def parse(self, data: Any) -> list[SearchResult]:
        if not isinstance(data, dict):
            raise SearchAnswerMalformed("the answer is not a JSON object")
        web = data.get("web")
        if web is None:
            return []  # no web results for this query
        if not isinstance(web, dict) or not isinstance(web.get("results", []), list):
            raise SearchAnswerMalformed("web.results is not an array")
        found: list[SearchResult] = []
        for number, item in enumerate(web.get("results", []), 1):
            if not isinstance(item, dict) or not isinstance(item.get("url"), str):
                raise SearchAnswerMalformed(f"result {number} has no url")
            extra = item.get("extra_snippets", [])
            snippets = [text_field(item, "description")]
            if isinstance(extra, list):
                snippets += [s[:500] for s in extra[:5] if isinstance(s, str)]
            found.append(SearchResult(item["url"], text_field(item, "title"), " … ".join(snippets)))
        return found
