"""A website target's origins, and how its plain http:// address behaves (the redirect route
that web.https sees once and web.headers scores with the Observatory's redirection test)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from auditor.net.failures import Failure
from auditor.net.http import FetchResult
from auditor.standards.web.graded import Response, SiteSample, response
from auditor.standards.web.sri import HTML_TYPES

REDIRECT_CODES = (301, 302, 303, 307, 308)


def site_origins(target: str) -> tuple[str, str, str]:
    """(host, https://host[:port]/, http://host/) of a website URL or bare host name."""
    parts = urlsplit(target if "://" in target else f"https://{target}")
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port and parts.scheme == "https" else ""
    return host, f"https://{host}{port}/", f"http://{host}/"


def is_redirect(plain: FetchResult) -> bool:
    return plain.status_code in REDIRECT_CODES and bool(plain.headers.get("location"))


@dataclass(frozen=True)
class PlainHttpRoute:
    """What http://host/ did. ``answered`` is False when nothing listens on plain http;
    ``urls`` is its redirect chain, first to last (only the first URL when it serves the page
    itself); ``verified`` is False when a hop's certificate was not trusted."""

    answered: bool
    urls: tuple[str, ...] = ()
    verified: bool = True


def plain_http_route(plain: FetchResult, followed: FetchResult | None) -> PlainHttpRoute | None:
    """The route from http://host/'s first answer (``plain``, not followed) and, when that
    redirects, the followed chain; None when it could not be seen (a timeout, a reset, a loop,
    or the chain not followed yet), so that nothing is scored from a guess."""
    if plain.error:
        return PlainHttpRoute(answered=False) if plain.error_kind == Failure.CONNECT else None
    if not is_redirect(plain):
        return PlainHttpRoute(answered=True, urls=(plain.url,))
    if followed is None:
        return None
    urls = (*followed.redirects, followed.final_url)
    if followed.error_kind == Failure.TLS:
        return PlainHttpRoute(answered=True, urls=urls, verified=False)
    if followed.error:
        return None
    return PlainHttpRoute(answered=True, urls=urls)


def response_of(result: FetchResult) -> Response:
    """A fetched answer as the grader reads it (header lines in order). The client refuses an
    untrusted certificate outright, so every answer that arrived is verified."""
    return response(list(result.headers.multi_items()))


def site_as_sample(
    host: str,
    page: FetchResult,
    *,
    route: PlainHttpRoute | None,
    cors: FetchResult | None,
    cors_origin: str,
) -> SiteSample:
    """What one Observatory-style grading reads, from the fetches the check made.

    ``page`` is the site fetched from its https:// (or given) address, redirects followed; its
    Set-Cookie headers and those of every redirect answer on the way are graded, as a browser
    stores them all. The body is passed only when it is HTML, where ``<meta>`` and
    ``<script>`` mean something. No HSTS preload list is consulted (the audit works offline),
    so ``preloaded`` stays false for every host. A missing ``route`` or ``cors`` (not seen)
    is graded as absent here; the caller leaves those tests out of the score.
    """
    graded_page = response_of(page)
    on_https = urlsplit(page.final_url).scheme == "https"
    cookies = [
        value
        for headers in (*page.redirect_headers, page.headers)
        for value in headers.get_list("set-cookie")
    ]
    seen_route = route if route is not None else PlainHttpRoute(answered=False)
    return SiteSample(
        url=page.final_url,
        host=host,
        page=graded_page,
        html=page.text() if page.content_type in HTML_TYPES else "",
        https=graded_page if on_https else None,
        http=Response(verified=seen_route.verified) if seen_route.answered else None,
        http_route=seen_route.urls,
        cors=response_of(cors) if cors is not None and not cors.error else None,
        cors_origin=cors_origin,
        set_cookies=tuple(cookies),
    )
