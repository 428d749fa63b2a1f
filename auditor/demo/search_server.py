"""A SearXNG-compatible search engine on loopback for the demo world and the tests:
``GET /search?q=…&format=json&pageno=N`` answers in SearXNG's JSON format (docs.searxng.org,
"Search API"; docs/web-search.md) over the fictional web in fiction_web.py. As a real
instance does when JSON is not enabled in its settings, any other format is refused (403).

Matching is simple: every quoted phrase and every other word of the query must occur in a
page's title, snippet or indexed text (ignoring case). Every request is recorded by the web
server, so a privacy test can read exactly what a search sent.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import dns.zone

from auditor.demo import candidate as c
from auditor.demo.fiction_web import IndexedPage, index
from auditor.demo.web_server import Request, Response, WebServer, json_response, text

SEARCH_HOST = f"search.{c.SERVICES_DOMAIN}"
ENDPOINTS = {"searxng": f"https://{SEARCH_HOST}/"}
PER_PAGE = 10
_PHRASE = re.compile(r'"([^"]{1,200})"|(\S{1,100})')


class SearxngServer:
    def __init__(self, pages: list[IndexedPage]) -> None:
        self.pages = pages

    def register(self, server: WebServer) -> None:
        server.route(SEARCH_HOST, "/search", self.search)

    def search(self, request: Request) -> Response:
        params = dict(parse_qsl(request.query, keep_blank_values=True))
        if params.get("format") != "json":
            return text("Forbidden", 403)
        query = params.get("q", "")
        page = params.get("pageno", "1")
        number = int(page) if page.isascii() and page.isdigit() and 0 < int(page) < 100 else 1
        terms = [(a or b).lower() for a, b in _PHRASE.findall(query)]
        hits = [p for p in self.pages if terms and all(t in _haystack(p) for t in terms)]
        shown = hits[(number - 1) * PER_PAGE : number * PER_PAGE]
        results = [
            {
                "url": p.url,
                "title": p.title,
                "content": p.snippet,
                "engine": "demo",
                "engines": ["demo"],
                "parsed_url": [*urlsplit(p.url)[:5], ""],
                "template": "default.html",
                "positions": [rank],
                "score": round(1.0 / rank, 3),
                "category": "general",
            }
            for rank, p in enumerate(shown, (number - 1) * PER_PAGE + 1)
        ]
        return json_response(
            {
                "query": query,
                "number_of_results": len(hits),
                "results": results,
                "answers": [],
                "corrections": [],
                "infoboxes": [],
                "suggestions": [],
                "unresponsive_engines": [],
            }
        )


def _haystack(page: IndexedPage) -> str:
    return f"{page.title} {page.snippet} {page.text}".lower()


def demo_search() -> SearxngServer:
    return SearxngServer(index())


def zone() -> dns.zone.Zone:
    origin = SEARCH_HOST + "."
    return dns.zone.from_text(
        f"$ORIGIN {origin}\n$TTL 300\n@ SOA ns1 hostmaster 1 3600 600 604800 300\n"
        "@ NS ns1\n@ A 127.0.0.1\n",
        origin=origin,
        relativize=False,
    )
